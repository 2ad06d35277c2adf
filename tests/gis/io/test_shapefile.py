"""Zipped Shapefiles: sidecars missing, nested folders, several layers, GBK without .cpg, writing."""

from __future__ import annotations

import logging
import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.io.shapefile import detect_dbf_encoding, read_shapefile, shapefile_field_names, write_shapefile_zip
from gis.report import ValidationReport

E, N = 489_700.0, 2_536_800.0
NAMES = ["地块一", "松山湖", "东莞"]


def same_shapes(a: object, b: object, tolerance: float) -> bool:
    """Equal geometries up to ring start and orientation (Shapefiles store exterior rings clockwise)."""
    same_rings = (shapely.get_num_interior_rings(a) == shapely.get_num_interior_rings(b)).all()
    return bool(same_rings and (shapely.hausdorff_distance(a, b) < tolerance).all())


@pytest.fixture
def parcels() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["p-1", "p-2", "p-3"], "名称": NAMES, "area_mu": [15.0, 30.5, 1.25]},
        geometry=[box(E, N, E + 100, N + 100), box(E + 200, N, E + 300, N + 150), box(E, N + 300, E + 50, N + 350)],
        crs="EPSG:4547",
    )


def write_shp(gdf: gpd.GeoDataFrame, folder: Path, stem: str, *, encoding: str, cpg: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{stem}.shp"
    pyogrio.write_dataframe(gdf, shp, encoding=encoding)
    if not cpg:
        (folder / f"{stem}.cpg").unlink(missing_ok=True)
    else:
        (folder / f"{stem}.cpg").write_text(encoding)
    return shp


def zip_folder(folder: Path, archive: Path, *, drop: tuple[str, ...] = (), prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file() and file.suffix.lower() not in drop:
                zf.write(file, arcname=prefix + file.relative_to(folder).as_posix())
    return archive


def test_gbk_without_cpg_is_detected(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    shp = write_shp(parcels, tmp_path / "src", "parcels", encoding="GBK", cpg=False)
    dbf = shp.with_suffix(".dbf").read_bytes()
    assert "松山湖".encode("gbk") in dbf and "松山湖".encode() not in dbf  # real GBK bytes
    assert not shp.with_suffix(".cpg").exists()
    # Without help GDAL reads these bytes as ISO-8859-1: the weak spot this module works around.
    assert list(pyogrio.read_dataframe(shp)["id"]) == ["p-1", "p-2", "p-3"]
    assert "名称" not in pyogrio.read_dataframe(shp).columns
    archive = zip_folder(tmp_path / "src", tmp_path / "gbk.zip")
    report = ValidationReport()
    gdf = read_shapefile(archive, report)
    assert list(gdf["名称"]) == NAMES
    assert gdf.crs.to_epsg() == 4547
    assert "encoding_detected" in [p.problem for p in report.problems]


def test_gbk_bare_shp(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    shp = write_shp(parcels, tmp_path, "parcels", encoding="GBK", cpg=False)
    assert list(read_shapefile(shp, ValidationReport())["名称"]) == NAMES


def test_utf8_with_cpg(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    write_shp(parcels, tmp_path / "src", "parcels", encoding="UTF-8", cpg=True)
    report = ValidationReport()
    gdf = read_shapefile(zip_folder(tmp_path / "src", tmp_path / "u.zip"), report)
    assert list(gdf["名称"]) == NAMES
    assert report.problems == []


def test_utf8_without_cpg(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    # UTF-8 Chinese is often valid GB18030 by accident; strict UTF-8 is tried first.
    shp = write_shp(parcels, tmp_path, "parcels", encoding="UTF-8", cpg=False)
    assert "东莞".encode().decode("gb18030") == "涓滆帪"  # accidental validity: the trap
    assert detect_dbf_encoding(shp.with_suffix(".dbf")) == "UTF-8"
    assert list(read_shapefile(shp, ValidationReport())["名称"]) == NAMES


def test_cpg_contradicted_by_bytes(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    shp = write_shp(parcels, tmp_path, "parcels", encoding="GBK", cpg=False)
    shp.with_suffix(".cpg").write_text("UTF-8")
    report = ValidationReport()
    assert list(read_shapefile(shp, report)["名称"]) == NAMES
    assert "cpg_mismatch" in [p.problem for p in report.problems]


@pytest.mark.parametrize("cpg_text", ["936", "ANSI 936", "GBK", "cp936"])
def test_cpg_gbk_spellings(tmp_path: Path, parcels: gpd.GeoDataFrame, cpg_text: str) -> None:
    shp = write_shp(parcels, tmp_path, "parcels", encoding="GBK", cpg=False)
    shp.with_suffix(".cpg").write_text(cpg_text)
    report = ValidationReport()
    assert list(read_shapefile(shp, report)["名称"]) == NAMES
    assert report.problems == []


def test_caller_encoding_wins(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    shp = write_shp(parcels, tmp_path, "parcels", encoding="GBK", cpg=False)
    assert list(read_shapefile(shp, ValidationReport(), encoding="gbk")["名称"]) == NAMES
    with pytest.raises(InputError, match="encoding"):
        read_shapefile(shp, ValidationReport(), encoding="no-such-codec")


def test_short_gbk_values_handwritten_dbf(tmp_path: Path) -> None:
    """A .dbf written byte by byte (as an old ArcGIS would), one short GBK value, no .cpg."""
    gdf = gpd.GeoDataFrame({"tmp": ["x"]}, geometry=[Point(E, N)], crs="EPSG:4547")
    shp = write_shp(gdf, tmp_path, "pt", encoding="UTF-8", cpg=False)
    name = "名称".encode("gbk")
    value = "湖".encode("gbk")
    header = struct.pack("<BBBBIHH20x", 3, 120, 1, 1, 1, 32 + 32 + 1, 1 + 10)
    field = name.ljust(11, b"\x00") + b"C" + b"\x00" * 4 + bytes([10, 0]) + b"\x00" * 14
    record = b" " + value.ljust(10, b" ")
    shp.with_suffix(".dbf").write_bytes(header + field + b"\r" + record + b"\x1a")
    assert detect_dbf_encoding(shp.with_suffix(".dbf")) == "GB18030"
    gdf = read_shapefile(shp, ValidationReport())
    assert list(gdf.columns[:1]) == ["名称"] and gdf["名称"].tolist() == ["湖"]


def test_undecodable_bytes_are_replaced_not_fatal(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"name": ["abc"]}, geometry=[Point(E, N)], crs="EPSG:4547")
    shp = write_shp(gdf, tmp_path, "pt", encoding="UTF-8", cpg=False)
    dbf = bytearray(shp.with_suffix(".dbf").read_bytes())
    at = dbf.index(b"abc")
    dbf[at : at + 3] = b"\x81\x30\xff"  # neither UTF-8 nor GB18030
    shp.with_suffix(".dbf").write_bytes(bytes(dbf))
    report = ValidationReport()
    out = read_shapefile(shp, report)
    assert len(out) == 1 and "\ufffd" in out["name"][0]
    assert "encoding_unknown" in {p.problem for p in report.problems}


def test_nested_folders_in_zip(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    write_shp(parcels, tmp_path / "src" / "导出" / "2020", "地块", encoding="GBK", cpg=False)
    archive = zip_folder(tmp_path / "src", tmp_path / "nested.zip")
    gdf = read_shapefile(archive, ValidationReport())
    assert list(gdf["名称"]) == NAMES and len(gdf) == 3


def test_several_shapefiles_need_a_layer(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    write_shp(parcels, tmp_path / "src", "parcels", encoding="UTF-8", cpg=True)
    write_shp(parcels.iloc[:1], tmp_path / "src", "roads", encoding="UTF-8", cpg=True)
    archive = zip_folder(tmp_path / "src", tmp_path / "two.zip")
    with pytest.raises(InputError, match="parcels, roads"):
        read_shapefile(archive, ValidationReport())
    assert len(read_shapefile(archive, ValidationReport(), layer="roads")) == 1
    assert len(read_shapefile(archive, ValidationReport(), layer="PARCELS")) == 3
    with pytest.raises(InputError, match="nope"):
        read_shapefile(archive, ValidationReport(), layer="nope")


def test_missing_shx_is_rebuilt(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    write_shp(parcels, tmp_path / "src", "parcels", encoding="UTF-8", cpg=True)
    archive = zip_folder(tmp_path / "src", tmp_path / "noshx.zip", drop=(".shx",))
    report = ValidationReport()
    gdf = read_shapefile(archive, report)
    assert len(gdf) == 3 and shapely.equals(gdf.geometry.values, parcels.geometry.values).all()
    assert "missing_shx" in [p.problem for p in report.problems]
    assert pyogrio.get_gdal_config_option("SHAPE_RESTORE_SHX") is None  # the global setting is restored


def test_missing_shx_bare_shp_does_not_write_next_to_it(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    shp = write_shp(parcels, tmp_path, "parcels", encoding="UTF-8", cpg=True)
    shp.with_suffix(".shx").unlink()
    assert len(read_shapefile(shp, ValidationReport())) == 3
    assert not shp.with_suffix(".shx").exists()


def test_missing_prj_gives_no_crs(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    write_shp(parcels, tmp_path / "src", "parcels", encoding="UTF-8", cpg=True)
    archive = zip_folder(tmp_path / "src", tmp_path / "noprj.zip", drop=(".prj",))
    report = ValidationReport()
    gdf = read_shapefile(archive, report)
    assert gdf.crs is None and len(gdf) == 3
    assert "missing_prj" in [p.problem for p in report.problems]


def test_missing_dbf_is_an_input_error(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    write_shp(parcels, tmp_path / "src", "parcels", encoding="UTF-8", cpg=True)
    archive = zip_folder(tmp_path / "src", tmp_path / "nodbf.zip", drop=(".dbf",))
    with pytest.raises(InputError, match=r"\.dbf"):
        read_shapefile(archive, ValidationReport())


def test_zip_without_shp(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(InputError, match=r"\.shp"):
        read_shapefile(tmp_path / "x.zip", ValidationReport())


def test_corrupt_shp(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    shp = write_shp(parcels, tmp_path, "parcels", encoding="UTF-8", cpg=True)
    shp.write_bytes(b"garbage" * 10)
    with pytest.raises(InputError):
        read_shapefile(shp, ValidationReport())


def test_zip_slip_through_shapefile_reader(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as zf:
        zf.writestr("../../evil.shp", b"x")
    with pytest.raises(InputError, match=r"\.\."):
        read_shapefile(tmp_path / "evil.zip", ValidationReport())


def test_feature_limit(tmp_path: Path, parcels: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    shp = write_shp(parcels, tmp_path, "parcels", encoding="UTF-8", cpg=True)
    monkeypatch.setattr(settings, "MAX_FEATURES", 2)
    with pytest.raises(LimitExceeded, match="3"):
        read_shapefile(shp, ValidationReport())
    monkeypatch.setattr(settings, "MAX_FEATURES", 10)
    monkeypatch.setattr(settings, "MAX_VERTICES", 10)
    with pytest.raises(LimitExceeded, match="15"):
        read_shapefile(shp, ValidationReport())


# --- writing -----------------------------------------------------------------------------------


def test_field_names_fit_and_do_not_collide() -> None:
    mapping = shapefile_field_names(["plan_quote", "plan_quote_long", "plan_quote_longer", "PLAN_QUOTE_x", "规划用地名称", "id"])
    assert mapping["plan_quote"] == "plan_quote" and mapping["id"] == "id"
    assert all(len(v.encode("utf-8")) <= 10 for v in mapping.values())
    assert len({v.upper() for v in mapping.values()}) == len(mapping)
    assert mapping["规划用地名称"] == "规划用"  # 9 bytes, never a broken character


def test_write_read_back_with_pyogrio(tmp_path: Path, parcels: gpd.GeoDataFrame, caplog: pytest.LogCaptureFixture) -> None:
    hole = Polygon(
        [(E, N), (E + 100, N), (E + 100, N + 100), (E, N + 100)],
        [[(E + 20, N + 20), (E + 40, N + 20), (E + 40, N + 40), (E + 20, N + 40)]],
    )
    gdf = parcels.copy()
    gdf.loc[0, "geometry"] = hole
    gdf["description_long_name"] = ["说明" * 10, "b", None]
    gdf["plan_quote"] = ["加快推进松山湖" * 30, "x", "y"]  # 630 UTF-8 bytes: cut to 254
    gdf = gdf.to_crs("EPSG:4326")
    with caplog.at_level(logging.INFO, logger="gis.io.shapefile"):
        out = write_shapefile_zip(gdf, tmp_path / "out.zip")
    assert "description_long_name" in caplog.text  # the renaming is logged
    with zipfile.ZipFile(out) as zf:
        names = sorted(zf.namelist())
        assert names == ["out.cpg", "out.dbf", "out.prj", "out.shp", "out.shx"]
        assert zf.read("out.cpg").decode().strip() == "UTF-8"
    back = pyogrio.read_dataframe(f"/vsizip/{out}/out.shp")
    assert back.crs.to_epsg() == 4326
    assert list(back["名称"]) == NAMES and list(back["id"]) == ["p-1", "p-2", "p-3"]
    assert back["area_mu"].tolist() == [15.0, 30.5, 1.25]
    assert back["descriptio"].tolist()[:2] == ["说明" * 10, "b"]
    assert len(back["plan_quote"][0].encode()) <= 254 and back["plan_quote"][0].startswith("加快推进松山湖")
    assert same_shapes(back.geometry.values, gdf.geometry.values, 1e-9)
    assert len(back.geometry[0].interiors) == 1
    # and through our own reader
    again = read_shapefile(out, ValidationReport())
    assert list(again["名称"]) == NAMES


def test_write_reprojects_on_request(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    out = write_shapefile_zip(parcels.to_crs("EPSG:4326"), tmp_path / "p.zip", crs="EPSG:4547")
    back = pyogrio.read_dataframe(f"/vsizip/{out}/p.shp")
    assert back.crs.to_epsg() == 4547
    assert same_shapes(back.geometry.values, parcels.geometry.values, 1e-3)


def test_write_mixed_geometries_splits_by_family(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"name_zh": ["地块", "道路", "变电站"]},
        geometry=[box(E, N, E + 10, N + 10), LineString([(E, N), (E + 100, N)]), Point(E, N)],
        crs="EPSG:4547",
    )
    out = write_shapefile_zip(gdf, tmp_path / "mix.zip")
    for family, name in (("polygon", "地块"), ("line", "道路"), ("point", "变电站")):
        back = pyogrio.read_dataframe(f"/vsizip/{out}/mix_{family}.shp")
        assert back["name_zh"].tolist() == [name]


def test_write_needs_a_crs(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)])
    with pytest.raises(InputError, match="CRS"):
        write_shapefile_zip(gdf, tmp_path / "x.zip")


# --- through gis.io.read_any / write_any (the finisher: CRS, validation) ------------------------


def test_read_any_gbk_zip_without_cpg_or_prj(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    from gis.io import read_any

    write_shp(parcels, tmp_path / "src", "地块", encoding="GBK", cpg=False)
    archive = zip_folder(tmp_path / "src", tmp_path / "upload.zip", drop=(".prj",))
    result = read_any(archive, display_name="地块.zip")
    assert result.format == "shapefile"
    assert result.gdf.crs.to_epsg() == 4326
    assert list(result.gdf["名称"]) == NAMES
    assert result.report.crs_assumed and "4547" in result.report.crs_assumed  # sniffed from the metres
    back = result.gdf.to_crs(4547)
    assert (shapely.hausdorff_distance(back.geometry.values, parcels.geometry.values) < 0.01).all()


def test_read_any_zip_slip_is_a_clear_error(tmp_path: Path) -> None:
    from gis.io import read_any

    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as zf:
        zf.writestr("../evil.shp", b"x")
    with pytest.raises(InputError, match=r"\.\."):
        read_any(tmp_path / "evil.zip")


def test_write_any_shp_round_trip(tmp_path: Path, parcels: gpd.GeoDataFrame) -> None:
    from gis.io import read_any, write_any

    written = write_any(parcels.to_crs(4326), tmp_path / "out.zip", fmt="shp")
    assert written.features == 3
    back = read_any(written.path).gdf
    assert list(back["名称"]) == NAMES and back.crs.to_epsg() == 4326


def test_write_other_dtypes(tmp_path: Path) -> None:
    import pandas as pd

    gdf = gpd.GeoDataFrame(
        {
            "updated_at": pd.to_datetime(["2020-03-01T08:30:00Z", None], utc=True),
            "done": [True, False],
            "version": [1, 2],
            "voltage_kv": [110.0, None],
        },
        geometry=[Point(E, N), Point(E + 1, N)],
        crs="EPSG:4547",
    )
    out = write_shapefile_zip(gdf, tmp_path / "t.zip")
    back = pyogrio.read_dataframe(f"/vsizip/{out}/t.shp")
    assert back["updated_at"][0] == "2020-03-01T08:30:00+00:00" and pd.isna(back["updated_at"][1])
    assert back["done"].tolist() == [1, 0] and back["version"].tolist() == [1, 2]
    assert back["voltage_kv"][0] == 110.0
