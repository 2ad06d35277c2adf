"""Flattening the arcs (bulges) of DXF polylines, with the cost known before anything is expanded.

A bulge ``b`` on a polyline vertex makes the segment to the next vertex an arc of sweep ``4·atan(b)``.
Flattened at a fixed 1 cm, one arc of a huge radius becomes millions of vertices (a 73 KB drawing took
2.1 GB). Here the chord tolerance is sized to the drawing (:func:`plan_flattening`), the exact number of
vertices it will make is computed from each arc's sweep and radius without making them, and only then
does :func:`polyline_coords` expand, with numpy, one polyline at a time.
"""

from __future__ import annotations

import math

import numpy as np

from gis import settings

__all__ = ["raw_polyline", "polyline_coords", "plan_flattening"]


def raw_polyline(entity: object) -> tuple[np.ndarray, np.ndarray, bool]:
    """Vertices (OCS, 2D), bulges and the closed flag of an LWPOLYLINE/POLYLINE, before any arc is expanded."""
    if entity.dxftype() == "LWPOLYLINE":  # type: ignore[attr-defined]
        rows = np.array([(float(x), float(y), float(b)) for x, y, b in entity.get_points("xyb")], dtype=float).reshape(-1, 3)  # type: ignore[attr-defined]
        closed = bool(entity.closed)  # type: ignore[attr-defined]
    else:
        rows = np.array(
            [(float(v.dxf.location[0]), float(v.dxf.location[1]), float(v.dxf.get("bulge", 0.0) or 0.0)) for v in entity.vertices],  # type: ignore[attr-defined]
            dtype=float,
        ).reshape(-1, 3)
        if entity.is_3d_polyline:  # type: ignore[attr-defined]
            rows[:, 2] = 0.0  # 3D polylines have no arcs
        closed = bool(entity.is_closed)  # type: ignore[attr-defined]
    if not np.isfinite(rows).all():
        raise ValueError("a vertex or bulge is not a finite number")
    return rows[:, :2], rows[:, 2], closed


def _arcs(xy: np.ndarray, bulges: np.ndarray, closed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The arcs of a polyline: segment index, signed sweep (radians), radius (m) and centre of each.

    A bulge ``b`` on vertex i makes the segment i → i+1 an arc of sweep ``4·atan(b)`` (positive:
    counter-clockwise); the radius follows from the chord ``c`` as ``c / (2·sin(|sweep|/2))``.
    """
    n = len(xy)
    last = n if closed else n - 1
    idx = np.arange(max(last, 0))
    if not len(idx):
        return idx, np.empty(0), np.empty(0), np.empty((0, 2))
    p1, p2 = xy[idx], xy[(idx + 1) % n]
    chord = np.hypot(*(p2 - p1).T)
    b = bulges[idx]
    is_arc = (np.abs(b) > 1e-12) & (chord > 0)
    idx, p1, p2, chord, b = idx[is_arc], p1[is_arc], p2[is_arc], chord[is_arc], b[is_arc]
    sweep = 4.0 * np.arctan(b)
    radius = chord / (2.0 * np.abs(np.sin(sweep / 2.0)))
    d = p2 - p1
    centre = (p1 + p2) / 2.0 + np.column_stack([-d[:, 1], d[:, 0]]) * ((1.0 - b * b) / (4.0 * b))[:, None]
    return idx, sweep, radius, centre


def _arc_segments(sweep: np.ndarray, radius: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Chords each arc is cut into so that no chord strays more than ``tolerance_m`` from it (at least one a quarter turn)."""
    ratio = np.clip(1.0 - tolerance_m / np.maximum(radius, 1e-300), -1.0, 1.0)
    step = np.minimum(np.pi / 2.0, 2.0 * np.arccos(ratio))
    step = np.where(step > 0, step, np.pi / 2.0)
    return np.maximum(1, np.ceil(np.abs(sweep) / step)).astype(np.int64)


def _expand(xy: np.ndarray, bulges: np.ndarray, closed: bool, tolerance_m: float) -> np.ndarray:
    """The polyline's vertices with every arc replaced by chords within ``tolerance_m`` (an (n, 2) array)."""
    idx, sweep, radius, centre = _arcs(xy, bulges, closed)
    if not len(idx):
        return xy.copy()
    segments = _arc_segments(sweep, radius, tolerance_m)
    pieces: list[np.ndarray] = []
    start = 0
    for i, a, r, c, k in zip(idx, sweep, radius, centre, segments):
        pieces.append(xy[start : i + 1])
        a0 = math.atan2(xy[i, 1] - c[1], xy[i, 0] - c[0])
        angles = a0 + a * np.arange(1, k) / k
        pieces.append(np.column_stack([c[0] + r * np.cos(angles), c[1] + r * np.sin(angles)]))
        start = i + 1
    pieces.append(xy[start:])
    return np.concatenate(pieces)


def _to_wcs(entity: object, pts: np.ndarray) -> np.ndarray:
    """OCS → WCS for a 2D polyline whose extrusion is not +Z (mirrored drawings); WCS input is returned as is."""
    extrusion = entity.dxf.get("extrusion", (0.0, 0.0, 1.0))  # type: ignore[attr-defined]
    if entity.dxftype() == "POLYLINE" and entity.is_3d_polyline:  # type: ignore[attr-defined]
        return pts
    if tuple(round(float(v), 12) for v in extrusion) == (0.0, 0.0, 1.0) or not len(pts):
        return pts
    ocs = entity.ocs()  # type: ignore[attr-defined]
    z = float(entity.dxf.get("elevation", 0.0) or 0.0) if entity.dxftype() == "LWPOLYLINE" else 0.0  # type: ignore[attr-defined]
    return np.array([(v.x, v.y) for v in ocs.points_to_wcs([(x, y, z) for x, y in pts])], dtype=float)


def polyline_coords(entity: object, raw: tuple[np.ndarray, np.ndarray, bool], tolerance_m: float) -> tuple[np.ndarray, bool]:
    """2D WCS vertices of an LWPOLYLINE/POLYLINE (arcs flattened to ``tolerance_m``) and whether it is closed."""
    xy, bulges, closed = raw
    pts = _to_wcs(entity, _expand(xy, bulges, closed, tolerance_m))
    if len(pts) >= 2 and math.dist(pts[0], pts[-1]) < 1e-9:
        closed = closed or len(pts) >= 4
        if closed:
            pts = pts[:-1]
    return pts, closed


def plan_flattening(raws: list[tuple[np.ndarray, np.ndarray, bool]]) -> tuple[float, float, int]:
    """Chord tolerance sized to the drawing, the drawing's extent and the vertex count after flattening.

    The extent is the larger side of the box holding every polyline vertex and every arc's whole
    circle (an arc may bulge far beyond its vertices). The tolerance is ``extent /
    settings.DXF_FLATTEN_FRACTION``, never finer than ``settings.DXF_FLATTEN_MIN_M``; the count is exact
    (what :func:`polyline_coords` will make) and is computed without expanding anything.

    Returns
    -------
    tuple of (float, float, int)
        Tolerance in drawing units (metres), extent in the same units, vertices after flattening.
    """
    lo = np.full(2, np.inf)
    hi = np.full(2, -np.inf)
    arcs = []
    total = 0
    for xy, bulges, closed in raws:
        total += len(xy)
        if len(xy):
            lo, hi = np.minimum(lo, xy.min(axis=0)), np.maximum(hi, xy.max(axis=0))
        _, sweep, radius, centre = _arcs(xy, bulges, closed)
        if len(sweep):
            lo = np.minimum(lo, (centre - radius[:, None]).min(axis=0))
            hi = np.maximum(hi, (centre + radius[:, None]).max(axis=0))
            arcs.append((sweep, radius))
    extent = float(np.max(hi - lo)) if np.isfinite(lo).all() else 0.0
    tolerance = max(settings.DXF_FLATTEN_MIN_M, extent / max(settings.DXF_FLATTEN_FRACTION, 1))
    for sweep, radius in arcs:
        total += int((_arc_segments(sweep, radius, tolerance) - 1).sum())
    return tolerance, extent, total
