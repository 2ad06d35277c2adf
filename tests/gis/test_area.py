"""Areas in m², 亩, ha and km² on EPSG:4547, and agreement with a geodesic area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, box

from gis import area
from gis.errors import CRSError


def test_mu_is_exactly_ten_thousand_fifteenths() -> None:
    assert area.M2_PER_MU == 10000 / 15


def test_square_of_100m_is_15_mu(square_100m) -> None:
    assert area.area_m2(square_100m).iloc[0] == pytest.approx(10_000.0, rel=1e-12)
    assert area.area_mu(square_100m).iloc[0] == pytest.approx(15.0, rel=1e-12)
    assert area.area_ha(square_100m).iloc[0] == pytest.approx(1.0, rel=1e-12)
    assert area.area_km2(square_100m).iloc[0] == pytest.approx(0.01, rel=1e-12)


def test_square_survives_a_round_trip_through_degrees(square_100m) -> None:
    in_degrees = square_100m.to_crs("EPSG:4326")
    assert area.area_mu(in_degrees).iloc[0] == pytest.approx(15.0, rel=1e-9)


def test_geodesic_agreement_within_a_tenth_of_a_percent(parcels_4326) -> None:
    geod = Geod(ellps="GRS80")
    geodesic = np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in parcels_4326.geometry])
    planar = area.area_m2(parcels_4326).to_numpy()
    assert np.all(np.abs(planar - geodesic) / geodesic < 1e-3)


def test_lengths_in_metres_and_km() -> None:
    line = gpd.GeoSeries([LineString([(489_700, 2_536_800), (492_700, 2_540_800)])], crs="EPSG:4547")
    assert area.length_m(line).iloc[0] == pytest.approx(5000.0)
    assert area.length_km(line).iloc[0] == pytest.approx(5.0)


def test_measuring_without_a_crs_is_refused() -> None:
    with pytest.raises(CRSError):
        area.area_m2(gpd.GeoSeries([box(0, 0, 1, 1)]))


def test_missing_geometry_has_zero_area(square_100m) -> None:
    gdf = square_100m.copy()
    gdf.loc[1] = ["sq-2", "空", None]
    assert list(area.area_m2(gdf)) == pytest.approx([10_000.0, 0.0])
