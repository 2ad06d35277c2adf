"""Rasters: population within reach of facilities, and a distance-to-nearest-facility GeoTIFF.

Population (a WorldPop-style GeoTIFF of people per pixel, in any CRS): the catchment — the union of the
facilities' buffers, built on EPSG:4547 by :func:`gis.coverage.catchment` — is reprojected into the
raster's CRS (its 78 m-long buffer segments keep the reprojection faithful), and pixels are weighted by
the share of their area inside it: pixels wholly inside count fully, pixels cut by the catchment's edge
count by the exact fraction of their square inside (shapely clipping in the raster's CRS), i.e. people are
taken as spread evenly over a pixel. No-data pixels count as 0 people.

Distance: a float32 GeoTIFF on EPSG:4547 whose pixels hold the distance in metres from the pixel centre
to the nearest facility, written by GDAL's own ``COG`` driver (cloud-optimised GeoTIFF: 512-pixel tiles,
DEFLATE, internal overviews, IFDs first) through rasterio; rio-cogeo is not needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import rasterio.shutil
import rasterio.windows
import shapely
from rasterio.io import MemoryFile
from rasterio.transform import from_origin

from gis.area import to_measuring_crs
from gis.coverage import catchment
from gis.crs import CGCS2000_GK_CM114
from gis.errors import InputError, LimitExceeded

__all__ = [
    "MAX_DISTANCE_CELLS",
    "population_within_reach",
    "population_by_facility_type",
    "distance_raster",
]

#: Largest distance raster, in cells (about 2 000 × 2 000).
MAX_DISTANCE_CELLS: int = 4_000_000


def _open(path: str | Path) -> rasterio.DatasetReader:
    try:
        return rasterio.open(Path(path))
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"无法读取栅格 {Path(path).name}: {exc}", f"cannot read the raster {Path(path).name}: {exc}") from None


def _xy(transform: rasterio.Affine, cols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map pixel (col, row) positions to CRS coordinates with an affine transform."""
    return transform.a * cols + transform.b * rows + transform.c, transform.d * cols + transform.e * rows + transform.f


def _pixel_weights(geom: shapely.Geometry, shape: tuple[int, int], transform: rasterio.Affine) -> np.ndarray:
    """Share (0–1) of each pixel's area inside ``geom`` (both in the raster's CRS)."""
    if shapely.is_empty(geom):
        return np.zeros(shape)
    inside = rasterio.features.rasterize([(geom, 1)], out_shape=shape, transform=transform, fill=0, dtype="uint8").astype(bool)
    edge = rasterio.features.rasterize(
        [(shapely.boundary(geom), 1)], out_shape=shape, transform=transform, fill=0, all_touched=True, dtype="uint8"
    ).astype(bool)
    weights = (inside & ~edge).astype(float)
    rows, cols = np.nonzero(edge)
    if len(rows):
        # pixel squares of the edge cells (a north-up raster: the transform has no rotation)
        x0, y0 = _xy(transform, cols, rows)
        x1, y1 = _xy(transform, cols + 1, rows + 1)
        boxes = shapely.box(np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1))
        weights[rows, cols] = shapely.area(shapely.intersection(boxes, geom)) / shapely.area(boxes)
    return weights


def population_within_reach(
    population: str | Path,
    facilities: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    radius_m: float,
    band: int = 1,
) -> dict[str, float]:
    """People within ``radius_m`` of any facility, from a population raster.

    Parameters
    ----------
    population : str or pathlib.Path
        GeoTIFF (or any raster GDAL reads) of people per pixel, north-up, in any CRS.
    facilities : geopandas.GeoDataFrame or geopandas.GeoSeries
        Facilities in any CRS.
    radius_m : float, keyword-only
        Service distance in metres (measured on EPSG:4547).
    band : int, keyword-only
        Band holding the counts.

    Returns
    -------
    dict
        ``population_within`` (people, area-weighted at the catchment's edge), ``population_total``
        (people in the whole raster) and ``share`` (0–1; 0.0 when the raster holds nobody).

    Raises
    ------
    gis.errors.InputError
        Unreadable raster, a raster without a CRS, or a rotated raster.
    """
    geom_4547 = catchment(facilities, radius_m=radius_m)
    with _open(population) as src:
        if src.crs is None:
            raise InputError("人口栅格没有坐标系", "the population raster has no CRS")
        if src.transform.b != 0 or src.transform.d != 0:
            raise InputError("不支持旋转的栅格", "rotated rasters are not supported")
        full = src.read(band, masked=True)
        total = float(np.ma.filled(full.astype("float64"), 0.0).sum())
        within = 0.0
        if not shapely.is_empty(geom_4547):
            geom = gpd.GeoSeries([geom_4547], crs=CGCS2000_GK_CM114).to_crs(src.crs).iloc[0]
            geom = shapely.make_valid(geom)
            win = rasterio.windows.from_bounds(*shapely.bounds(geom), transform=src.transform)
            # whole pixels covering the catchment, clipped to the raster
            c0, r0 = max(0, math.floor(win.col_off)), max(0, math.floor(win.row_off))
            c1 = min(src.width, math.ceil(win.col_off + win.width))
            r1 = min(src.height, math.ceil(win.row_off + win.height))
            if c1 > c0 and r1 > r0:
                window = rasterio.windows.Window(c0, r0, c1 - c0, r1 - r0)
                data = np.ma.filled(full[r0:r1, c0:c1].astype("float64"), 0.0)
                weights = _pixel_weights(geom, data.shape, src.window_transform(window))
                within = float((data * weights).sum())
    return {"population_within": within, "population_total": total, "share": within / total if total > 0 else 0.0}


def population_by_facility_type(
    population: str | Path,
    facilities: gpd.GeoDataFrame,
    *,
    radii_m: Mapping[str, float],
    type_col: str = "kind",
) -> pd.DataFrame:
    """Population within reach of each facility type.

    Parameters
    ----------
    population : str or pathlib.Path
        Population raster (see :func:`population_within_reach`).
    facilities : geopandas.GeoDataFrame
        Facilities in any CRS with a ``type_col`` column.
    radii_m : mapping, keyword-only
        Facility type → service distance in metres; types not listed are skipped.
    type_col : str, keyword-only
        Column naming the type.

    Returns
    -------
    pandas.DataFrame
        One row per type in ``radii_m``: ``type``, ``radius_m``, ``facilities``, ``population_within``,
        ``population_total`` (people) and ``share`` (0–1).
    """
    if type_col not in facilities.columns:
        raise InputError(f"设施图层缺少字段 {type_col}", f"the facilities have no column {type_col!r}")
    rows = []
    for kind, radius in radii_m.items():
        sel = facilities.loc[facilities[type_col] == kind]
        res = population_within_reach(population, sel, radius_m=radius)
        rows.append({"type": kind, "radius_m": float(radius), "facilities": len(sel), **res})
    return pd.DataFrame(rows, columns=["type", "radius_m", "facilities", "population_within", "population_total", "share"])


def distance_raster(
    facilities: gpd.GeoDataFrame | gpd.GeoSeries,
    path: str | Path,
    *,
    bounds_4547: tuple[float, float, float, float] | None = None,
    resolution_m: float = 50.0,
    margin_m: float = 2000.0,
) -> Path:
    """Write a GeoTIFF (EPSG:4547, COG layout) of the distance in metres to the nearest facility.

    Parameters
    ----------
    facilities : geopandas.GeoDataFrame or geopandas.GeoSeries
        Facilities (any geometry) in any CRS; at least one.
    path : str or pathlib.Path
        Output file (``.tif``); its folder must exist.
    bounds_4547 : tuple of float, optional, keyword-only
        (xmin, ymin, xmax, ymax) in EPSG:4547 metres; by default the facilities' bounds plus ``margin_m``.
    resolution_m : float, keyword-only
        Pixel size in metres.
    margin_m : float, keyword-only
        Margin around the facilities when ``bounds_4547`` is not given, metres.

    Returns
    -------
    pathlib.Path
        The written file: float32, one band, nodata none, 512 × 512 tiles, DEFLATE (floating-point
        predictor), internal overviews; written by GDAL's ``COG`` driver.

    Raises
    ------
    gis.errors.InputError
        No facilities, a bad resolution, or a grid larger than :data:`MAX_DISTANCE_CELLS`.
    """
    geoms = np.asarray(to_measuring_crs(facilities).to_numpy(), dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        raise InputError("没有设施，无法计算距离", "no facilities to measure distances to")
    if not (math.isfinite(resolution_m) and resolution_m > 0):
        raise InputError(f"像元大小须为正数: {resolution_m}", f"the pixel size must be positive: {resolution_m}")
    if bounds_4547 is None:
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        xmin, ymin, xmax, ymax = xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m
    else:
        xmin, ymin, xmax, ymax = bounds_4547
    width = max(1, math.ceil((xmax - xmin) / resolution_m))
    height = max(1, math.ceil((ymax - ymin) / resolution_m))
    if width * height > MAX_DISTANCE_CELLS:
        raise LimitExceeded(
            f"距离栅格 {width}×{height} 超过上限 {MAX_DISTANCE_CELLS} 个像元，请加大像元",
            f"a {width}×{height} distance raster exceeds {MAX_DISTANCE_CELLS} cells; use larger pixels",
        )
    transform = from_origin(xmin, ymin + height * resolution_m, resolution_m, resolution_m)
    cols, rows = np.meshgrid(np.arange(width), np.arange(height))
    xs, ys = _xy(transform, cols.ravel() + 0.5, rows.ravel() + 0.5)
    tree = shapely.STRtree(geoms)
    _, dist = tree.query_nearest(shapely.points(xs, ys), return_distance=True, all_matches=False)
    grid = dist.reshape(height, width).astype("float32")
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "float32",
        "crs": CGCS2000_GK_CM114, "transform": transform,
    }
    out = Path(path)
    with MemoryFile() as mem:
        with mem.open(**profile) as tmp:
            tmp.write(grid, 1)
            tmp.set_band_description(1, "distance to nearest facility (m)")
            tmp.update_tags(units="m", method="Euclidean distance on EPSG:4547 from the pixel centre")
        with mem.open() as tmp:
            rasterio.shutil.copy(
                tmp, out, driver="COG", compress="DEFLATE", predictor="FLOATING_POINT", blocksize=512,
                overview_resampling="AVERAGE",
            )
    return out
