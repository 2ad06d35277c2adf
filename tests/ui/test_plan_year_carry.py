"""Under AppTest: a 2021 plan carrying road-07 leaves the 2020 roads board and 指标 figures as they were (issue 16).

The store is seeded, the 2020 board and figures are read, the 2021 plan (written here) is accepted, and a new run
of the app shows the same 2020 board — 18 roads, road-07 with its 2020 deadline — while 2021 shows road-07 alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_2021 import PICKS_ROADS, PLAN_2021_ROADS, accept_2021, seeded_store
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import assert_no_exception, metrics_of, open_page, table_with


@pytest.fixture
def seeded_path(viewer_store_path: Path) -> Path:
    """A working store seeded from the bundled data (no 2021 plan yet), and no users file."""
    seeded_store(viewer_store_path)
    return viewer_store_path


def _accept(path: Path) -> None:
    assert accept_2021(path, PLAN_2021_ROADS, PICKS_ROADS)["carried"] == ["road_links:road-07"]


def _page(page: str, year: str) -> AppTest:
    at = open_page(page, query={"year": year})
    assert_no_exception(at)
    assert at.sidebar.selectbox(key="plan_year").value == year
    return at


def _full_board(at: AppTest):
    return table_with(at, "逾期天数").reset_index(drop=True)


def _board(at: AppTest):
    """The roads board's plan columns (最后变更/修改人, the history's, are checked apart: the carried road changed)."""
    return _full_board(at).drop(columns=["最后变更", "修改人"])


def test_the_2020_board_and_figures_are_unchanged_by_a_carry(seeded_path: Path) -> None:
    roads = _page("ui/page_roads.py", "2020")
    board, road_figures, full = _board(roads), metrics_of(roads), _full_board(roads)
    figures = metrics_of(_page("ui/page_metrics.py", "2020"))
    assert len(board) == 18
    _accept(seeded_path)
    roads = _page("ui/page_roads.py", "2020")
    after = _board(roads)
    assert len(after) == 18 and after.equals(board)  # road-07 still there, with its 2020 deadline
    # the carry is an edit of road-07 only: every other road keeps its last change and editor
    edited = _full_board(roads)[["最后变更", "修改人"]].ne(full[["最后变更", "修改人"]]).any(axis=1)
    assert int(edited.sum()) == 1
    assert metrics_of(roads) == road_figures
    assert metrics_of(_page("ui/page_metrics.py", "2020")) == figures
    y2021 = _board(_page("ui/page_roads.py", "2021"))
    assert len(y2021) == 1 and "07" in y2021.iloc[0].to_string()
