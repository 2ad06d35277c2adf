"""The app's start-up (issue 15 part 3): what the server imports, and the data warm-up that the first page reads.

No timings: each test checks a structural property that would slow the start silently if it regressed
(a heavy library imported on start, a warm-up that fills caches the page then misses, a component declared
where Streamlit cannot register it).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import use_store

ROOT = Path(__file__).resolve().parents[2]

#: Libraries the map page never needs: printing (fpdf, PIL), spreadsheets (openpyxl), the cluster (dask),
#: the browser tests' driver (playwright), plotting (matplotlib).
NOT_ON_START = ("fpdf", "PIL", "openpyxl", "dask", "distributed", "playwright", "matplotlib")


def _run(code: str, tmp_path: Path) -> list[str]:
    env_code = (
        "import os\n"
        f"os.environ['SSL_GIS_STORE'] = {str(tmp_path / 'working.gpkg')!r}\n"
        f"os.environ['SSL_GIS_USERS_FILE'] = {str(tmp_path / 'users.json')!r}\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", env_code + code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()


def test_the_server_and_the_map_page_import_no_print_export_or_cluster_library(tmp_path: Path) -> None:
    # what `streamlit run app.py` imports (the module face and its warm-up) plus every module the map page imports
    code = (
        "import sys, threading\n"
        "import app\n"
        "for t in threading.enumerate():\n"
        "    if t.name == 'import-warm-up': t.join(120)\n"
        "import gis.render, gis.text, ui.data, ui.edit, ui.mapview, ui.print_panel, ui.provenance, ui.i18n, ui.state\n"
        f"print(sorted(m for m in {NOT_ON_START!r} if m in sys.modules))\n"
    )
    assert _run(code, tmp_path)[-1] == "[]"


def test_the_import_warm_up_loads_the_plan_layers_and_imports_no_page_module(tmp_path: Path) -> None:
    # `import layers` alone loads nothing (decision 41): the warm-up must import the registry itself, or the data
    # warm-up and the first page would import geopandas and the layers while the visitor waits. It imports no
    # ui module: ui.data's caches, declared before Streamlit's runtime exists, would log a warning each.
    code = (
        "import sys\n"
        "import ui.warmup\n"
        "ui.warmup._warm()\n"
        "print(sorted(m for m in ('geopandas', 'layers.registry', 'layers.spec', 'folium.plugins', 'ui.data', "
        "'ui.mapview') if m in sys.modules))\n"
    )
    assert _run(code, tmp_path)[-1] == "['folium.plugins', 'geopandas', 'layers.registry', 'layers.spec']"


def test_the_app_module_s_own_imports_leave_pandas_and_geopandas_to_the_warm_up(tmp_path: Path) -> None:
    # `streamlit run` imports app.py (sign-in and tile routes, the warm-up) before its server answers: the heavy
    # libraries are the warm-up thread's, on a second thread, not on that path
    code = (
        "import sys\n"
        "import ui.auth, ui.tile_routes, ui.warmup\n"
        "print(sorted(m for m in ('pandas', 'geopandas', 'folium', 'shapely', 'layers') if m in sys.modules))\n"
    )
    assert _run(code, tmp_path)[-1] == "[]"


def test_the_data_warm_up_declares_no_component(tmp_path: Path) -> None:
    # a Streamlit component registers only when declared in a page run: the warm-up thread has none, so it must
    # not be the first to import streamlit-folium or ui.map_assets (the map's iframe and its assets would 404)
    code = (
        "import sys\n"
        "from ui import warmup\n"
        "warmup.warm_data()\n"
        "print(sorted(m for m in ('streamlit_folium', 'ui.map_assets') if m in sys.modules))\n"
        "print(os.path.exists(os.environ['SSL_GIS_STORE']))\n"
    )
    lines = _run(code, tmp_path)
    assert lines[-2:] == ["[]", "True"]  # no component declared; the working store is seeded


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working store path (not yet created) and an empty users file: the shared set-up of tests/ui."""
    path = use_store(tmp_path, monkeypatch)
    return path


def test_the_first_map_page_finds_the_warm_up_s_data_cached(store_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gis import render
    from layers import progress
    from ui import warmup

    warmup.warm_data()
    assert store_env.exists()
    calls = {"layer_geojson": 0, "plan_progress": 0}
    real_geojson, real_progress = render.layer_geojson, progress.plan_progress

    def count_geojson(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["layer_geojson"] += 1
        return real_geojson(*args, **kwargs)

    def count_progress(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["plan_progress"] += 1
        return real_progress(*args, **kwargs)

    monkeypatch.setattr(render, "layer_geojson", count_geojson)
    monkeypatch.setattr(progress, "plan_progress", count_progress)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()  # the map page is the default page
    assert not at.exception
    assert any(str(c.value).startswith("计划事项") for c in at.caption)  # the plan's figures are shown
    # the display GeoJSON of every layer and the plan's figures came from the warm-up's cache entries
    assert calls == {"layer_geojson": 0, "plan_progress": 0}


def test_the_app_s_lifespan_starts_the_data_warm_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import warmup

    ran = threading.Event()
    monkeypatch.setattr(warmup, "warm_data", ran.set)
    monkeypatch.setattr(warmup, "_data_started", threading.Event())

    async def serve() -> None:
        async with warmup.lifespan(None):
            pass

    asyncio.run(serve())
    assert ran.wait(30)
    assert warmup.start_data() is None  # once per process


def test_display_safe_frame_skips_clean_columns_and_still_escapes_hidden_characters() -> None:
    import pandas as pd

    from gis.text import display_safe_frame

    frame = pd.DataFrame({"clean": ["松山湖", "road"], "bidi": ["路\u202egpj.exe", "ok"], "n": [1, 2], "mixed": [None, "a\tb"]})
    out = display_safe_frame(frame)
    assert out is not frame
    assert out["clean"].tolist() == ["松山湖", "road"]
    assert out["bidi"].tolist() == ["路\\u202egpj.exe", "ok"]
    assert pd.isna(out.loc[0, "mixed"]) and out.loc[1, "mixed"] == "a\\u0009b"  # missing stays missing
    assert out["n"].tolist() == [1, 2]
    out.loc[0, "clean"] = "changed"  # a copy: the caller's frame is untouched
    assert frame.loc[0, "clean"] == "松山湖"
