"""``python -m layers`` (the console script ``ssl-gis``): the command line's composition root runs every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from layers.__main__ import PLAN_COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
E, N = 489_700.0, 2_536_800.0  # Songshan Lake, EPSG:4547 metres


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "layers", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=180)


@pytest.fixture
def parcels(tmp_path: Path) -> Path:
    path = tmp_path / "parcels.geojson"
    gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(E, N, E + 100, N + 100)], crs="EPSG:4547").to_crs(4326).to_file(path)
    return path


def test_help_lists_the_library_and_the_plan_commands(tmp_path: Path) -> None:
    done = run("--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("usage: python -m layers")
    usage = done.stdout.split("\n\n")[0]
    for name in ("validate", "area", "convert", "transform", "coverage", "backup", "restore", "users",
                 "metrics", "plan", "replace", "app", "tiles"):
        assert name in usage, name
    assert usage.count("tiles") == 1  # the plan's tiles replaces the library's, never a second entry


def test_library_commands_run_through_the_root(parcels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["area", str(parcels), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total_m2"] == pytest.approx(10_000, rel=1e-3)  # 100 m × 100 m in EPSG:4547
    assert main(["validate", str(tmp_path / "missing.geojson")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_metrics_runs_as_a_subprocess(tmp_path: Path) -> None:
    done = run("metrics", "--json", "--date", "2020-12-31", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["as_of"] == "2020-12-31" and {"land", "roads"} <= set(doc)


def test_tiles_checks_a_package_and_refuses_a_bad_zoom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tiles", str(tmp_path / "none.mbtiles")]) == 1
    assert "no tile package" in capsys.readouterr().err
    assert main(["tiles", "--render-bundled", str(tmp_path / "o.mbtiles"), "--zoom", "13-10"]) == 1
    assert "0-22" in capsys.readouterr().err and not (tmp_path / "o.mbtiles").exists()


def test_the_plan_commands_are_the_moved_ones() -> None:
    from gis.__main__ import MOVED_COMMANDS

    assert set(MOVED_COMMANDS) | {"tiles"} == {c.name for c in PLAN_COMMANDS}


def test_app_passes_streamlit_options_through(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr("subprocess.call", lambda cmd: seen.append(cmd) or 0)
    assert main(["app", "--server.port", "8502", "--server.headless", "true"]) == 0
    (cmd,) = seen
    assert cmd[1:4] == ["-m", "streamlit", "run"] and Path(cmd[4]) == ROOT / "app.py"
    assert cmd[5:] == ["--server.port", "8502", "--server.headless", "true"]
