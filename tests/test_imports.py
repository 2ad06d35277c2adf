"""``import gis`` stays light: neither streamlit nor folium until a map is built."""

import subprocess
import sys


def test_import_gis_pulls_in_neither_streamlit_nor_folium() -> None:
    code = (
        "import sys, gis, gis.crs, gis.area, gis.cli\n"
        "bad = [m for m in ('streamlit', 'folium', 'layers', 'ui') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
