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
    cached = _component_args(monkeypatch, [mapview._prerendered_group(x, i, True) for i, x in enumerate(layers)])
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
