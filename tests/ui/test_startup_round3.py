"""The app's cold start, round 3 (issue 15 part 3): work the first page run must not do again.

No timings. Each test checks a structural property: the first page run does not reload a layer the warm-up
loaded just because another thread is reading the store; the sidebar's plan years are computed once per change
of the store, not on every rerun; the warm-up imports what the first page run would otherwise import itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import use_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working store path (not yet created) and an empty users file: the shared set-up of tests/ui."""
    path = use_store(tmp_path, monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


def test_the_first_page_run_reloads_no_layer_while_another_thread_reads_the_store(
    store_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import layers
    from gis.store import _gpkg
    from ui import warmup

    warmup.warm_data()
    loads: list[str] = []
    real_load = layers.load

    def counting_load(name, **kwargs):  # noqa: ANN001, ANN003, ANN202
        loads.append(name)
        return real_load(name, **kwargs)

    monkeypatch.setattr(layers, "load", counting_load)
    reader = _gpkg.connect(store_env)  # another session's read in progress: SQLite holds the WAL file open
    try:
        reader.execute("SELECT count(*) FROM road_links").fetchone()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()  # the map page is the default page
    finally:
        reader.close()
    assert not at.exception
    assert loads == []  # every layer came from the warm-up's cache entries


def test_the_sidebar_s_plan_years_read_the_layers_once_per_change_of_the_store(
    store_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import data

    store = data.get_store()
    assert store is not None
    calls: list[str] = []
    real_frame = data.layer_frame

    def counting_frame(name, as_of=None):  # noqa: ANN001, ANN202
        calls.append(name)
        return real_frame(name, as_of)

    monkeypatch.setattr(data, "layer_frame", counting_frame)
    first = data.plan_years()
    assert 2020 in first and calls  # computed from the layers
    read = len(calls)
    for _ in range(3):  # the sidebar asks on every rerun
        assert data.plan_years() == first
    assert len(calls) == read  # no layer copied out of the cache again
    # a change of the store is seen at once
    roads = store.read_layer("road_links")
    row = roads.iloc[0]
    store.update_feature("road_links", row["id"], {"name_zh": "新名称"}, expected_version=int(row["version"]), user="planner")
    assert data.plan_years() == first
    assert len(calls) > read


def test_the_import_warm_up_builds_streamlit_s_emoji_catalogue(tmp_path: Path) -> None:
    # st.set_page_config checks the page icon against a catalogue built at import: the warm-up thread builds it
    # so the first page run does not
    code = "import sys\nfrom ui import warmup\nwarmup._warm()\nprint('streamlit.emojis' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "True"
