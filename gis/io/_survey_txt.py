"""The national 勘测定界 / 界址点坐标 exchange text: writer and reader.

Private to :mod:`gis.io.survey`, which re-exports :func:`write_survey_txt` and :func:`read_survey_txt`
and describes the format.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from gis import settings
from gis.area import M2_PER_HA, area_m2
from gis.crs import CGCS2000_GK_ZONE38
from gis.errors import InputError, LimitExceeded
from gis.io._survey_parcels import ILLUSTRATIVE_ZH, collect_parcels, surveyor_crs
from gis.report import ValidationReport

# The survey modules log as one: users filter on "gis.io.survey", whichever part of it speaks.
log = logging.getLogger("gis.io.survey")


# --------------------------------------------------------------------------------------------------------
# writer
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
    Illustrative parcels (``illustrative`` true) are marked: their 地块名称 ends in ``（示意）`` and
    ``[属性描述]`` gains a ``备注=示意: …`` line counting them.

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
    crs = surveyor_crs(crs)
    parcels = collect_parcels(gdf, crs)
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
    ]
    shown = sum(p.illustrative for p in parcels)
    if shown:
        lines.append(
            f"备注={ILLUSTRATIVE_ZH}: 本文件含 {shown} 个示意地块 (地块名称标“（{ILLUSTRATIVE_ZH}）”)，其坐标为示意，非实测，"
            "不得作为勘测定界成果"
        )
    lines.append("[地块坐标]")
    for parcel in parcels:
        name = _field(parcel.name_zh)
        if parcel.illustrative:
            name = f"{name}（{ILLUSTRATIVE_ZH}）"
        header = [
            str(parcel.point_lines),
            f"{parcel.area_m2 / M2_PER_HA:.4f}",
            _field(parcel.id),
            name,
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
# reader
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
            None, "unknown_crs", f"无法识别的坐标系 {system!r}，请指定坐标系", f"unknown 坐标系 {system!r}; name the CRS"
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
