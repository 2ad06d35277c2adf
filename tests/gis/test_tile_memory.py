"""tile_m drives memory: a tiny tile cannot make the catchment index or the edge parcels exceed their bounds."""

from __future__ import annotations

import tracemalloc

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis import settings
from gis.coverage import bounded_tile_m, catchment, coverage, default_tile_m, index_catchment
from gis.errors import InputError

E0, N0 = 489_700.0, 2_536_800.0


def _stations(n: int = 40) -> gpd.GeoSeries:
    rng = np.random.default_rng(5)
    return gpd.GeoSeries(shapely.points(E0 + rng.uniform(-4000, 4000, n), N0 + rng.uniform(-4000, 4000, n)), crs="EPSG:4547")


def test_a_tiny_tile_keeps_the_index_within_its_tile_budget(monkeypatch):
    monkeypatch.setattr(settings, "COVERAGE_MAX_TILES", 200_000)
    c = catchment(_stations(), radius_m=800)
    tracemalloc.start()
    try:
        index = index_catchment(c, tile_m=0.5)  # 0.5 m asked: 10 km square → 400 M tiles if not bounded
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert index.nx * index.ny <= 200_000 * 1.01
    assert peak <= 200_000 * settings.COVERAGE_INDEX_BYTES_PER_TILE * 1.5 + 8 * 2**20, peak


def test_requested_tile_is_raised_to_the_default_floor():
    geoms = np.asarray(shapely.box(np.arange(5) * 30.0, 0, np.arange(5) * 30.0 + 20, 20), dtype=object)
    assert bounded_tile_m(0.01, geoms, 800.0) == pytest.approx(4.0)  # radius / 200
    assert bounded_tile_m(50.0, geoms, 800.0) == 50.0
    assert bounded_tile_m(None, geoms, 800.0) == default_tile_m(geoms, 800.0)
    with pytest.raises(InputError):
        bounded_tile_m(-1.0, geoms, 800.0)


def test_a_tiny_tile_gives_the_same_numbers():
    parcels = gpd.GeoSeries(shapely.box(E0 + np.arange(30) * 50.0, N0, E0 + np.arange(30) * 50.0 + 40, N0 + 40), crs="EPSG:4547")
    stations = gpd.GeoSeries([shapely.Point(E0 + 700, N0 + 20)], crs="EPSG:4547")
    tiny = coverage(parcels, stations, radius_m=500, tile_m=0.001)
    default = coverage(parcels, stations, radius_m=500)
    np.testing.assert_allclose(tiny["covered_m2"].to_numpy(), default["covered_m2"].to_numpy(), rtol=1e-9, atol=1e-6)
