"""Build folium maps from GeoDataFrames: layers, styles, tooltips, basemaps and locally served assets.

This is the one module of ``gis`` that imports folium (lazily, inside the functions), so ``import gis``
stays light. It knows nothing of the plan: callers pass :class:`MapLayer` objects carrying a frame in
EPSG:4326, a Leaflet style and the fields to show.

Rules kept here:

* every text taken from data is escaped before it reaches HTML: the legend and layer names here, the
  tooltips, popups and labels in the browser (:mod:`gis.layer_script`), which receives them as plain text;
* geometry is simplified and coordinates rounded **for display only** (:func:`prepare_for_display`
  returns a new frame; nothing computed or exported goes through it);
* the data is shifted to GCJ-02 only when a GCJ-02 basemap (Gaode/AMap) is chosen;
* Leaflet and its plugins are loaded from ``asset_base`` (served by the app) instead of a CDN, so the map
  works with no internet.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np
import shapely

from gis import layer_script, map_controls
from gis._folium_safe import harden
from gis._records import records as frame_records
from gis.crs import transform_frame, transform_geometries
from gis.errors import InputError
from gis.map_controls import safe_color

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

__all__ = [
    "BASEMAPS",
    "GCJ02_BASEMAPS",
    "ASSET_FILES",
    "DONGGUAN_CENTER",
    "MapLayer",
    "basemap_tiles",
    "legend_entries",
    "label_points",
    "fit_view",
    "safe_color",
    "prepare_for_display",
    "build_map",
    "layer_geojson",
    "feature_group",
    "localise_assets",
    "map_html",
]

_LOG = logging.getLogger(__name__)

#: Default view: Songshan Lake (lat, lon in degrees, WGS 84).
DONGGUAN_CENTER: tuple[float, float] = (22.92, 113.89)

#: Basemap keys. "none" needs no network at all.
BASEMAPS: tuple[str, ...] = ("none", "osm", "gaode_vector", "gaode_satellite", "tianditu_vector", "tianditu_satellite")
#: Basemaps drawn in GCJ-02: the data is shifted on display when one of them is chosen.
GCJ02_BASEMAPS: frozenset[str] = frozenset({"gaode_vector", "gaode_satellite"})

_TIANDITU = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}" \
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
_GAODE = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
_GAODE_SAT = "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}"
_GAODE_LABELS = "https://webst0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"

#: Which local file replaces each CDN asset folium and its plugins ask for (by folium's asset name).
#: ``None`` drops the asset: the map draws no awesome-marker icons and needs neither jQuery nor Bootstrap.
ASSET_FILES: dict[str, str | None] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "leaflet_measure_js": "leaflet-measure/leaflet-measure.js",
    "leaflet_measure_css": "leaflet-measure/leaflet-measure.css",
    "leaflet_draw_js": "leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": "leaflet-draw/leaflet.draw.css",
    "jquery": None,
    "bootstrap": None,
    "awesome_markers": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
}

_M_PER_DEG = 111_320.0  # metres per degree of latitude; display tolerance only
_STYLE_KEYS = frozenset({"color", "weight", "opacity", "fillColor", "fillOpacity", "dashArray", "radius"})
_SNAKE = {"fill_color": "fillColor", "fill_opacity": "fillOpacity", "dash_array": "dashArray"}


def _leaflet_style(style: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet path options from a spec style (snake_case or camelCase), colours checked."""
    out: dict[str, Any] = {}
    for key, value in style.items():
        key = _SNAKE.get(key, key)
        if key not in _STYLE_KEYS:
            continue
        if key in {"color", "fillColor"}:
            value = safe_color(value)
        elif key == "dashArray":
            value = re.sub(r"[^0-9, ]", "", str(value))
        else:
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
        out[key] = value
    return out


@dataclass
class MapLayer:
    """One layer to draw.

    Attributes
    ----------
    name : str
        Stable key (e.g. ``"roads"``); used in element names.
    title : str
        Display title (layer control and legend); escaped when rendered.
    gdf : geopandas.GeoDataFrame
        Features in EPSG:4326 (already filtered by the caller).
    style : dict
        Leaflet path options (``color``, ``weight``, ``fillColor``, ``fillOpacity``, ``radius`` in pixels,
        ``dashArray``).
    status_colors : dict
        Optional ``status -> colour``; a feature's ``status`` picks its stroke and fill colour.
    tooltip_field : str
        Field shown on hover (the name); the feature ``id`` is appended so a click can be traced back.
    popup_fields : list of (field, label)
        Fields shown in the click popup, in order; values are escaped.
    show : bool
        Whether the layer is drawn on load.
    highlight_ids : frozenset of str
        Ids drawn highlighted (magenta, thicker), e.g. uncovered features or a search hit.
    feature_style : callable, optional
        ``row -> style`` for per-feature styles (e.g. by kind or action); merged over ``style``,
        under the status colour.
    geojson : dict, optional
        A cached result of :func:`layer_geojson` for this layer; drawn instead of recomputing it.
    """

    name: str
    title: str
    gdf: gpd.GeoDataFrame
    style: dict[str, Any] = field(default_factory=dict)
    status_colors: dict[str, str] = field(default_factory=dict)
    tooltip_field: str = "name_zh"
    popup_fields: list[tuple[str, str]] = field(default_factory=list)
    show: bool = True
    highlight_ids: frozenset[str] = frozenset()
    feature_style: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    geojson: dict[str, Any] | None = None


def prepare_for_display(
    gdf: gpd.GeoDataFrame, *, simplify_m: float = 1.0, decimals: int = 6, gcj02: bool = False
) -> gpd.GeoDataFrame:
    """Return a lighter copy of a frame for drawing: simplified, rounded and, if asked, shifted to GCJ-02.

    Display only: never use the result to measure or export.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in EPSG:4326.
    simplify_m : float, keyword-only
        Simplification tolerance in metres (converted at ~111.32 km per degree; 0 disables). Topology of
        each polygon is preserved.
    decimals : int, keyword-only
        Decimal places kept in degrees (6 ≈ 0.1 m, 5 ≈ 1.1 m).
    gcj02 : bool, keyword-only
        Shift to GCJ-02 for a Gaode/AMap basemap.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame, labelled EPSG:4326.
    """
    out = gdf.copy()
    if out.crs is not None and out.crs.to_epsg() != 4326:
        out = out.to_crs("EPSG:4326")
    if gcj02:
        out = transform_frame(out, "wgs84-to-gcj02")
    out[out.geometry.name] = _simplify_round(out.geometry.values, simplify_m=simplify_m, decimals=decimals)
    return out


def _simplify_round(geoms: Any, *, simplify_m: float, decimals: int) -> np.ndarray:
    """:func:`prepare_for_display`'s geometry steps on an array of geometries in degrees: simplify, then round."""
    arr = np.asarray(geoms, dtype=object)
    if simplify_m > 0:
        arr = shapely.simplify(arr, simplify_m / _M_PER_DEG, preserve_topology=True)
    scale = 10.0**decimals
    return shapely.transform(arr, lambda xy: np.round(xy * scale) / scale)


def _display_geometries(geoms: Any, crs: Any, *, gcj02: bool, simplify_m: float, decimals: int) -> np.ndarray:
    """The geometries :func:`prepare_for_display` gives for a frame of ``geoms`` in ``crs``, as an array.

    In EPSG:4326 (every layer of the app) without building a frame; in any other CRS through
    :func:`prepare_for_display` itself.
    """
    if crs is None or crs.to_epsg() != 4326:
        import geopandas as gpd

        frame = gpd.GeoDataFrame(geometry=geoms, crs=crs)
        shown = prepare_for_display(frame, gcj02=gcj02, simplify_m=simplify_m, decimals=decimals)
        return np.asarray(shown.geometry.values, dtype=object)
    if gcj02:
        geoms = transform_geometries(geoms, "wgs84-to-gcj02")
    return _simplify_round(geoms, simplify_m=simplify_m, decimals=decimals)


def _total_bounds(geoms: np.ndarray) -> list[float]:
    """``[west, south, east, north]`` of the geometries, as ``GeometryArray.total_bounds`` computes them."""
    b = shapely.bounds(geoms)
    with warnings.catch_warnings():  # all-empty: NaN, as geopandas gives
        warnings.filterwarnings("ignore", r"All-NaN slice encountered", RuntimeWarning)
        return [float(v) for v in (np.nanmin(b[:, 0]), np.nanmin(b[:, 1]), np.nanmax(b[:, 2]), np.nanmax(b[:, 3]))]


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return f"{value:,.2f}"
    return str(value)


def _texts(src: gpd.GeoDataFrame, column: str) -> list[Any]:
    """A column as ``astype(str)`` gives it (missing values stay missing), as a plain list."""
    return src[column].astype(str).tolist()


def _display_frame(
    layer: MapLayer, *, gcj02: bool, simplify_m: float, decimals: int
) -> tuple[list[int], Any, dict[str, list[Any]], list[dict[str, Any]]]:
    """Only what the browser needs, as plain lists (escaped where the browser draws them).

    Returns the positions of the features that have a geometry, their display geometries (an array:
    simplified, rounded, shifted to GCJ-02 if asked), the properties of those features by key (``nm``, ``sid``,
    ``st``, ``hl``, ``sx`` with ``feature_style``, ``pv`` with popup fields) and the distinct per-feature styles.
    Built from lists, not a frame of the properties: the layers are tens of features and pandas' per-operation
    cost was most of the work.
    """
    src = layer.gdf
    n = len(src)
    ids = _texts(src, "id") if "id" in src.columns else [str(i) for i in src.index]
    names = _texts(src, layer.tooltip_field) if layer.tooltip_field in src.columns else ids
    props: dict[str, list[Any]] = {
        "nm": names,
        "sid": ids,
        "st": _texts(src, "status") if "status" in src.columns else [""] * n,
        "hl": [i in layer.highlight_ids for i in ids],
    }
    shown = [key for key, _label in layer.popup_fields if key in src.columns]
    if layer.feature_style is not None:
        geometry_name = src.geometry.name
        records = frame_records(src, [c for c in src.columns if c != geometry_name])
        index: dict[str, int] = {}
        sx = []
        for rec in records:
            key = json.dumps(_leaflet_style(layer.feature_style(rec)), sort_keys=True)
            sx.append(index.setdefault(key, len(index)))
        props["sx"] = sx
        frame_styles = [json.loads(k) for k in index]
    else:
        frame_styles = []
    if shown:
        columns = [[_fmt(v) for v in src[key].tolist()] for key in shown]
        props["pv"] = [list(values) for values in zip(*columns)]
    geoms = src.geometry.values
    keep = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    kept = props if len(keep) == n else {k: [v[i] for i in keep] for k, v in props.items()}
    shown_geoms = _display_geometries(geoms[keep], src.crs, gcj02=gcj02, simplify_m=simplify_m, decimals=decimals)
    return keep.tolist(), shown_geoms, kept, frame_styles


def basemap_tiles(basemap: str, tianditu_key: str | None = None) -> list[dict[str, Any]]:
    """The tile layers of a built-in basemap, bottom first, as ``{"url", "options"}`` (Leaflet TileLayer options).

    Parameters
    ----------
    basemap : str
        One of :data:`BASEMAPS`; ``"none"`` has no tiles.
    tianditu_key : str, optional
        The user's Tianditu key (URL-quoted into the tile URL).

    Returns
    -------
    list of dict
        ``url`` (a Leaflet URL template) and ``options`` (``attribution`` — HTML, already safe —,
        ``subdomains``, ``maxZoom``, ``name``).

    Raises
    ------
    gis.errors.InputError
        Unknown basemap, or Tianditu without a key.
    """
    if basemap not in BASEMAPS:
        raise InputError(f"未知底图 {basemap!r}", f"unknown basemap {basemap!r}")
    if basemap == "none":
        return []
    if basemap == "osm":
        return [{"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                 "options": {"attribution": "© OpenStreetMap contributors", "name": "OSM", "maxZoom": 19}}]
    if basemap.startswith("gaode"):
        attr = "© 高德地图 AutoNavi (GCJ-02)"
        url = _GAODE if basemap == "gaode_vector" else _GAODE_SAT
        out = [{"url": url, "options": {"attribution": attr, "name": "高德 Gaode", "subdomains": "1234", "maxZoom": 18}}]
        if basemap == "gaode_satellite":
            out.append({"url": _GAODE_LABELS, "options": {"attribution": attr, "name": "高德注记", "subdomains": "1234", "maxZoom": 18}})
        return out
    key = (tianditu_key or "").strip()
    if not key:
        raise InputError(
            "天地图底图需要密钥：在设置中填写，或设置环境变量 SSL_GIS_TIANDITU_KEY",
            "the Tianditu basemap needs a key: enter it in the settings or set SSL_GIS_TIANDITU_KEY",
        )
    tk = quote(key, safe="")
    base, labels = ("vec", "cva") if basemap == "tianditu_vector" else ("img", "cia")
    opts = {"attribution": "© 天地图 Tianditu", "subdomains": "01234567", "maxZoom": 18}
    return [
        {"url": _TIANDITU.format(s="{s}", layer=base, key=tk), "options": {**opts, "name": "天地图"}},
        {"url": _TIANDITU.format(s="{s}", layer=labels, key=tk), "options": {**opts, "name": "天地图注记"}},
    ]


def _basemap(m: folium.Map, basemap: str, tianditu_key: str | None) -> None:
    import folium

    for i, tile in enumerate(basemap_tiles(basemap, tianditu_key)):
        opts = dict(tile["options"])
        folium.TileLayer(
            tile["url"], attr=opts.pop("attribution"), name=opts.pop("name"), max_zoom=opts.pop("maxZoom", 18),
            overlay=i > 0, **({"subdomains": opts.pop("subdomains")} if "subdomains" in opts else {}),
        ).add_to(m)


def legend_entries(layers: Sequence[MapLayer], status_labels: Mapping[str, str]) -> list[tuple[str, str, bool]]:
    """Legend rows of the shown layers: ``(title (count), colour, False)`` then ``(status, colour, True)`` rows.

    Parameters
    ----------
    layers : sequence of MapLayer
        The drawn layers; a status row is listed only for statuses present in the layer.
    status_labels : mapping
        ``status -> display label``.

    Returns
    -------
    list of (str, str, bool)
        Plain-text labels (escaped when rendered), CSS colours, indented flag.
    """
    rows: list[tuple[str, str, bool]] = []
    for layer in layers:
        if not layer.show:
            continue
        rows.append((f"{layer.title} ({len(layer.gdf)})", _leaflet_style(layer.style).get("color", "#3388ff"), False))
        present = set(layer.gdf["status"].astype(str)) if "status" in layer.gdf.columns else set()
        for status, col in layer.status_colors.items():
            if status in present:
                rows.append((status_labels.get(status, status), safe_color(col), True))
    return rows


def label_points(gj: Mapping[str, Any]) -> list[tuple[float, float, str]]:
    """Where to write each feature's name: ``(lat, lon, name)`` at a point inside it, from :func:`layer_geojson`.

    Returns
    -------
    list of (float, float, str)
        Degrees in the GeoJSON's own frame (shifted already for GCJ-02); names as plain text.
    """
    out = []
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in gj.get("features", [])]) if gj.get("features") else []
    for f, g in zip(gj.get("features", []), geoms):
        name = str(f["properties"].get("nm", ""))
        if not name or g is None or g.is_empty:
            continue
        p = g.representative_point() if g.geom_type != "Point" else g
        out.append((float(p.y), float(p.x), name))
    return out


def fit_view(
    bounds: Sequence[float], *, width_px: int = 800, height_px: int = 560, padding_px: int = 60, max_zoom: int = 17
) -> tuple[float, float, int]:
    """Centre and the deepest zoom at which ``bounds`` fit a map of the given size with padding.

    Parameters
    ----------
    bounds : (west, south, east, north)
        Degrees.
    width_px, height_px, padding_px : int, keyword-only
        Map size and the free margin kept on each side, in CSS pixels.
    max_zoom : int, keyword-only
        Never zoom closer than this (a point would otherwise fill the screen).

    Returns
    -------
    (lat, lon, zoom)
    """
    import math

    west, south, east, north = (float(v) for v in bounds)

    def merc_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max((east - west) / 360.0, 1e-12)
    dy = max((merc_y(north) - merc_y(south)) / (2 * math.pi), 1e-12)
    usable_w, usable_h = max(width_px - 2 * padding_px, 32), max(height_px - 2 * padding_px, 32)
    zoom = int(math.floor(min(math.log2(usable_w / (256 * dx)), math.log2(usable_h / (256 * dy)))))
    return (south + north) / 2, (west + east) / 2, max(0, min(zoom, max_zoom))


def layer_geojson(layer: MapLayer, *, gcj02: bool = False, simplify_m: float = 1.0, decimals: int = 6) -> dict[str, Any]:
    """The display GeoJSON of a layer: escaped texts, final styles, simplified and rounded geometry.

    This is the expensive, cacheable part of drawing a layer (callers may cache it and pass it back as
    ``MapLayer.geojson``).

    Parameters
    ----------
    layer : MapLayer
        The layer (frame in EPSG:4326).
    gcj02 : bool, keyword-only
        Shift to GCJ-02 for a Gaode/AMap basemap.
    simplify_m : float, keyword-only
        Display simplification tolerance in metres.
    decimals : int, keyword-only
        Decimal places of coordinates.

    Returns
    -------
    dict
        A FeatureCollection with ``bbox`` (lon/lat degrees), ``styles`` (the distinct Leaflet styles; each
        feature's ``s`` property indexes it) and ``popup_fields`` (the popup's labels, in order). Properties,
        plain text: ``nm`` (the name shown on hover), ``sid`` (id), ``st`` (status), ``pv`` (the popup's values
        as displayed, one per label, ``""`` when empty). :mod:`gis.layer_script` draws it, escaping every text.
    """
    empty = {"type": "FeatureCollection", "features": [], "bbox": None, "styles": [], "popup_fields": []}
    if layer.gdf is None or len(layer.gdf) == 0:
        return empty
    positions, geoms, props, per_feature = _display_frame(layer, gcj02=gcj02, simplify_m=simplify_m, decimals=decimals)
    if len(positions) == 0:
        return empty
    base = _leaflet_style(layer.style)
    base.setdefault("color", "#3388ff")
    base.setdefault("fillColor", base["color"])
    base.setdefault("radius", 6.0)
    colors = {k: safe_color(v) for k, v in layer.status_colors.items()}
    styles: dict[str, int] = {}
    style_index = []
    for sx, st_, hl in zip(props.get("sx", [None] * len(positions)), props["st"], props["hl"], strict=True):
        out = dict(base)
        if sx is not None and per_feature:
            out.update(per_feature[int(sx)])
        col = colors.get(st_)
        if col:
            out["color"] = col
            if "fillColor" not in (per_feature[int(sx)] if sx is not None and per_feature else {}):
                out["fillColor"] = col
        if hl:
            out["color"] = "#ff00ff"
            out["fillColor"] = "#ff00ff"
            out["weight"] = max(float(out.get("weight", 2)), 4.0)
        key = json.dumps(out, sort_keys=True)
        style_index.append(styles.setdefault(key, len(styles)))
    # the features as GeoDataFrame.__geo_interface__ gave them (same keys in the same order: id is the
    # feature's position in the layer, properties nm, sid, st, pv, s), without a frame of the properties
    keys = [k for k in ("nm", "sid", "st", "pv") if k in props]
    columns = [props[k] for k in keys]
    features = []
    for i, pos in enumerate(positions):
        properties = {k: _null_if_missing(col[i]) for k, col in zip(keys, columns, strict=True)}
        properties["s"] = style_index[i]
        features.append({"id": str(pos), "type": "Feature", "properties": properties, "geometry": shapely.geometry.mapping(geoms[i])})
    return {
        "type": "FeatureCollection",
        "features": features,
        "bbox": _total_bounds(geoms),
        "styles": [json.loads(k) for k in styles],
        "popup_fields": [label for key, label in layer.popup_fields if key in layer.gdf.columns],
    }


def _null_if_missing(value: Any) -> Any:
    """``None`` for a missing scalar (NaN, pd.NA, None), as ``__geo_interface__`` wrote it; other values as they are."""
    if isinstance(value, list):
        return value
    try:
        import pandas as pd

        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def feature_group(layer: MapLayer, gj: Mapping[str, Any], *, labels: bool = False) -> folium.MacroElement:
    """The map element drawing ``gj`` (from :func:`layer_geojson`): hover tooltip, click popup, optional labels.

    Points are drawn as circle markers (SVG paths), so no marker icon image is needed. The element is a
    feature group made by the map's ``sslLayer`` (:mod:`gis.layer_script`, added to every map by
    :func:`build_map`); texts are escaped where the browser draws them.

    Parameters
    ----------
    layer : MapLayer
        The layer (``show``: on the map when it opens).
    gj : mapping
        Its display GeoJSON.
    labels : bool, keyword-only
        Write each feature's name on the map (:func:`label_points`).
    """
    return layer_script.layer_element(gj, show=layer.show, names=label_points(gj) if labels else None)


def build_map(
    layers: Sequence[MapLayer],
    *,
    basemap: str = "none",
    tianditu_key: str | None = None,
    center: tuple[float, float] | None = None,
    zoom: int = 11,
    fit_bounds: bool = False,
    measure: bool = True,
    draw: bool = False,
    legend: bool = True,
    status_labels: Mapping[str, str] | None = None,
    language: str = "zh",
    asset_base: str | None = None,
    simplify_m: float = 1.0,
    decimals: int = 6,
    labels: bool = False,
    north_label: str = "北 N",
) -> folium.Map:
    """Build a folium map of the given layers.

    Parameters
    ----------
    layers : sequence of MapLayer
        Layers to draw, bottom first; frames in EPSG:4326.
    basemap : str, keyword-only
        One of :data:`BASEMAPS`; ``"none"`` draws no tiles and needs no network.
    tianditu_key : str, optional, keyword-only
        The user's Tianditu key (required for the Tianditu basemaps; URL-quoted into the tile URL).
    center : (lat, lon), optional, keyword-only
        Initial centre in degrees (WGS 84; shifted with the data for a GCJ-02 basemap).
    zoom : int, keyword-only
        Initial zoom level.
    fit_bounds : bool, keyword-only
        Fit the view to all drawn features instead of ``center``/``zoom``.
    measure, draw, legend : bool, keyword-only
        Add the measure control (lengths in m/km, areas in m²/亩/ha), the draw toolbar, the legend.
    status_labels : mapping, optional, keyword-only
        ``status -> display label`` for the legend.
    language : {"zh", "en"}, keyword-only
        Language of the measure control.
    asset_base : str, optional, keyword-only
        URL prefix (ending in ``/``) where the files of ``ui/assets`` are served; when given, every CDN
        asset is replaced by the local file (see :func:`localise_assets`).
    simplify_m : float, keyword-only
        Display simplification tolerance in metres.
    decimals : int, keyword-only
        Decimal places of displayed coordinates.
    labels : bool, keyword-only
        Write each feature's name on the map.
    north_label : str, keyword-only
        Text under the north arrow. Every map has a metric scale bar and a north arrow.

    Returns
    -------
    folium.Map
        The map; render it with :func:`map_html` or ``streamlit_folium.st_folium``.

    Raises
    ------
    gis.errors.InputError
        Unknown basemap, or Tianditu without a key.
    """
    import folium
    import folium.plugins

    harden()  # names, titles and labels are data: never evaluated as template code when the map renders

    gcj02 = basemap in GCJ02_BASEMAPS
    lat, lon = center or DONGGUAN_CENTER
    if gcj02:
        glon, glat = transform_frame_point(lon, lat)
        lat, lon = glat, glon
    # Leaflet's own scale control shows miles too: the chrome adds a metric-only one (and the north arrow)
    m = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None, control_scale=False, prefer_canvas=False)
    map_controls.MapChrome(north_label=north_label).add_to(m)
    layer_script.runtime_element().add_to(m)  # window.sslLayer, which draws every data layer
    _basemap(m, basemap, tianditu_key)

    all_bounds: list[tuple[float, float, float, float]] = []
    for layer in layers:
        gj = layer.geojson if layer.geojson is not None else layer_geojson(layer, gcj02=gcj02, simplify_m=simplify_m, decimals=decimals)
        if not gj["features"]:
            continue
        all_bounds.append(tuple(gj["bbox"]))
        feature_group(layer, gj, labels=labels).add_to(m)

    if fit_bounds and all_bounds:
        b = np.array(all_bounds)
        m.fit_bounds([[float(b[:, 1].min()), float(b[:, 0].min())], [float(b[:, 3].max()), float(b[:, 2].max())]])
    if measure:
        folium.plugins.MeasureControl(
            position="topleft",
            primary_length_unit="kilometers",
            secondary_length_unit="meters",
            primary_area_unit="mu",
            secondary_area_unit="hectares",
            units={"mu": {"factor": 0.0015, "display": "亩", "decimals": 2}},
        ).add_to(m)
    if draw:
        folium.plugins.Draw(
            export=False,
            position="topleft",
            draw_options={"circle": False, "circlemarker": False, "polyline": True, "rectangle": True, "polygon": True, "marker": True},
        ).add_to(m)
    if legend and layers:
        map_controls.legend_setter(legend_entries(layers, status_labels or {})).add_to(m)
    if asset_base is not None:
        localise_assets(m, asset_base, language=language)
    return m


def transform_frame_point(lon: float, lat: float) -> tuple[float, float]:
    """Shift one WGS 84 point to GCJ-02 (degrees), for the map's initial centre."""
    from gis.crs import wgs84_to_gcj02

    x, y = wgs84_to_gcj02(lon, lat)
    return float(x), float(y)


def _walk(element: Any):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localise_assets(m: folium.Map, asset_base: str, *, language: str = "zh") -> None:
    """Point every JS/CSS asset of the map at local files under ``asset_base`` instead of a CDN.

    Assets named in :data:`ASSET_FILES` are replaced (or dropped when mapped to ``None``); any other
    asset is dropped with a warning, so the browser never asks a CDN.

    Parameters
    ----------
    m : folium.Map
        The map (changed in place: instance-level ``default_js``/``default_css``).
    asset_base : str
        URL prefix ending in ``/``, e.g. ``"../ui.map_assets.ssl_map_assets/"``.
    language : {"zh", "en"}, keyword-only
        ``"zh"`` loads the Chinese build of leaflet-measure.
    """
    files = dict(ASSET_FILES)
    if language == "zh":
        files["leaflet_measure_js"] = "leaflet-measure/leaflet-measure.cn.js"
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            local = []
            for name, url in assets:
                if name in files:
                    if files[name] is not None:
                        local.append((name, asset_base + files[name]))
                else:
                    _LOG.warning("map asset %s (%s) has no local copy; dropped", name, url)
            setattr(element, attr, local)


def map_html(m: folium.Map) -> str:
    """The full standalone HTML of a map (what the browser receives, less streamlit-folium's wrapper)."""
    return m.get_root().render()
