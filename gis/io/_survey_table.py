"""The 界址点坐标表 (boundary point table) as ``.xlsx`` or ``.csv``.

Private to :mod:`gis.io.survey`, which re-exports :func:`write_boundary_points`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np

from gis.area import M2_PER_MU
from gis.crs import CGCS2000_GK_CM114
from gis.errors import InputError, LimitExceeded
from gis.io._survey_parcels import ILLUSTRATIVE_NOTE, ILLUSTRATIVE_ZH, Parcel, collect_parcels, crs_lines, surveyor_crs
from gis.spreadsheet import neutral_text, xlsx_cell

# The survey modules log as one: users filter on "gis.io.survey", whichever part of it speaks.
log = logging.getLogger("gis.io.survey")

_XLSX_MAX_ROWS = 1_048_576
_COLUMNS = ("点号", "圈号", "X (北坐标) /m", "Y (东坐标) /m", "边长 /m")


def _table_rows(parcels: list[Parcel], crs: str, produced_on: str) -> list[tuple[str, list[object]]]:
    """The table as (kind, cells) rows; kinds: title, note, warning, parcel, header, point, area, blank."""
    zh, en = crs_lines(crs)
    rows: list[tuple[str, list[object]]] = [
        ("title", ["界址点坐标表 / Boundary point coordinates"]),
        ("note", [zh]),
        ("note", [en]),
        ("note", ["X = 北坐标 (northing), Y = 东坐标 (easting), 单位: 米, 保留3位小数; 边长为本点至下一点的距离"]),
        ("note", ["界址点自西北角起按顺时针编号 (内环逆时针), 每圈以首点闭合; 面积按 EPSG:4547 计算, 1 亩 = 10000/15 m²"]),
        ("note", [f"生成日期 / produced: {produced_on}"]),
    ]
    shown = sum(p.illustrative for p in parcels)
    if shown:
        note = f"注意 / note: 含 {shown} 个{ILLUSTRATIVE_ZH}地块 ({shown} illustrative parcel(s)) — {ILLUSTRATIVE_NOTE}"
        rows.append(("warning", [note]))
    rows.append(("blank", []))
    for parcel in parcels:
        title = f"地块 {parcel.id} {parcel.name_zh}".rstrip()
        if parcel.illustrative:
            title += f" （{ILLUSTRATIVE_NOTE}）"
        rows.append(("parcel", [title]))
        if parcel.illustrative:
            rows.append(("warning", [f"{ILLUSTRATIVE_ZH}: 以下坐标为示意，非实测 / the points below are illustrative, not surveyed"]))
        rows.append(("header", list(_COLUMNS)))
        for ring in parcel.rings:
            closed = np.vstack([ring.xy, ring.xy[:1]])
            edges = np.hypot(*np.diff(closed, axis=0).T)
            numbers = [*range(ring.first_j, ring.first_j + len(ring.xy)), ring.first_j]
            for k, (easting, northing) in enumerate(closed):
                edge = round(float(edges[k]), 2) if k < len(edges) else None
                rows.append(("point", [f"J{numbers[k]}", ring.number, float(northing), float(easting), edge]))
        rows.append(("area", ["面积 (m²)", None, round(parcel.area_m2, 2), None, None]))
        rows.append(("area_mu", ["面积 (亩)", None, round(parcel.area_m2 / M2_PER_MU, 4), None, None]))
        rows.append(("blank", []))
    return rows


def write_boundary_points(
    gdf: gpd.GeoDataFrame, path: str | Path, *, crs: str = CGCS2000_GK_CM114, produced_on: str | None = None
) -> Path:
    """Write the 界址点坐标表 (boundary point table) of every polygon as ``.xlsx`` or ``.csv``.

    Per parcel: a title (``地块 <id> <name_zh>``), its points J1…Jn ring by ring with 点号, 圈号,
    X = northing and Y = easting in metres (3 decimals), the closing point (J1 again; a hole closes on its
    own first point), the edge length to the next point (m, 2 decimals), then the area in m² (2 decimals)
    and 亩 (4 decimals) computed with :func:`gis.area.area_m2` on EPSG:4547. Rings start at their
    north-westernmost vertex (largest northing − easting) and run clockwise on a north-up map (holes
    anticlockwise). The header names the CRS. Features that are not polygons are skipped (logged).
    Illustrative parcels (``illustrative`` true) are marked 示意 in the header, in their title and in a
    line above their points.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS (any); ``id`` and ``name_zh`` columns are used when present.
    path : str or pathlib.Path
        Output ``.xlsx`` (one sheet, numbers stored as numbers with number formats) or ``.csv`` (UTF-8
        with BOM so Excel shows the Chinese; same rows as the sheet).
    crs : {"EPSG:4547", "EPSG:4526"}, keyword-only
        CRS of the coordinates: CGCS2000 3-degree GK CM 114°E, without (4547) or with (4526) the ``38``
        easting prefix.
    produced_on : str, optional, keyword-only
        Date printed in the header (ISO ``YYYY-MM-DD``); today by default.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    gis.errors.InputError
        Unknown extension, no polygon, a CRS other than EPSG:4547/4526, or too many rows for a sheet.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError(
            f"界址点坐标表只能写为 .xlsx 或 .csv，而不是 {suffix!r}", f"the boundary point table is .xlsx or .csv, not {suffix!r}"
        )
    crs = surveyor_crs(crs)
    parcels = collect_parcels(gdf, crs)
    rows = _table_rows(parcels, crs, produced_on or _dt.date.today().isoformat())
    if suffix == ".csv":
        _write_table_csv(rows, path)
    else:
        if len(rows) >= _XLSX_MAX_ROWS:
            raise LimitExceeded(
                f"界址点坐标表共 {len(rows)} 行，超过 Excel 的行数上限，请改用 .csv",
                f"the table has {len(rows)} rows, more than an Excel sheet holds; write .csv instead",
            )
        _write_table_xlsx(rows, path)
    log.info("survey: wrote the boundary point table of %d parcel(s) to %s (%s)", len(parcels), path.name, crs)
    return path


def _csv_cell(kind: str, column: int, value: object) -> object:
    if value is None or isinstance(value, str):
        return "" if value is None else neutral_text(value)
    if kind == "point" and column in (2, 3):
        return f"{value:.3f}"
    if kind == "point" and column == 4:
        return f"{value:.2f}"
    if kind == "area":
        return f"{value:.2f}"
    if kind == "area_mu":
        return f"{value:.4f}"
    return value


def _write_table_csv(rows: list[tuple[str, list[object]]], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for kind, cells in rows:
            writer.writerow([_csv_cell(kind, i, v) for i, v in enumerate(cells)])


def _write_table_xlsx(rows: list[tuple[str, list[object]]], path: Path) -> None:
    # Cells holding text from the data all start with "地块 "; gis.spreadsheet neutralises any other text.
    # Write-only mode streams the rows: about three times faster on large selections.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("界址点坐标表")
    for letter, width in zip("ABCDE", (12, 8, 18, 18, 12)):
        ws.column_dimensions[letter].width = width
    bold, thin = Font(bold=True), Side(style="thin")
    centred = Alignment(horizontal="center")
    style: dict[str, dict[int, dict[str, object]]] = {
        "title": {0: {"font": Font(bold=True, size=14)}},
        "parcel": {0: {"font": Font(bold=True, size=12)}},
        "warning": {0: {"font": Font(bold=True, color="C00000")}},
        "header": {c: {"font": bold, "border": Border(top=thin, bottom=thin), "alignment": centred} for c in range(5)},
        "point": {1: {"alignment": centred}, 2: {"number_format": "0.000"}, 3: {"number_format": "0.000"},
                  4: {"number_format": "0.00"}},
        "area": {0: {"font": bold}, 2: {"font": bold, "number_format": '0.00" m²"'}},
        "area_mu": {0: {"font": bold}, 2: {"font": bold, "number_format": '0.0000" 亩"'}},
    }
    for kind, cells in rows:
        out: list[object] = []
        for c, value in enumerate(cells):
            attrs = style.get(kind, {}).get(c)
            if value is None or not attrs:
                out.append(xlsx_cell(ws, value))
                continue
            cell = WriteOnlyCell(ws, value=value)
            for name, attr in attrs.items():
                setattr(cell, name, attr)
            out.append(cell)
        ws.append(out)
    wb.save(path)
