"""The app on a PostGIS store whose database stops under it: every page says so in one banner, shows the plan's
baseline read-only (never a traceback, never "no data"), and the banner goes by itself when the database returns.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pg_cluster import Cluster, start_cluster, unavailable_reason

from .conftest import App, running_app, shot, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

PAGES = ["map", "roads", "land", "metrics", "plan", "data"]
BANNER = "数据库无法连接"


def _pg_ctl(cluster: Cluster, *args: str) -> None:
    cluster._run(str(cluster.bindir / "pg_ctl"), "-D", str(cluster.root / "data"), *args)


def _stop_server(cluster: Cluster) -> None:
    _pg_ctl(cluster, "-m", "fast", "-w", "stop")


def _start_server(cluster: Cluster) -> None:
    # the same options and port start_cluster used, so the app's URL reaches it again
    opts = (
        f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {cluster.root} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB"
    )
    _pg_ctl(cluster, "-l", str(cluster.root / "server.log"), "-o", opts, "-w", "-t", "60", "start")


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """A cluster of this module's own (the session's shared one must not be stopped under other tests)."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"outage test needs PostGIS: {reason}")
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def pg_app(own_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[App]:
    data_dir = tmp_path_factory.mktemp("outage-app")
    env = {"SSL_GIS_DATABASE_URL": own_cluster.url, "SSL_GIS_STORE_PROBE_S": "1"}
    with running_app(data_dir, editor=False, env_extra=env) as running:
        yield running


def _open(page, app: App, path: str) -> str:
    page.goto(f"{app.url}/{path}")
    page.locator("[data-testid='stSidebar']").wait_for(timeout=60000)
    page.locator("[data-testid='stMain']").wait_for(timeout=60000)
    wait_idle(page)
    return page.locator("[data-testid='stMain']").inner_text()


def test_every_page_shows_the_banner_while_the_database_is_away_and_recovers(pg_app: App, own_cluster: Cluster, page) -> None:
    for path in PAGES:  # the database answers: no banner, the store is seeded
        text = _open(page, pg_app, path)
        assert BANNER not in text, path
    _stop_server(own_cluster)
    try:
        for path in PAGES:
            text = _open(page, pg_app, path)
            page.get_by_text("最后一次成功读取").first.wait_for(timeout=30000)
            wait_idle(page)
            text = page.locator("[data-testid='stMain']").inner_text()
            assert text.count("最后一次成功读取") == 1, (path, text[:500])  # one banner (edit forms add their refusal)
            assert "规划基线（只读）" in text
            assert "Traceback" not in text and "尚无图层数据" not in text, (path, text[:800])
            assert not page.locator("[data-testid='stException']").count(), path
            shot(page, f"outage-{path}")
    finally:
        _start_server(own_cluster)
    deadline = time.monotonic() + 60  # the app asks again at most every second; a few reruns suffice
    for path in PAGES:
        while True:
            text = _open(page, pg_app, path)
            if BANNER not in text or time.monotonic() > deadline:
                break
            page.wait_for_timeout(1000)
        assert BANNER not in text, path
        assert not page.locator("[data-testid='stException']").count(), path
