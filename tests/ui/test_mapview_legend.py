"""The map's legend says each layer's own status word (ui.mapview.legend_entries / status_words).

One word per status per layer: a road that is ``completed`` reads 通车 on the roads board, so it reads 通车 in
the legend too, and a substation reads 投用.
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Point

from gis import map_controls
from layers.mapping import map_layer
from ui import mapview


def _roads() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["road-01", "road-02"], "name_zh": ["联网路 01", "联网路 02"], "name_en": ["Link 01", "Link 02"],
         "kind": ["link_road", "link_road"], "status": ["completed", "planned"]},
        geometry=[LineString([(113.88, 22.90), (113.90, 22.91)]), LineString([(113.89, 22.92), (113.91, 22.93)])],
        crs="EPSG:4326",
    )


def _substations() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["sub-01"], "name_zh": ["变电站"], "name_en": ["Substation"], "kind": ["substation"], "status": ["completed"]},
        geometry=[Point(113.89, 22.90)], crs="EPSG:4326",
    )


def test_legend_on_the_map_says_the_roads_word() -> None:
    roads = map_layer("road_links", _roads(), title="联网路", coloured=True)
    html_ = map_controls.legend_html(mapview.legend_entries([roads]))
    assert "通车" in html_
    assert "建成" not in html_
    assert "规划" in html_


def test_legend_beside_the_map_names_each_layers_word() -> None:
    roads = map_layer("road_links", _roads(), title="联网路", coloured=True)
    subs = map_layer("facilities", _substations(), title="设施", coloured=True)
    words = mapview.status_words([roads, subs])
    assert words["completed"] == "通车 / 投用"
    assert words["planned"] == "规划"
    assert mapview.status_words([roads])["completed"] == "通车"
