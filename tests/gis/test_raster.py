"""Population within reach from rasters made in the test, and the distance GeoTIFF."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import Point

from gis import raster
from gis.errors import InputError, LimitExceeded

E, N = 489_700.0, 2_536_800.0


def write_raster(path, data, *, crs, transform, nodata=None) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                       dtype="float32", crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(data.astype("float32"), 1)


@pytest.fixture
def uniform_4547(tmp_path):
    """10 people per 10 m × 10 m pixel over 4 km × 4 km centred on the lake (EPSG:4547)."""
    path = tmp_path / "pop.tif"
    data = np.full((400, 400), 10.0)
    write_raster(path, data, crs="EPSG:4547", transform=from_origin(E - 2000, N + 2000, 10, 10))
    return path


def station(x=E, y=N, crs="EPSG:4547") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": ["tod"]}, geometry=[Point(x, y)], crs=crs)


def test_uniform_population_in_a_circle_is_density_times_area(uniform_4547) -> None:
    res = raster.population_within_reach(uniform_4547, station(), radius_m=800)
    buffer_area = station().buffer(800).area.iloc[0]  # the 64-gon, m²
    # 0.1 people per m²; area-weighted edge pixels make it exact up to float rounding
    assert res["population_within"] == pytest.approx(0.1 * buffer_area, rel=1e-9)
    assert res["population_total"] == pytest.approx(10.0 * 400 * 400)
    assert res["share"] == pytest.approx(0.1 * buffer_area / 1.6e6, rel=1e-9)


def test_raster_in_degrees_gives_nearly_the_same_count(tmp_path) -> None:
    # a WorldPop-like raster in EPSG:4326 with uniform density: ~3 arc-second pixels of ~92 m × 85 m
    lon0, lat0 = gpd.GeoSeries([Point(E, N)], crs="EPSG:4547").to_crs("EPSG:4326").iloc[0].coords[0]
    res_deg = 1 / 1200
    n = 60
    transform = from_origin(lon0 - n / 2 * res_deg, lat0 + n / 2 * res_deg, res_deg, res_deg)
    path = tmp_path / "pop4326.tif"
    # people per pixel proportional to the pixel's true area, i.e. a uniform 0.01 people / m²
    pix = gpd.GeoSeries.from_xy([lon0], [lat0], crs="EPSG:4326")
    from shapely.geometry import box
    cell = gpd.GeoSeries([box(lon0, lat0, lon0 + res_deg, lat0 + res_deg)], crs="EPSG:4326").to_crs("EPSG:4547").area.iloc[0]
    write_raster(path, np.full((n, n), 0.01 * cell), crs="EPSG:4326", transform=transform)
    res = raster.population_within_reach(path, station(*pix.iloc[0].coords[0], crs="EPSG:4326"), radius_m=1000)
    expected = 0.01 * station().buffer(1000).area.iloc[0]
    assert res["population_within"] == pytest.approx(expected, rel=2e-3)


def test_nodata_counts_as_nobody_and_edges_are_weighted(tmp_path) -> None:
    path = tmp_path / "pop.tif"
    data = np.full((20, 20), 100.0)
    data[:, :10] = -1  # west half no data
    # 100 m pixels; the station sits on a pixel corner at the middle
    write_raster(path, data, crs="EPSG:4547", transform=from_origin(E - 1000, N + 1000, 100, 100), nodata=-1)
    res = raster.population_within_reach(path, station(), radius_m=250)
    half_circle = station().buffer(250).area.iloc[0] / 2
    assert res["population_within"] == pytest.approx(half_circle * 100 / 10_000, rel=1e-9)
    assert res["population_total"] == pytest.approx(100.0 * 200)


def test_catchment_outside_the_raster_reaches_nobody(uniform_4547) -> None:
    res = raster.population_within_reach(uniform_4547, station(E + 50_000, N), radius_m=800)
    assert res["population_within"] == 0.0


def test_by_facility_type(uniform_4547) -> None:
    facilities = gpd.GeoDataFrame({"kind": ["tod", "bus_stop", "bus_stop"]},
                                  geometry=[Point(E, N), Point(E - 1000, N), Point(E + 1000, N)], crs="EPSG:4547")
    table = raster.population_by_facility_type(uniform_4547, facilities, radii_m={"tod": 800, "bus_stop": 300, "school": 500})
    assert table["type"].tolist() == ["tod", "bus_stop", "school"]
    assert table["facilities"].tolist() == [1, 2, 0]
    two_circles = 2 * station().buffer(300).area.iloc[0] * 0.1
    assert table.loc[1, "population_within"] == pytest.approx(two_circles, rel=1e-9)
    assert table.loc[2, "population_within"] == 0.0


def test_unreadable_raster_is_an_input_error(tmp_path) -> None:
    bad = tmp_path / "bad.tif"
    bad.write_text("not a tiff")
    with pytest.raises(InputError):
        raster.population_within_reach(bad, station(), radius_m=500)


def test_distance_raster_is_a_cog_in_4547(tmp_path) -> None:
    facilities = gpd.GeoDataFrame(geometry=[Point(E, N), Point(E + 3000, N)], crs="EPSG:4547").to_crs("EPSG:4326")
    out = raster.distance_raster(facilities, tmp_path / "dist.tif", bounds_4547=(E - 2000, N - 2000, E + 5000, N + 2000), resolution_m=10)
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 4547
        assert src.res == (10.0, 10.0)
        assert src.profile["tiled"] and src.profile["blockxsize"] == 512
        assert src.compression.name.lower() == "deflate"
        assert src.overviews(1), "internal overviews"
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        grid = src.read(1)
        # the pixel whose centre is 1005 m east, 5 m south of the first station
        r, c = src.index(E + 1005, N - 5)
        assert grid[r, c] == pytest.approx(np.hypot(1005, 5), abs=0.1)
        # far west edge: nearest is the first station
        r, c = src.index(E - 1995, N + 5)
        assert grid[r, c] == pytest.approx(np.hypot(1995, 5), abs=0.1)
        assert grid.min() < 10 and grid.max() == pytest.approx(np.hypot(2000, 2000), abs=15)


def test_distance_raster_limits(tmp_path) -> None:
    with pytest.raises(InputError):
        raster.distance_raster(gpd.GeoDataFrame(geometry=[], crs="EPSG:4547"), tmp_path / "x.tif")
    with pytest.raises(LimitExceeded):
        raster.distance_raster(station(), tmp_path / "x.tif", bounds_4547=(E, N, E + 100_000, N + 100_000), resolution_m=10)
