"""A carried item still counts in the plan year it came from (issue 16): the 2020 figures are unchanged by a 2021 plan.

A store is seeded with the bundled data, the 2020 figures are taken, then a 2021 plan written here is accepted: it
carries the link road ``road-07`` and the land parcel ``land-c02`` into 2021 (new deadline and target) and adds two
new items. The 2020 view still holds both carried features with their 2020 deadline and target; the 2021 view holds
them with 2021's; all years count each once, as its latest plan has it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from gis.store import open_store
from layers.__main__ import main
from layers.plan_items import accept_proposals, proposals_from_text
from layers.progress import frames_of_year, plan_progress, progress_frames
from layers.registry import seed_store
from layers.year_view import carried_out

PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力优化交通。力争年底前打通10条联网路；上半年建成松湖智谷公交首末站；加快推进环湖路建设。
二要着力提升城市承载力。力争全年收储土地约600亩。
"""
PICKS = {
    "力争年底前打通10条联网路": {"link_id": "road_links:road-07"},
    "力争全年收储土地约600亩": {"link_id": "land_actions:land-c02"},
    "上半年建成松湖智谷公交首末站": {"lon": 113.885, "lat": 22.915},
    "加快推进环湖路建设": {},
}
TODAY = dt.date.today()
ROADS_2020 = [f"road-{n:02d}" for n in range(1, 19)]  # the 18 link roads of the 2020 plan


def _items(frame) -> list[str]:
    """Ids of the plan items in a frame (context features are shown with every year)."""
    return frame.loc[frame["role"].eq("plan_item"), "id"].astype(str).tolist()


def _links(frame) -> list[str]:
    """Ids of the link roads (联网路 road-01 … road-18) among a frame's plan items."""
    return [i for i in _items(frame) if i in ROADS_2020]


def _dump(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True, default=str, ensure_ascii=False)


def _cli_metrics(location: Path, *args: str) -> dict:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setenv("SSL_GIS_STORE", str(location))
        assert main(["metrics", "--json", "--date", TODAY.isoformat(), *args]) == 0
    return json.loads(out.getvalue())


def _accept_2021(store) -> dict:
    doc = proposals_from_text(PLAN_2021, year=2021, source="plan2021.txt")
    for c in doc["candidates"]:
        c["accept"] = c["quote"] in PICKS
        c.update(PICKS.get(c["quote"], {}))
    return accept_proposals(doc, user="planner", store=store)


@pytest.fixture(scope="module")
def carried(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The store before and after the 2021 plan is accepted, with the 2020 figures taken before."""
    location = tmp_path_factory.mktemp("carry") / "working.gpkg"
    store = open_store(location)
    seed_store(store, user="system")
    before = {
        "doc": plan_progress(store=store, as_of=TODAY, year=2020),
        "all": plan_progress(store=store, as_of=TODAY),
        "cli": _cli_metrics(location, "--year", "2020"),
        "roads": frames_of_year(progress_frames(store=store, as_of=TODAY), 2020, store=store, as_of=TODAY)["road_links"],
    }
    result = _accept_2021(store)
    assert result["carried"] == ["road_links:road-07", "land_actions:land-c02"]
    assert len(result["added"]) == 2
    return {"store": store, "location": location, "before": before}


def _year_frames(store, year: int | None, as_of: dt.date = TODAY) -> dict:
    return frames_of_year(progress_frames(store=store, as_of=as_of), year, store=store, as_of=as_of)


def test_the_2020_figures_are_unchanged_field_for_field(carried) -> None:
    after = plan_progress(store=carried["store"], as_of=TODAY, year=2020)
    assert _dump(after) == _dump(carried["before"]["doc"])
    assert "road-07" in {o["id"] for o in after["overdue"]}  # not done, overdue against its 2020 deadline


def test_the_2020_view_shows_the_carried_features_as_2020_set_them(carried) -> None:
    frames = _year_frames(carried["store"], 2020)
    roads = frames["road_links"].set_index("id")
    assert _links(frames["road_links"]) == ROADS_2020
    assert roads.loc["road-07", ["plan_year", "deadline", "target", "plan_quote", "plan_ref"]].tolist() == [
        2020, "2020", "打通（通车）", "力争全年打通18条联网路", "(三)四"]
    board = ["id", "name_zh", "status", "done_status", "deadline", "target", "plan_ref", "plan_quote", "done", "town"]
    assert _dump(frames["road_links"][board].to_dict("records")) == _dump(carried["before"]["roads"][board].to_dict("records"))
    land = frames["land_actions"].set_index("id")
    assert land.loc["land-c02", ["plan_year", "deadline", "target"]].tolist() == [2020, "2020", "整备连片土地约250亩"]
    assert not any(str(i).startswith("plan-2021") for i in frames["plan_items"]["id"])


def test_the_2021_view_holds_the_carried_features_with_2021_deadlines(carried) -> None:
    frames = _year_frames(carried["store"], 2021)
    roads = frames["road_links"].loc[frames["road_links"]["role"].eq("plan_item")]
    assert roads["id"].tolist() == ["road-07"]
    assert roads.iloc[0][["plan_year", "deadline", "plan_quote"]].tolist() == [2021, "2021-YE", "力争年底前打通10条联网路"]
    assert frames["land_actions"].loc[frames["land_actions"]["role"].eq("plan_item"), "id"].tolist() == ["land-c02"]
    doc = plan_progress(store=carried["store"], as_of=TODAY, year=2021)
    overdue = {o["id"]: o for o in doc["overdue"]}
    assert overdue["road-07"]["deadline"] == "2021-YE" and overdue["land-c02"]["deadline"] == "2021"
    assert doc["schedule"]["items"] == 4  # two carried, two new


def test_all_years_count_a_carried_feature_once_as_its_latest_plan_has_it(carried) -> None:
    store = carried["store"]
    frames = _year_frames(store, None)
    roads = frames["road_links"]
    assert _links(roads) == ROADS_2020 and roads["id"].is_unique
    assert roads.set_index("id").loc["road-07", "deadline"] == "2021-YE"
    every = plan_progress(store=store, as_of=TODAY)
    y2020 = plan_progress(store=store, as_of=TODAY, year=2020)
    y2021 = plan_progress(store=store, as_of=TODAY, year=2021)
    assert every["schedule"]["items"] == carried["before"]["all"]["schedule"]["items"] + 2  # the two new items
    assert every["schedule"]["items"] == y2020["schedule"]["items"] + y2021["schedule"]["items"] - 2  # carried: once
    assert [o["id"] for o in every["overdue"]].count("road-07") == 1


def test_the_cli_prints_the_same_2020_figures_before_and_after(carried) -> None:
    after = _cli_metrics(carried["location"], "--year", "2020")
    assert _dump(after) == _dump(carried["before"]["cli"])
    y2021 = _cli_metrics(carried["location"], "--year", "2021")
    assert {"road-07", "land-c02"} <= {o["id"] for o in y2021["overdue"]}


def test_a_carry_after_the_as_of_day_has_not_happened_yet(carried) -> None:
    store = carried["store"]
    yesterday = TODAY - dt.timedelta(days=1)
    assert carried_out(store, "road_links", 2020, as_of=yesterday) == {}
    assert set(carried_out(store, "road_links", 2020, as_of=TODAY)) == {"road-07"}
    past = _year_frames(store, 2021, as_of=yesterday)
    assert _items(past["road_links"]) == []  # road-07 was still 2020's
    roads = _year_frames(store, 2020, as_of=yesterday)["road_links"]
    assert _links(roads) == ROADS_2020 and roads.set_index("id").loc["road-07", "deadline"] == "2020"


def test_the_view_keeps_the_current_status_and_a_carry_by_field_edit_counts(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.gpkg")
    seed_store(store, user="system")
    _accept_2021(store)
    current = store.read_layer("road_links").set_index("id")
    store.update_feature("road_links", "road-07", {"status": "completed"},
                         expected_version=int(current.loc["road-07", "version"]), user="planner")
    store.update_feature("road_links", "road-05", {"plan_year": 2021, "deadline": "2021-H1"},
                         expected_version=int(current.loc["road-05", "version"]), user="planner")
    y2020 = _year_frames(store, 2020)["road_links"].set_index("id")
    assert y2020.loc["road-07", ["deadline", "status", "done"]].tolist() == ["2020", "completed", True]
    assert y2020.loc["road-05", ["plan_year", "deadline"]].tolist() == [2020, "2020"]
    y2021 = _year_frames(store, 2021)["road_links"]
    assert sorted(_items(y2021)) == ["road-05", "road-07"]
    assert y2021.set_index("id").loc["road-05", "deadline"] == "2021-H1"


def test_without_a_store_nothing_was_carried() -> None:
    frames = progress_frames(source="baseline", as_of=TODAY)
    assert _links(frames_of_year(frames, 2020)["road_links"]) == ROADS_2020
    assert _items(frames_of_year(frames, 2021)["road_links"]) == []
