"""The upload page's errors: the library's neutral message plus the page's own hint, never a CLI flag."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from ui.i18n import STRINGS


def _upload(at: AppTest, name: str, data: bytes) -> str:
    at.file_uploader(key="data_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return " ".join(e.value for e in at.error)


def test_projected_label_over_foreign_degrees_asks_for_the_crs_in_the_page(data_page: AppTest) -> None:
    ring = [[2.30, 48.85], [2.31, 48.85], [2.31, 48.86], [2.30, 48.86], [2.30, 48.85]]  # Paris, labelled EPSG:4547
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
           "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    text = _upload(data_page, "paris.geojson", json.dumps(doc).encode())
    assert "4547" in text and "请确认并指定坐标系" in text
    assert "--" not in text and STRINGS["upload_crs_pick"][0] in text


def test_several_layers_say_how_to_upload_one(data_page: AppTest, tmp_path: Path) -> None:
    path = tmp_path / "plan.gpkg"
    gdf = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(113.88, 22.93, 113.89, 22.94)], crs="EPSG:4326")
    pyogrio.write_dataframe(gdf, path, layer="地块")
    pyogrio.write_dataframe(gdf, path, layer="道路")
    text = _upload(data_page, "plan.gpkg", path.read_bytes())
    assert "地块" in text and "道路" in text and "--" not in text
    assert STRINGS["upload_one_layer"][0] in text
