"""Reading a DXF whose XDATA is damaged: the damaged entities' XDATA is removed, the drawing kept.

ezdxf refuses a whole file (even through ``ezdxf.recover``) when one XDATA value does not parse as its
group code's type (an integer ``1071`` holding text, say). One such entity must not make a surveyor's
drawing unreadable: :func:`without_damaged_xdata` drops the XDATA of each entity holding such a value;
the reader then reads those entities as plain CAD entities and says so.
"""

from __future__ import annotations

import math

__all__ = ["without_damaged_xdata"]


def _xdata_value_ok(code: int, value: bytes) -> bool:
    """Whether an XDATA value parses as its group code's type (DXF reference, "Group codes in XDATA")."""
    text = value.strip()
    try:
        if code == 1002:
            return text in (b"{", b"}")
        if code == 1004:
            return len(text) % 2 == 0 and all(c in b"0123456789abcdefABCDEF" for c in text)
        if 1010 <= code <= 1059:
            return math.isfinite(float(text))
        if 1060 <= code <= 1071:
            int(text)
    except ValueError:
        return False
    return True


def without_damaged_xdata(data: bytes) -> tuple[bytes, list[str]] | None:
    """An ASCII DXF with the XDATA of every entity holding an unparsable XDATA value removed.

    Returns the cleaned bytes and the handles of the entities cleaned, or None when the file is not an
    ASCII DXF of (code, value) line pairs or no XDATA was at fault (then nothing here can help).
    """
    if data.startswith(b"AutoCAD Binary DXF"):
        return None
    lines = data.splitlines(keepends=True)
    if len(lines) % 2:
        lines = lines[:-1] if not lines[-1].strip() else lines
        if len(lines) % 2:
            return None
    pairs: list[tuple[int, bytes, bytes]] = []
    for i in range(0, len(lines), 2):
        try:
            code = int(lines[i].strip())
        except ValueError:
            return None
        pairs.append((code, lines[i], lines[i + 1]))
    out: list[bytes] = []
    cleaned: list[str] = []
    start = 0
    for end in [i for i, (code, _, _) in enumerate(pairs) if code == 0] + [len(pairs)]:
        entity = pairs[start:end]
        if any(1000 <= code <= 1071 and not _xdata_value_ok(code, value) for code, _, value in entity):
            handle = next((v.strip().decode("ascii", "replace") for c, _, v in entity if c == 5), "?")
            cleaned.append(handle)
            entity = [p for p in entity if not 1000 <= p[0] <= 1071]
        out.extend(b"".join((raw, value)) for _, raw, value in entity)
        start = end
    return (b"".join(out), cleaned) if cleaned else None
