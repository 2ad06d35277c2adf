"""规划年度 in the real browser (issue 16): pick 2021 in the sidebar, see a 2021 item's marker and its popup.

The app runs on its own store, prepared before it starts: the bundled layers, then a small 2021 plan accepted
(two items placed by lon/lat, the 2020 link road ``road-07`` carried into 2021). A reviewer marks the first
item's place as illustrative (示意), as the plan gives no exact place.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import EDITOR, App, map_content_frame, running_app, shot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力优化交通。力争年底前打通10条联网路；上半年建成松湖智谷公交首末站。
二要着力提升城市承载力。力争全年收储土地约600亩。
"""


@pytest.fixture(scope="module")
def year_app(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[App]:
    from plan_2021 import PICKS_ROADS, accept_2021, seeded_store

    data_dir = tmp_path_factory.mktemp("yearapp")
    store = seeded_store(data_dir / "working.gpkg")  # where start_app's SSL_GIS_DATA_DIR puts the working store
    picks = {**PICKS_ROADS, "力争全年收储土地约600亩": {"lon": 113.87, "lat": 22.93}}
    assert accept_2021(store, PLAN_2021, picks, user=EDITOR)["added"] == ["plan-2021-001", "plan-2021-002"]
    version = int(store.read_layer("plan_items").set_index("id").loc["plan-2021-001", "version"])
    store.update_feature("plan_items", "plan-2021-001", {"illustrative": True, "accuracy_m": 500.0},
                         expected_version=version, user=EDITOR, note="位置为示意")
    with running_app(data_dir) as running:
        yield running


def _ids(frame) -> list[str]:
    """The ids of the features Leaflet has drawn (``sid`` of each GeoJSON feature)."""
    return frame.evaluate("""() => { const out = [];
        window.sslMap.eachLayer(l => {
            if (l.feature && l.feature.properties && l.feature.properties.sid) out.push(l.feature.properties.sid);
        });
        return out; }""")


def test_pick_2021_and_open_an_items_popup(year_app, page) -> None:
    page.goto(year_app.url + "/")
    frame = map_content_frame(page)
    assert wait_until(page, lambda: "road-01" in _ids(frame))  # all years: today's map
    page.locator(".st-key-plan_year [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="2021年", exact=True).click()
    page.get_by_text("正在查看 2021 年度计划的事项").wait_for(timeout=30000)
    frame = map_content_frame(page)
    assert wait_until(page, lambda: "plan-2021-001" in _ids(frame) and "road-01" not in _ids(frame))
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
