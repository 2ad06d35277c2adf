"""事项定位 in a real browser: the reviewer draws a marker with the Draw toolbar and saves it as an item's place."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shapely

from gis.crs import DONGGUAN_BBOX
from gis.store import open_store
from layers.plan_items import accept_proposals, load_plan_items, proposals_from_text
from layers.plan_place import DRAWN_SOURCE

from .conftest import EDITOR, IFRAME, App, map_frame, running_app, shot, sign_in, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PLAN_2021 = "(一)聚焦产城融合。力争全年收储土地约600亩；力争年底前打通10条联网路。"


@pytest.fixture(scope="module")
def place_app(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[App]:
    data_dir = tmp_path_factory.mktemp("placedata")
    doc = proposals_from_text(PLAN_2021, year=2021, source="plan2021.txt")
    accept_proposals(doc, user="alice", store=open_store(data_dir / "working.gpkg"))
    with running_app(data_dir) as running:
        yield running


def test_a_marker_drawn_on_the_map_becomes_the_items_place(place_app: App, page) -> None:
    page.goto(place_app.url + "/plan-import")
    sign_in(page)
    wait_idle(page)
    year = page.locator(".st-key-plan_import_year input")
    year.fill("2021")
    year.press("Enter")
    page.get_by_text("2 项尚未定位").wait_for(timeout=30000)
    page.locator(".st-key-plan_place_method").get_by_text("在地图上绘制").click()
    wait_idle(page)
    frame = map_frame(page)
    frame.locator("a.leaflet-draw-draw-marker").click()
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    frame.locator(".leaflet-container").click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 + 20})
    page.get_by_text("待保存：Point").wait_for(timeout=30000)
    wait_idle(page)
    page.locator(".st-key-plan_place_save button").click()
    page.get_by_text("已保存 plan-2021-001 的位置").wait_for(timeout=30000)
    page.get_by_text("1 项尚未定位").wait_for(timeout=30000)
    wait_idle(page)
    page.get_by_text("当前位置").wait_for(timeout=30000)  # the saved place on its own map
    assert page.locator(IFRAME).count() == 2
    shown = page.locator(".st-key-plan_place_item").evaluate("e => e.outerHTML")
    assert "plan-2021-001 · 力争全年收储土地约600亩" in shown and "未定位" not in shown
    page.get_by_text("已定位：Point").wait_for(timeout=30000)
    shot(page, "place-drawn-marker")
    item = load_plan_items(store=open_store(place_app.data_dir / "working.gpkg")).set_index("id").loc["plan-2021-001"]
    point = item["geometry"]
    assert isinstance(point, shapely.Point)
    lon0, lat0, lon1, lat1 = DONGGUAN_BBOX
    assert lon0 < point.x < lon1 and lat0 < point.y < lat1
    assert (item["source"], bool(item["illustrative"]), item["accuracy_m"], item["updated_by"]) == (DRAWN_SOURCE, True, 50.0, EDITOR)
    hist = open_store(place_app.data_dir / "working.gpkg").history("plan_items", "plan-2021-001")
    assert hist.iloc[-1]["user"] == EDITOR
