"""The app in headless Chromium with the internet blocked: the map paints, toggles, edits persist,
uploads show their report, exports read back, and markup in data stays text.

Screenshots of each page are saved in tests/browser/artefacts/ (see its README).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import layers

from .conftest import map_frame, shot, sign_in, wait_idle, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

EVIL_IMG = "<img src=x onerror=alert(1)>"
EVIL_SCRIPT = "<script>alert(2)</script>"


def _features(names: list[str]) -> int:
    return sum(len(layers.load_baseline(n, derived=False)) for n in names)


def _paths(frame) -> int:
    return frame.locator("path.leaflet-interactive").count()


def _wait_paths(page, frame, expected: int, timeout_s: float = 30) -> int:
    for _ in range(int(timeout_s * 5)):
        n = _paths(frame)
        if n == expected:
            return n
        page.wait_for_timeout(200)
    return _paths(frame)


def test_map_paints_offline_with_every_feature(app, page, blocked) -> None:
    page.goto(app.url + "/")
    frame = map_frame(page)
    expected = _features(layers.names())
    n = _wait_paths(page, frame, expected)
    shot(page, "01-map")
    assert n == expected, f"{n} paths drawn for {expected} features"
    # Leaflet, the measure plugin and their images came from the app itself
    assert blocked.urls == [], blocked.urls[:5]
    assert frame.locator(".leaflet-control-measure").count() == 1
    # the Dongguan boundary, the towns and the lake are there on the "none" basemap
    assert frame.locator("img.leaflet-tile").count() == 0


def test_layer_toggle_redraws_without_a_reload(app, page) -> None:
    page.goto(app.url + "/?layers=boundaries,water,road_links")
    frame = map_frame(page)
    full = _features(["boundaries", "water", "road_links"])
    assert _wait_paths(page, frame, full) == full
    page.evaluate("() => { const f = document.querySelector(\"iframe[title='streamlit_folium.st_folium']\"); f.dataset.mark = 'same'; }")
    page.locator("[data-testid='stButtonGroup'] button", has_text="水系").first.click()
    less = full - _features(["water"])
    assert _wait_paths(page, frame, less) == less
    assert "water" not in page.url.split("layers=")[1].split("&")[0]
    # the map's iframe was updated in place, not remounted
    assert page.evaluate("() => document.querySelector(\"iframe[title='streamlit_folium.st_folium']\").dataset.mark") == "same"
    shot(page, "02-map-toggled")


def test_hover_shows_the_name(app, page) -> None:
    page.goto(app.url + "/?layers=substations")
    frame = map_frame(page)
    _wait_paths(page, frame, _features(["substations"]))
    frame.locator("path.leaflet-interactive").first.hover()
    tip = frame.locator(".leaflet-tooltip")
    tip.wait_for(timeout=10000)
    assert re.search(r"· sub-\d+", tip.inner_text())


def test_click_opens_details_with_the_plan_sentence(app, page) -> None:
    page.goto(app.url + "/?layers=tod_stations")
    frame = map_frame(page)
    _wait_paths(page, frame, _features(["tod_stations"]))
    # A synthetic click on the marker: in headless Chromium a mouse click inside streamlit-folium's iframe
    # (inside Streamlit's scrolling main container) reaches the SVG path but Leaflet does not turn it into a
    # "click" (the popup does not open either); the DOM click exercises the same Leaflet and app code.
    frame.locator("path.leaflet-interactive").first.dispatch_event("click")
    page.get_by_text("规划原文").first.wait_for(timeout=30000)
    assert re.search(r"sel=tod-\d+", page.url)
    shot(page, "08-map-details")


def _opened(page) -> int:
    """The 已打通 figure of the roads page (N of "N / 18"), read from that metric by its label.

    Not "the first metric": while a run redraws the board, the first one in the page can for a moment be
    another (the km figure, "2.7 / … km" was once read so after a reload).
    """
    value = page.locator("[data-testid='stMetric']").filter(has_text="已打通").locator("[data-testid='stMetricValue']")
    for _ in range(150):  # up to 30 s of browser time, every 200 ms
        try:
            match = re.fullmatch(r"(\d+) / 18", value.inner_text(timeout=1000).strip())
        except Exception:  # not drawn yet, or redrawn under the read
            match = None
        if match:
            return int(match.group(1))
        page.wait_for_timeout(200)
    raise AssertionError(f"the roads page never showed 已打通 N / 18 (last text: {value.all_inner_texts()})")


def test_editor_changes_a_road_status_signs_out_and_editing_is_refused(app, page) -> None:
    page.goto(app.url + "/roads")
    sign_in(page)
    before = _opened(page)
    shot(page, "03-roads")
    wait_idle(page)
    combo = page.locator(".st-key-roads_edit_status [role='combobox']")
    option = page.get_by_role("option", name="通车")
    for _ in range(5):
        combo.click()
        try:
            option.wait_for(timeout=3000)
            break
        except Exception:  # the form was redrawn by a rerun under the click: try again
            page.keyboard.press("Escape")
    option.click()
    page.locator(".st-key-roads_edit_note input").fill("浏览器测试 <b>不是粗体</b>")
    page.locator(".st-key-roads_edit_save button").click()
    page.get_by_text("已保存").wait_for(timeout=30000)
    assert _opened(page) == before + 1
    shot(page, "03-roads-after-save")
    # sign out: the change stays, and editing is refused
    wait_idle(page)
    page.locator(".st-key-auth_signout button").click()
    page.get_by_text("需要编辑权限").first.wait_for(timeout=30000)
    # the run that follows the sign-out removes the form (its stale copy may linger until the run ends)
    page.locator(".st-key-roads_edit_save button").wait_for(state="detached", timeout=30000)
    wait_idle(page)
    assert page.locator(".st-key-roads_edit_save button").count() == 0
    assert _opened(page) == before + 1
    shot(page, "03-roads-signed-out")
    page.reload()
    wait_idle(page)  # the roads page now draws the board before its figures: read them once the run is over
    assert _opened(page) == before + 1  # stored in the working store, not in the session
    page.get_by_text("需要编辑权限").first.wait_for(timeout=30000)
    assert page.locator(".st-key-roads_edit_save button").count() == 0


def _tooltips_of_last(page, frame, n_last: int, *, attempts: int = 6) -> list[str]:
    """Hover the last ``n_last`` drawn paths and read their tooltips, retrying while the map redraws."""
    tips: list[str] = []
    for _ in range(attempts):
        pts = frame.locator("path.leaflet-interactive")
        count = pts.count()
        tips = []
        for i in range(1, n_last + 1):
            target = pts.nth(count - i)
            try:
                target.dispatch_event("mouseover", timeout=5000)
                tip = frame.locator(".leaflet-tooltip").last
                tip.wait_for(timeout=5000)
                tips.append(tip.inner_text(timeout=5000))
                target.dispatch_event("mouseout", timeout=5000)
            except Exception:  # the iframe was redrawn under the hover: try again
                pass
        if len(tips) == n_last:
            return tips
        page.wait_for_timeout(1000)
    return tips


def test_upload_shows_report_preview_and_markup_as_text(app, page, tmp_path: Path) -> None:
    gj = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"id": "u-1", "name": EVIL_IMG},
             "geometry": {"type": "Point", "coordinates": [113.89, 22.93]}},
            {"type": "Feature", "properties": {"id": "u-2", "name": EVIL_SCRIPT},
             "geometry": {"type": "Polygon", "coordinates": [[[113.90, 22.90], [113.91, 22.90], [113.91, 22.91], [113.90, 22.90]]]}},
        ],
    }
    path = tmp_path / "upload.geojson"
    path.write_text(json.dumps(gj), encoding="utf-8")
    page.goto(app.url + "/data")
    page.locator("input[type='file']").first.set_input_files(str(path))
    page.get_by_text("读取 2 个要素").wait_for(timeout=60000)
    page.get_by_text("预览（尚未保存）").wait_for()
    # The preview's own map: the page's first once both maps are there (the preview above the drawing map at the
    # foot of the page). Before the preview is added, "the first map" is the drawing map, whose context holds the
    # roads: the test once hovered two roads there.
    frames = page.locator("iframe[title='streamlit_folium.st_folium']")
    assert wait_until(page, lambda: frames.count() == 2, timeout_s=60), f"{frames.count()} maps on the page"
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    frame.locator(".leaflet-container").wait_for(timeout=30000)
    pts = frame.locator("path.leaflet-interactive")
    expected = 2 + _features(["boundaries"])
    for _ in range(300):  # up to 60 s on a loaded machine
        if pts.count() >= expected:
            break
        page.wait_for_timeout(200)
    assert pts.count() >= expected, f"the preview drew {pts.count()} of {expected} features"
    tips = _tooltips_of_last(page, frame, 2)
    shot(page, "04-data-upload")
    assert page.dialogs == []  # no alert() ran
    assert "DeltaGenerator" not in page.locator("section.main, [data-testid='stMain']").first.inner_text()  # no stray output
    assert frame.locator("img[src='x']").count() == 0 and page.locator("img[src='x']").count() == 0
    assert len(tips) == 2, tips
    joined = "\n".join(tips)
    assert EVIL_IMG in joined or EVIL_SCRIPT in joined, tips  # the markup is shown as text


def test_export_geojson_reads_back(app, page, tmp_path: Path) -> None:
    import geopandas as gpd

    page.goto(app.url + "/data")
    page.get_by_role("button", name="生成文件").click()
    button = page.get_by_role("button", name=re.compile("下载 boundaries"))
    button.wait_for(timeout=60000)
    with page.expect_download() as dl:
        button.click()
    out = tmp_path / dl.value.suggested_filename
    dl.value.save_as(out)
    back = gpd.read_file(out)
    assert sorted(back["id"]) == sorted(layers.load_baseline("boundaries", derived=False)["id"])
    assert '"crs"' not in out.read_text(encoding="utf-8")[:2000]  # RFC 7946: no crs member


@pytest.mark.parametrize("path,name", [("/land", "05-land"), ("/metrics", "06-metrics"), ("/?lang=en", "07-map-en")])
def test_other_pages_render(app, page, path: str, name: str) -> None:
    page.goto(app.url + path)
    map_frame(page)
    page.wait_for_timeout(1000)
    shot(page, name)
    assert page.locator("[data-testid='stException']").count() == 0


def test_editor_backs_up_and_restores_the_store(app, page, tmp_path: Path) -> None:
    from gis.store import open_store

    page.goto(app.url + "/data")
    sign_in(page)
    make = page.locator(".st-key-backup_make button")
    make.wait_for(timeout=30000)
    make.click()
    download = page.locator(".st-key-backup_download button")
    download.wait_for(timeout=60000)
    with page.expect_download() as dl:
        download.click()
    backup = tmp_path / "backup.gpkg"
    dl.value.save_as(backup)
    # someone changes a road after the backup was made
    store = open_store(app.data_dir / "working.gpkg")
    roads = store.read_layer("road_links").set_index("id")
    fid = roads.index[-1]
    before = roads.loc[fid, "status"]
    after = "delayed" if before != "delayed" else "planned"
    store.update_feature("road_links", fid, {"status": after}, expected_version=int(roads.loc[fid, "version"]), user="other")
    # the editor restores the backup: the change is undone, and the replaced store is kept
    page.locator(".st-key-restore_upload input[type='file']").set_input_files(str(backup))
    page.locator(".st-key-restore_upload").get_by_text("backup.gpkg").wait_for(timeout=60000)
    wait_idle(page)
    confirm = page.locator(".st-key-restore_confirm input[type='checkbox']")
    restore = page.locator(".st-key-restore_go button")
    for _ in range(300):  # enabled once the upload and the confirmation have reached the server (≤ 60 s)
        if restore.is_enabled():
            break
        if not confirm.is_checked():
            page.locator(".st-key-restore_confirm label").click()
        page.wait_for_timeout(200)
    restore.click()
    page.get_by_text("已从").first.wait_for(timeout=60000)
    shot(page, "09-restored")
    assert open_store(app.data_dir / "working.gpkg").read_layer("road_links").set_index("id").loc[fid, "status"] == before
    assert (app.data_dir / "working.bak.gpkg").exists()
