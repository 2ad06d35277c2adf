"""The tiled catchment index behind :mod:`gis.coverage` (private; the method is described there).

A catchment in EPSG:4547 is cut into tiles classified inside / outside / boundary with 2-D prefix sums, and
into blocks whose small pieces are intersected with the parcels that straddle its edge.
:func:`covered_area_chunk` is the whole computation for one chunk of parcels; ``gis.coverage`` re-exports
it with :class:`CatchmentIndex`, :func:`index_catchment` and :func:`default_tile_m`.
"""

from __future__ import annotations

import logging
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from gis import settings
from gis._clip import ConvexEdges, clip_areas, convex_edges, convex_parts, ring_table
from gis.errors import InputError

__all__ = ["CatchmentIndex", "index_catchment", "covered_area_chunk", "default_tile_m", "bounded_tile_m", "workers_for"]

log = logging.getLogger("gis.coverage")

#: Parcels in one chunk below which threads do not pay.
_MIN_PARALLEL: int = 20_000
#: A straddler meeting more blocks than this is intersected with the whole catchment instead.
_MAX_BLOCKS_PER_PARCEL: int = 256
#: Boundary segments a block spans (side of a block ≈ this × the catchment's median segment length).
BLOCK_SEGMENTS: int = 8


@dataclass(frozen=True)
class CatchmentIndex:
    """A catchment in EPSG:4547 prepared for fast coverage queries (immutable, picklable).

    Attributes
    ----------
    geometry : shapely.Geometry
        The catchment polygon(s) in EPSG:4547 metres (not prepared: see :func:`covered_area_chunk`).
    x0, y0 : float
        South-west corner of the tile grid, metres.
    tile_m : float
        Side of a classification tile, metres.
    nx, ny : int
        Tiles across and up.
    inside_sum, outside_sum : numpy.ndarray
        2-D prefix sums, shape ``(ny + 1, nx + 1)``, of tiles wholly inside / wholly outside.
    block_tiles : int
        Tiles per side of one block (the unit the catchment is cut into for intersections).
    pieces : numpy.ndarray
        The catchment cut to each block, shape ``(nby, nbx)``, object array; ``None`` where empty.
    parts : numpy.ndarray
        The pieces cut into convex polygons (exterior counter-clockwise), grouped by block in row-major
        block order, object array.
    part_bounds : numpy.ndarray
        Bounding boxes of ``parts``, shape ``(len(parts), 4)``.
    part_start : numpy.ndarray
        Offsets into ``parts`` per block, shape ``(nby * nbx + 1,)``: block ``(j, i)`` holds
        ``parts[part_start[j * nbx + i]:part_start[j * nbx + i + 1]]``.
    part_edges : gis._clip.ConvexEdges
        The edges of ``parts`` relative to ``(x0, y0)``, ready for clipping.
    """

    geometry: Any
    x0: float
    y0: float
    tile_m: float
    nx: int
    ny: int
    inside_sum: np.ndarray
    outside_sum: np.ndarray
    block_tiles: int
    pieces: np.ndarray
    parts: np.ndarray
    part_bounds: np.ndarray
    part_start: np.ndarray
    part_edges: ConvexEdges

    @property
    def empty(self) -> bool:
        """True when the catchment covers nothing."""
        return self.nx == 0



def _boundary_segments(geom: shapely.Geometry) -> np.ndarray:
    """All boundary segments of a polygonal geometry as an ``(n, 4)`` array x0, y0, x1, y1."""
    rings = shapely.get_rings(shapely.get_parts(geom))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    if len(coords) < 2:
        return np.empty((0, 4))
    same = ring[1:] == ring[:-1]
    return np.column_stack([coords[:-1][same], coords[1:][same]])


def _ranges(lo: np.ndarray, hi: np.ndarray, origin: float, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Tile index range [first, last] covering coordinates lo..hi (unclipped, as int64)."""
    return np.floor((lo - origin) / step).astype(np.int64), np.floor((hi - origin) / step).astype(np.int64)


def _expand_pairs(i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, j1: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For items with index boxes [i0..i1] × [j0..j1], return (item, i, j) for every cell in the box."""
    ni = i1 - i0 + 1
    nj = j1 - j0 + 1
    counts = ni * nj
    item = np.repeat(np.arange(len(i0)), counts)
    if len(item) == 0:
        return item, item, item
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(len(item)) - starts
    nj_rep = nj[item]
    return item, i0[item] + k // nj_rep, j0[item] + k % nj_rep


def _rect_count(csum: np.ndarray, ix0: np.ndarray, iy0: np.ndarray, ix1: np.ndarray, iy1: np.ndarray) -> np.ndarray:
    return csum[iy1 + 1, ix1 + 1] - csum[iy0, ix1 + 1] - csum[iy1 + 1, ix0] + csum[iy0, ix0]


def _cut_blocks(geometry: shapely.Geometry, x0: float, y0: float, size: float, bi: np.ndarray, bj: np.ndarray) -> np.ndarray:
    """``geometry ∩ block`` for blocks (bi, bj) of side ``size``, through coarse blocks of 8 × 8.

    Cutting a large catchment straight into many small blocks costs one full overlay per block; cutting
    it first into coarse blocks keeps every overlay small. Box sides are computed the same way at both
    levels, so the pieces of neighbouring blocks meet exactly.
    """
    boxes = shapely.box(x0 + bi * size, y0 + bj * size, x0 + (bi + 1) * size, y0 + (bj + 1) * size)
    if len(bi) <= 64:
        return shapely.intersection(geometry, boxes)
    f = 8
    keys, inverse = np.unique(np.column_stack([bi // f, bj // f]), axis=0, return_inverse=True)
    ci, cj = keys[:, 0] * f, keys[:, 1] * f
    coarse = shapely.intersection(geometry, shapely.box(x0 + ci * size, y0 + cj * size, x0 + (ci + f) * size, y0 + (cj + f) * size))
    parent = coarse[inverse.ravel()]
    k = workers_for(None, len(bi) * 50)  # one overlay costs about as much as 50 parcels
    if k == 1:
        return shapely.intersection(parent, boxes)
    halves = np.array_split(np.arange(len(bi)), k)
    with ThreadPoolExecutor(max_workers=k) as pool:  # the overlays release the GIL
        return np.concatenate(list(pool.map(lambda s: shapely.intersection(parent[s], boxes[s]), halves)))


def index_catchment(geometry: shapely.Geometry, *, tile_m: float, block_tiles: int | None = None) -> CatchmentIndex:
    """Prepare a catchment (EPSG:4547) for :func:`covered_area_chunk`.

    Parameters
    ----------
    geometry : shapely.Geometry
        The catchment polygon(s) in EPSG:4547 metres, e.g. from :func:`catchment`.
    tile_m : float, keyword-only
        Side of a classification tile in metres. About twice the typical parcel size is a good choice
        (:func:`default_tile_m`). It drives memory, not only speed: the index needs about 52 bytes per tile
        while it is built (``gis.settings.COVERAGE_INDEX_BYTES_PER_TILE``), and tiles much smaller than the
        parcels make each parcel on the catchment's edge meet more blocks (up to 256 each). So it is raised
        to at least ``radius_m / 200`` by the callers (:func:`gis.coverage.coverage`) and here to keep the grid
        within ``gis.settings.COVERAGE_MAX_TILES`` (4 M tiles ≈ 210 MiB).
    block_tiles : int, optional, keyword-only
        Tiles per side of one block for cutting the catchment into small pieces; by default chosen so
        a block spans about :data:`BLOCK_SEGMENTS` boundary segments.

    Returns
    -------
    CatchmentIndex
        The prepared index.
    """
    geometry = shapely.make_valid(geometry) if not shapely.is_valid(geometry) else geometry
    # the index holds an unprepared geometry: prepared ones are not safe to share between threads
    geometry = shapely.from_wkb(shapely.to_wkb(geometry))
    empty_index = CatchmentIndex(geometry, 0.0, 0.0, 1.0, 0, 0, np.zeros((1, 1), np.int64), np.zeros((1, 1), np.int64), 1,
                                 np.empty((0, 0), dtype=object), np.empty(0, dtype=object), np.empty((0, 4)),
                                 np.zeros(1, dtype=np.int64), convex_edges(np.empty(0, dtype=object)))
    if shapely.is_empty(geometry) or shapely.area(geometry) <= 0:
        return empty_index
    xmin, ymin, xmax, ymax = shapely.bounds(geometry)
    eps = 1e-6 * max(1.0, abs(xmax - xmin), abs(ymax - ymin))
    xmin, ymin, xmax, ymax = xmin - eps, ymin - eps, xmax + eps, ymax + eps
    tile = float(tile_m)
    if not math.isfinite(tile) or tile <= 0:
        raise InputError(f"格网边长须为正数: {tile_m!r}", f"tile size must be positive: {tile_m!r}")
    tile = max(tile, math.sqrt((xmax - xmin) * (ymax - ymin) / settings.COVERAGE_MAX_TILES))
    nx = max(1, math.ceil((xmax - xmin) / tile))
    ny = max(1, math.ceil((ymax - ymin) / tile))
    x0, y0 = xmin, ymin

    # 1. boundary tiles: every tile whose closed square meets a boundary segment (exact in numpy)
    seg = _boundary_segments(geometry)
    sx0, sy0, sx1, sy1 = seg.T
    ix0, ix1 = _ranges(np.minimum(sx0, sx1) - eps, np.maximum(sx0, sx1) + eps, x0, tile)
    iy0, iy1 = _ranges(np.minimum(sy0, sy1) - eps, np.maximum(sy0, sy1) + eps, y0, tile)
    ix0, ix1 = np.clip(ix0, 0, nx - 1), np.clip(ix1, 0, nx - 1)
    iy0, iy1 = np.clip(iy0, 0, ny - 1), np.clip(iy1, 0, ny - 1)
    s, ti, tj = _expand_pairs(ix0, ix1, iy0, iy1)
    dx, dy = (sx1 - sx0)[s], (sy1 - sy0)[s]
    # separating-axis test on the segment's normal: the square misses the line when all four
    # corners lie strictly on one side (tolerance keeps near-touching squares as boundary tiles)
    cx0, cy0 = x0 + ti * tile, y0 + tj * tile
    side = np.stack(
        [dx * (cy - sy0[s]) - dy * (cx - sx0[s]) for cx, cy in ((cx0, cy0), (cx0 + tile, cy0), (cx0, cy0 + tile), (cx0 + tile, cy0 + tile))]
    )
    tol = 1e-9 * np.hypot(dx, dy) * tile
    hits = ~((side > tol).all(axis=0) | (side < -tol).all(axis=0))
    status = np.zeros((ny, nx), dtype=np.int8)  # 0 outside, 1 boundary, 2 inside
    status[tj[hits], ti[hits]] = 1

    # 2. the other tiles are wholly inside or outside: test each centre once
    # along a row, a run of free tiles holds no boundary point, so one centre per run decides it
    free = (status == 0).ravel()
    head = free.copy()
    head[1:] &= ~free[:-1]
    head[::nx] = free[::nx]  # a row's first tile starts a run
    run = np.cumsum(head) - 1
    first = np.nonzero(head)[0]
    probe = shapely.from_wkb(shapely.to_wkb(geometry))
    shapely.prepare(probe)
    inside = shapely.contains_xy(probe, x0 + (first % nx + 0.5) * tile, y0 + (first // nx + 0.5) * tile)
    if len(first):
        status.ravel()[free & inside[run]] = 2

    inside_sum = np.zeros((ny + 1, nx + 1), dtype=np.int64)
    outside_sum = np.zeros((ny + 1, nx + 1), dtype=np.int64)
    inside_sum[1:, 1:] = np.cumsum(np.cumsum(status == 2, axis=0), axis=1)
    outside_sum[1:, 1:] = np.cumsum(np.cumsum(status == 0, axis=0), axis=1)

    # 3. pieces: the catchment cut by blocks of tiles, so straddlers meet a few dozen vertices only
    if block_tiles is None:
        seg_len = float(np.median(np.hypot(sx1 - sx0, sy1 - sy0))) if len(seg) else tile
        block_tiles = max(1, round(BLOCK_SEGMENTS * seg_len / tile))
    block_tiles = int(block_tiles)
    nbx, nby = math.ceil(nx / block_tiles), math.ceil(ny / block_tiles)
    pad = np.zeros((nby * block_tiles, nbx * block_tiles), dtype=np.int8)
    pad[:ny, :nx] = status
    blocks = pad.reshape(nby, block_tiles, nbx, block_tiles)
    any_boundary = (blocks == 1).any(axis=(1, 3))
    all_inside = (blocks == 2).all(axis=(1, 3))
    pieces = np.full((nby, nbx), None, dtype=object)
    bsize = block_tiles * tile
    bj, bi = np.nonzero(all_inside)
    pieces[bj, bi] = shapely.box(x0 + bi * bsize, y0 + bj * bsize, x0 + (bi + 1) * bsize, y0 + (bj + 1) * bsize)
    # blocks with boundary tiles, and blocks whose tiles are inside and outside only (the edge runs
    # along tile sides), are cut from the catchment
    bj, bi = np.nonzero(any_boundary | (~all_inside & (blocks == 2).any(axis=(1, 3))))
    cut = _cut_blocks(geometry, x0, y0, bsize, bi, bj)
    # rings oriented once here (exterior counter-clockwise) for the vectorised clipping
    pieces[bj, bi] = shapely.orient_polygons(cut, exterior_cw=False)
    log.debug("catchment index: %d × %d tiles of %.1f m, %d boundary tiles, blocks of %d tiles",
              nx, ny, tile, int((status == 1).sum()), block_tiles)
    # convex parts of every piece, once: straddlers of any shape are clipped by them in numpy
    flat = pieces.ravel()
    has = np.nonzero(flat != None)[0]  # noqa: E711 (elementwise on an object array)
    parts, src = convex_parts(flat[has])
    block = has[src]
    order = np.argsort(block, kind="stable")
    parts, block = parts[order], block[order]
    part_start = np.searchsorted(block, np.arange(nbx * nby + 1)).astype(np.int64)
    return CatchmentIndex(geometry, x0, y0, tile, nx, ny, inside_sum, outside_sum, block_tiles, pieces,
                          parts, shapely.bounds(parts).reshape(-1, 4), part_start, convex_edges(parts, origin=(x0, y0)))


def _straddler_areas(geoms: np.ndarray, index: CatchmentIndex) -> np.ndarray:
    """Exact covered area of parcels that straddle the catchment edge (EPSG:4547 m²)."""
    if len(geoms) == 0:
        return np.zeros(0)
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    b = shapely.bounds(geoms)
    bsize = index.block_tiles * index.tile_m
    nby, nbx = index.pieces.shape
    bx0, bx1 = _ranges(b[:, 0], b[:, 2], index.x0, bsize)
    by0, by1 = _ranges(b[:, 1], b[:, 3], index.y0, bsize)
    bx0, bx1 = np.clip(bx0, 0, nbx - 1), np.clip(bx1, 0, nbx - 1)
    by0, by1 = np.clip(by0, 0, nby - 1), np.clip(by1, 0, nby - 1)
    big = (bx1 - bx0 + 1) * (by1 - by0 + 1) > _MAX_BLOCKS_PER_PARCEL
    out = np.zeros(len(geoms))
    if big.any():
        out[big] = shapely.area(shapely.intersection(geoms[big], index.geometry))
    small = np.nonzero(~big)[0]
    item, bi, bj = _expand_pairs(bx0[small], bx1[small], by0[small], by1[small])
    blk = bj * nbx + bi
    lo, hi = index.part_start[blk], index.part_start[blk + 1]
    cnt = hi - lo
    item = np.repeat(item, cnt)
    pid = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(int(cnt.sum()))
    # keep the convex parts whose box meets the parcel's box
    pb, gb = index.part_bounds[pid], b[small][item]
    meet = (pb[:, 0] <= gb[:, 2]) & (pb[:, 2] >= gb[:, 0]) & (pb[:, 1] <= gb[:, 3]) & (pb[:, 3] >= gb[:, 1])
    item, pid = item[meet], pid[meet]
    part = clip_areas(index.part_edges, pid, ring_table(geoms[small], origin=(index.x0, index.y0)), item)
    out[small] = np.bincount(item, weights=part, minlength=len(small))
    return out


def covered_area_chunk(geoms: np.ndarray, index: CatchmentIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area, covered area and reach of one chunk of geometries against a prepared catchment.

    This is the partition function: it needs nothing but the chunk and the (picklable) index, so it
    can be mapped over threads, processes or dask partitions.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Geometry
        Geometries in EPSG:4547 metres (missing and empty allowed).
    index : CatchmentIndex
        From :func:`index_catchment`.

    Returns
    -------
    area_m2, covered_m2 : numpy.ndarray of float
        Area and area within the catchment, m².
    reached : numpy.ndarray of bool
        True where the feature meets the catchment: some area within it for polygons; touching it for
        points and lines (which have no area).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    area = np.nan_to_num(shapely.area(geoms), nan=0.0)
    covered = np.zeros(n)
    reached = np.zeros(n, dtype=bool)
    if n == 0 or index.empty:
        return area, covered, reached
    b = shapely.bounds(geoms)
    valid = ~np.isnan(b[:, 0])
    b = np.where(valid[:, None], b, 0.0)  # missing/empty: settled as outside below
    pad = 1e-6 * index.tile_m
    ix0, ix1 = _ranges(b[:, 0] - pad, b[:, 2] + pad, index.x0, index.tile_m)
    iy0, iy1 = _ranges(b[:, 1] - pad, b[:, 3] + pad, index.y0, index.tile_m)
    in_grid = valid & (ix1 >= 0) & (iy1 >= 0) & (ix0 < index.nx) & (iy0 < index.ny)
    beyond = (ix0 < 0) | (iy0 < 0) | (ix1 >= index.nx) | (iy1 >= index.ny)
    cx0, cx1 = np.clip(ix0, 0, index.nx - 1), np.clip(ix1, 0, index.nx - 1)
    cy0, cy1 = np.clip(iy0, 0, index.ny - 1), np.clip(iy1, 0, index.ny - 1)
    tiles = (cx1 - cx0 + 1) * (cy1 - cy0 + 1)
    n_in = _rect_count(index.inside_sum, cx0, cy0, cx1, cy1)
    n_out = _rect_count(index.outside_sum, cx0, cy0, cx1, cy1)
    settled_in = in_grid & ~beyond & (n_in == tiles)
    settled_out = ~in_grid | (n_out == tiles)
    covered[settled_in] = area[settled_in]
    reached[settled_in] = True

    maybe = np.nonzero(~settled_in & ~settled_out)[0]
    if len(maybe):
        # GEOS builds a prepared geometry's indexes lazily, so threads must not share one: each chunk
        # prepares its own copy (a fraction of a millisecond)
        local = shapely.from_wkb(shapely.to_wkb(index.geometry))
        shapely.prepare(local)
        g = geoms[maybe]
        polygonal = area[maybe] > 0
        touches = shapely.intersects(local, g)
        reached[maybe] = touches
        pm = maybe[polygonal & touches]
        within = shapely.contains_properly(local, geoms[pm])
        covered[pm[within]] = area[pm[within]]
        straddle = pm[~within]
        covered[straddle] = _straddler_areas(geoms[straddle], index)
        reached[pm] = covered[pm] > 0
    return area, covered, reached


def default_tile_m(geoms: np.ndarray, radius_m: float) -> float:
    """Tile size for the catchment index: about twice the median parcel extent, within [r/200, r/2].

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Geometry
        Parcels in EPSG:4547 metres (a sample of at most 20 000 is used).
    radius_m : float
        Service distance in metres.

    Returns
    -------
    float
        Tile side in metres.
    """
    sample = geoms[:: max(1, len(geoms) // 20_000)]
    b = shapely.bounds(sample)
    ext = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) if len(sample) else np.array([])
    ext = ext[np.isfinite(ext) & (ext > 0)]
    typical = float(np.median(ext)) if len(ext) else radius_m / 10
    r = max(radius_m, 1.0)
    return float(np.clip(2 * typical, r / 200, r / 2))


def bounded_tile_m(tile_m: float | None, geoms: np.ndarray, radius_m: float) -> float:
    """The tile size to index with: ``tile_m`` if given (raised to ``radius_m / 200``), else :func:`default_tile_m`.

    Parameters
    ----------
    tile_m : float or None
        Requested tile side in metres (None: chosen from the parcels).
    geoms : numpy.ndarray of shapely.Geometry
        Parcels in EPSG:4547 metres.
    radius_m : float
        Service distance in metres.

    Returns
    -------
    float
        Tile side in metres, never below the default's own floor ``radius_m / 200``, so a tiny ``tile_m`` cannot
        make each edge parcel meet hundreds of blocks (memory per parcel); the grid's size is bounded by
        :func:`index_catchment`.

    Raises
    ------
    gis.errors.InputError
        ``tile_m`` is not a positive number.
    """
    if tile_m is None:
        return default_tile_m(geoms, radius_m)
    tile = float(tile_m)
    if not math.isfinite(tile) or tile <= 0:
        raise InputError(f"格网边长须为正数: {tile_m!r}", f"tile size must be positive: {tile_m!r}")
    floor = max(radius_m, 1.0) / 200
    if tile < floor:
        log.info("tile_m %.3g m raised to %.3g m (radius / 200): smaller tiles cost memory, not accuracy", tile, floor)
    return max(tile, floor)


def workers_for(workers: int | None, n: int) -> int:
    """Threads for ``n`` parcels: ``workers`` if given, else 1 below a chunk that pays, else the cores (≤ 8)."""
    if workers is not None:
        return max(1, int(workers))
    if n < _MIN_PARALLEL:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))
