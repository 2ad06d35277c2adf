"""``import layers`` and the commands that read no layer (``--help``, ``users``, ``backup``) load no GIS stack.

Each check runs in a fresh interpreter: what a process imported is read from ``-X importtime`` (every module
the real command imported, on stderr) or from ``sys.modules``, never from how long it took.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What an administrator's command must not wait for.
HEAVY = ("geopandas", "pandas", "shapely", "pyproj", "pyogrio", "folium")


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **extra}


def _python(code: str, **env: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(**env), capture_output=True, text=True,
                          encoding="utf-8", timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _run_layers(*args: str | Path, cwd: Path, stdin: str | None = None, **env: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -m layers ARGS`` as a user would; return the result and every top-level package it imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "layers", *map(str, args)], cwd=cwd, env=_env(**env),
                          input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=180)
    imported = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in done.stderr.splitlines()
                if line.startswith("import time:") and line.count("|") == 2}
    assert "layers" in imported, done.stderr[-2000:]  # the importtime lines were read
    return done, imported


def test_import_layers_loads_no_heavy_library() -> None:
    out = _python(f"import sys, layers\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    assert out.strip() == ""


def test_help_imports_no_heavy_library(tmp_path: Path) -> None:
    done, imported = _run_layers("--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("usage: python -m layers")
    for name in ("users", "backup", "metrics", "plan", "convert"):  # every command still listed
        assert name in done.stdout.split("\n\n")[0], name
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


def test_users_add_and_list_import_no_heavy_library(tmp_path: Path) -> None:
    users = str(tmp_path / "users.json")
    done, imported = _run_layers("users", "add", "planner", "--password-stdin", cwd=tmp_path, stdin="s3cret-Pa55\n",
                                 SSL_GIS_USERS_FILE=users)
    assert done.returncode == 0, done.stderr
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))
    done, imported = _run_layers("users", "list", cwd=tmp_path, SSL_GIS_USERS_FILE=users)
    assert done.returncode == 0 and done.stdout == "planner\teditor\n", done.stderr
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


def test_backup_of_a_store_imports_no_heavy_library(tmp_path: Path) -> None:
    from gis.store import open_store

    store = tmp_path / "working.gpkg"
    open_store(store)  # the store exists, as on a server whose app has run
    done, imported = _run_layers("backup", tmp_path / "copy.gpkg", "--store", store, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "copy.gpkg").stat().st_size > 0
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


def test_a_plan_command_still_builds_its_options(tmp_path: Path) -> None:
    done, _ = _run_layers("plan", "--help", cwd=tmp_path)
    assert done.returncode == 0 and "propose" in done.stdout


def test_every_public_name_is_loaded_on_first_use_and_is_the_submodules_own() -> None:
    code = (
        "import layers, importlib\n"
        "eager = [n for n in layers.__all__ if n in vars(layers)]\n"
        "assert not eager, eager\n"
        "for n in layers.__all__:\n"
        "    home = importlib.import_module(layers._HOME[n])\n"
        "    assert getattr(layers, n) is getattr(home, n), n\n"
        "    assert n in vars(layers), n  # kept: the second use is a plain attribute\n"
        "assert set(layers.__all__) <= set(dir(layers))\n"
        "assert {'registry', 'years', 'upgrade'} <= set(dir(layers))\n"
        "print('ok')\n"
    )
    assert _python(code).strip() == "ok"


@pytest.mark.parametrize("first", ["from layers.spec import STATUSES", "import layers.spec", "import layers.registry", ""])
def test_layers_spec_is_the_registrys_function_whatever_was_imported_first(first: str) -> None:
    code = (
        f"{first}\n"
        "import layers, layers.registry\n"
        "from layers import spec\n"
        "assert layers.spec is layers.registry.spec is spec, layers.spec\n"
        "assert layers.spec('substations').name == 'substations'\n"
        "assert layers.years.__name__ == 'layers.years'  # submodules import layers used to load still resolve\n"
        "print('ok')\n"
    )
    assert _python(code).strip() == "ok"


def test_an_unknown_name_is_an_attribute_error() -> None:
    import layers

    with pytest.raises(AttributeError, match="no_such_name"):
        layers.no_such_name  # noqa: B018
    assert not hasattr(layers, "metrics_of_nothing")


def test_the_librarys_own_help_imports_no_heavy_library(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "gis", "--help"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=180)
    assert done.returncode == 0 and "convert" in done.stdout
    imported = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in done.stderr.splitlines() if line.count("|") == 2}
    assert "gis" in imported and imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))
