"""Excel in (issue 13 item 6): point tables and the 界址点坐标表 read back, with the readers' bad-input care."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from openpyxl import Workbook
from shapely.geometry import MultiPolygon, Polygon, box

from gis import settings
from gis.cli import main
from gis.errors import InputError, LimitExceeded
from gis.io import INPUT_EXTENSIONS, read_any, write_any

E, N = 489_700.0, 2_536_800.0  # Songshan Lake in EPSG:4547 metres
LON, LAT = 113.88, 22.93


@pytest.fixture
def parcels() -> gpd.GeoDataFrame:
    """A parcel with a hole, a two-part parcel with an odd-millimetre corner and one illustrative parcel."""
    with_hole = Polygon(box(E, N, E + 100, N + 80).exterior, [box(E + 20, N + 20, E + 40, N + 40).exterior])
    two_parts = MultiPolygon([box(E + 200, N, E + 250, N + 50), box(E + 300, N, E + 333.3333, N + 51.2345)])
    frame = gpd.GeoDataFrame(
        {"id": ["DK-01", "DK-02", "DK-03"], "name_zh": ["一号 地块", "二号地块", "三号"], "illustrative": [False, False, True]},
        geometry=[with_hole, two_parts, box(E + 500, N, E + 560, N + 60)],
        crs="EPSG:4547",
    )
    return frame.to_crs("EPSG:4326")


def _sheet(path: Path, rows: list[list[object]], *, title: str = "Sheet1", before: list[str] = ()) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for other in before:
        wb.create_sheet(other).append(["说明 / notes"])
    ws = wb.create_sheet(title)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_is_an_input_extension() -> None:
    assert INPUT_EXTENSIONS[".xlsx"] == "xlsx_points"


@pytest.mark.parametrize("crs", ["EPSG:4547", "EPSG:4526"])
def test_boundary_table_export_then_import_gives_the_same_parcels_within_1_mm(
    parcels: gpd.GeoDataFrame, tmp_path: Path, crs: str
) -> None:
    path = tmp_path / "界址点.xlsx"
    write_any(parcels, path, fmt="boundary-points", crs=crs)
    result = read_any(path)
    back = result.gdf.to_crs("EPSG:4547")
    orig = parcels.to_crs("EPSG:4547")
    assert back["id"].tolist() == ["DK-01", "DK-02", "DK-03"]
    assert back["name_zh"].tolist() == ["一号 地块", "二号地块", "三号"]
    assert back["illustrative"].tolist() == [False, False, True]
    assert back.geom_type.tolist() == ["Polygon", "MultiPolygon", "Polygon"]
    assert len(back.geometry[0].interiors) == 1
    for a, b in zip(back.geometry, orig.geometry):
        assert shapely.hausdorff_distance(a, b) <= 0.001
    assert result.report.ok and not result.report.problems
    assert result.report.crs_assumed is None  # the table names its CRS: nothing was guessed


def test_boundary_table_area_that_disagrees_is_reported(parcels: gpd.GeoDataFrame, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    write_any(parcels.iloc[:1], path, fmt="boundary-points")
    wb = load_workbook(path)
    ws = wb.active
    row = next(r for r in ws.iter_rows() if r[0].value == "面积 (m²)")
    row[2].value = 12345.0
    wb.save(path)
    result = read_any(path)
    assert [p.problem for p in result.report.problems] == ["xlsx_area_mismatch"]
    assert len(result.gdf) == 1


def test_point_table_header_below_a_title_with_units_and_on_the_second_sheet(tmp_path: Path) -> None:
    rows = [["松山湖站点坐标"], [], ["序号", "站点编号", "名称", "经度(°)", "纬度(°)"],
            [1, "S-1", "北站", LON, LAT], [], [2, "S-2", "南站", LON + 0.01, LAT - 0.01]]
    path = _sheet(tmp_path / "pts.xlsx", rows, title="坐标", before=["封面"])
    result = read_any(path)
    gdf = result.gdf
    assert gdf["站点编号"].tolist() == ["S-1", "S-2"]
    assert gdf["name_zh"].tolist() == ["北站", "南站"]
    assert gdf["序号"].tolist() == ["1", "2"]
    np.testing.assert_allclose([gdf.geometry[0].x, gdf.geometry[0].y], [LON, LAT])
    assert "EPSG:4326" in (result.report.crs_assumed or "")


def test_surveying_x_y_in_metres_are_sniffed_or_taken_from_the_caller(tmp_path: Path) -> None:
    # X = northing first, as Chinese surveying tables write it.
    path = _sheet(tmp_path / "xy.xlsx", [["点名", "X", "Y"], ["K1", N, E], ["K2", N + 100, E + 100]])
    sniffed = read_any(path)
    assert "EPSG:4547" in sniffed.report.crs_assumed
    given = read_any(_sheet(tmp_path / "xy2.xlsx", [["点名", "X", "Y"], ["K1", E, N]]), crs="EPSG:4547")
    for gdf in (sniffed.gdf, given.gdf):
        assert abs(gdf.geometry[0].x - LON) < 0.02 and abs(gdf.geometry[0].y - LAT) < 0.02


def test_formulas_are_reported_never_evaluated(tmp_path: Path) -> None:
    rows = [["lon", "lat", "备注"], [LON, LAT, "=1+1"], ["=113.8+0.08", LAT, "x"], [LON + 0.01, LAT, "ok"]]
    result = read_any(_sheet(tmp_path / "f.xlsx", rows))
    codes = [(p.problem, p.fatal) for p in result.report.problems]
    assert ("xlsx_formula", True) in codes and ("xlsx_formula", False) in codes
    assert len(result.gdf) == 2  # the row whose coordinate is a formula is dropped
    assert "2" not in result.gdf["备注"].tolist() and "=1+1" not in result.gdf["备注"].tolist()
    assert any("公式" in p.message_zh and "formula" in p.message_en for p in result.report.problems)


def test_text_in_a_coordinate_is_named_with_its_row(tmp_path: Path) -> None:
    result = read_any(_sheet(tmp_path / "t.xlsx", [["经度", "纬度"], [LON, LAT], ["东经113度", LAT]]))
    problem = next(p for p in result.report.problems if p.problem == "non_numeric_coordinates")
    assert "第 3 行" in problem.message_zh and "row 3" in problem.message_en
    assert len(result.gdf) == 1


def test_no_coordinate_header_names_the_sheets_and_what_is_needed(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "none.xlsx", [["a", "b"], [1, 2]], title="数据")
    with pytest.raises(InputError) as info:
        read_any(path)
    assert "数据" in info.value.zh and "经度/纬度" in info.value.zh and "no sheet" in info.value.en


def test_an_old_xls_or_garbage_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(InputError) as info:
        read_any(path)
    assert ".xls" in info.value.zh and "not a valid Excel" in info.value.en


@pytest.mark.parametrize(
    ("setting", "value", "rows", "words"),
    [
        ("MAX_XLSX_COLUMNS", 5, [["lon", "lat", *[f"c{i}" for i in range(10)]], [LON, LAT]], "SSL_GIS_MAX_XLSX_COLUMNS"),
        ("MAX_XLSX_ROWS", 10, [["lon", "lat"], *[[LON, LAT]] * 20], "SSL_GIS_MAX_XLSX_ROWS"),
        ("MAX_XLSX_CELL_CHARS", 50, [["lon", "lat", "note"], [LON, LAT, "x" * 60]], "SSL_GIS_MAX_XLSX_CELL_CHARS"),
    ],
)
def test_sheet_limits_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, value: int, rows: list[list[object]], words: str
) -> None:
    path = _sheet(tmp_path / "big.xlsx", rows)
    monkeypatch.setattr(settings, setting, value)
    with pytest.raises(LimitExceeded) as info:
        read_any(path)
    assert words in info.value.zh and words in info.value.en


def test_too_many_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _sheet(tmp_path / "many.xlsx", [["lon", "lat"], [LON, LAT]], before=["a", "b", "c"])
    monkeypatch.setattr(settings, "MAX_XLSX_SHEETS", 3)
    with pytest.raises(LimitExceeded, match="SSL_GIS_MAX_XLSX_SHEETS"):
        read_any(path)


def test_zip_bomb_is_refused_from_the_declared_sizes_before_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    path = _sheet(tmp_path / "bomb.xlsx", [["lon", "lat"], *[[LON, LAT]] * 2000])
    monkeypatch.setattr(settings, "MAX_XLSX_UNCOMPRESSED_BYTES", 20_000)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl opened a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(LimitExceeded) as info:
        read_any(path)
    assert "SSL_GIS_MAX_XLSX_BYTES" in info.value.en and "解压" in info.value.zh


def test_xml_with_entities_is_refused(tmp_path: Path) -> None:
    good = _sheet(tmp_path / "good.xlsx", [["lon", "lat"], [LON, LAT]])
    bad = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + data.split(b"?>", 1)[-1]
            dst.writestr(info, data)
    with pytest.raises(InputError) as info:
        read_any(bad)
    assert "DTD" in info.value.zh and "refused" in info.value.en


def test_cli_area_validate_and_convert_take_xlsx(parcels: gpd.GeoDataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "界址点.xlsx"
    write_any(parcels, path, fmt="boundary-points")
    assert main(["area", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out  # the areas came back
    assert main(["validate", str(path), "--json"]) == 0
    capsys.readouterr()
    target = tmp_path / "back.geojson"
    assert main(["convert", str(path), "-o", str(target)]) == 0
    back = gpd.read_file(target)
    assert back["id"].tolist() == ["DK-01", "DK-02", "DK-03"]
