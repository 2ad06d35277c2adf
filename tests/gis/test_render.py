"""gis.render: maps are built from frames, escape every data text, load no CDN asset, shift only for GCJ-02."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from gis import render
from gis.crs import wgs84_to_gcj02
from gis.errors import InputError
from tests.gis.conftest import unjs

EVIL = "<img src=x onerror=alert(1)>"
EVIL2 = "</script><script>alert(2)</script>"


@pytest.fixture
def frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["p-1", "road-01", "st-1"],
            "name_zh": [EVIL, EVIL2, "松山湖站"],
            "status": ["planned", "completed", "site_selected"],
            "note": ["a & b", "\"quoted\"", "x"],
        },
        geometry=[box(113.88, 22.90, 113.90, 22.92), LineString([(113.85, 22.93), (113.95, 22.95)]), Point(113.89, 22.93)],
        crs="EPSG:4326",
    )


def _layer(frame: gpd.GeoDataFrame, **kw) -> render.MapLayer:
    return render.MapLayer(
        "t", kw.pop("title", "Test"), frame, {"color": "#ff0000"}, {"completed": "#00aa00"},
        popup_fields=[("name_zh", "名称"), ("note", "备注")], **kw,
    )


def test_data_text_is_escaped_everywhere(frame: gpd.GeoDataFrame) -> None:
    page = render.map_html(render.build_map([_layer(frame, title="<b>T</b>")], asset_base="../a/"))
    for raw in (EVIL, EVIL2, "<b>T</b>"):
        assert raw not in page
    # the text is there as data (a JSON string), so it is shown, not dropped; the browser escapes it where it
    # draws it (tests/gis/test_layer_script_browser.py)
    assert f'"nm": "{EVIL}"' in unjs(page)
    assert page.count("<script") == page.count("</script>")


def test_no_cdn_when_assets_are_local(frame: gpd.GeoDataFrame) -> None:
    m = render.build_map([_layer(frame)], measure=True, draw=True, asset_base="../ssl/")
    page = render.map_html(m)
    links = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert links, "the map must still load Leaflet"
    assert all(link.startswith("../ssl/") for link in links), links
    assert "../ssl/leaflet/leaflet.js" in links
    assert "../ssl/leaflet-measure/leaflet-measure.cn.js" in links
    assert "../ssl/leaflet-draw/leaflet.draw.js" in links
    code = re.sub(r"//\s*https?://\S+", "", page)  # comments in plugin templates
    assert not re.search(r"https?://", code)


def test_every_local_asset_exists() -> None:
    from pathlib import Path

    assets = Path(render.__file__).resolve().parents[1] / "ui" / "assets"
    for rel in render.ASSET_FILES.values():
        if rel is not None:
            assert (assets / rel).is_file(), rel
    assert (assets / "leaflet-measure/leaflet-measure.cn.js").is_file()
    for lic in ("leaflet", "leaflet-measure", "leaflet-draw"):
        assert (assets / lic / "LICENSE").is_file()


def test_without_asset_base_folium_defaults_stay(frame: gpd.GeoDataFrame) -> None:
    page = render.map_html(render.build_map([_layer(frame)]))
    assert "leaflet.js" in page


def test_none_basemap_has_no_tiles_and_features_are_drawn(frame: gpd.GeoDataFrame) -> None:
    page = render.map_html(render.build_map([_layer(frame)], basemap="none", asset_base="../a/"))
    assert "L.tileLayer" not in page
    assert page.count('"type": "Feature"') + page.count('"type":"Feature"') >= 3 or "FeatureCollection" in page
    assert '"nm": "松山湖站", "sid": "st-1"' in unjs(page)  # hover text "松山湖站 · st-1", made in the browser


def test_status_colour_and_highlight_style(frame: gpd.GeoDataFrame) -> None:
    page = render.map_html(render.build_map([_layer(frame, highlight_ids=frozenset({"p-1"}))], asset_base="../a/"))
    assert "#00aa00" in page  # completed road coloured by status
    assert "#ff00ff" in page  # highlighted parcel


def test_bad_colours_never_reach_styles(frame: gpd.GeoDataFrame) -> None:
    layer = render.MapLayer("t", "T", frame, {"color": "red;background:url(x)", "fill_color": "#abc"})
    page = render.map_html(render.build_map([layer], asset_base="../a/"))
    assert "url(x)" not in page
    assert render.safe_color("javascript:alert(1)") == "#3388ff"
    assert render.safe_color("#1a2b3c") == "#1a2b3c"


def test_per_feature_style_from_a_spec_like_callable(frame: gpd.GeoDataFrame) -> None:
    layer = render.MapLayer("t", "T", frame, {"color": "#111111"}, feature_style=lambda r: {"fill_color": "#123456", "weight": 7})
    page = render.map_html(render.build_map([layer], asset_base="../a/"))
    assert "#123456" in page


def test_gcj02_shift_only_for_gaode(frame: gpd.GeoDataFrame) -> None:
    plain = render.prepare_for_display(frame, simplify_m=0, decimals=7)
    shifted = render.prepare_for_display(frame, simplify_m=0, decimals=7, gcj02=True)
    p0, p1 = plain.geometry.iloc[2], shifted.geometry.iloc[2]
    ex, ey = wgs84_to_gcj02(113.89, 22.93)
    assert p0.x == pytest.approx(113.89)
    assert p1.x == pytest.approx(float(ex), abs=1e-6) and p1.y == pytest.approx(float(ey), abs=1e-6)
    assert abs(p1.x - p0.x) > 0.001  # hundreds of metres in Dongguan
    # the input frame is untouched (display only)
    assert frame.geometry.iloc[2].x == 113.89


def test_gaode_map_draws_shifted_data(frame: gpd.GeoDataFrame) -> None:
    page = render.map_html(render.build_map([_layer(frame)], basemap="gaode_vector", asset_base="../a/", decimals=6))
    ex, _ = wgs84_to_gcj02(113.89, 22.93)
    assert f"{float(ex):.6f}".rstrip("0") in page
    assert "113.89," not in page.replace(" ", "")
    assert "autonavi" in page


def test_tianditu_needs_a_key_and_quotes_it(frame: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError) as err:
        render.build_map([], basemap="tianditu_vector")
    assert "SSL_GIS_TIANDITU_KEY" in str(err.value)
    page = render.map_html(render.build_map([], basemap="tianditu_vector", tianditu_key='ab"c<d'))
    assert "vec_w" in page and "cva_w" in page and "TILEMATRIXSET=w" in page
    assert 'ab"c<d' not in page and "ab%22c%3Cd" in page


def test_unknown_basemap_is_refused() -> None:
    with pytest.raises(InputError):
        render.build_map([], basemap="bing")


def test_simplify_and_round_for_display_only() -> None:
    # a wiggly line: 200 vertices 0.2 m off a straight line
    xs = np.linspace(113.85, 113.95, 200)
    ys = 22.93 + np.where(np.arange(200) % 2, 0.000002, 0.0)
    gdf = gpd.GeoDataFrame({"id": ["l-1"]}, geometry=[LineString(np.c_[xs, ys])], crs="EPSG:4326")
    out = render.prepare_for_display(gdf, simplify_m=1.0, decimals=5)
    assert shapely.get_num_coordinates(out.geometry.iloc[0]) < 10
    coords = np.asarray(out.geometry.iloc[0].coords)
    assert np.allclose(coords, np.round(coords, 5))
    assert shapely.get_num_coordinates(gdf.geometry.iloc[0]) == 200


def test_measure_control_reports_mu() -> None:
    page = render.map_html(render.build_map([], measure=True, asset_base="../a/"))
    assert '"primaryAreaUnit": "mu"' in page
    assert "0.0015" in page  # 1 m² = 0.0015 亩
