"""No injection (issue 6 item 3): text from data is escaped in map tooltips, popups, the legend and in KML.

The payloads are the classic ones: an ``<img onerror>`` tag, a ``</script>`` break-out, an attribute
break-out. Each test puts them in every text a feature carries (name, id, status, popup fields and labels,
layer title, legend labels) and checks the output; the browser test loads the map with the local Leaflet
assets, hovers and clicks the feature, and checks that no script ran.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import defusedxml.ElementTree as DET
import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from gis.io import read_any, write_any

PROJECT = Path(__file__).resolve().parents[1]
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
ATTR = "\" onmouseover=\"alert(3)\" x=\""
LON, LAT = 113.88, 22.93


@pytest.fixture
def hostile() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [IMG, "ok-2"],
            "name_zh": [IMG, SCRIPT],
            "status": [SCRIPT, "planned"],
            "note": [ATTR, IMG],
            "description": [IMG + " & more", SCRIPT],
        },
        geometry=[box(LON, LAT, LON + 0.01, LAT + 0.01), Point(LON + 0.02, LAT)],
        crs="EPSG:4326",
    )


def _map_html(gdf: gpd.GeoDataFrame, **kwargs: object) -> str:
    from gis.render import MapLayer, build_map, map_html

    layer = MapLayer(
        name="hostile",
        title=IMG,
        gdf=gdf,
        status_colors={SCRIPT: "#ff0000", "planned": "red;background:url(javascript:alert(4))"},
        popup_fields=[("note", IMG), ("name_zh", "名称"), ("description", ATTR)],
    )
    m = build_map([layer], status_labels={SCRIPT: IMG}, **kwargs)  # type: ignore[arg-type]
    return map_html(m)


def test_render_escapes_every_text_from_data(hostile: gpd.GeoDataFrame) -> None:
    page = _map_html(hostile)
    for payload in (IMG, SCRIPT):
        assert payload not in page, f"raw {payload!r} reached the map HTML"
    assert "onerror=alert(1)>" not in page
    assert "<script>alert(2)" not in page
    assert "javascript:alert(4)" not in page, "a colour from data reached a style attribute"
    # the text is still there, as HTML-safe JSON data (the browser escapes it where it draws it), so the
    # planner reads it as it was typed
    assert json.dumps(IMG, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") in page


def _kml_text(path: Path) -> bytes:
    if path.suffix == ".kmz":
        with zipfile.ZipFile(path) as zf:
            return zf.read("doc.kml")
    return path.read_bytes()


@pytest.mark.parametrize("fmt", ["kml", "kmz"])
def test_kml_export_escapes_markup(hostile: gpd.GeoDataFrame, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"hostile.{fmt}"
    write_any(hostile, out, fmt=fmt)
    raw = _kml_text(out)
    for payload in (IMG, SCRIPT):  # markup; ATTR's quotes are harmless in element text and stay as typed
        assert payload.encode() not in raw, f"raw {payload!r} in the KML"
    root = DET.fromstring(raw)  # well-formed, no DTD
    tags = {el.tag.rsplit("}", 1)[-1].lower() for el in root.iter()}
    assert not tags & {"img", "script"}, "markup from data became XML elements"
    names = [el.text for el in root.iter() if el.tag.endswith("}name") and el.text and "alert" in el.text]
    assert IMG in names and SCRIPT in names  # names are plain text in KML: kept as typed, XML-escaped
    # round trip: the reader gives back the same text
    back = read_any(out).gdf
    assert set(back["name_zh"]) == {IMG, SCRIPT}
    assert set(back["note"]) == {ATTR, IMG}


def test_kml_description_is_html_safe(hostile: gpd.GeoDataFrame, tmp_path: Path) -> None:
    out = tmp_path / "hostile.kml"
    write_any(hostile, out, fmt="kml")
    root = DET.fromstring(out.read_bytes())
    descriptions = [el.text or "" for el in root.iter() if el.tag.endswith("}description")]
    assert descriptions
    # KML viewers (Google Earth balloons) render <description> as HTML: the parsed text must hold no markup
    for text in descriptions:
        assert "<img" not in text and "<script" not in text, text
    back = read_any(out).gdf
    assert IMG + " & more" in set(back["description"])


@pytest.mark.browser
@pytest.mark.slow
def test_map_runs_no_script_from_data_in_a_browser(hostile: gpd.GeoDataFrame, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    assets = PROJECT / "ui" / "assets"
    if not (assets / "leaflet" / "leaflet.js").exists():
        pytest.skip("ui/assets/leaflet is missing")
    page_file = tmp_path / "map.html"
    page_file.write_text(_map_html(hostile, asset_base=assets.as_uri() + "/", measure=False), encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--allow-file-access-from-files"])
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            page.wait_for_selector("path.leaflet-interactive", timeout=60_000)
            target = page.locator("path.leaflet-interactive").first
            target.hover()
            page.wait_for_selector(".leaflet-tooltip", timeout=30_000)
            target.click()
            page.wait_for_selector(".leaflet-popup-content", timeout=30_000)
            tooltip = page.locator(".leaflet-tooltip").first.inner_text()
            popup = page.locator(".leaflet-popup-content").first.inner_text()
            legend = page.locator(".ssl-legend").first.inner_text()
            injected = page.evaluate("document.querySelectorAll('img[src=\"x\"], img[onerror]').length")
        finally:
            browser.close()
    assert not dialogs, f"a script from data ran: {dialogs}"
    assert injected == 0
    assert IMG in tooltip, tooltip  # shown as text, exactly as typed
    assert ATTR in popup, popup
    assert IMG in legend, legend
    assert not [e for e in errors if "alert" in e]
