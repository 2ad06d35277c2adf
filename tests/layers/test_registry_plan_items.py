"""The registry knows the store-only ``plan_items`` layer (issue 16): spec, load from a store, as-of replay, empty."""

from __future__ import annotations

import datetime as dt

import pytest

from gis.errors import InputError
from gis.store import open_store
from layers import registry
from layers.plan_items import SPEC, accept_proposals, load_plan_items, proposals_from_text
from layers.spec import validate_frame

PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力提升城市承载力。力争全年收储土地约600亩。
二要着力优化交通。力争年底前打通10条联网路。
"""
ACCEPTED = dt.datetime(2021, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    st = open_store(tmp_path / "s.gpkg")
    registry.seed_store(st, user="system")
    return st


def _accept(store) -> dict:
    doc = proposals_from_text(PLAN_2021, year=2021)
    for c in doc["candidates"]:
        c["accept"] = c["quote"] in ("力争全年收储土地约600亩", "力争年底前打通10条联网路")
        if c["quote"] == "力争年底前打通10条联网路":
            c.update({"lon": 113.88, "lat": 22.93, "item_zh": "2021年联网路"})
    return accept_proposals(doc, user="alice", store=store, now=ACCEPTED)


def test_names_and_spec_know_plan_items_but_the_bundled_list_is_unchanged():
    assert "plan_items" not in registry.LAYER_NAMES
    assert registry.names() == list(registry.LAYER_NAMES)
    assert registry.names(include_store=True) == [*registry.LAYER_NAMES, "plan_items"]
    assert registry.spec("plan_items") is SPEC
    assert registry.spec("plan_items").title_zh == "计划事项"
    assert "plan_items" not in registry.specs()
    with pytest.raises(InputError):
        registry.spec("no_such_layer")


def test_seed_store_does_not_create_plan_items(store):
    assert not store.has_layer("plan_items")
    assert "plan_items" not in registry.baseline_frames()


def test_empty_when_the_store_holds_no_items(store):
    gdf = registry.load("plan_items", store=store)
    assert gdf.empty and gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert {f.name for f in SPEC.all_fields} | {"done", "geometry"} <= set(gdf.columns)
    assert gdf.attrs["source"] == "store"
    assert registry.load("plan_items", store=store, source="store").empty  # absent is empty, not an error
    base = registry.load("plan_items", source="baseline")
    assert base.empty and base.attrs["source"] == "baseline"


def test_load_returns_the_accepted_items_with_done(store):
    result = _accept(store)
    gdf = registry.load("plan_items", store=store)
    assert gdf["id"].tolist() == result["added"] == ["plan-2021-001", "plan-2021-002"]
    assert gdf["plan_year"].tolist() == [2021, 2021]
    assert gdf["done"].tolist() == [False, False]
    assert gdf.geometry.iloc[0] is None and gdf.geometry.iloc[1].x == pytest.approx(113.88)
    assert gdf.attrs == {"source": "store", "layer": "plan_items", "as_of": None}
    same = load_plan_items(store=store)
    assert gdf.drop(columns="geometry").equals(same.drop(columns="geometry")[gdf.drop(columns="geometry").columns])


def test_as_of_replays_the_history(store):
    _accept(store)
    between = dt.datetime.now(dt.UTC)  # after the acceptance was written, before the status edit
    items = registry.load("plan_items", store=store, derived=False).set_index("id")
    store.update_feature("plan_items", "plan-2021-002", {"status": "completed"},
                         expected_version=int(items.loc["plan-2021-002", "version"]), user="bob")
    now = registry.load("plan_items", store=store).set_index("id")
    assert now.loc["plan-2021-002", "status"] == "completed" and bool(now.loc["plan-2021-002", "done"])
    then = registry.load("plan_items", store=store, as_of=between).set_index("id")
    assert then.loc["plan-2021-002", "status"] == "planned" and not bool(then.loc["plan-2021-002", "done"])
    assert then.attrs["as_of"] == between.isoformat()
    before = dt.date.today() - dt.timedelta(days=1)
    assert registry.load("plan_items", store=store, as_of=before).empty  # before the plan was accepted


def test_a_bad_stored_row_is_refused_by_the_spec(store):
    _accept(store)
    items = registry.load("plan_items", store=store, derived=False)
    bad = items.copy()
    bad.loc[0, "status"] = "finished-ish"
    with pytest.raises(InputError):
        validate_frame(bad, SPEC)
    store.write_layer("plan_items", bad.drop(columns=["version"]), user="mallory", note="bad row")
    with pytest.raises(InputError, match="plan-2021-001"):
        registry.load("plan_items", store=store)
