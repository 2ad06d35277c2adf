"""ui.outage and ui.data's store health: a database that cannot be reached is said once per page, never a traceback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parents[2]
PAGES = ["ui/page_map.py", "ui/page_roads.py", "ui/page_land.py", "ui/page_metrics.py", "ui/page_plan.py", "ui/page_data.py"]


def _closed_port() -> int:
    with socket.socket() as s:  # bound and closed: nothing listens there, a connect is refused at once
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def unreachable_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"postgresql://planner@127.0.0.1:{_closed_port()}/gis"
    monkeypatch.setenv("SSL_GIS_DATABASE_URL", url)
    monkeypatch.setenv("SSL_GIS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.delenv("SSL_GIS_STORE", raising=False)
    monkeypatch.chdir(PROJECT)
    return url


def _errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def test_every_page_shows_one_banner_and_the_baseline(unreachable_db: str) -> None:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120).run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        banners = [e for e in _errors(at) if "数据库无法连接" in e]
        assert len(banners) == 1, (page, _errors(at))
        assert "规划基线（只读）" in banners[0] and "本次运行尚无" in banners[0]
        texts = " ".join(str(m.value) for m in at.markdown) + " ".join(str(w.value) for w in at.info)
        assert "尚无图层数据" not in texts, page  # the baseline is shown, not "no data"


def test_edits_are_refused_with_the_outage_message(unreachable_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from gis import users

    users.add_user(Path(os.environ["SSL_GIS_USERS_FILE"]), "planner", "s3cret-Pa55", rounds=4)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120).run()
    at.switch_page("ui/page_data.py").run()
    assert not at.exception
    warnings = [str(w.value) for w in at.warning]
    assert any("数据库无法连接，暂不能保存修改" in w for w in warnings), warnings


def test_health_recovers_when_the_store_answers_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ui import data

    monkeypatch.setenv("SSL_GIS_STORE", str(tmp_path / "working.gpkg"))
    monkeypatch.delenv("SSL_GIS_DATABASE_URL", raising=False)
    monkeypatch.setattr("gis.settings.STORE_PROBE_INTERVAL_S", 0.0)
    broken = {"on": True}

    class Flaky:
        def stamp(self, *, max_age_s: float = 0.0) -> str:
            if broken["on"]:
                raise OSError("connection refused")
            return "s1"

    monkeypatch.setattr(data, "_store_at", lambda location: Flaky())
    down = data.store_health()
    assert not down.reachable and down.reason == "connection refused" and down.last_good is None
    assert data.get_store() is None
    broken["on"] = False
    up = data.store_health()
    assert up.reachable and up.last_good is not None and up.reason == ""
    assert isinstance(data.get_store(), Flaky)
