"""Vectorised areas of intersection with convex polygons (private helper of :mod:`gis.coverage`).

GEOS' overlay costs about 7–10 µs per call even for two small polygons (far more for parcels of many
vertices), which dominates coverage at city scale. Sutherland–Hodgman clipping gives the same area:
clipping any ring (convex or not, exterior or hole) by a convex polygon yields a ring whose signed
(shoelace) area is exactly the signed area of the ring's intersection with that polygon, even where the
clipped ring has degenerate zero-width bridges along the clip edges. Summing over rings oriented
exterior-CCW/holes-CW gives the area of the intersection. Done for many pairs at once in numpy, one pass
per clip edge that crosses the subject's bounding box. :mod:`gis.coverage` clips parcels of any shape by
the convex parts of the catchment (:func:`convex_parts`, :func:`convex_edges`, :func:`ring_table`,
:func:`clip_areas`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

__all__ = [
    "ConvexEdges", "RingTable", "is_convex_polygon", "convex_edges", "ring_table", "clip_areas",
    "convex_intersection_area", "convex_parts",
]

#: Convex polygons with more edges than this go to GEOS (one numpy pass per edge).
MAX_CLIP_EDGES: int = 64


def _ring_bounds(ring: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For vertices grouped by sorted ``ring`` id: index of each vertex's successor and ring start."""
    n = len(ring)
    idx = np.arange(n)
    is_start = np.ones(n, dtype=bool)
    is_start[1:] = ring[1:] != ring[:-1]
    start = np.maximum.accumulate(np.where(is_start, idx, 0))
    is_end = np.ones(n, dtype=bool)
    is_end[:-1] = is_start[1:]
    nxt = np.where(is_end, start, idx + 1)
    return nxt, start


def is_convex_polygon(geoms: np.ndarray, *, max_edges: int | None = MAX_CLIP_EDGES) -> np.ndarray:
    """True for simple convex polygons without holes and with at most ``max_edges`` edges (64).

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Geometry
        Any geometries (coordinates in any planar CRS).
    max_edges : int or None, keyword-only
        Largest number of edges accepted; None for any number.

    Returns
    -------
    numpy.ndarray of bool
        Convex (every turn the same way, exact zero allowed, total turning one full circle).
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=bool)
    cand = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    if max_edges is not None:
        cand &= shapely.get_num_coordinates(geoms) <= max_edges + 1
    cand &= ~shapely.is_empty(geoms)
    which = np.nonzero(cand)[0]
    if len(which) == 0:
        return out
    coords, ring = shapely.get_coordinates(shapely.get_exterior_ring(geoms[which]), return_index=True)
    # drop each ring's closing vertex
    last = np.ones(len(ring), dtype=bool)
    last[:-1] = ring[1:] != ring[:-1]
    coords, ring = coords[~last], ring[~last]
    nxt, _ = _ring_bounds(ring)
    edge = coords[nxt] - coords
    nxt_edge = edge[nxt]
    cross = edge[:, 0] * nxt_edge[:, 1] - edge[:, 1] * nxt_edge[:, 0]
    dot = (edge * nxt_edge).sum(axis=1)
    k = len(which)
    has_pos = np.bincount(ring, weights=cross > 0, minlength=k) > 0
    has_neg = np.bincount(ring, weights=cross < 0, minlength=k) > 0
    turning = np.bincount(ring, weights=np.arctan2(cross, dot), minlength=k)
    count = np.bincount(ring, minlength=k)
    ok = ~(has_pos & has_neg) & (np.abs(np.abs(turning) - 2 * np.pi) < 1e-6) & (count >= 3)
    out[which] = ok
    return out


@dataclass(frozen=True)
class ConvexEdges:
    """The edges of convex polygons, each oriented so that its polygon lies to its left.

    Attributes
    ----------
    x0, y0, x1, y1 : numpy.ndarray
        Edge start and end points, relative to ``origin``.
    start : numpy.ndarray
        Offsets per polygon, shape ``(n + 1,)``: polygon ``i`` owns edges ``start[i]:start[i + 1]``.
    origin : tuple of float
        The point subtracted from every coordinate.
    """

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    start: np.ndarray
    origin: tuple[float, float]


def convex_edges(convex: np.ndarray, *, origin: tuple[float, float] = (0.0, 0.0)) -> ConvexEdges:
    """Edge table of convex polygons (either orientation) for :func:`clip_areas`.

    Parameters
    ----------
    convex : numpy.ndarray of shapely.Polygon
        Convex polygons without holes, any number of edges (check with :func:`is_convex_polygon`).
    origin : tuple of float, keyword-only
        A point near the data, subtracted for precision with large coordinates.

    Returns
    -------
    ConvexEdges
        The edges, counter-clockwise around each polygon.
    """
    convex = np.asarray(convex, dtype=object)
    n = len(convex)
    coords, cring = shapely.get_coordinates(shapely.get_exterior_ring(convex), return_index=True)
    coords = coords - origin
    is_last = np.ones(len(cring), dtype=bool)
    is_last[:-1] = cring[1:] != cring[:-1]
    es = np.nonzero(~is_last)[0]  # every vertex but a ring's closing one starts an edge
    owner = cring[es]
    x0, y0, x1, y1 = coords[es, 0], coords[es, 1], coords[es + 1, 0], coords[es + 1, 1]
    signed = np.bincount(owner, weights=x0 * y1 - x1 * y0, minlength=n)
    cw = (signed < 0)[owner]
    x0, x1 = np.where(cw, x1, x0), np.where(cw, x0, x1)
    y0, y1 = np.where(cw, y1, y0), np.where(cw, y0, y1)
    start = np.searchsorted(owner, np.arange(n + 1)).astype(np.int64)
    return ConvexEdges(x0, y0, x1, y1, start, (float(origin[0]), float(origin[1])))


@dataclass(frozen=True)
class RingTable:
    """The polygon rings of geometries as flat vertex arrays (no closing vertex), for :func:`clip_areas`.

    Attributes
    ----------
    x, y : numpy.ndarray
        Vertices relative to the origin, grouped by ring, rings grouped by geometry.
    ring : numpy.ndarray
        Ring number of each vertex (sorted).
    vstart, rstart : numpy.ndarray
        Offsets per geometry into the vertices and into the rings, shape ``(n + 1,)``.
    bounds : numpy.ndarray
        Bounding box of each geometry relative to the origin, shape ``(n, 4)`` (zeros when empty).
    """

    x: np.ndarray
    y: np.ndarray
    ring: np.ndarray
    vstart: np.ndarray
    rstart: np.ndarray
    bounds: np.ndarray


def _polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-empty polygons inside polygonal geometries (collections flattened), with their source index."""
    parts, source = shapely.get_parts(geoms, return_index=True)
    while True:  # collections may nest (a GeometryCollection holding a MultiPolygon)
        multi = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))
        if not multi.any():
            break
        sub, sub_idx = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        source = np.concatenate([source[~multi], source[multi][sub_idx]])
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, source = parts[keep], source[keep]
    order = np.argsort(source, kind="stable")
    return parts[order], source[order]


def ring_table(geoms: np.ndarray, *, origin: tuple[float, float] = (0.0, 0.0), oriented: bool = False) -> RingTable:
    """Flatten the rings of polygonal geometries, exterior counter-clockwise and holes clockwise.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Geometry
        Valid polygons, multipolygons or collections; ``None``, empty and non-polygonal parts count as nothing.
    origin : tuple of float, keyword-only
        Subtracted from every coordinate.
    oriented : bool, keyword-only
        True when the rings are already oriented that way (saves that step).

    Returns
    -------
    RingTable
        The vertices.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    types = shapely.get_type_id(geoms)
    if n and np.isin(types, (3, 6)).all():  # polygons and multipolygons: read without making ring objects
        return _ragged_ring_table(geoms, origin, oriented)
    parts, part_geom = _polygon_parts(geoms)
    if not oriented:
        parts = shapely.orient_polygons(parts, exterior_cw=False)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_geom = part_geom[ring_part]
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    last = np.ones(len(ring), dtype=bool)
    last[:-1] = ring[1:] != ring[:-1]
    x, y, ring = coords[~last, 0] - origin[0], coords[~last, 1] - origin[1], ring[~last]
    vstart = np.searchsorted(ring_geom[ring], np.arange(n + 1)).astype(np.int64)
    rstart = np.searchsorted(ring_geom, np.arange(n + 1)).astype(np.int64)
    b = shapely.bounds(geoms) - (origin[0], origin[1], origin[0], origin[1])
    return RingTable(x, y, ring, vstart, rstart, np.where(np.isnan(b), 0.0, b))


def _ragged_ring_table(geoms: np.ndarray, origin: tuple[float, float], oriented: bool) -> RingTable:
    """:func:`ring_table` of polygons and multipolygons through one ``shapely.to_ragged_array`` call."""
    n = len(geoms)
    _, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    if len(offsets) == 3:  # any multipolygon makes every geometry one
        ring_off, poly_off, geom_off = offsets
        poly_geom = np.repeat(np.arange(n), np.diff(geom_off))
        ring_poly = np.repeat(np.arange(len(poly_off) - 1), np.diff(poly_off))
        ring_geom = poly_geom[ring_poly]
    else:
        ring_off, poly_off = offsets
        ring_poly = ring_geom = np.repeat(np.arange(n), np.diff(poly_off))
    nring = len(ring_off) - 1
    lens = np.diff(ring_off)
    # drop each ring's closing vertex; ring k keeps vertices ring_off[k] … ring_off[k + 1] - 2
    keep_len = np.maximum(lens - 1, 0)
    ring = np.repeat(np.arange(nring), keep_len)
    pos = np.arange(len(ring)) - np.repeat(np.cumsum(keep_len) - keep_len, keep_len)
    src = ring_off[:-1][ring] + pos
    if not oriented:
        # exterior counter-clockwise, holes clockwise: flip the rings whose signed area says otherwise
        x, y = coords[:, 0] - origin[0], coords[:, 1] - origin[1]
        nxt = np.minimum(np.arange(len(coords)) + 1, max(len(coords) - 1, 0))
        twice = x * y[nxt] - x[nxt] * y
        last = np.zeros(len(coords), dtype=bool)
        last[ring_off[1:] - 1] = True  # a ring's closing vertex pairs with the next ring: not an edge
        signed = np.bincount(np.repeat(np.arange(nring), lens), weights=np.where(last, 0.0, twice)[: int(lens.sum())],
                             minlength=nring)
        first_of_poly = np.ones(nring, dtype=bool)
        first_of_poly[1:] = ring_poly[1:] != ring_poly[:-1]
        flip = np.where(first_of_poly, signed < 0, signed > 0)[ring]
        src = np.where(flip, ring_off[:-1][ring] + keep_len[ring] - 1 - pos, src)
    x, y = coords[src, 0] - origin[0], coords[src, 1] - origin[1]
    vstart = np.searchsorted(ring_geom[ring], np.arange(n + 1)).astype(np.int64)
    rstart = np.searchsorted(ring_geom, np.arange(n + 1)).astype(np.int64)
    b = shapely.bounds(geoms) - (origin[0], origin[1], origin[0], origin[1])
    return RingTable(x, y, ring, vstart, rstart, np.where(np.isnan(b), 0.0, b))


def _expand(start: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items ``idx`` owning ranges ``start[i]:start[i + 1]``: (item number, element) of every element."""
    lo = start[idx]
    cnt = start[idx + 1] - lo
    item = np.repeat(np.arange(len(idx)), cnt)
    return item, np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(len(item))


def clip_areas(edges: ConvexEdges, clip_idx: np.ndarray, rings: RingTable, subj_idx: np.ndarray) -> np.ndarray:
    """Area of ``convex[clip_idx[k]] ∩ subject[subj_idx[k]]`` for every pair k.

    Sutherland–Hodgman clipping of the subject's rings (any shape, holes and multi-parts allowed) by the
    convex polygon, all pairs at once in numpy. Only the clip edges whose line crosses the subject's
    bounding box are applied (an edge whose closed half-plane holds the whole box changes nothing), and
    a pair whose box lies wholly outside one edge is zero; pairs are ordered by how many edges they need,
    so pass j touches only the pairs with more than j edges.

    Parameters
    ----------
    edges : ConvexEdges
        From :func:`convex_edges`.
    clip_idx : numpy.ndarray of int
        Convex polygon of each pair.
    rings : RingTable
        From :func:`ring_table`, with the same origin as ``edges``.
    subj_idx : numpy.ndarray of int
        Subject of each pair.

    Returns
    -------
    numpy.ndarray of float
        The intersection areas, one per pair, in the square units of the coordinates.
    """
    clip_idx = np.asarray(clip_idx, dtype=np.int64)
    subj_idx = np.asarray(subj_idx, dtype=np.int64)
    n = len(clip_idx)
    if n == 0:
        return np.zeros(0)
    epair, eid = _expand(edges.start, clip_idx)
    ax, ay, bx, by = edges.x0[eid], edges.y0[eid], edges.x1[eid], edges.y1[eid]
    ob = rings.bounds[subj_idx][epair]
    dx, dy = bx - ax, by - ay
    corner = np.stack([dx * (cy - ay) - dy * (cx - ax)
                       for cx, cy in ((ob[:, 0], ob[:, 1]), (ob[:, 2], ob[:, 1]), (ob[:, 0], ob[:, 3]), (ob[:, 2], ob[:, 3]))])
    dead = np.zeros(n, dtype=bool)
    dead[epair[(corner < 0).all(axis=0)]] = True  # the subject lies wholly outside this edge
    act = ~(corner >= 0).all(axis=0) & ~dead[epair]
    epair, ax, ay, bx, by = epair[act], ax[act], ay[act], bx[act], by[act]
    nact = np.bincount(epair, minlength=n)
    # pairs in order of decreasing edge count; their rings and vertices follow that order
    alive = np.nonzero(~dead)[0]
    alive = alive[np.argsort(-nact[alive], kind="stable")]
    s = subj_idx[alive]
    rpair, rid = _expand(rings.rstart, s)
    vpair, vid = _expand(rings.vstart, s)
    ring_pair = alive[rpair]
    rbase = np.cumsum(rings.rstart[s + 1] - rings.rstart[s])
    rbase = rbase - (rings.rstart[s + 1] - rings.rstart[s]) - rings.rstart[s]
    x, y, ring = rings.x[vid], rings.y[vid], rings.ring[vid] + rbase[vpair]
    # edge tables (max edges, pairs); the rings of pairs needing pass j are a prefix of the ring numbers
    rank = np.arange(len(epair)) - np.searchsorted(epair, epair)
    max_edges = int(nact.max()) if len(epair) else 0
    tab = np.zeros((4, max_edges, n))
    tab[:, rank, epair] = ax, ay, bx, by
    rings_per_alive = np.bincount(rpair, minlength=len(alive))
    n_alive_act = nact[alive]
    for j in range(max_edges):
        r_end = int(rings_per_alive[n_alive_act > j].sum())  # rings of the pairs with an edge j
        cut = int(np.searchsorted(ring, r_end))
        if cut == 0:
            break
        hx, hy, hr = x[:cut], y[:cut], ring[:cut]
        pair = ring_pair[hr]
        ajx, ajy, bjx, bjy = tab[0, j, pair], tab[1, j, pair], tab[2, j, pair], tab[3, j, pair]
        d = (bjx - ajx) * (hy - ajy) - (bjy - ajy) * (hx - ajx)
        inside = d >= 0
        nxt, _ = _ring_bounds(hr)
        in_n = inside[nxt]
        leave = inside & ~in_n
        enter = ~inside & in_n
        count = (inside & in_n) + leave + 2 * enter
        with np.errstate(invalid="ignore", divide="ignore"):
            t = d / (d - d[nxt])
            cx = hx + t * (hx[nxt] - hx)
            cy = hy + t * (hy[nxt] - hy)
        crossing = leave | enter
        first_x = np.where(crossing, cx, hx[nxt])
        first_y = np.where(crossing, cy, hy[nxt])
        pos = np.cumsum(count) - count
        total = int(count.sum())
        nx_, ny_, nr = np.empty(total), np.empty(total), np.empty(total, dtype=ring.dtype)
        emit = count > 0
        nx_[pos[emit]], ny_[pos[emit]], nr[pos[emit]] = first_x[emit], first_y[emit], hr[emit]
        second = pos[enter] + 1
        nx_[second], ny_[second], nr[second] = hx[nxt][enter], hy[nxt][enter], hr[enter]
        x, y, ring = np.concatenate([nx_, x[cut:]]), np.concatenate([ny_, y[cut:]]), np.concatenate([nr, ring[cut:]])
    if len(ring) == 0:
        return np.zeros(n)
    nxt, _ = _ring_bounds(ring)
    twice = x * y[nxt] - x[nxt] * y
    return np.bincount(ring_pair[ring], weights=twice, minlength=n) / 2.0


def convex_intersection_area(
    convex: np.ndarray, other: np.ndarray, *, origin: tuple[float, float] = (0.0, 0.0), oriented: bool = False
) -> np.ndarray:
    """Area of ``convex[k] ∩ other[k]`` for every pair k, in the square units of the coordinates.

    Parameters
    ----------
    convex : numpy.ndarray of shapely.Polygon
        Convex polygons without holes (check with :func:`is_convex_polygon`).
    other : numpy.ndarray of shapely.Geometry
        Valid polygons or multipolygons (holes allowed); ``None`` or empty counts as nothing.
    origin : tuple of float, keyword-only
        A point near the data, subtracted before computing, for precision with large coordinates.
    oriented : bool, keyword-only
        True when ``other`` is already oriented exterior counter-clockwise, holes clockwise
        (``shapely.orient_polygons(..., exterior_cw=False)``); saves that step.

    Returns
    -------
    numpy.ndarray of float
        The intersection areas, one per pair.
    """
    convex = np.asarray(convex, dtype=object)
    other = np.asarray(other, dtype=object)
    k = np.arange(len(convex))
    return clip_areas(convex_edges(convex, origin=origin), k, ring_table(other, origin=origin, oriented=oriented), k)


def convex_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut polygons into convex polygons without holes that tile them exactly.

    Convex polygons are kept whole (of any size); the others are split by GEOS' constrained Delaunay
    triangulation (its triangles use the polygon's own vertices, so they cover it exactly).

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Geometry
        Valid polygonal geometries (polygons, multipolygons, collections; others are ignored).

    Returns
    -------
    parts : numpy.ndarray of shapely.Polygon
        The convex parts, exterior counter-clockwise.
    source : numpy.ndarray of int
        For each part, the index in ``geoms`` it came from.
    """
    parts, source = _polygon_parts(np.asarray(geoms, dtype=object))
    convex = is_convex_polygon(parts, max_edges=None)
    tri, tri_src = shapely.get_parts(shapely.constrained_delaunay_triangles(parts[~convex]), return_index=True)
    tri_keep = shapely.area(tri) > 0
    out = np.concatenate([parts[convex], tri[tri_keep]])
    src = np.concatenate([source[convex], source[~convex][tri_src[tri_keep]]])
    return shapely.orient_polygons(out, exterior_cw=False), src.astype(np.int64)
