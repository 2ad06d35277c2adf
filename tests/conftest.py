"""Shared fixtures: small data made in code, never read from the internet."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import geopandas as gpd
import pytest
from pg_cluster import Cluster, start_cluster, unavailable_reason
from shapely.geometry import Polygon, box

from gis.crs import CGCS2000_GK_CM114

#: Songshan Lake in EPSG:4547 metres (DESIGN.md: ≈ 489700, 2536800).
LAKE_E, LAKE_N = 489_700.0, 2_536_800.0


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own user data folder, so no test touches a real working store."""
    monkeypatch.setenv("SSL_GIS_DATA_DIR", str(tmp_path_factory.mktemp("userdata")))
    for name in ("SSL_GIS_DATABASE_URL", "SSL_GIS_STORE", "SSL_GIS_USERS_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def square_100m() -> gpd.GeoDataFrame:
    """A 100 m × 100 m square near the lake in EPSG:4547 (15 亩 exactly)."""
    return gpd.GeoDataFrame(
        {"id": ["sq-1"], "name_zh": ["方块"]},
        geometry=[box(LAKE_E, LAKE_N, LAKE_E + 100, LAKE_N + 100)],
        crs=CGCS2000_GK_CM114,
    )


@pytest.fixture
def parcels_4326() -> gpd.GeoDataFrame:
    """Three irregular parcels around the lake, made in metres and stored in EPSG:4326."""
    e, n = LAKE_E + 1500, LAKE_N - 2000
    polys = [
        Polygon([(e, n), (e + 310, n + 20), (e + 290, n + 240), (e + 40, n + 260), (e - 15, n + 120)]),
        Polygon([(e + 400, n), (e + 700, n), (e + 700, n + 180), (e + 400, n + 180)]),
        Polygon([(e - 600, n + 500), (e - 200, n + 520), (e - 260, n + 900), (e - 650, n + 880)]),
    ]
    gdf = gpd.GeoDataFrame(
        {"id": ["p-1", "p-2", "p-3"], "name_zh": ["地块一", "地块二", "地块三"], "action": ["consolidation", "reserve", "reserve"]},
        geometry=polys,
        crs=CGCS2000_GK_CM114,
    )
    return gdf.to_crs("EPSG:4326")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL + PostGIS server on a free loopback port, stopped and deleted after the session.

    Skipped with the reason where Debian's postgresql/postgis packages are missing — but in CI (CI=true)
    that is a failure, so the PostGIS backend is always tested there.
    """
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI must test the PostGIS store: {reason}", pytrace=False)
        pytest.skip(f"PostGIS store tests skipped: {reason}")
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A database URL whose store schema is new for this test."""
    return f"{pg_cluster.url}?schema=t_{uuid.uuid4().hex[:12]}"
