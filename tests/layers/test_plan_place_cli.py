"""``python -m layers plan place``: an accepted item's place read from a surveyor's file or typed as lon/lat."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from gis.crs import wgs84_to_gcj02
from gis.store import open_store
from layers.__main__ import main
from layers.plan_items import accept_proposals, load_plan_items, proposals_from_text

PLAN_2021 = "(一)聚焦产城融合。力争全年收储土地约600亩；力争年底前打通10条联网路。"
#: A parcel of about 1 km × 1 km near the lake (WGS 84).
PARCEL = shapely.box(113.87, 22.91, 113.88, 22.92)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "s.gpkg"
    doc = proposals_from_text(PLAN_2021, year=2021, source="plan2021.txt")
    accept_proposals(doc, user="alice", store=open_store(path))
    return path


def _geojson(path, features, crs=None):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)} for props, geom in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _item(store_path, fid="plan-2021-001"):
    return load_plan_items(store=open_store(store_path)).set_index("id").loc[fid]


def test_a_file_with_one_feature_places_the_item(store_path, tmp_path, capsys):
    f = _geojson(tmp_path / "收储地块.geojson", [({"name": "A"}, PARCEL)])
    assert main(["plan", "place", "plan-2021-001", "--file", str(f), "--user", "bob", "--accuracy", "0.1",
                 "--store", str(store_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    got = (out["id"], out["version"], out["geometry_type"], out["feature"], out["illustrative"])
    assert got == ("plan-2021-001", 2, "Polygon", 1, False)
    item = _item(store_path)
    assert item["geometry"].normalize().equals(PARCEL.normalize())
    assert (item["source"], item["accuracy_m"], bool(item["illustrative"])) == ("收储地块.geojson", 0.1, False)
    assert open_store(store_path).history("plan_items", "plan-2021-001").iloc[-1]["user"] == "bob"


def test_a_multi_feature_file_needs_feature_or_name(store_path, tmp_path, capsys):
    other = shapely.box(113.89, 22.91, 113.90, 22.92)
    f = _geojson(tmp_path / "two.geojson", [({"name": "北区地块"}, PARCEL), ({"name": "南区地块"}, other)])
    base = ["plan", "place", "plan-2021-001", "--file", str(f), "--user", "bob", "--store", str(store_path)]
    assert main(base) == 1
    err = capsys.readouterr().err
    assert "--feature" in err and "2 个要素" in err and "1: Polygon 北区地块" in err and "2: Polygon 南区地块" in err
    assert "Traceback" not in err
    assert _item(store_path)["geometry"] is None
    assert main([*base, "--feature", "3"]) == 1
    assert "1–2" in capsys.readouterr().err
    assert main([*base, "--name", "南区地块"]) == 0
    assert _item(store_path)["geometry"].normalize().equals(other.normalize())
    assert main([*base, "--feature", "1", "--source", "测绘院 2021-03", "--accuracy", "0.05"]) == 0
    item = _item(store_path)
    assert item["geometry"].normalize().equals(PARCEL.normalize()) and item["source"] == "测绘院 2021-03"


def test_a_gcj02_csv_point_lands_within_a_metre(store_path, tmp_path):
    true = shapely.Point(113.8812, 22.9155)
    glon, glat = (float(v) for v in wgs84_to_gcj02(true.x, true.y))
    assert shapely.Point(glon, glat).distance(true) > 0.002  # the offset is hundreds of metres
    f = tmp_path / "amap.csv"
    f.write_text(f"名称,经度,纬度\n学校,{glon:.7f},{glat:.7f}\n", encoding="utf-8")
    assert main(["plan", "place", "plan-2021-002", "--file", str(f), "--from-gcj02", "--user", "bob",
                 "--accuracy", "5", "--store", str(store_path)]) == 0
    assert _metres(_item(store_path, "plan-2021-002")["geometry"], true) < 1.0


def test_a_surveyor_geojson_in_epsg_4547_lands_within_a_metre(store_path, tmp_path):
    projected = gpd.GeoSeries([PARCEL], crs="EPSG:4326").to_crs("EPSG:4547").iloc[0]
    assert projected.bounds[0] > 400000  # metres
    f = _geojson(tmp_path / "界址.geojson", [({"地块编号": "J-1"}, projected)], crs="urn:ogc:def:crs:EPSG::4547")
    assert main(["plan", "place", "plan-2021-001", "--file", str(f), "--user", "bob", "--accuracy", "0.05",
                 "--store", str(store_path)]) == 0
    placed = _item(store_path)["geometry"]
    assert shapely.hausdorff_distance(_to4547(placed), _to4547(PARCEL)) < 1.0


def test_lon_lat_without_accuracy_is_illustrative(store_path, capsys):
    assert main(["plan", "place", "plan-2021-002", "--lon", "113.88", "--lat", "22.92", "--user", "bob",
                 "--store", str(store_path)]) == 0
    assert "plan-2021-002" in capsys.readouterr().out
    item = _item(store_path, "plan-2021-002")
    assert item["geometry"].equals(shapely.Point(113.88, 22.92))
    assert (bool(item["illustrative"]), item["accuracy_m"]) == (True, 50.0)


def test_bad_calls_are_bilingual_messages(store_path, tmp_path, capsys):
    assert main(["plan", "place", "plan-2021-002", "--lon", "113.88", "--user", "bob", "--store", str(store_path)]) == 1
    assert "--lat" in capsys.readouterr().err
    assert main(["plan", "place", "plan-2021-009", "--lon", "113.88", "--lat", "22.92", "--user", "bob",
                 "--store", str(store_path)]) == 1
    err = capsys.readouterr().err
    assert "没有计划事项" in err and "no plan item" in err
    assert main(["plan", "place", "plan-2021-002", "--lon", "116.4", "--lat", "39.9", "--user", "bob",
                 "--store", str(store_path)]) == 1
    assert "东莞" in capsys.readouterr().err


def _to4547(geom):
    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs("EPSG:4547").iloc[0]


def _metres(a, b):
    return _to4547(a).distance(_to4547(b))
