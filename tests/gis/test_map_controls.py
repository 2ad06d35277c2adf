"""gis.map_controls and the planning-map furniture of gis.render: metric scale, north arrow, legend, labels, basemaps."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from gis import map_controls, render
from tests.gis.conftest import unjs

EVIL = "<img src=x onerror=alert(1)>"
JINJA = "{{ 7*7 }}{% if 1 %}x{% endif %}"


@pytest.fixture
def layer() -> render.MapLayer:
    gdf = gpd.GeoDataFrame(
        {"id": ["p-1", "r-1", "s-1"], "name_zh": [EVIL, JINJA, "松山湖站"], "status": ["planned", "completed", "planned"]},
        geometry=[box(113.88, 22.90, 113.90, 22.92), LineString([(113.85, 22.93), (113.95, 22.95)]), Point(113.89, 22.93)],
        crs="EPSG:4326",
    )
    return render.MapLayer("t", "图层 <T>", gdf, {"color": "#ff0000"}, {"completed": "#00aa00", "planned": "#777777"})


def test_scale_is_metric_only_and_north_arrow_is_drawn() -> None:
    page = render.map_html(render.build_map([], asset_base="../a/", north_label="北 N"))
    assert "imperial: false" in page and "metric: true" in page
    assert "L.control.scale()" not in page  # folium's own control (with miles) is off
    assert "ssl-north" in page and "北 N" in unjs(page)


def test_legend_lives_in_a_leaflet_control_with_escaped_entries(layer: render.MapLayer) -> None:
    page = render.map_html(render.build_map([layer], asset_base="../a/", status_labels={"completed": "建成"}))
    assert "L.Control.extend" in page and "window.sslSetLegend(" in page
    text = unjs(page)
    assert "图层 &lt;T&gt; (3)" in text and "建成" in text
    assert "图层 <T>" not in text


def test_legend_entries_list_only_present_statuses(layer: render.MapLayer) -> None:
    rows = render.legend_entries([layer], {"completed": "建成", "planned": "规划"})
    assert rows[0] == ("图层 <T> (3)", "#ff0000", False)
    assert ("建成", "#00aa00", True) in rows and ("规划", "#777777", True) in rows
    assert len(rows) == 3


def test_labels_are_escaped_and_never_template_code(layer: render.MapLayer) -> None:
    page = render.map_html(render.build_map([layer], labels=True, asset_base="../a/"))
    assert EVIL not in page  # the labels travel as HTML-safe JSON and are escaped where drawn (browser test)
    text = unjs(page)
    assert JINJA.replace("{{ 7*7 }}", "49") not in text and JINJA in text  # the name is data, not a Jinja template
    assert '"names": [[' in text and "松山湖站" in text and "ssl-label" in text


def test_label_points_lie_inside_their_features(layer: render.MapLayer) -> None:
    pts = render.label_points(render.layer_geojson(layer))
    assert [p[2] for p in pts] == [EVIL, JINJA, "松山湖站"]  # plain text; escaped when drawn
    lat, lon, _ = pts[0]
    assert box(113.88, 22.90, 113.90, 22.92).contains(Point(lon, lat))


def test_basemap_setter_carries_tiles_and_the_failure_notice() -> None:
    import folium

    m = render.build_map([], asset_base="../a/")
    group = folium.FeatureGroup(name="chrome")
    tiles = render.basemap_tiles("osm")
    map_controls.basemap_setter("osm", tiles, error_message="底图无法加载 <选无底图>").add_to(group)
    group.add_to(m)
    page = unjs(render.map_html(m))
    assert "tile.openstreetmap.org" in page and "tileerror" in page
    assert "底图无法加载 <选无底图>" not in render.map_html(m)  # < written as \\u003c inside the script
    assert "底图无法加载 <选无底图>" in page
    assert render.basemap_tiles("none") == []


def test_js_literal_cannot_close_a_script() -> None:
    out = map_controls.js_literal({"a": "</script><b>&"})
    assert "<" not in out and ">" not in out and "&" not in out


@pytest.mark.parametrize(
    "bounds, zoom",
    [((113.88, 22.90, 113.90, 22.92), 14), ((113.70, 22.80, 114.10, 23.05), 11), ((113.89, 22.93, 113.89, 22.93), 17)],
)
def test_fit_view_frames_the_bounds_with_padding(bounds, zoom) -> None:
    lat, lon, z = render.fit_view(bounds, width_px=800, height_px=600, padding_px=60, max_zoom=17)
    assert z == zoom
    assert lat == pytest.approx((bounds[1] + bounds[3]) / 2) and lon == pytest.approx((bounds[0] + bounds[2]) / 2)
    # at that zoom the bounds fit in the padded frame (256 px tiles, Web Mercator)
    span_px = (bounds[2] - bounds[0]) / 360 * 256 * 2**z
    assert span_px <= 800 - 2 * 60


def test_popups_do_not_pan_the_map(layer: render.MapLayer) -> None:
    layer.popup_fields = [("name_zh", "名称")]
    page = render.map_html(render.build_map([layer], asset_base="../a/"))
    assert "autoPan: false" in page  # a click near the top edge would otherwise move the map ~6 km (browser test)


def test_the_chrome_s_scripts_compile_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    def chrome() -> None:  # what every rerun of a map page builds besides the data
        map_controls.MapChrome(north_label="北 N")
        map_controls.legend_setter([("道路", "#ff0000", False)])
        map_controls.basemap_setter("none", [], error_message="底图无法加载")
        render.layer_script.runtime_element()
        render.layer_script.layer_element({"features": [], "styles": []})

    chrome()
    compiles: list[int] = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiles.append(1) or real(self, *a, **k))
    chrome()
    assert compiles == []
