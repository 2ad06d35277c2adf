"""出图 follows the plan year (issue 16): a 2021-only item is not printed under 2020; a carried road prints in both."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_2021 import PICKS_ROADS, PLAN_2021_ROADS, accept_2021, seeded_store

from layers.print_map import print_frames, print_sheet


@pytest.fixture
def store_2021(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The configured working store, seeded, with the 2021 plan accepted (one placed item, road-07 carried)."""
    path = tmp_path / "working.gpkg"
    monkeypatch.setenv("SSL_GIS_STORE", str(path))
    assert accept_2021(seeded_store(path), PLAN_2021_ROADS, PICKS_ROADS)["added"] == ["plan-2021-001"]
    return path


def _printed(names: list[str], year: int | None) -> set[str]:
    frames, _legend, _shown, _illustrative = print_frames(names, year=year)
    return {str(i) for gdf, _style in frames for i, role in zip(gdf["id"], gdf["role"], strict=True) if role != "context"}


def test_a_2021_item_is_printed_under_2021_and_all_years_not_under_2020(store_2021: Path) -> None:
    assert _printed(["plan_items"], 2021) == {"plan-2021-001"}
    assert _printed(["plan_items"], None) == {"plan-2021-001"}
    assert _printed(["plan_items"], 2020) == set()


def test_a_carried_road_prints_in_the_year_it_came_from_and_in_its_new_year(store_2021: Path) -> None:
    assert {i for i in _printed(["road_links"], 2021) if i.startswith("road-")} == {"road-07"}
    in_2020 = _printed(["road_links"], 2020)
    assert {f"road-{n:02d}" for n in range(1, 19)} <= in_2020
    assert _printed(["road_links"], None) == in_2020  # every plan item once; 2020 lost none to the carry


def test_the_sheet_title_names_the_plan_year(store_2021: Path) -> None:
    _frames, sheet = print_sheet(["plan_items"], year=2021)
    assert "2021 年工作计划" in sheet.title
    _frames, sheet = print_sheet(["plan_items"])
    assert "2020 年工作计划" in sheet.title
