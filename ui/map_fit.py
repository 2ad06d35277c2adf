"""Framing a map on given bounds so that it stays framed when its frame is resized.

folium's ``fit_bounds`` runs once, when the map is created; inside streamlit-folium's iframe that is often
before the iframe has its final width, and Leaflet keeps the zoom of that first, narrow frame (an upload of
two points 3 km apart was shown at zoom 10, the whole zone). Here the fit runs again on every resize until
the user first touches the map.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import MacroElement
from jinja2 import Template

__all__ = ["fit_on_resize"]


class _FitOnResize(MacroElement):
    _template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  var bounds = L.latLngBounds({{ this.bounds }});
  var fit = function () { map.fitBounds(bounds, {padding: [24, 24], maxZoom: {{ this.max_zoom }}}); };
  fit();
  map.on("resize", fit);
  var stop = function () { map.off("resize", fit); };
  ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (name) {
    map.getContainer().addEventListener(name, stop, {once: true, passive: true});
  });
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, bounds: list[list[float]], max_zoom: int) -> None:
        super().__init__()
        self._name = "FitOnResize"
        self.bounds = json.dumps(bounds)  # numbers only: nothing from the data's text reaches the script
        self.max_zoom = int(max_zoom)


def fit_on_resize(m: Any, bounds: tuple[float, float, float, float], *, max_zoom: int = 17) -> None:
    """Frame the folium map ``m`` on ``bounds`` now and again whenever it is resized, until the user pans or zooms.

    Parameters
    ----------
    m : folium.Map
        The map.
    bounds : (min lon, min lat, max lon, max lat)
        Degrees, in the map's display datum (already shifted for a GCJ-02 basemap).
    max_zoom : int, keyword-only
        Closest zoom the fit may choose (a single point would otherwise zoom in to the maximum).
    """
    west, south, east, north = (float(v) for v in bounds)
    _FitOnResize([[south, west], [north, east]], max_zoom).add_to(m)
