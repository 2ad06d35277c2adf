"""规划年度 in the real browser (issue 16): pick 2021 in the sidebar, see a 2021 item's marker and its popup.

The app runs on its own store, prepared before it starts: the bundled layers, then a small 2021 plan accepted
(two items placed by lon/lat, the 2020 link road ``road-07`` carried into 2021). A reviewer marks the first
item's place as illustrative (示意), as the plan gives no exact place.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import EDITOR, EDITOR_PASSWORD, App, shot, start_app, stop_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

IFRAME = "iframe[title='streamlit_folium.st_folium']"
PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力优化交通。力争年底前打通10条联网路；上半年建成松湖智谷公交首末站。
二要着力提升城市承载力。力争全年收储土地约600亩。
"""


@pytest.fixture(scope="module")
def year_app(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[App]:
    from gis.store import open_store
    from gis.users import add_user
    from layers.plan_items import accept_proposals, proposals_from_text
    from layers.registry import seed_store

    data_dir = tmp_path_factory.mktemp("yearapp")
    add_user(data_dir / "users.json", EDITOR, EDITOR_PASSWORD, role="editor")
    store = open_store(data_dir / "working.gpkg")  # where start_app's SSL_GIS_DATA_DIR puts the working store
    seed_store(store, user="system")
    doc = proposals_from_text(PLAN_2021, year=2021, source="plan2021.txt")
    picks = {
        "力争年底前打通10条联网路": {"link_id": "road_links:road-07"},
        "上半年建成松湖智谷公交首末站": {"lon": 113.885, "lat": 22.915},
        "力争全年收储土地约600亩": {"lon": 113.87, "lat": 22.93},
    }
    for c in doc["candidates"]:
        c["accept"] = c["quote"] in picks
        c.update(picks.get(c["quote"], {}))
    assert accept_proposals(doc, user=EDITOR, store=store)["added"] == ["plan-2021-001", "plan-2021-002"]
    version = int(store.read_layer("plan_items").set_index("id").loc["plan-2021-001", "version"])
    store.update_feature("plan_items", "plan-2021-001", {"illustrative": True, "accuracy_m": 500.0},
                         expected_version=version, user=EDITOR, note="位置为示意")
    running = start_app(data_dir)
    yield running
    stop_app(running)


def _frame(page):
    page.wait_for_selector(IFRAME, timeout=30000)
    frame = page.locator(IFRAME).first.element_handle().content_frame()
    frame.wait_for_selector(".leaflet-container", timeout=30000)
    frame.wait_for_function("() => window.sslMap !== undefined", timeout=30000)
    return frame


def _ids(frame) -> list[str]:
    """The ids of the features Leaflet has drawn (``sid`` of each GeoJSON feature)."""
    return frame.evaluate("""() => { const out = [];
        window.sslMap.eachLayer(l => {
            if (l.feature && l.feature.properties && l.feature.properties.sid) out.push(l.feature.properties.sid);
        });
        return out; }""")


def _wait(page, check, timeout_s: float = 30) -> bool:
    for _ in range(int(timeout_s * 5)):
        if check():
            return True
        page.wait_for_timeout(200)
    return bool(check())


def test_pick_2021_and_open_an_items_popup(year_app, page) -> None:
    page.goto(year_app.url + "/")
    frame = _frame(page)
    assert _wait(page, lambda: "road-01" in _ids(frame))  # all years: today's map
    page.locator(".st-key-plan_year [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="2021年", exact=True).click()
    page.get_by_text("正在查看 2021 年度计划的事项").wait_for(timeout=30000)
    frame = _frame(page)
    assert _wait(page, lambda: "plan-2021-001" in _ids(frame) and "road-01" not in _ids(frame))
    ids = _ids(frame)
    assert {"plan-2021-001", "plan-2021-002", "road-07"} <= set(ids)
    assert not [i for i in ids if i.startswith("road-") and i != "road-07"]  # the other 2020 roads are not drawn
    marked = frame.evaluate("""() => { let hit = null;
        window.sslMap.eachLayer(l => {
            if (l.feature && l.feature.properties && l.feature.properties.sid === 'plan-2021-001' && l._path) hit = l;
        });
        if (!hit) return false; hit._path.setAttribute('data-ssl-test', 'item'); return true; }""")
    assert marked
    frame.locator("path[data-ssl-test='item']").dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=30000)
    text = popup.inner_text()
    assert "计划事项" in text and "2021" in text and "示意" in text, text
    shot(page, "plan-year-2021-item-popup")
