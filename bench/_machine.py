"""One line describing the machine and the library versions, for the benchmark reports in RESULTS.md.

Used by ``bench_coverage.py``, ``bench_dask.py`` and ``bench_app.py`` (run as scripts from ``bench/``, so
this module is imported as ``_machine``).
"""

from __future__ import annotations

import importlib
import platform
import subprocess
from collections.abc import Sequence

__all__ = ["machine"]


def _sh(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def machine(packages: Sequence[str] = ("shapely", "geopandas", "numpy")) -> str:
    """Describe the CPU, cores, memory, Python, the given packages' versions and the platform.

    Parameters
    ----------
    packages : sequence of str
        Import names whose ``__version__`` is reported, in order (``shapely`` also gets its GEOS version;
        ``dask_geopandas`` is shown as ``dask-geopandas``).

    Returns
    -------
    str
        E.g. ``"AMD EPYC …, nproc=2, memory 7937 MiB; Python 3.12.3, shapely 2.2.0 (GEOS 3.13.1), …; Linux-…"``.
    """
    model = next((ln.split(":", 1)[1].strip() for ln in _sh(["lscpu"]).splitlines() if ln.startswith("Model name")), "?")
    mem = next((ln.split()[1] for ln in _sh(["free", "-m"]).splitlines() if ln.startswith("Mem:")), "?")
    versions = []
    for name in packages:
        module = importlib.import_module(name)
        text = f"{name.replace('_', '-')} {module.__version__}"
        if name == "shapely":
            text += f" (GEOS {module.geos_version_string})"
        versions.append(text)
    return (
        f"{model}, nproc={_sh(['nproc'])}, memory {mem} MiB; Python {platform.python_version()}, "
        f"{', '.join(versions)}; {platform.platform()}"
    )
