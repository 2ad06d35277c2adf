"""Excel (.xlsx) in: point tables (经度/纬度, lon/lat, X/Y) and the project's own 界址点坐标表.

Two kinds of sheet are recognised, the first sheet that holds either wins:

- a **point table**: a header row (searched within the first ``settings.XLSX_HEADER_ROWS`` rows, so
  titles above it do not matter) holding one pair of :data:`gis.io.csv_points.COORDINATE_COLUMNS`
  (``经度/纬度``, ``lon/lat``, ``X/Y``…; a unit in brackets such as ``经度(°)`` or ``X (m)`` is ignored).
  One point per row; the CRS is the caller's (``read_any(crs=...)``) or sniffed like a CSV's
  (degrees, EPSG:4547/4526 metres, surveying X = northing order).
- the **界址点坐标表** written by :func:`gis.io.survey.write_boundary_points`: per parcel a title
  ``地块 <id> <name>``, a header ``点号 圈号 X Y``, points J1…Jn ring by ring (X = northing, Y = easting,
  metres), each ring closed on its first point. The parcels are rebuilt as polygons (a clockwise ring
  after the first starts a new part, an anticlockwise one is a hole), with their ``id`` and ``name_zh``;
  the CRS is the one the table's header names (EPSG:4547, or EPSG:4526 with the ``38`` prefix).

Bad input is bounded before anything is built: the archive's member count and declared uncompressed sizes
(``settings.MAX_XLSX_UNCOMPRESSED_BYTES``; Python's zipfile never inflates past them), a DTD or entity
declaration in any XML member (refused, as for KML), sheets, rows, columns and cell length
(``settings.MAX_XLSX_*``). openpyxl reads in read-only mode and nothing is evaluated: a formula cell is
reported as a problem (its row or point is dropped), never computed.
"""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon

from gis import settings
from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38
from gis.errors import InputError, LimitExceeded
from gis.io._survey_parcels import ILLUSTRATIVE_NOTE
from gis.io.csv_points import COORDINATE_COLUMNS, NAME_COLUMNS
from gis.report import ValidationReport

__all__ = ["read_xlsx_points", "BOUNDARY_TABLE_TITLE"]

log = logging.getLogger(__name__)

#: The first words of the 界址点坐标表's title cell.
BOUNDARY_TABLE_TITLE = "界址点坐标表"

_UNIT = re.compile(r"[\s(（\[【/].*$")
_POINT_NUMBER = re.compile(r"^J\d+$", re.IGNORECASE)
_XML_DANGER = (b"<!DOCTYPE", b"<!ENTITY")
_SCAN_CHUNK = 1 << 20


def _header_key(value: object) -> str:
    """A header cell as compared: trimmed, lower case, any bracketed unit or ``/m`` suffix removed."""
    if value is None:
        return ""
    return _UNIT.sub("", str(value).strip().lower())


# --- the archive, before openpyxl sees it ---------------------------------------------------------------------


def _check_archive(path: Path, name: str) -> None:
    """Refuse a workbook whose ZIP is broken, too large uncompressed, or whose XML declares a DTD/entities."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(
            f"{name} 不是有效的 Excel 文件 (.xlsx)；如果是旧版 .xls，请在 Excel 中另存为 .xlsx",
            f"{name} is not a valid Excel workbook (.xlsx); an old .xls must be saved as .xlsx in Excel first",
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > settings.MAX_ARCHIVE_MEMBERS:
            raise LimitExceeded(
                f"{name} 含 {len(infos)} 个内部文件，超过上限 {settings.MAX_ARCHIVE_MEMBERS}",
                f"{name} holds {len(infos)} internal files, more than the limit of {settings.MAX_ARCHIVE_MEMBERS}",
            )
        total = sum(max(i.file_size, 0) for i in infos)
        if total > settings.MAX_XLSX_UNCOMPRESSED_BYTES:
            raise LimitExceeded(
                f"{name} 解压后共 {total} 字节，超过上限 {settings.MAX_XLSX_UNCOMPRESSED_BYTES}（SSL_GIS_MAX_XLSX_BYTES）",
                f"{name} unpacks to {total} bytes, more than the limit of {settings.MAX_XLSX_UNCOMPRESSED_BYTES}"
                " (SSL_GIS_MAX_XLSX_BYTES)",
            )
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
            raise InputError(f"{name} 不是 Excel 工作簿（缺少 workbook.xml）", f"{name} is not an Excel workbook (no workbook.xml)")
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels")) and _declares_dtd(zf, info):
                raise InputError(
                    f"{name} 含有 DTD/实体声明，出于安全原因拒绝读取",
                    f"{name} declares a DTD or entities; refused for safety",
                )


def _declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_SCAN_CHUNK):
                window = tail + chunk
                if any(mark in window for mark in _XML_DANGER):
                    return True
                tail = window[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise InputError(f"{info.filename} 已损坏，无法读取", f"{info.filename} is damaged and cannot be read") from None
    return False


# --- cells ------------------------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    title: str
    rows: list[list[Any]] = field(default_factory=list)  # values; a formula cell is a _Formula
    first_row: int = 1


@dataclass(frozen=True)
class _Formula:
    text: str


def _rows(ws: Any, name: str, *, limit: int) -> Any:
    """Yield the sheet's rows as lists of values (formula cells as :class:`_Formula`), checking every limit.

    Read with ``values_only``: with ``data_only=False`` openpyxl gives a formula cell as its text ``=…``,
    so any text starting with ``=`` is taken as a formula (a literal text "=…" is the spreadsheet-injection
    pattern anyway). Rows are padded to at most ``MAX_XLSX_COLUMNS + 1`` cells, however wide the sheet
    claims to be; a row whose own cells reach further is refused.
    """
    width = settings.MAX_XLSX_COLUMNS
    declared = ws.max_column if isinstance(getattr(ws, "max_column", None), int) else None
    # Without a declared size each row is as wide as its last cell; with one, padded to it (never past the limit).
    max_col = min(declared, width + 1) if declared else None
    cell_chars = settings.MAX_XLSX_CELL_CHARS
    for number, row in enumerate(ws.iter_rows(max_col=max_col, max_row=limit + 1, values_only=True), 1):
        if number > limit:
            raise LimitExceeded(
                f"{name} 的工作表“{ws.title}”超过 {settings.MAX_XLSX_ROWS} 行（SSL_GIS_MAX_XLSX_ROWS）",
                f"{name}: sheet '{ws.title}' has more than {settings.MAX_XLSX_ROWS} rows (SSL_GIS_MAX_XLSX_ROWS)",
            )
        values = list(row)
        for k, value in enumerate(values):
            if isinstance(value, str):
                if len(value) > cell_chars:
                    raise LimitExceeded(
                        f"{name} 第 {number} 行有一个单元格含 {len(value)} 个字符，超过上限 {cell_chars}"
                        "（SSL_GIS_MAX_XLSX_CELL_CHARS）",
                        f"{name}: a cell in row {number} holds {len(value)} characters, more than the limit of"
                        f" {cell_chars} (SSL_GIS_MAX_XLSX_CELL_CHARS)",
                    )
                if value.startswith("="):
                    values[k] = _Formula(value)
        if len(values) > width and any(v is not None for v in values[width:]):
            raise LimitExceeded(
                f"{name} 的工作表“{ws.title}”超过 {width} 列（SSL_GIS_MAX_XLSX_COLUMNS）",
                f"{name}: sheet '{ws.title}' has more than {width} columns (SSL_GIS_MAX_XLSX_COLUMNS)",
            )
        yield values[:width]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _Formula):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any) -> float:
    if isinstance(value, bool) or value is None or isinstance(value, _Formula):
        return float("nan")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return float("nan")


# --- which sheet, which kind --------------------------------------------------------------------------------------


def _point_header(row: list[Any]) -> tuple[int, int] | None:
    keys = [_header_key(v) for v in row]
    for x, y in COORDINATE_COLUMNS:
        if x in keys and y in keys:
            return keys.index(x), keys.index(y)
    return None


def _is_boundary_header(row: list[Any]) -> bool:
    keys = [_header_key(v) for v in row]
    return len(keys) >= 4 and keys[0] == "点号" and keys[2] == "x" and keys[3] == "y"


def _find_sheet(wb: Any, name: str) -> tuple[str, Any, list[list[Any]], int]:
    """The first sheet holding coordinates: (kind, worksheet, its first rows, header row index)."""
    titles = list(wb.sheetnames)
    if len(titles) > settings.MAX_XLSX_SHEETS:
        raise LimitExceeded(
            f"{name} 含 {len(titles)} 个工作表，超过上限 {settings.MAX_XLSX_SHEETS}（SSL_GIS_MAX_XLSX_SHEETS）",
            f"{name} holds {len(titles)} sheets, more than the limit of {settings.MAX_XLSX_SHEETS} (SSL_GIS_MAX_XLSX_SHEETS)",
        )
    for title in titles:
        ws = wb[title]
        if not hasattr(ws, "iter_rows"):  # a chart sheet
            continue
        head: list[list[Any]] = []
        for row in _rows(ws, name, limit=settings.XLSX_HEADER_ROWS):
            head.append(row)
            if len(head) >= settings.XLSX_HEADER_ROWS:
                break
        for i, row in enumerate(head):
            if _is_boundary_header(row) or (i == 0 and _text(row[0] if row else "").startswith(BOUNDARY_TABLE_TITLE)):
                return "boundary", ws, head, i
            if _point_header(row) is not None:
                return "points", ws, head, i
    expected = ", ".join(f"{x}/{y}" for x, y in COORDINATE_COLUMNS)
    raise InputError(
        f"{name} 的工作表（{'、'.join(titles)}）前 {settings.XLSX_HEADER_ROWS} 行中都没有坐标列表头"
        f"（需要 {expected} 之一，或界址点坐标表的 点号/圈号/X/Y）",
        f"{name}: no sheet ({', '.join(titles)}) has a coordinate header in its first {settings.XLSX_HEADER_ROWS} rows"
        f" (need one of {expected}, or a boundary point table's 点号/圈号/X/Y)",
    )


# --- point tables ---------------------------------------------------------------------------------------------------


def _column_names(header: list[Any]) -> list[str]:
    names: list[str] = []
    for k, value in enumerate(header):
        base = _text(value) or f"列{k + 1}"
        label, n = base, 2
        while label in names:
            label, n = f"{base}_{n}", n + 1
        names.append(label)
    return names


def _read_points(ws: Any, header_index: int, name: str, report: ValidationReport) -> gpd.GeoDataFrame:
    rows = _rows(ws, name, limit=settings.MAX_XLSX_ROWS)
    header: list[Any] = []
    for i, row in enumerate(rows):
        if i == header_index:
            header = row
            break
    x_i, y_i = _point_header(header) or (0, 1)
    columns = _column_names(header)
    while columns and not _text(header[len(columns) - 1]) and len(columns) > max(x_i, y_i) + 1:
        columns.pop()  # empty header cells at the right end
    records: list[dict[str, str]] = []
    xs: list[float] = []
    ys: list[float] = []
    excel_rows: list[int] = []
    for number, row in enumerate(rows, header_index + 2):
        if not any(v is not None and _text(v) for v in row):
            continue  # blank rows between blocks
        if len(records) >= settings.MAX_FEATURES:
            raise LimitExceeded(f"{name} 的行数超过上限 {settings.MAX_FEATURES}", f"{name} has more than {settings.MAX_FEATURES} rows")
        cells = list(row) + [None] * (len(columns) - len(row))
        position = len(records)
        xv, yv = cells[x_i], cells[y_i]
        x, y = _number(xv), _number(yv)
        if isinstance(xv, _Formula) or isinstance(yv, _Formula):
            formula = xv.text if isinstance(xv, _Formula) else yv.text  # type: ignore[union-attr]
            report.add_problem(
                position, "xlsx_formula",
                f"第 {number} 行的坐标是公式 ({formula})，公式不计算，该行已删除；请在 Excel 中粘贴为数值",
                f"row {number}: the coordinate is a formula ({formula}); formulas are not evaluated, the row was"
                " dropped; paste it as values in Excel",
                fatal=True,
            )
            x = y = float("nan")
        elif not (np.isfinite(x) and np.isfinite(y)):
            report.add_problem(
                position, "non_numeric_coordinates",
                f"第 {number} 行的坐标不是数字 ({columns[x_i]}={_text(xv)!r}, {columns[y_i]}={_text(yv)!r})，已删除",
                f"row {number}: coordinates are not numbers ({columns[x_i]}={_text(xv)!r}, {columns[y_i]}={_text(yv)!r}); dropped",
                fatal=True,
            )
        formulas = [columns[k] for k, v in enumerate(cells[: len(columns)]) if isinstance(v, _Formula) and k not in (x_i, y_i)]
        if formulas:
            report.add_problem(
                position, "xlsx_formula",
                f"第 {number} 行的 {'、'.join(formulas)} 是公式，公式不计算，已留空",
                f"row {number}: {', '.join(formulas)} hold formulas; formulas are not evaluated, left empty",
            )
        records.append({c: _text(cells[k]) for k, c in enumerate(columns) if k not in (x_i, y_i)})
        xs.append(x)
        ys.append(y)
        excel_rows.append(number)
    if not records:
        raise InputError(f"{name} 的表头下没有数据行", f"{name} has no rows below its header")
    x_arr, y_arr = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    bad = ~(np.isfinite(x_arr) & np.isfinite(y_arr))
    geometry = gpd.points_from_xy(np.where(bad, 0.0, x_arr), np.where(bad, 0.0, y_arr))
    geometry[bad] = None
    attrs = pd.DataFrame.from_records(records, columns=[c for k, c in enumerate(columns) if k not in (x_i, y_i)])
    lower = {c.lower(): c for c in attrs.columns}
    if "name_zh" not in attrs.columns:
        name_col = next((lower[c] for c in NAME_COLUMNS if c in lower), None)
        if name_col is not None:
            attrs["name_zh"] = attrs[name_col]
    log.debug("read %d points from sheet %r of %s (columns %s/%s)", len(attrs), ws.title, name, columns[x_i], columns[y_i])
    return gpd.GeoDataFrame(attrs, geometry=geometry, crs=None)


# --- the 界址点坐标表 --------------------------------------------------------------------------------------------


@dataclass
class _Parcel:
    id: str
    name_zh: str
    illustrative: bool
    row: int
    rings: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    area_m2: float | None = None


def _parcel_title(text: str, row: int) -> _Parcel:
    body = text[len("地块"):].strip()
    illustrative = ILLUSTRATIVE_NOTE in body
    body = body.replace(f"（{ILLUSTRATIVE_NOTE}）", "").strip()
    ident, _, name_zh = body.partition(" ")
    return _Parcel(ident.strip(), name_zh.strip(), illustrative, row)


def _table_crs(head: list[list[Any]]) -> str:
    text = " ".join(_text(v) for row in head for v in row)
    return CGCS2000_GK_ZONE38 if CGCS2000_GK_ZONE38 in text else CGCS2000_GK_CM114


def _signed_area(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _polygon(parcel: _Parcel) -> Polygon | MultiPolygon | None:
    parts: list[tuple[np.ndarray, list[np.ndarray]]] = []
    for number in sorted(parcel.rings):
        xy = np.asarray(parcel.rings[number], dtype=float)
        if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
            xy = xy[:-1]
        if len(xy) < 3:
            continue
        clockwise = _signed_area(xy) < 0
        if not parts or clockwise:
            parts.append((xy, []))
            continue
        hole = shapely.Polygon(xy)
        owner = next((p for p in parts if shapely.Polygon(p[0]).contains(hole.representative_point())), parts[-1])
        owner[1].append(xy)
    if not parts:
        return None
    polygons = [Polygon(shell, holes) for shell, holes in parts]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _read_boundary_table(ws: Any, head: list[list[Any]], name: str, report: ValidationReport) -> gpd.GeoDataFrame:
    crs = _table_crs(head)
    parcels: list[_Parcel] = []
    current: _Parcel | None = None
    for number, row in enumerate(_rows(ws, name, limit=settings.MAX_XLSX_ROWS), 1):
        first = row[0] if row else None
        label = _text(first)
        if label.startswith("地块"):
            current = _parcel_title(label, number)
            parcels.append(current)
            continue
        if current is None:
            continue
        if _POINT_NUMBER.match(label):
            cells = list(row) + [None] * 4
            if any(isinstance(v, _Formula) for v in cells[1:4]):
                report.add_problem(
                    len(parcels) - 1, "xlsx_formula",
                    f"第 {number} 行 ({label}) 的坐标是公式，公式不计算，该点已删除",
                    f"row {number} ({label}): the coordinate is a formula; formulas are not evaluated, the point was dropped",
                )
                continue
            ring, north, east = _number(cells[1]), _number(cells[2]), _number(cells[3])
            if not (np.isfinite(ring) and np.isfinite(north) and np.isfinite(east)):
                report.add_problem(
                    len(parcels) - 1, "non_numeric_coordinates",
                    f"第 {number} 行 ({label}) 的坐标不是数字，该点已删除",
                    f"row {number} ({label}): coordinates are not numbers; the point was dropped",
                )
                continue
            current.rings.setdefault(int(ring), []).append((east, north))  # X = northing, Y = easting
        elif label.startswith("面积 (m²)") or label.startswith("面积(m²)"):
            value = _number(row[2] if len(row) > 2 else None)
            current.area_m2 = value if np.isfinite(value) else None
    if not parcels:
        raise InputError(
            f"{name} 像是界址点坐标表，但没有“地块 …”标题行",
            f"{name} looks like a boundary point table but has no '地块 …' parcel title rows",
        )
    records: list[dict[str, object]] = []
    geometries: list[object] = []
    for k, parcel in enumerate(parcels):
        geom = _polygon(parcel)
        if geom is None:
            report.add_problem(
                k, "too_few_points",
                f"地块 {parcel.id}（第 {parcel.row} 行）的界址点少于 3 个，已删除",
                f"parcel {parcel.id} (row {parcel.row}) has fewer than 3 boundary points; dropped",
                fatal=True,
            )
        elif parcel.area_m2 is not None:
            # GK 3° zones keep scale within 1e-4 here; the table's area was computed the same way on EPSG:4547.
            computed = float(geom.area)
            if abs(computed - parcel.area_m2) > max(1.0, 1e-3 * parcel.area_m2):
                report.add_problem(
                    k, "xlsx_area_mismatch",
                    f"地块 {parcel.id} 表中面积 {parcel.area_m2:.2f} m²，按界址点计算为 {computed:.2f} m²，请核对",
                    f"parcel {parcel.id}: the table says {parcel.area_m2:.2f} m², its points enclose {computed:.2f} m²; please check",
                )
        records.append({"id": parcel.id or str(k + 1), "name_zh": parcel.name_zh, "illustrative": parcel.illustrative})
        geometries.append(geom)
    gdf = gpd.GeoDataFrame(pd.DataFrame.from_records(records), geometry=gpd.GeoSeries(geometries), crs=crs)
    if not gdf["illustrative"].any():
        gdf = gdf.drop(columns="illustrative")
    log.debug("read %d parcels from the boundary point table of %s (%s)", len(gdf), name, crs)
    return gdf


# --- the reader -------------------------------------------------------------------------------------------------------


def read_xlsx_points(path: Path, report: ValidationReport, *, layer: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read an Excel point table or 界址点坐标表 as found.

    Parameters
    ----------
    path : pathlib.Path
        An ``.xlsx`` workbook (Office Open XML; ``.xls`` is not read).
    report : gis.report.ValidationReport
        Receives ``non_numeric_coordinates`` and ``xlsx_formula`` problems (rows dropped or cells left
        empty) and ``xlsx_area_mismatch`` when a parcel's stated area differs from its points'.
    layer : str, optional, keyword-only
        The sheet to read; by default the first sheet holding coordinates.
    encoding : str, optional, keyword-only
        Ignored (a workbook's text is Unicode).

    Returns
    -------
    geopandas.GeoDataFrame
        A point table: one point per row, every other column as text, ``crs=None`` (the finisher sniffs
        or takes the caller's CRS; coordinates as written, x column first). A 界址点坐标表: one polygon per
        parcel with ``id``, ``name_zh`` (and ``illustrative`` where marked 示意), in EPSG:4547 or 4526 metres.

    Raises
    ------
    gis.errors.InputError
        Not a workbook, XML declaring a DTD, no sheet with a coordinate header, no rows.
    gis.errors.LimitExceeded
        Uncompressed size, members, sheets, rows, columns or a cell's length beyond ``settings``.
    """
    path = Path(path)
    name = path.name
    _check_archive(path, name)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except (InputError, LimitExceeded):
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        log.debug("openpyxl could not open %s", name, exc_info=True)
        raise InputError(
            f"{name} 不是有效的 Excel 文件或已损坏（{type(exc).__name__}）",
            f"{name} is not a valid Excel workbook, or it is damaged ({type(exc).__name__})",
        ) from None
    try:
        if layer:
            if layer not in wb.sheetnames:
                raise InputError(
                    f"{name} 中没有工作表 {layer!r}（有：{'、'.join(wb.sheetnames)}）",
                    f"{name} has no sheet {layer!r} (sheets: {', '.join(wb.sheetnames)})",
                )
            wb_sheets = [layer]
        else:
            wb_sheets = []
        kind, ws, head, header_index = _find_sheet(_OnlySheets(wb, wb_sheets) if wb_sheets else wb, name)
        if kind == "boundary":
            return _read_boundary_table(ws, head, name, report)
        return _read_points(ws, header_index, name, report)
    finally:
        wb.close()


class _OnlySheets:
    """A workbook seen through a list of its sheet names (the caller's ``layer``)."""

    def __init__(self, wb: Any, titles: list[str]) -> None:
        self._wb, self.sheetnames = wb, titles

    def __getitem__(self, title: str) -> Any:
        return self._wb[title]
