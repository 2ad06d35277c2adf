"""CSV and Excel output that a spreadsheet cannot run: the one place text cells are neutralised.

A spreadsheet treats a cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a
tab or a carriage return) as a formula: a feature named ``=HYPERLINK("http://x","y")`` would become a live
link, and worse (CSV/formula injection, OWASP). Every CSV and XLSX the project writes goes through here:

* CSV: such a text cell gets a leading ``'`` (the spreadsheet shows the text, never runs it);
* XLSX: such a cell is written as a text cell with Excel's "quote prefix" (shown exactly as the text,
  treated as text when edited) — never as a formula.

Numbers stay numbers (``-3.5`` is a number, not a formula), and text that is just a number (``"-12.5"``)
is left alone; only text cells are neutralised, column names included.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMULA_PREFIXES", "is_formula_like", "neutral_text", "neutral_frame", "csv_bytes", "write_csv", "xlsx_bytes", "xlsx_cell"]

#: First characters that make a spreadsheet read a text cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet would run as a formula.

    Parameters
    ----------
    value : object
        Any cell value; only ``str`` can be formula-like.

    Returns
    -------
    bool
        True for text starting with one of :data:`FORMULA_PREFIXES` that is not just a number.
    """
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(value)


def neutral_text(value: str) -> str:
    """The text as a CSV cell a spreadsheet shows but never runs (a leading ``'`` where needed).

    Parameters
    ----------
    value : str
        Cell text.

    Returns
    -------
    str
        ``value`` itself, or ``"'" + value`` if it is formula-like (:func:`is_formula_like`).
    """
    return "'" + value if is_formula_like(value) else value


def neutral_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names are neutralised for CSV (numbers untouched).

    Parameters
    ----------
    df : pandas.DataFrame
        Any table.

    Returns
    -------
    pandas.DataFrame
        Same shape, dtypes of numeric columns unchanged.
    """
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
            out[col] = series.map(lambda v: neutral_text(v) if isinstance(v, str) else v).astype(series.dtype)
    out.columns = [neutral_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, *, encoding: str = "utf-8-sig", **to_csv: Any) -> bytes:
    """The table as CSV bytes, neutralised (UTF-8 with BOM by default, so Excel reads Chinese).

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    encoding : str
        Text encoding of the bytes.
    **to_csv
        Passed to :meth:`pandas.DataFrame.to_csv` (``index`` defaults to False).

    Returns
    -------
    bytes
    """
    to_csv.setdefault("index", False)
    return neutral_frame(df).to_csv(**to_csv).encode(encoding)


def write_csv(df: pd.DataFrame, path: str | Path, *, encoding: str = "utf-8", **to_csv: Any) -> Path:
    """Write the table to a CSV file, neutralised (see :func:`csv_bytes`).

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    path : str or pathlib.Path
        Output file.
    encoding : str
        Text encoding of the file.
    **to_csv
        Passed to :meth:`pandas.DataFrame.to_csv` (``index`` defaults to False).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.write_bytes(csv_bytes(df, encoding=encoding, **to_csv))
    return path


def _plain(value: Any) -> Any:
    """A cell value openpyxl writes: Python scalars, naive datetimes, None for missing."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones: keep the offset visible as text
    if isinstance(value, str | int | float | bool | date):
        return value
    return str(value)


def xlsx_cell(ws: Any, value: Any) -> Any:
    """A value for ``ws.append`` in openpyxl: formula-like text becomes a quote-prefixed text cell.

    Parameters
    ----------
    ws : openpyxl worksheet
        The (write-only or normal) sheet the cell goes to.
    value : object
        The cell value.

    Returns
    -------
    object
        ``value`` made plain, or an ``openpyxl`` cell holding it as text (never a formula).
    """
    value = _plain(value)
    if not is_formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_bytes(df: pd.DataFrame, *, sheet: str = "Sheet1") -> bytes:
    """The table as an ``.xlsx`` workbook (a header row, then one row per record), neutralised.

    Parameters
    ----------
    df : pandas.DataFrame
        The table (its index is not written).
    sheet : str
        The sheet's name.

    Returns
    -------
    bytes
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.append([xlsx_cell(ws, str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        ws.append([xlsx_cell(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
