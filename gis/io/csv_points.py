"""CSV of points: lon/lat (or lng, longitude, 经度/纬度, x/y) columns, UTF-8 or GBK, as AMap pickers and Excel write them.

The CSV declares no CRS: the finisher sniffs it (degrees, EPSG:4547 metres, surveying X/Y order) and
converts GCJ-02 when the user says the points come from an AMap picker.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.report import ValidationReport

__all__ = ["read_csv_points", "COORDINATE_COLUMNS", "NAME_COLUMNS"]

log = logging.getLogger(__name__)

#: Recognised (x, y) column pairs, in order of preference (compared case-insensitively, spaces trimmed).
COORDINATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("lon", "lat"),
    ("lng", "lat"),
    ("longitude", "latitude"),
    ("long", "lat"),
    ("经度", "纬度"),
    ("x", "y"),
    ("x坐标", "y坐标"),
    ("easting", "northing"),
)
#: Columns taken as the feature's Chinese name (copied to ``name_zh`` unless the CSV has one).
NAME_COLUMNS: tuple[str, ...] = ("名称", "name", "名字", "地名")

_DELIMITERS = (",", "\t", ";", "|")


def _decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(f"无法按 {encoding} 解码 {name}", f"cannot decode {name} as {encoding}: {exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is the superset of GBK/CP936, what Excel on Chinese Windows writes.
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"无法判断 {name} 的文字编码，请指定 (例如 GBK)", f"cannot tell the text encoding of {name}; give it (e.g. GBK)")
    return str(best), best.encoding


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_shape(text: str, delimiter: str, name: str) -> None:
    """Refuse a table wider, longer or with longer lines than the settings allow, before pandas sees it.

    One streaming pass: physical line lengths first (``settings.MAX_CSV_LINE_CHARS``), then the parsed
    rows' width (``settings.MAX_CSV_COLUMNS``), count (``settings.MAX_FEATURES``) and cells
    (``settings.MAX_CSV_CELLS``). pandas builds a frame of every column it is given: a 1.9 MB CSV of
    very many columns took 1.25 GB and 35 s there.
    """
    for number, line in enumerate(io.StringIO(text), 1):
        if len(line) > settings.MAX_CSV_LINE_CHARS:
            raise LimitExceeded(
                f"{name} 第 {number} 行有 {len(line)} 个字符，超过上限 {settings.MAX_CSV_LINE_CHARS}（SSL_GIS_MAX_CSV_LINE_CHARS）",
                f"{name}: line {number} holds {len(line)} characters, more than the limit of"
                f" {settings.MAX_CSV_LINE_CHARS} (SSL_GIS_MAX_CSV_LINE_CHARS)",
            )
    cells = 0
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if len(row) > settings.MAX_CSV_COLUMNS:
                raise LimitExceeded(
                    f"{name} 第 {number} 行有 {len(row)} 列，超过上限 {settings.MAX_CSV_COLUMNS}（SSL_GIS_MAX_CSV_COLUMNS）",
                    f"{name}: row {number} has {len(row)} columns, more than the limit of"
                    f" {settings.MAX_CSV_COLUMNS} (SSL_GIS_MAX_CSV_COLUMNS)",
                )
            if number > settings.MAX_FEATURES + 1:  # the header is row 1
                raise LimitExceeded(f"{name} 的行数超过上限 {settings.MAX_FEATURES}", f"{name} has more than {settings.MAX_FEATURES} rows")
            cells += len(row)
            if cells > settings.MAX_CSV_CELLS:
                raise LimitExceeded(
                    f"{name} 的单元格超过上限 {settings.MAX_CSV_CELLS}（SSL_GIS_MAX_CSV_CELLS）",
                    f"{name} holds more than {settings.MAX_CSV_CELLS} cells (SSL_GIS_MAX_CSV_CELLS)",
                )
    except csv.Error as exc:
        raise InputError(f"{name} 不是有效的 CSV：{exc}", f"{name} is not a valid CSV: {exc}") from None


def read_csv_points(path: Path, report: ValidationReport, *, layer: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read a CSV of points as found.

    Parameters
    ----------
    path : pathlib.Path
        A ``.csv`` file with a header row holding one pair of :data:`COORDINATE_COLUMNS` (``lon,lat``,
        ``lng,lat``, ``longitude,latitude``, ``经度,纬度``, ``x,y``…). Comma, tab, semicolon or bar
        separated; UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 — detected.
    report : gis.report.ValidationReport
        Receives one fatal ``non_numeric_coordinates`` problem per row whose coordinates are not numbers
        (the row keeps its place with no geometry and is dropped by validation).
    layer : str, optional, keyword-only
        Ignored.
    encoding : str, optional, keyword-only
        Forces the text encoding.

    Returns
    -------
    geopandas.GeoDataFrame
        One point per row, every other column kept as text; a ``名称``/``name`` column is copied to
        ``name_zh``. ``crs=None``: the coordinates are taken as written (x first), for the finisher to
        sniff (degrees, EPSG:4547/4526 metres, swapped orders).

    Raises
    ------
    gis.errors.InputError
        Empty file, undecodable text, no recognised coordinate columns (the message lists the header).
    gis.errors.LimitExceeded
        More rows than ``settings.MAX_FEATURES``, more columns than ``settings.MAX_CSV_COLUMNS``, a line
        longer than ``settings.MAX_CSV_LINE_CHARS`` or more cells than ``settings.MAX_CSV_CELLS``;
        checked in one streaming pass before pandas builds a frame.
    """
    path = Path(path)
    name = path.name
    size = path.stat().st_size
    if size > settings.MAX_FILE_BYTES:
        raise LimitExceeded(f"{name} 超过 {settings.MAX_FILE_BYTES} 字节上限", f"{name} exceeds the {settings.MAX_FILE_BYTES}-byte limit")
    text, used = _decode(path.read_bytes(), encoding, name)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{name} 是空文件", f"{name} is empty")
    first = re.split(r"[\r\n]", text, maxsplit=1)[0]
    if len(first) > settings.MAX_CSV_LINE_CHARS:  # checked before counting delimiters in it
        _check_shape(first, ",", name)
    delimiter = _delimiter(first)
    _check_shape(text, delimiter, name)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            quoting=csv.QUOTE_MINIMAL,
            nrows=settings.MAX_FEATURES + 1,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{name} 不是有效的 CSV：{exc}", f"{name} is not a valid CSV: {exc}") from None
    if len(df) > settings.MAX_FEATURES:
        raise LimitExceeded(f"{name} 的行数超过上限 {settings.MAX_FEATURES}", f"{name} has more than {settings.MAX_FEATURES} rows")
    df.columns = [str(c).strip() for c in df.columns]
    lower = {c.lower(): c for c in df.columns}
    pair = next(((lower[x], lower[y]) for x, y in COORDINATE_COLUMNS if x in lower and y in lower), None)
    if pair is None:
        expected = ", ".join(f"{x}/{y}" for x, y in COORDINATE_COLUMNS)
        header = ", ".join(df.columns)
        raise InputError(
            f"{name} 没有坐标列（需要 {expected} 之一；表头为：{header}）",
            f"{name} has no coordinate columns (need one of {expected}; the header is: {header})",
        )
    x_col, y_col = pair
    x = pd.to_numeric(df[x_col].str.strip(), errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(df[y_col].str.strip(), errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    for i in np.flatnonzero(bad):
        xv, yv = df[x_col].iloc[i], df[y_col].iloc[i]
        line = int(i) + 2  # 1-based, after the header
        report.add_problem(
            int(i),
            "non_numeric_coordinates",
            f"第 {line} 行的坐标不是数字 ({x_col}={xv!r}, {y_col}={yv!r})，已删除",
            f"line {line}: coordinates are not numbers ({x_col}={xv!r}, {y_col}={yv!r}); dropped",
            fatal=True,
        )
    geometry = gpd.points_from_xy(np.where(bad, 0.0, x), np.where(bad, 0.0, y))
    geometry[bad] = None
    attrs = df.drop(columns=[x_col, y_col])
    if "name_zh" not in attrs.columns:
        name_col = next((lower[c] for c in NAME_COLUMNS if c in lower), None)
        if name_col is not None:
            attrs["name_zh"] = attrs[name_col]
    gdf = gpd.GeoDataFrame(attrs.reset_index(drop=True), geometry=geometry, crs=None)
    log.debug("read %d points from %s (%s, delimiter %r, columns %s/%s)", len(gdf), name, used, delimiter, x_col, y_col)
    return gdf
