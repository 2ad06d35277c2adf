"""gis.render.layer_geojson on odd layers: missing names and geometries, other CRS, categorical columns, styles.

These pin the display GeoJSON's exact content (they pass on the version built through a properties frame and
``__geo_interface__`` too): keys and their order, ``null`` for a missing text, a feature's id = its position.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from gis import render
from gis.crs import wgs84_to_gcj02


@pytest.fixture
def frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["a-1", "a-2", "a-3", "a-4"],
            "name_zh": ["甲", None, "丙", "丁"],
            "status": ["planned", "completed", np.nan, "planned"],
            "area_mu": [1.2345, np.nan, 3.0, 1234.5],
            "kind": ["x", "y", "x", "y"],
        },
        geometry=[box(113.88, 22.90, 113.90, 22.92), None, LineString([(113.85, 22.93), (113.95, 22.95)]),
                  Point(113.891234567, 22.931234567)],
        crs="EPSG:4326",
    )


def _layer(gdf: gpd.GeoDataFrame, **kw) -> render.MapLayer:
    return render.MapLayer(
        "t", "T", gdf, {"color": "#ff0000", "weight": 2}, {"completed": "#00aa00", "planned": "#0000ff"},
        popup_fields=[("name_zh", "名称"), ("area_mu", "面积"), ("missing", "无")], **kw,
    )


def test_features_skip_missing_geometry_and_keep_their_position_as_id(frame) -> None:
    gj = render.layer_geojson(_layer(frame))
    assert list(gj) == ["type", "features", "bbox", "styles", "popup_fields"]
    assert [f["id"] for f in gj["features"]] == ["0", "2", "3"]
    first = gj["features"][0]
    assert list(first) == ["id", "type", "properties", "geometry"]
    assert list(first["properties"]) == ["nm", "sid", "st", "pv", "s"]
    assert [f["properties"]["sid"] for f in gj["features"]] == ["a-1", "a-3", "a-4"]
    assert gj["features"][1]["properties"]["st"] is None  # a missing status is null, not "nan"
    assert gj["features"][0]["properties"]["pv"] == ["甲", "1.23"]
    assert gj["features"][2]["properties"]["pv"] == ["丁", "1,234.50"]
    assert gj["popup_fields"] == ["名称", "面积"]
    assert gj["features"][2]["geometry"] == {"type": "Point", "coordinates": (113.891235, 22.931235)}
    assert gj["bbox"] == [113.85, 22.9, 113.95, 22.95]
    assert all(isinstance(v, float) for v in gj["bbox"])


def test_styles_by_status_and_highlight(frame) -> None:
    gj = render.layer_geojson(_layer(frame, highlight_ids=frozenset({"a-4"})))
    styles = [gj["styles"][f["properties"]["s"]] for f in gj["features"]]
    assert styles[0]["color"] == "#0000ff" and styles[0]["fillColor"] == "#0000ff"
    assert styles[1]["color"] == "#ff0000"  # no status: the layer's colour
    assert styles[2]["color"] == "#ff00ff" and styles[2]["weight"] == 4.0
    assert all(isinstance(f["properties"]["s"], int) for f in gj["features"])


def test_a_missing_name_and_no_id_column(frame) -> None:
    gdf = frame.drop(columns=["id"])
    gj = render.layer_geojson(_layer(gdf))
    assert [f["properties"]["sid"] for f in gj["features"]] == ["0", "2", "3"]
    gj = render.layer_geojson(_layer(frame.iloc[[1, 0]].reset_index(drop=True).set_geometry([Point(113.9, 22.9), Point(113.8, 22.8)])))
    assert gj["features"][0]["properties"]["nm"] is None  # a missing name is null


def test_categorical_and_object_columns_read_as_text(frame) -> None:
    gdf = frame.copy()
    gdf["status"] = gdf["status"].astype("category")
    gdf["name_zh"] = gdf["name_zh"].astype(object)
    gj = render.layer_geojson(_layer(gdf))
    assert [f["properties"]["st"] for f in gj["features"]] == ["planned", None, "planned"]
    assert [f["properties"]["nm"] for f in gj["features"]] == ["甲", "丙", "丁"]


def test_feature_style_gets_whole_rows_with_python_values(frame) -> None:
    seen = []

    def style(row):
        seen.append(row)
        return {"color": "#123456"} if row["kind"] == "x" else {"weight": 7}

    gj = render.layer_geojson(_layer(frame, feature_style=style))
    assert [list(r) for r in seen] == [["id", "name_zh", "status", "area_mu", "kind"]] * 4
    assert seen[1]["name_zh"] is None or seen[1]["name_zh"] != seen[1]["name_zh"]
    assert type(seen[0]["area_mu"]) is float
    styles = [gj["styles"][f["properties"]["s"]] for f in gj["features"]]
    assert styles[0]["color"] == "#0000ff"  # the status colour over the kind's colour
    assert styles[1]["color"] == "#123456" and styles[1]["fillColor"] == "#ff0000"  # the layer's fill stays
    assert styles[2]["weight"] == 7


def test_another_crs_and_gcj02(frame) -> None:
    projected = frame.to_crs("EPSG:3857")
    gj = render.layer_geojson(_layer(projected))
    x, y = gj["features"][2]["geometry"]["coordinates"]
    assert (x, y) == pytest.approx((113.891235, 22.931235), abs=2e-6)
    shifted = render.layer_geojson(_layer(frame), gcj02=True)
    gx, gy = shifted["features"][2]["geometry"]["coordinates"]
    ex, ey = (float(v) for v in wgs84_to_gcj02(113.891234567, 22.931234567))
    assert (gx, gy) == pytest.approx((ex, ey), abs=1e-6)


def test_no_crs_reads_as_degrees(frame) -> None:
    gdf = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame.geometry), crs=None)
    gj = render.layer_geojson(_layer(gdf))
    assert gj["features"][2]["geometry"]["coordinates"] == (113.891235, 22.931235)


def test_nothing_to_draw(frame) -> None:
    empty = {"type": "FeatureCollection", "features": [], "bbox": None, "styles": [], "popup_fields": []}
    assert render.layer_geojson(_layer(frame.iloc[0:0])) == empty
    gdf = frame.copy()
    gdf["geometry"] = [None, Polygon(), None, shapely.Point()]
    assert render.layer_geojson(_layer(gdf)) == empty


def test_simplify_and_decimals(frame) -> None:
    gj = render.layer_geojson(_layer(frame), simplify_m=0, decimals=3)
    assert gj["features"][2]["geometry"]["coordinates"] == (113.891, 22.931)
    json.dumps(gj)  # plain JSON all through: no numpy scalar anywhere


def test_popup_values_of_every_kind_of_column(frame) -> None:
    gdf = frame.copy()
    gdf["n"] = pd.array([1, 2, None, 4], dtype="Int64")
    gdf["when"] = pd.to_datetime(["2020-03-04", "2020-05-01", None, "2020-06-30"])
    gdf["cat"] = pd.Categorical(["x", "y", None, "x"])
    gdf["flag"] = [True, False, True, False]
    gdf["i"] = np.array([7, 8, 9, 10], dtype="int32")
    layer = render.MapLayer("t", "T", gdf, popup_fields=[("n", "N"), ("when", "W"), ("cat", "C"), ("flag", "F"), ("i", "I")])
    got = [f["properties"]["pv"] for f in render.layer_geojson(layer)["features"]]
    assert got == [
        ["1", "2020-03-04 00:00:00", "x", "True", "7"],
        ["<NA>", "NaT", "", "True", "9"],
        ["4", "2020-06-30 00:00:00", "x", "False", "10"],
    ]
