"""``python -m gis convert`` refuses illustrative features in survey formats unless ``--allow-illustrative``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
E, N = 489_700.0, 2_536_800.0  # Songshan Lake, EPSG:4547 metres


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "gis", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


@pytest.fixture
def parcels(tmp_path: Path) -> Path:
    def square(e: float, n: float) -> list:
        return [[[e, n], [e + 100, n], [e + 100, n + 100], [e, n + 100], [e, n]]]

    features = [
        {"type": "Feature", "properties": {"id": f"p-{k}", "name_zh": f"地块{k}", "illustrative": k < 2},
         "geometry": {"type": "Polygon", "coordinates": square(E + 200 * k, N)}}
        for k in range(3)
    ]
    path = tmp_path / "parcels.geojson"
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("out", "to"),
    [("a.txt", "survey-txt"), ("a.xlsx", "boundary-points"), ("a.zip", "survey-pack"), ("a.dxf", "dxf"),
     ("a.geojson", "geojson-surveyor")],
)
def test_survey_formats_refuse_illustrative_without_the_flag(tmp_path: Path, parcels: Path, out: str, to: str) -> None:
    done = run("convert", parcels, "-o", out, "--to", to, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "2 个要素为示意位置" in lines[0] and "--allow-illustrative" in lines[0]
    assert "Traceback" not in done.stderr and not (tmp_path / out).exists()

    done = run("convert", parcels, "-o", out, "--to", to, "--allow-illustrative", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["features"] == 3 and (tmp_path / out).exists()


def test_plain_formats_need_no_flag(tmp_path: Path, parcels: Path) -> None:
    done = run("convert", parcels, "-o", "a.gpkg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_metrics_is_wired_in_by_the_composition_root(tmp_path: Path) -> None:
    from gis.cli import build_parser

    with pytest.raises(SystemExit):  # the library alone knows no plan: "metrics" is an invalid choice there
        build_parser().parse_args(["metrics"])
    done = run("metrics", "--help", cwd=tmp_path)  # python -m gis points to the composition root
    assert done.returncode == 2 and "python -m layers metrics" in done.stderr
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "layers", "metrics", "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0 and "--date" in done.stdout
