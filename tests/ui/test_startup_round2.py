"""The map widget's feature groups rendered once per content and reused by every session (issue 15 part 3, round 2).

No timings: the prerendered groups must hand streamlit-folium exactly what the folium groups do, and a second
session drawing the same layers must not render them through folium's templates again.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pytest
import streamlit_folium
from shapely.geometry import LineString, Point, Polygon

from gis import render
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


class _Response:
    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code, self.headers, self.content = status_code, headers, content


class _Client:
    """GET through the routes' ASGI app in process (no server, no network)."""

    def __init__(self, routes: list[Any]) -> None:
        from starlette.applications import Starlette

        self.app = Starlette(routes=routes)

    def get(self, path: str) -> _Response:
        import asyncio
        from urllib.parse import unquote

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": unquote(path), "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": [],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        }
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        asyncio.run(self.app(scope, receive, send))
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return _Response(start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    mapview._GROUP_JS.clear()


@pytest.mark.parametrize("labels", [False, True])
@pytest.mark.parametrize("idx", [0, 3])
def test_a_prerendered_group_gives_streamlit_folium_the_same_javascript(idx: int, labels: bool) -> None:
    layer = _layer()
    plain = streamlit_folium._get_feature_group_string(
        mapview._data_group(layer, layer.geojson, labels), map=folium.Map(tiles=None), idx=idx,
    )
    for _ in range(2):  # rendered, then from the cache
        cached = streamlit_folium._get_feature_group_string(
            mapview._prerendered_group(layer, idx, labels), map=folium.Map(tiles=None), idx=idx,
        )
        assert cached == plain
    assert "松山湖大道" in plain or "\\u677e" in plain


def _component_args(monkeypatch: pytest.MonkeyPatch, groups: list[Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: seen.update(kw) or None)
    m = render.build_map([], measure=True, legend=False, asset_base="../a/")
    streamlit_folium.st_folium(m, key="k", feature_group_to_add=groups, returned_objects=[])
    return {k: v for k, v in seen.items() if k != "on_change"}


def test_st_folium_sends_the_same_component_arguments_with_prerendered_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    layers = [_layer(), _layer("水系", show=False)]
    plain = _component_args(monkeypatch, [mapview._data_group(x, x.geojson, True) for x in layers])
    scratch: list[Any] = []  # rendered on one scratch map, as show_map does
    cached = _component_args(
        monkeypatch, [mapview._prerendered_group(x, i, True, scratch=scratch) for i, x in enumerate(layers)],
    )
    assert len(scratch) == 1
    assert cached == plain
    assert cached["feature_group"].count("map_div.addLayer(") == 2


def test_a_second_session_does_not_render_the_same_layers_through_folium_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = render.feature_group
    monkeypatch.setattr(render, "feature_group", lambda *a, **k: calls.append(1) or real(*a, **k))
    layers = [_layer(), _layer("水系")]
    first = [mapview._prerendered_group(x, i, False).code for i, x in enumerate(layers)]
    assert len(calls) == 2
    # the next session's layers come from the cache as copies (st.cache_data): equal content, new objects
    again = [_layer(), _layer("水系")]
    assert [mapview._prerendered_group(x, i, False).code for i, x in enumerate(again)] == first
    assert len(calls) == 2
    # a change of content, title, visibility, labels or position renders anew
    changed = _layer()
    changed.geojson["features"][0]["properties"]["tip"] = "另一个名称"
    mapview._prerendered_group(changed, 0, False)
    mapview._prerendered_group(_layer("别的标题"), 0, False)
    mapview._prerendered_group(_layer(show=False), 0, False)
    mapview._prerendered_group(_layer(), 0, True)
    mapview._prerendered_group(_layer(), 5, False)
    assert len(calls) == 7


def test_the_group_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapview.settings, "MAP_GROUP_JS_CACHE_ENTRIES", 3)
    for idx in range(6):
        mapview._prerendered_group(_layer(), idx, False)
    assert [k[0] for k in mapview._GROUP_JS] == [3, 4, 5]


def test_a_cached_group_costs_no_template_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    layers = [_layer(), _layer("水系")]
    m = render.build_map([], measure=True, legend=False, asset_base="../a/")
    _component_args(monkeypatch, [mapview._prerendered_group(x, i, True) for i, x in enumerate(layers)])
    compiles = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiles.append(1) or real(self, *a, **k))
    groups = [mapview._prerendered_group(x, i, True) for i, x in enumerate([_layer(), _layer("水系")])]
    assert compiles == []
    for idx, group in enumerate(groups):
        streamlit_folium._get_feature_group_string(group, map=m, idx=idx)
    assert compiles == []


def test_the_map_s_assets_come_from_a_versioned_route_the_browser_may_keep() -> None:
    import hashlib

    from ui import map_assets, tile_routes

    version = tile_routes.assets_version()
    assert map_assets.ASSET_BASE == f"../../_gis/assets/{version}/"
    client = _Client(tile_routes.tile_routes())
    for path, media in (("leaflet/leaflet.js", "javascript"), ("leaflet/leaflet.css", "text/css"),
                        ("leaflet-measure/assets/rulers.png", "image/png")):
        r = client.get(f"/_gis/assets/{version}/{path}")
        assert r.status_code == 200 and media in r.headers["content-type"]
        assert r.content == (tile_routes.ASSETS_DIR / path).read_bytes()
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    # another version (a page from before an upgrade) still gets the file, but not for keeps
    r = client.get("/_gis/assets/0000/leaflet/leaflet.js")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    # nothing outside the folder, no folder listing, nothing missing
    for bad in ("../tile_routes.py", "..%2Ftile_routes.py", "%2e%2e/%2e%2e/app.py", "leaflet", "nope.js"):
        assert client.get(f"/_gis/assets/{version}/{bad}").status_code == 404, bad
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
