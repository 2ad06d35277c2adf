"""Surveyor deliverables: 界址点坐标表, 勘测定界 TXT (both ways) and the surveyor pack."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, box

from gis.area import M2_PER_MU, area_m2, area_mu
from gis.errors import InputError
from gis.io.survey import read_survey_txt, write_boundary_points, write_survey_pack, write_survey_txt
from gis.report import ValidationReport

LAKE_E, LAKE_N = 489_700.0, 2_536_800.0


# ---------------------------------------------------------------------------------------------- helpers
def _sheet_rows(path: Path) -> list[list[object]]:
    ws = load_workbook(path).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _blocks(rows: list[list[object]]) -> dict[str, dict[str, object]]:
    """Parcel title → {"points": [(J, ring, X, Y, edge)], "m2": ..., "mu": ...} from table rows."""
    out: dict[str, dict[str, object]] = {}
    current = None
    for row in rows:
        first = row[0] if row else None
        if isinstance(first, str) and first.startswith("地块 "):
            current = out.setdefault(first, {"points": []})
        elif current is not None and isinstance(first, str) and first.startswith("J"):
            current["points"].append(tuple(row[:5]))
        elif current is not None and first == "面积 (m²)":
            current["m2"] = row[2]
        elif current is not None and first == "面积 (亩)":
            current["mu"] = row[2]
    return out


def _signed_area(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


@pytest.fixture
def holed() -> gpd.GeoDataFrame:
    """Two parcels in EPSG:4547: an irregular quadrilateral and a 200 m × 150 m rectangle with a hole."""
    e, n = LAKE_E, LAKE_N
    quad = Polygon([(e + 300, n), (e + 310, n + 100), (e + 400, n + 120), (e + 390, n + 10)])  # anticlockwise input
    hole = [(e + 50, n + 50), (e + 50, n + 80), (e + 80, n + 80), (e + 80, n + 50)]  # clockwise input
    rect = Polygon([(e, n), (e + 200, n), (e + 200, n + 150), (e, n + 150)], [hole])
    return gpd.GeoDataFrame(
        {"id": ["p-1", "p-2"], "name_zh": ["松山湖地块一", "带洞的地块"]}, geometry=[quad, rect], crs="EPSG:4547"
    )


# ----------------------------------------------------------------------------- 界址点坐标表: X/Y order
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_xy_order_matches_pyproj(tmp_path: Path, suffix: str) -> None:
    lon, lat = 113.8912345, 22.9123456  # near Songshan Lake
    e, n = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True).transform(lon, lat)
    assert 450_000 < e < 527_000 and 2_505_000 < n < 2_561_000  # sanity: easting, northing
    # The point is the north-west corner of a square made in degrees, so it is J1.
    square = Polygon([(lon, lat), (lon + 0.001, lat), (lon + 0.001, lat - 0.001), (lon, lat - 0.001)])
    gdf = gpd.GeoDataFrame({"id": ["sq"], "name_zh": ["方块"]}, geometry=[square], crs="EPSG:4326")
    out = write_boundary_points(gdf, tmp_path / f"t{suffix}")
    rows = _sheet_rows(out) if suffix == ".xlsx" else _csv_rows(out)
    header = next(r for r in rows if r and r[0] == "点号")
    assert "北" in str(header[2]) and "东" in str(header[3])
    j1 = next(r for r in rows if r and r[0] == "J1")
    assert float(j1[2]) == pytest.approx(round(n, 3), abs=1e-9)  # X = northing
    assert float(j1[3]) == pytest.approx(round(e, 3), abs=1e-9)  # Y = easting
    if suffix == ".xlsx":
        assert isinstance(j1[2], float) and isinstance(j1[3], float)  # numbers, not text
    else:
        assert j1[2] == f"{n:.3f}" and j1[3] == f"{e:.3f}"


def test_zone_prefix_for_4526(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    rows = _sheet_rows(write_boundary_points(square_100m, tmp_path / "t.xlsx", crs="EPSG:4526"))
    j1 = next(r for r in rows if r and r[0] == "J1")
    assert j1[2] == pytest.approx(LAKE_N + 100) and j1[3] == pytest.approx(38_000_000 + LAKE_E)
    header_text = " ".join(str(r[0]) for r in rows[:6] if r and r[0])
    assert "EPSG:4526" in header_text and "带号前缀 38" in header_text and "中央经线114°" in header_text


def test_table_refuses_other_crs_and_extensions(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError):
        write_boundary_points(square_100m, tmp_path / "t.xlsx", crs="EPSG:32650")
    with pytest.raises(InputError):
        write_boundary_points(square_100m, tmp_path / "t.ods")
    lines = gpd.GeoDataFrame(geometry=[shapely.LineString([(LAKE_E, LAKE_N), (LAKE_E + 5, LAKE_N)])], crs="EPSG:4547")
    with pytest.raises(InputError):
        write_boundary_points(lines, tmp_path / "t.csv")


# ------------------------------------------------------------------ 界址点坐标表: numbering and closing
def test_points_numbered_clockwise_from_north_west_and_closed(tmp_path: Path, holed: gpd.GeoDataFrame) -> None:
    blocks = _blocks(_sheet_rows(write_boundary_points(holed, tmp_path / "t.xlsx")))
    assert list(blocks) == ["地块 p-1 松山湖地块一", "地块 p-2 带洞的地块"]

    quad = blocks["地块 p-1 松山湖地块一"]["points"]
    assert [p[0] for p in quad] == ["J1", "J2", "J3", "J4", "J1"]
    assert quad[0][1:4] == quad[-1][1:4]  # closing point repeats J1
    assert (quad[0][2], quad[0][3]) == (LAKE_N + 100, LAKE_E + 310)  # north-westernmost vertex first
    ring = np.array([(p[3], p[2]) for p in quad[:-1]])  # (easting, northing)
    assert _signed_area(ring) < 0  # clockwise on a north-up map
    edges = [p[4] for p in quad]
    assert edges[0] == pytest.approx(np.hypot(90, 20), abs=0.005) and edges[-1] is None

    rect = blocks["地块 p-2 带洞的地块"]["points"]
    assert [p[0] for p in rect] == ["J1", "J2", "J3", "J4", "J1", "J5", "J6", "J7", "J8", "J5"]
    assert [p[1] for p in rect] == [1] * 5 + [2] * 5  # 圈号
    assert (rect[0][2], rect[0][3]) == (LAKE_N + 150, LAKE_E)
    hole = np.array([(p[3], p[2]) for p in rect[5:9]])
    assert _signed_area(hole) > 0  # holes run the other way
    assert (rect[5][2], rect[5][3]) == (LAKE_N + 80, LAKE_E + 50)  # the hole's north-west corner


def test_multipolygon_parts_are_further_rings(tmp_path: Path) -> None:
    parts = MultiPolygon([box(LAKE_E, LAKE_N, LAKE_E + 10, LAKE_N + 10), box(LAKE_E + 50, LAKE_N, LAKE_E + 60, LAKE_N + 20)])
    gdf = gpd.GeoDataFrame({"id": ["mp"], "name_zh": ["两块"]}, geometry=[parts], crs="EPSG:4547")
    rows = _csv_rows(write_boundary_points(gdf, tmp_path / "t.csv"))
    points = [r for r in rows if r and r[0].startswith("J")]
    assert [r[0] for r in points] == ["J1", "J2", "J3", "J4", "J1", "J5", "J6", "J7", "J8", "J5"]
    assert [r[1] for r in points] == ["1"] * 5 + ["2"] * 5
    assert rows[0][0].startswith("界址点坐标表")


# ------------------------------------------------------------------------------------- 界址点: areas
def test_areas_match_gis_area(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> None:
    blocks = _blocks(_sheet_rows(write_boundary_points(parcels_4326, tmp_path / "t.xlsx")))
    expected_m2, expected_mu = area_m2(parcels_4326), area_mu(parcels_4326)
    assert len(blocks) == 3
    for k, block in enumerate(blocks.values()):
        assert block["m2"] == pytest.approx(round(expected_m2.iloc[k], 2), abs=1e-9)
        assert block["mu"] == pytest.approx(round(expected_mu.iloc[k], 4), abs=1e-9)
        assert block["mu"] == pytest.approx(block["m2"] / M2_PER_MU, abs=1e-4)


def test_square_is_15_mu(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    rows = _csv_rows(write_boundary_points(square_100m, tmp_path / "t.csv"))
    assert ["面积 (m²)", "", "10000.00", "", ""] in rows
    assert ["面积 (亩)", "", "15.0000", "", ""] in rows
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel


def test_xlsx_styles(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    ws = load_workbook(write_boundary_points(square_100m, tmp_path / "t.xlsx")).active
    title = next(c for c in ws["A"] if c.value == "地块 sq-1 方块")
    assert title.font.b
    j1 = next(c for c in ws["A"] if c.value == "J1")
    assert ws.cell(row=j1.row, column=3).number_format == "0.000"
    assert ws.column_dimensions["C"].width >= 14


# ------------------------------------------------------------------------------------ TXT round trip
def _hausdorff_m(a: gpd.GeoSeries, b: gpd.GeoSeries) -> float:
    a, b = a.to_crs("EPSG:4547"), b.to_crs("EPSG:4547")
    return max(float(shapely.hausdorff_distance(x, y)) for x, y in zip(a, b))


@pytest.mark.parametrize(("encoding", "crs"), [("gb18030", "EPSG:4526"), ("utf-8", "EPSG:4547")])
def test_txt_round_trip(tmp_path: Path, parcels_4326: gpd.GeoDataFrame, holed: gpd.GeoDataFrame, encoding: str, crs: str) -> None:
    gdf = gpd.GeoDataFrame(
        {"id": [*parcels_4326["id"], *holed["id"].str.upper()], "name_zh": [*parcels_4326["name_zh"], *holed["name_zh"]]},
        geometry=[*parcels_4326.to_crs("EPSG:4547").geometry, *holed.geometry],
        crs="EPSG:4547",
    ).to_crs("EPSG:4326")
    path = write_survey_txt(gdf, tmp_path / "t.txt", crs=crs, encoding=encoding)
    raw = path.read_bytes()
    assert "松山湖地块一".encode(encoding) in raw
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # really GBK bytes, not UTF-8
    assert b"\r\n[\xb5\xd8" in raw or encoding != "gb18030"  # CRLF before [地块坐标]
    report = ValidationReport()
    back = read_survey_txt(path, report)
    assert back.crs.to_string() == crs
    assert list(back["id"]) == list(gdf["id"]) and list(back["name_zh"]) == list(gdf["name_zh"])
    assert _hausdorff_m(back.geometry, gdf.geometry) < 0.001
    assert back.geometry.iloc[-1].geom_type == "Polygon" and len(back.geometry.iloc[-1].interiors) == 1
    assert back["area_ha"].to_numpy() == pytest.approx(area_m2(gdf).to_numpy() / 10_000, abs=1e-4)
    assert report.problems == [] and report.repairs == []


def test_txt_layout(tmp_path: Path, holed: gpd.GeoDataFrame) -> None:
    text = write_survey_txt(holed, tmp_path / "t.txt", produced_on="2020-03-01").read_bytes().decode("gb18030")
    lines = text.split("\r\n")
    assert lines[0] == "[属性描述]"
    for needed in ("坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格", "计量单位=米", "带号=38", "精度=0.001",
                   "转换参数=,,,,,,", "数据产生日期=2020-03-01"):
        assert needed in lines
    start = lines.index("[地块坐标]")
    assert lines[start + 1] == "5,0.9300,p-1,松山湖地块一,面,,,,@"  # points incl. closing, area in 公顷 (9300 m²)
    assert lines[start + 2] == f"J1,1,{LAKE_N + 100:.3f},{38e6 + LAKE_E + 310:.3f}"
    assert lines[start + 6] == lines[start + 2]
    assert lines[start + 7] == "10,2.9100,p-2,带洞的地块,面,,,,@"


def test_txt_names_with_commas_stay_one_field(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    square_100m["name_zh"] = ["甲,乙@丙"]
    report = ValidationReport()
    back = read_survey_txt(write_survey_txt(square_100m, tmp_path / "t.txt"), report)
    assert back["name_zh"].iloc[0] == "甲，乙＠丙"
    assert back["id"].iloc[0] == "sq-1"


# ------------------------------------------------------------------------- TXT from other software
OTHER_TOOL_TXT = (
    "[属性描述]\r\n"
    "坐标系 = 2000国家大地坐标系\r\n"
    "带号=38\r\n"
    "[地块坐标]\r\n"
    "10, 2.9100 , 1 , 东莞测试地块 ,面, ,工业用地, 0601,@\r\n"
    "1, 1, 2536950.000 , 38489700.000\r\n"
    "2, 1, 2536950.000 , 38489900.000\r\n"
    "3, 1, 2536800.000 , 38489900.000\r\n"
    "4, 1, 2536800.000 , 38489700.000\r\n"
    "1, 1, 2536950.000 , 38489700.000\r\n"
    "5, 2, 2536880.000 , 38489750.000\r\n"
    "6, 2, 2536880.000 , 38489780.000\r\n"
    "7, 2, 2536850.000 , 38489780.000\r\n"
    "8, 2, 2536850.000 , 38489750.000\r\n"
    "5, 2, 2536880.000 , 38489750.000\r\n"
)


def test_txt_from_other_software(tmp_path: Path) -> None:
    path = tmp_path / "other.txt"
    path.write_bytes(OTHER_TOOL_TXT.encode("gbk"))
    report = ValidationReport()
    gdf = read_survey_txt(path, report)
    assert gdf.crs.to_string() == "EPSG:4526"
    assert len(gdf) == 1
    row = gdf.iloc[0]
    assert (row["id"], row["name_zh"], row["land_use"], row["land_class"]) == ("1", "东莞测试地块", "工业用地", "0601")
    assert row["area_ha"] == pytest.approx(2.91)
    geom = row.geometry
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1  # ring 2 lies inside ring 1: a hole
    assert geom.area == pytest.approx(200 * 150 - 30 * 30)
    assert geom.bounds == (38_489_700.0, 2_536_800.0, 38_489_900.0, 2_536_950.0)  # (easting, northing)
    assert report.crs_assumed is None and not [p for p in report.problems if p.fatal]


def test_txt_without_prefix_lf_utf8_bom_and_separate_parts(tmp_path: Path) -> None:
    text = (
        "[地块坐标]\n"
        "8,,A-7,两块地,面,,,,@\n"
        "J1,1,2536810.000,489700.000\nJ2,1,2536810.000,489710.000\nJ3,1,2536800.000,489710.000\nJ1,1,2536810.000,489700.000\n"
        "J4,2,2536810.000,489750.000\nJ5,2,2536810.000,489760.000\nJ6,2,2536800.000,489760.000\nJ4,2,2536810.000,489750.000\n"
    )
    path = tmp_path / "parts.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    report = ValidationReport()
    gdf = read_survey_txt(path, report)
    assert gdf.crs.to_string() == "EPSG:4547"
    assert report.crs_assumed  # no 坐标系 and no 带号: said what was assumed
    geom = gdf.geometry.iloc[0]
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2  # ring 2 outside ring 1: a second part
    assert gdf["name_zh"].iloc[0] == "两块地" and np.isnan(gdf["area_ha"].iloc[0])


def test_txt_in_gis_order_is_swapped_back(tmp_path: Path) -> None:
    text = (
        "[属性描述]\n坐标系=2000国家大地坐标系\n[地块坐标]\n"
        "4,,1,反序,面,,,,@\n1,1,38489700.0,2536810.0\n2,1,38489710.0,2536810.0\n3,1,38489710.0,2536800.0\n1,1,38489700.0,2536810.0\n"
    )
    path = tmp_path / "swapped.txt"
    path.write_text(text, encoding="utf-8")
    report = ValidationReport()
    gdf = read_survey_txt(path, report)
    assert gdf.crs.to_string() == "EPSG:4526"
    assert gdf.geometry.iloc[0].bounds == (38_489_700.0, 2_536_800.0, 38_489_710.0, 2_536_810.0)
    assert [r.repair for r in report.repairs] == ["xy_swapped"]


def test_txt_unclosed_ring_same_ring_numbers_and_count_mismatch(tmp_path: Path) -> None:
    text = (
        "[属性描述]\n坐标系=2000国家大地坐标系\n[地块坐标]\n"
        "99,0.0100,1,未闭合,面,,,,@\n"  # wrong count; ring not closed
        "1,1,2536810,489700\n2,1,2536810,489710\n3,1,2536800,489710\n4,1,2536800,489700\n"
    )
    path = tmp_path / "open.txt"
    path.write_text(text, encoding="utf-8")
    report = ValidationReport()
    gdf = read_survey_txt(path, report)
    assert gdf.geometry.iloc[0].area == pytest.approx(100.0)
    assert "ring_closed" in [r.repair for r in report.repairs]
    assert "point_count_mismatch" in [p.problem for p in report.problems]
    assert "area_mismatch" not in [p.problem for p in report.problems]  # 0.01 ha = 100 m²


# --------------------------------------------------------------------------------------- broken TXT
def _read(tmp_path: Path, text: str | bytes, report: ValidationReport) -> gpd.GeoDataFrame:
    path = tmp_path / "broken.txt"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("gb18030"))
    return read_survey_txt(path, report)


GOOD_PARCEL = "4,,2,好地块,面,,,,@\n1,1,2536810,38489700\n2,1,2536810,38489710\n3,1,2536800,38489710\n1,1,2536810,38489700\n"


@pytest.mark.parametrize(
    "content",
    [
        "[属性描述]\n坐标系=2000国家大地坐标系\n1,1,2536810,38489700\n",  # no [地块坐标]
        "",  # empty
        b"\x00\x01\xff\xfe\x00garbage" * 10,  # not text
        "[地块坐标]\n4,,1,坏,面,,,,@\n1,1,abc,38489700\n2,1,2536810,38489710\n3,1,2536800,38489710\n",  # only parcel broken
        "[地块坐标]\n",  # no parcel
    ],
)
def test_unusable_txt_raises_input_error(tmp_path: Path, content: str | bytes) -> None:
    with pytest.raises(InputError) as info:
        _read(tmp_path, content, ValidationReport())
    assert info.value.zh and info.value.en


def test_non_numeric_coordinate_drops_only_that_parcel(tmp_path: Path) -> None:
    bad = "4,,1,坏,面,,,,@\n1,1,2536810,38489700\n2,1,2536810,三八四\n3,1,2536800,38489710\n1,1,2536810,38489700\n"
    text = "[地块坐标]\n" + bad + GOOD_PARCEL
    report = ValidationReport()
    gdf = _read(tmp_path, text, report)
    assert list(gdf["id"]) == ["2"]
    bad = [p for p in report.problems if p.problem == "bad_point_line"]
    assert len(bad) == 1 and bad[0].feature == 0 and bad[0].fatal and "第 4 行" in bad[0].message_zh


def test_ring_with_two_points(tmp_path: Path) -> None:
    text = "[地块坐标]\n3,,1,两点,面,,,,@\n1,1,2536810,38489700\n2,1,2536810,38489710\n1,1,2536810,38489700\n" + GOOD_PARCEL
    report = ValidationReport()
    gdf = _read(tmp_path, text, report)
    assert list(gdf["id"]) == ["2"]
    short = [p for p in report.problems if p.problem == "ring_too_short"]
    assert len(short) == 1 and short[0].fatal and short[0].feature == 0


def test_short_hole_is_dropped_but_parcel_kept(tmp_path: Path) -> None:
    text = GOOD_PARCEL.replace("4,,2", "6,,2") + "5,2,2536805,38489702\n6,2,2536805,38489703\n"
    report = ValidationReport()
    gdf = _read(tmp_path, "[地块坐标]\n" + text, report)
    assert len(gdf) == 1 and gdf.geometry.iloc[0].area == pytest.approx(50.0)
    assert [(p.problem, p.fatal) for p in report.problems] == [("ring_too_short", False)]


def test_points_before_header_and_declared_area_mismatch(tmp_path: Path) -> None:
    text = "[地块坐标]\n1,1,2536810,38489700\n" + GOOD_PARCEL.replace("4,,2", "4,9.0,2")
    report = ValidationReport()
    gdf = _read(tmp_path, text, report)
    assert len(gdf) == 1
    codes = [p.problem for p in report.problems]
    assert "point_without_parcel" in codes and "area_mismatch" in codes


def test_encoding_argument_and_wrong_encoding(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(("[地块坐标]\n" + GOOD_PARCEL).encode("gbk"))
    assert read_survey_txt(path, ValidationReport(), encoding="gbk")["name_zh"].iloc[0] == "好地块"
    with pytest.raises(InputError):
        read_survey_txt(path, ValidationReport(), encoding="utf-8")
    with pytest.raises(InputError):
        read_survey_txt(tmp_path / "missing.txt", ValidationReport())


def test_other_datums_and_zones(tmp_path: Path) -> None:
    report = ValidationReport()
    gdf = _read(tmp_path, "[属性描述]\n坐标系=1980西安坐标系\n带号=38\n[地块坐标]\n" + GOOD_PARCEL, report)
    assert gdf.crs.to_epsg() == 2362  # Xian 1980 / 3-degree GK zone 38
    assert "datum_not_cgcs2000" in [p.problem for p in report.problems]
    report = ValidationReport()
    gdf = _read(tmp_path, "[属性描述]\n坐标系=某市独立坐标系\n[地块坐标]\n" + GOOD_PARCEL, report)
    assert gdf.crs is None and "unknown_crs" in [p.problem for p in report.problems]


# ---------------------------------------------------------------------------------------------- pack
def test_survey_pack(tmp_path: Path, holed: gpd.GeoDataFrame) -> None:
    holed["status"] = ["planned", "completed"]
    holed["name_zh"] = ["../../etc/passwd", "地块二"]  # names never become member names
    out = write_survey_pack(holed, tmp_path / "松山湖 pack!.zip", produced_on="2020-06-30")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert names == {"pack_kcdj.txt", "pack_jzd.xlsx", "pack.dxf", "pack.geojson", "pack_4547.geojson", "README.txt"}
        assert all("/" not in n and ".." not in n for n in names)
        zf.extractall(tmp_path / "x")
    x = tmp_path / "x"
    readme = (x / "README.txt").read_text(encoding="utf-8")
    assert "2020-06-30" in readme and "EPSG:4547" in readme and "EPSG:4526" in readme
    assert all(n in readme for n in ("pack_kcdj.txt", "pack_jzd.xlsx", "pack.dxf", "pack.geojson"))
    back = read_survey_txt(x / "pack_kcdj.txt", ValidationReport())
    assert list(back["id"]) == ["p-1", "p-2"] and back.crs.to_string() == "EPSG:4526"
    assert len(_blocks(_sheet_rows(x / "pack_jzd.xlsx"))) == 2
    gj = json.loads((x / "pack.geojson").read_text(encoding="utf-8"))
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 2 and "crs" not in gj
    lon, lat = gj["features"][0]["geometry"]["coordinates"][0][0][:2]
    assert 113.4 < lon < 114.4 and 22.5 < lat < 23.3  # RFC 7946: lon, lat
    surveyor = json.loads((x / "pack_4547.geojson").read_text(encoding="utf-8"))
    assert "4547" in json.dumps(surveyor["crs"])
    eastings = [c[0] for f in surveyor["features"] for ring in f["geometry"]["coordinates"] for c in ring]
    assert min(eastings) == pytest.approx(LAKE_E, abs=0.001) and max(eastings) == pytest.approx(LAKE_E + 400, abs=0.001)
    import ezdxf

    doc = ezdxf.readfile(x / "pack.dxf")
    msp = doc.modelspace()
    assert len(msp.query("LWPOLYLINE POLYLINE")) >= 3  # two outer rings and a hole
    texts = " ".join(e.dxf.text if e.dxftype() == "TEXT" else e.text for e in msp.query("TEXT MTEXT"))
    assert "地块二" in texts
    xs = [v[0] for e in msp.query("LWPOLYLINE") for v in e.get_points("xy")]
    assert xs and all(450_000 < v < 527_000 for v in xs)  # EPSG:4547 metres


def test_pack_needs_crs(tmp_path: Path, holed: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError):
        write_survey_pack(holed.set_crs(None, allow_override=True), tmp_path / "p.zip")


def test_full_width_commas_typed_with_an_ime(tmp_path: Path) -> None:
    report = ValidationReport()
    gdf = _read(tmp_path, "【地块坐标】\n" + GOOD_PARCEL.replace(",", "，"), report)
    assert list(gdf["name_zh"]) == ["好地块"] and gdf.geometry.iloc[0].area == pytest.approx(50.0)


def test_read_polygons_use_gis_orientation(tmp_path: Path, holed: gpd.GeoDataFrame) -> None:
    back = read_survey_txt(write_survey_txt(holed, tmp_path / "t.txt"), ValidationReport())
    assert all(g.exterior.is_ccw for g in back.geometry)
    assert not back.geometry.iloc[1].interiors[0].is_ccw


def test_header_line_without_at_sign(tmp_path: Path) -> None:
    gdf = _read(tmp_path, "[地块坐标]\n" + GOOD_PARCEL.replace(",@", ","), ValidationReport())
    assert list(gdf["name_zh"]) == ["好地块"]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-400, 400), st.floats(-400, 400)), min_size=3, max_size=12),
    st.sampled_from(["EPSG:4526", "EPSG:4547"]),
)
def test_round_trip_property(tmp_path_factory: pytest.TempPathFactory, offsets: list[tuple[float, float]], crs: str) -> None:
    poly = shapely.convex_hull(shapely.MultiPoint([(LAKE_E + dx, LAKE_N + dy) for dx, dy in offsets]))
    assume(poly.geom_type == "Polygon" and poly.area > 1.0 and poly.minimum_clearance > 0.01)
    gdf = gpd.GeoDataFrame({"id": ["h"], "name_zh": ["随机"]}, geometry=[poly], crs="EPSG:4547")
    path = write_survey_txt(gdf, tmp_path_factory.mktemp("prop") / "p.txt", crs=crs)
    back = read_survey_txt(path, ValidationReport())
    assert _hausdorff_m(back.geometry, gdf.geometry) < 0.001
    text = path.read_bytes().decode("gb18030").split("\r\n")
    points = [ln.split(",") for ln in text if ln.startswith("J")]
    assert points[0] == points[-1] and len(points) == len(poly.exterior.coords)
    xy = np.array([(float(p[3]), float(p[2])) for p in points[:-1]])
    assert _signed_area(xy) < 0  # clockwise
    nw = xy[:, 1] - xy[:, 0]
    assert nw[0] == pytest.approx(nw.max(), abs=1e-6)  # starts at the north-westernmost vertex


def test_pack_without_polygons(tmp_path: Path) -> None:
    points = gpd.GeoDataFrame(
        {"id": ["s-1"], "name_zh": ["变电站"], "status": ["planned"]}, geometry=[shapely.Point(LAKE_E, LAKE_N)], crs="EPSG:4547"
    )
    with zipfile.ZipFile(write_survey_pack(points, tmp_path / "stations.zip")) as zf:
        names = set(zf.namelist())
        readme = zf.read("README.txt").decode("utf-8-sig")
    assert names == {"stations.dxf", "stations.geojson", "stations_4547.geojson", "README.txt"}
    assert "没有面要素" in readme


def test_hostile_names_stay_text(tmp_path: Path, square_100m: gpd.GeoDataFrame) -> None:
    square_100m["name_zh"] = ["=HYPERLINK(\"x\")\x07\n"]
    ws = load_workbook(write_boundary_points(square_100m, tmp_path / "t.xlsx")).active
    title = next(c for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("地块 "))
    assert title.data_type == "s" and title.value == '地块 sq-1 =HYPERLINK("x")'
    tiny = gpd.GeoDataFrame(geometry=[box(LAKE_E, LAKE_N, LAKE_E + 0.0004, LAKE_N + 0.0004)], crs="EPSG:4547")
    with pytest.raises(InputError):
        write_survey_txt(tiny, tmp_path / "tiny.txt")


def test_point_lines_without_ring_number(tmp_path: Path) -> None:
    text = "[地块坐标]\n4,,1,无圈号,面,,,,@\nJ1,2536810,38489700\nJ2,2536810,38489710\nJ3,2536800,38489710\nJ1,2536810,38489700\n"
    report = ValidationReport()
    gdf = _read(tmp_path, text, report)
    assert gdf.geometry.iloc[0].area == pytest.approx(50.0) and report.problems == []
    report = ValidationReport()
    with pytest.raises(InputError):
        _read(tmp_path, "[地块坐标]\n4,,1,缺列,面,,,,@\nJ1,2536810\nJ2,2536810\nJ3,2536800\n", report)
    assert [p.problem for p in report.problems] == ["bad_point_line"]


def test_read_any_and_write_any(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> None:
    from gis.io import read_any, write_any

    written = write_any(parcels_4326, tmp_path / "p.txt", fmt="survey-txt", crs="EPSG:4526")
    result = read_any(written.path)
    assert result.format == "survey" and result.gdf.crs.to_epsg() == 4326
    assert list(result.gdf["id"]) == ["p-1", "p-2", "p-3"]
    assert _hausdorff_m(result.gdf.geometry, parcels_4326.geometry) < 0.001
    assert result.report.problems == [] and result.report.repairs == []  # clockwise rings are no defect


# ------------------------------------------------------------------- illustrative features say so (issue 14)
def _pack_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_pack_marks_illustrative_parcels_in_every_file(tmp_path: Path, holed: gpd.GeoDataFrame) -> None:
    import ezdxf

    holed["status"] = ["planned", "planned"]
    holed["illustrative"] = [True, False]
    files = _pack_members(write_survey_pack(holed, tmp_path / "pack.zip", produced_on="2020-06-30"))
    assert set(files) == {"pack_kcdj.txt", "pack_jzd.xlsx", "pack.dxf", "pack.geojson", "pack_4547.geojson", "README.txt"}

    readme = files["README.txt"].decode("utf-8-sig")
    assert "示意" in readme and "1 个要素" in readme and "p-1" in readme.split("示意要素 / illustrative:")[1].splitlines()[0]
    assert "p-2" not in readme.split("示意要素 / illustrative:")[1].splitlines()[0]

    txt = files["pack_kcdj.txt"].decode("gb18030")
    head, coords = txt.split("[地块坐标]")
    assert "备注=示意" in head and "1 个示意地块" in head
    headers = [line for line in coords.splitlines() if line.endswith("@")]
    assert "松山湖地块一（示意）" in headers[0] and "示意" not in headers[1]

    (tmp_path / "t.xlsx").write_bytes(files["pack_jzd.xlsx"])
    cells = [str(r[0]) for r in _sheet_rows(tmp_path / "t.xlsx") if r and r[0] is not None]
    title_row = next(i for i, c in enumerate(cells) if c.startswith("地块 p-1"))
    assert any("示意" in c for c in cells[:title_row])  # the header says the table holds illustrative parcels
    assert "示意" in cells[title_row] and "示意" in cells[title_row + 1]  # so do the parcel's title and the line under it
    assert "示意" not in next(c for c in cells if c.startswith("地块 p-2"))

    (tmp_path / "t.dxf").write_bytes(files["pack.dxf"])
    msp = ezdxf.readfile(tmp_path / "t.dxf").modelspace()
    layers_of = {e.dxf.layer for e in msp.query("LWPOLYLINE")}
    assert layers_of == {"示意_planned", "planned"}

    for name in ("pack.geojson", "pack_4547.geojson"):
        features = json.loads(files[name].decode("utf-8"))["features"]
        marks = {f["properties"]["id"]: f["properties"].get("示意") for f in features}
        assert marks["p-1"] and "示意" in marks["p-1"] and not marks["p-2"], name


def test_surveyed_parcels_carry_no_mark(tmp_path: Path, holed: gpd.GeoDataFrame) -> None:
    holed["illustrative"] = [False, False]
    files = _pack_members(write_survey_pack(holed, tmp_path / "pack.zip"))
    for name, data in files.items():
        text = data.decode("gb18030" if name.endswith("_kcdj.txt") else "utf-8", errors="ignore")
        if not name.endswith(".xlsx"):
            assert "示意" not in text, name
    (tmp_path / "t.xlsx").write_bytes(files["pack_jzd.xlsx"])
    assert not any("示意" in str(c) for r in _sheet_rows(tmp_path / "t.xlsx") for c in r if c)


def test_illustrative_text_values_are_read_as_flags() -> None:
    from gis.io.survey import count_illustrative

    frame = gpd.GeoDataFrame({"illustrative": [True, "true", "是", "false", None, 0, 1]}, geometry=[None] * 7)
    assert count_illustrative(frame) == 4
    assert count_illustrative(gpd.GeoDataFrame({"x": [1]}, geometry=[None])) == 0


def test_refuse_illustrative_only_in_survey_formats(holed: gpd.GeoDataFrame) -> None:
    from gis.io.survey import SURVEY_FORMATS, refuse_illustrative

    holed["illustrative"] = [True, False]
    for fmt in SURVEY_FORMATS:
        with pytest.raises(InputError) as err:
            refuse_illustrative(holed, fmt)
        assert "1 个要素" in err.value.zh and err.value.choice == "allow_illustrative"
        refuse_illustrative(holed, fmt, allow=True)
    refuse_illustrative(holed, "geojson")
    refuse_illustrative(holed, "gpkg")


# --------------------------------------------------------------------------- a large parcel, linear work
def _wavy_ring(n: int) -> Polygon:
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = 500.0 + 20.0 * np.sin(37 * t)
    return Polygon(np.c_[LAKE_E + r * np.cos(t), LAKE_N + r * np.sin(t)])


def test_dxf_of_a_large_parcel_sets_its_points_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ezdxf concatenates its point array on each appended point (quadratic); the writer hands over all at once."""
    import ezdxf
    from ezdxf.entities.lwpolyline import LWPolylinePoints

    from gis.io.dxf import write_dxf

    calls = []
    extend = LWPolylinePoints.extend

    def counting(self, points):
        calls.append(1)
        return extend(self, points)

    monkeypatch.setattr(LWPolylinePoints, "extend", counting)
    n = 20_000
    poly = _wavy_ring(n)
    gdf = gpd.GeoDataFrame({"id": ["big"], "status": ["planned"]}, geometry=[poly], crs="EPSG:4547")
    path = write_dxf(gdf, tmp_path / "big.dxf", crs="EPSG:4547")
    assert len(calls) == 1  # one array operation for the ring, not one per vertex
    monkeypatch.undo()
    (e,) = ezdxf.readfile(path).modelspace().query("LWPOLYLINE")
    xy = np.array(e.get_points("xy"))
    assert e.closed and len(xy) == n
    assert np.allclose(xy, np.asarray(poly.exterior.coords)[:-1], atol=1e-6)
