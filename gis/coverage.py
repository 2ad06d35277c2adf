"""Coverage: the share of polygon area (and of features) within a service distance of facilities.

Everything is measured on EPSG:4547 (through :func:`gis.area.to_measuring_crs`). The catchment is the
union of the facilities' buffers (``quad_segs=16``, geopandas' default, so a straightforward
``buffer → union → overlay`` gives the same polygon). The result is exact: it equals that overlay to
floating-point rounding (tested to 1e-9 relative), but only parcels that straddle the catchment's edge
are ever intersected.

How it stays fast (all vectorised shapely 2 and numpy, no Python loop over parcels):

1. The catchment's bounding box is cut into square *tiles*. A tile whose closed square meets a boundary
   segment of the catchment (exact segment/square test in numpy) is a *boundary* tile; every other tile
   lies wholly inside or wholly outside, decided by one point-in-polygon test of its centre.
2. A parcel's bounding box covers a block of tiles; 2-D prefix sums say in O(1) whether all of them are
   inside (covered = area) or all outside (covered = 0). Most parcels are settled here with no GEOS call.
3. The rest are tested against the prepared catchment: ``contains_properly`` (covered = area) and
   ``intersects`` (covered = 0 when false).
4. Only the parcels left straddle the edge. The catchment is cut by a coarser grid of blocks into small
   *pieces*, and once per catchment each piece into convex *parts* (convex pieces whole, the others by
   constrained Delaunay triangles). Each straddler — of any shape: non-convex, many vertices, holes,
   several parts — is clipped in numpy by the convex parts its box meets (Sutherland–Hodgman, only the
   part edges that cross the straddler's box), and the areas are summed.

:func:`covered_area_chunk` is the whole computation for one chunk of parcels against a prebuilt
:class:`CatchmentIndex`; :func:`coverage` maps it over chunks on threads (shapely releases the GIL), and a
dask version can map the same function over partitions. The index and steps 1–4 live in the private
``gis._catchment_index`` (re-exported here); this module holds the catchment and the coverage tables.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._catchment_index import (
    CatchmentIndex,
    bounded_tile_m,
    covered_area_chunk,
    default_tile_m,
    index_catchment,
    workers_for,
)
from gis.area import to_measuring_crs
from gis.errors import InputError

__all__ = [
    "BUFFER_QUAD_SEGS",
    "CatchmentIndex",
    "catchment",
    "index_catchment",
    "covered_area_chunk",
    "coverage",
    "covered_share",
    "uncovered",
    "coverage_report",
    "coverage_by_radius",
    "check_radius",
    "default_tile_m",
    "bounded_tile_m",
]

log = logging.getLogger(__name__)

#: Segments per quarter circle of every buffer (geopandas' default ``resolution``).
BUFFER_QUAD_SEGS: int = 16
#: Largest service distance accepted, in metres (a larger one is almost surely a unit mistake).
MAX_RADIUS_M: float = 100_000.0
def check_radius(radius_m: float) -> float:
    """Return a service distance as a float, or refuse it.

    Parameters
    ----------
    radius_m : float
        Service distance in metres.

    Returns
    -------
    float
        The distance in metres.

    Raises
    ------
    gis.errors.InputError
        When it is not a number, negative, or beyond ``MAX_RADIUS_M``.
    """
    try:
        r = float(radius_m)
    except (TypeError, ValueError):
        raise InputError(f"服务半径不是数字: {radius_m!r}", f"the service radius is not a number: {radius_m!r}") from None
    if not math.isfinite(r) or r < 0 or r > MAX_RADIUS_M:
        raise InputError(
            f"服务半径须在 0 到 {MAX_RADIUS_M:.0f} 米之间，得到 {radius_m!r}",
            f"the service radius must be between 0 and {MAX_RADIUS_M:.0f} m, got {radius_m!r}",
        )
    return r


def catchment(facilities: gpd.GeoDataFrame | gpd.GeoSeries, *, radius_m: float) -> shapely.Geometry:
    """Union of the facilities' buffers: the area within ``radius_m`` of any facility.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame or geopandas.GeoSeries
        Facilities of any geometry type, in any CRS (must have one).
    radius_m : float, keyword-only
        Service distance in metres, 0 ≤ radius ≤ 100 km.

    Returns
    -------
    shapely.Geometry
        The catchment in EPSG:4547 metres (possibly empty). Buffers use ``quad_segs=16``.

    Raises
    ------
    gis.errors.InputError
        Bad radius, or facilities without a CRS.
    """
    r = check_radius(radius_m)
    geoms = np.asarray(to_measuring_crs(facilities).to_numpy(), dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return shapely.Polygon()
    if r > 0:
        buffers = shapely.buffer(geoms, r, quad_segs=BUFFER_QUAD_SEGS)
    else:
        buffers = geoms[shapely.get_dimensions(geoms) == 2]
    if len(buffers) == 0:
        return shapely.Polygon()
    area_only = shapely.union_all(buffers)
    # union_all may return a collection with lower-dimensional leftovers; keep the polygons only
    parts = shapely.get_parts(area_only)
    parts = parts[shapely.get_dimensions(parts) == 2]
    return shapely.multipolygons(parts) if len(parts) > 1 else (parts[0] if len(parts) else shapely.Polygon())




def coverage(
    polygons: gpd.GeoDataFrame | gpd.GeoSeries,
    facilities: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    radius_m: float,
    workers: int | None = None,
    tile_m: float | None = None,
) -> pd.DataFrame:
    """Area of each polygon within ``radius_m`` of any facility, exactly, on EPSG:4547.

    Parameters
    ----------
    polygons : geopandas.GeoDataFrame or geopandas.GeoSeries
        Parcels (or any polygon layer), any CRS. Points and lines are allowed: they have no area and
        count as reached when they touch the catchment.
    facilities : geopandas.GeoDataFrame or geopandas.GeoSeries
        Facilities (points, lines or polygons), any CRS.
    radius_m : float, keyword-only
        Service distance in metres.
    workers : int, optional, keyword-only
        Threads to use; by default all cores for 20 000 polygons or more, otherwise one.
    tile_m : float, optional, keyword-only
        Classification tile size in metres. The result does not depend on it, but memory does: the catchment
        index needs ~52 bytes per tile (bounded by ``gis.settings.COVERAGE_MAX_TILES``, 4 M tiles ≈ 210 MiB)
        and tiles far smaller than the parcels make edge parcels meet many blocks. Default: twice the median
        parcel extent within [radius/200, radius/2] (the measured ~1 KiB per parcel of ``bench/RESULTS.md``);
        a given value is raised to at least radius/200.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``polygons``, with ``area_m2`` (m²), ``covered_m2`` (m² within reach), ``share``
        (covered / area, 0–1; for points and lines 1.0 when reached, else 0.0) and ``reached`` (bool).

    Raises
    ------
    gis.errors.InputError
        Bad radius, or an input without a CRS.
    """
    r = check_radius(radius_m)
    geoms = np.asarray(to_measuring_crs(polygons).to_numpy(), dtype=object)
    index = index_catchment(catchment(facilities, radius_m=r), tile_m=bounded_tile_m(tile_m, geoms, r))
    k = workers_for(workers, len(geoms))
    if k == 1:
        area, covered, reached = covered_area_chunk(geoms, index)
    else:
        chunks = np.array_split(geoms, k)
        with ThreadPoolExecutor(max_workers=k) as pool:
            parts = list(pool.map(lambda c: covered_area_chunk(c, index), chunks))
        area, covered, reached = (np.concatenate([p[i] for p in parts]) for i in range(3))
    # rounding may put an intersection a hair above the parcel's own area
    covered = np.minimum(covered, area)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(area > 0, covered / np.where(area > 0, area, 1.0), reached.astype(float))
    return pd.DataFrame({"area_m2": area, "covered_m2": covered, "share": share, "reached": reached}, index=polygons.index)


def covered_share(table: pd.DataFrame) -> float:
    """Area-weighted share covered, 0–1, of a :func:`coverage` table (0.0 when the area is 0)."""
    total = float(table["area_m2"].sum())
    return float(table["covered_m2"].sum()) / total if total > 0 else 0.0


def uncovered(polygons: gpd.GeoDataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """The features of ``polygons`` that nothing reaches (``reached`` False in ``table``), same CRS."""
    return polygons.loc[~table["reached"].to_numpy()]


def coverage_by_radius(
    polygons: gpd.GeoDataFrame | gpd.GeoSeries,
    facilities: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    radii_m: tuple[float, ...] | list[float],
) -> pd.DataFrame:
    """Summary of coverage at several service distances.

    Parameters
    ----------
    polygons, facilities : geopandas.GeoDataFrame or geopandas.GeoSeries
        As in :func:`coverage`.
    radii_m : sequence of float, keyword-only
        Service distances in metres.

    Returns
    -------
    pandas.DataFrame
        One row per radius: ``radius_m``, ``area_m2``, ``covered_m2``, ``covered_share`` (area share,
        0–1), ``features``, ``features_reached`` and ``feature_share`` (0–1).
    """
    rows = []
    for r in radii_m:
        t = coverage(polygons, facilities, radius_m=r)
        n = len(t)
        rows.append({
            "radius_m": float(r),
            "area_m2": float(t["area_m2"].sum()),
            "covered_m2": float(t["covered_m2"].sum()),
            "covered_share": covered_share(t),
            "features": n,
            "features_reached": int(t["reached"].sum()),
            "feature_share": float(t["reached"].mean()) if n else 0.0,
        })
    return pd.DataFrame(rows)


def _id_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def coverage_report(
    parcels: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame | gpd.GeoSeries, *, radius_m: float
) -> dict[str, Any]:
    """Coverage as the ``python -m gis coverage --json`` document.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Parcels in any CRS; an ``id`` column, if present, is echoed.
    facilities : geopandas.GeoDataFrame or geopandas.GeoSeries
        Facilities in any CRS.
    radius_m : float, keyword-only
        Service distance in metres.

    Returns
    -------
    dict
        ``{"radius_m", "covered_share", "features": [{"index", "id", "area_m2", "covered_m2", "share"}]}``
        (the contract), plus ``area_m2``, ``covered_m2`` (totals, m²), ``features_reached`` and
        ``uncovered`` (indices of features nothing reaches). Shares are 0–1, areas m² on EPSG:4547.
    """
    table = coverage(parcels, facilities, radius_m=radius_m)
    ids = parcels["id"].tolist() if isinstance(parcels, gpd.GeoDataFrame) and "id" in parcels.columns else [None] * len(table)
    area, covered, share = (table[c].to_numpy(dtype=float) for c in ("area_m2", "covered_m2", "share"))
    reached = table["reached"].to_numpy()
    features = [
        {"index": i, "id": _id_or_none(ids[i]), "area_m2": float(area[i]), "covered_m2": float(covered[i]), "share": float(share[i])}
        for i in range(len(table))
    ]
    return {
        "radius_m": float(radius_m),
        "covered_share": covered_share(table),
        "area_m2": float(area.sum()),
        "covered_m2": float(covered.sum()),
        "features_reached": int(reached.sum()),
        "uncovered": [int(i) for i in np.nonzero(~reached)[0]],
        "features": features,
    }
