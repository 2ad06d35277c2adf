"""GeoJSON reader (legacy crs members, broken inputs) and writers (RFC 7946, surveyor), read back by GDAL."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from gis import settings
from gis.errors import CRSError, InputError, LimitExceeded
from gis.io import read_any
from gis.io.geojson import parse_crs_member, read_geojson, write_geojson, write_geojson_surveyor
from gis.report import ValidationReport

E, N = 489_700.0, 2_536_800.0  # Songshan Lake in EPSG:4547 metres


def square_m(e: float = E, n: float = N, side: float = 100.0) -> list[list[float]]:
    return [[e, n], [e + side, n], [e + side, n + side], [e, n + side], [e, n]]


def fc(features: list[dict], **extra) -> dict:
    return {"type": "FeatureCollection", **extra, "features": features}


def feat(geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write(tmp_path: Path, doc: object, name: str = "in.geojson") -> Path:
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p


@pytest.fixture
def frame_4326(parcels_4326: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = parcels_4326.copy()
    gdf["area_target_mu"] = [12.5, 40.0, None]
    gdf["count"] = [1, 2, 3]
    return gdf


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "epsg"),
    [
        ("EPSG:4490", "EPSG:4490"),
        ("urn:ogc:def:crs:EPSG::4547", "EPSG:4547"),
        ("urn:ogc:def:crs:EPSG:6.6:4326", "EPSG:4326"),
        ("http://www.opengis.net/def/crs/EPSG/0/4526", "EPSG:4526"),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"),
        ("OGC:CRS84", "EPSG:4326"),
    ],
)
def test_legacy_crs_member_names(name: str, epsg: str) -> None:
    assert parse_crs_member({"type": "name", "properties": {"name": name}}) == epsg


def test_legacy_epsg_code_member() -> None:
    assert parse_crs_member({"type": "EPSG", "properties": {"code": 4547}}) == "EPSG:4547"


def test_crs_4547_member_read_to_4326(tmp_path: Path) -> None:
    doc = fc(
        [feat({"type": "Polygon", "coordinates": [square_m()]}, name_zh="方块")],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
    )
    result = read_any(write(tmp_path, doc))
    assert result.gdf.crs.to_epsg() == 4326
    assert result.report.crs_assumed is None
    lon, lat = result.gdf.geometry.iloc[0].exterior.coords[0]
    assert 113.8 < lon < 114.0 and 22.8 < lat < 23.0
    back = result.gdf.to_crs(4547).geometry.iloc[0]
    assert back.area == pytest.approx(10_000.0, rel=1e-6)
    assert result.gdf["name_zh"].iloc[0] == "方块"


def test_crs_4490_read_as_same_datum(tmp_path: Path) -> None:
    doc = fc([feat({"type": "Point", "coordinates": [113.88, 22.92]})], crs={"type": "name", "properties": {"name": "EPSG:4490"}})
    raw = read_geojson(write(tmp_path, doc), ValidationReport())
    assert raw.crs.to_epsg() == 4490
    result = read_any(tmp_path / "in.geojson")
    assert result.gdf.crs.to_epsg() == 4326
    assert result.gdf.geometry.iloc[0].coords[0] == (113.88, 22.92)  # not shifted at all


def test_unknown_crs_member_is_reported_and_sniffed(tmp_path: Path) -> None:
    doc = fc([feat({"type": "Point", "coordinates": [113.88, 22.92]})], crs={"type": "name", "properties": {"name": "urn:nonsense"}})
    result = read_any(write(tmp_path, doc))
    assert "unknown_crs_member" in {p.problem for p in result.report.problems}
    assert result.report.crs_assumed.startswith("EPSG:4326")


@pytest.mark.parametrize(
    "member",
    [
        {"type": "name", "properties": {"name": "EPSG:999999"}},
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}},
        {"type": "name", "properties": {"name": "EPSG:7030"}},  # an ellipsoid (WGS 84), not a CRS
        {"type": "EPSG", "properties": {"code": 999999}},
        {"type": "EPSG", "properties": {"code": "abc"}},
    ],
)
def test_well_formed_but_unknown_epsg_member_raises_crs_error(member: dict) -> None:
    with pytest.raises(CRSError) as info:
        parse_crs_member(member)
    assert "未知的坐标系" in info.value.zh and "unknown CRS" in info.value.en


def test_unknown_epsg_member_is_reported_and_metres_sniffed(tmp_path: Path) -> None:
    doc = fc([feat({"type": "Polygon", "coordinates": [square_m()]})], crs={"type": "name", "properties": {"name": "EPSG:999999"}})
    raw_report = ValidationReport()
    raw = read_geojson(write(tmp_path, doc), raw_report)
    assert raw.crs is None
    [problem] = [p for p in raw_report.problems if p.problem == "unknown_crs_member"]
    assert "EPSG:999999" in problem.message_en and not problem.fatal
    result = read_any(tmp_path / "in.geojson")
    assert result.report.crs_assumed.startswith("EPSG:4547")
    assert "Proj" not in " ".join(p.message_en for p in result.report.problems)
    lon, lat = result.gdf.geometry.iloc[0].exterior.coords[0]
    assert 113.8 < lon < 114.0 and 22.8 < lat < 23.0


def test_single_feature_and_bare_geometry(tmp_path: Path) -> None:
    one = read_any(write(tmp_path, feat({"type": "Point", "coordinates": [113.9, 22.9]}, name="站"), "f.geojson"))
    assert len(one.gdf) == 1 and one.gdf["name"].iloc[0] == "站"
    bare = read_any(write(tmp_path, {"type": "LineString", "coordinates": [[113.9, 22.9], [113.91, 22.91]]}, "g.json"))
    assert bare.gdf.geometry.iloc[0].geom_type == "LineString"


def test_every_geometry_type_and_3d_positions(tmp_path: Path) -> None:
    pts = [[113.9, 22.9], [113.91, 22.9], [113.91, 22.91], [113.9, 22.91], [113.9, 22.9]]
    geoms = [
        {"type": "Point", "coordinates": [113.9, 22.9, 12.0]},
        {"type": "MultiPoint", "coordinates": pts[:2]},
        {"type": "LineString", "coordinates": pts[:3]},
        {"type": "MultiLineString", "coordinates": [pts[:2], pts[2:4]]},
        {"type": "Polygon", "coordinates": [pts]},
        {"type": "MultiPolygon", "coordinates": [[pts]]},
        {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [113.9, 22.9]}]},
    ]
    result = read_any(write(tmp_path, fc([feat(g) for g in geoms])))
    assert list(result.gdf.geometry.geom_type) == [g["type"] for g in geoms]
    assert {r.repair for r in result.report.repairs} >= {"drop_z"}


def test_unclosed_ring_is_closed_and_reported(tmp_path: Path) -> None:
    open_ring = square_m()[:-1]
    doc = fc([feat({"type": "Polygon", "coordinates": [open_ring]})], crs={"type": "name", "properties": {"name": "EPSG:4547"}})
    result = read_any(write(tmp_path, doc))
    assert "unclosed_ring" in {p.problem for p in result.report.problems}
    assert "close_ring" in {r.repair for r in result.report.repairs}
    assert result.gdf.to_crs(4547).area.iloc[0] == pytest.approx(10_000.0, rel=1e-6)


def test_bad_features_reported_others_kept(tmp_path: Path) -> None:
    doc = fc(
        [
            feat({"type": "Polygon", "coordinates": [[[113.9, 22.9], [113.91, 22.9]]]}),  # too few points
            feat({"type": "Point", "coordinates": ["113.9", "22.9"]}),  # strings
            feat({"type": "Circle", "coordinates": [113.9, 22.9]}),  # no such type
            {"type": "Banana"},
            feat(None),
            feat({"type": "Point", "coordinates": [113.9, 22.9]}, ok=True),
            "not even an object",
        ]
    )
    result = read_any(write(tmp_path, doc))
    assert len(result.gdf) == 1 and bool(result.gdf["ok"].iloc[0])
    by_feature = {p.feature: p for p in result.report.problems}
    assert by_feature[0].problem == "bad_geometry" and "positions" in by_feature[0].message_en
    assert by_feature[1].problem == "bad_geometry"
    assert "Circle" in by_feature[2].message_en
    assert by_feature[3].problem == "not_a_feature" and by_feature[6].problem == "not_a_feature"
    assert by_feature[4].problem == "null_geometry"
    assert all(by_feature[i].fatal for i in (0, 1, 2, 3, 4, 6))
    assert sum(1 for p in result.report.problems if p.feature == 4) == 1


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"type": "FeatureCollection", "features": [', "truncated"),
        ('{"type": "FeatureCollection" "features": []}', "line 1"),
        ("", "empty"),
        ("[1, 2, 3]", "not an object"),
        ('{"type": "Topology"}', "Topology"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"type": "FeatureCollection", "features": {"a": 1}}', "must be an array"),
        ("{\n\n  \"type\": 'single quotes'}", "line 3"),
    ],
)
def test_malformed_json_raises_input_error_naming_the_problem(tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_geojson(path, ValidationReport())
    assert needle in err.value.en
    assert err.value.zh and any("\u4e00" <= c <= "\u9fff" for c in err.value.zh)
    # Through the finisher: the same error, naming the display name, never the temp path.
    with pytest.raises(InputError) as err2:
        read_any(path, display_name="上传.geojson")
    assert "上传.geojson" in err2.value.en and str(tmp_path) not in err2.value.en


def test_non_strict_read_reports_instead_of_raising(tmp_path: Path) -> None:
    result = read_any(write(tmp_path, '{"type": '), strict=False)
    assert not result.report.ok and len(result.gdf) == 0
    [p] = result.report.problems
    assert p.feature is None and p.fatal and p.problem == "unreadable"


def test_gb18030_bytes_are_read_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "gbk.geojson"
    doc = fc([feat({"type": "Point", "coordinates": [113.9, 22.9]}, name_zh="松山湖")])
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode("gbk"))
    report = ValidationReport()
    gdf = read_geojson(path, report)
    assert gdf["name_zh"].iloc[0] == "松山湖"
    assert report.problems[0].problem == "not_utf8"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.geojson"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(fc([feat({"type": "Point", "coordinates": [113.9, 22.9]})])).encode())
    assert len(read_any(path).gdf) == 1


def test_feature_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_FEATURES", 3)
    doc = fc([feat({"type": "Point", "coordinates": [113.9, 22.9]}) for _ in range(4)])
    with pytest.raises(LimitExceeded):
        read_geojson(write(tmp_path, doc), ValidationReport())


def test_vertex_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_VERTICES", 10)
    coords = [[113.9 + i * 1e-4, 22.9] for i in range(11)]
    path = write(tmp_path, fc([feat({"type": "LineString", "coordinates": coords})]), "lines.geojson")
    with pytest.raises(LimitExceeded) as info:
        read_geojson(path, ValidationReport())
    assert "lines.geojson" in info.value.zh and "上限 10" in info.value.zh and "顶点" in info.value.zh
    assert "lines.geojson" in info.value.en and "limit of 10" in info.value.en and "vertices" in info.value.en
    with pytest.raises(LimitExceeded) as info:  # the finisher names the file as the user knows it
        read_any(path, display_name="上传的线.geojson")
    assert "上传的线.geojson" in info.value.zh and "上传的线.geojson" in info.value.en and "limit" in info.value.en


def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, fc([feat({"type": "Point", "coordinates": [113.9, 22.9]})]))
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", 10)
    with pytest.raises(LimitExceeded):
        read_any(path)


def test_nested_properties_become_json_text_and_id_member_kept(tmp_path: Path) -> None:
    doc = fc(
        [
            {
                "type": "Feature",
                "id": 7,
                "properties": {"tags": {"a": [1, 2]}, "名称": "站点"},
                "geometry": {"type": "Point", "coordinates": [113.9, 22.9]},
            }
        ]
    )
    gdf = read_any(write(tmp_path, doc)).gdf
    assert json.loads(gdf["tags"].iloc[0]) == {"a": [1, 2]}
    assert gdf["id"].iloc[0] == 7 and gdf["名称"].iloc[0] == "站点"


# --- writing -------------------------------------------------------------------------------------


def test_write_geojson_is_rfc7946(tmp_path: Path, frame_4326: gpd.GeoDataFrame) -> None:
    gdf = frame_4326.copy()
    # Make one ring clockwise and give one feature Z, to see them fixed on the way out.
    gdf.loc[0, "geometry"] = Polygon(list(gdf.geometry.iloc[0].exterior.coords)[::-1])
    path = write_geojson(gdf, tmp_path / "out.geojson")
    text = path.read_text(encoding="utf-8")
    assert "地块一" in text  # UTF-8, not \u escapes
    doc = json.loads(text)
    assert "crs" not in doc and doc["type"] == "FeatureCollection"
    for f in doc["features"]:
        ring = f["geometry"]["coordinates"][0]
        assert shapely.LinearRing(ring).is_ccw
        for x, y in ring:
            assert round(x, 7) == x and round(y, 7) == y
            assert 113 < x < 115 and 22 < y < 24  # lon first
    assert doc["features"][0]["id"] == "p-1"
    assert doc["features"][2]["properties"]["area_target_mu"] is None


def test_write_geojson_reprojects_and_read_back_by_gdal(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    path = write_geojson(square_100m, tmp_path / "sq.geojson")
    back = pyogrio.read_dataframe(path)
    assert back.crs.to_epsg() == 4326
    assert back["name_zh"].iloc[0] == "方块" and back["id"].iloc[0] == "sq-1"
    assert back.to_crs(4547).area.iloc[0] == pytest.approx(10_000.0, rel=1e-4)  # 7 decimals ≈ 1 cm
    assert shapely.hausdorff_distance(back.to_crs(4547).geometry.iloc[0], square_100m.geometry.iloc[0]) < 0.02


def test_write_geojson_round_trip_all_attributes(tmp_path: Path, frame_4326: gpd.GeoDataFrame) -> None:
    gdf = frame_4326
    path = write_geojson(gdf, tmp_path / "p.geojson")
    back = pyogrio.read_dataframe(path)
    assert list(back["name_zh"]) == ["地块一", "地块二", "地块三"]
    assert list(back["action"]) == list(gdf["action"])
    assert list(back["count"]) == [1, 2, 3]
    assert back["area_target_mu"].iloc[0] == 12.5 and np.isnan(back["area_target_mu"].iloc[2])
    for a, b in zip(back.geometry, gdf.geometry):
        assert shapely.hausdorff_distance(a, b) < 1e-7
    # Our own reader agrees.
    ours = read_any(path)
    assert ours.report.problems == [] and ours.report.repairs == []


def test_write_geojson_refuses_projected_crs_option(tmp_path: Path, frame_4326: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError):
        write_geojson(frame_4326, tmp_path / "x.geojson", crs="EPSG:4547")


def test_write_geojson_mixed_types_and_empty(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"name_zh": ["点", "线", "面", "空"]},
        geometry=[
            Point(113.9, 22.9),
            LineString([(113.9, 22.9), (113.91, 22.91)]),
            MultiPolygon([shapely.box(113.9, 22.9, 113.91, 22.91)]),
            None,
        ],
        crs="EPSG:4326",
    )
    doc = json.loads(write_geojson(gdf, tmp_path / "m.geojson").read_text(encoding="utf-8"))
    assert [f["geometry"] and f["geometry"]["type"] for f in doc["features"]] == ["Point", "LineString", "MultiPolygon", None]


@pytest.mark.parametrize(("epsg", "first_digits"), [("EPSG:4547", 6), ("EPSG:4526", 8)])
def test_write_surveyor_names_crs_and_reads_back(tmp_path: Path, square_100m: gpd.GeoDataFrame, epsg: str, first_digits: int) -> None:
    src = square_100m.to_crs(4326)
    path = write_geojson_surveyor(src, tmp_path / "s.geojson", crs=epsg)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["crs"]["properties"]["name"] == f"urn:ogc:def:crs:EPSG::{epsg.split(':')[1]}"
    x, y = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert len(str(int(x))) == first_digits and 2_500_000 < y < 2_600_000  # easting first, then northing
    assert round(x, 3) == x
    back = pyogrio.read_dataframe(path)
    assert back.crs.to_epsg() == int(epsg.split(":")[1])
    assert back["name_zh"].iloc[0] == "方块"
    assert shapely.hausdorff_distance(back.to_crs(4547).geometry.iloc[0], square_100m.geometry.iloc[0]) < 0.002
    # and through our own reader, back to degrees
    ours = read_any(path).gdf
    assert ours.to_crs(4547).area.iloc[0] == pytest.approx(10_000.0, rel=1e-6)


def test_write_surveyor_refuses_other_crs(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError):
        write_geojson_surveyor(square_100m, tmp_path / "s.geojson", crs="EPSG:3857")
