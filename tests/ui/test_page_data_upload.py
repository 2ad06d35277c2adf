"""ui/page_data.py, upload section (issue 13 item 5): a coordinate-system choice, 亩, the file's own ids, .xlsx."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, box
from streamlit.testing.v1 import AppTest

from gis.crs import wgs84_to_gcj02
from gis.io import write_any
from tests.ui.conftest import table_with
from ui.upload import keyed_frame, page_words

TRUE = [(113.8800, 22.9300), (113.9050, 22.9420)]  # WGS 84 positions on Songshan Lake
E, N = 489_700.0, 2_536_800.0


def _gcj_csv() -> bytes:
    lines = ["地块编号,地块名称,lng,lat"]
    for k, (lon, lat) in enumerate(TRUE, 1):
        glon, glat = wgs84_to_gcj02(lon, lat)
        lines.append(f"DK-{k:02d},第{k}号地块,{float(glon):.7f},{float(glat):.7f}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _upload(at: AppTest, name: str, data: bytes, mime: str = "application/octet-stream") -> AppTest:
    at.file_uploader(key="data_upload").set_value((name, data, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _read_frame(at: AppTest) -> gpd.GeoDataFrame:
    return at.session_state["data_upload_cache"][1].gdf


def test_gcj02_choice_lands_within_1_m_of_the_true_position(data_page: AppTest) -> None:
    data_page.selectbox(key="data_upload_crs").set_value("gcj02").run()
    _upload(data_page, "高德拾取.csv", _gcj_csv(), "text/csv")
    got = _read_frame(data_page).to_crs("EPSG:4547")
    truth = gpd.GeoSeries([Point(p) for p in TRUE], crs="EPSG:4326").to_crs("EPSG:4547")
    assert got.geometry.distance(truth, align=False).max() < 1.0
    assert any("GCJ-02" in i.value for i in data_page.info)
    assert not any("600" in w.value for w in data_page.warning)  # the user said what the points are


def test_auto_explains_what_it_assumed_and_warns_about_gcj02(data_page: AppTest) -> None:
    _upload(data_page, "高德拾取.csv", _gcj_csv(), "text/csv")
    info = " ".join(i.value for i in data_page.info)
    assert "自动判断" in info and "WGS 84" in info
    warning = " ".join(w.value for w in data_page.warning)
    assert "GCJ-02" in warning and "600" in warning
    got = _read_frame(data_page).to_crs("EPSG:4547")
    truth = gpd.GeoSeries([Point(p) for p in TRUE], crs="EPSG:4326").to_crs("EPSG:4547")
    assert got.geometry.distance(truth, align=False).min() > 100  # read as WGS 84: off, hence the warning


def test_file_ids_and_names_are_kept_and_chosen_by_the_user(data_page: AppTest) -> None:
    _upload(data_page, "pts.csv", _gcj_csv(), "text/csv")
    table = table_with(data_page, "序号")
    assert table["id"].tolist() == ["DK-01", "DK-02"]
    assert table["name_zh"].tolist() == ["第1号地块", "第2号地块"]
    assert table["序号"].tolist() == [1, 2]
    assert data_page.selectbox(key="data_upload_id_column").value == "地块编号"
    data_page.selectbox(key="data_upload_id_column").set_value("").run()
    assert table_with(data_page, "序号")["id"].tolist() == ["1", "2"]


def test_area_in_mu_per_feature_and_in_total(data_page: AppTest, tmp_path: Path) -> None:
    squares = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name_zh": ["甲", "乙"]}, geometry=[box(E, N, E + 100, N + 100), box(E + 300, N, E + 500, N + 100)],
        crs="EPSG:4547",
    ).to_crs("EPSG:4326")
    _upload(data_page, "sq.geojson", squares.to_json().encode(), "application/geo+json")
    metric = data_page.metric[0]
    assert metric.value == "45.00 亩" and "面积合计" in metric.label
    assert table_with(data_page, "序号")["面积（亩）"].round(1).tolist() == [15.0, 30.0]


def test_xlsx_boundary_table_uploads(data_page: AppTest, tmp_path: Path) -> None:
    parcels = gpd.GeoDataFrame(
        {"id": ["DK-7"], "name_zh": ["七号地块"]}, geometry=[box(E, N, E + 150, N + 100)], crs="EPSG:4547"
    )
    path = tmp_path / "界址点.xlsx"
    write_any(parcels, path, fmt="boundary-points")
    _upload(data_page, "界址点.xlsx", path.read_bytes())
    table = table_with(data_page, "序号")
    assert table["id"].tolist() == ["DK-7"] and table["name_zh"].tolist() == ["七号地块"]
    assert data_page.metric[0].value == "22.50 亩"
    assert any("自动判断" in i.value for i in data_page.info)


def test_out_of_range_coordinates_are_named_in_the_page_words(data_page: AppTest) -> None:
    _upload(data_page, "bad.csv", b"lon,lat\n113.88,229.3\n113.89,229.4\n", "text/csv")
    text = " ".join(e.value for e in data_page.error)
    assert "坐标超出范围" in text and "第 1, 2 个" in text and "113.4" in text
    assert "--crs" not in text and "在上方“坐标系”中选择" in text


def test_problems_number_features_from_1_with_no_codes(data_page: AppTest) -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "ok"}, "geometry": {"type": "Point", "coordinates": list(TRUE[0])}},
        {"type": "Feature", "properties": {"id": "gone"}, "geometry": None},
    ]}
    _upload(data_page, "two.geojson", json.dumps(doc).encode(), "application/geo+json")
    problems = table_with(data_page, "说明")
    assert list(problems.columns) == ["要素", "说明", "处理"]
    assert problems["要素"].tolist() == ["第 2 个要素"] and problems["处理"].tolist() == ["已删除"]
    assert "第 2 个要素" in problems["说明"].iloc[0]


def test_page_words_renumber_features_and_drop_parser_text() -> None:
    assert page_words("cannot read a.kml: ValueError: bad thing at 0x7f") == "cannot read a.kml"
    assert page_words("2 feature(s) do not fit EPSG:4326 (features 0, 4)") == "2 feature(s) do not fit EPSG:4326 (features 1, 5)"


def test_keyed_frame_keeps_ids_unique() -> None:
    frame = gpd.GeoDataFrame({"code": ["A", "A", None]}, geometry=[Point(0, 0)] * 3, crs="EPSG:4326")
    out, fixed = keyed_frame(frame, id_column="code", name_column="")
    assert out["id"].tolist() == ["A", "A-2", "3"] and fixed == 2
