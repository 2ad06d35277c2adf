"""Serve ``ui/assets`` (Leaflet and its plugins) from the app's own server, so the map needs no CDN.

The map reads them from the app's own versioned route (:func:`ui.tile_routes.asset_base`, cached by the
browser for a year; issue 15 part 3); the component route below stays as a second way to the same files.

Streamlit serves the files of a declared component's folder at ``<base>/component/<name>/<file>``. We
declare the assets folder as a (never rendered) component and point folium's asset links there. The map
runs inside streamlit-folium's iframe at ``<base>/component/streamlit_folium.st_folium/index.html``, so a
relative ``../<name>/`` reaches the assets and keeps working under any ``server.baseUrlPath``. The
top-level ``static/`` folder that ``server.enableStaticServing`` needs is not part of this repository's
fixed layout, hence this route.
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from ui.tile_routes import asset_base

__all__ = ["ASSETS_DIR", "ASSET_BASE", "COMPONENT_NAME"]

#: Folder holding leaflet/, leaflet-measure/, leaflet-draw/ (see its README for versions and licences).
ASSETS_DIR: Path = Path(__file__).resolve().parent / "assets"

_NAME = "ssl_map_assets"
# Registering is what makes Streamlit serve the folder; the returned function is never called.
components.declare_component(_NAME, path=str(ASSETS_DIR))

#: The registered name: Streamlit prefixes the declaring module's name.
COMPONENT_NAME: str = f"{__name__}.{_NAME}"
#: URL prefix of the assets as seen from streamlit-folium's iframe: the app's versioned asset route.
ASSET_BASE: str = asset_base()
