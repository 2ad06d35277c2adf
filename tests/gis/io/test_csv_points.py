"""CSV of points: header variants, encodings (real GBK bytes), bad rows, metres sniffed, GCJ-02 declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis import settings
from gis.crs import wgs84_to_gcj02
from gis.errors import InputError, LimitExceeded
from gis.io import read_any
from gis.io.csv_points import read_csv_points
from gis.report import ValidationReport

LON, LAT = 113.8965, 22.9299


def csv_file(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "pts.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize(
    "header",
    ["lon,lat,name", "lng,lat,name", "Longitude,Latitude,name", "经度,纬度,名称", "X,Y,名称", " LON , LAT ,name"],
)
def test_header_variants(tmp_path: Path, header: str) -> None:
    path = csv_file(tmp_path, f"{header}\n{LON},{LAT},站一\n113.9,22.93,站二\n")
    result = read_any(path)
    assert len(result.gdf) == 2
    assert result.gdf.geometry.iloc[0].coords[0] == pytest.approx((LON, LAT))
    assert list(result.gdf["name_zh"]) == ["站一", "站二"]
    assert result.report.crs_assumed.startswith("EPSG:4326")


def test_gbk_bytes_detected(tmp_path: Path) -> None:
    text = f"名称,经度,纬度,备注\n松山湖站,{LON},{LAT},大学路口\n东莞理工,113.87,22.9,学校\n"
    path = csv_file(tmp_path, text, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the test really holds GBK bytes
    gdf = read_any(path).gdf
    assert list(gdf["名称"]) == ["松山湖站", "东莞理工"]
    assert list(gdf["备注"]) == ["大学路口", "学校"]


def test_utf8_bom_and_explicit_encoding(tmp_path: Path) -> None:
    path = csv_file(tmp_path, f"\ufefflon,lat,名称\n{LON},{LAT},湖\n")
    gdf = read_any(path).gdf
    assert "lon" not in gdf.columns and gdf["name_zh"].iloc[0] == "湖"
    gbk = csv_file(tmp_path, f"lon,lat,名称\n{LON},{LAT},湖\n", encoding="gbk", name="g.csv")
    assert read_any(gbk, encoding="gbk").gdf["name_zh"].iloc[0] == "湖"
    with pytest.raises(InputError):
        read_any(gbk, encoding="utf-8")


def test_tab_and_semicolon_separated(tmp_path: Path) -> None:
    for sep in ("\t", ";"):
        path = csv_file(tmp_path, f"lon{sep}lat{sep}name\n{LON}{sep}{LAT}{sep}a\n", name=f"s{ord(sep)}.csv")
        assert read_any(path).gdf.geometry.iloc[0].coords[0] == pytest.approx((LON, LAT))


def test_non_numeric_rows_reported_and_dropped(tmp_path: Path) -> None:
    text = f"lon,lat,name\n{LON},{LAT},a\nabc,{LAT},b\n,,c\n113.9,22.93,d\n"
    report = ValidationReport()
    raw = read_csv_points(csv_file(tmp_path, text), report)
    assert len(raw) == 4 and raw.geometry.isna().tolist() == [False, True, True, False]
    result = read_any(tmp_path / "pts.csv")
    assert list(result.gdf["name"]) == ["a", "d"]
    bad = [p for p in result.report.problems if p.problem == "non_numeric_coordinates"]
    assert [p.feature for p in bad] == [1, 2] and all(p.fatal for p in bad)
    assert "line 3" in bad[0].message_en and "'abc'" in bad[0].message_en
    assert len(result.report.problems) == 2  # not reported again as null geometry


def test_no_coordinate_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_any(csv_file(tmp_path, "a,b\n1,2\n"))
    assert "a, b" in err.value.en and "lon/lat" in err.value.en


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_any(csv_file(tmp_path, ""))


def test_projected_xy_in_metres_sniffed(tmp_path: Path) -> None:
    result = read_any(csv_file(tmp_path, "x,y,名称\n489700.0,2536800.0,湖心\n489800,2536900,东\n"))
    assert result.report.crs_assumed.startswith("EPSG:4547")
    assert result.gdf.to_crs(4547).geometry.iloc[0].coords[0] == pytest.approx((489700.0, 2536800.0), abs=1e-3)


def test_surveying_order_xy_swapped(tmp_path: Path) -> None:
    # 测量坐标: X = northing, Y = easting.
    result = read_any(csv_file(tmp_path, "X,Y\n2536800.0,489700.0\n"))
    assert "swapped" in result.report.crs_assumed
    assert result.gdf.to_crs(4547).geometry.iloc[0].coords[0] == pytest.approx((489700.0, 2536800.0), abs=1e-3)


def test_gcj02_picker_points(tmp_path: Path) -> None:
    g_lon, g_lat = (float(v) for v in wgs84_to_gcj02(LON, LAT))
    path = csv_file(tmp_path, f"lng,lat\n{g_lon:.8f},{g_lat:.8f}\n")
    result = read_any(path, datum="gcj02")
    assert result.gdf.geometry.iloc[0].coords[0] == pytest.approx((LON, LAT), abs=1e-7)
    assert "GCJ-02" in result.report.crs_assumed


def test_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = csv_file(tmp_path, "lon,lat\n" + f"{LON},{LAT}\n" * 5)
    monkeypatch.setattr(settings, "MAX_FEATURES", 4)
    with pytest.raises(LimitExceeded):
        read_csv_points(path, ValidationReport())


def test_ragged_rows_are_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_any(csv_file(tmp_path, 'lon,lat\n113.9,22.9\n"unterminated,1,2,3\n'))
