"""Areas and lengths, always measured on EPSG:4547 (CGCS2000 / 3-degree GK CM 114E).

1 亩 is exactly 10000/15 m². Geographic input is projected through one guard
(:func:`to_measuring_crs`); nothing here calls ``.area`` or ``.length`` on degrees.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from gis.crs import CGCS2000_GK_CM114
from gis.errors import CRSError

__all__ = [
    "M2_PER_MU",
    "M2_PER_HA",
    "M2_PER_KM2",
    "to_measuring_crs",
    "area_m2",
    "area_mu",
    "area_ha",
    "area_km2",
    "length_m",
    "length_km",
    "m2_to_mu",
    "UNITS",
]

#: Square metres in one 亩 (mu), exactly.
M2_PER_MU: float = 10000.0 / 15.0
#: Square metres in one hectare.
M2_PER_HA: float = 10_000.0
#: Square metres in one square kilometre.
M2_PER_KM2: float = 1_000_000.0
#: Unit name → square metres per unit, for ``--unit``.
UNITS: dict[str, float] = {"m2": 1.0, "mu": M2_PER_MU, "ha": M2_PER_HA, "km2": M2_PER_KM2}


def to_measuring_crs(data: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoSeries:
    """Return the geometry of ``data`` in EPSG:4547, the one CRS guard for every measure.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or geopandas.GeoSeries
        Geometry with a CRS set (any CRS pyproj knows).

    Returns
    -------
    geopandas.GeoSeries
        The geometry in EPSG:4547 metres.

    Raises
    ------
    gis.errors.CRSError
        When ``data`` has no CRS: a measure never guesses one.
    """
    geom = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    if geom.crs is None:
        raise CRSError("几何没有坐标系，无法量算", "geometry has no CRS; cannot measure it")
    if geom.crs.to_string() == CGCS2000_GK_CM114 or geom.crs.equals(CGCS2000_GK_CM114):
        return geom
    return geom.to_crs(CGCS2000_GK_CM114)


def area_m2(data: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each geometry in square metres, computed on EPSG:4547.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or geopandas.GeoSeries
        Geometry with a CRS; points and lines have area 0, missing geometry gives 0.

    Returns
    -------
    pandas.Series
        Area in m², indexed like ``data``.
    """
    return to_measuring_crs(data).area.fillna(0.0).rename("area_m2")


def m2_to_mu(m2: float | pd.Series) -> float | pd.Series:
    """Convert square metres to 亩 (1 亩 = 10000/15 m²)."""
    return m2 / M2_PER_MU


def area_mu(data: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each geometry in 亩 (1 亩 = 10000/15 m²), computed on EPSG:4547."""
    return (area_m2(data) / M2_PER_MU).rename("area_mu")


def area_ha(data: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each geometry in hectares, computed on EPSG:4547."""
    return (area_m2(data) / M2_PER_HA).rename("area_ha")


def area_km2(data: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each geometry in km², computed on EPSG:4547."""
    return (area_m2(data) / M2_PER_KM2).rename("area_km2")


def length_m(data: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Length of each geometry in metres (perimeter for polygons), computed on EPSG:4547."""
    return to_measuring_crs(data).length.fillna(0.0).rename("length_m")


def length_km(data: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Length of each geometry in kilometres, computed on EPSG:4547."""
    return (length_m(data) / 1000.0).rename("length_km")
