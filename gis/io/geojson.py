"""GeoJSON in (RFC 7946 and the legacy 2008 ``crs`` member) and out (RFC 7946; a surveyor variant in metres).

The reader parses with the :mod:`json` module and builds the geometry itself, so every malformed input
gets a message naming what is wrong (line and column, the feature, the member) instead of a library's
exception, and unclosed rings are seen (and closed) before shapely would close them silently.
The writers serialise with :mod:`json` too, so coordinate rounding, ring orientation and the absence of
a ``crs`` member (RFC 7946 §4) are guaranteed rather than left to a driver's options.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gis import settings
from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38, WGS84
from gis.errors import CRSError, InputError, LimitExceeded
from gis.io._survey_parcels import mark_illustrative
from gis.report import ValidationReport

__all__ = ["read_geojson", "write_geojson", "write_geojson_surveyor", "parse_crs_member"]

log = logging.getLogger(__name__)

_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection")
_MAX_COLLECTION_DEPTH = 8
_EPSG_RE = re.compile(r"EPSG(?::{1,2}|/[\d.]+/|:[\d.]*:)(\d+)$", re.IGNORECASE)
_CRS84_RE = re.compile(r"(CRS:?84|OGC:.*CRS84|OGC/\d\.\d/CRS84)$", re.IGNORECASE)


class _GeometryError(ValueError):
    """A feature's geometry member cannot be built; carries zh/en text."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


# ---------------------------------------------------------------------------------------------------
# reading


def parse_crs_member(member: object) -> str | None:
    """Read a legacy GeoJSON (2008) ``crs`` member.

    Parameters
    ----------
    member : object
        The value of the top-level ``crs`` member: ``{"type": "name", "properties": {"name": ...}}``
        with names like ``"EPSG:4490"``, ``"urn:ogc:def:crs:EPSG::4547"``,
        ``"http://www.opengis.net/def/crs/EPSG/0/4547"`` or ``"urn:ogc:def:crs:OGC:1.3:CRS84"``; or the
        older ``{"type": "EPSG", "properties": {"code": 4326}}``.

    Returns
    -------
    str or None
        ``"EPSG:n"`` (CRS84 gives ``"EPSG:4326"``: lon/lat order, as GeoJSON always has), or None when
        the member is null.

    Raises
    ------
    gis.errors.CRSError
        When the member is present but names nothing pyproj knows.
    """
    if member is None:
        return None
    if not isinstance(member, dict):
        raise CRSError("crs 成员不是对象", "the crs member is not an object")
    props = member.get("properties") if isinstance(member.get("properties"), dict) else {}
    kind = str(member.get("type", "")).lower()
    if kind == "epsg" and "code" in props:
        name = f"EPSG:{props['code']}"
    elif kind == "name" and isinstance(props.get("name"), str):
        name = props["name"].strip()
    else:
        raise CRSError(
            f"无法理解的 crs 成员：{json.dumps(member, ensure_ascii=False)[:120]}",
            f"cannot understand the crs member: {json.dumps(member)[:120]}",
        )
    if _CRS84_RE.search(name):
        return WGS84
    match = _EPSG_RE.search(name)
    # A well-formed EPSG name may still name no CRS (EPSG:999999, or an ellipsoid such as EPSG:7030): ask pyproj.
    crs = _known_crs(f"EPSG:{int(match.group(1))}" if match else name, name)
    if match:
        return f"EPSG:{int(match.group(1))}"
    epsg = crs.to_epsg()
    if epsg is None:
        raise CRSError(f"坐标系 {name!r} 没有 EPSG 代码", f"CRS {name!r} has no EPSG code")
    return f"EPSG:{epsg}"


def _known_crs(text: str, name: str) -> CRS:
    """The CRS pyproj makes of ``text``; CRSError naming the member's ``name`` when it knows none."""
    try:
        return CRS.from_user_input(text)
    except Exception:  # pyproj raises its own CRSError and sometimes others; all mean "unknown"
        log.debug("pyproj does not know the crs member %r", name[:200], exc_info=True)
        shown = name if len(name) <= 120 else f"{name[:120]}…"
        raise CRSError(f"未知的坐标系 {shown!r}", f"unknown CRS {shown!r}") from None


def _positions(value: object, what: str, *, min_count: int) -> np.ndarray:
    """A list of positions → (n, 2|3) float array; bounded and type-checked."""
    if not isinstance(value, list):
        raise _GeometryError(f"{what} 应为坐标数组", f"{what} must be an array of positions")
    if len(value) < min_count:
        raise _GeometryError(
            f"{what} 至少需要 {min_count} 个点，只有 {len(value)} 个", f"{what} needs at least {min_count} positions, has {len(value)}"
        )
    try:
        arr = np.array(value)
    except (ValueError, TypeError):
        arr = None
    if arr is None or arr.ndim != 2 or arr.dtype.kind not in "iuf":
        # Positions may legally differ in length (2D/3D mixed); normalise them one by one.
        rows = []
        for k, pos in enumerate(value):
            if not isinstance(pos, list) or len(pos) < 2 or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in pos):
                raise _GeometryError(
                    f"{what} 第 {k} 个坐标不是数字数组：{json.dumps(pos, ensure_ascii=False)[:60]}",
                    f"{what}, position {k} is not an array of numbers: {json.dumps(pos)[:60]}",
                )
            rows.append([float(pos[0]), float(pos[1])])
        return np.array(rows, dtype=float)
    if arr.shape[1] < 2:
        raise _GeometryError(f"{what} 的坐标少于 2 个数", f"{what} has positions with fewer than 2 numbers")
    return arr[:, : min(arr.shape[1], 3)].astype(float)


def _position(value: object, what: str) -> np.ndarray:
    if not isinstance(value, list) or len(value) < 2 or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in value):
        raise _GeometryError(f"{what} 不是数字数组", f"{what} is not an array of numbers")
    return np.array(value[:3], dtype=float)


class _Builder:
    """Builds shapely geometry from GeoJSON geometry objects; counts vertices; notes closed rings."""

    def __init__(self, name: str) -> None:
        self.name = name  # the file, for the limit message
        self.vertices = 0
        self.closed_rings = 0

    def _count(self, n: int) -> None:
        self.vertices += n
        if self.vertices > settings.MAX_VERTICES:
            limit = settings.MAX_VERTICES
            raise LimitExceeded(
                f"{self.name} 的顶点总数超过上限 {limit}",
                f"{self.name} holds more vertices than the limit of {limit}",
            )

    def _ring(self, value: object, what: str) -> np.ndarray:
        arr = _positions(value, what, min_count=3)
        if not np.array_equal(arr[0], arr[-1]):
            arr = np.vstack([arr, arr[:1]])
            self.closed_rings += 1
        if len(arr) < 4:
            raise _GeometryError(f"{what} 闭合后少于 4 个点", f"{what} has fewer than 4 positions when closed")
        self._count(len(arr))
        return arr

    def _polygon(self, value: object, what: str) -> shapely.Polygon:
        if not isinstance(value, list) or not value:
            raise _GeometryError(f"{what} 应为至少一个环的数组", f"{what} must be an array of at least one ring")
        rings = [self._ring(r, f"{what}, ring {k}") for k, r in enumerate(value)]
        return shapely.Polygon(rings[0], rings[1:])

    def build(self, geom: object, what: str, depth: int = 0) -> shapely.Geometry | None:
        if geom is None:
            return None
        if not isinstance(geom, dict):
            raise _GeometryError(f"{what} 不是对象", f"{what} is not an object")
        kind = geom.get("type")
        if kind not in _GEOMETRY_TYPES:
            raise _GeometryError(f"{what} 的 type {kind!r} 不是 GeoJSON 几何类型", f"{what} has type {kind!r}, not a GeoJSON geometry type")
        if kind == "GeometryCollection":
            parts = geom.get("geometries")
            if not isinstance(parts, list):
                raise _GeometryError(f"{what} 缺少 geometries 数组", f"{what} lacks a geometries array")
            if depth >= _MAX_COLLECTION_DEPTH:
                raise _GeometryError(f"{what} 嵌套过深", f"{what} is nested too deeply")
            built = [self.build(g, f"{what}.geometries[{k}]", depth + 1) for k, g in enumerate(parts)]
            return shapely.GeometryCollection([g for g in built if g is not None])
        if "coordinates" not in geom:
            raise _GeometryError(f"{what} 缺少 coordinates", f"{what} lacks coordinates")
        c = geom["coordinates"]
        if kind == "Point":
            if c == []:
                return shapely.Point()
            pos = _position(c, what)
            self._count(1)
            return shapely.Point(pos)
        if kind == "MultiPoint":
            if c == []:
                return shapely.MultiPoint()
            arr = _positions(c, what, min_count=1)
            self._count(len(arr))
            return shapely.MultiPoint(arr)
        if kind == "LineString":
            if c == []:
                return shapely.LineString()
            arr = _positions(c, what, min_count=2)
            self._count(len(arr))
            return shapely.LineString(arr)
        if kind == "MultiLineString":
            if not isinstance(c, list):
                raise _GeometryError(f"{what} 的 coordinates 应为数组", f"{what}: coordinates must be an array")
            lines = []
            for k, part in enumerate(c):
                arr = _positions(part, f"{what}, line {k}", min_count=2)
                self._count(len(arr))
                lines.append(arr)
            return shapely.MultiLineString(lines)
        if kind == "Polygon":
            if c == []:
                return shapely.Polygon()
            return self._polygon(c, what)
        # MultiPolygon
        if not isinstance(c, list):
            raise _GeometryError(f"{what} 的 coordinates 应为数组", f"{what}: coordinates must be an array")
        return shapely.MultiPolygon([self._polygon(p, f"{what}, polygon {k}") for k, p in enumerate(c)])


def _property_value(value: object) -> object:
    """Scalars as they are; nested objects/arrays as JSON text (no GIS format stores them natively)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _decode(data: bytes, name: str, report: ValidationReport) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(f"{name} 不是 UTF-8 编码 (第 {exc.start} 字节)", f"{name} is not UTF-8 (byte {exc.start})") from None
        report.add_problem(None, "not_utf8", "GeoJSON 不是 UTF-8 编码，已按 GB18030 读取", "GeoJSON is not UTF-8; read as GB18030")
        return text


def read_geojson(path: Path, report: ValidationReport, *, layer: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON file as found: FeatureCollection, a single Feature or a bare geometry.

    Parameters
    ----------
    path : pathlib.Path
        A ``.geojson``/``.json`` file, UTF-8 (with or without BOM; GB18030 is accepted and reported).
    report : gis.report.ValidationReport
        Receives per-feature problems (a feature whose geometry cannot be built keeps its row with no
        geometry and a fatal problem) and repairs (unclosed rings closed).
    layer : str, optional, keyword-only
        Ignored (one layer per file).
    encoding : str, optional, keyword-only
        Forces the text encoding.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, properties as columns (nested values as JSON text, the feature's ``id``
        member in an ``id`` column unless a property has that name). CRS from a legacy ``crs`` member
        (``EPSG:4490``, ``urn:ogc:def:crs:EPSG::4547``, CRS84…) or None, which the finisher sniffs;
        coordinates as in the file (degrees or metres, Z kept).

    Raises
    ------
    gis.errors.InputError
        Not JSON (line and column named; truncated files said so), not GeoJSON, or wrong member types.
    gis.errors.LimitExceeded
        Larger than ``settings.MAX_FILE_BYTES``, ``MAX_FEATURES`` or ``MAX_VERTICES``.
    """
    path = Path(path)
    name = path.name
    size = path.stat().st_size
    if size > settings.MAX_FILE_BYTES:
        raise LimitExceeded(f"{name} 超过 {settings.MAX_FILE_BYTES} 字节上限", f"{name} exceeds the {settings.MAX_FILE_BYTES}-byte limit")
    data = path.read_bytes()
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(f"无法按 {encoding} 解码 {name}", f"cannot decode {name} as {encoding}: {exc}") from None
    else:
        text = _decode(data, name, report)
    if not text.strip():
        raise InputError(f"{name} 是空文件", f"{name} is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1
        zh_hint = "，文件可能被截断" if truncated else ""
        en_hint = "; the file looks truncated" if truncated else ""
        raise InputError(
            f"{name} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 ({exc.msg}){zh_hint}",
            f"{name} is not valid JSON: line {exc.lineno}, column {exc.colno} ({exc.msg}){en_hint}",
        ) from None
    except RecursionError:
        raise InputError(f"{name} 的 JSON 嵌套过深", f"{name}: JSON nested too deeply") from None

    if not isinstance(doc, dict):
        raise InputError(
            f"{name} 不是 GeoJSON：顶层应为对象，实为 {type(doc).__name__}",
            f"{name} is not GeoJSON: the top level is a {type(doc).__name__}, not an object",
        )
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise InputError(
                f"{name}：FeatureCollection 的 features 应为数组", f"{name}: the FeatureCollection's features member must be an array"
            )
    elif kind == "Feature":
        features = [doc]
    elif kind in _GEOMETRY_TYPES:
        features = [{"type": "Feature", "properties": {}, "geometry": doc}]
    else:
        raise InputError(f"{name} 不是 GeoJSON：type 为 {kind!r}", f"{name} is not GeoJSON: type is {kind!r}")
    if len(features) > settings.MAX_FEATURES:
        raise LimitExceeded(
            f"{name} 含 {len(features)} 个要素，超过上限 {settings.MAX_FEATURES}",
            f"{name} holds {len(features)} features, more than the limit of {settings.MAX_FEATURES}",
        )

    crs = None
    if "crs" in doc:
        try:
            crs = parse_crs_member(doc["crs"])
        except CRSError as exc:
            # An unreadable label is not fatal: the coordinates are sniffed and the user is told.
            report.add_problem(
                None, "unknown_crs_member", f"{exc.zh}；将根据坐标判断", f"{exc.en}; the CRS will be inferred from the coordinates"
            )

    builder = _Builder(name)
    geoms: list[shapely.Geometry | None] = []
    records: list[dict[str, Any]] = []
    for i, feat in enumerate(features):
        props: dict[str, Any] = {}
        geom = None
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            got = feat.get("type") if isinstance(feat, dict) else type(feat).__name__
            report.add_problem(
                i, "not_a_feature", f"第 {i} 个要素不是 Feature ({got!r})", f"feature {i} is not a Feature ({got!r})", fatal=True
            )
        else:
            raw_props = feat.get("properties")
            if isinstance(raw_props, dict):
                props = {str(k): _property_value(v) for k, v in raw_props.items()}
            elif raw_props is not None:
                report.add_problem(
                    i,
                    "bad_properties",
                    f"第 {i} 个要素的 properties 不是对象，已忽略",
                    f"feature {i}: properties is not an object; ignored",
                )
            if "id" in feat and "id" not in props and feat["id"] is not None:
                props["id"] = feat["id"]
            closed_before = builder.closed_rings
            try:
                geom = builder.build(feat.get("geometry"), f"feature {i} geometry")
            except _GeometryError as exc:
                report.add_problem(
                    i,
                    "bad_geometry",
                    f"第 {i} 个要素的几何无法读取：{exc.zh}",
                    f"feature {i}: geometry cannot be read: {exc.en}",
                    fatal=True,
                )
            else:
                closed = builder.closed_rings - closed_before
                if closed:
                    report.add_problem(
                        i, "unclosed_ring", f"第 {i} 个要素有 {closed} 个环未闭合", f"feature {i}: {closed} ring(s) not closed"
                    )
                    report.add_repair(i, "close_ring", f"第 {i} 个要素：已闭合 {closed} 个环", f"feature {i}: closed {closed} ring(s)")
        if "geometry" in props:
            props["geometry_property"] = props.pop("geometry")
        records.append(props)
        geoms.append(geom)

    frame = pd.DataFrame.from_records(records, index=pd.RangeIndex(len(records))) if records else pd.DataFrame(index=pd.RangeIndex(0))
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=crs)
    log.debug("read %d features from %s (crs %s)", len(gdf), name, crs)
    return gdf


# ---------------------------------------------------------------------------------------------------
# writing


def _json_value(value: object) -> object:
    """A property value as JSON: NaN/NA → null, numpy scalars → Python, dates → ISO 8601."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date, dt.time)):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (list, tuple, dict)):
        return value
    return str(value)


def _round_geometries(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def _coords(arr: np.ndarray) -> list[list[float]]:
    return arr.tolist()


def _geometry_dict(geom: shapely.Geometry | None) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    kind = geom.geom_type
    if kind == "Point":
        return {"type": "Point", "coordinates": list(geom.coords[0])}
    if kind == "LineString":
        return {"type": "LineString", "coordinates": _coords(np.asarray(geom.coords))}
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": [_coords(np.asarray(r.coords)) for r in (geom.exterior, *geom.interiors)]}
    if kind == "GeometryCollection":
        parts = [_geometry_dict(g) for g in geom.geoms]
        return {"type": "GeometryCollection", "geometries": [p for p in parts if p is not None]}
    parts = [_geometry_dict(g) for g in geom.geoms if not g.is_empty]
    return {"type": kind, "coordinates": [p["coordinates"] for p in parts if p is not None]}


def _feature_collection(gdf: gpd.GeoDataFrame, decimals: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    geom_col = gdf.geometry.name
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if len(geoms):
        live = ~shapely.is_missing(geoms)
        geoms = geoms.copy()
        geoms[live] = shapely.force_2d(geoms[live])
        geoms[live] = shapely.orient_polygons(geoms[live], exterior_cw=False)
        geoms[live] = _round_geometries(geoms[live], decimals)
    columns = [c for c in gdf.columns if c != geom_col]
    values = gdf[columns].astype(object).to_numpy() if columns else np.empty((len(gdf), 0), dtype=object)
    features = []
    for row, geom in zip(values, geoms):
        props = {col: _json_value(v) for col, v in zip(columns, row)}
        feature: dict[str, Any] = {"type": "Feature"}
        if props.get("id") is not None and isinstance(props["id"], (str, int, float)):
            feature["id"] = props["id"]
        feature["properties"] = props
        feature["geometry"] = _geometry_dict(geom)
        features.append(feature)
    doc: dict[str, Any] = {"type": "FeatureCollection"}
    doc.update(extra or {})
    doc["features"] = features
    return doc


def _dump(doc: dict[str, Any], path: Path) -> Path:
    """Write the collection with one feature per line: valid JSON that also diffs well under version control."""
    features = doc.pop("features")
    try:
        head = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        lines = [json.dumps(f, ensure_ascii=False, allow_nan=False, separators=(",", ":")) for f in features]
    except ValueError:
        raise InputError(
            "几何含 NaN 或无穷大的坐标，无法写成 GeoJSON", "geometry holds NaN or infinite coordinates; cannot write GeoJSON"
        ) from None
    body = ",\n".join(lines)
    text = head[:-1] + (',"features":[\n' + body + "\n]}\n" if lines else ',"features":[]}\n')
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path


def _require_crs(gdf: gpd.GeoDataFrame) -> None:
    if gdf.crs is None:
        raise CRSError("要写出的数据没有坐标系", "the features to write have no CRS")


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, *, crs: str | None = None, decimals: int = 7) -> Path:
    """Write RFC 7946 GeoJSON: EPSG:4326 lon/lat, right-hand rule, no ``crs`` member, 7 decimals.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in any CRS (projected to EPSG:4326; EPSG:4490 is relabelled, the same datum).
    path : pathlib.Path
        Output file, written UTF-8 (Chinese as is, not escaped).
    crs : str, optional, keyword-only
        Must be None or EPSG:4326 (RFC 7946 allows nothing else).
    decimals : int, keyword-only
        Decimal places of degrees (7 ≈ 1 cm).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    _require_crs(gdf)
    if crs is not None and CRS.from_user_input(crs).to_epsg() != 4326:
        raise InputError(
            "RFC 7946 GeoJSON 只能是 EPSG:4326；投影坐标请用 geojson-surveyor",
            "RFC 7946 GeoJSON is EPSG:4326 only; use geojson-surveyor for projected output",
        )
    if CRS.from_user_input(gdf.crs).to_epsg() in (4326, 4490):
        out = gdf.set_crs(WGS84, allow_override=True)
    else:
        out = gdf.to_crs(WGS84)
    return _dump(_feature_collection(out, decimals), path)


def write_geojson_surveyor(gdf: gpd.GeoDataFrame, path: Path, *, crs: str | None = CGCS2000_GK_CM114, decimals: int = 3) -> Path:
    """Write a surveyor's GeoJSON in EPSG:4547 (or 4526) metres that names its CRS.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in any CRS.
    path : pathlib.Path
        Output file (UTF-8).
    crs : str, keyword-only
        ``"EPSG:4547"`` (CGCS2000 / 3-degree GK CM 114E, default) or ``"EPSG:4526"`` (the same zone with
        the ``38`` easting prefix).
    decimals : int, keyword-only
        Decimal places of metres (3 = millimetres).

    Returns
    -------
    pathlib.Path
        The path written. Coordinates are (easting, northing); a legacy ``crs`` member
        ``urn:ogc:def:crs:EPSG::4547`` (GDAL, QGIS and ArcGIS read it) names the CRS.
    """
    _require_crs(gdf)
    epsg = CRS.from_user_input(crs or CGCS2000_GK_CM114).to_epsg()
    if f"EPSG:{epsg}" not in (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38):
        raise InputError(
            f"测量 GeoJSON 只能用 EPSG:4547 或 EPSG:4526，不能用 {crs}", f"surveyor GeoJSON is EPSG:4547 or EPSG:4526 only, not {crs}"
        )
    # A survey format: illustrative features say so in a property of their own (gis.io.survey).
    out = mark_illustrative(gdf.to_crs(f"EPSG:{epsg}"))
    extra = {
        "name": Path(path).stem,
        "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}},
    }
    return _dump(_feature_collection(out, decimals, extra), path)
