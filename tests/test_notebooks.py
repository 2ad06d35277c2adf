"""The notebooks in notebooks/: committed without outputs, and they run top to bottom on the bundled data.

Each notebook is executed with nbclient on a kernel whose interpreter is this test's own ``sys.executable``
(a kernelspec written to a temporary folder, so a ``python3`` kernelspec elsewhere on the machine cannot
pick another Python). The kernel starts in ``notebooks/`` with an empty data folder (so ``layers.load``
falls back to the bundled baseline) and ``SSL_NB_OUT`` pointing at a temporary folder for every file the
notebooks write. The executed copy is never saved.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = ("plan_overview.ipynb", "coverage_study.ipynb", "surveyor_export.ipynb")
KERNEL_NAME = "ssl-gis-test"
_PROBE = "import sys\nprint('KERNEL-PREFIX=' + sys.prefix)"


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --------------------------------------------------------------------------------------------------------
# What is committed
# --------------------------------------------------------------------------------------------------------
def test_the_three_notebooks_are_there():
    present = {p.name for p in NOTEBOOKS.glob("*.ipynb")}
    assert set(EXPECTED) <= present


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_notebook_has_no_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    for i, cell in enumerate(code):
        assert cell.get("outputs") == [], f"{name}: code cell {i} has outputs; clear them before committing"
        assert cell.get("execution_count") is None, f"{name}: code cell {i} has an execution count"
    assert "widgets" not in nb.metadata, f"{name}: widget state saved in the metadata"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_explains_itself_in_chinese_and_english(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert nb.cells[0].cell_type == "markdown"
    assert len(md) >= 4
    for text in md:
        assert _has_cjk(text), f"{name}: a markdown cell without Chinese: {text[:60]!r}"
        assert len(re.findall(r"\b[A-Za-z]{2,}\b", text)) >= 2, f"{name}: a markdown cell without English: {text[:60]!r}"


def test_coverage_notebook_says_the_population_is_synthetic():
    nb = nbformat.read(NOTEBOOKS / "coverage_study.ipynb", as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "SYNTHETIC" in md and "合成" in md


# --------------------------------------------------------------------------------------------------------
# Running them
# --------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory) -> KernelSpecManager:
    """A kernelspec that launches this interpreter (the project's .venv in CI)."""
    root = tmp_path_factory.mktemp("kernels")
    spec = root / KERNEL_NAME
    spec.mkdir()
    (spec / "kernel.json").write_text(
        json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python (test)",
            "language": "python",
        }),
        encoding="utf-8",
    )
    return KernelSpecManager(kernel_dirs=[str(root)])


@pytest.fixture()
def run_notebook(kernel_specs, tmp_path, monkeypatch):
    """Execute a notebook from notebooks/ and return (executed notebook, all text output, output folder)."""
    out = tmp_path / "out"
    monkeypatch.setenv("SSL_GIS_DATA_DIR", str(tmp_path / "data"))  # empty: the bundled baseline is read
    monkeypatch.delenv("SSL_GIS_STORE", raising=False)
    monkeypatch.delenv("SSL_GIS_DATABASE_URL", raising=False)
    monkeypatch.setenv("SSL_NB_OUT", str(out))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.delenv("PYTHONPATH", raising=False)  # the notebook finds the project by itself

    def run(name: str):
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=kernel_specs)
        client = NotebookClient(
            nb, km=km, timeout=120, startup_timeout=60, allow_errors=False,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        client.execute()
        texts, stderr = [], []
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                if o["output_type"] == "stream":
                    (stderr if o["name"] == "stderr" else texts).append(o["text"])
                elif "data" in o:
                    texts.append(str(o["data"].get("text/plain", "")))
                    texts.append(str(o["data"].get("text/html", "")))
        assert not stderr, f"{name} printed warnings or errors: {stderr}"
        text = "\n".join(texts)
        assert f"KERNEL-PREFIX={sys.prefix}" in text, "the kernel ran another Python than this test's"
        return nb, text, out

    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    yield run
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == before, "a notebook wrote into notebooks/"


@pytest.mark.slow
def test_plan_overview_runs(run_notebook):
    nb, text, out = run_notebook("plan_overview.ipynb")
    # every layer loaded from the bundled baseline
    assert text.count("baseline") >= 9
    # the land ledger against 250 / 700 / 800 亩
    for label in ("整备 consolidation", "收储 land reserve", "盘活 revitalisation"):
        assert label in text
    assert "力争全年整备连片土地约250亩" in text
    # the 18 link roads, each listed
    assert "已通车 opened" in text
    assert all(f"road-{i:02d}" in text for i in range(1, 19))
    # the interactive maps were drawn, and the offline map saved with local assets
    maps = [o for c in nb.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})
            and "leaflet" in o["data"]["text/html"].lower() and "iframe" in o["data"]["text/html"]]
    assert len(maps) >= 2
    html = (out / "plan_map.html").read_text(encoding="utf-8")
    assert (ROOT / "ui" / "assets").as_uri() in html and "cdn.jsdelivr" not in html


@pytest.mark.slow
def test_coverage_study_runs(run_notebook):
    import rasterio

    _, text, out = run_notebook("coverage_study.ipynb")
    assert "SYNTHETIC" in text
    for ftype in ("tod_station", "bus_stop", "primary_school", "fire_station", "substation_110kv", "substation_220kv"):
        assert ftype in text
    assert "substations_220kv_sited" in text
    pop = out / "SYNTHETIC_population_100m_EPSG4547.tif"
    with rasterio.open(pop) as src:
        assert src.crs.to_epsg() == 4547
        assert src.tags()["SYNTHETIC"] == "yes"
        assert src.read(1).sum() > 0
    with rasterio.open(out / "fire_station_distance_EPSG4547.tif") as src:
        assert src.crs.to_epsg() == 4547
        assert src.read(1).min() >= 0


@pytest.mark.slow
def test_surveyor_export_runs(run_notebook):
    _, text, out = run_notebook("surveyor_export.ipynb")
    names = {p.name for p in out.iterdir()}
    assert {
        "reserve.geojson", "reserve_4547.geojson", "reserve.dxf", "reserve_jzd.xlsx", "reserve_jzd.csv",
        "reserve_kcdj.txt", "reserve_pack.zip",
    } <= names
    doc = json.loads((out / "reserve.geojson").read_text(encoding="utf-8"))
    assert "crs" not in doc and len(doc["features"]) == 4
    txt = (out / "reserve_kcdj.txt").read_bytes().decode("gb18030")
    assert txt.startswith("[属性描述]") and "带号=38" in txt and "[地块坐标]" in txt and "\r\n" in txt
    with zipfile.ZipFile(out / "reserve_pack.zip") as zf:
        members = set(zf.namelist())
    assert {"README.txt", "reserve_pack_kcdj.txt", "reserve_pack_jzd.xlsx", "reserve_pack.dxf"} <= members
    # the selection is the 4 reserve parcels, about 700 亩 (plan (四)二)
    assert "699.99" in text
