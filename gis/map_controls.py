"""What makes a web map read like a planning map: north arrow, metric scale, legend on the map, labels, basemaps.

Plan-free, like :mod:`gis.render` (folium is imported lazily). The map is built once with
:class:`MapChrome`; what changes between reruns — the legend, the labels, the basemap — travels in a folium
``FeatureGroup`` (streamlit-folium's ``feature_group_to_add``), so none of it remounts the map:

* :func:`legend_setter` replaces the legend control's content;
* :func:`basemap_setter` swaps the tile layers only when the basemap really changed (the data layers and the
  view stay), and a tile that fails to load shows a notice on the map instead of a silent grey map;
* the data layers themselves are drawn by ``window.sslLayer`` (:mod:`gis.layer_script`).

Every text reaching HTML is escaped here; JSON put into scripts has ``<``, ``>`` and ``&`` escaped so no data
can close a ``<script>``.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["TileSpec", "MapChrome", "safe_color", "legend_html", "legend_setter", "basemap_setter", "js_literal", "script_element"]

#: A tile layer for :func:`basemap_setter`: ``{"url": ..., "options": {...Leaflet TileLayer options}}``.
TileSpec = Mapping[str, Any]

_CSS = (
    ".ssl-north{background:rgba(255,255,255,.9);padding:3px 6px 2px;text-align:center;font:bold 11px sans-serif;"
    "line-height:12px;border-radius:4px}"
    ".ssl-legend{background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;font:12px sans-serif;"
    "max-height:45vh;max-width:240px;overflow:auto;box-shadow:0 1px 4px rgba(0,0,0,.3)}"
    ".ssl-legend .sw{display:inline-block;width:12px;height:12px;margin-right:4px;border:1px solid #555;"
    "vertical-align:-2px}.ssl-legend .st{margin-left:14px}"
    ".ssl-label{background:none;border:none;font:12px sans-serif;color:#222;white-space:nowrap;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;pointer-events:none;margin:-8px 0 0 7px}"  # right of the point
    ".ssl-tile-notice{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;"
    "background:#fff3cd;color:#664d03;border:1px solid #ffda6a;border-radius:4px;padding:6px 10px;"
    "font:13px sans-serif;max-width:70%;box-shadow:0 1px 4px rgba(0,0,0,.3)}"
)
_NORTH_SVG = (
    "<svg width='22' height='30' viewBox='0 0 22 30' aria-hidden='true'>"
    "<polygon points='11,1 20,28 11,21 2,28' fill='#222'/><polygon points='11,1 11,21 2,28' fill='#777'/></svg>"
)


_COLOR_RE = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")


def safe_color(value: object, default: str = "#3388ff") -> str:
    """Return ``value`` if it is a plain CSS colour (``#rgb``, ``#rrggbb[aa]`` or a name), else ``default``.

    Parameters
    ----------
    value : object
        A colour from a layer spec or from data.
    default : str
        Returned for anything else (so no data text can reach a ``style`` attribute).

    Returns
    -------
    str
        A safe CSS colour.
    """
    text = str(value) if value is not None else ""
    return text if _COLOR_RE.match(text) else default


def js_literal(value: Any) -> str:
    r"""``value`` as a JavaScript literal (JSON) that is safe inside an HTML ``<script>`` element.

    Parameters
    ----------
    value : any JSON-serialisable value

    Returns
    -------
    str
        JSON with ``<``, ``>`` and ``&`` written as ``\u003c``, ``\u003e``, ``\u0026``.
    """
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_element(script: str, **values: Any) -> folium.MacroElement:
    """A MacroElement whose script is ``script`` with ``{{ this.<name> }}`` filled from ``values``.

    Data never becomes part of the Jinja template's source (a name like ``{{ 7*7 }}`` stays text): it is
    set as an attribute and substituted, already a safe JS literal, at render time. The template of each
    distinct ``script`` is compiled once per process: a rerun building the same map compiles none.
    """
    from branca.element import MacroElement

    from gis._folium_safe import harden

    harden()  # branca would otherwise compile the rendered output, values included, as a second template
    el = MacroElement()
    el._template = _script_template(script)
    for name, value in values.items():
        setattr(el, name, value)
    return el


@functools.cache
def _script_template(script: str) -> Any:
    from jinja2 import Template

    return Template("{% macro script(this, kwargs) %}" + script + "{% endmacro %}")


class _Chrome:
    """Namespace for the chrome script's template (kept apart so the JS reads as one block)."""

    SCRIPT = """
(function (map) {
  if (!document.getElementById('ssl-map-css')) {
    var css = document.createElement('style'); css.id = 'ssl-map-css'; css.textContent = %(css)s;
    document.head.appendChild(css);
  }
  L.control.scale({metric: true, imperial: false, position: 'bottomleft', maxWidth: 160}).addTo(map);
  var North = L.Control.extend({options: {position: 'topright'}, onAdd: function () {
    var d = L.DomUtil.create('div', 'ssl-north leaflet-control');
    d.title = %(north_title)s; d.innerHTML = %(north)s; return d; }});
  new North().addTo(map);
  var Legend = L.Control.extend({options: {position: 'bottomright'}, onAdd: function () {
    var d = L.DomUtil.create('div', 'ssl-legend leaflet-control');
    L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
    d.style.display = 'none'; return d; }});
  var legend = new Legend(); legend.addTo(map);
  var notice = L.DomUtil.create('div', 'ssl-tile-notice', map.getContainer());
  notice.setAttribute('role', 'status'); notice.style.display = 'none';
  var base = {key: null, layers: []};
  window.sslMap = map;
  window.sslSetLegend = function (h) {
    var c = legend.getContainer(); c.innerHTML = h; c.style.display = h ? '' : 'none'; };
  window.sslSetBasemap = function (key, specs, message) {
    if (key === base.key) { return; }
    base.layers.forEach(function (l) { map.removeLayer(l); });
    notice.style.display = 'none';
    base = {key: key, layers: [], failed: false};
    var mine = base;
    specs.forEach(function (s) {
      var l = new L.TileLayer(s.url, s.options);
      l.on('tileerror', function () {
        if (mine !== base || mine.failed) { return; }
        mine.failed = true; notice.textContent = message; notice.style.display = 'block';
      });
      l.addTo(map); mine.layers.push(l);
    });
  };
})(%(map)s);
"""


def MapChrome(*, north_label: str = "北 N") -> folium.MacroElement:  # noqa: N802 - reads as the element it builds
    """The map's fixed furniture: metric scale bar (bottom left), north arrow (top right), legend box, notice.

    Add it once to the ``folium.Map`` (it becomes part of the map's own script, so it never changes between
    reruns). It defines ``window.sslSetLegend`` and ``window.sslSetBasemap`` used by :func:`legend_setter`
    and :func:`basemap_setter`.

    Parameters
    ----------
    north_label : str, keyword-only
        Text under the arrow (escaped).

    Returns
    -------
    branca.element.MacroElement
    """
    script = _Chrome.SCRIPT % {
        "css": "{{ this.css }}", "north_title": "{{ this.north_title }}", "north": "{{ this.north }}",
        "map": "{{ this._parent.get_name() }}",
    }
    return script_element(
        script, css=js_literal(_CSS), north_title=js_literal(north_label),
        north=js_literal(_NORTH_SVG + "<div>" + html.escape(north_label) + "</div>"),
    )


def legend_html(entries: Sequence[tuple[str, str, bool]]) -> str:
    """The legend's HTML: one row per ``(label, colour, indented)``; labels escaped, colours checked.

    Parameters
    ----------
    entries : sequence of (str, str, bool)
        Label (plain text), CSS colour, whether the row is a status under its layer.

    Returns
    -------
    str
        HTML safe to insert.
    """
    rows = []
    for label, colour, indented in entries:
        cls = " class='st'" if indented else ""
        rows.append(f"<div{cls}><span class='sw' style='background:{safe_color(colour)}'></span>{html.escape(label)}</div>")
    return "".join(rows)


def legend_setter(entries: Sequence[tuple[str, str, bool]]) -> folium.MacroElement:
    """An element (for a feature group) that shows ``entries`` in the map's legend box (see :func:`legend_html`)."""
    return script_element("window.sslSetLegend && window.sslSetLegend({{ this.v_html }});", v_html=js_literal(legend_html(entries)))


def basemap_setter(key: str, tiles: Sequence[TileSpec], *, error_message: str) -> folium.MacroElement:
    """An element (for a feature group) that switches the basemap to ``tiles`` unless ``key`` is already shown.

    Parameters
    ----------
    key : str
        Identifies the basemap (a change of key swaps the tiles; the same key leaves them alone).
    tiles : sequence of TileSpec
        Tile layers bottom first; an empty sequence shows no basemap. Attributions must already be escaped.
    error_message : str, keyword-only
        Plain text shown on the map when a tile cannot be loaded (e.g. no internet), naming what to choose.

    Returns
    -------
    branca.element.MacroElement
    """
    specs = [{"url": str(t["url"]), "options": dict(t.get("options", {}))} for t in tiles]
    return script_element(
        "window.sslSetBasemap && window.sslSetBasemap({{ this.v_key }}, {{ this.specs }}, {{ this.message }});",
        v_key=js_literal(key), specs=js_literal(specs), message=js_literal(error_message),
    )
