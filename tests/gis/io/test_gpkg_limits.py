"""GeoPackage reads bounded before GDAL runs anything: views, virtual tables, faked counts (issue 11 item 3)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.io import list_layers, read_any

# A view that never ends: pyogrio's feature count on it ran for ever before the check.
_RECURSIVE_VIEW = (
    "CREATE VIEW {name} AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
    "SELECT n AS fid, (SELECT geom FROM parcels LIMIT 1) AS geom FROM r"
)


def _with_view(path: Path, parcels: gpd.GeoDataFrame, *, register: bool, name: str = "loop") -> Path:
    pyogrio.write_dataframe(parcels, path, layer="parcels")
    con = sqlite3.connect(path)
    con.execute(_RECURSIVE_VIEW.format(name=name))
    if register:  # a spatial view as GDAL itself would register it
        con.execute(f"INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('{name}', 'features', '{name}', 4326)")
        con.execute(f"INSERT INTO gpkg_geometry_columns VALUES ('{name}', 'geom', 'POLYGON', 4326, 0, 0)")
    con.commit()
    con.close()
    return path


@pytest.fixture
def parcels(parcels_4326: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return parcels_4326.to_crs(4326)


def test_recursive_view_named_as_layer_is_refused(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    path = _with_view(tmp_path / "v.gpkg", parcels, register=True)
    with pytest.raises(InputError) as err:
        read_any(path, layer="loop")
    assert "view" in err.value.en and "loop" in err.value.en and "视图" in err.value.zh
    result = read_any(path, layer="loop", strict=False)  # the upload preview's path: a report, no hang
    assert not result.report.ok and result.report.problems[0].problem == "unreadable"


def test_only_layer_a_view_is_refused(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    path = tmp_path / "v.gpkg"
    _with_view(path, parcels, register=True)
    con = sqlite3.connect(path)
    con.execute("DELETE FROM gpkg_contents WHERE table_name = 'parcels'")
    con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'parcels'")
    con.commit()
    con.close()
    with pytest.raises(InputError) as err:
        read_any(path)
    assert "view" in err.value.en


def test_plain_layer_beside_a_view_is_read_and_the_view_named(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    path = _with_view(tmp_path / "v.gpkg", parcels, register=True)
    result = read_any(path)
    assert len(result.gdf) == 3
    assert [p.problem for p in result.report.problems] == ["gpkg_view_skipped"]
    assert "loop" in result.report.problems[0].message_en
    assert "loop" in list_layers(path)  # listing never runs the view


def test_core_table_replaced_by_a_view_is_refused(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    path = tmp_path / "core.gpkg"
    pyogrio.write_dataframe(parcels, path, layer="parcels")
    con = sqlite3.connect(path)
    con.execute("DROP TABLE IF EXISTS gpkg_ogr_contents")
    con.execute(
        "CREATE VIEW gpkg_ogr_contents AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT 'parcels' AS table_name, n AS feature_count FROM r"
    )
    con.commit()
    con.close()
    with pytest.raises(InputError) as err:
        read_any(path)
    assert "gpkg_ogr_contents" in err.value.en


def test_virtual_table_layer_is_refused(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    path = tmp_path / "vt.gpkg"
    pyogrio.write_dataframe(parcels, path, layer="parcels")
    con = sqlite3.connect(path)
    con.execute("CREATE VIRTUAL TABLE vt USING rtree(id, minx, maxx, miny, maxy)")
    con.commit()
    con.close()
    with pytest.raises(InputError) as err:
        read_any(path, layer="vt")
    assert "virtual table" in err.value.en


def test_attribute_table_is_refused(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    path = tmp_path / "attrs.gpkg"
    pyogrio.write_dataframe(parcels, path, layer="parcels")
    pyogrio.write_dataframe(parcels.drop(columns="geometry"), path, layer="table_only")
    with pytest.raises(InputError) as err:
        read_any(path, layer="table_only")
    assert "no geometry" in err.value.en


def test_faked_feature_count_is_bounded_while_reading(tmp_path: Path, parcels: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lie.gpkg"
    pyogrio.write_dataframe(parcels, path, layer="parcels")
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER IF EXISTS trigger_insert_feature_count_parcels")
    con.execute("UPDATE gpkg_ogr_contents SET feature_count = 1")
    con.commit()
    con.close()
    assert pyogrio.read_info(path, layer="parcels")["features"] == 1  # the file lies
    monkeypatch.setattr(settings, "MAX_FEATURES", 2)
    with pytest.raises(LimitExceeded):
        read_any(path)
