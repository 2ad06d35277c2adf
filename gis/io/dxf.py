"""DXF in and out: the drawings CAD users and surveyors exchange (AutoCAD, 中望CAD, 南方CASS).

Reading (:func:`read_dxf`, with ezdxf; damaged files go through ``ezdxf.recover``): closed
``LWPOLYLINE``/``POLYLINE`` → Polygon, open ones and ``LINE`` → LineString (arcs of bulged vertices
flattened to chords within a tolerance sized to the drawing: its extent / ``settings.DXF_FLATTEN_FRACTION``,
never finer than 1 cm; the vertices this makes are counted against ``settings.MAX_VERTICES`` before any
arc is expanded), ``POINT`` and block references (``INSERT``, with their ATTRIB values as columns) →
Point. ``TEXT``/``MTEXT`` inside a polygon becomes its ``name_zh`` (the text nearest the polygon's
inner point). The DXF layer goes to ``dxf_layer``. Coordinates are 2D. A DXF carries no CRS: the frame's
CRS is None (the finisher sniffs EPSG:4547 metres) unless the caller passes one or the file was written
here (its ``CRS`` custom header property). Damaged XDATA never sinks the drawing: an entity whose
XDATA cannot be read is read as a plain CAD entity and the report says so (``dxf_xdata``).

Writing (:func:`write_dxf`): DXF R2010 (UTF-8 text), EPSG:4547 or EPSG:4526 metres, ``$INSUNITS`` =
metres, one layer per value of ``status`` (or another field), closed ``LWPOLYLINE`` for every ring
(holes too), open ones for lines, ``POINT`` for points, and a ``TEXT`` label with ``name_zh`` in a
TrueType style (宋体 ``simsun.ttc``) that CAD shows Chinese with. Every entity carries XDATA under the
application id ``SSL_GIS`` (feature number, ring role, the attributes as JSON), so a drawing written here
reads back with its holes and attributes even after it was edited in CAD.
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import ezdxf
import ezdxf.path
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from ezdxf import recover, units, zoom
from ezdxf.enums import TextEntityAlignment
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon

from gis import settings
from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38
from gis.errors import InputError, LimitExceeded
from gis.io._dxf_arcs import plan_flattening, polyline_coords, raw_polyline
from gis.io._dxf_repair import without_damaged_xdata
from gis.io._survey_parcels import ILLUSTRATIVE_ZH, illustrative_mask
from gis.report import ValidationReport

__all__ = ["read_dxf", "write_dxf", "STATUS_ACI", "TEXT_STYLE", "TEXT_FONT", "XDATA_APPID"]

logger = logging.getLogger(__name__)

#: Registered application id of the XDATA this module writes and reads.
XDATA_APPID = "SSL_GIS"
#: Text style of the labels and its TrueType font (宋体, present on every Chinese Windows).
TEXT_STYLE = "SSL_CJK"
TEXT_FONT = "simsun.ttc"
#: AutoCAD Color Index of each plan status's layer.
STATUS_ACI: dict[str, int] = {
    "planned": 5,  # blue
    "site_selection": 30,  # orange
    "site_selected": 2,  # yellow
    "under_construction": 4,  # cyan
    "completed": 3,  # green
    "delayed": 1,  # red
    "cancelled": 8,  # grey
}
#: Largest JSON of attributes stored in one entity's XDATA (AutoCAD allows 16 kB of XDATA per entity).
_XDATA_JSON_BYTES = 12_000
#: Characters AutoCAD refuses in layer names.
_BAD_LAYER_CHARS = re.compile(r'[<>/\\":;?*|=`,\x00-\x1f]')
_MAGIC = "ssl-gis/1"


# --- reading -----------------------------------------------------------------------------------


def _open(path: Path, report: ValidationReport, encoding: str | None) -> ezdxf.document.Drawing:
    """Open a DXF, falling back to ``ezdxf.recover`` for damaged files."""
    if not path.is_file():
        raise InputError("找不到 DXF 文件", "the DXF file does not exist")
    try:
        return ezdxf.readfile(path, encoding=encoding)
    except Exception as exc:  # DXFStructureError, but garbage also raises StopIteration, ValueError…
        logger.debug("ezdxf.readfile failed (%r); trying recover", exc)
    try:
        doc, auditor = recover.readfile(path)
    except Exception as exc:  # ezdxf raises many types for garbage; none may escape as a traceback
        cleaned = without_damaged_xdata(path.read_bytes())
        if cleaned is None:
            raise InputError(f"不是有效的 DXF 文件或已严重损坏：{exc}", f"not a valid DXF file, or damaged beyond repair: {exc}") from None
        data, handles = cleaned
        try:
            doc, auditor = recover.read(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - still garbage once the XDATA is gone: report the first cause
            raise InputError(f"不是有效的 DXF 文件或已严重损坏：{exc}", f"not a valid DXF file, or damaged beyond repair: {exc}") from None
        shown = ", ".join(handles[:10]) + ("…" if len(handles) > 10 else "")
        report.add_problem(
            None,
            "dxf_xdata",
            f"{len(handles)} 个实体的 XDATA 已损坏（{exc}），已删除这些 XDATA 后读取（实体 {shown}）",
            f"the XDATA of {len(handles)} entities is damaged ({exc}); read without it (entities {shown})",
        )
        return doc
    report.add_problem(
        None,
        "dxf_recovered",
        f"DXF 文件有结构错误，已尝试修复（{len(auditor.errors)} 处错误，{len(auditor.fixes)} 处修复）",
        f"the DXF had structural errors and was recovered ({len(auditor.errors)} errors, {len(auditor.fixes)} fixes)",
    )
    return doc


def _xdata(entity: object, report: ValidationReport | None = None) -> tuple[int, str, int, str] | None:
    """(feature, role, part, attributes JSON) from this module's XDATA, or None.

    XDATA that cannot be read (damaged tags, wrong types) is ignored: the entity is read as a plain CAD
    entity and, when ``report`` is given, a ``dxf_xdata`` problem says so.
    """
    try:
        if not entity.has_xdata(XDATA_APPID):  # type: ignore[attr-defined]
            return None
        values = [t.value for t in entity.get_xdata(XDATA_APPID)]  # type: ignore[attr-defined]
        if len(values) < 4 or values[0] != _MAGIC:
            return None
        feature, role, part = int(values[1]), str(values[2]), int(values[3])
        return feature, role, part, "".join(str(v) for v in values[4:])
    except Exception as exc:  # noqa: BLE001 - ezdxf raises many types for damaged tags; one entity must not sink the file
        if report is not None:
            handle = getattr(getattr(entity, "dxf", None), "handle", "?")
            report.add_problem(
                None,
                "dxf_xdata",
                f"实体 {handle} 的 XDATA 已损坏，已忽略（按普通 CAD 实体读取）：{type(exc).__name__}",
                f"the XDATA of entity {handle} is damaged and was ignored (read as a plain CAD entity): {type(exc).__name__}",
            )
        return None


def _point_wcs(entity: object, attr: str = "insert", *, ocs: bool = True) -> tuple[float, float]:
    """A point attribute in WCS (TEXT, MTEXT and INSERT store theirs in the entity's OCS)."""
    p = entity.dxf.get(attr)  # type: ignore[attr-defined]
    if ocs and entity.dxf.hasattr("extrusion"):  # type: ignore[attr-defined]
        p = entity.ocs().to_wcs(p)  # type: ignore[attr-defined]
    return (float(p[0]), float(p[1]))


def _text_of(entity: object) -> str:
    kind = entity.dxftype()  # type: ignore[attr-defined]
    text = entity.plain_text() if kind in {"TEXT", "MTEXT"} else ""  # type: ignore[attr-defined]
    return " ".join(str(text).split())


def read_dxf(
    path: Path,
    report: ValidationReport,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the model space of a DXF drawing into features.

    Parameters
    ----------
    path : pathlib.Path
        The ``.dxf`` (ASCII or binary; any version ezdxf reads).
    report : gis.report.ValidationReport
        Receives file-level notes (recovered file, skipped entity types, open polylines too short).
    layer : str, optional, keyword-only
        Keep only this DXF layer; default all.
    encoding : str, optional, keyword-only
        Text encoding of a pre-2007 DXF when its ``$DWGCODEPAGE`` is wrong (e.g. ``"gbk"``).
    crs : str, optional, keyword-only
        The drawing's CRS when known (e.g. ``"EPSG:4547"``); else the file's ``CRS`` property or None.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``dxf_layer``, ``dxf_type``, ``name_zh`` (from XDATA or a text inside the polygon),
        ``dxf_block`` and ATTRIB values for block references, the attributes stored in this module's
        XDATA; 2D geometry in drawing units (metres expected).

    Raises
    ------
    gis.errors.InputError
        Not a DXF, damaged beyond recovery, an unknown ``layer``, no usable entity.
    gis.errors.LimitExceeded
        Feature or vertex limits of :mod:`gis.settings`.
    """
    path = Path(path)
    doc = _open(path, report, encoding)
    msp = doc.modelspace()
    units = doc.header.get("$INSUNITS", 0)
    if units not in (0, 6):
        report.add_problem(
            None,
            "dxf_units",
            f"DXF 图形单位不是米（$INSUNITS={units}），坐标按原值读取",
            f"the DXF's drawing units are not metres ($INSUNITS={units}); coordinates were read as they are",
        )
    if layer is not None:
        names = sorted({e.dxf.layer for e in msp})
        if layer not in names:
            raise InputError(
                f"DXF 中没有图层 {layer!r}；可选：{', '.join(names)}", f"no layer {layer!r} in the DXF; choose one of: {', '.join(names)}"
            )

    rows: list[dict[str, object]] = []
    geoms: list[shapely.Geometry] = []
    texts: list[tuple[float, float, str]] = []
    ours: dict[int, dict[str, object]] = defaultdict(lambda: {"rings": defaultdict(list), "lines": [], "points": []})
    skipped: Counter[str] = Counter()
    vertices = 0

    # Pass 1: the polylines' vertices and bulges, unexpanded, to size the chord tolerance to the drawing
    # and to count the vertices flattening will make before making any of them.
    raws: dict[int, tuple[np.ndarray, np.ndarray, bool]] = {}
    for e in msp:
        if e.dxftype() not in {"LWPOLYLINE", "POLYLINE"} or (layer is not None and e.dxf.layer != layer):
            continue
        try:
            if e.dxftype() == "POLYLINE" and (e.is_poly_face_mesh or e.is_polygon_mesh):
                continue
            raws[id(e)] = raw_polyline(e)
        except (AttributeError, TypeError, ValueError, IndexError) as exc:
            report.add_problem(
                None, "dxf_entity_unreadable", f"无法读取一个 {e.dxftype()} 实体：{exc}", f"a {e.dxftype()} entity could not be read: {exc}"
            )
    tolerance_m, extent, planned = plan_flattening(list(raws.values()))
    if planned > settings.MAX_VERTICES:
        raise LimitExceeded(
            f"DXF 的多段线（弧线按 {tolerance_m:.3g} 展开）将有 {planned} 个顶点，超过上限 {settings.MAX_VERTICES}"
            "（SSL_GIS_MAX_VERTICES）",
            f"the DXF's polylines (arcs flattened to {tolerance_m:.3g}) would make {planned} vertices, more than the limit of"
            f" {settings.MAX_VERTICES} (SSL_GIS_MAX_VERTICES)",
        )
    if tolerance_m > settings.DXF_FLATTEN_MIN_M:
        report.add_problem(
            None,
            "dxf_arc_tolerance",
            f"图形范围 {extent:.3g}，弧线按 {tolerance_m:.3g}（范围的 1/{settings.DXF_FLATTEN_FRACTION}）展开为折线",
            f"the drawing spans {extent:.3g}; arcs were flattened to chords within {tolerance_m:.3g}"
            f" (1/{settings.DXF_FLATTEN_FRACTION} of the extent)",
        )

    def count(n: int) -> None:
        nonlocal vertices
        vertices += n
        if vertices > settings.MAX_VERTICES:
            raise LimitExceeded(f"顶点过多：超过 {settings.MAX_VERTICES} 个", f"too many vertices: more than {settings.MAX_VERTICES}")
        if len(rows) + len(ours) > settings.MAX_FEATURES:
            raise LimitExceeded(f"要素过多：超过 {settings.MAX_FEATURES} 个", f"too many features: more than {settings.MAX_FEATURES}")

    for e in msp:
        kind = e.dxftype()
        if layer is not None and e.dxf.layer != layer:
            continue
        tag = _xdata(e, report)
        try:
            if kind in {"LWPOLYLINE", "POLYLINE"}:
                if kind == "POLYLINE" and (e.is_poly_face_mesh or e.is_polygon_mesh):
                    skipped[kind + " (mesh)"] += 1
                    continue
                if id(e) not in raws:  # unreadable: reported in pass 1
                    continue
                pts, closed = polyline_coords(e, raws.pop(id(e)), tolerance_m)
                count(len(pts))
                if tag is not None:
                    target = ours[tag[0]]
                    if tag[1] in {"shell", "hole"}:
                        target["rings"][tag[2]].append((tag[1], pts))  # type: ignore[index]
                    else:
                        target["lines"].append(pts)  # type: ignore[union-attr]
                    target.setdefault("layer", e.dxf.layer)
                    if tag[3]:
                        target["json"] = tag[3]
                    continue
                if closed and len(pts) >= 3:
                    geom: shapely.Geometry = Polygon(pts)
                elif len(pts) >= 2:
                    geom = LineString(pts)
                else:
                    skipped[kind + " (degenerate)"] += 1
                    continue
            elif kind == "LINE":
                geom = LineString([_point_wcs(e, "start", ocs=False), _point_wcs(e, "end", ocs=False)])
                count(2)
            elif kind == "POINT":
                xy = _point_wcs(e, "location", ocs=False)
                count(1)
                if tag is not None:
                    ours[tag[0]]["points"].append(xy)  # type: ignore[union-attr]
                    ours[tag[0]].setdefault("layer", e.dxf.layer)
                    if tag[3]:
                        ours[tag[0]]["json"] = tag[3]
                    continue
                geom = Point(xy)
            elif kind == "INSERT":
                geom = Point(_point_wcs(e))
                count(1)
                row = {"dxf_layer": e.dxf.layer, "dxf_type": kind, "dxf_block": e.dxf.name}
                row.update({a.dxf.tag: a.dxf.text for a in e.attribs})
                rows.append(row)
                geoms.append(geom)
                continue
            elif kind in {"TEXT", "MTEXT"}:
                if tag is None or tag[1] != "label":
                    text = _text_of(e)
                    if text:
                        texts.append((*_point_wcs(e, ocs=kind == "TEXT"), text))
                continue
            else:
                skipped[kind] += 1
                continue
        except (AttributeError, TypeError, ValueError, IndexError, shapely.errors.GEOSException) as exc:
            report.add_problem(
                None, "dxf_entity_unreadable", f"无法读取一个 {kind} 实体：{exc}", f"a {kind} entity could not be read: {exc}"
            )
            continue
        rows.append({"dxf_layer": e.dxf.layer, "dxf_type": kind})
        geoms.append(geom)

    for feature in sorted(ours):
        part = ours[feature]
        try:
            geom = _assemble(part)
        except (TypeError, ValueError, IndexError, shapely.errors.GEOSException) as exc:
            report.add_problem(
                None,
                "dxf_xdata",
                f"按 XDATA 组装第 {feature} 个要素失败，已跳过：{type(exc).__name__}",
                f"feature {feature} could not be assembled from its XDATA and was skipped: {type(exc).__name__}",
            )
            continue
        if geom is None:
            continue
        row: dict[str, object] = {"dxf_layer": part.get("layer"), "dxf_type": "SSL_GIS"}
        try:
            attrs = json.loads(str(part.get("json") or "{}"))
            if not isinstance(attrs, dict):
                raise ValueError("not an object")
            row.update({str(k): v for k, v in attrs.items() if str(k) not in {"geometry", "dxf_layer", "dxf_type"}})
        except (json.JSONDecodeError, ValueError, RecursionError):
            report.add_problem(
                len(rows),
                "dxf_xdata",
                f"第 {feature} 个要素 XDATA 中的属性无法解析，已忽略",
                f"feature {feature}: the attributes in its XDATA cannot be parsed; ignored",
            )
        rows.append(row)
        geoms.append(geom)

    if skipped:
        listing = ", ".join(f"{k} × {v}" for k, v in sorted(skipped.items()))
        report.add_problem(None, "dxf_skipped", f"已跳过不支持的实体：{listing}", f"unsupported entities skipped: {listing}")
    if not rows:
        if any(p.problem == "dxf_recovered" for p in report.problems):
            raise InputError("不是有效的 DXF 文件或已严重损坏", "not a valid DXF file, or damaged beyond repair")
        raise InputError("DXF 中没有可用的线、多段线或点", "the DXF holds no usable polyline, line or point")

    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms), crs=crs or _declared_crs(doc))
    if "name_zh" not in gdf.columns:
        gdf["name_zh"] = None
    _names_from_texts(gdf, texts)
    logger.info("read %d features from %s", len(gdf), path.name)
    return gdf


def _assemble(part: dict[str, object]) -> shapely.Geometry | None:
    """One feature from the rings, lines and points its XDATA tagged (None when it has none)."""
    polys = []
    for rings in part["rings"].values():  # type: ignore[attr-defined]
        shells = [r for role, r in rings if role == "shell"]
        holes = [r for role, r in rings if role == "hole"]
        if shells:
            polys.append(Polygon(shells[0], holes))
    lines = [LineString(p) for p in part["lines"]]  # type: ignore[attr-defined]
    points = [Point(p) for p in part["points"]]  # type: ignore[attr-defined]
    if polys:
        return polys[0] if len(polys) == 1 else MultiPolygon(polys)
    if lines:
        return lines[0] if len(lines) == 1 else MultiLineString(lines)
    if points:
        return points[0] if len(points) == 1 else MultiPoint(points)
    return None


def _declared_crs(doc: ezdxf.document.Drawing) -> str | None:
    """The CRS this module wrote into the header's custom properties, if any."""
    try:
        value = doc.header.custom_vars.get("CRS")
    except Exception:  # an odd header must not stop the read
        return None
    if value and value in (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38):
        return value
    return None


def _names_from_texts(gdf: gpd.GeoDataFrame, texts: list[tuple[float, float, str]]) -> None:
    """Give each unnamed polygon the text lying inside it nearest its inner point."""
    if not texts:
        return
    is_poly = gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    unnamed = gdf["name_zh"].isna().to_numpy() | (gdf["name_zh"].astype(object) == "").to_numpy()
    targets = np.flatnonzero(is_poly & unnamed)
    if not len(targets):
        return
    points = shapely.points(np.array([(x, y) for x, y, _ in texts]))
    tree = shapely.STRtree(points)
    polys = gdf.geometry.values[targets]
    poly_idx, text_idx = tree.query(polys, predicate="contains")
    inner = shapely.point_on_surface(polys)
    best: dict[int, tuple[float, int]] = {}
    for p, t in zip(poly_idx, text_idx):
        d = shapely.distance(inner[p], points[t])
        if p not in best or d < best[p][0]:
            best[p] = (d, t)
    names = gdf["name_zh"].astype(object).to_numpy(copy=True)
    for p, (_, t) in best.items():
        names[targets[p]] = texts[t][2]
    gdf["name_zh"] = names


# --- writing -----------------------------------------------------------------------------------


def _layer_name(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    text = _BAD_LAYER_CHARS.sub("_", text).strip()[:255]
    return text or "none"


def _attributes_json(record: dict[str, object]) -> str:
    clean = {}
    for k, v in record.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            clean[str(k)] = None
        elif isinstance(v, np.generic):
            clean[str(k)] = v.item()
        elif isinstance(v, str | int | float | bool):
            clean[str(k)] = v
        else:
            clean[str(k)] = None if pd.isna(v) else str(v)  # type: ignore[arg-type]
    text = json.dumps(clean, ensure_ascii=True, separators=(",", ":"))
    if len(text) > _XDATA_JSON_BYTES:
        keep = {k: clean.get(k) for k in ("id", "name_zh", "name_en", "layer", "status", "kind") if k in clean}
        text = json.dumps(keep, ensure_ascii=True, separators=(",", ":"))
        logger.warning("DXF: attributes of %s too long for XDATA; kept %s", keep.get("id"), sorted(keep))
    return text


def _xdata_tags(feature: int, role: str, part: int, attrs: str = "") -> list[tuple[int, object]]:
    tags: list[tuple[int, object]] = [(1000, _MAGIC), (1071, feature), (1000, role), (1071, part)]
    tags += [(1000, attrs[i : i + 250]) for i in range(0, len(attrs), 250)]
    return tags


def _label_height_m(geom: shapely.Geometry) -> float:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return float(np.clip(math.sqrt(geom.area) / 8.0, 1.0, 20.0))
    if geom.geom_type in ("LineString", "MultiLineString"):
        return float(np.clip(geom.length / 30.0, 1.0, 20.0))
    return 2.0


def _label_anchor(geom: shapely.Geometry) -> tuple[float, float]:
    if geom.geom_type in ("LineString", "MultiLineString"):
        line = max(shapely.get_parts(geom), key=lambda g: g.length)
        p = line.interpolate(0.5, normalized=True)
    else:
        p = geom.point_on_surface()
    return (p.x, p.y)


def _lwpolyline(msp: object, xy: np.ndarray, *, close: bool, dxfattribs: dict[str, object]) -> object:
    """An LWPOLYLINE with all its points set at once: linear in the vertex count.

    ``add_lwpolyline(points)`` appends point by point and ezdxf concatenates its array at each one, which is
    quadratic (a 100 000-vertex parcel took 37 s, 1 M vertices over 400 s).
    """
    e = msp.add_lwpolyline([], close=close, dxfattribs=dxfattribs)  # type: ignore[attr-defined]
    if len(xy):
        # LWPOLYLINE vertices are (x, y, start width, end width, bulge).
        e.lwpoints.extend(np.column_stack([xy[:, :2], np.zeros((len(xy), 3))]))
    return e


def write_dxf(
    gdf: gpd.GeoDataFrame,
    path: Path,
    *,
    crs: str | None = CGCS2000_GK_CM114,
    layer_field: str = "status",
) -> Path:
    """Write a frame as a DXF R2010 drawing in metres, one DXF layer per value of a field.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS (any). ``name_zh`` (if present) labels each feature.
    path : pathlib.Path
        The ``.dxf`` to write.
    crs : {"EPSG:4547", "EPSG:4526"}, keyword-only
        Projected CRS of the drawing, metres (default EPSG:4547; None means the default).
    layer_field : str, keyword-only
        Field whose values name the DXF layers (default ``status``; falls back to ``layer``, then to a
        single layer named after the file).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    gis.errors.InputError
        The frame has no CRS, or ``crs`` is not EPSG:4547/EPSG:4526.
    """
    path = Path(path)
    crs = crs or CGCS2000_GK_CM114
    if gdf.crs is None:
        raise InputError("要素没有坐标系，无法写出 DXF", "the features have no CRS; cannot write a DXF")
    target = pyproj.CRS.from_user_input(crs)
    if target.to_epsg() not in (4547, 4526):
        raise InputError(f"DXF 只写 EPSG:4547 或 EPSG:4526，不支持 {crs}", f"DXF is written in EPSG:4547 or EPSG:4526 only, not {crs}")
    crs_name = f"EPSG:{target.to_epsg()}"
    frame = gdf.to_crs(target)
    field = layer_field if layer_field in frame.columns else ("layer" if "layer" in frame.columns else None)
    layer_values = frame[field].map(_layer_name) if field else pd.Series([_layer_name(path.stem)] * len(frame), index=frame.index)
    # Illustrative features (never surveyed) go on layers of their own, named "示意_…" (gis.io.survey).
    shown = illustrative_mask(frame)
    if shown.any():
        layer_values = layer_values.where(~shown, ILLUSTRATIVE_ZH + "_" + layer_values)

    doc = ezdxf.new("R2010", setup=False)
    doc.units = units.M
    doc.header["$INSUNITS"] = 6
    doc.header["$MEASUREMENT"] = 1
    doc.header.custom_vars.append("CRS", crs_name)
    doc.appids.add(XDATA_APPID)
    doc.styles.add(TEXT_STYLE, font=TEXT_FONT)
    for name in sorted(set(layer_values)):
        doc.layers.add(name, color=STATUS_ACI.get(name.removeprefix(ILLUSTRATIVE_ZH + "_"), 7))
    msp = doc.modelspace()
    geom_col = frame.geometry.name
    records = frame.drop(columns=geom_col).to_dict("records")
    for i, (record, geom, dxf_layer) in enumerate(zip(records, frame.geometry.values, layer_values)):
        if geom is None or geom.is_empty:
            logger.warning("DXF: feature %d has no geometry; skipped", i)
            continue
        attrs = _attributes_json(record)
        base = {"layer": dxf_layer}
        first = True
        for part_no, part in enumerate(shapely.get_parts(shapely.force_2d(geom))):
            json_here = attrs if first else ""
            first = False
            if isinstance(part, Polygon):
                rings = [("shell", part.exterior)] + [("hole", r) for r in part.interiors]
                for k, (role, ring) in enumerate(rings):
                    e = _lwpolyline(msp, np.asarray(ring.coords)[:-1], close=True, dxfattribs=base)
                    e.set_xdata(XDATA_APPID, _xdata_tags(i, role, part_no, json_here if k == 0 else ""))
            elif isinstance(part, LineString):
                e = _lwpolyline(msp, np.asarray(part.coords), close=False, dxfattribs=base)
                e.set_xdata(XDATA_APPID, _xdata_tags(i, "line", part_no, json_here))
            elif isinstance(part, Point):
                e = msp.add_point((part.x, part.y), dxfattribs=base)
                e.set_xdata(XDATA_APPID, _xdata_tags(i, "point", part_no, json_here))
        label = record.get("name_zh")
        if isinstance(label, str) and label.strip():
            height = _label_height_m(geom)
            x, y = _label_anchor(geom)
            text = msp.add_text(label.strip(), height=height, dxfattribs={**base, "style": TEXT_STYLE})
            if geom.geom_type in ("Point", "MultiPoint"):
                text.set_placement((x + height * 0.5, y + height * 0.5), align=TextEntityAlignment.BOTTOM_LEFT)
            else:
                text.set_placement((x, y), align=TextEntityAlignment.MIDDLE_CENTER)
            text.set_xdata(XDATA_APPID, _xdata_tags(i, "label", 0))
    zoom.extents(msp)
    doc.saveas(path)
    logger.info("wrote %d features to %s in %s on %d layers", len(frame), path.name, crs_name, len(set(layer_values)))
    return path
