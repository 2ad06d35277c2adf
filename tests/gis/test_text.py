"""gis.text: hidden characters shown escaped, Markdown made literal."""

from __future__ import annotations

import pandas as pd
import pytest

from gis.text import display_safe, display_safe_frame, markdown_literal


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("松山湖大道", "松山湖大道"),
        ("路\u202egpj.exe", "路\\u202egpj.exe"),  # right-to-left override
        ("a\u2066b\u2069", "a\\u2066b\\u2069"),  # bidi isolates
        ("零\u200b宽", "零\\u200b宽"),  # zero-width space
        ("line\u2028sep", "line\\u2028sep"),
        ("tab\there", "tab\\u0009here"),
        ("nul\x00", "nul\\u0000"),
        ("a b　c", "a b　c"),  # ordinary and ideographic spaces stay
        (None, ""),
        (42, "42"),
    ],
)
def test_display_safe(raw: object, shown: str) -> None:
    assert display_safe(raw) == shown
    assert display_safe(display_safe(raw)) == shown  # idempotent


def test_newlines_kept_only_when_asked() -> None:
    assert display_safe("a\nb") == "a\\u000ab"
    assert display_safe("a\nb\u202e", keep_newlines=True) == "a\nb\\u202e"


def test_frame_only_touches_text() -> None:
    frame = pd.DataFrame({"name": ["x\u202ey", None], "n": [1, 2]})
    out = display_safe_frame(frame)
    assert out["name"].tolist()[0] == "x\\u202ey" and out["name"].isna().tolist()[1]
    assert out["n"].tolist() == [1, 2]
    assert frame["name"].iloc[0] == "x\u202ey"  # a copy


def test_markdown_literal_cannot_form_a_link_or_html() -> None:
    text = markdown_literal("[点我](http://evil.example) <img src=x> **粗** \u202e")
    assert "\\[点我\\]\\(http\\:" in text
    assert "\\<img" in text and "\\*\\*" in text and "\\u202e" in text
