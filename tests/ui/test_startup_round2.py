"""The map message (issue 15 part 3): each data layer is one call of the map's own ``sslLayer``, and the map's
Leaflet files come from a versioned route the browser may keep.

No timings: what streamlit-folium is handed, and that a rerun compiles no template. What the browser draws from
it is checked in tests/gis/test_layer_script_browser.py.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pytest
import streamlit_folium
from shapely.geometry import LineString, Point, Polygon

from gis import layer_script, render
from tests.ui.conftest import asgi_request
from ui import mapview


def _layer(title: str = "道路 <b>&", show: bool = True) -> render.MapLayer:
    gdf = gpd.GeoDataFrame(
        {
            "id": ["R1", "R2", "P1"],
            "name_zh": ["松山湖大道", "名称 <script>'\"", "地块"],
            "status": ["planned", "completed", "in_progress"],
        },
        geometry=[
            LineString([(113.88, 22.90), (113.90, 22.92)]),
            Point(113.89, 22.91),
            Polygon([(113.87, 22.89), (113.88, 22.89), (113.88, 22.90)]),
        ],
        crs="EPSG:4326",
    )
    layer = render.MapLayer(
        "roads", title, gdf, {"color": "#e67e22", "weight": 3}, status_colors={"planned": "#999999"},
        popup_fields=[("name_zh", "名称"), ("status", "状态")], show=show,
    )
    layer.geojson = render.layer_geojson(layer)
    return layer


def _groups(layers: list[render.MapLayer], labels: bool = False) -> list[Any]:
    """The feature groups show_map hands streamlit-folium for these layers."""
    return [
        mapview._script_group(layer_script.layer_script(
            x.geojson, f"feature_group_feature_group_{i}", names=render.label_points(x.geojson) if labels else None,
        ))
        for i, x in enumerate(layers)
    ]


def _component_args(monkeypatch: pytest.MonkeyPatch, groups: list[Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: seen.update(kw) or None)
    m = render.build_map([], measure=True, legend=False, asset_base="../a/")
    streamlit_folium.st_folium(m, key="k", feature_group_to_add=groups, returned_objects=[])
    return {k: v for k, v in seen.items() if k != "on_change"}


def test_each_layer_travels_as_one_call_of_the_map_s_own_function(monkeypatch: pytest.MonkeyPatch) -> None:
    layers = [_layer(), _layer("水系", show=False)]
    args = _component_args(monkeypatch, _groups(layers, labels=True))
    code = args["feature_group"]
    for i in range(2):
        assert code.count(f"var feature_group_feature_group_{i} = sslLayer(") == 1
        assert code.count(f"map_div.addLayer(feature_group_feature_group_{i});") == 1  # streamlit-folium's own tail
    assert "L.geoJson" not in code and "setContent" not in code  # no generated per-feature code
    assert "window.sslLayer = function" in args["script"]  # defined once, with the map (build_map)


def test_the_popup_labels_travel_once_per_layer_not_once_per_feature(monkeypatch: pytest.MonkeyPatch) -> None:
    code = _component_args(monkeypatch, _groups([_layer()]))["feature_group"]
    assert code.count("状态") == 1  # three features, one label row
    assert code.count("<") == 0  # every text is HTML-safe JSON: markup in names never reaches the script as markup


def test_a_rerun_compiles_no_template(monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    _component_args(monkeypatch, _groups([_layer(), _layer("水系")], labels=True))  # the classes are made once
    compiles = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiles.append(1) or real(self, *a, **k))
    m = render.build_map([], measure=True, legend=False, asset_base="../a/")
    compiles.clear()  # the base map's own templates are folium's (built once per rerun, as before)
    for idx, group in enumerate(_groups([_layer(), _layer("水系")], labels=True)):
        streamlit_folium._get_feature_group_string(group, map=m, idx=idx)
    assert compiles == []


def test_the_map_s_assets_come_from_a_versioned_route_the_browser_may_keep() -> None:
    import hashlib

    from ui import map_assets, tile_routes

    version = tile_routes.assets_version()
    assert map_assets.ASSET_BASE == f"../../_gis/assets/{version}/"
    routes = tile_routes.tile_routes()
    for path, media in (("leaflet/leaflet.js", "javascript"), ("leaflet/leaflet.css", "text/css"),
                        ("leaflet-measure/assets/rulers.png", "image/png")):
        status, headers, body = asgi_request(routes, f"/_gis/assets/{version}/{path}")
        assert status == 200 and media in headers["content-type"]
        assert body == (tile_routes.ASSETS_DIR / path).read_bytes()
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
    # another version (a page from before an upgrade) still gets the file, but not for keeps
    status, headers, _ = asgi_request(routes, "/_gis/assets/0000/leaflet/leaflet.js")
    assert status == 200 and headers["cache-control"] == "no-cache"
    # nothing outside the folder, no folder listing, nothing missing
    for bad in ("../tile_routes.py", "..%2Ftile_routes.py", "%2e%2e/%2e%2e/app.py", "leaflet", "nope.js"):
        assert asgi_request(routes, f"/_gis/assets/{version}/{bad}")[0] == 404, bad
    # the version changes with the files' bytes
    digest = hashlib.blake2b(digest_size=8)
    for p in sorted(q for q in tile_routes.ASSETS_DIR.rglob("*") if q.is_file()):
        digest.update(p.relative_to(tile_routes.ASSETS_DIR).as_posix().encode() + b"\0" + p.read_bytes())
    assert version == digest.hexdigest()


def test_the_built_map_asks_for_its_assets_on_the_versioned_route() -> None:
    from ui import map_assets

    m = render.build_map([], measure=True, legend=False, asset_base=map_assets.ASSET_BASE)
    links = [url for element in render._walk(m) for attr in ("default_js", "default_css")
             for _, url in getattr(element, attr, None) or []]
    assert links and all(u.startswith(map_assets.ASSET_BASE) for u in links), links
