"""Surveyor deliverables: the 界址点坐标表, the 勘测定界 coordinate TXT (in and out) and the surveyor pack.

Conventions shared by every writer here (DESIGN.md, "Surveyor deliverables"):

* Coordinates are CGCS2000 3-degree Gauss-Krüger, central meridian 114°E (zone 38): EPSG:4547 (eastings
  without the zone prefix, e.g. 489700.000) or EPSG:4526 (eastings with the ``38`` prefix, 38489700.000).
* X is the northing and Y the easting, as Chinese surveying tables put them, in metres to 3 decimals.
* Every ring starts at its north-westernmost vertex — the one farthest towards the north-west, i.e. the
  largest ``northing − easting`` (ties: the more northerly) — and runs **clockwise** seen on a north-up
  map for outer boundaries (the way 界址点 are numbered in Chinese tables), **anticlockwise** for holes.
  Each ring ends by repeating its first point. Points are numbered J1…Jn through all rings of a parcel
  (a hole's points continue the count), and each ring carries its 圈号 (1, 2, … within the parcel; the
  rings of a multipolygon are numbered part by part, each part's holes right after its outer ring).
* Areas are computed with :mod:`gis.area` on EPSG:4547, never read from attributes; 1 亩 = 10000/15 m².

The TXT format is the national 建设用地报批 / 勘测定界 coordinate exchange text: an ``[属性描述]`` block,
then ``[地块坐标]`` with one header line per parcel (界址点数, 地块面积 in **公顷** as that format specifies,
地块编号, 地块名称, 记录图形属性 = 面, 图幅号, 地块用途, 地类编码, ``@``) followed by its points as
``点号,圈号,X,Y``. It is written in GB18030 by default (byte-identical to GBK for the characters GBK has,
which is what the 报盘 tools in the wild read) with CRLF line ends; the reader detects UTF-8 (with or
without BOM), UTF-16 and GB18030/GBK.
"""

from __future__ import annotations

import csv
import datetime as _dt
import logging
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from gis import settings
from gis.area import M2_PER_HA, M2_PER_MU, area_m2
from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38
from gis.errors import CRSError, InputError, LimitExceeded
from gis.report import ValidationReport

__all__ = [
    "SURVEYOR_CRS",
    "write_boundary_points",
    "write_survey_txt",
    "read_survey_txt",
    "write_survey_pack",
]

log = logging.getLogger(__name__)

#: The CRSs a surveyor deliverable may be written in.
SURVEYOR_CRS: tuple[str, ...] = (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38)

_XLSX_MAX_ROWS = 1_048_576
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --------------------------------------------------------------------------------------------------------
# Parcels as rings of surveyed points (shared by the table and the TXT)
# --------------------------------------------------------------------------------------------------------
@dataclass
class _Ring:
    number: int  # 圈号, 1-based within the parcel
    hole: bool
    first_j: int  # J number of the ring's first point
    xy: np.ndarray  # (n, 2) easting, northing in the output CRS, rounded to 1 mm, NOT closed


@dataclass
class _Parcel:
    position: int  # 0-based row of the input frame
    id: str
    name_zh: str
    area_m2: float
    rings: list[_Ring] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def point_lines(self) -> int:
        """Point lines in the TXT: every ring's points plus its closing point."""
        return sum(len(r.xy) + 1 for r in self.rings)


def _surveyor_crs(crs: str | int | None) -> str:
    """Normalise ``crs`` to ``"EPSG:4547"`` or ``"EPSG:4526"``; anything else is refused."""
    try:
        wanted = CRS.from_user_input(crs if crs is not None else CGCS2000_GK_CM114)
    except Exception as exc:  # pyproj raises CRSError subclasses of various kinds
        raise CRSError(f"无法识别的坐标系 {crs!r}", f"unknown CRS {crs!r}") from exc
    for name in SURVEYOR_CRS:
        if wanted.equals(CRS.from_user_input(name)):
            return name
    raise CRSError(
        f"测量成果只能输出为 EPSG:4547 或 EPSG:4526，而不是 {crs}",
        f"surveyor files are written in EPSG:4547 or EPSG:4526, not {crs}",
    )


def _text(value: object) -> str:
    """A cell of the frame as text ('' for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    # Control characters have no place in a name and are illegal in xlsx XML.
    return _CONTROL.sub(" ", str(value)).strip()


def _ring_points(ring: object) -> np.ndarray:
    """Open ring (no closing point) rounded to 1 mm, rotated to start at its north-westernmost vertex."""
    xy = np.round(np.asarray(ring.coords, dtype="float64")[:, :2], 3)  # type: ignore[attr-defined]
    if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
        xy = xy[:-1]
    # Vertices closer than 1 mm collapse when rounded; keep one of them.
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
    xy = xy[keep]
    if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
        xy = xy[:-1]
    if len(xy) < 3:
        return xy
    nw = xy[:, 1] - xy[:, 0]  # northing − easting grows towards the north-west
    best = np.flatnonzero(nw >= nw.max() - 1e-9)
    start = int(best[np.argmax(xy[best, 1])])
    return np.roll(xy, -start, axis=0)


def _collect_parcels(gdf: gpd.GeoDataFrame, crs: str) -> list[_Parcel]:
    """Project ``gdf`` to ``crs`` and turn its polygon rows into numbered rings."""
    if gdf.crs is None:
        raise CRSError("要素没有坐标系，无法输出测量成果", "features have no CRS; cannot write surveyor files")
    geoms = gdf.geometry
    is_area = geoms.notna() & ~geoms.is_empty & geoms.geom_type.isin(["Polygon", "MultiPolygon"])
    skipped = int((~is_area).sum())
    if skipped:
        log.warning("survey: %d feature(s) are not polygons and have no 界址点; skipped", skipped)
    if not is_area.any():
        raise InputError("没有面要素，无法生成界址点成果", "no polygon features: nothing to write as boundary points")
    mask = is_area.to_numpy()
    areas = area_m2(gdf.loc[mask]).to_numpy()
    projected = geoms.loc[mask].to_crs(crs).to_numpy()
    parcels: list[_Parcel] = []
    for k, position in enumerate(np.flatnonzero(mask)):
        row = gdf.iloc[position]
        ident = _text(row["id"]) if "id" in gdf.columns else ""
        parcel = _Parcel(
            position=int(position),
            id=ident or str(position + 1),
            name_zh=_text(row["name_zh"]) if "name_zh" in gdf.columns else "",
            area_m2=float(areas[k]),
            attrs={c: _text(row[c]) for c in ("map_sheet", "land_use", "land_class") if c in gdf.columns},
        )
        geom = projected[k]
        parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
        j = 1
        for part in parts:
            part = orient(part, sign=-1.0)  # exterior clockwise, holes anticlockwise (map view)
            for hole, ring in [(False, part.exterior), *[(True, r) for r in part.interiors]]:
                xy = _ring_points(ring)
                if len(xy) < 3:
                    log.warning("survey: a ring of feature %s has under 3 distinct points at 1 mm; skipped", parcel.id)
                    if not hole:
                        break  # no outer boundary: the part's holes mean nothing
                    continue
                parcel.rings.append(_Ring(len(parcel.rings) + 1, hole, j, xy))
                j += len(xy)
        if parcel.rings:
            parcels.append(parcel)
    if not parcels:
        raise InputError("所有面要素都小于 1 毫米，无法生成界址点", "every polygon collapses below 1 mm; no boundary points to write")
    return parcels


def _crs_lines(crs: str) -> tuple[str, str]:
    """The CRS statement of every deliverable, in Chinese and English."""
    if crs == CGCS2000_GK_ZONE38:
        prefix_zh, prefix_en = "Y 坐标含带号前缀 38 (如 38489700.000)", "Y carries the zone prefix 38 (e.g. 38489700.000)"
    else:
        prefix_zh, prefix_en = "Y 坐标不加带号前缀 (如 489700.000)", "Y without the zone prefix (e.g. 489700.000)"
    zh = f"坐标系: 2000国家大地坐标系 (CGCS2000), 高斯-克吕格投影, 3度带, 中央经线114° (第38带), {crs}; {prefix_zh}"
    en = f"CRS: CGCS2000 / 3-degree Gauss-Kruger, central meridian 114E (zone 38), {crs}; {prefix_en}"
    return zh, en


# --------------------------------------------------------------------------------------------------------
# 界址点坐标表 (.xlsx / .csv)
# --------------------------------------------------------------------------------------------------------
_COLUMNS = ("点号", "圈号", "X (北坐标) /m", "Y (东坐标) /m", "边长 /m")


def _table_rows(parcels: list[_Parcel], crs: str, produced_on: str) -> list[tuple[str, list[object]]]:
    """The table as (kind, cells) rows; kinds: title, note, parcel, header, point, area, blank."""
    zh, en = _crs_lines(crs)
    rows: list[tuple[str, list[object]]] = [
        ("title", ["界址点坐标表 / Boundary point coordinates"]),
        ("note", [zh]),
        ("note", [en]),
        ("note", ["X = 北坐标 (northing), Y = 东坐标 (easting), 单位: 米, 保留3位小数; 边长为本点至下一点的距离"]),
        ("note", ["界址点自西北角起按顺时针编号 (内环逆时针), 每圈以首点闭合; 面积按 EPSG:4547 计算, 1 亩 = 10000/15 m²"]),
        ("note", [f"生成日期 / produced: {produced_on}"]),
        ("blank", []),
    ]
    for parcel in parcels:
        rows.append(("parcel", [f"地块 {parcel.id} {parcel.name_zh}".rstrip()]))
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
    crs = _surveyor_crs(crs)
    parcels = _collect_parcels(gdf, crs)
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
        return "" if value is None else value
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
    # Cells holding text from the data all start with "地块 ", so no name can become a formula.
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
                out.append(value)
                continue
            cell = WriteOnlyCell(ws, value=value)
            for name, attr in attrs.items():
                setattr(cell, name, attr)
            out.append(cell)
        ws.append(out)
    wb.save(path)


# --------------------------------------------------------------------------------------------------------
# 勘测定界 TXT: writer
# --------------------------------------------------------------------------------------------------------
_FIELD_FIXES = str.maketrans({",": "，", "@": "＠", "\r": " ", "\n": " ", "=": "＝"})


def _field(value: str) -> str:
    """Text safe for one comma-separated field (commas become full-width '，', as the format allows no escaping)."""
    return value.translate(_FIELD_FIXES).strip()


def write_survey_txt(
    gdf: gpd.GeoDataFrame,
    path: str | Path,
    *,
    crs: str = CGCS2000_GK_ZONE38,
    encoding: str = "gb18030",
    organisation: str = "",
    produced_on: str | None = None,
    format_version: str = "1.01",
) -> Path:
    """Write the national 勘测定界 / 界址点坐标 exchange text of every polygon.

    Layout: ``[属性描述]`` (格式版本号, 数据产生单位, 数据产生日期, 坐标系=2000国家大地坐标系, 几度分带=3,
    投影类型=高斯克吕格, 计量单位=米, 带号=38, 精度=0.001, 转换参数=,,,,,,) then ``[地块坐标]`` with, per
    parcel, ``界址点数,地块面积,地块编号,地块名称,面,图幅号,地块用途,地类编码,@`` — 界址点数 counts the
    point lines that follow (closing points included), 地块面积 is in 公顷 (hectares, 4 decimals, as the
    format specifies; computed on EPSG:4547) — and its points ``J<n>,<圈号>,X,Y`` (X northing, Y easting,
    3 decimals; numbering, start vertex and direction as in :func:`write_boundary_points`; each ring
    closed). Commas and ``@`` in names become full-width (the format has no quoting). Lines end in CRLF.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS (any); ``id``, ``name_zh`` and optional ``map_sheet``, ``land_use`` and
        ``land_class`` (图幅号, 地块用途, 地类编码) columns are used. Non-polygons are skipped (logged).
    path : str or pathlib.Path
        Output ``.txt``.
    crs : {"EPSG:4526", "EPSG:4547"}, keyword-only
        EPSG:4526 (default: eastings with the ``38`` zone prefix, what 报盘 tools expect with 带号=38) or
        EPSG:4547 (same projection without the prefix).
    encoding : str, keyword-only
        Text encoding; GB18030 by default (identical to GBK for GBK's characters), ``"utf-8"`` on request.
    organisation : str, keyword-only
        数据产生单位 (producing organisation); empty by default.
    produced_on : str, optional, keyword-only
        数据产生日期 (``YYYY-MM-DD``); today by default.
    format_version : str, keyword-only
        格式版本号.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    gis.errors.InputError
        No polygon, a CRS other than EPSG:4547/4526, or an unknown encoding.
    """
    path = Path(path)
    crs = _surveyor_crs(crs)
    parcels = _collect_parcels(gdf, crs)
    lines = [
        "[属性描述]",
        f"格式版本号={_field(format_version)}",
        f"数据产生单位={_field(organisation)}",
        f"数据产生日期={produced_on or _dt.date.today().isoformat()}",
        "坐标系=2000国家大地坐标系",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
        "带号=38",
        "精度=0.001",
        "转换参数=,,,,,,",
        "[地块坐标]",
    ]
    for parcel in parcels:
        header = [
            str(parcel.point_lines),
            f"{parcel.area_m2 / M2_PER_HA:.4f}",
            _field(parcel.id),
            _field(parcel.name_zh),
            "面",
            _field(parcel.attrs.get("map_sheet", "")),
            _field(parcel.attrs.get("land_use", "")),
            _field(parcel.attrs.get("land_class", "")),
            "@",
        ]
        lines.append(",".join(header))
        for ring in parcel.rings:
            for k, (easting, northing) in enumerate([*ring.xy, ring.xy[0]]):
                j = ring.first_j + (k if k < len(ring.xy) else 0)
                lines.append(f"J{j},{ring.number},{northing:.3f},{easting:.3f}")
    try:
        data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    except LookupError as exc:
        raise InputError(f"未知的文字编码 {encoding!r}", f"unknown text encoding {encoding!r}") from exc
    except UnicodeEncodeError as exc:
        raise InputError(f"名称中有 {encoding} 无法表示的字符", f"a name has characters {encoding} cannot encode") from exc
    path.write_bytes(data)
    log.info("survey: wrote %d parcel(s) to %s (%s, %s)", len(parcels), path.name, crs, encoding)
    return path


# --------------------------------------------------------------------------------------------------------
# 勘测定界 TXT: reader
# --------------------------------------------------------------------------------------------------------
_SECTION = re.compile(r"^\s*[\[【]\s*([^\]】]*?)\s*[\]】]\s*$")
_DATUMS = {  # datum → zone width → (first zone, EPSG of first zone with prefix, EPSG of first CM code)
    "cgcs2000": {3: (25, 4513, 4534), 6: (13, 4491, 4502)},
    "xian1980": {3: (25, 2349, 2370), 6: (13, 2327, 2338)},
    "beijing1954": {3: (25, 2401, 2422), 6: (13, 21413, 21473)},
}
_DATUM_NAMES = {"cgcs2000": "2000国家大地坐标系", "xian1980": "1980西安坐标系", "beijing1954": "1954北京坐标系"}
_ZONES = {3: 21, 6: 11}


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """Text and the encoding it was read in: the caller's, else BOM, strict UTF-8, then GB18030."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(f"无法按 {encoding} 解码该文件", f"the file cannot be decoded as {encoding}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", data)]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data)]
    else:
        candidates = [("utf-8", data), ("gb18030", data)]
    for name, raw in candidates:
        try:
            return raw.decode(name), name
        except UnicodeDecodeError:
            continue
    raise InputError("无法识别文件的文字编码 (既不是 UTF-8 也不是 GBK/GB18030)", "unknown text encoding (neither UTF-8 nor GBK/GB18030)")


def _split(line: str) -> list[str]:
    # A line typed with a Chinese IME has only full-width commas; where ASCII commas separate the fields,
    # a full-width one is text (this writer turns commas in names into '，').
    if "," not in line:
        line = line.replace("，", ",")
    parts = line.split(",") if "," in line else line.split()
    return [p.strip() for p in parts]


@dataclass
class _ReadParcel:
    index: int
    line_no: int
    header: list[str]
    rings: list[list[tuple[float, float]]] = field(default_factory=list)  # (X northing, Y easting)
    ring_numbers: list[str] = field(default_factory=list)
    lines: int = 0
    broken: bool = False


def _parse(text: str, report: ValidationReport) -> tuple[dict[str, str], list[_ReadParcel]]:
    attrs: dict[str, str] = {}
    parcels: list[_ReadParcel] = []
    section = None
    seen_coords = False
    vertices = 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        match = _SECTION.match(line)
        if match:
            section = match.group(1)
            seen_coords = seen_coords or section == "地块坐标"
            continue
        if section == "属性描述":
            key, sep, value = line.replace("＝", "=").partition("=")
            if sep:
                attrs[key.strip()] = value.strip()
            continue
        if section != "地块坐标":
            continue
        parts = _split(line)
        # A header line ends in '@'; some tools drop it, but its fifth field is still 面/线/点.
        if line.endswith("@") or (len(parts) >= 5 and parts[4] in ("面", "线", "点")):
            if len(parcels) >= settings.MAX_FEATURES:
                raise LimitExceeded(
                    f"地块数超过上限 {settings.MAX_FEATURES}", f"more parcels than the limit of {settings.MAX_FEATURES}"
                )
            if parts[-1].endswith("@"):
                parts[-1] = parts[-1][:-1].strip()
                if not parts[-1]:
                    parts.pop()
            parcels.append(_ReadParcel(len(parcels), line_no, parts))
            continue
        if not parcels:
            report.add_problem(
                None, "point_without_parcel", f"第 {line_no} 行的点不属于任何地块 (缺少以 @ 结尾的地块行)，已忽略",
                f"line {line_no}: a point before any parcel header line (ending in @); ignored",
            )
            continue
        parcel = parcels[-1]
        parcel.lines += 1
        if parcel.broken:
            continue
        try:
            if len(parts) == 3:  # 点号,X,Y without 圈号, as some tools write: one ring
                parts = [parts[0], "1", parts[1], parts[2]]
            if len(parts) < 4:
                raise ValueError(line)
            x, y = float(parts[2]), float(parts[3])
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError(line)
        except ValueError:
            parcel.broken = True
            report.add_problem(
                parcel.index, "bad_point_line",
                f"第 {line_no} 行不是 点号,圈号,X,Y (坐标须为数字): {line[:60]!r}; 地块 {parcel.index + 1} 的边界不完整，已舍弃",
                f"line {line_no} is not 点号,圈号,X,Y with numeric coordinates: {line[:60]!r}; "
                f"parcel {parcel.index + 1} is incomplete and was dropped",
                fatal=True,
            )
            continue
        vertices += 1
        if vertices > settings.MAX_VERTICES:
            raise LimitExceeded(f"顶点数超过上限 {settings.MAX_VERTICES}", f"more vertices than the limit of {settings.MAX_VERTICES}")
        ring_no = parts[1]
        current = parcel.rings[-1] if parcel.rings else None
        closed = current is not None and len(current) >= 4 and current[0] == current[-1]
        if current is None or ring_no != parcel.ring_numbers[-1] or closed:
            parcel.rings.append([])
            parcel.ring_numbers.append(ring_no)
        parcel.rings[-1].append((x, y))
    if not seen_coords:
        raise InputError("不是勘测定界坐标文件: 没有 [地块坐标] 一节", "not a survey coordinate file: no [地块坐标] section")
    return attrs, parcels


def _declared_crs(
    attrs: dict[str, str], xs: np.ndarray, ys: np.ndarray, report: ValidationReport
) -> tuple[str | None, np.ndarray, np.ndarray]:
    """The CRS the file declares (坐标系, 几度分带, 带号 and the easting prefix); coordinates possibly fixed."""
    system = attrs.get("坐标系", "")
    if not system:
        datum = "cgcs2000"
        report.crs_assumed = "文件未写坐标系，按 2000国家大地坐标系 读取 / no 坐标系 given; read as CGCS2000"
    elif "2000" in system or "cgcs" in system.lower():
        datum = "cgcs2000"
    elif "西安" in system or "80" in system:
        datum = "xian1980"
    elif "北京" in system or "54" in system:
        datum = "beijing1954"
    else:
        report.add_problem(
            None, "unknown_crs", f"无法识别的坐标系 {system!r}，请指定 --crs", f"unknown 坐标系 {system!r}; give --crs"
        )
        return None, xs, ys
    if datum != "cgcs2000":
        report.add_problem(
            None, "datum_not_cgcs2000",
            f"坐标系为 {_DATUM_NAMES[datum]}，转换到 WGS 84 没有本地参数，位置可能偏差数十米",
            f"the file is in {datum}; without local parameters its conversion to WGS 84 may be tens of metres off",
        )
    width_text = re.sub(r"\D", "", attrs.get("几度分带", "")) or "3"
    width = int(width_text) if width_text in ("3", "6") else 3
    first_zone, prefixed_base, cm_base = _DATUMS[datum][width]
    zone_text = re.sub(r"\D", "", attrs.get("带号", ""))
    zone = int(zone_text) if zone_text else None
    prefixed = ys >= 1e7
    if prefixed.all():
        prefix_zone = int(ys.min() // 1e6)
        if not (ys // 1e6 == prefix_zone).all():
            report.add_problem(None, "mixed_zones", "Y 坐标的带号前缀不一致", "eastings carry different zone prefixes")
        if zone is not None and zone != prefix_zone:
            report.add_problem(
                None, "zone_mismatch", f"带号={zone} 与 Y 坐标前缀 {prefix_zone} 不一致，按前缀读取",
                f"带号={zone} disagrees with the easting prefix {prefix_zone}; the prefix is used",
            )
        zone, base = prefix_zone, prefixed_base
    else:
        if prefixed.any():
            zone = zone if zone is not None else int(ys[prefixed].min() // 1e6)
            ys = np.where(prefixed, ys - zone * 1e6, ys)
            report.add_repair(
                0, "zone_prefix_removed", "部分 Y 坐标带有带号前缀，已统一去掉前缀",
                "some eastings carried the zone prefix; it was removed from them",
            )
        if zone is None:
            zone = 38 if width == 3 else 19
            report.crs_assumed = (
                f"文件未写带号，按第 {zone} 带 (中央经线 {zone * width if width == 3 else zone * 6 - 3}°) 读取 / "
                f"no 带号 given; read as zone {zone}"
            )
        base = cm_base
    if not first_zone <= zone < first_zone + _ZONES[width]:
        report.add_problem(None, "unknown_zone", f"带号 {zone} 超出范围", f"zone {zone} is out of range")
        return None, xs, ys
    return f"EPSG:{base + zone - first_zone}", xs, ys


def _assemble(rings: list[np.ndarray]) -> Polygon | MultiPolygon:
    """Rings of one parcel → polygon: a ring inside an odd number of others is a hole of the innermost."""
    polys = [Polygon(r) for r in rings]
    areas = [abs(p.area) for p in polys]
    depth, parent = [0] * len(polys), [-1] * len(polys)
    for i, inner in enumerate(polys):
        probe = inner.representative_point() if inner.is_valid else shapely.Point(rings[i][0])
        for j, outer in enumerate(polys):
            if i != j and areas[j] > areas[i] and outer.buffer(0).covers(probe):
                depth[i] += 1
                if parent[i] < 0 or areas[j] < areas[parent[i]]:
                    parent[i] = j
    shells = [i for i in range(len(polys)) if depth[i] % 2 == 0]
    parts = []
    for s in shells:
        holes = [rings[h] for h in range(len(polys)) if parent[h] == s and depth[h] % 2 == 1]
        # The format runs outer rings clockwise; that is its convention, not a defect, so the rings are
        # turned to the GIS convention here (exterior anticlockwise) instead of being "repaired" later.
        parts.append(orient(Polygon(rings[s], holes), sign=1.0))
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def read_survey_txt(
    path: str | Path, report: ValidationReport, *, layer: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read a 勘测定界 / 界址点坐标 exchange text into parcels, in the CRS the file declares.

    Accepts what other tools write: GBK/GB18030, UTF-8 (with or without BOM) or UTF-16; CRLF or LF;
    spaces around commas and full-width commas; ``[属性描述]`` fields missing (2000国家大地坐标系, 3° zones,
    zone 38 are then assumed and said in ``report.crs_assumed``); eastings with the zone prefix (→ e.g.
    EPSG:4526) or without (→ e.g. EPSG:4547; other zones, 6° zones, Xian 1980 and Beijing 1954 map to their
    EPSG codes); X/Y written in GIS order (detected, swapped back, reported). Rings are grouped by 圈号
    (a ring also ends where it closes); a ring inside an odd number of the parcel's other rings is a hole,
    other rings are further parts of a multipolygon; polygons come back with exteriors anticlockwise (the
    GIS convention; the format's clockwise order is not reported as a defect). Unclosed rings are closed
    (a repair).

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.txt`` file.
    report : gis.report.ValidationReport
        Receives per-parcel problems (non-numeric coordinates, rings under 3 points, point counts or areas
        that disagree with the header) and repairs.
    layer : str, optional, keyword-only
        Ignored (the format has one layer); accepted for the common reader signature.
    encoding : str, optional, keyword-only
        The text encoding when known; detected otherwise.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per usable parcel: ``id`` (地块编号), ``name_zh`` (地块名称), ``area_ha`` (地块面积 as declared,
        hectares), ``land_use`` (地块用途), ``land_class`` (地类编码), ``map_sheet`` (图幅号) and the
        polygon geometry in metres; CRS as declared (None when the 坐标系 is unknown).

    Raises
    ------
    gis.errors.InputError
        Undecodable text, no ``[地块坐标]`` section, or no usable parcel.
    gis.errors.LimitExceeded
        File, parcel or vertex count over the limits of :mod:`gis.settings`.
    """
    del layer
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > settings.MAX_FILE_BYTES:
            raise LimitExceeded(f"文件超过 {settings.MAX_FILE_BYTES} 字节的上限", f"the file exceeds {settings.MAX_FILE_BYTES} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("无法读取文件", f"cannot read the file: {exc.strerror}") from exc
    text, used = _decode(data, encoding)
    log.info("survey: reading %s as %s", path.name, used)
    attrs, found = _parse(text, report)

    kept: list[tuple[_ReadParcel, list[np.ndarray]]] = []
    for parcel in found:
        if parcel.broken:
            continue
        count_text = parcel.header[0] if parcel.header else ""
        if count_text.isdigit() and int(count_text) != parcel.lines:
            report.add_problem(
                parcel.index, "point_count_mismatch",
                f"地块 {parcel.index + 1}: 界址点数写为 {count_text}，实际 {parcel.lines} 个点",
                f"parcel {parcel.index + 1}: header says {count_text} points, found {parcel.lines}",
            )
        rings = []
        for number, ring in zip(parcel.ring_numbers, parcel.rings):
            xy = np.asarray(ring, dtype="float64")
            distinct = len({tuple(p) for p in ring})
            if distinct < 3:
                report.add_problem(
                    parcel.index, "ring_too_short",
                    f"地块 {parcel.index + 1} 第 {number} 圈只有 {distinct} 个不同的点，已舍弃",
                    f"parcel {parcel.index + 1}, ring {number}: only {distinct} distinct point(s); dropped",
                    fatal=len(parcel.rings) == 1,
                )
                continue
            if not np.array_equal(xy[0], xy[-1]):
                xy = np.vstack([xy, xy[:1]])
                report.add_repair(parcel.index, "ring_closed", f"地块 {parcel.index + 1} 第 {number} 圈未闭合，已闭合",
                                  f"parcel {parcel.index + 1}, ring {number} was not closed; closed")
            rings.append(xy)
        if rings:
            kept.append((parcel, rings))
        elif len(parcel.rings) > 1 or not parcel.rings:
            report.add_problem(parcel.index, "no_rings", f"地块 {parcel.index + 1} 没有可用的界址点，已舍弃",
                               f"parcel {parcel.index + 1} has no usable ring; dropped", fatal=True)
    if not kept:
        raise InputError("文件中没有可用的地块", "the file holds no usable parcel")

    all_xy = np.vstack([r for _, rings in kept for r in rings])
    xs, ys = all_xy[:, 0], all_xy[:, 1]
    # Chinese files put X = northing first. A first column that can only be an easting (zone-prefixed, or
    # 6 digits against a 7-digit second column) means the file was written in GIS order.
    swap = bool((xs >= 1e7).all() or ((xs < 1e6).all() and (ys >= 1e6).all() and (ys < 1e7).all()))
    if swap:
        kept = [(p, [r[:, ::-1] for r in rings]) for p, rings in kept]
        xs, ys = ys, xs
        report.add_repair(0, "xy_swapped", "坐标列似为 东坐标,北坐标 顺序，已交换为 X=北, Y=东",
                          "coordinates looked like easting, northing; swapped to X = northing, Y = easting")
    crs, _, fixed_ys = _declared_crs(attrs, xs, ys, report)
    if fixed_ys is not ys:  # prefixes removed from some eastings: apply to each ring
        offset = 0
        new_kept = []
        for p, rings in kept:
            new_rings = []
            for r in rings:
                r = r.copy()
                r[:, 1] = fixed_ys[offset:offset + len(r)]
                offset += len(r)
                new_rings.append(r)
            new_kept.append((p, new_rings))
        kept = new_kept

    records, geoms = [], []
    for parcel, rings in kept:
        head = parcel.header + [""] * 8
        try:
            area_ha = float(head[1]) if head[1] else math.nan
        except ValueError:
            area_ha = math.nan
        records.append({
            "id": head[2] or str(parcel.index + 1),
            "name_zh": head[3],
            "area_ha": area_ha,
            "map_sheet": head[5],
            "land_use": head[6],
            "land_class": head[7],
        })
        geoms.append(_assemble([r[:, ::-1] for r in rings]))  # (easting, northing) for shapely
    gdf = gpd.GeoDataFrame(pd.DataFrame.from_records(records), geometry=geoms, crs=crs)
    if crs is not None:
        computed = area_m2(gdf).to_numpy() / M2_PER_HA
        for k, (declared, actual) in enumerate(zip(gdf["area_ha"], computed)):
            if math.isfinite(declared) and abs(declared - actual) > max(0.0002, 0.01 * actual):
                index = kept[k][0].index
                report.add_problem(
                    index, "area_mismatch",
                    f"地块 {index + 1}: 写明面积 {declared:.4f} 公顷，按坐标计算为 {actual:.4f} 公顷",
                    f"parcel {index + 1}: declared {declared:.4f} ha, the coordinates give {actual:.4f} ha",
                )
    report.features = len(gdf)
    return gdf


# --------------------------------------------------------------------------------------------------------
# Surveyor pack
# --------------------------------------------------------------------------------------------------------
def _slug(stem: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:40]
    return slug or "survey-pack"


def write_survey_pack(
    gdf: gpd.GeoDataFrame,
    path: str | Path,
    *,
    crs: str = CGCS2000_GK_CM114,
    txt_crs: str = CGCS2000_GK_ZONE38,
    produced_on: str | None = None,
) -> Path:
    """Write the surveyor pack: one ZIP with the TXT, the 界址点坐标表, a labelled DXF and the GeoJSON.

    Members (``<slug>`` is made from the ZIP's file name, ASCII letters, digits, ``-`` and ``_`` only, never
    from feature names): ``<slug>_kcdj.txt`` (勘测定界 TXT, :func:`write_survey_txt`, in ``txt_crs``),
    ``<slug>_jzd.xlsx`` (:func:`write_boundary_points`, in ``crs``), ``<slug>.dxf`` (labelled,
    :func:`gis.io.dxf.write_dxf`, in ``crs``), ``<slug>.geojson`` (RFC 7946, EPSG:4326,
    :func:`gis.io.geojson.write_geojson`), ``<slug>_4547.geojson`` (or ``_4526``: the surveyor GeoJSON in
    ``crs`` naming its CRS, :func:`gis.io.geojson.write_geojson_surveyor`) and ``README.txt`` (UTF-8 with BOM:
    the files, their CRS and the date).
    With no polygon in ``gdf`` the TXT and the table are left out and the README says why.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The selection, with a CRS (any).
    path : str or pathlib.Path
        Output ``.zip``.
    crs : {"EPSG:4547", "EPSG:4526"}, keyword-only
        CRS of the table and the DXF.
    txt_crs : {"EPSG:4526", "EPSG:4547"}, keyword-only
        CRS of the TXT; EPSG:4526 by default because the format's 带号=38 goes with prefixed eastings.
    produced_on : str, optional, keyword-only
        Date written in the files (``YYYY-MM-DD``); today by default.

    Returns
    -------
    pathlib.Path
        The written ZIP.
    """
    from gis.io.dxf import write_dxf  # written alongside; imported when a pack is made
    from gis.io.geojson import write_geojson, write_geojson_surveyor

    path = Path(path)
    crs, txt_crs = _surveyor_crs(crs), _surveyor_crs(txt_crs)
    if gdf.crs is None:
        raise CRSError("要素没有坐标系，无法输出测量成果", "features have no CRS; cannot write surveyor files")
    produced_on = produced_on or _dt.date.today().isoformat()
    slug = _slug(path.stem)
    geoms = gdf.geometry
    has_polygons = bool((geoms.notna() & ~geoms.is_empty & geoms.geom_type.isin(["Polygon", "MultiPolygon"])).any())
    lines = [
        "松山湖规划 GIS · 测量成果包 / Songshan Lake Plan GIS surveyor pack",
        f"生成日期 / produced: {produced_on}",
        f"要素数 / features: {len(gdf)}",
        "",
        "文件 / files:",
    ]
    with tempfile.TemporaryDirectory(prefix="survey-pack-") as tmp:
        folder = Path(tmp)
        members: list[Path] = []
        if has_polygons:
            members.append(write_survey_txt(gdf, folder / f"{slug}_kcdj.txt", crs=txt_crs, produced_on=produced_on))
            lines.append(f"  {members[-1].name}  勘测定界坐标 TXT (GB18030), {txt_crs}, X=北 Y=东, 面积单位 公顷")
            members.append(write_boundary_points(gdf, folder / f"{slug}_jzd.xlsx", crs=crs, produced_on=produced_on))
            lines.append(f"  {members[-1].name}  界址点坐标表, {crs}, X=北 Y=东 (米), 面积 m² 与 亩")
        else:
            lines.append("  (没有面要素，未生成 TXT 与界址点坐标表 / no polygons: no TXT and no boundary point table)")
        members.append(write_dxf(gdf, folder / f"{slug}.dxf", crs=crs))
        lines.append(f"  {members[-1].name}  DXF (CAD), {crs}, 米 / metres, labelled with name_zh")
        members.append(write_geojson(gdf, folder / f"{slug}.geojson"))
        lines.append(f"  {members[-1].name}  GeoJSON (RFC 7946), EPSG:4326 WGS 84, 经度,纬度 / lon, lat")
        members.append(write_geojson_surveyor(gdf, folder / f"{slug}_{crs.split(':')[1]}.geojson", crs=crs))
        lines.append(f"  {members[-1].name}  GeoJSON (测量版 / surveyor), {crs}, 东坐标,北坐标 (米), 含 crs 成员")
        zh, en = _crs_lines(crs)
        lines += ["", "界址点坐标表、DXF 与测量版 GeoJSON / table, DXF and surveyor GeoJSON:", zh, en]
        if has_polygons and txt_crs != crs:
            lines += ["勘测定界 TXT / the TXT:", *_crs_lines(txt_crs)]
        lines += ["", "面积按 EPSG:4547 计算; 1 亩 = 10000/15 m²; 界址点自西北角起顺时针编号, X=北坐标 Y=东坐标", ""]
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            # With a BOM, so that older Windows Notepad shows the Chinese too.
            zf.writestr("README.txt", "\r\n".join(lines).encode("utf-8-sig"))
            for member in members:
                zf.write(member, arcname=member.name)
    log.info("survey: wrote the surveyor pack %s (%d files)", path.name, len(members) + 1)
    return path
