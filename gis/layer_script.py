"""A map's data layer as a short script: one call of the map's own ``sslLayer`` with the layer's display data.

folium draws a GeoJSON layer as generated JavaScript: a style function with a ``case`` per feature, a popup
with each feature's HTML table inline, every text JSON-escaped into the script. For the plan's layers that came
to about 400 KB, sent again to every new session. Here the map carries one small function, ``window.sslLayer``
(:data:`RUNTIME`, part of the map's own script through :func:`runtime_element`), and each layer is
one call with its data (:func:`layer_script`): the distinct styles, the popup's labels once, and per feature its
geometry, name, id, style index and popup values. The bundled layers took 157 KB of the map message instead
of 404 KB (measured 2026-11-30).

Texts travel as plain text and are escaped where the browser draws them: the tooltip (``name · id``, which
streamlit-folium reads back on a click) and the labels are escaped strings, the popup is built from DOM text
nodes. The data is put into the script as JSON with ``<``, ``>`` and ``&`` escaped
(:func:`gis.map_controls.js_literal`), so no text can close a ``<script>``, and it is never part of a template's
source (:mod:`gis._folium_safe`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gis.map_controls import js_literal, script_element

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["RUNTIME", "runtime_element", "layer_data", "layer_script", "layer_element"]

#: Defines ``window.sslLayer(data)`` → an ``L.FeatureGroup`` (features with hover tooltip, click popup, hover
#: highlight; circle markers for points, so no icon image; optional name labels that take no clicks).
RUNTIME = """
(function () {
  var ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  function table(fields, values) {
    var t = document.createElement('table'); t.className = 'ssl-details';
    fields.forEach(function (label, k) {
      var v = values[k];
      if (v === null || v === undefined || v === '') { return; }
      var tr = t.insertRow(), th = document.createElement('th'), td = document.createElement('td');
      th.textContent = label; td.textContent = v; tr.appendChild(th); tr.appendChild(td);
    });
    return t;
  }
  var HOVER = {weight: 5, fillOpacity: 0.5};
  window.sslLayer = function (d) {
    var group = L.featureGroup(), styles = d.styles, fields = d.fields || [];
    var gj = L.geoJson(null, {
      style: function (f) { return styles[f.properties.s]; },
      pointToLayer: function (f, at) { return L.circleMarker(at, L.extend({fill: true}, styles[f.properties.s])); },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindTooltip(esc(p.nm) + ' \u00b7 ' + esc(p.sid), {sticky: true});
        if (fields.length && p.pv) {
          layer.bindPopup(function () { return table(fields, p.pv); }, {maxWidth: 360, autoPan: false});
        }
        layer.on({
          mouseover: function (e) { if (e.target.setStyle) { e.target.setStyle(HOVER); } },
          mouseout: function (e) { if (e.target.setStyle) { gj.resetStyle(e.target); } }
        });
      }
    });
    gj.addData({type: 'FeatureCollection', features: d.features});
    group.addLayer(gj);
    (d.names || []).forEach(function (it) {
      L.marker([it[0], it[1]], {icon: L.divIcon({className: 'ssl-label', html: esc(it[2]), iconSize: null}),
        interactive: false, keyboard: false}).addTo(group);
    });
    return group;
  };
})();
"""

_KEPT = ("nm", "sid", "s", "pv")


def runtime_element() -> folium.MacroElement:
    """The element defining ``window.sslLayer``: add it once to the map (it becomes part of the map's own script).

    Returns
    -------
    branca.element.MacroElement
    """
    return script_element("{{ this.code }}", code=RUNTIME)


def layer_data(gj: Mapping[str, Any], *, names: Sequence[tuple[float, float, str]] | None = None) -> dict[str, Any]:
    """What ``sslLayer`` draws of a display GeoJSON (:func:`gis.render.layer_geojson`).

    Parameters
    ----------
    gj : mapping
        The layer's display GeoJSON: features with ``nm``, ``sid``, ``s`` and ``pv`` properties, ``styles``
        and ``popup_fields``.
    names : sequence of (float, float, str), optional
        Labels to write, ``(lat, lon, text)`` in degrees of the GeoJSON's frame (:func:`gis.render.label_points`).

    Returns
    -------
    dict
        ``styles`` (Leaflet path options), ``fields`` (popup labels), ``features`` (GeoJSON features keeping
        only those properties) and ``names`` (``[lat, lon, text]``, coordinates rounded to 1e-6°).
    """
    features = [
        {"type": "Feature", "geometry": f["geometry"], "properties": {k: f["properties"][k] for k in _KEPT if k in f["properties"]}}
        for f in gj.get("features", [])
    ]
    out: dict[str, Any] = {"styles": list(gj.get("styles", [])), "fields": list(gj.get("popup_fields", [])), "features": features}
    if names:
        out["names"] = [[round(float(lat), 6), round(float(lon), 6), str(text)] for lat, lon, text in names if text]
    return out


def layer_script(gj: Mapping[str, Any], variable: str, *, names: Sequence[tuple[float, float, str]] | None = None) -> str:
    """``var <variable> = sslLayer(<data>);``: the layer as a feature group, not yet added to a map.

    Parameters
    ----------
    gj : mapping
        The layer's display GeoJSON (:func:`gis.render.layer_geojson`).
    variable : str
        The JavaScript variable to hold the group (an identifier made by the caller, never from data).
    names : sequence of (float, float, str), optional
        Labels (see :func:`layer_data`).

    Returns
    -------
    str
        One line of JavaScript, safe inside an HTML ``<script>``.
    """
    if not variable.isidentifier():
        raise ValueError(f"not a JavaScript identifier: {variable!r}")
    return f"var {variable} = sslLayer({js_literal(layer_data(gj, names=names))});"


def layer_element(
    gj: Mapping[str, Any], *, show: bool = True, names: Sequence[tuple[float, float, str]] | None = None
) -> folium.MacroElement:
    """The layer as a folium element for :func:`gis.render.build_map` (a feature group added to its parent map).

    Parameters
    ----------
    gj : mapping
        The layer's display GeoJSON.
    show : bool, keyword-only
        Whether the group is on the map when it opens.
    names : sequence of (float, float, str), optional
        Labels (see :func:`layer_data`).

    Returns
    -------
    branca.element.MacroElement
    """
    return script_element(
        "var {{ this.get_name() }} = sslLayer({{ this.data }}){% if this.show %}.addTo({{ this._parent.get_name() }}){% endif %};",
        data=js_literal(layer_data(gj, names=names)), show=bool(show),
    )
