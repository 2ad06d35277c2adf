"""ui.warmup: the map page's heavy imports start once, on a daemon thread, when the app module loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_app_module_starts_the_warm_up_once_and_it_imports_the_map_libraries() -> None:
    # a fresh interpreter: importing app.py as a module (as `streamlit run` does) starts one warm-up
    # thread; after it ends, folium, geopandas and the plan layers are imported, but not streamlit-folium
    code = (
        "import sys, threading\n"
        "import app\n"
        "from ui import warmup\n"
        "t = [x for x in threading.enumerate() if x.name == 'import-warm-up']\n"
        "assert len(t) <= 1 and (not t or t[0].daemon)\n"
        "for x in t: x.join(120)\n"
        "assert warmup.start() is None\n"
        "print(sorted(m for m in ('folium', 'geopandas', 'gis.render', 'layers', 'streamlit_folium', 'ui.mapview') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    # the map libraries are in; streamlit-folium (a Streamlit component) must wait for the runtime
    assert out.stdout.strip().splitlines()[-1] == "['folium', 'geopandas', 'gis.render', 'layers']"
