"""Under AppTest: a 2021 plan carrying road-07 leaves the 2020 roads board and 指标 figures as they were (issue 16).

The store is seeded, the 2020 board and figures are read, the 2021 plan (written here) is accepted, and a new run
of the app shows the same 2020 board — 18 roads, road-07 with its 2020 deadline — while 2021 shows road-07 alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gis.store import open_store
from layers.plan_items import accept_proposals, proposals_from_text
from layers.registry import seed_store

PROJECT = Path(__file__).resolve().parents[2]
PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力优化交通。力争年底前打通10条联网路；上半年建成松湖智谷公交首末站。
"""
PICKS = {"力争年底前打通10条联网路": {"link_id": "road_links:road-07"},
         "上半年建成松湖智谷公交首末站": {"lon": 113.885, "lat": 22.915}}


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working store seeded from the bundled data (no 2021 plan yet)."""
    path = tmp_path / "working.gpkg"
    monkeypatch.setenv("SSL_GIS_STORE", str(path))
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.setenv("SSL_GIS_SESSION_SECRET", "test-only-session-secret-0123456789")
    monkeypatch.chdir(PROJECT)
    seed_store(open_store(path), user="system")
    return path


def _accept(path: Path) -> None:
    doc = proposals_from_text(PLAN_2021, year=2021, source="plan2021.txt")
    for c in doc["candidates"]:
        c["accept"] = c["quote"] in PICKS
        c.update(PICKS.get(c["quote"], {}))
    assert accept_proposals(doc, user="planner", store=open_store(path))["carried"] == ["road_links:road-07"]


def _page(page: str, year: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    at.query_params["year"] = year
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="plan_year").value == year
    return at


def _full_board(at: AppTest):
    return next(d.value for d in at.dataframe if "逾期天数" in d.value.columns).reset_index(drop=True)


def _board(at: AppTest):
    """The roads board's plan columns (最后变更/修改人, the history's, are checked apart: the carried road changed)."""
    return _full_board(at).drop(columns=["最后变更", "修改人"])


def _metrics(at: AppTest) -> dict[str, str]:
    return {str(m.label): str(m.value) for m in at.metric}


def test_the_2020_board_and_figures_are_unchanged_by_a_carry(store_path: Path) -> None:
    roads = _page("ui/page_roads.py", "2020")
    board, road_figures, full = _board(roads), _metrics(roads), _full_board(roads)
    figures = _metrics(_page("ui/page_metrics.py", "2020"))
    assert len(board) == 18
    _accept(store_path)
    roads = _page("ui/page_roads.py", "2020")
    after = _board(roads)
    assert len(after) == 18 and after.equals(board)  # road-07 still there, with its 2020 deadline
    # the carry is an edit of road-07 only: every other road keeps its last change and editor
    edited = _full_board(roads)[["最后变更", "修改人"]].ne(full[["最后变更", "修改人"]]).any(axis=1)
    assert int(edited.sum()) == 1
    assert _metrics(roads) == road_figures
    assert _metrics(_page("ui/page_metrics.py", "2020")) == figures
    y2021 = _board(_page("ui/page_roads.py", "2021"))
    assert len(y2021) == 1 and "07" in y2021.iloc[0].to_string()
