"""Accepting a 2021 plan: new plan_items rows, a 2020 item carried over (same id, history kept), progress per year."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from gis.errors import InputError
from gis.store import open_store
from layers.__main__ import main
from layers.metrics import schedule
from layers.plan_items import accept_proposals, load_plan_items, proposals_document
from layers.progress import frames_of_year, plan_progress, progress_frames
from layers.registry import seed_store

PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力提升城市承载力。推动110千伏北区输变电工程和110千伏花园输变电工程上半年动工,力争全年收储土地约600亩。
二要着力优化交通。力争年底前打通10条联网路；加快推进环湖路建设。
"""
NOW = dt.datetime(2021, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def reviewed(tmp_path):
    plan = tmp_path / "plan2021.txt"
    plan.write_text(PLAN_2021, encoding="utf-8")
    doc = proposals_document(plan, year=2021)
    by_quote = {c["quote"]: c for c in doc["candidates"]}
    started = by_quote["推动110千伏北区输变电工程和110千伏花园输变电工程上半年动工"]
    for c in doc["candidates"]:
        c["accept"] = c is started or c["quote"] in ("力争全年收储土地约600亩", "力争年底前打通10条联网路")
    started["link_id"] = "substations:sub-110-beiqu"
    by_quote["力争年底前打通10条联网路"].update({"lon": 113.90, "lat": 22.90, "item_zh": "2021年联网路"})
    return doc


def test_accept_writes_items_and_carries_a_2020_item_over(tmp_path, reviewed):
    store = open_store(tmp_path / "s.gpkg")
    seed_store(store, user="system")
    subs = store.read_layer("substations")
    started = subs.loc[subs["deadline"].eq("2020") & subs["done_status"].eq("under_construction")].iloc[0]
    link = f"substations:{started['id']}"
    for c in reviewed["candidates"]:
        if c.get("link_id"):
            c["link_id"] = link
    day = dt.date.today()
    before_rows = _rows(store, day, None)
    result = accept_proposals(reviewed, user="alice", store=store, now=NOW)
    assert result == {"plan_year": 2021, "added": ["plan-2021-001", "plan-2021-002"], "carried": [link]}
    items = load_plan_items(store=store)
    assert items["id"].tolist() == ["plan-2021-001", "plan-2021-002"]
    land, roads = items.iloc[0], items.iloc[1]
    assert (land["value"], land["unit"], land["deadline"], land["plan_year"], land["geometry"]) == (600.0, "mu", "2021", 2021, None)
    assert (roads["name_zh"], roads["deadline"], roads["plan_ref"]) == ("2021年联网路", "2021-YE", "(一)二")
    assert roads["geometry"].x == pytest.approx(113.90)
    carried = store.read_layer("substations").set_index("id").loc[started["id"]]
    assert (carried["plan_year"], carried["deadline"]) == (2021, "2021-H1")
    assert carried["version"] == started["version"] + 1
    hist = store.history("substations", started["id"])
    last = hist.to_dict("records")[-1]
    assert last["user"] == "alice" and "2021" in last["note"]
    assert (last["old"]["attrs"]["deadline"], last["old"]["attrs"]["plan_quote"]) == ("2020", started["plan_quote"])
    # The carried item leaves the 2020 schedule for 2021's; every other 2020 row is as it was.
    rows_2020 = _rows(store, day, 2020)
    assert rows_2020 == [r for r in before_rows if r["id"] != started["id"]]
    rows_2021 = _rows(store, day, 2021)
    assert {r["id"]: r["deadline"] for r in rows_2021} == {"plan-2021-001": "2021", "plan-2021-002": "2021-YE",
                                                            started["id"]: "2021-H1"}
    assert all(r["overdue"] for r in rows_2021) == (day > dt.date(2021, 12, 31))  # none is done
    assert len(_rows(store, day, None)) == len(before_rows) + 2
    y2021 = plan_progress(store=store, as_of=day, year=2021)
    assert {o["id"] for o in y2021["overdue"]} == {r["id"] for r in rows_2021 if r["overdue"]}


def _rows(store, day, year):
    return schedule(frames_of_year(progress_frames(store=store, as_of=day), year), as_of=day).to_dict(orient="records")


def test_new_items_leave_the_2020_figures_unchanged(tmp_path, reviewed):
    store = open_store(tmp_path / "s.gpkg")
    seed_store(store, user="system")
    for c in reviewed["candidates"]:
        c.pop("link_id", None)
    day = dt.date.today()
    before = plan_progress(store=store, as_of=day)
    accept_proposals(reviewed, user="alice", store=store, now=NOW)
    after = plan_progress(store=store, as_of=day, year=2020)
    assert after.pop("year") == 2020
    assert json.dumps(after, sort_keys=True, default=str) == json.dumps(before, sort_keys=True, default=str)
    assert plan_progress(store=store, as_of=day)["schedule"]["items"] == before["schedule"]["items"] + 3


def test_accept_refuses_a_link_to_nothing_and_writes_nothing(tmp_path, reviewed):
    store = open_store(tmp_path / "s.gpkg")
    reviewed["candidates"][0].update({"accept": True, "link_id": "substations:sub-nowhere"})
    with pytest.raises(InputError, match="sub-nowhere"):
        accept_proposals(reviewed, user="alice", store=store, now=NOW)
    assert load_plan_items(store=store) is None


def test_accept_through_the_cli(tmp_path, reviewed, capsys):
    for c in reviewed["candidates"]:
        c.pop("link_id", None)
    path = tmp_path / "reviewed.json"
    path.write_text(json.dumps(reviewed, ensure_ascii=False), encoding="utf-8")
    store = tmp_path / "cli.gpkg"
    assert main(["plan", "accept", str(path), "--user", "bob", "--store", str(store), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["added"] == ["plan-2021-001", "plan-2021-002", "plan-2021-003"] and out["carried"] == []
    assert load_plan_items(store=store)["updated_by"].eq("bob").all()
    assert main(["plan", "accept", str(tmp_path / "none.json"), "--user", "bob", "--store", str(store)]) == 1


def test_a_point_typed_at_review_is_illustrative_unless_its_accuracy_is_stated(tmp_path, reviewed):
    """A lon/lat typed in the review table is a guess of where, not a survey: 示意 with the default accuracy."""
    from gis.settings import DRAWN_PLACE_ACCURACY_M

    store = open_store(tmp_path / "s.gpkg")
    seed_store(store, user="system")
    for c in reviewed["candidates"]:
        c.pop("link_id", None)
        if c["quote"] == "力争全年收储土地约600亩":
            c.update({"lon": 113.88, "lat": 22.92, "accuracy_m": 2.5})
    accept_proposals(reviewed, user="alice", store=store, now=NOW)
    items = load_plan_items(store=store)
    typed = items.loc[items["name_zh"].eq("2021年联网路")].iloc[0]
    assert (bool(typed["illustrative"]), typed["accuracy_m"]) == (True, DRAWN_PLACE_ACCURACY_M)
    assert "示意" in typed["source"]
    stated = items.loc[items["value"].eq(600.0)].iloc[0]
    assert (bool(stated["illustrative"]), stated["accuracy_m"]) == (False, 2.5)
    unplaced = items.loc[items["name_zh"].ne("2021年联网路") & items["value"].ne(600.0)]
    assert len(unplaced) == 1 and unplaced["geometry"].isna().all() and not unplaced["illustrative"].astype(bool).any()
