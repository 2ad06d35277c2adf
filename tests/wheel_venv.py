"""Build the project's wheel and install it into a throwaway venv that cannot see the checkout.

Used by tests/test_install.py (the CLI from another folder) and tests/gis/test_dask_metrics.py (dask workers
that import ``gis`` from the installed wheel). The wheel is built without network (``pip wheel --no-deps
--no-build-isolation``) from a copy of the tracked sources, so the checkout gains no ``build/`` folder. The venv
gets its dependencies from the test interpreter's site-packages through a ``.pth`` file (``--system-site-packages``
would give the base interpreter's, not the test venv's), which lies *after* the venv's own site-packages: the
installed ``gis`` wins. Nothing of the checkout is on the venv's path.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import site
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InstalledVenv", "REPO", "build_reason", "clean_env", "install_wheel", "new_venv"]

REPO = Path(__file__).resolve().parent.parent
# what the wheel is built from; tests, bench and notebooks are not part of it
_SOURCES = ("pyproject.toml", "README.md", "requirements.txt", "app.py", "gis", "layers", "ui", "data")
_CACHE: dict[str, InstalledVenv] = {}


@dataclass(frozen=True)
class InstalledVenv:
    """A venv holding the installed wheel: its ``python``, its ``ssl-gis`` script, the wheel and its sources."""

    root: Path
    python: Path
    script: Path
    wheel: Path
    source: Path


def build_reason() -> str | None:
    """Why a wheel cannot be built offline here (None if it can): setuptools ≥ 70.1 (or ``wheel``) is needed."""
    if importlib.util.find_spec("setuptools.command.bdist_wheel") is None and importlib.util.find_spec("wheel") is None:
        return "building a wheel offline needs setuptools>=70.1 or the wheel package (requirements-dev.txt)"
    return None


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a process that must not see the checkout: no PYTHONPATH, no PYTHON* overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(extra)
    return env


def install_wheel(base: Path) -> InstalledVenv:
    """Build the wheel and install it into a new venv under ``base`` (once per test process)."""
    if "venv" in _CACHE:
        return _CACHE["venv"]
    src = base / "src"
    src.mkdir(parents=True)
    for name in _SOURCES:
        item = REPO / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "scripts"))
        else:
            shutil.copy2(item, src / name)
    wheels = base / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(wheels), str(src)],
        check=True, cwd=base, capture_output=True, text=True,
    )
    (wheel,) = wheels.glob("songshanlake_gis-*.whl")
    root = base / "venv"
    python = new_venv(root)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True, cwd=base, capture_output=True, text=True, env=clean_env(),
    )
    _CACHE["venv"] = InstalledVenv(root=root, python=python, script=root / "bin" / "ssl-gis", wheel=wheel, source=src)
    return _CACHE["venv"]


def new_venv(root: Path) -> Path:
    """A venv at ``root`` whose dependencies come from the test interpreter's site-packages; returns its python."""
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    purelib = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    parents = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (purelib / "zz_test_parent_site.pth").write_text("".join(f"{p}\n" for p in parents), encoding="utf-8")
    return python
