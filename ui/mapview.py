"""The shared map widget: plan layers → :mod:`gis.render` → streamlit-folium, plus the feature details panel.

The base map (basemap tiles, measure and draw controls) is built once per basemap and language; the data
layers are passed as ``feature_group_to_add``, so toggling a layer or a status updates the layers without
remounting the map (no blank flash, the view is kept). Each page asks only for the return values it needs
(``returned_objects``).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from gis import layer_script, map_controls, render, settings, tiles
from gis.errors import InputError
from gis.text import display_safe, display_safe_frame, markdown_literal
from layers.mapping import COLOURED_BY_STATUS, STATUS_COLORS, map_layer
from ui import data
from ui.i18n import deadline_label, lang, status_label, t
from ui.map_fit import fit_on_resize
from ui.tile_routes import tile_url

__all__ = [
    "STATUS_COLORS",
    "map_layers",
    "show_map",
    "clicked_id",
    "feature_details",
    "legend",
    "legend_entries",
    "status_words",
    "illustrative_note",
    "tianditu_key",
    "basemap_options",
    "basemap_keys",
    "tile_package",
    "is_gcj02",
    "PACKAGE_PREFIX",
]

#: Basemap keys of configured tile packages are ``"tiles:<package key>"``.
PACKAGE_PREFIX = "tiles:"


_POPUP_FIELDS = (
    "name_zh", "name_en", "status_label", "deadline", "area_mu", "length_km", "plan_ref", "location_note", "id",
)


def tianditu_key() -> str:
    """The Tianditu key from the sidebar (session) or the ``SSL_GIS_TIANDITU_KEY`` environment variable."""
    return str(st.session_state.get("tianditu_key") or settings.tianditu_key()).strip()


def tile_package(basemap: str) -> tiles.ConfiguredPackage | None:
    """The configured tile package a basemap key names (``"tiles:<key>"``), usable or refused; else None."""
    if not basemap.startswith(PACKAGE_PREFIX):
        return None
    return tiles.configured_packages().get(basemap[len(PACKAGE_PREFIX):])


def is_gcj02(basemap: str) -> bool:
    """Whether the data must be shifted to GCJ-02 to sit right on this basemap (Gaode, GCJ-02 packages)."""
    entry = tile_package(basemap)
    if entry is not None:
        return entry.package is not None and entry.package.info.tiling == "gcj02"
    return basemap in render.GCJ02_BASEMAPS


def basemap_keys() -> list[str]:
    """Every basemap key: the built-in ones, then one per configured tile package (``$SSL_GIS_TILE_PACKAGES``)."""
    return [*render.BASEMAPS, *(PACKAGE_PREFIX + key for key in tiles.configured_packages())]


def basemap_options() -> dict[str, str]:
    """Basemap key → label in the current language (Tianditu says when a key is missing).

    Configured tile packages follow, with their name and zoom range read from the package; a refused package
    is listed as unusable (choosing it shows why).
    """
    out = {}
    for key in render.BASEMAPS:
        label = t(f"bm_{key}")
        if key.startswith("tianditu") and not tianditu_key():
            label += t("bm_needs_key")
        out[key] = label
    for key, entry in tiles.configured_packages().items():
        name = display_safe(entry.name)
        if entry.package is None:
            out[PACKAGE_PREFIX + key] = t("bm_package_refused", name=name)
        else:
            info = entry.package.info
            which = "bm_package_gcj02" if info.tiling == "gcj02" else "bm_package"
            out[PACKAGE_PREFIX + key] = t(which, name=name, minzoom=info.minzoom, maxzoom=info.maxzoom)
    return out


def _package_tiles(entry: tiles.ConfiguredPackage) -> list[dict[str, Any]]:
    """A configured package's tiles, served by the app itself (``ui.tile_routes``), as a basemap tile spec."""
    info = entry.package.info  # type: ignore[union-attr]
    w, s, e, n = info.bounds
    return [{
        "url": tile_url(entry.key),
        "options": {
            "attribution": html.escape(info.attribution or info.name),  # Leaflet shows attributions as HTML
            "name": html.escape(info.name),
            # Leaflet scales the package's tiles beyond its zoom range: in to 18 (or two past the deepest level);
            # out by two levels only, below which the layer hides rather than ask for thousands of tiles.
            "minZoom": max(info.minzoom - 2, 0),
            "maxZoom": max(info.maxzoom + 2, 18),
            "minNativeZoom": info.minzoom,
            "maxNativeZoom": info.maxzoom,
            "bounds": [[s, w], [n, e]],
        },
    }]


def _popup_labels() -> list[tuple[str, str]]:
    labels = {
        "area_mu": t("area_mu"), "length_km": t("length_km"), "status_label": t("f_status"),
        "location_note": t("f_location"),
    }
    return [(f, labels.get(f) or t(f"f_{f}")) for f in _POPUP_FIELDS]


@st.cache_resource(show_spinner=False, max_entries=256)
def _prepared(
    name: str, keep: tuple[str, ...] | None, as_of_iso: str | None, hl: tuple[str, ...], coloured: bool,
    only: tuple[str, ...] | None, gcj02: bool, language: str, stamp: str, year: int | None = None,
) -> render.MapLayer:
    """The layer as drawn (labels in ``language``) with its display GeoJSON; cached per inputs and data stamp.

    One object shared by every session and rerun (``st.cache_resource``: no copy, no unpickling of the frame and
    its geometries on each run). Read it, never change it: :func:`map_layers` hands out shallow copies.
    """
    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    # one plan year's view: a feature carried into a later plan shows this year's deadline and target
    gdf = data.year_frame(name, as_of, year) if year is not None and data.layer_spec(name) is not None else data.layer_frame(name, as_of)
    if keep is not None and "status" in gdf.columns:
        gdf = gdf[gdf["status"].astype(str).isin(set(keep))]
    if only is not None and "id" in gdf.columns:
        gdf = gdf[gdf["id"].astype(str).isin(set(only))]
    spec = data.layer_spec(name)
    shown = display_safe_frame(gdf)  # names with bidi overrides or other hidden characters show them escaped
    if "status" in shown.columns:
        shown["status_label"] = [status_label(s, spec) for s in shown["status"].astype(str)]
    if "deadline" in shown.columns:
        shown["deadline"] = [deadline_label(d) for d in shown["deadline"].astype(str)]
    if "illustrative" in shown.columns:  # said on screen, in every popup: never presented as surveyed
        shown["location_note"] = [t("illustrative") if bool(v) else t("not_illustrative") for v in shown["illustrative"]]
    layer = _layer(name, shown, coloured=coloured, highlight=set(hl))
    layer.geojson = render.layer_geojson(layer, gcj02=gcj02)
    layer.feature_style = None  # drawn from the GeoJSON's styles
    return layer


def _layer(name: str, shown: gpd.GeoDataFrame, *, coloured: bool, highlight: set[str]) -> render.MapLayer:
    spec = data.layer_spec(name)
    options: dict[str, Any] = {
        "tooltip_field": "name_zh" if lang() == "zh" or "name_en" not in shown.columns else "name_en",
        "highlight_ids": frozenset(highlight),
    }
    if spec is None:  # an uploaded layer the plan does not know
        return render.MapLayer(
            name=name, title=name, gdf=shown, style={"color": "#8e44ad"},
            status_colors=STATUS_COLORS if coloured else {}, popup_fields=_popup_labels(), **options,
        )
    title = spec.title_zh if lang() == "zh" else spec.title_en
    return map_layer(name, shown, title=title, popup_fields=_popup_labels(), coloured=coloured, **options)


def map_layers(
    names: Sequence[str],
    *,
    statuses: Iterable[str] | None = None,
    as_of: date | None = None,
    highlight: dict[str, set[str]] | None = None,
    by_status: Iterable[str] | None = None,
    only_ids: dict[str, set[str]] | None = None,
    basemap: str = "none",
    year: int | None = None,
) -> list[render.MapLayer]:
    """MapLayers of the named layers, filtered to ``statuses``, with spec styles and status colours.

    Each layer is prepared once per inputs and data stamp and shared (``st.cache_resource``), so a rerun or a
    new session that changes nothing in a layer costs no geometry work and no copy; the frames and GeoJSON of
    the returned layers are shared: read them, never change them.

    Parameters
    ----------
    names : sequence of str
        Layers to draw, bottom first.
    statuses : iterable of str, optional
        Keep only features in these statuses (None keeps all).
    as_of : datetime.date, optional
        Replay statuses to that day.
    highlight : dict, optional
        ``layer -> ids`` drawn highlighted.
    by_status : iterable of str, optional
        Layers coloured by status (default: the tracked-item layers).
    only_ids : dict, optional
        ``layer -> ids``: draw only these features of that layer.
    basemap : str
        The basemap the layers will be drawn on (GCJ-02 basemaps shift the data for display).
    year : int, optional
        Draw the plan layers as that plan year has them (:func:`ui.data.year_frame`); None: as they are now.
    """
    out = []
    coloured = set(by_status) if by_status is not None else COLOURED_BY_STATUS
    keep = tuple(sorted(statuses)) if statuses is not None else None
    stamp = data.store_stamp()
    gcj = is_gcj02(basemap)
    for name in names:
        hl = tuple(sorted((highlight or {}).get(name, set())))
        only = tuple(sorted(only_ids[name])) if only_ids and name in only_ids else None
        prepared = _prepared(name, keep, as_of.isoformat() if as_of else None, hl, name in coloured, only, gcj, lang(), stamp, year)
        out.append(dataclasses.replace(prepared))  # the caller may set fields; the frame and GeoJSON are shared
    return out


def legend_entries(map_layers_: Sequence[render.MapLayer]) -> list[tuple[str, str, bool]]:
    """Rows of the legend on the map: each layer's title and count, then its statuses in the layer's own word.

    A road's ``completed`` reads 通车 and a substation's 投用 (:func:`ui.i18n.status_label` with the layer),
    the same word as on the layer's board.

    Returns
    -------
    list of (str, str, bool)
        ``(label, colour, indented)`` rows for :func:`gis.map_controls.legend_html`; labels plain text.
    """
    return [
        row
        for layer in map_layers_
        for row in render.legend_entries([layer], {s: status_label(s, layer.name) for s in STATUS_COLORS})
    ]


def status_words(map_layers_: Sequence[render.MapLayer]) -> dict[str, str]:
    """The statuses present in the status-coloured layers, each in the words of the layers that show it.

    Returns
    -------
    dict
        ``status -> label`` in :data:`STATUS_COLORS` order; where two layers say it differently the words are
        joined (``通车 / 投用``).
    """
    words: dict[str, list[str]] = {}
    for layer in map_layers_:
        if not layer.status_colors or "status" not in layer.gdf.columns:
            continue
        for status in set(layer.gdf["status"].astype(str)) & set(STATUS_COLORS):
            word = status_label(status, layer.name)
            if word not in words.setdefault(status, []):
                words[status].append(word)
    return {s: " / ".join(words[s]) for s in STATUS_COLORS if s in words}


def legend(map_layers_: Sequence[render.MapLayer]) -> None:
    """A legend beside the map: each layer's colour, and the status colours present in each layer's word (escaped)."""
    parts = []
    for layer in map_layers_:
        colour = render.safe_color(layer.style.get("color"))
        parts.append(
            f"<span style='white-space:nowrap;margin-right:12px'><span style='display:inline-block;width:12px;height:12px;"
            f"background:{colour};border:1px solid #555;margin-right:4px'></span>{html.escape(layer.title)} ({len(layer.gdf)})</span>"
        )
    for status, word in status_words(map_layers_).items():
        parts.append(
            f"<span style='white-space:nowrap;margin-right:12px'><span style='display:inline-block;width:12px;height:4px;"
            f"background:{STATUS_COLORS[status]};margin-right:4px;vertical-align:middle'></span>{html.escape(word)}</span>"
        )
    st.markdown("<div class='ssl-legend'>" + " ".join(parts) + "</div>", unsafe_allow_html=True)
    illustrative_note(map_layers_)


def illustrative_note(map_layers_: Sequence[render.MapLayer]) -> None:
    """Say under the map how many of the shown features are drawn at illustrative positions (if any)."""
    shown = sum(len(layer.gdf) for layer in map_layers_)
    illustrative = sum(
        int(layer.gdf["illustrative"].astype(bool).sum()) for layer in map_layers_ if "illustrative" in layer.gdf.columns
    )
    if illustrative:
        st.caption(t("illustrative_count").format(n=illustrative, total=shown))


def _safe(layer: render.MapLayer) -> render.MapLayer:
    """A layer not prepared by :func:`map_layers` (an upload's preview) with its text made display-safe."""
    return dataclasses.replace(layer, gdf=display_safe_frame(layer.gdf))


def show_map(
    map_layers_: Sequence[render.MapLayer],
    *,
    key: str,
    basemap: str = "none",
    returned_objects: Sequence[str] = ("last_object_clicked_tooltip",),
    center: tuple[float, float] | None = None,
    zoom: int = 12,
    focus: tuple[float, float] | None = None,
    focus_zoom: int | None = None,
    draw: bool = False,
    height: int = 560,
    fit_bounds: tuple[float, float, float, float] | None = None,
    labels: bool = False,
    legend_on_map: bool = False,
) -> dict[str, Any]:
    """Draw the map and return what the page asked for.

    The map itself (view, measure and draw controls, metric scale bar, north arrow) is built the same on every
    rerun, so its widget stays mounted; the data layers, their labels, the legend and the basemap's tiles
    travel in streamlit-folium's ``feature_group_to_add`` and change in place (no blank map, no jump).

    Parameters
    ----------
    map_layers_ : sequence of gis.render.MapLayer
        Data layers; passed as feature groups so they update without remounting the map.
    key : str
        Stable widget key.
    basemap : str
        One of :func:`basemap_keys`; Tianditu without a key falls back to "none" with a warning, a refused
        tile package to "none" with its reason on screen. An online basemap that cannot load says so on the map.
    returned_objects : sequence of str
        streamlit-folium return values this page needs (each one makes interactions rerun the page).
    center, zoom : initial view (lat, lon in degrees WGS 84; zoom level).
    focus, focus_zoom : optional view to move to without remounting (search result).
    draw : bool
        Add the draw toolbar (returns ``all_drawings``).
    height : int
        Pixels.
    fit_bounds : (min lon, min lat, max lon, max lat), optional
        Degrees WGS 84: frame the view on them instead of ``center``/``zoom`` (an upload's preview).
    labels : bool
        Write each feature's name on the map.
    legend_on_map : bool
        Show the layers' legend inside the map (bottom right).

    Returns
    -------
    dict
        streamlit-folium's return value (only ``returned_objects``), ``{}`` if none.
    """
    import folium

    # both declare a Streamlit component, which registers only when declared in a page run (ui.warmup
    # imports this module on a thread without one)
    from streamlit_folium import st_folium

    from ui.map_assets import ASSET_BASE

    package = tile_package(basemap)
    if basemap.startswith(PACKAGE_PREFIX) and (package is None or package.package is None):
        reason = package.error if package is not None else None
        text = (reason.zh if lang() == "zh" else reason.en) if reason is not None else basemap
        st.error(t("tiles_refused", reason=markdown_literal(display_safe(text))))
        basemap, package = "none", None
    try:
        tile_specs = _package_tiles(package) if package is not None else render.basemap_tiles(basemap, tianditu_key())
    except InputError:
        st.warning(t("tianditu_missing"))
        basemap, tile_specs = "none", []
    gcj = is_gcj02(basemap)
    m = render.build_map(
        [], basemap="none", center=center, zoom=zoom, measure=True, draw=draw, legend=False, language=lang(),
        asset_base=ASSET_BASE, north_label=t("map_north"),
    )
    if fit_bounds is not None:  # an upload's preview: framed on the data, not on the zone
        w, s_, e, n = fit_bounds
        if gcj:
            (w, s_), (e, n) = render.transform_frame_point(w, s_), render.transform_frame_point(e, n)
        fit_on_resize(m, (w, s_, e, n))
    # The data layers are handed over as feature groups, so changing them does not remount the map. Each is
    # one call of the map's own sslLayer with the layer's display data (gis.layer_script), not folium's
    # generated code: less than half the bytes for a new session's browser to receive and run.
    groups: list[Any] = []
    for idx, layer in enumerate(map_layers_):
        gj = layer.geojson if layer.geojson is not None else render.layer_geojson(_safe(layer), gcj02=gcj)
        names = render.label_points(gj) if labels else None
        groups.append(_script_group(layer_script.layer_script(gj, f"feature_group_feature_group_{idx}", names=names)))
    # The basemap and the legend ride along in their own group: a new basemap swaps tiles, nothing else.
    chrome = folium.FeatureGroup(name="ssl-chrome", control=False)
    map_controls.basemap_setter(basemap, tile_specs, error_message=t("basemap_failed")).add_to(chrome)
    if legend_on_map:
        map_controls.legend_setter(legend_entries(map_layers_)).add_to(chrome)
    groups.append(chrome)
    if focus is not None and gcj:
        x, y = render.transform_frame_point(focus[1], focus[0])
        focus = (y, x)
    result = st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(returned_objects),
        feature_group_to_add=groups,
        center=focus,
        zoom=focus_zoom,
    )
    return result or {}


@functools.cache
def _script_group_class() -> type:
    """The folium element class carrying a layer's script (made once: its template compiles once)."""
    from branca.element import MacroElement
    from jinja2 import Template

    class _ScriptGroup(MacroElement):
        _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

        def __init__(self, code: str) -> None:
            super().__init__()
            self._name = "FeatureGroup"
            self.code = code

        def render(self, **kwargs: Any) -> None:
            # streamlit-folium reads only this element's script macro; a folium element would also add its
            # script to the figure as a new template
            return None

    return _ScriptGroup


def _script_group(code: str) -> Any:
    """A feature group for streamlit-folium whose script is ``code``.

    ``code`` must define ``feature_group_feature_group_<position>``: streamlit-folium adds that variable to the map.
    """
    return _script_group_class()(code)


_TIP_ID = re.compile(r"·\s*([^\s·]+)\s*$")


def clicked_id(result: dict[str, Any]) -> str | None:
    """The id of the feature last clicked (from its tooltip ``name · id``), or None."""
    tip = (result or {}).get("last_object_clicked_tooltip")
    if not tip:
        return None
    match = _TIP_ID.search(str(tip).strip())
    return match.group(1) if match else None


def feature_details(row: pd.Series | dict, spec: Any | None = None) -> None:
    """All fields of one feature, with area in 亩 or length in km, status, deadline and the plan's words.

    Every value is shown through Streamlit's own escaping (dataframe cells, ``st.text``), never as HTML.
    """
    row = dict(row)
    name = row.get("name_zh" if lang() == "zh" else "name_en") or row.get("name_zh") or row.get("id")
    st.subheader(markdown_literal(name), anchor=False)  # a name is text, never Markdown (no links, no emphasis)
    if "illustrative" in row:
        st.caption(t("illustrative") if bool(row.get("illustrative")) else t("not_illustrative"))
    quote = row.get("plan_quote")
    if quote:
        st.markdown(f"**{t('plan_source')}** {markdown_literal(row.get('plan_ref', ''))}")
        st.text(display_safe(quote, keep_newlines=True))
    rows = []
    for field, value in row.items():
        if field in {"geometry", "plan_quote"}:
            continue
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        label = t("area_mu") if field == "area_mu" else t("length_km") if field == "length_km" else t(f"f_{field}")
        if field == "status":
            value = status_label(str(value), spec)
        elif field == "deadline":
            value = deadline_label(str(value))
        elif isinstance(value, float):
            value = f"{value:,.2f}"
        rows.append({t("field"): label if not label.startswith("f_") else display_safe(field), t("value"): display_safe(value)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"details_{row.get('id', '')}")
