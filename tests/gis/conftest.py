"""Shared store set-up of tests/gis: where a store lives (GeoPackage or PostGIS) and a store seeded with roads.

``location`` is parametrised, so every test taking it (or ``store``) runs on both backends. The PostGIS runs
use the session's throwaway cluster (``pg_url`` in tests/conftest.py: a fresh schema per test); they are skipped
with the reason where Debian's postgresql/postgis packages are missing, and fail instead in CI.

``store`` seeds the ``roads`` fixture; a test module with other roads defines its own ``roads`` and the seeded
store takes those (pytest looks a fixture up from the test that asks for it).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from gis.store import PostgisStore, Store, open_store

E, N = 489_700.0, 2_536_800.0  # Songshan Lake, EPSG:4547


def road_lines() -> list[LineString]:
    """The three test roads' lines in EPSG:4547 metres: 1.5 km east, 2 km north, 0.8 km east."""
    return [
        LineString([(E, N), (E + 1500, N)]),
        LineString([(E, N + 500), (E, N + 2500)]),
        LineString([(E + 200, N + 200), (E + 1000, N + 200)]),
    ]


@pytest.fixture
def roads() -> gpd.GeoDataFrame:
    """Three roads made in EPSG:4547 metres (the store keeps EPSG:4326)."""
    return gpd.GeoDataFrame(
        {
            "id": ["road-01", "road-02", "road-03"],
            "name_zh": ["一号路", "二号路", "三号路"],
            "status": ["planned", "planned", "under_construction"],
            "length_km": [1.5, 2.0, 0.8],
            "lanes": [4, 6, 2],
            "updated_at": [None, None, None],
            "updated_by": [None, None, None],
        },
        geometry=road_lines(),
        crs="EPSG:4547",
    )


@pytest.fixture(params=["gpkg", "postgis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a GeoPackage path (not yet created) or a PostGIS URL (a fresh schema)."""
    if request.param == "gpkg":
        return str(tmp_path / "data" / "working.gpkg")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(location: str, roads: gpd.GeoDataFrame) -> Store | PostgisStore:
    """A new store at ``location`` holding one layer, ``roads`` (version 1 each)."""
    s = open_store(location)
    assert s.seed({"roads": roads}) == ["roads"]
    return s


def unjs(page: str) -> str:
    """A map page with its JSON ``\\uXXXX`` escapes decoded, to read the texts it carries.

    folium and :func:`gis.map_controls.js_literal` write ``<``, ``>`` and ``&`` so, and folium every non-ASCII
    character too.
    """
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
