"""``python -m gis`` end to end (subprocess): exit codes 0/1/2, the JSON contracts, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from gis.crs import wgs84_to_gcj02

ROOT = Path(__file__).resolve().parents[2]
E, N = 489_700.0, 2_536_800.0  # Songshan Lake, EPSG:4547 metres
LON, LAT = 113.8965, 22.9299


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "gis", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def square(e: float, n: float, side: float) -> list:
    return [[[e, n], [e + side, n], [e + side, n + side], [e, n + side], [e, n]]]


def fc(features: list[dict], **extra) -> str:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features}, ensure_ascii=False)


@pytest.fixture
def metres_file(tmp_path: Path) -> Path:
    """Two squares in EPSG:4547 metres with no ``crs`` member: 100 m (15 亩) and 200 m × 100 m (30 亩)."""
    feats = [
        {
            "type": "Feature",
            "properties": {"id": "p-1", "name_zh": "地块一", "action": "整备"},
            "geometry": {"type": "Polygon", "coordinates": square(E, N, 100)},
        },
        {
            "type": "Feature",
            "properties": {"id": "p-2", "name_zh": "地块二", "action": "收储"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[E + 300, N], [E + 500, N], [E + 500, N + 100], [E + 300, N + 100], [E + 300, N]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"id": "p-3", "name_zh": "地块三", "action": "整备"},
            "geometry": {"type": "Polygon", "coordinates": square(E, N + 300, 100)},
        },
    ]
    p = tmp_path / "parcels_m.geojson"
    p.write_text(fc(feats), encoding="utf-8")
    return p


@pytest.fixture
def degrees_file(tmp_path: Path, parcels_4326: gpd.GeoDataFrame) -> Path:
    p = tmp_path / "parcels.geojson"
    p.write_text(parcels_4326.to_json(ensure_ascii=False), encoding="utf-8")
    return p


# --- validate ------------------------------------------------------------------------------------


def test_validate_clean_file_contract(degrees_file: Path, tmp_path: Path) -> None:
    r = run("validate", degrees_file, "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"ok", "features", "crs_assumed", "problems", "repairs"}
    assert out["ok"] is True and out["features"] == 3
    assert isinstance(out["problems"], list) and isinstance(out["repairs"], list)
    assert out["crs_assumed"].startswith("EPSG:4326")  # a GeoJSON without crs is sniffed, and said


def test_validate_metres_without_crs_member(metres_file: Path, tmp_path: Path) -> None:
    r = run("validate", metres_file, "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] and out["features"] == 3
    assert "EPSG:4547" in out["crs_assumed"]
    # The caller's --crs is not an assumption.
    r2 = run("validate", metres_file, "--crs", "EPSG:4547", "--json", cwd=tmp_path)
    assert json.loads(r2.stdout)["crs_assumed"] is None


def test_validate_lat_lon_swapped(tmp_path: Path) -> None:
    p = tmp_path / "swapped.geojson"
    p.write_text(fc([{"type": "Feature", "properties": {"id": "s"}, "geometry": {"type": "Point", "coordinates": [LAT, LON]}}]))
    out = json.loads(run("validate", p, "--json", cwd=tmp_path).stdout)
    assert out["ok"] and out["features"] == 1
    assert "swapped" in out["crs_assumed"] and has_chinese(out["crs_assumed"])
    assert not [q for q in out["problems"] if "outside_extent" in q["problem"]]


def test_validate_reports_problems_and_repairs(tmp_path: Path) -> None:
    bowtie = [[[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]]
    feats = [
        {"type": "Feature", "properties": {}, "geometry": None},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": bowtie}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [LON, LAT, 30.0]}},
    ]
    p = tmp_path / "broken.geojson"
    p.write_text(fc(feats))
    r = run("validate", p, "--json", cwd=tmp_path)
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert out["ok"] and out["features"] == 2
    problems = {(q["feature"], q["problem"].split(":")[0]) for q in out["problems"]}
    assert {(0, "null_geometry"), (1, "self_intersection"), (2, "three_d")} <= problems
    repairs = {(x["feature"], x["repair"].split(":")[0]) for x in out["repairs"]}
    assert {(1, "make_valid"), (2, "drop_z")} <= repairs
    # Text output too.
    t = run("validate", p, cwd=tmp_path)
    assert t.returncode == 0 and "self_intersection" in t.stdout


def test_validate_malformed_json_exit_1(tmp_path: Path) -> None:
    p = tmp_path / "truncated.geojson"
    p.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Po')
    r = run("validate", p, "--json", cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] is False and out["features"] == 0
    [problem] = out["problems"]
    assert problem["feature"] is None and "truncated" in problem["problem"] and has_chinese(problem["problem"])


@pytest.mark.parametrize("command", ["area", "convert"])
def test_malformed_json_one_line_bilingual_error(tmp_path: Path, command: str) -> None:
    p = tmp_path / "bad.geojson"
    p.write_text('{"type": "FeatureCollection" "features": []}')
    extra = ["-o", str(tmp_path / "o.geojson")] if command == "convert" else []
    r = run(command, p, *extra, cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert has_chinese(lines[0]) and "not valid JSON" in lines[0] and "bad.geojson" in lines[0]
    assert not (tmp_path / "o.geojson").exists()


def test_missing_file_and_unknown_extension_exit_1(tmp_path: Path) -> None:
    for name in ("nope.geojson", "data.xyz"):
        if name.endswith(".xyz"):
            (tmp_path / name).write_text("x")
        r = run("area", tmp_path / name, cwd=tmp_path)
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and has_chinese(r.stderr)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(cwd=tmp_path).returncode == 2
    assert run("frobnicate", cwd=tmp_path).returncode == 2
    assert run("convert", "x.geojson", cwd=tmp_path).returncode == 2  # no -o
    assert run("transform", "wgs84-to-gcj02", cwd=tmp_path).returncode == 2  # no LON LAT


# --- area ----------------------------------------------------------------------------------------


def test_area_contract_and_by(metres_file: Path, tmp_path: Path) -> None:
    r = run("area", metres_file, "--by", "action", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"total_m2", "total_mu", "total_ha", "features", "groups"}
    assert out["total_m2"] == pytest.approx(40_000.0, rel=1e-7)
    assert out["total_mu"] == pytest.approx(60.0, rel=1e-7)
    assert out["total_ha"] == pytest.approx(4.0, rel=1e-7)
    assert [f["id"] for f in out["features"]] == ["p-1", "p-2", "p-3"]
    assert [f["index"] for f in out["features"]] == [0, 1, 2]
    assert out["features"][0]["area_mu"] == pytest.approx(15.0, rel=1e-7)
    assert out["groups"]["整备"]["area_mu"] == pytest.approx(30.0, rel=1e-7)
    assert out["groups"]["收储"]["area_m2"] == pytest.approx(20_000.0, rel=1e-7)


def test_area_text_units_and_bad_field(metres_file: Path, tmp_path: Path) -> None:
    r = run("area", metres_file, "--unit", "ha", cwd=tmp_path)
    assert r.returncode == 0 and "4.000 ha" in r.stdout
    bad = run("area", metres_file, "--by", "nosuchfield", cwd=tmp_path)
    assert bad.returncode == 1 and "nosuchfield" in bad.stderr and "Traceback" not in bad.stderr


# --- convert -------------------------------------------------------------------------------------


def test_convert_to_geojson_gpkg_and_surveyor(metres_file: Path, tmp_path: Path) -> None:
    src = gpd.read_file(metres_file).set_crs(4547, allow_override=True)
    cases = [
        ("out.geojson", [], "geojson", 4326),
        ("out.gpkg", [], "gpkg", 4326),
        ("survey.geojson", ["--to", "geojson-surveyor"], "geojson-surveyor", 4547),
        ("survey38.geojson", ["--to", "geojson-surveyor", "--out-crs", "EPSG:4526"], "geojson-surveyor", 4526),
    ]
    for name, extra, fmt, epsg in cases:
        r = run("convert", metres_file, "-o", tmp_path / name, *extra, "--json", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert set(out) == {"written", "format", "features", "crs", "dropped"} and out["dropped"] == 0
        assert out["format"] == fmt and out["features"] == 3 and out["crs"] == f"EPSG:{epsg}"
        assert Path(out["written"]).name == name
        back = pyogrio.read_dataframe(tmp_path / name)
        assert back.crs.to_epsg() == epsg
        assert list(back["name_zh"]) == ["地块一", "地块二", "地块三"] and list(back["action"]) == ["整备", "收储", "整备"]
        d = shapely.hausdorff_distance(back.to_crs(4547).geometry.values, src.geometry.values)
        assert (d < 0.02).all(), (name, d)


def test_convert_refuses_projected_rfc7946(metres_file: Path, tmp_path: Path) -> None:
    r = run("convert", metres_file, "-o", tmp_path / "x.geojson", "--out-crs", "EPSG:4547", cwd=tmp_path)
    assert r.returncode == 1 and "geojson-surveyor" in r.stderr and "Traceback" not in r.stderr


def test_convert_gcj02_csv(tmp_path: Path) -> None:
    g_lon, g_lat = (float(v) for v in wgs84_to_gcj02(LON, LAT))
    p = tmp_path / "picked.csv"
    p.write_bytes(f"名称,经度,纬度\n松山湖,{g_lon:.9f},{g_lat:.9f}\n".encode("gbk"))
    r = run("convert", p, "-o", tmp_path / "picked.geojson", "--from-gcj02", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "picked.geojson").read_text(encoding="utf-8"))
    x, y = doc["features"][0]["geometry"]["coordinates"]
    assert (x, y) == pytest.approx((LON, LAT), abs=2e-7)
    assert doc["features"][0]["properties"]["name_zh"] == "松山湖"


# --- transform -----------------------------------------------------------------------------------


def test_transform_point(tmp_path: Path) -> None:
    r = run("transform", "wgs84-to-gcj02", LON, LAT, "--json", cwd=tmp_path)
    assert r.returncode == 0
    out = json.loads(r.stdout)
    g_lon, g_lat = (float(v) for v in wgs84_to_gcj02(LON, LAT))
    assert set(out) == {"lon", "lat"} and (out["lon"], out["lat"]) == pytest.approx((g_lon, g_lat), abs=1e-9)
    back = json.loads(run("transform", "gcj02-to-wgs84", out["lon"], out["lat"], "--json", cwd=tmp_path).stdout)
    assert (back["lon"], back["lat"]) == pytest.approx((LON, LAT), abs=1e-7)


def test_transform_csv(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(f"name,lon,lat\na,{LON},{LAT}\nb,113.95,22.95\n", encoding="utf-8")
    r = run("transform", "wgs84-to-gcj02", "--csv", src, "-o", tmp_path / "out.csv", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = (tmp_path / "out.csv").read_text(encoding="utf-8").strip().splitlines()
    assert rows[0] == "name,lon,lat" and len(rows) == 3
    lon, lat = (float(v) for v in rows[1].split(",")[1:])
    g_lon, g_lat = (float(v) for v in wgs84_to_gcj02(LON, LAT))
    assert (lon, lat) == pytest.approx((g_lon, g_lat), abs=1e-7)
    bad = tmp_path / "bad.csv"
    bad.write_text("lon,lat\nabc,22.9\n")
    r2 = run("transform", "wgs84-to-gcj02", "--csv", bad, "-o", tmp_path / "o2.csv", cwd=tmp_path)
    assert r2.returncode == 1 and "Traceback" not in r2.stderr and has_chinese(r2.stderr)


def test_backup_and_restore_from_the_command_line(tmp_path) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from gis.store import open_store

    store_path = tmp_path / "w.gpkg"
    frame = gpd.GeoDataFrame({"id": ["a"], "status": ["planned"]}, geometry=[box(113.9, 22.9, 113.91, 22.91)], crs=4326)
    store = open_store(store_path)
    store.write_layer("t", frame, user="甲")
    backup = tmp_path / "b.gpkg"
    done = subprocess.run(
        [sys.executable, "-m", "gis", "backup", str(backup), "--store", str(store_path), "--json"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"written": str(backup)}
    store.update_feature("t", "a", {"status": "completed"}, expected_version=1, user="乙")
    done = subprocess.run(
        [sys.executable, "-m", "gis", "restore", str(backup), "--user", "丙", "--store", str(store_path), "--json"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert open_store(store_path).read_layer("t")["status"].tolist() == ["planned"]
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("hello", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "gis", "restore", str(not_a_store), "--user", "丙", "--store", str(store_path)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
