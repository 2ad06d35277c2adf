"""The floor of the app's first map: Streamlit and streamlit-folium drawing the app's own map, nothing else.

Not part of the app; run by ``bench/bench_app.py --floor``. The page sends one message: the map component
with the arguments the app's map page hands to streamlit-folium for its default view (the plan's layers,
as ``bench_app.capture_map_args`` recorded them into the JSON file named by ``SSL_GIS_FLOOR_ARGS``). It reads
no store, loads no layer, builds no GeoJSON and draws no sidebar. Like the app it imports folium on a thread
while the server starts and serves Leaflet from the app's own asset route. Its cold start and new session are
what Streamlit and streamlit-folium cost on this machine before the app does any work of its own: the
floor under the app's figures.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import streamlit as st


def _warm() -> None:
    import folium.plugins  # noqa: F401  (as ui.warmup does for the app: streamlit-folium imports it)


if __name__ == "__main__":
    st.set_page_config(page_title="floor", layout="wide")
    import streamlit_folium

    args = json.loads(Path(os.environ["SSL_GIS_FLOOR_ARGS"]).read_text(encoding="utf-8"))
    streamlit_folium._component_func(**args)  # noqa: SLF001 — the same call st_folium ends in
else:
    threading.Thread(target=_warm, name="import-warm-up", daemon=True).start()
    from ui.tile_routes import tile_routes

    app = st.App(str(Path(__file__).resolve()), routes=[*tile_routes()])
