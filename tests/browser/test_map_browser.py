"""The map reads like a planning map, in headless Chromium with the internet blocked (issue 13 items 3–4).

North arrow, a metric scale bar, the legend inside the map, a labels toggle, a click that highlights without
moving the map, a basemap switch that keeps the same map (no remount) and says when an online basemap cannot
load, and 出图 of the current view. Screenshots go to tests/browser/artefacts/.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import layers

from .conftest import IFRAME, map_content_frame, shot, wait_idle, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

def _n(name: str) -> int:
    return len(layers.load_baseline(name, derived=False))


def _mark(page, frame) -> None:
    """Mark the iframe element and the Leaflet map object: a remount would lose both marks."""
    page.evaluate(f"() => {{ document.querySelector(\"{IFRAME}\").dataset.mark = 'same'; }}")
    frame.evaluate("() => { window.sslMap._sslMark = 'same'; }")


def _still_marked(page) -> bool:
    same_iframe = page.evaluate(f"() => document.querySelector(\"{IFRAME}\").dataset.mark") == "same"
    frame = page.locator(IFRAME).first.element_handle().content_frame()
    return same_iframe and frame.evaluate("() => window.sslMap && window.sslMap._sslMark") == "same"


def test_north_arrow_metric_scale_and_legend_inside_the_map(app, page) -> None:
    page.goto(app.url + "/?layers=road_links,substations")
    frame = map_content_frame(page)
    frame.locator(".ssl-north").wait_for(timeout=30000)
    assert "北" in frame.locator(".ssl-north").inner_text()
    scale = frame.locator(".leaflet-control-scale-line")
    assert scale.count() == 1  # metric only: no second (imperial) line
    assert re.fullmatch(r"\d+ (m|km)", scale.inner_text().strip()), scale.inner_text()
    legend = frame.locator(".leaflet-control-container .ssl-legend")
    wait_until(page, lambda: legend.is_visible() and "输变电工程" in legend.inner_text())
    text = legend.inner_text()
    assert "道路与交通" in text and "输变电工程" in text and "选址中" in text
    shot(page, "map-01-north-scale-legend")


def test_labels_toggle(app, page) -> None:
    page.goto(app.url + "/?layers=tod_stations")
    frame = map_content_frame(page)
    wait_until(page, lambda: frame.locator("path.leaflet-interactive").count() == _n("tod_stations"))
    assert frame.locator(".ssl-label").count() == 0
    _mark(page, frame)
    page.locator(".st-key-map_labels label").first.click()
    assert wait_until(page, lambda: frame.locator(".ssl-label").count() == _n("tod_stations"))
    names = set(layers.load_baseline("tod_stations", derived=False)["name_zh"])
    assert set(frame.locator(".ssl-label").all_inner_texts()) == names
    assert _still_marked(page)
    shot(page, "map-02-labels")
    page.locator(".st-key-map_labels label").first.click()
    assert wait_until(page, lambda: frame.locator(".ssl-label").count() == 0)


def test_click_highlights_the_feature_and_does_not_move_the_map(app, page) -> None:
    page.goto(app.url + "/?layers=tod_stations")
    frame = map_content_frame(page)
    wait_until(page, lambda: frame.locator("path.leaflet-interactive").count() == _n("tod_stations"))
    wait_idle(page)
    before = frame.evaluate("() => { const c = window.sslMap.getCenter(); return [c.lat, c.lng, window.sslMap.getZoom()]; }")
    assert frame.locator("path[stroke='#ff00ff']").count() == 0
    frame.locator("path.leaflet-interactive").first.dispatch_event("click")
    page.get_by_text("规划原文").first.wait_for(timeout=30000)
    wait_idle(page)
    assert wait_until(page, lambda: frame.locator("path[stroke='#ff00ff']").count() == 1)
    after = frame.evaluate("() => { const c = window.sslMap.getCenter(); return [c.lat, c.lng, window.sslMap.getZoom()]; }")
    assert after[2] == before[2]
    assert abs(after[0] - before[0]) < 1e-6 and abs(after[1] - before[1]) < 1e-6, (before, after)
    shot(page, "map-03-selected")


def test_basemap_switch_keeps_the_map_and_says_when_tiles_cannot_load(app, page, blocked) -> None:
    page.goto(app.url + "/?layers=water")
    frame = map_content_frame(page)
    wait_until(page, lambda: frame.locator("path.leaflet-interactive").count() == _n("water"))
    wait_idle(page)
    _mark(page, frame)
    page.locator(".st-key-map_basemap [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="OpenStreetMap", exact=True).click()
    notice = frame.locator(".ssl-tile-notice")
    assert wait_until(page, lambda: notice.is_visible()), "a blocked online basemap must say so on the map"
    assert "无底图" in notice.inner_text()
    assert any("openstreetmap" in u for u in blocked.urls)
    assert _still_marked(page), "the basemap switch remounted the map"
    assert frame.locator("path.leaflet-interactive").count() == _n("water")  # the data stayed drawn
    shot(page, "map-04-basemap-blocked")
    page.locator(".st-key-map_basemap [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="无底图（离线可用）", exact=True).click()
    assert wait_until(page, lambda: frame.locator("img.leaflet-tile").count() == 0 and not notice.is_visible())
    assert _still_marked(page)


def test_print_current_view_as_pdf(app, page) -> None:
    pypdf = pytest.importorskip("pypdf")
    page.goto(app.url + "/?layers=substations,road_links")
    map_content_frame(page)
    wait_idle(page)
    page.get_by_text("出图", exact=True).first.click()
    page.locator(".st-key-map_print_make button").click()
    button = page.locator(".st-key-map_print_pdf button")
    button.wait_for(timeout=60000)
    with page.expect_download(timeout=30000) as info:
        button.click()
    data = Path(info.value.path()).read_bytes()
    text = "".join(pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().replace("\x00", "").split())
    assert "松山湖高新区2020年工作计划·规划图" in text
    assert "输变电工程" in text and "道路与交通" in text and "示意：图中" in text
    shot(page, "map-05-print")


def test_search_frames_and_highlights_the_found_feature_without_remount(app, page) -> None:
    subs = layers.load_baseline("substations", derived=False)
    row = subs.iloc[-1]
    page.goto(app.url + "/?layers=substations")
    frame = map_content_frame(page)
    wait_until(page, lambda: frame.locator("path.leaflet-interactive").count() == len(subs))
    wait_idle(page)
    _mark(page, frame)
    box = page.locator(".st-key-map_search input")
    box.fill(str(row["id"]))
    box.press("Enter")
    wait_idle(page)
    assert wait_until(page, lambda: frame.locator("path[stroke='#ff00ff']").count() == 1)
    w, s, e, n = row.geometry.bounds
    inside = f"() => window.sslMap.getBounds().pad(-0.05).contains(L.latLngBounds([[{s}, {w}], [{n}, {e}]]))"
    assert wait_until(page, lambda: frame.evaluate(inside)), "the found feature is framed with a margin"
    assert _still_marked(page)
    shot(page, "map-06-search-framed")
