"""Fixtures for the store tests on PostGIS: one throwaway cluster per session, one fresh schema per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from pg_cluster import Cluster, start_cluster, unavailable_reason


@pytest.fixture(autouse=True)
def _no_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's SSL_GIS_DATABASE_URL must never point a test at a real database."""
    monkeypatch.delenv("SSL_GIS_DATABASE_URL", raising=False)


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
