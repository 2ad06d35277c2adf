"""Placing an accepted plan item (issue 16 item 2): a point, a line or a polygon set through the store, with history."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from gis.errors import ConflictError, InputError
from gis.store import open_store
from layers.plan_items import accept_proposals, load_plan_items, proposals_from_text
from layers.plan_place import place_geometry, place_item

PLAN_2021 = "(一)聚焦产城融合。力争全年收储土地约600亩；力争年底前打通10条联网路；确保未来学校9月份建成。"
NOW = dt.datetime(2021, 3, 1, 8, 0, tzinfo=dt.UTC)
POINT = shapely.Point(113.88, 22.92)
LINE = shapely.LineString([(113.87, 22.91), (113.89, 22.93)])
POLYGON = shapely.box(113.87, 22.91, 113.88, 22.92)


@pytest.fixture
def store(tmp_path):
    st = open_store(tmp_path / "s.gpkg")
    doc = proposals_from_text(PLAN_2021, year=2021, source="plan2021.txt")
    assert len(doc["candidates"]) == 3
    doc["candidates"][2].update(lon=113.90, lat=22.90)  # the school already has a point from the review
    assert accept_proposals(doc, user="alice", store=st, now=NOW)["added"] == ["plan-2021-001", "plan-2021-002", "plan-2021-003"]
    return st


@pytest.mark.parametrize("geometry", [POINT, LINE, POLYGON, shapely.MultiPolygon([POLYGON])],
                         ids=["point", "line", "polygon", "multi-of-one"])
def test_an_item_without_a_place_gets_one(store, geometry):
    done = place_item("plan-2021-001", geometry, user="bob", store=store, source="survey-2021-03.geojson",
                      accuracy_m=0.5, expected_version=1)
    single = shapely.get_geometry(geometry, 0) if geometry.geom_type.startswith("Multi") else geometry
    assert done == {"id": "plan-2021-001", "version": 2, "geometry_type": single.geom_type}
    item = load_plan_items(store=store).set_index("id").loc["plan-2021-001"]
    assert item["geometry"].equals(shapely.orient_polygons(single) if single.geom_type == "Polygon" else single)
    assert (item["source"], item["accuracy_m"], bool(item["illustrative"]), item["version"]) == ("survey-2021-03.geojson", 0.5, False, 2)
    assert item["updated_by"] == "bob"
    hist = store.history("plan_items", "plan-2021-001").to_dict("records")
    replaced = [h for h in hist if h["field"] == "(replaced)"]
    assert len(replaced) == 1 and replaced[0]["user"] == "bob" and replaced[0]["note"] == "事项定位 / item placed"
    assert replaced[0]["old"]["geometry"] is None  # it had no place before
    assert {h["field"] for h in hist if h["version"] == 2} >= {"source", "accuracy_m"}
    # The other items are untouched.
    others = load_plan_items(store=store).set_index("id")
    assert others.loc["plan-2021-002", "geometry"] is None and others.loc["plan-2021-002", "version"] == 1


def test_a_polygon_next_to_point_items_keeps_the_store_checkable(store, tmp_path):
    """The layer was written with points and empty places: a polygon must still pass the store's own check."""
    from gis.store._check import check_store_file

    place_item("plan-2021-001", POLYGON, user="bob", store=store, source="drawn", accuracy_m=50, expected_version=1,
               illustrative=True)
    check_store_file(tmp_path / "s.gpkg", deep=True)


def test_a_drawn_place_is_illustrative_with_its_accuracy(store):
    place_item("plan-2021-002", LINE, user="bob", store=store, source="手绘（示意）", accuracy_m=50,
               expected_version=1, illustrative=True, note="画在地图上")
    item = load_plan_items(store=store).set_index("id").loc["plan-2021-002"]
    assert (bool(item["illustrative"]), item["accuracy_m"], item["source"]) == (True, 50.0, "手绘（示意）")
    assert store.history("plan_items", "plan-2021-002").iloc[-1]["note"] == "画在地图上"


def test_a_placed_point_moves(store):
    moved = shapely.Point(113.91, 22.91)
    assert place_item("plan-2021-003", moved, user="bob", store=store, source="gps", accuracy_m=5,
                      expected_version=1)["version"] == 2
    assert load_plan_items(store=store).set_index("id").loc["plan-2021-003", "geometry"].equals(moved)
    old = store.history("plan_items", "plan-2021-003").iloc[-1]["old"]
    assert shapely.from_wkb(bytes.fromhex(old["geometry"])).equals(shapely.Point(113.90, 22.90))


@pytest.mark.parametrize(("geometry", "zh", "en"), [
    (shapely.Point(116.40, 39.90), "东莞", "outside Dongguan"),  # Beijing
    (shapely.Polygon([(113.87, 22.91), (113.88, 22.92), (113.88, 22.91), (113.87, 22.92)]), "无效", "not a valid"),  # bow-tie
    (shapely.Polygon(), "为空", "empty"),
    (shapely.MultiPoint([(113.87, 22.91), (113.88, 22.92)]), "2 个部分", "one part"),
    (shapely.GeometryCollection([POINT]), "点、线或面", "Point, LineString or Polygon"),
    ("POINT (113.88 22.92)", "为空", "empty"),
], ids=["beijing", "bow-tie", "empty", "two-points", "collection", "text"])
def test_a_bad_place_is_refused_in_both_languages(store, geometry, zh, en):
    with pytest.raises(InputError) as err:
        place_item("plan-2021-001", geometry, user="bob", store=store, source="x", accuracy_m=1, expected_version=1)
    assert zh in err.value.zh and en in err.value.en
    assert load_plan_items(store=store).set_index("id").loc["plan-2021-001", "version"] == 1


def test_unknown_and_carried_items_are_refused(store):
    with pytest.raises(InputError) as err:
        place_item("plan-2021-099", POINT, user="bob", store=store, source="x", accuracy_m=1, expected_version=1)
    assert "没有计划事项" in err.value.zh and "no plan item" in err.value.en
    road = store.read_layer("road_links")["id"].iloc[0]
    for fid in (road, f"road_links:{road}"):
        with pytest.raises(InputError) as err:
            place_item(fid, POINT, user="bob", store=store, source="x", accuracy_m=1, expected_version=1)
        assert "结转" in err.value.zh and "road_links" in err.value.zh and "carried" in err.value.en


def test_a_stale_version_is_refused(store):
    place_item("plan-2021-001", POINT, user="bob", store=store, source="a", accuracy_m=1, expected_version=1)
    with pytest.raises(ConflictError):
        place_item("plan-2021-001", shapely.Point(113.89, 22.93), user="carol", store=store, source="b", accuracy_m=1,
                   expected_version=1)
    assert load_plan_items(store=store).set_index("id").loc["plan-2021-001", "geometry"].equals(POINT)


@pytest.mark.parametrize(("source", "accuracy"), [("", 1.0), ("x", -1.0), ("x", float("nan")), ("x", 1e6)])
def test_source_and_accuracy_are_checked(store, source, accuracy):
    with pytest.raises(InputError):
        place_item("plan-2021-001", POINT, user="bob", store=store, source=source, accuracy_m=accuracy, expected_version=1)


def test_a_change_of_type_is_refused_by_the_store(store):
    with pytest.raises(InputError) as err:
        place_item("plan-2021-003", POLYGON, user="bob", store=store, source="x", accuracy_m=1, expected_version=1)
    assert "Polygon" in err.value.en and "Point" in err.value.en


def test_place_geometry_repairs_what_imports_repair():
    z = shapely.Point(113.88, 22.92, 15.0)
    assert not place_geometry(z).has_z
    cw = shapely.Polygon([(113.87, 22.91), (113.87, 22.92), (113.88, 22.92), (113.88, 22.91)])
    assert shapely.is_ccw(place_geometry(cw).exterior)


def test_placing_on_a_postgis_store(pg_url):
    st = open_store(pg_url)
    doc = proposals_from_text(PLAN_2021, year=2021, source="plan2021.txt")
    doc["candidates"][2].update(lon=113.90, lat=22.90)
    accept_proposals(doc, user="alice", store=st, now=NOW)
    done = place_item("plan-2021-001", POLYGON, user="bob", store=st, source="survey.geojson", accuracy_m=0.2, expected_version=1)
    assert (done["version"], done["geometry_type"]) == (2, "Polygon")
    item = load_plan_items(store=st).set_index("id").loc["plan-2021-001"]
    assert item["geometry"].normalize().equals(POLYGON.normalize()) and item["source"] == "survey.geojson"
    assert _history_fields(st) >= {"(replaced)", "source", "accuracy_m"}
    with pytest.raises(ConflictError):
        place_item("plan-2021-001", POLYGON.buffer(0.001), user="carol", store=st, source="x", accuracy_m=1, expected_version=1)


def _history_fields(st):
    hist = st.history("plan_items", "plan-2021-001")
    return set(hist.loc[hist["version"] == 2, "field"])
