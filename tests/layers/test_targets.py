"""The generic target evaluator, the plan-item/context rule and the schedule's done/ongoing/overdue rule."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from gis.errors import InputError
from layers import metrics as m
from layers.spec import is_done, is_ongoing, is_plan_item
from layers.targets import evaluate_target, parse_selector, select, target_progress

E, N = 489_700.0, 2_536_800.0


def gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4547").to_crs("EPSG:4326")


@pytest.fixture
def subs() -> gpd.GeoDataFrame:
    """Three 110 kV projects to site (one sited), two to start (both only sited), one cancelled."""
    rows = [
        {"id": "s-1", "stage": "site_selection", "status": "site_selected", "done_status": "site_selected"},
        {"id": "s-2", "stage": "site_selection", "status": "site_selection", "done_status": "site_selected"},
        {"id": "s-3", "stage": "site_selection", "status": "cancelled", "done_status": "site_selected"},
        {"id": "s-4", "stage": "construction_start", "status": "site_selected", "done_status": "under_construction"},
        {"id": "s-5", "stage": "construction_start", "status": "under_construction", "done_status": "under_construction"},
    ]
    for r in rows:
        r.update({"layer": "substations", "kind": "substation_110kv", "voltage_kv": 110, "capacity_mva": 63.0})
    return gdf(rows, [Point(E + i * 100, N) for i in range(len(rows))])


def row(**kw) -> dict:
    base = {"key": "k", "item_zh": "项", "item_en": "item", "value": 7, "value_max": None, "unit": "projects",
            "comparison": "=", "deadline": "2020", "section": "(四)二", "layer": "substations", "selector": "", "measure": "count_done"}
    base.update(kw)
    return base


def test_selector_terms_and_any_of_values(subs) -> None:
    assert parse_selector("kind=a;stage=b|c") == [("kind", ("a",)), ("stage", ("b", "c"))]
    assert select(subs, "stage=site_selection").sum() == 3
    assert select(subs, "stage=site_selection|construction_start;status=site_selected").sum() == 2
    assert select(subs, "nonexistent=x").sum() == 0
    with pytest.raises(InputError):
        parse_selector("kind")


def test_stage_selector_decides_what_sited_counts(subs) -> None:
    # s-4 is "site_selected" but it is a construction-start project: it must not count as sited
    sited = evaluate_target(row(selector="kind=substation_110kv;stage=site_selection"), {"substations": subs})
    assert (sited["selected"], sited["done"], sited["achieved"], sited["met"]) == (3, 1.0, 1.0, False)
    started = evaluate_target(row(selector="stage=construction_start", value=2), {"substations": subs})
    assert (started["achieved"], started["total"], started["met"]) == (1.0, 2.0, False)


def test_area_length_and_field_measures() -> None:
    land = gdf(
        [{"id": "p-1", "layer": "land_actions", "action": "illegal_removal", "status": "completed", "done_status": "completed", "n": 2},
         {"id": "p-2", "layer": "land_actions", "action": "illegal_removal", "status": "planned", "done_status": "completed", "n": 3},
         {"id": "p-3", "layer": "land_actions", "action": "reserve", "status": "completed", "done_status": "completed", "n": 5}],
        [box(E, N, E + 100.01, N + 100), box(E + 200, N, E + 300, N + 100), box(E + 400, N, E + 500, N + 100)],
    )
    m2 = evaluate_target(row(layer="land_actions", selector="action=illegal_removal", measure="sum_area_m2", value=10000,
                             comparison=">="), {"land_actions": land})
    assert m2["total"] == pytest.approx(20_001, rel=1e-6) and m2["done"] == pytest.approx(10_001, rel=1e-6)
    assert m2["met"] is True  # 10 001 m² removed against "at least 10 000"
    short = evaluate_target(row(layer="land_actions", selector="action=illegal_removal", measure="sum_area_m2", value=10002,
                                comparison=">="), {"land_actions": land})
    assert short["met"] is False  # "at least" admits no rounding up
    mu = evaluate_target(row(layer="land_actions", selector="action=reserve", measure="sum_area_mu", value=15.5, comparison="≈"),
                         {"land_actions": land})
    assert mu["achieved"] == pytest.approx(15.0, rel=1e-6) and mu["met"] is True  # within 5 % of 约 15.5
    field = evaluate_target(row(layer="land_actions", selector="action=illegal_removal", measure="sum_field:n", value=4),
                            {"land_actions": land})
    assert (field["total"], field["done"]) == (5.0, 2.0)
    with pytest.raises(InputError):
        evaluate_target(row(layer="land_actions", measure="sum_field:nope"), {"land_actions": land})
    roads = gdf([{"id": "r-1", "layer": "road_links", "kind": "link_road", "status": "completed", "done_status": "completed"}],
                [LineString([(E, N), (E + 1500, N)])])
    km = evaluate_target(row(layer="road_links", measure="sum_length_km", value=1), {"road_links": roads})
    assert km["done"] == pytest.approx(1.5, rel=1e-6) and km["met"] is True


def test_none_count_range_and_unknown_measure(subs) -> None:
    none = evaluate_target(row(layer="", measure="none", value=500000), {})
    assert none["measured"] is False and none["value"] == 500000 and none["met"] is None
    towns = gdf([{"id": f"town-{i}", "layer": "boundaries", "kind": "town", "status": "completed", "done_status": "completed"}
                 for i in range(9)], [Point(E + i, N) for i in range(9)])
    count = evaluate_target(row(layer="boundaries", selector="kind=town", measure="count", value=9), {"boundaries": towns})
    assert count["achieved"] == 9 and count["done"] == 0 and count["met"] is True  # towns are context: counted, never done
    rng = evaluate_target(row(selector="stage=site_selection", measure="count", value=1, value_max=2, comparison="range"),
                          {"substations": subs})
    assert rng["achieved"] == 3 and rng["met"] is False
    with pytest.raises(InputError):
        evaluate_target(row(measure="sum_volume"), {"substations": subs})
    table = pd.DataFrame([row(key="a"), row(key="b", measure="none", layer="")])
    assert [r["key"] for r in target_progress({"substations": subs}, table)] == ["a", "b"]


def test_plan_item_context_ongoing_and_done_rules() -> None:
    frame = pd.DataFrame({
        "layer": ["water", "water", "platforms", "platforms", "platforms"],
        "role": [None, "plan_item", "context", None, "plan_item"],
        "status": ["completed", "completed", "completed", "under_construction", "completed"],
        "done_status": ["completed", "completed", "completed", "", None],
    })
    assert is_plan_item(frame).tolist() == [False, True, False, True, True]
    assert is_done(frame).tolist() == [False, True, False, False, False]  # context and ongoing never done
    assert is_ongoing(frame).tolist() == [False, False, False, True, True]
    assert is_plan_item(pd.DataFrame({"layer": ["boundaries", "roads"]})).tolist() == [False, True]


def test_schedule_leaves_out_context_and_never_marks_ongoing_or_undated_overdue() -> None:
    rows = [
        {"id": "a-1", "status": "planned", "done_status": "completed", "deadline": "2020-H1"},
        {"id": "a-2", "status": "planned", "done_status": "", "deadline": "2020-H1"},  # 加快/推进: ongoing
        {"id": "a-3", "status": "planned", "done_status": "completed", "deadline": ""},  # no deadline in the plan
        {"id": "a-4", "status": "cancelled", "done_status": "completed", "deadline": "2020-H1"},
        {"id": "a-5", "status": "completed", "done_status": "completed", "deadline": "2020-H1"},
    ]
    for r in rows:
        r.update({"layer": "platforms", "name_zh": r["id"]})
    items = gdf(rows, [Point(E + i, N) for i in range(len(rows))])
    lake = gdf([{"id": "w-1", "layer": "water", "name_zh": "湖", "status": "planned", "done_status": "completed",
                 "deadline": "2020-H1"}], [Point(E, N + 10)])
    sched = m.schedule({"platforms": items, "water": lake}, as_of=dt.date(2020, 7, 1))
    assert "w-1" not in set(sched["id"])
    state = dict(zip(sched["id"], sched["state"]))
    assert state == {"a-1": "overdue", "a-2": "ongoing", "a-3": "open", "a-4": "cancelled", "a-5": "done"}
    assert pd.isna(sched.loc[sched["id"] == "a-3", "due"].iloc[0])
    assert not m.schedule({"platforms": items}, as_of=dt.date(2020, 6, 30))["overdue"].any()  # the last day is allowed


@pytest.fixture(scope="module")
def baseline_doc():
    from layers.progress import plan_progress

    return plan_progress(source="baseline", as_of=dt.date(2020, 3, 4))


def test_bundled_baseline_every_measure_row_is_computed(baseline_doc) -> None:
    import layers

    targets = layers.plan_targets()
    measured = {r["key"]: r for r in baseline_doc["targets"] if r["measured"]}
    expected = set(targets.loc[targets["measure"] != "none", "key"])
    assert expected <= set(measured), expected - set(measured)
    assert measured["substations_110kv_sited"]["achieved"] == 0 and measured["substations_110kv_sited"]["value"] == 7
    assert baseline_doc["substations"]["progress"]["substations_110kv_sited"]["done"] == 0
    assert baseline_doc["schedule"]["context"] > 0  # boundaries and water are not plan items
    assert baseline_doc["schedule"]["overdue"] == 0  # nothing is overdue on the day the plan was published
