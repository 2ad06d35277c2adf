"""The finisher: CRS override, sniffing, swaps, datum shifts, errors without tracebacks, the write switch."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis import settings
from gis.crs import gcj02_to_wgs84, wgs84_to_gcj02
from gis.errors import CRSError, InputError, LimitExceeded
from gis.io import OUTPUT_FORMATS, _formats, read_any, write_any
from gis.io._crs_settle import normalise_crs

E, N = 489_700.0, 2_536_800.0
LON, LAT = 113.8965, 22.9299  # ≈ the lake in degrees


def geojson(tmp_path: Path, coords_list: list, *, crs: str | None = None, name: str = "in.geojson", kind: str = "Point") -> Path:
    doc: dict = {"type": "FeatureCollection", "features": []}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    for i, c in enumerate(coords_list):
        doc["features"].append(
            {"type": "Feature", "properties": {"id": f"f-{i}", "name_zh": f"要素{i}"}, "geometry": {"type": kind, "coordinates": c}}
        )
    p = tmp_path / name
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p


def square(e: float, n: float, side: float = 100.0) -> list:
    return [[[e, n], [e + side, n], [e + side, n + side], [e, n + side], [e, n]]]


# --- CRS -----------------------------------------------------------------------------------------


def test_metres_without_crs_sniffed_as_4547(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [square(E, N)], kind="Polygon"))
    assert result.report.crs_assumed.startswith("EPSG:4547")
    assert "EPSG:4547" in result.report.crs_assumed and result.gdf.crs.to_epsg() == 4326
    assert result.gdf.to_crs(4547).area.iloc[0] == pytest.approx(10_000.0, rel=1e-9)
    assert result.report.problems == []


def test_zone_38_prefix_sniffed_as_4526(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [square(38_000_000 + E, N)], kind="Polygon"))
    assert result.report.crs_assumed.startswith("EPSG:4526")
    a = result.gdf.to_crs(4547).geometry.iloc[0]
    assert a.bounds[0] == pytest.approx(E, abs=1e-3) and a.area == pytest.approx(10_000.0, rel=1e-9)


def test_surveying_order_metres_swapped(tmp_path: Path) -> None:
    # X = northing first, Y = easting second, as Chinese surveying tables write them.
    swapped = [[[n, e] for e, n in square(E, N)[0]]]
    result = read_any(geojson(tmp_path, [swapped], kind="Polygon"))
    assert "swapped" in result.report.crs_assumed
    assert result.gdf.to_crs(4547).geometry.iloc[0].bounds[:2] == pytest.approx((E, N), abs=1e-3)


def test_lat_lon_swapped_degrees(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [[LAT, LON]]))
    assert "swapped" in result.report.crs_assumed
    assert result.gdf.geometry.iloc[0].coords[0] == pytest.approx((LON, LAT))


def test_declared_4326_but_lat_lon_order_swapped(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [[LAT, LON]], crs="urn:ogc:def:crs:EPSG::4326"))
    assert result.gdf.geometry.iloc[0].coords[0] == pytest.approx((LON, LAT))
    assert "swapped" in result.report.crs_assumed


def test_declared_degrees_but_metres_inside(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [[E, N]], crs="EPSG:4326"))
    assert result.report.crs_assumed.startswith("EPSG:4547")
    assert result.gdf.to_crs(4547).geometry.iloc[0].coords[0] == pytest.approx((E, N), abs=1e-3)


def test_caller_crs_overrides_declared_and_sniffed(tmp_path: Path) -> None:
    # The file claims 4526 but the numbers are 4547; the user knows better.
    path = geojson(tmp_path, [[E, N]], crs="EPSG:4526")
    result = read_any(path, crs="EPSG:4547")
    assert result.gdf.to_crs(4547).geometry.iloc[0].coords[0] == pytest.approx((E, N), abs=1e-3)
    assert result.report.crs_assumed is None


def test_unknown_caller_crs_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(CRSError):
        read_any(geojson(tmp_path, [[E, N]]), crs="EPSG:999999")


def test_coordinates_that_fit_nothing_refused(tmp_path: Path) -> None:
    path = geojson(tmp_path, [[1_000_000.0, 5_000_000.0]])
    with pytest.raises(CRSError) as err:
        read_any(path)
    assert err.value.choice == "crs" and err.value.zh and "--" not in err.value.en
    result = read_any(path, strict=False)
    assert not result.report.ok and result.report.problems[0].problem == "unknown_crs"


def test_degrees_outside_dongguan_read_and_reported(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [[116.4, 39.9]]))
    assert result.report.crs_assumed.startswith("EPSG:4326")
    assert [p.problem for p in result.report.problems] == ["outside_extent"]


def test_nan_vertex_does_not_spoil_sniffing(tmp_path: Path) -> None:
    path = tmp_path / "nan.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[NaN, 2536800]}},'
        f'{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[{E}, {N}]}}}}]}}'
    )
    result = read_any(path)
    assert result.report.crs_assumed.startswith("EPSG:4547")
    assert len(result.gdf) == 1 and result.report.problems[0].problem == "nonfinite_coordinates"


def _problems(result) -> list[str]:
    return [p.problem for p in result.report.problems]


def test_one_absurd_point_does_not_spoil_sniffing_degrees(tmp_path: Path) -> None:
    path = geojson(tmp_path, [[LON, LAT], [LON + 0.01, LAT], [500.0, 95.0], [LON, LAT + 0.01]])
    result = read_any(path)
    assert result.report.crs_assumed.startswith("EPSG:4326")
    assert _problems(result) == ["crs_outliers", "absurd_coordinates"]
    outliers = result.report.problems[0]
    assert outliers.feature is None and not outliers.fatal
    assert "1 feature(s) do not fit EPSG:4326" in outliers.message_en and "features 2)" in outliers.message_en
    assert "第 2 个" in outliers.message_zh
    assert list(result.gdf["id"]) == ["f-0", "f-1", "f-3"]  # the stray one dropped by validation


def test_one_stray_point_does_not_spoil_sniffing_metres(tmp_path: Path) -> None:
    coords = [square(E, N), square(E + 500, N), square(E, N + 500), [[[LON, LAT], [LON + 0.001, LAT], [LON, LAT + 0.001], [LON, LAT]]]]
    result = read_any(geojson(tmp_path, coords, kind="Polygon"))
    assert result.report.crs_assumed.startswith("EPSG:4547")
    assert _problems(result)[0] == "crs_outliers" and "features 3)" in result.report.problems[0].message_en
    assert "outside_extent" in _problems(result)  # degrees read as metres land near the equator: flagged, kept
    areas = result.gdf.to_crs(4547).area.iloc[:3]
    assert areas.to_numpy() == pytest.approx([10_000.0] * 3, rel=1e-9)


def test_stray_point_does_not_hide_lat_lon_order(tmp_path: Path) -> None:
    # The bounds of everything look like "degrees outside Dongguan"; most features say (lat, lon).
    path = geojson(tmp_path, [[LAT, LON], [LAT + 0.01, LON], [LAT, LON + 0.01], [10.0, 10.0]])
    result = read_any(path)
    assert "swapped" in result.report.crs_assumed
    assert result.gdf.geometry.iloc[0].coords[0] == pytest.approx((LON, LAT))
    assert _problems(result)[0] == "crs_outliers"


def test_degrees_outside_dongguan_all_agree_no_outliers(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [[116.4, 39.9], [121.5, 31.2]]))
    assert result.report.crs_assumed.startswith("EPSG:4326")
    assert "crs_outliers" not in _problems(result)


@pytest.mark.parametrize(
    "coords",
    [
        [[LON, LAT], [E, N]],  # one degrees, one metres: a tie
        [[LON, LAT], [5_000.0, 5_000.0], [6_000.0, 6_000.0]],  # most features fit nothing
    ],
    ids=["tie", "minority"],
)
def test_features_that_do_not_agree_are_refused(tmp_path: Path, coords: list) -> None:
    with pytest.raises(CRSError) as err:
        read_any(geojson(tmp_path, coords))
    assert err.value.choice == "crs"


def test_declared_degrees_metres_inside_with_a_stray_point(tmp_path: Path) -> None:
    path = geojson(tmp_path, [[E, N], [E + 100, N + 100], [500.0, 95.0]], crs="urn:ogc:def:crs:OGC:1.3:CRS84")
    result = read_any(path)
    assert result.report.crs_assumed.startswith("EPSG:4547") and "holds metres" in result.report.crs_assumed
    assert _problems(result)[0] == "crs_outliers"
    assert result.gdf.to_crs(4547).geometry.iloc[0].coords[0] == pytest.approx((E, N), abs=1e-3)


def test_declared_degrees_with_an_absurd_point_keeps_the_label(tmp_path: Path) -> None:
    path = geojson(tmp_path, [[LON, LAT], [500.0, 95.0]], crs="urn:ogc:def:crs:OGC:1.3:CRS84")
    result = read_any(path)
    assert result.report.crs_assumed is None
    assert _problems(result) == ["absurd_coordinates"] and len(result.gdf) == 1


# --- datum ---------------------------------------------------------------------------------------


def test_gcj02_declared_is_converted(tmp_path: Path) -> None:
    g_lon, g_lat = (float(v) for v in wgs84_to_gcj02(LON, LAT))
    result = read_any(geojson(tmp_path, [[g_lon, g_lat]]), datum="gcj02")
    x, y = result.gdf.geometry.iloc[0].coords[0]
    assert (x, y) == pytest.approx((LON, LAT), abs=1e-8)
    assert "GCJ-02" in result.report.crs_assumed


def test_gcj02_declared_with_declared_crs(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [[LON, LAT]], crs="EPSG:4326"), datum="gcj02")
    expect = [float(v) for v in gcj02_to_wgs84(LON, LAT)]
    assert result.gdf.geometry.iloc[0].coords[0] == pytest.approx(tuple(expect), abs=1e-9)
    assert "GCJ-02" in result.report.crs_assumed


def test_bd09_declared(tmp_path: Path) -> None:
    from gis.crs import wgs84_to_bd09

    b = [float(v) for v in wgs84_to_bd09(LON, LAT)]
    result = read_any(geojson(tmp_path, [b]), datum="bd09")
    assert result.gdf.geometry.iloc[0].coords[0] == pytest.approx((LON, LAT), abs=1e-5)


def test_datum_on_metres_is_ignored_and_said(tmp_path: Path) -> None:
    result = read_any(geojson(tmp_path, [[E, N]]), datum="gcj02")
    assert "datum_ignored" in {p.problem for p in result.report.problems}
    assert result.gdf.to_crs(4547).geometry.iloc[0].coords[0] == pytest.approx((E, N), abs=1e-3)


# --- errors --------------------------------------------------------------------------------------


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "x.xyz"
    p.write_text("hi")
    with pytest.raises(InputError) as err:
        read_any(p)
    assert ".geojson" in err.value.en
    with pytest.raises(InputError) as err:
        read_any(tmp_path / "gone.geojson")
    assert "not found" in err.value.en


def test_file_size_limit_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = geojson(tmp_path, [[LON, LAT]])
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", 20)
    with pytest.raises(LimitExceeded) as err:
        read_any(path, display_name="big.geojson")
    assert "big.geojson" in err.value.en


def test_feature_limit_backstop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = geojson(tmp_path, [[LON, LAT]] * 3)
    monkeypatch.setattr(settings, "MAX_FEATURES", 2)
    result = read_any(path, strict=False)
    assert not result.report.ok and result.report.problems[0].problem == "limit_exceeded"


def test_reader_bug_becomes_input_error_naming_display_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = geojson(tmp_path, [[LON, LAT]], name="tmpabc123.geojson")

    def broken(p, report, **kw):
        raise KeyError(f"something in {p}")

    monkeypatch.setitem(_formats.READERS, "geojson", broken)
    with pytest.raises(InputError) as err:
        read_any(path, display_name="地块.geojson")
    assert "地块.geojson" in err.value.en and "KeyError" in err.value.en
    assert "tmpabc123" not in str(err.value) and str(tmp_path) not in str(err.value)


def test_validation_surprise_is_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gis.validate

    def boom(gdf, **kw):
        raise shapely.errors.GEOSException("TopologyException: side location conflict")

    monkeypatch.setattr(gis.validate, "validate_frame", boom)
    path = geojson(tmp_path, [[LON, LAT]])
    with pytest.raises(InputError) as err:
        read_any(path)
    assert "GEOSException" in err.value.en
    assert not read_any(path, strict=False).report.ok


def test_normalise_crs() -> None:
    assert normalise_crs("epsg:4547") == "EPSG:4547"
    assert normalise_crs("4526") == "EPSG:4526"
    assert normalise_crs(4326) == "EPSG:4326"
    assert normalise_crs(None) is None
    with pytest.raises(CRSError):
        normalise_crs("not a crs")


# --- write_dispatch ------------------------------------------------------------------------------


@pytest.fixture
def fake_writers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, dict]]:
    """Replace the other engineers' writers in the format table with recorders, so the switch is tested alone."""
    calls: list[tuple[str, str, dict]] = []
    for name, row in list(_formats.OUTPUT_FORMAT_TABLE.items()):
        if name.startswith("geojson") or name == "gpkg":
            continue

        def writer(gdf, path, _func=row.writer.__name__, **kw):
            calls.append((_func, Path(path).name, kw))
            Path(path).write_text("x")
            return Path(path)

        monkeypatch.setitem(_formats.OUTPUT_FORMAT_TABLE, name, dataclasses.replace(row, writer=writer))
    return calls


def test_every_output_format_has_a_writer() -> None:
    assert OUTPUT_FORMATS == tuple(_formats.OUTPUT_FORMAT_TABLE)
    assert all(callable(row.writer) and row.suffix.startswith(".") and "/" in row.mime for row in _formats.OUTPUT_FORMAT_TABLE.values())


@pytest.mark.parametrize(
    ("fmt", "crs", "func", "kwargs", "file_crs"),
    [
        ("shp", None, "write_shapefile_zip", {"crs": "EPSG:4326"}, "EPSG:4326"),
        ("kml", None, "write_kml", {"kmz": False}, "EPSG:4326"),
        ("kmz", None, "write_kml", {"kmz": True}, "EPSG:4326"),
        ("dxf", None, "write_dxf", {"crs": "EPSG:4547"}, "EPSG:4547"),
        ("dxf", "epsg:4526", "write_dxf", {"crs": "EPSG:4526"}, "EPSG:4526"),
        ("boundary-points", None, "write_boundary_points", {"crs": "EPSG:4547"}, "EPSG:4547"),
        ("survey-txt", "EPSG:4526", "write_survey_txt", {"crs": "EPSG:4526"}, "EPSG:4526"),
        ("survey-pack", None, "write_survey_pack", {"crs": "EPSG:4547"}, "EPSG:4547"),
    ],
)
def test_switch_calls_the_right_writer(tmp_path, parcels_4326, fake_writers, fmt, crs, func, kwargs, file_crs) -> None:
    result = write_any(parcels_4326, tmp_path / "out.bin", fmt=fmt, crs=crs)
    assert fake_writers == [(func, "out.bin", kwargs)]
    assert result.format == fmt and result.features == 3 and result.crs == file_crs
    assert result.path == tmp_path / "out.bin"


def test_switch_refusals(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError):
        write_any(parcels_4326, tmp_path / "a.x", fmt="shapefile-ish")
    with pytest.raises(InputError):
        write_any(parcels_4326, tmp_path / "a.geojson", fmt="geojson", crs="EPSG:4547")
    with pytest.raises(InputError):
        write_any(parcels_4326, tmp_path / "a.geojson", fmt="geojson-surveyor", crs="EPSG:3857")
    with pytest.raises(InputError):
        write_any(parcels_4326, tmp_path / "no" / "dir" / "a.geojson", fmt="geojson")
    with pytest.raises(CRSError):
        write_any(parcels_4326.set_crs(None, allow_override=True), tmp_path / "a.geojson", fmt="geojson")


def test_writer_bug_becomes_input_error(tmp_path: Path, parcels_4326: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    def write_kml(gdf, path, **kw):
        raise ZeroDivisionError("boom")

    row = _formats.OUTPUT_FORMAT_TABLE["kml"]
    monkeypatch.setitem(_formats.OUTPUT_FORMAT_TABLE, "kml", dataclasses.replace(row, writer=write_kml))
    with pytest.raises(InputError) as err:
        write_any(parcels_4326, tmp_path / "a.kml", fmt="kml")
    assert "ZeroDivisionError" in err.value.en


def test_real_geojson_writers_through_the_switch(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> None:
    r1 = write_any(parcels_4326, tmp_path / "a.geojson", fmt="geojson")
    r2 = write_any(parcels_4326, tmp_path / "b.geojson", fmt="geojson-surveyor", crs="EPSG:4526")
    r3 = write_any(parcels_4326, tmp_path / "c.gpkg", fmt="gpkg")
    assert (r1.crs, r2.crs, r3.crs) == ("EPSG:4326", "EPSG:4526", "EPSG:4326")
    for r in (r1, r2, r3):
        back = read_any(r.path).gdf
        assert list(back["name_zh"]) == ["地块一", "地块二", "地块三"]
        d = shapely.hausdorff_distance(back.to_crs(4547).geometry.values, parcels_4326.to_crs(4547).geometry.values)
        assert np.all(d < 0.02)
