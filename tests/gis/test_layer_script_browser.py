"""gis.layer_script in a real browser: the map's ``sslLayer`` draws, escapes and behaves as folium's layers did.

The map is a standalone page (``gis.render.map_html``) with the project's own Leaflet files, opened from disk in
Debian's Chromium. Data texts carry markup and template syntax; the checks are what a planner sees: every feature
drawn with its style, the hover text ``name · id`` exactly as typed, the popup's rows in order with empty values
left out, the labels, and that no text ever became an element or ran a script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from gis import render

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
JINJA = "{{ 7*7 }} & 'q' \"d\""
#: JavaScript: the drawn feature (Leaflet layer) with a given id.
FIND = "(id => { let hit; sslMap.eachLayer(l => { if (l.feature && l.feature.properties.sid === id) hit = l; }); return hit; })"


def _layer() -> render.MapLayer:
    gdf = gpd.GeoDataFrame(
        {
            "id": ["p-1", "r-1", "s-1"],
            "name_zh": [IMG, SCRIPT, JINJA],
            "status": ["planned", "completed", "planned"],
            "note": ["a & b", None, IMG],
            "area_mu": [1234.5, float("nan"), 2.0],
        },
        geometry=[box(113.88, 22.90, 113.90, 22.92), LineString([(113.85, 22.93), (113.95, 22.95)]), Point(113.89, 22.93)],
        crs="EPSG:4326",
    )
    return render.MapLayer(
        "t", "图层", gdf, {"color": "#ff0000", "weight": 2}, {"completed": "#00aa00"},
        popup_fields=[("name_zh", "名称 <b>"), ("note", "备注"), ("area_mu", "面积 (亩)")],
        highlight_ids=frozenset({"s-1"}),
    )


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Open the map, hover and click each feature, and collect what the page shows."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    assets = PROJECT / "ui" / "assets"
    page_file = tmp_path_factory.mktemp("layer-script") / "map.html"
    m = render.build_map([_layer()], labels=True, zoom=13, center=(22.925, 113.90), measure=False, asset_base=assets.as_uri() + "/")
    page_file.write_text(render.map_html(m), encoding="utf-8")
    out: dict[str, Any] = {"tooltips": {}, "popups": {}}
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--allow-file-access-from-files"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length === 3", timeout=60_000)
            out["strokes"] = page.evaluate(
                "[...document.querySelectorAll('path.leaflet-interactive')].map(p => p.getAttribute('stroke'))"
            )
            out["labels"] = page.locator(".ssl-label").all_inner_texts()
            # each feature by its id: hover (tooltip, highlight), then click (popup) and check the view stays
            for fid in ("p-1", "r-1", "s-1"):
                path = page.evaluate_handle(f"id => {FIND}(id).getElement()", fid)
                box_ = path.bounding_box()
                assert box_ is not None
                x, y = box_["x"] + box_["width"] / 2, box_["y"] + box_["height"] / 2
                if fid == "r-1":  # a line: its middle, on the stroke
                    x, y = page.evaluate(
                        f"() => {{ const p = sslMap.latLngToContainerPoint({FIND}('r-1').getCenter());"
                        " const r = sslMap.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }"
                    )
                page.mouse.move(x, y)
                page.wait_for_function(f"id => {FIND}(id).isTooltipOpen()", arg=fid, timeout=30_000)
                out["tooltips"][fid] = page.evaluate(f"id => {FIND}(id).getTooltip().getElement().innerText", fid)
                out.setdefault("hover_weight", {})[fid] = page.evaluate(f"id => {FIND}(id).options.weight", fid)
                centre = page.evaluate("() => sslMap.getCenter()")
                page.mouse.click(x, y)
                # this feature's own popup (a closed one fades out for 200 ms and would still match a selector)
                page.wait_for_function(f"id => {FIND}(id).isPopupOpen()", arg=fid, timeout=30_000)
                out["popups"][fid] = page.evaluate(
                    f"id => [...{FIND}(id).getPopup().getElement().querySelectorAll('tr')]"
                    ".map(r => [r.querySelector('th').textContent, r.querySelector('td').textContent])", fid,
                )
                out.setdefault("moved", {})[fid] = page.evaluate("() => sslMap.getCenter()") != centre
                page.mouse.move(5, 690)  # off every feature: the hover style is reset
                page.evaluate("() => sslMap.closePopup()")
            out["auto_pan"] = page.evaluate(
                "() => { const o = []; sslMap.eachLayer(l => { if (l.feature && l.getPopup()) o.push(l.getPopup().options.autoPan); });"
                " return o; }"
            )
            out["weight_after"] = page.evaluate(f"() => {FIND}('p-1').options.weight")
            out["injected"] = page.evaluate("document.querySelectorAll('img, script:not([src])').length")
            out["inline_scripts"] = page.evaluate("document.querySelectorAll('script:not([src])').length")
            out["dialogs"], out["errors"] = dialogs, errors
        finally:
            browser.close()
    return out


def test_every_feature_is_drawn_with_its_style(seen: dict[str, Any]) -> None:
    # the planned parcel in the layer's colour, the completed road in the status colour, the highlighted point magenta
    assert sorted(seen["strokes"]) == sorted(["#ff0000", "#00aa00", "#ff00ff"])


def test_hover_text_is_the_name_and_id_exactly_as_typed(seen: dict[str, Any]) -> None:
    assert seen["tooltips"] == {"p-1": f"{IMG} · p-1", "r-1": f"{SCRIPT} · r-1", "s-1": f"{JINJA} · s-1"}


def test_hover_highlights_and_leaving_restores_the_style(seen: dict[str, Any]) -> None:
    assert seen["hover_weight"] == {"p-1": 5, "r-1": 5, "s-1": 5}
    assert seen["weight_after"] == 2


def test_popup_rows_are_the_fields_in_order_without_empty_values(seen: dict[str, Any]) -> None:
    assert seen["popups"]["p-1"] == [["名称 <b>", IMG], ["备注", "a & b"], ["面积 (亩)", "1,234.50"]]
    assert seen["popups"]["r-1"] == [["名称 <b>", SCRIPT]]  # no note, no area: rows left out
    assert seen["popups"]["s-1"] == [["名称 <b>", JINJA], ["备注", IMG], ["面积 (亩)", "2.00"]]


def test_a_popup_never_pans_the_map(seen: dict[str, Any]) -> None:
    assert seen["moved"] == {"p-1": False, "r-1": False, "s-1": False}
    assert seen["auto_pan"] == [False, False, False]  # near the top edge too (Leaflet's own option, not a timing)


def test_labels_show_each_name_as_text(seen: dict[str, Any]) -> None:
    assert sorted(seen["labels"]) == sorted([IMG, SCRIPT, JINJA])


def test_no_text_became_markup_or_ran(seen: dict[str, Any]) -> None:
    assert seen["injected"] == seen["inline_scripts"]  # only the page's own inline scripts; no <img> at all
    assert not seen["dialogs"]
    assert not seen["errors"], seen["errors"]
