"""Validation and repair of features in EPSG:4326: what is wrong with each one and what was done about it.

:func:`validate_frame` is the one place every reader's output passes through. It never raises for bad
data: every finding lands in a :class:`gis.report.ValidationReport` with a stable code and a message in
Chinese and English. Features that cannot be used (no geometry, NaN or absurd coordinates, wrong type,
nothing left after repair) are dropped and their problem is marked ``fatal``; everything else is kept,
repaired where needed.

Problem codes (``Problem.problem``)
-----------------------------------
``null_geometry``, ``empty_geometry``, ``nonfinite_coordinates``, ``absurd_coordinates``, ``wrong_type``,
``three_d``, ``duplicate_vertices``, ``self_intersection``, ``hole_outside_shell``, ``nested_shells``,
``disconnected_interior``, ``too_few_points``, ``invalid_geometry``, ``collapsed``, ``outside_extent``.
Readers add their own (e.g. ``unclosed_ring`` from the GeoJSON reader).

Repair codes (``Repair.repair``)
--------------------------------
``drop_z``, ``remove_duplicate_vertices``, ``make_valid``, ``orient_rings`` (exterior counter-clockwise,
holes clockwise: the right-hand rule of RFC 7946).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import shapely

from gis.crs import DONGGUAN_BBOX
from gis.report import Problem, Repair, ValidationReport

__all__ = ["validate_frame", "PROBLEM_CODES", "REPAIR_CODES"]

log = logging.getLogger(__name__)

#: Every problem code validate_frame emits, with its Chinese and English message.
PROBLEM_CODES: dict[str, tuple[str, str]] = {
    "null_geometry": ("要素没有几何，已删除", "feature has no geometry; dropped"),
    "empty_geometry": ("要素的几何为空，已删除", "feature geometry is empty; dropped"),
    "nonfinite_coordinates": ("坐标含 NaN 或无穷大，已删除", "coordinates contain NaN or infinity; dropped"),
    "absurd_coordinates": (
        "坐标超出经纬度范围 (经度 ±180°、纬度 ±90°)，已删除",
        "coordinates beyond ±180° longitude or ±90° latitude; dropped",
    ),
    "wrong_type": ("几何类型不符合要求，已删除", "geometry type not allowed here; dropped"),
    "three_d": ("几何带 Z 值 (三维)", "geometry is 3D (has Z values)"),
    "duplicate_vertices": ("几何含连续重复的顶点", "geometry has consecutive duplicate vertices"),
    "self_intersection": ("多边形自相交", "self-intersecting polygon"),
    "hole_outside_shell": ("多边形的内环 (洞) 在外环之外", "polygon hole lies outside its shell"),
    "nested_shells": ("多面的外环相互嵌套", "multipolygon shells are nested"),
    "disconnected_interior": ("多边形内部不连通", "polygon interior is disconnected"),
    "too_few_points": ("环或线的点数太少", "ring or line has too few points"),
    "invalid_geometry": ("几何无效", "invalid geometry"),
    "collapsed": ("修复后几何为空 (退化)，已删除", "geometry collapsed to nothing when repaired; dropped"),
    "outside_extent": ("要素不在 (或不完全在) 东莞范围内，已保留", "feature lies (partly) outside the Dongguan extent; kept"),
}

#: Every repair code validate_frame emits, with its Chinese and English message.
REPAIR_CODES: dict[str, tuple[str, str]] = {
    "drop_z": ("已去掉 Z 值", "Z values dropped"),
    "remove_duplicate_vertices": ("已删除重复顶点", "duplicate vertices removed"),
    "make_valid": ("已用 make_valid 修复", "repaired with make_valid"),
    "orient_rings": (
        "已调整环的方向 (外环逆时针、内环顺时针)",
        "rings re-oriented (exterior counter-clockwise, holes clockwise)",
    ),
}

# GEOS validity reasons (the text before the "[x y]" location) and our codes for them.
_REASON_CODES: dict[str, str] = {
    "Self-intersection": "self_intersection",
    "Ring Self-intersection": "self_intersection",
    "Hole lies outside shell": "hole_outside_shell",
    "Nested shells": "nested_shells",
    "Interior is disconnected": "disconnected_interior",
    "Too few points in geometry component": "too_few_points",
}

# shapely.get_type_id → GeoJSON type name.
_TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection")


def _problem(feature: int, code: str, detail: str = "", *, fatal: bool = False) -> Problem:
    zh, en = PROBLEM_CODES[code]
    if detail:
        zh, en = f"{zh} ({detail})", f"{en} ({detail})"
    return Problem(feature, code, f"第 {feature} 个要素：{zh}", f"feature {feature}: {en}", fatal)


def _repair(feature: int, code: str, detail: str = "") -> Repair:
    zh, en = REPAIR_CODES[code]
    if detail:
        zh, en = f"{zh} ({detail})", f"{en} ({detail})"
    return Repair(feature, code, f"第 {feature} 个要素：{zh}", f"feature {feature}: {en}")


def _per_geometry_any(mask: np.ndarray, index: np.ndarray, n: int) -> np.ndarray:
    """Reduce a per-coordinate boolean mask to one boolean per geometry."""
    return np.bincount(index[mask], minlength=n)[:n] > 0 if len(index) else np.zeros(n, dtype=bool)


def _remove_repeated(geoms: np.ndarray) -> np.ndarray:
    """``shapely.remove_repeated_points`` that falls back one by one where a ring would collapse."""
    try:
        return shapely.remove_repeated_points(geoms, tolerance=0.0)
    except shapely.errors.GEOSException:
        out = geoms.copy()
        for i, g in enumerate(geoms):
            try:
                out[i] = shapely.remove_repeated_points(g, tolerance=0.0)
            except shapely.errors.GEOSException:
                out[i] = g  # left for make_valid, which collapses it and reports it
        return out


def _make_valid(geoms: np.ndarray) -> np.ndarray:
    """Repair: polygonal input keeps polygonal output (``structure``); other types use ``linework``."""
    out = geoms.copy()
    if not len(geoms):
        return out
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    for mask, method in ((polygonal, "structure"), (~polygonal, "linework")):
        if mask.any():
            kwargs = {"keep_collapsed": False} if method == "structure" else {}
            try:
                out[mask] = shapely.make_valid(geoms[mask], method=method, **kwargs)
            except shapely.errors.GEOSException:
                for i in np.flatnonzero(mask):
                    try:
                        out[i] = shapely.make_valid(geoms[i], method=method, **kwargs)
                    except shapely.errors.GEOSException:
                        out[i] = shapely.Polygon() if polygonal[i] else shapely.GeometryCollection()
    return out


def validate_frame(
    gdf: gpd.GeoDataFrame,
    *,
    extent: tuple[float, float, float, float] = DONGGUAN_BBOX,
    report: ValidationReport | None = None,
    geometry_types: Iterable[str] | None = None,
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Check every feature, repair what can be repaired and drop what cannot be used.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in EPSG:4326 (degrees, lon/lat). A frame without a CRS is taken as EPSG:4326; a
        projected frame is projected to EPSG:4326 first.
    extent : tuple of float, keyword-only
        (lon_min, lat_min, lon_max, lat_max) in degrees; features not entirely inside are reported
        (``outside_extent``) and kept. Default: :data:`gis.crs.DONGGUAN_BBOX`.
    report : gis.report.ValidationReport, optional, keyword-only
        A report to add to (e.g. the reader's); a new one otherwise. A feature that already has a fatal
        problem in it (a reader could not build its geometry) is dropped without a second report.
    geometry_types : iterable of str, optional, keyword-only
        Allowed geometry types (``{"Polygon", "MultiPolygon"}``); any type when None. Checked on the
        input type, before repair.

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, gis.report.ValidationReport)
        The usable features, repaired, 2D, rings oriented per RFC 7946, index reset to 0…n-1, CRS
        EPSG:4326 (or the input's); and the report, whose ``feature`` numbers are 0-based positions in
        the input frame. ``report.features`` is the number of features returned; ``report.ok`` is False
        when the input had features and none is usable.
    """
    report = report if report is not None else ValidationReport()
    if gdf.crs is not None and not gdf.crs.is_geographic:
        # A caller's slip (a projected frame); the extent and the degree checks need degrees.
        log.debug("validate_frame got %s; projecting to EPSG:4326 first", gdf.crs)
        gdf = gdf.to_crs("EPSG:4326")
    n = len(gdf)
    geoms = np.asarray(gdf.geometry.values, dtype=object).copy() if n else np.empty(0, dtype=object)
    problems: list[Problem] = []
    repairs: list[Repair] = []
    already_fatal = {p.feature for p in report.problems if p.fatal and p.feature is not None}

    keep = np.ones(n, dtype=bool)

    def drop(mask: np.ndarray, code: str, detail: str = "") -> None:
        for i in np.flatnonzero(mask & keep):
            if int(i) not in already_fatal:
                problems.append(_problem(int(i), code, detail, fatal=True))
        keep[mask] = False

    # 1. Missing and empty geometry.
    is_null = shapely.is_missing(geoms) if n else np.zeros(0, dtype=bool)
    drop(is_null, "null_geometry")
    live = ~is_null
    is_empty = np.zeros(n, dtype=bool)
    is_empty[live] = shapely.is_empty(geoms[live])
    drop(is_empty, "empty_geometry")

    # 2. Coordinates: NaN/inf, then beyond the range of degrees.
    live = keep.copy()
    coords, index = shapely.get_coordinates(geoms[live], return_index=True, include_z=True)
    live_pos = np.flatnonzero(live)
    xy = coords[:, :2]
    finite = np.isfinite(xy).all(axis=1)
    bad_finite = np.zeros(n, dtype=bool)
    bad_finite[live_pos] = _per_geometry_any(~finite, index, len(live_pos))
    drop(bad_finite, "nonfinite_coordinates")
    with np.errstate(invalid="ignore"):
        absurd = (np.abs(xy[:, 0]) > 180.0) | (np.abs(xy[:, 1]) > 90.0)
    bad_range = np.zeros(n, dtype=bool)
    bad_range[live_pos] = _per_geometry_any(absurd & finite, index, len(live_pos))
    drop(bad_range, "absurd_coordinates")

    # 3. Wrong type (checked on the input type, before any repair changes it).
    if geometry_types is not None and keep.any():
        allowed = {t.lower() for t in geometry_types}
        type_ids = shapely.get_type_id(geoms[keep])
        names = np.array(_TYPE_NAMES, dtype=object)[type_ids]
        allowed_text = ", ".join(sorted(geometry_types))
        for i, name in zip(np.flatnonzero(keep), names):
            if name.lower() not in allowed:
                if int(i) not in already_fatal:
                    problems.append(_problem(int(i), "wrong_type", f"{name}; allowed: {allowed_text}", fatal=True))
                keep[i] = False

    idx = np.flatnonzero(keep)
    work = geoms[idx]

    # 4. Z values.
    if len(work):
        has_z = shapely.has_z(work)
        if has_z.any():
            work[has_z] = shapely.force_2d(work[has_z])
            for i in idx[has_z]:
                problems.append(_problem(int(i), "three_d"))
                repairs.append(_repair(int(i), "drop_z"))

    # 5. Consecutive duplicate vertices.
    if len(work):
        before = shapely.get_num_coordinates(work)
        deduped = _remove_repeated(work)
        after = shapely.get_num_coordinates(deduped)
        dup = after < before
        if dup.any():
            work[dup] = deduped[dup]
            for i, k in zip(idx[dup], (before - after)[dup]):
                problems.append(_problem(int(i), "duplicate_vertices", f"{int(k)}"))
                repairs.append(_repair(int(i), "remove_duplicate_vertices", f"{int(k)}"))

    # 6. Validity: self-intersection, holes outside shells, … → make_valid.
    if len(work):
        valid = shapely.is_valid(work)
        if (~valid).any():
            bad = np.flatnonzero(~valid)
            reasons = shapely.is_valid_reason(work[bad])
            fixed = _make_valid(work[bad])
            collapsed = shapely.is_empty(fixed)
            for j, reason, fix, gone in zip(bad, reasons, fixed, collapsed):
                i = int(idx[j])
                head = str(reason).split("[", 1)[0].strip()
                where = str(reason)[len(head) :].strip()
                code = _REASON_CODES.get(head, "invalid_geometry")
                detail = where if code != "invalid_geometry" else str(reason)
                problems.append(_problem(i, code, detail))
                if gone:
                    problems.append(_problem(i, "collapsed", fatal=True))
                    keep[i] = False
                else:
                    work[j] = fix
                    repairs.append(_repair(i, "make_valid", fix.geom_type))

    # 7. Orientation (RFC 7946 right-hand rule), only where it changes something.
    still = keep[idx]
    if len(work) and still.any():
        poly = still & np.isin(shapely.get_type_id(work), (3, 6, 7))
        if poly.any():
            oriented = shapely.orient_polygons(work[poly], exterior_cw=False)
            changed = ~shapely.equals_identical(oriented, work[poly])
            if changed.any():
                pos = np.flatnonzero(poly)[changed]
                work[pos] = oriented[changed]
                for i in idx[pos]:
                    repairs.append(_repair(int(i), "orient_rings"))

    # 8. Extent: reported, kept.
    if len(work) and still.any():
        lon0, lat0, lon1, lat1 = extent
        b = shapely.bounds(work)
        outside = still & ~((b[:, 0] >= lon0) & (b[:, 1] >= lat0) & (b[:, 2] <= lon1) & (b[:, 3] <= lat1))
        for j in np.flatnonzero(outside):
            detail = f"bounds {b[j, 0]:.5f}, {b[j, 1]:.5f}, {b[j, 2]:.5f}, {b[j, 3]:.5f}"
            problems.append(_problem(int(idx[j]), "outside_extent", detail))

    geoms[idx] = work
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    out = out.loc[keep].reset_index(drop=True)
    if out.crs is None:
        out = out.set_crs("EPSG:4326")

    problems.sort(key=lambda p: -1 if p.feature is None else p.feature)
    repairs.sort(key=lambda r: r.feature)
    report.problems.extend(problems)
    report.repairs.extend(repairs)
    report.features = len(out)
    if n and not len(out):
        report.ok = False
    log.debug("validated %d features: %d kept, %d problems, %d repairs", n, len(out), len(problems), len(repairs))
    return out, report
