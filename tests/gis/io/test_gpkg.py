"""GeoPackage: choosing a layer, broken files, limits, and the writer read back by GDAL."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyogrio.errors import FeatureError

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.io import list_layers, read_any
from gis.io.gpkg import list_gpkg_layers, read_gpkg, write_gpkg
from gis.report import ValidationReport


@pytest.fixture
def two_layers(tmp_path: Path, parcels_4326: gpd.GeoDataFrame, square_100m: gpd.GeoDataFrame) -> Path:
    path = tmp_path / "plan.gpkg"
    pyogrio.write_dataframe(parcels_4326, path, layer="地块")
    pyogrio.write_dataframe(square_100m, path, layer="squares")  # EPSG:4547 layer
    return path


def test_several_layers_need_a_choice(two_layers: Path) -> None:
    with pytest.raises(InputError) as err:
        read_any(two_layers)
    assert "地块" in err.value.en and "squares" in err.value.en and err.value.choice == "layer"


def test_choose_a_layer(two_layers: Path) -> None:
    result = read_any(two_layers, layer="地块")
    assert list(result.gdf["name_zh"]) == ["地块一", "地块二", "地块三"]
    assert result.report.crs_assumed is None and result.report.problems == []
    sq = read_any(two_layers, layer="squares")
    assert sq.gdf.crs.to_epsg() == 4326
    assert sq.gdf.to_crs(4547).area.iloc[0] == pytest.approx(10_000.0, rel=1e-9)


def test_unknown_layer_lists_the_layers(two_layers: Path) -> None:
    with pytest.raises(InputError) as err:
        read_any(two_layers, layer="roads")
    assert "roads" in err.value.en and "squares" in err.value.en


def test_single_layer_needs_no_choice(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> None:
    path = tmp_path / "one.gpkg"
    pyogrio.write_dataframe(parcels_4326, path, layer="only")
    assert len(read_any(path).gdf) == 3


def test_list_layers(two_layers: Path, tmp_path: Path) -> None:
    assert list_gpkg_layers(two_layers) == ["地块", "squares"]
    assert list_layers(two_layers) == ["地块", "squares"]
    assert list_gpkg_layers(tmp_path / "roads.geojson") == ["roads"]


def test_attribute_table_is_not_a_layer_to_read(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> None:
    path = tmp_path / "mixed.gpkg"
    pyogrio.write_dataframe(parcels_4326, path, layer="parcels")
    pyogrio.write_dataframe(pd.DataFrame({"k": [1, 2]}), path, layer="lookup")
    assert len(read_any(path).gdf) == 3  # the only spatial layer is chosen
    with pytest.raises(InputError) as err:
        read_any(path, layer="lookup")
    assert "no geometry" in err.value.en


def test_not_a_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "junk.gpkg"
    path.write_bytes(b"SQLite format 3\x00 but not really" + b"\x00" * 100)
    with pytest.raises(InputError) as err:
        read_any(path, display_name="upload.gpkg")
    assert "upload.gpkg" in err.value.en and "Traceback" not in str(err.value)
    result = read_any(path, strict=False)
    assert not result.report.ok


def _assert_not_a_geopackage(err: pytest.ExceptionInfo, name: str) -> None:
    zh, en = err.value.zh, err.value.en
    assert zh.startswith("不是有效的 GeoPackage") and zh.endswith(f"：{name}")
    assert en.startswith("not a valid GeoPackage") and en.endswith(f": {name}")
    for gdal_text in ("sqlite", "SELECT", "GetNextRawFeature", "DRIVER", "not recognized", "malformed"):
        assert gdal_text.lower() not in (zh + en).lower(), f"GDAL's text {gdal_text!r} reached the user: {en}"


def _sqlite_page_overwritten(path: Path, table: str) -> Path:
    """Overwrite the root page of ``table``'s b-tree: GDAL still lists the layer, reading its features fails."""
    with sqlite3.connect(path) as con:
        (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        (page_size,) = con.execute("PRAGMA page_size").fetchone()
    con.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\x5a" * page_size
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind", ["sqlite_header_only", "truncated", "empty", "geojson_text", "random_bytes"])
def test_damaged_or_foreign_file_is_not_a_valid_geopackage(
    tmp_path: Path, parcels_4326: gpd.GeoDataFrame, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tmpab12cd.gpkg"  # a temporary upload name the user never saw
    if kind == "sqlite_header_only":
        path.write_bytes(b"SQLite format 3\x00" + bytes(200))
    elif kind == "truncated":
        pyogrio.write_dataframe(parcels_4326, path, layer="parcels")
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "geojson_text":  # GDAL would open this with its GeoJSON driver
        path.write_text('{"type":"FeatureCollection","features":[]}', encoding="utf-8")
    else:
        path.write_bytes(np.random.default_rng(7).bytes(5000))
    with caplog.at_level(logging.INFO, logger="gis.io.gpkg"), pytest.raises(InputError) as err:
        read_any(path, display_name="规划.gpkg")
    _assert_not_a_geopackage(err, "规划.gpkg")
    assert "tmpab12cd" not in err.value.zh + err.value.en
    assert any("not a readable GeoPackage" in r.getMessage() for r in caplog.records)  # the detail is in the log
    with pytest.raises(InputError) as err:
        list_layers(path)
    _assert_not_a_geopackage(err, path.name)
    loose = read_any(path, strict=False, display_name="规划.gpkg")
    assert not loose.report.ok and loose.report.problems[0].message_en.startswith("not a valid GeoPackage")


def test_damaged_data_page_shows_while_reading_features(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    many = gpd.GeoDataFrame(
        {"name_zh": [f"地块{i}" for i in range(300)]},
        geometry=[shapely.box(113.9 + i * 1e-4, 22.9, 113.9001 + i * 1e-4, 22.9001) for i in range(300)],
        crs=4326,
    )
    path = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(many, path, layer="parcels")
    _sqlite_page_overwritten(path, "parcels")
    assert list_gpkg_layers(path) == ["parcels"]  # the header and the contents table are intact
    with caplog.at_level(logging.INFO, logger="gis.io.gpkg"), pytest.raises(InputError) as err:
        read_any(path, display_name="上传.gpkg")
    _assert_not_a_geopackage(err, "上传.gpkg")
    assert any("malformed" in r.getMessage() for r in caplog.records)


def test_feature_error_from_gdal_becomes_input_error(
    tmp_path: Path, parcels_4326: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.gpkg"
    pyogrio.write_dataframe(parcels_4326, path, layer="parcels")

    def broken(*args: object, **kwargs: object) -> None:
        raise FeatureError("In GetNextRawFeature(): sqlite3_step() : database disk image is malformed")

    monkeypatch.setattr(pyogrio, "read_dataframe", broken)
    with pytest.raises(InputError) as err:
        read_gpkg(path, ValidationReport())
    _assert_not_a_geopackage(err, "p.gpkg")


def test_missing_file_is_said_so(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        list_gpkg_layers(tmp_path / "gone.gpkg")
    assert "file not found: gone.gpkg" in err.value.en and "找不到文件" in err.value.zh


def test_feature_limit(tmp_path: Path, parcels_4326: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.gpkg"
    pyogrio.write_dataframe(parcels_4326, path)
    monkeypatch.setattr(settings, "MAX_FEATURES", 2)
    with pytest.raises(LimitExceeded):
        read_gpkg(path, ValidationReport())


def test_undefined_srs_is_sniffed(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    path = tmp_path / "nocrs.gpkg"
    pyogrio.write_dataframe(square_100m.set_crs(None, allow_override=True), path)
    assert read_gpkg(path, ValidationReport()).crs is None
    result = read_any(path)
    assert result.report.crs_assumed.startswith("EPSG:4547")
    assert result.gdf.to_crs(4547).area.iloc[0] == pytest.approx(10_000.0, rel=1e-9)


def test_invalid_geometry_in_gpkg_is_repaired(tmp_path: Path) -> None:
    e, n = 113.9, 22.9
    bowtie = shapely.Polygon([(e, n), (e + 0.01, n + 0.01), (e + 0.01, n), (e, n + 0.01)])
    path = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"id": ["b"]}, geometry=[bowtie], crs=4326), path)
    result = read_any(path)
    assert "self_intersection" in {p.problem for p in result.report.problems}
    assert result.gdf.geometry.iloc[0].is_valid


def test_write_gpkg_read_back(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> None:
    gdf = parcels_4326.copy()
    gdf["area_mu"] = [1.5, 2.25, np.nan]
    gdf["count"] = [1, 2, 3]
    gdf["updated_at"] = pd.to_datetime(["2020-03-01", "2020-06-30", "2020-12-31"])
    gdf["extra"] = [{"a": 1}, None, "文字"]
    path = write_gpkg(gdf, tmp_path / "out.gpkg")
    assert pyogrio.list_layers(path)[0][0] == "out"
    back = pyogrio.read_dataframe(path)
    assert back.crs.to_epsg() == 4326
    assert list(back["name_zh"]) == ["地块一", "地块二", "地块三"]
    assert list(back["count"]) == [1, 2, 3]
    assert back["area_mu"].iloc[1] == 2.25 and np.isnan(back["area_mu"].iloc[2])
    assert back["extra"].iloc[2] == "文字" and back["extra"].iloc[0] == "{'a': 1}"
    assert pd.Timestamp(back["updated_at"].iloc[0]).date().isoformat() == "2020-03-01"
    for a, b in zip(back.geometry, gdf.geometry):
        assert shapely.equals_exact(a, b, tolerance=1e-12)


def test_write_gpkg_projected_and_named_layer_keeps_other_layers(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> None:
    path = tmp_path / "survey.gpkg"
    write_gpkg(parcels_4326, path, crs="EPSG:4547", layer="parcels_4547")
    write_gpkg(parcels_4326, path, layer="parcels")
    write_gpkg(parcels_4326.iloc[:1], path, layer="parcels")  # replaced, not appended
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"parcels_4547", "parcels"}
    assert pyogrio.read_info(path, layer="parcels")["features"] == 1
    back = pyogrio.read_dataframe(path, layer="parcels_4547")
    assert back.crs.to_epsg() == 4547
    d = shapely.hausdorff_distance(back.geometry.values, parcels_4326.to_crs(4547).geometry.values)
    assert np.all(d < 1e-6)
