"""The project installs with pip: a wheel in a fresh venv runs ``ssl-gis`` from a folder outside the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from wheel_venv import REPO, build_reason, clean_env, install_wheel, new_venv

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_dependencies_are_the_requirements_pins():
    # one list: the package's dependencies are read from requirements.txt, never copied into pyproject.toml
    assert "dependencies" not in PYPROJECT["project"]
    assert "dependencies" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    pins = [line.strip() for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    assert pins and all("==" in pin for pin in pins)  # exact pins only: this is a deployed app


def test_every_package_folder_is_listed():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for top in ("gis", "layers", "ui") for p in (REPO / top).rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert PYPROJECT["project"]["scripts"]["ssl-gis"] == "layers.__main__:main"  # the composition root, not gis


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    reason = build_reason()
    if reason:
        pytest.skip(reason)
    return install_wheel(tmp_path_factory.mktemp("wheel"))


def _run(installed, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(installed.script), *args], cwd=cwd, capture_output=True, text=True, timeout=240,
                          env=clean_env(SSL_GIS_DATA_DIR=str(cwd / "data-home"), SSL_GIS_DATABASE_URL=""))


@pytest.mark.slow
def test_installed_gis_comes_from_the_venv_not_the_checkout(installed, tmp_path):
    out = subprocess.run([str(installed.python), "-c", "import gis, gis.settings as s, sys; print(gis.__file__);"
                          "print(s.BUNDLED_DATA_DIR); print(any('wt-' in p or p == '' for p in sys.path[1:]))"],
                         cwd=tmp_path, capture_output=True, text=True, check=True, env=clean_env()).stdout.splitlines()
    assert Path(out[0]).is_relative_to(installed.root)
    assert Path(out[1]).is_relative_to(installed.root) and (Path(out[1]) / "plan_text.txt").is_file()
    assert not Path(out[0]).is_relative_to(REPO)


@pytest.mark.slow
def test_installed_command_runs_metrics_and_validate_elsewhere(installed, tmp_path):
    metrics = _run(installed, "metrics", "--json", cwd=tmp_path)
    assert metrics.returncode == 0, metrics.stderr
    doc = json.loads(metrics.stdout)
    assert {"land", "roads", "coverage"} <= set(doc) and doc["targets"], doc.keys()
    assert "Traceback" not in metrics.stderr
    sample = installed.root / "lib"
    (geojson,) = sample.rglob("gis/_bundled/geo/substations.geojson")
    checked = _run(installed, "validate", str(geojson), "--json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] is True and report["features"] > 0
    # python -m gis and python -m layers work the same from any folder (a cron backup job)
    for module in ("gis", "layers"):
        again = subprocess.run([str(installed.python), "-m", module, "validate", str(geojson), "--json"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=240, env=clean_env())
        assert json.loads(again.stdout)["features"] == report["features"], module
    # the plan's commands left python -m gis: one line naming ssl-gis, exit 2
    moved = subprocess.run([str(installed.python), "-m", "gis", "metrics", "--json"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=240, env=clean_env())
    assert moved.returncode == 2 and "ssl-gis metrics" in moved.stderr and "Traceback" not in moved.stderr


@pytest.mark.slow
def test_installed_package_ships_the_app_and_its_assets(installed):
    lib = installed.root / "lib"
    assert list(lib.rglob("site-packages/app.py")), "app.py must be installed beside ui/"
    assert list(lib.rglob("site-packages/ui/page_map.py"))
    assert list(lib.rglob("site-packages/ui/assets/leaflet/leaflet.js"))


@pytest.mark.slow
def test_editable_install_runs_from_another_folder(installed, tmp_path):
    # pip install -e of the sources: the checkout's own data/geo is found (no gis/_bundled there)
    python = new_venv(tmp_path / "editable")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-e", str(installed.source)], check=True, capture_output=True, text=True, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    water = installed.source / "data" / "geo" / "water.geojson"
    out = subprocess.run([str(tmp_path / "editable" / "bin" / "ssl-gis"), "validate", str(water), "--json"],
                         cwd=elsewhere, capture_output=True, text=True, timeout=240, env=clean_env())
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ok"] is True
    where = subprocess.run([str(python), "-c", "import gis.settings as s; print(s.BUNDLED_DATA_DIR)"], cwd=elsewhere,
                           capture_output=True, text=True, check=True, env=clean_env()).stdout.strip()
    assert Path(where) == installed.source / "data" / "geo"


def test_app_command_runs_streamlit_on_the_app_beside_the_package(monkeypatch):
    import layers.__main__ as entry

    seen: list[list[str]] = []
    monkeypatch.setattr("subprocess.call", lambda cmd: seen.append(cmd) or 0)
    assert entry.main(["app", "--server.port", "8502"]) == 0
    (cmd,) = seen
    assert cmd[1:4] == ["-m", "streamlit", "run"] and Path(cmd[4]) == REPO / "app.py" and cmd[5:] == ["--server.port", "8502"]
