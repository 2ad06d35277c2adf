"""A file that declares a projected CRS but holds degrees is re-read with a warning, never put at 0°N (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Polygon

from gis.errors import CRSError
from gis.io import read_any

LON, LAT = 113.9, 22.9
SQUARE = [[LON, LAT], [LON + 0.002, LAT], [LON + 0.002, LAT + 0.002], [LON, LAT + 0.002], [LON, LAT]]


def _legacy_geojson(path: Path, ring: list[list[float]], crs: str = "urn:ogc:def:crs:EPSG::4547") -> Path:
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": crs}},
        "features": [{"type": "Feature", "properties": {"id": "p"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _near_the_lake(gdf: gpd.GeoDataFrame) -> None:
    c = gdf.geometry.iloc[0].centroid
    assert c.x == pytest.approx(LON + 0.001, abs=1e-6) and c.y == pytest.approx(LAT + 0.001, abs=1e-6)


def test_geojson_declaring_4547_with_degrees_is_reread_with_a_warning(tmp_path: Path) -> None:
    result = read_any(_legacy_geojson(tmp_path / "d.geojson", SQUARE))
    _near_the_lake(result.gdf)
    problem = next(p for p in result.report.problems if p.problem == "crs_declared_projected_holds_degrees")
    assert "EPSG:4547" in problem.message_en and "degrees" in problem.message_en and "经纬度" in problem.message_zh
    assert "EPSG:4547" in result.report.crs_assumed and result.report.crs_assumed.startswith("EPSG:4326")


def test_gpkg_layer_in_4547_holding_lat_lon_is_swapped_and_warned(tmp_path: Path) -> None:
    swapped = Polygon([(y, x) for x, y in SQUARE])
    path = tmp_path / "d.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"id": ["p"]}, geometry=[swapped], crs="EPSG:4547"), path, layer="d")
    result = read_any(path)
    _near_the_lake(result.gdf)
    assert any(p.problem == "crs_declared_projected_holds_degrees" for p in result.report.problems)


def test_caller_crs_that_is_projected_over_degrees_is_caught_too(tmp_path: Path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text(f"lon,lat\n{LON},{LAT}\n", encoding="utf-8")
    result = read_any(path, crs="EPSG:4547")
    assert result.gdf.geometry.iloc[0].x == pytest.approx(LON)
    assert any(p.problem == "crs_declared_projected_holds_degrees" for p in result.report.problems)


def test_degrees_elsewhere_under_a_projected_label_are_refused(tmp_path: Path) -> None:
    paris = [[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]
    path = _legacy_geojson(tmp_path / "p.geojson", paris)
    with pytest.raises(CRSError) as err:
        read_any(path)
    assert "EPSG:4547" in err.value.en and "degrees" in err.value.en


def test_real_metres_are_untouched(tmp_path: Path) -> None:
    e, n = 489_700.0, 2_536_800.0
    ring = [[e, n], [e + 100, n], [e + 100, n + 100], [e, n + 100], [e, n]]
    result = read_any(_legacy_geojson(tmp_path / "m.geojson", ring))
    assert result.report.crs_assumed is None
    assert result.gdf.to_crs(4547).area.iloc[0] == pytest.approx(10_000.0, rel=1e-9)
