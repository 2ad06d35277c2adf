"""GCJ-02/BD-09 conversion against a reference package, and CRS sniffing."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point, Polygon

from gis import crs

coord_convert = pytest.importorskip("coord_convert.transform")
GEOD = Geod(ellps="WGS84")

# A grid over Dongguan (lon 113.5–114.3, lat 22.6–23.2).
LONS, LATS = np.meshgrid(np.linspace(113.5, 114.3, 9), np.linspace(22.6, 23.2, 7))
LONS, LATS = LONS.ravel(), LATS.ravel()


def _metres(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    return GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2]


def test_forward_matches_reference_package() -> None:
    g_lon, g_lat = crs.wgs84_to_gcj02(LONS, LATS)
    ref = np.array([coord_convert.wgs2gcj(lo, la) for lo, la in zip(LONS, LATS)])
    assert np.max(_metres(g_lon, g_lat, ref[:, 0], ref[:, 1])) < 0.01


def test_offset_in_dongguan_is_a_few_hundred_metres() -> None:
    g_lon, g_lat = crs.wgs84_to_gcj02(LONS, LATS)
    d = _metres(LONS, LATS, g_lon, g_lat)
    assert 250 < d.min() and d.max() < 700


def test_inverse_round_trip_under_half_a_metre() -> None:
    g_lon, g_lat = crs.wgs84_to_gcj02(LONS, LATS)
    w_lon, w_lat = crs.gcj02_to_wgs84(g_lon, g_lat)
    assert np.max(_metres(LONS, LATS, w_lon, w_lat)) < 0.005  # 5 mm, far inside the 0.5 m contract


def test_inverse_beats_reference_package_approximation() -> None:
    # coord_convert's gcj2wgs is the one-step approximation (metres off); ours must agree with it to a
    # few metres and be exact where it is not.
    g_lon, g_lat = crs.wgs84_to_gcj02(LONS, LATS)
    ours = np.array(crs.gcj02_to_wgs84(g_lon, g_lat)).T
    ref = np.array([coord_convert.gcj2wgs(lo, la) for lo, la in zip(g_lon, g_lat)])
    assert np.max(_metres(ours[:, 0], ours[:, 1], ref[:, 0], ref[:, 1])) < 5.0


def test_bd09_round_trip_and_reference() -> None:
    b_lon, b_lat = crs.wgs84_to_bd09(LONS, LATS)
    ref = np.array([coord_convert.wgs2bd(lo, la) for lo, la in zip(LONS, LATS)])
    assert np.max(_metres(b_lon, b_lat, ref[:, 0], ref[:, 1])) < 0.01
    w_lon, w_lat = crs.bd09_to_wgs84(b_lon, b_lat)
    assert np.max(_metres(LONS, LATS, w_lon, w_lat)) < 0.5


def test_outside_china_is_unchanged() -> None:
    lon, lat = crs.wgs84_to_gcj02([2.35], [48.85])
    assert lon[0] == 2.35 and lat[0] == 48.85


def test_transform_frame_shifts_every_vertex_and_keeps_attributes() -> None:
    poly = Polygon([(113.88, 22.93), (113.89, 22.93), (113.89, 22.94), (113.88, 22.93)])
    gdf = gpd.GeoDataFrame({"name_zh": ["甲"]}, geometry=[poly, ][:1], crs="EPSG:4326")
    shifted = crs.transform_frame(gdf, "wgs84-to-gcj02")
    back = crs.transform_frame(shifted, "gcj02-to-wgs84")
    assert shifted.crs == gdf.crs and list(shifted["name_zh"]) == ["甲"]
    a = np.array(gdf.geometry.iloc[0].exterior.coords)
    s = np.array(shifted.geometry.iloc[0].exterior.coords)
    b = np.array(back.geometry.iloc[0].exterior.coords)
    assert np.all(_metres(a[:, 0], a[:, 1], s[:, 0], s[:, 1]) > 250)
    assert np.all(_metres(a[:, 0], a[:, 1], b[:, 0], b[:, 1]) < 0.01)


@pytest.mark.parametrize(
    ("bounds", "expected", "swap"),
    [
        ((113.85, 22.88, 113.95, 22.96), "EPSG:4326", False),
        ((22.88, 113.85, 22.96, 113.95), "EPSG:4326", True),
        ((489_000.0, 2_536_000.0, 491_000.0, 2_538_000.0), "EPSG:4547", False),
        ((2_536_000.0, 489_000.0, 2_538_000.0, 491_000.0), "EPSG:4547", True),
        ((38_489_000.0, 2_536_000.0, 38_491_000.0, 2_538_000.0), "EPSG:4526", False),
        ((1.0e7, 1.0e7, 1.1e7, 1.1e7), None, False),
    ],
)
def test_sniff_crs(bounds, expected, swap) -> None:
    guess = crs.sniff_crs(bounds)
    assert guess.crs == expected
    assert guess.swap_xy is swap
    assert guess.note_zh and guess.note_en  # the user is always told what was assumed


def test_sniffed_4547_lands_on_the_lake() -> None:
    guess = crs.sniff_crs((489_700.0, 2_536_800.0, 489_700.0, 2_536_800.0))
    pt = gpd.GeoSeries([Point(489_700.0, 2_536_800.0)], crs=guess.crs).to_crs("EPSG:4326").iloc[0]
    # Songshan Lake's centre is near 113.90 E, 22.92 N.
    assert abs(pt.x - 113.90) < 0.03 and abs(pt.y - 22.92) < 0.03
