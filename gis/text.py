r"""Display-safe text: names and notes from data shown as what they are, never as markup or hidden controls.

A feature name is data a user (or an uploaded file) wrote. Shown in a tooltip, a popup or a table it must
read as the characters it holds: a right-to-left override (U+202E) can make ``gpj.exe`` look like
``exe.jpg``, a zero-width joiner or a bidi isolate can make two different names look the same, and a
line or paragraph separator can push text out of view. :func:`display_safe` replaces every such character
with a visible ``\uXXXX`` escape. Escaping for HTML (``html.escape``) or Markdown is a separate, later step
done where the text reaches HTML or Markdown; this one only makes the invisible visible.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by display_safe_frame only: the sign-in routes need display_safe alone
    import pandas as pd

__all__ = ["display_safe", "display_safe_frame", "markdown_literal"]

#: Unicode categories shown escaped: controls (Cc), formats (Cf: bidi overrides, isolates, zero-width
#: characters, the BOM), line/paragraph separators (Zl, Zp), surrogates (Cs), private use (Co) and
#: unassigned code points (Cn).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_MD_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$&:")


def _escape_char(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def display_safe(text: object, *, keep_newlines: bool = False) -> str:
    r"""Return ``text`` with every control, format or separator character written as a visible escape.

    Parameters
    ----------
    text : object
        Any value; ``None`` becomes ``""``, other values their ``str()``.
    keep_newlines : bool, keyword-only
        Keep ``\n`` (for multi-line notes shown as plain text); otherwise it is escaped too.

    Returns
    -------
    str
        The same text with e.g. U+202E shown as ``\u202e`` and a tab as ``\u0009``. Printable
        characters, including all Chinese text and ordinary spaces, are unchanged.

    Examples
    --------
    >>> display_safe("路\u202egpj.exe")
    '路\\u202egpj.exe'
    """
    if text is None:
        return ""
    s = str(text)
    if s.isprintable():  # fast path: nothing hidden (isprintable is False for every category above and for Zs other than space)
        return s
    out = []
    for ch in s:
        if keep_newlines and ch == "\n":
            out.append(ch)
        elif unicodedata.category(ch) in _HIDDEN_CATEGORIES:
            out.append(_escape_char(ch))
        else:
            out.append(ch)
    return "".join(out)


def display_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text (object/string) columns went through :func:`display_safe`.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        Any table; the geometry column and non-text columns are left as they are.

    Returns
    -------
    pandas.DataFrame
        Of the same type, index and columns; missing values stay missing.
    """
    import pandas as pd

    out = frame.copy()
    geom = getattr(frame, "_geometry_column_name", None)
    unique = not frame.columns.has_duplicates
    # every value read from one object array, not a Series per column (tens of rows: the Series were the cost)
    values = frame.to_numpy(dtype=object) if unique else None
    for i, (col, dtype) in enumerate(zip(out.columns, out.dtypes, strict=True)):  # dtypes read once
        if col == geom or not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
            continue
        if values is not None and all(v.isprintable() for v in values[:, i] if isinstance(v, str)):
            continue  # nothing hidden in this column (the usual case): no mapped copy of it
        out[col] = out[col].map(lambda v: display_safe(v) if isinstance(v, str) else v)
    return out


def markdown_literal(text: object) -> str:
    """``text`` made display-safe and escaped so that Markdown shows it literally (no links, no emphasis).

    Parameters
    ----------
    text : object
        Data text (a feature name, a user name).

    Returns
    -------
    str
        Every Markdown-special character backslash-escaped, ``<`` and ``>`` included, so neither a link
        ``[x](http://…)`` nor an autolink nor HTML can form.
    """
    return "".join(f"\\{ch}" if ch in _MD_SPECIAL else ch for ch in display_safe(text))
