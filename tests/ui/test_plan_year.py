"""The sidebar's 规划年度 under AppTest (issue 16): a 2021 plan's items on the map, and every page's figures per year.

A small 2021 plan is written here and accepted into a fresh store: two new items placed by lon/lat, one new item
without a place, and the 2020 link road ``road-07`` carried into 2021. The map widget (st_folium) cannot be read
by AppTest, so the layers handed to ``ui.mapview.show_map`` are recorded instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from plan_2021 import accept_2021, seeded_store
from streamlit.testing.v1 import AppTest

from gis.store import open_store
from layers.progress import plan_progress
from tests.ui.conftest import metrics_of, new_app, sign_in, table_with

PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力优化交通。力争年底前打通10条联网路；上半年建成松湖智谷公交首末站；加快推进环湖路建设。
二要着力提升城市承载力。力争全年收储土地约600亩。
"""
CARRIED = "road-07"
PLACED = {"plan-2021-001", "plan-2021-003"}  # the bus terminus and the 600 亩 (placed by lon/lat)
UNPLACED = "plan-2021-002"  # 环湖路: kept as an item without a place


@pytest.fixture
def plan_path(store_path: Path, colleague: str) -> Path:
    """A working store seeded from the bundled data, with the 2021 plan accepted, and two editors."""
    picks = {
        "力争年底前打通10条联网路": {"link_id": f"road_links:{CARRIED}"},
        "上半年建成松湖智谷公交首末站": {"lon": 113.885, "lat": 22.915},
        "加快推进环湖路建设": {},
        "力争全年收储土地约600亩": {"lon": 113.87, "lat": 22.93, "item_zh": "2021年收储土地"},
    }
    result = accept_2021(seeded_store(store_path), PLAN_2021, picks)
    assert result["added"] == ["plan-2021-001", "plan-2021-002", "plan-2021-003"]
    assert result["carried"] == [f"road_links:{CARRIED}"]
    return store_path


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, set[str]]]:
    """Map key → {layer → ids} of what each page hands to the map on its last run."""
    from ui import mapview

    seen: dict[str, dict[str, set[str]]] = {}
    real = mapview.show_map

    def spy(map_layers_, *, key, **kwargs):
        seen[key] = {layer.name: set(layer.gdf["id"].astype(str)) for layer in map_layers_ if "id" in layer.gdf.columns}
        return real(map_layers_, key=key, **kwargs)

    monkeypatch.setattr(mapview, "show_map", spy)
    return seen


def _year(at: AppTest, value: str) -> AppTest:
    at.sidebar.selectbox(key="plan_year").set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.caption)


def test_the_selector_offers_the_years_in_the_data_and_keeps_the_choice_in_the_url(plan_path: Path) -> None:
    at = new_app().run()
    assert not at.exception
    box = at.sidebar.selectbox(key="plan_year")
    assert list(box.options) == ["全部年度", "2020年", "2021年"]
    assert box.value == "all" and "year" not in at.query_params
    at = _year(at, "2021")
    assert at.query_params.get("year") in ("2021", ["2021"])
    for page in ("ui/page_roads.py", "ui/page_metrics.py", "ui/page_plan.py", "ui/page_land.py", "ui/page_data.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.session_state["plan_year"] == "2021"
    assert "2021" in "\n".join(str(i.value) for i in at.info)


def test_the_year_comes_back_from_the_url(plan_path: Path) -> None:
    at = new_app()
    at.query_params["year"] = "2021"
    at.run()
    assert at.sidebar.selectbox(key="plan_year").value == "2021"
    other = new_app()
    other.query_params["year"] = "1999"  # not in the data: all years
    other.run()
    assert not other.exception and other.sidebar.selectbox(key="plan_year").value == "all"


def test_map_of_2021_shows_its_items_and_the_carried_road_only(plan_path: Path, drawn) -> None:
    at = _year(new_app().run(), "2021")
    shown = drawn["map_main"]
    assert shown["plan_items"] == PLACED  # placed items drawn, the one without a place not
    assert shown["road_links"] == {CARRIED}  # the carried road, none of the other 2020 roads
    assert len(shown["boundaries"]) > 1  # context is shown with every year
    land = open_store(plan_path).read_layer("land_actions").set_index("id")
    assert set(land.loc[list(shown["land_actions"]), "role"]) == {"context"}  # the 2021 plan placed no parcel
    assert "另有 1 项无位置" in _captions(at)
    listed = next(e for e in at.expander if e.label == "无位置的事项（1）").dataframe[0].value
    assert listed["编号"].tolist() == [UNPLACED] and "环湖路" in listed["名称"].iloc[0]
    assert "计划事项" in at.pills(key="map_layers").format_func("plan_items")


def test_map_of_all_years_is_todays_map_plus_the_placed_items(plan_path: Path, drawn) -> None:
    import layers

    at = new_app().run()
    assert not at.exception
    shown = drawn["map_main"]
    store = open_store(plan_path)
    for name in layers.names():
        if name in shown:
            assert shown[name] == set(layers.load(name, store=store)["id"].astype(str)), name
    assert shown["plan_items"] == PLACED
    assert "另有 1 项无位置" in _captions(at)
    at = _year(at, "2020")
    roads = set(layers.load("road_links", store=store)["id"].astype(str))
    assert drawn["map_main"]["road_links"] == roads  # road-07 carried into 2021 is still on 2020's map
    assert "plan_items" in drawn["map_main"] and not drawn["map_main"]["plan_items"]
    assert "无位置" not in _captions(at)


def test_metrics_follow_the_year_and_all_years_is_plan_progress(plan_path: Path) -> None:
    store = open_store(plan_path)
    today = dt.date.today()
    at = new_app().run()
    at.switch_page("ui/page_metrics.py").run()
    assert not at.exception, [e.value for e in at.exception]
    for value, year in (("all", None), ("2020", 2020), ("2021", 2021)):
        at = _year(at, value)
        doc = plan_progress(store=store, as_of=today, year=year)
        m = metrics_of(at)
        assert m["计划事项"] == str(doc["schedule"]["items"]), (value, m)
        assert m["已完成"] == str(doc["schedule"]["done"]) and m["逾期事项"] == str(doc["schedule"]["overdue"])
        shown = table_with(at, "进度")
        assert len(shown) == doc["schedule"]["items"]
    # the carried road counts in 2020 (with 2020's deadline) and in 2021, with the two placed items and the
    # unplaced one; all years count it once
    y2020 = plan_progress(store=store, as_of=today, year=2020)
    y2021 = plan_progress(store=store, as_of=today, year=2021)
    assert y2021["schedule"]["items"] == 4
    assert y2020["schedule"]["items"] + y2021["schedule"]["items"] - 1 == plan_progress(store=store, as_of=today)["schedule"]["items"]


def test_roads_page_per_year(plan_path: Path) -> None:
    at = new_app().run()
    at.switch_page("ui/page_roads.py").run()
    assert not at.exception
    assert len(table_with(at, "逾期天数")) == 18
    assert metrics_of(at)["已打通"].endswith("/ 18")
    at = _year(at, "2020")
    assert len(table_with(at, "逾期天数")) == 18  # road-07, carried into 2021, still counts in the 2020 plan
    at = _year(at, "2021")
    board = table_with(at, "逾期天数")
    assert len(board) == 1 and "07" in board.iloc[0].to_string()
    assert metrics_of(at)["已打通"] == "0 / —"  # the 2021 plan sets no count of roads in this store


def test_plan_text_page_says_it_shows_the_2020_text(plan_path: Path) -> None:
    at = new_app().run()
    at.switch_page("ui/page_plan.py").run()
    assert "2020 年工作计划原文" not in "\n".join(str(i.value) for i in at.info)
    at = _year(at, "2021")
    assert "此处为 2020 年工作计划原文" in "\n".join(str(i.value) for i in at.info)


def _item_on_map(user: str, item: str = "plan-2021-001") -> AppTest:
    at = sign_in(new_app().run(), user)
    at.query_params["sel"] = item
    return _year(at.run(), "2021")


def test_a_stale_edit_of_a_plan_item_is_refused(plan_path: Path) -> None:
    a = _item_on_map("planner")
    b = _item_on_map("colleague")
    b.selectbox(key="map_edit_status").set_value("delayed")
    b = b.button(key="map_edit_save").click().run()
    assert not b.exception and not b.error
    a.selectbox(key="map_edit_status").set_value("completed")
    a = a.button(key="map_edit_save").click().run()
    assert "colleague" in "\n".join(e.value for e in a.error)
    assert open_store(plan_path).read_layer("plan_items").set_index("id").loc["plan-2021-001", "status"] == "delayed"


def test_a_plan_item_is_edited_from_the_map_details_with_history(plan_path: Path) -> None:
    at = _item_on_map("planner")
    assert "计划事项" not in [e.value for e in at.exception]
    box = at.selectbox(key="map_edit_status")
    assert "已选址" in box.options and len(box.options) == 7  # the plan_items spec's statuses, in words
    box.set_value("under_construction")
    at.text_input(key="map_edit_note").input("已动工")
    at = at.button(key="map_edit_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    store = open_store(plan_path)
    assert store.read_layer("plan_items").set_index("id").loc["plan-2021-001", "status"] == "under_construction"
    hist = store.history("plan_items", "plan-2021-001").to_dict("records")
    status_rows = [h for h in hist if h["field"] == "status"]
    assert (status_rows[-1]["user"], status_rows[-1]["old"], status_rows[-1]["new"]) == ("planner", "planned", "under_construction")


def test_a_later_plans_deadline_says_its_year_once() -> None:
    from ui.i18n import deadline_label

    assert deadline_label("2020-H1") == "2020 年上半年" and deadline_label("2020-YE") == "2020 年底前"  # as before
    assert deadline_label("2021-H1") == "2021 年上半年"
    assert deadline_label("2021-YE") == "2021 年底前"
    assert deadline_label("2021") == "2021 年内/全年"


def test_the_2020_map_shows_a_carried_roads_2020_deadline_in_its_popup(plan_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The map draws a plan year's view: road-07's popup on the 2020 map reads 2020's deadline, on 2021's 2021's."""
    from ui import mapview
    from ui.i18n import deadline_label

    popups: dict[str, str] = {}
    real = mapview.show_map

    def spy(map_layers_, *, key, **kwargs):
        for layer in map_layers_:
            if key == "map_main" and layer.name == "road_links":
                gdf = layer.gdf.set_index("id")
                popups["deadline"] = str(gdf.loc[CARRIED, "deadline"]) if CARRIED in gdf.index else ""
        return real(map_layers_, key=key, **kwargs)

    monkeypatch.setattr(mapview, "show_map", spy)
    import layers

    store = open_store(plan_path)
    deadline_2020 = layers.load_baseline("road_links").set_index("id").loc[CARRIED, "deadline"]
    now = store.read_layer("road_links").set_index("id").loc[CARRIED, "deadline"]
    assert deadline_2020 != now  # the carry gave it a 2021 deadline
    at = _year(new_app().run(), "2020")
    assert popups["deadline"] == deadline_label(deadline_2020)
    _year(at, "2021")
    assert popups["deadline"] == deadline_label(now)
