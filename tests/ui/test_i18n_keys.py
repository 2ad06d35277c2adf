"""ui/i18n.py holds no dead strings: every key is used by the code, by name or by a prefix the code completes."""

from __future__ import annotations

import re
from pathlib import Path

from ui.i18n import STRINGS

PROJECT = Path(__file__).resolve().parents[2]


def _code() -> str:
    """The app's code (ui/, layers/, gis/, app.py) with the string table itself left out."""
    parts = []
    for path in [PROJECT / "app.py", *sorted((PROJECT / "ui").glob("*.py")), *sorted((PROJECT / "layers").rglob("*.py")),
                 *sorted((PROJECT / "gis").rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        if path.name == "i18n.py" and path.parent.name == "ui":
            text = text[text.index("\n}\n"):]  # the code after STRINGS (unit_label, error_text …)
        parts.append(text)
    return "\n".join(parts)


def test_every_string_is_used() -> None:
    code = _code()
    # keys completed at run time: t(f"board_sort_{k}"), "unit_" + unit, "exp_" + key …
    prefixes = set(re.findall(r"""\bt\(f["']([a-z0-9_]+)\{""", code)) | set(re.findall(r"""["']([a-z0-9]+_)["']\s*\+""", code))
    dead = [k for k in STRINGS if f'"{k}"' not in code and f"'{k}'" not in code and not k.startswith(tuple(prefixes))]
    assert not dead, dead


def test_prefix_search_finds_the_dynamic_keys() -> None:  # the test above would pass vacuously without them
    code = _code()
    prefixes = set(re.findall(r"""\bt\(f["']([a-z0-9_]+)\{""", code)) | set(re.findall(r"""["']([a-z0-9]+_)["']\s*\+""", code))
    assert {"board_sort_", "upload_crs_", "exp_", "unit_"} <= prefixes
