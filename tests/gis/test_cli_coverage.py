"""``python -m gis coverage`` and ``python -m layers metrics`` end to end (subprocess): the JSON contracts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, box

ROOT = Path(__file__).resolve().parents[2]
E, N = 489_700.0, 2_536_800.0


def run(*args: str | Path, cwd: Path, module: str = "gis") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=180)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    parcels = gpd.GeoDataFrame(
        {"id": ["half", "far", "in"]},
        geometry=[box(E, N, E + 1000, N + 1000), box(E + 5000, N, E + 5100, N + 100), box(E - 200, N, E - 100, N + 100)],
        crs="EPSG:4547",
    ).to_crs("EPSG:4326")
    # a north-south line 300 m west of the first square: its 800 m buffer stops at the square's middle
    line = gpd.GeoDataFrame({"id": ["line"]}, geometry=[LineString([(E - 300, N - 5000), (E - 300, N + 6000)])], crs="EPSG:4547")
    p, f = tmp_path / "parcels.geojson", tmp_path / "facilities.geojson"
    parcels.to_file(p, driver="GeoJSON")
    line.to_crs("EPSG:4326").to_file(f, driver="GeoJSON")
    return p, f


def test_coverage_json_contract(files, tmp_path) -> None:
    p, f = files
    done = run("coverage", p, f, "--radius", "800", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert {"radius_m", "covered_share", "features"} <= set(doc)
    assert doc["radius_m"] == 800.0
    assert [set(x) for x in doc["features"]] == [{"index", "id", "area_m2", "covered_m2", "share"}] * 3
    half, far, inside = doc["features"]
    assert (half["index"], half["id"]) == (0, "half")
    # through GeoJSON in degrees (7-decimal coordinates) and back to EPSG:4547: centimetre-level agreement
    assert half["share"] == pytest.approx(0.5, abs=1e-4)
    assert far["share"] == 0.0 and inside["share"] == pytest.approx(1.0, abs=1e-9)
    total = half["area_m2"] + far["area_m2"] + inside["area_m2"]
    assert doc["covered_share"] == pytest.approx((half["covered_m2"] + inside["covered_m2"]) / total, rel=1e-12)


def test_coverage_text_and_bad_radius(files, tmp_path) -> None:
    p, f = files
    done = run("coverage", p, f, "--radius", "800", cwd=tmp_path)
    assert done.returncode == 0 and "覆盖率" in done.stdout and "%" in done.stdout
    bad = run("coverage", p, f, "--radius", "-5", cwd=tmp_path)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "服务半径" in bad.stderr and "radius" in bad.stderr


def test_coverage_of_a_missing_file_is_exit_1(files, tmp_path) -> None:
    p, _ = files
    done = run("coverage", p, tmp_path / "nope.geojson", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr


def _layers_ready() -> bool:
    return (ROOT / "layers" / "registry.py").exists() and (ROOT / "data" / "geo" / "plan_targets.csv").exists()


@pytest.mark.skipif(not _layers_ready(), reason="the plan layers are not bundled yet")
def test_metrics_json_contract(tmp_path) -> None:
    done = run("metrics", "--json", "--date", "2020-10-01", cwd=tmp_path, module="layers")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert {"land", "roads", "substations", "coverage", "overdue"} <= set(doc)
    for action in ("consolidation", "reserve", "revitalisation"):
        row = doc["land"][action]
        assert all(isinstance(row[k], float) for k in ("target_mu", "total_mu", "done_mu"))
    assert [doc["land"][a]["target_mu"] for a in ("consolidation", "reserve", "revitalisation")] == [250.0, 700.0, 800.0]
    roads = doc["roads"]
    assert isinstance(roads["link_roads"], int) and isinstance(roads["opened"], int)
    assert isinstance(roads["total_km"], float) and isinstance(roads["opened_km"], float)
    assert roads["link_roads"] == 18 and 0 <= roads["opened"] <= 18
    assert isinstance(doc["overdue"], list) and all({"layer", "id", "deadline", "status"} <= set(o) for o in doc["overdue"])
    assert doc["as_of"] == "2020-10-01"


@pytest.mark.skipif(not _layers_ready(), reason="the plan layers are not bundled yet")
def test_metrics_text_and_bad_date(tmp_path) -> None:
    done = run("metrics", "--date", "2020-12-31", cwd=tmp_path, module="layers")
    assert done.returncode == 0, done.stderr
    assert "联网路" in done.stdout and "亩" in done.stdout and "km" in done.stdout
    bad = run("metrics", "--date", "31/12/2020", cwd=tmp_path, module="layers")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "YYYY-MM-DD" in bad.stderr
