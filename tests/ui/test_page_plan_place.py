"""规划导入 › 事项定位 under AppTest: an editor gives an accepted 2021 item its place from an uploaded file."""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from streamlit.testing.v1 import AppTest

from gis.store import open_store
from layers.plan_items import load_plan_items
from tests.ui.conftest import open_page

PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力提升城市承载力。力争全年收储土地约600亩。
二要着力优化交通。力争年底前打通10条联网路；加快推进环湖路建设。
"""
NORTH = shapely.box(113.87, 22.91, 113.88, 22.92)
SOUTH = shapely.box(113.89, 22.90, 113.90, 22.91)


def _accepted() -> AppTest:
    at = open_page("ui/page_plan_import.py", user="planner")  # the editor of tests/ui/conftest.store_path
    at.number_input(key="plan_import_year").set_value(2021).run()
    at.text_area(key="plan_import_text").input(PLAN_2021).run()
    at.button(key="plan_import_accept").click().run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _geojson() -> bytes:
    features = [{"type": "Feature", "properties": {"地块名称": name}, "geometry": shapely.geometry.mapping(geom)}
                for name, geom in (("北区<b>地块</b>", NORTH), ("南区地块", SOUTH))]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def test_an_editor_places_an_item_from_an_uploaded_file(store_path: Path) -> None:
    at = _accepted()
    assert any("3 项计划事项" in c.value and "3 项尚未定位" in c.value for c in at.caption)
    pick = at.selectbox(key="plan_place_item")
    assert pick.options[0].startswith("plan-2021-001") and any("尚未定位" in c.value for c in at.caption)
    pick.set_value("plan-2021-002").run()
    at.file_uploader(key="plan_place_upload").set_value(("测绘地块.geojson", _geojson(), "application/geo+json")).run()
    _ok(at)
    feature = at.selectbox(key="plan_place_feature")
    assert feature.options == ["1: Polygon 北区<b>地块</b> · 1", "2: Polygon 南区地块 · 2"]  # plain text, never HTML
    assert at.button(key="plan_place_save").disabled  # the reviewer has not said how accurate the file is
    feature.set_value(1).run()
    at.number_input(key="plan_place_accuracy_file").set_value(0.5).run()
    assert not at.button(key="plan_place_save").disabled
    at.button(key="plan_place_save").click().run()
    _ok(at)
    assert any("plan-2021-002" in s.value and "Polygon" in s.value for s in at.success), [s.value for s in at.success]
    item = load_plan_items(store=open_store(store_path)).set_index("id").loc["plan-2021-002"]
    assert item["geometry"].normalize().equals(SOUTH.normalize())
    got = (item["source"], item["accuracy_m"], bool(item["illustrative"]), item["updated_by"])
    assert got == ("测绘地块.geojson", 0.5, False, "planner")
    history = next(d.value for d in at.dataframe if "字段" in d.value.columns)
    assert "(replaced)" in history["字段"].tolist() and "planner" in history["用户"].tolist()
    assert any("2 项尚未定位" in c.value for c in at.caption)
    assert at.selectbox(key="plan_place_item").options[-1].startswith("plan-2021-002")  # placed items go last
    assert any("已定位：Polygon，来源 测绘地块.geojson，精度 0.5 米" in c.value for c in at.caption)


def test_a_file_outside_dongguan_is_refused_on_the_page(store_path: Path) -> None:
    at = _accepted()
    far = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
           "geometry": {"type": "Point", "coordinates": [116.40, 39.90]}}]}
    at.selectbox(key="plan_place_upload_crs").set_value("wgs84").run()
    at.file_uploader(key="plan_place_upload").set_value(("beijing.geojson", json.dumps(far).encode(), "application/geo+json")).run()
    assert not at.exception
    assert at.selectbox(key="plan_place_feature").options == ["1: Point 1"]
    at.number_input(key="plan_place_accuracy_file").set_value(1.0).run()
    at.button(key="plan_place_save").click().run()
    assert not at.exception
    assert any("东莞" in e.value for e in at.error), [e.value for e in at.error]
    assert load_plan_items(store=open_store(store_path)).geometry.isna().all()


def test_the_drawing_choice_shows_a_map_and_waits_for_a_shape(store_path: Path) -> None:
    at = _accepted()
    at.radio(key="plan_place_method").set_value("draw").run()
    _ok(at)
    assert at.number_input(key="plan_place_accuracy_drawn").value == 50.0
    assert at.button(key="plan_place_save").disabled  # nothing drawn yet (AppTest cannot draw: see test_draw.py)
    assert any("还没有可保存的位置" in c.value for c in at.caption)


def test_a_save_over_a_newer_version_is_refused(store_path: Path) -> None:
    """Someone else placed the item after this page was drawn: the save names them and changes nothing."""
    from layers.plan_place import place_item

    at = _accepted()
    at.file_uploader(key="plan_place_upload").set_value(("测绘地块.geojson", _geojson(), "application/geo+json")).run()
    at.number_input(key="plan_place_accuracy_file").set_value(0.5).run()
    place_item("plan-2021-001", SOUTH, user="colleague", store=open_store(store_path), source="其他文件.geojson",
               accuracy_m=1, expected_version=1)
    at.button(key="plan_place_save").click().run()
    assert not at.exception
    assert any("colleague" in e.value for e in at.error), [e.value for e in at.error]
    item = load_plan_items(store=open_store(store_path)).set_index("id").loc["plan-2021-001"]
    assert item["source"] == "其他文件.geojson" and item["version"] == 2
    # The page now shows the colleague's place; saving again is a deliberate choice and goes through.
    assert any("其他文件.geojson" in c.value for c in at.caption)
    at.button(key="plan_place_save").click().run()
    assert load_plan_items(store=open_store(store_path)).set_index("id").loc["plan-2021-001", "version"] == 3
