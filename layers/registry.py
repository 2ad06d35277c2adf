"""The layer registry: list, load, validate and derive the plan's layers.

A layer is read from the working store (``gis.store``, a GeoPackage in the user's data folder) when the
store holds it, otherwise from the bundled baseline in ``data/geo/`` (the plan as published in March
2020, never edited). Every load is validated against the layer's :class:`~layers.spec.LayerSpec`; a
violation raises :class:`gis.errors.InputError` naming the feature and the field. Derived columns
(``area_mu``, ``length_km``, ``town``, ``done``) are computed on load and never stored.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.area import area_mu, length_km
from gis.crs import WGS84
from gis.errors import InputError
from gis.settings import BUNDLED_DATA_DIR
from layers.spec import DERIVED_COLUMNS, LayerSpec, is_done, validate_frame
from layers.upgrade import upgrade_stored

if TYPE_CHECKING:  # pragma: no cover
    from gis.store import Store

__all__ = [
    "LAYER_NAMES",
    "STORE_LAYERS",
    "names",
    "is_store_layer",
    "empty_frame",
    "spec",
    "specs",
    "load",
    "load_baseline",
    "load_all",
    "baseline_frames",
    "seed_store",
    "places",
    "add_derived",
    "plan_targets",
    "plan_text",
    "plan_section",
    "PLAN_TARGETS_PATH",
    "PLAN_TEXT_PATH",
]

log = logging.getLogger(__name__)

#: Layer names in drawing order (areas first, points last).
LAYER_NAMES: tuple[str, ...] = (
    "boundaries",
    "sub_parks",
    "water",
    "platforms",
    "land_actions",
    "road_links",
    "facilities",
    "substations",
    "tod_stations",
)
#: Plan layers that live in the working store only (no bundled file; never seeded): a later plan's accepted
#: items (issue 16, ``layers/plan_items.py``). A store without them reads as an empty layer of the spec.
STORE_LAYERS: tuple[str, ...] = ("plan_items",)
#: The plan's numeric targets (item, value, unit, deadline, section …).
PLAN_TARGETS_PATH: Path = BUNDLED_DATA_DIR / "plan_targets.csv"
#: The plan's text (松山湖高新区2020年工作计划, published 2020-03-04), the source of every ``plan_quote``.
PLAN_TEXT_PATH: Path = BUNDLED_DATA_DIR / "plan_text.txt"

Source = Literal["auto", "store", "baseline"]


def names(*, include_store: bool = False) -> list[str]:
    """Names of every plan layer, in drawing order (areas first, points last).

    Parameters
    ----------
    include_store : bool, keyword-only
        Add the store-only plan layers (:data:`STORE_LAYERS`, e.g. ``plan_items``) after the bundled ones.

    Returns
    -------
    list of str
        E.g. ``["boundaries", "sub_parks", …, "tod_stations"]`` (then ``"plan_items"`` with ``include_store``).
    """
    return [*LAYER_NAMES, *STORE_LAYERS] if include_store else list(LAYER_NAMES)


def spec(name: str) -> LayerSpec:
    """The specification of a layer.

    Parameters
    ----------
    name : str
        A name from :func:`names` (``include_store=True``: the store-only plan layers too).

    Returns
    -------
    LayerSpec

    Raises
    ------
    gis.errors.InputError
        For an unknown layer name.
    """
    if name not in LAYER_NAMES and name not in STORE_LAYERS:
        known = ", ".join((*LAYER_NAMES, *STORE_LAYERS))
        raise InputError(f"未知图层 {name!r}，可用: {known}", f"unknown layer {name!r}; known: {known}")
    return importlib.import_module(f"layers.{name}").SPEC


def is_store_layer(name: str) -> bool:
    """Whether ``name`` is a store-only plan layer (:data:`STORE_LAYERS`: no bundled file, not seeded)."""
    return name in STORE_LAYERS


def empty_frame(layer_spec: LayerSpec) -> gpd.GeoDataFrame:
    """A layer with no features: every stored field of the spec as a column, geometry, EPSG:4326."""
    columns: dict[str, pd.Series] = {}
    for f in layer_spec.all_fields:
        dtype = {"int": "int64", "float": "float64", "bool": "bool"}.get(f.type, "object")
        columns[f.name] = pd.Series(dtype=dtype)
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def specs() -> dict[str, LayerSpec]:
    """Every layer's spec by name, in drawing order."""
    return {n: spec(n) for n in LAYER_NAMES}


def _normalise(gdf: gpd.GeoDataFrame, layer_spec: LayerSpec) -> gpd.GeoDataFrame:
    """Bring a frame read from a file or the store to the stored-field types of the spec."""
    derived = [c for c in DERIVED_COLUMNS if c in gdf.columns]
    gdf = gdf.drop(columns=derived) if derived else gdf.copy()  # a copy either way (copy() costs less than drop)
    crs = gdf.crs
    if crs is None:
        gdf = gdf.set_crs(WGS84)
    elif not crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    if not gdf.columns.is_unique:  # a repeated column name (never from a file or the store): column by column
        return _normalise_each(gdf, layer_spec)
    dtypes = dict(zip(gdf.columns, gdf.dtypes, strict=True))
    for f in layer_spec.all_fields:
        if f.name not in gdf.columns:
            continue
        # the dtype decides most cases without building the column (a Series per field was most of the cost)
        dtype = dtypes[f.name]
        if pd.api.types.is_datetime64_any_dtype(dtype):
            gdf[f.name] = gdf[f.name].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif f.type == "bool" and not pd.api.types.is_bool_dtype(dtype):
            gdf[f.name] = gdf[f.name].map(lambda v: v if isinstance(v, bool) else (bool(v) if v in (0, 1) else v))
        elif f.type == "int" and pd.api.types.is_float_dtype(dtype):
            col = gdf[f.name]
            if col.notna().all() and (col % 1 == 0).all():
                gdf[f.name] = col.astype("int64")
        elif f.type == "str" and not f.required:
            col = gdf[f.name]
            if col.hasnans or not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
                gdf[f.name] = col.where(col.notna(), "")
    index = gdf.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None:
        return gdf  # already what reset_index(drop=True) gives (gdf is the copy drop made)
    return gdf.reset_index(drop=True)


def _normalise_each(gdf: gpd.GeoDataFrame, layer_spec: LayerSpec) -> gpd.GeoDataFrame:
    """:func:`_normalise`'s field types, one column at a time (its path for a frame with repeated column names)."""
    for f in layer_spec.all_fields:
        if f.name not in gdf.columns:
            continue
        col = gdf[f.name]
        if pd.api.types.is_datetime64_any_dtype(col):
            gdf[f.name] = col.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif f.type == "bool" and not pd.api.types.is_bool_dtype(col):
            gdf[f.name] = col.map(lambda v: v if isinstance(v, bool) else (bool(v) if v in (0, 1) else v))
        elif f.type == "int" and pd.api.types.is_float_dtype(col) and col.notna().all() and (col % 1 == 0).all():
            gdf[f.name] = col.astype("int64")
        elif f.type == "str" and not f.required:
            gdf[f.name] = col.where(col.notna(), "")
    return gdf.reset_index(drop=True)


@lru_cache(maxsize=32)
def _read_bundled(name: str, stamp: tuple[float, ...]) -> gpd.GeoDataFrame:
    layer_spec = spec(name)
    frames = []
    for fname in layer_spec.files:
        path = BUNDLED_DATA_DIR / fname
        frames.append(gpd.read_file(path))
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=frames[0].crs)
    gdf = _normalise(gdf, layer_spec)
    validate_frame(gdf, layer_spec)
    return gdf


def _bundled(name: str) -> gpd.GeoDataFrame:
    files = spec(name).files
    missing = [f for f in files if not (BUNDLED_DATA_DIR / f).exists()]
    if missing:
        raise InputError(f"缺少内置数据文件: {', '.join(missing)}", f"bundled data file missing: {', '.join(missing)}")
    stamp = tuple((BUNDLED_DATA_DIR / f).stat().st_mtime for f in files)
    return _read_bundled(name, stamp).copy()


def _resolve_store(store: Store | Path | str | None) -> Store | None:
    """The store to read: the one given, one opened at a given path or URL, or the default if it exists."""
    from gis.store import existing_store, open_store

    if store is None:
        return existing_store()  # where it lives is gis.store's decision; never created just to read
    if isinstance(store, str | Path):
        return open_store(store)
    return store


def places(*, store: Store | Path | str | None = None, source: Source = "auto") -> gpd.GeoDataFrame:
    """The park and the nine towns as polygons keyed by ``short_name`` (for the ``town`` join).

    Parameters
    ----------
    store : gis.store.Store or path, optional, keyword-only
        Working store to read ``boundaries`` from (default: the user's store if it exists).
    source : {"auto", "store", "baseline"}, keyword-only
        Where to read from (see :func:`load`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``short_name``, ``kind`` (``park`` or ``town``) and geometry, EPSG:4326.
    """
    b = load("boundaries", store=store, source=source, derived=False)
    return b.loc[b["kind"].isin(["park", "town"]), ["short_name", "kind", "geometry"]].reset_index(drop=True)


#: The store's places for the ``town`` join, by (store object, store stamp): seven layers join the same towns,
#: so loading every layer reads and validates ``boundaries`` once per change of the store instead of seven times.
_PLACES_MEMO: dict[tuple[int, str], gpd.GeoDataFrame] = {}


def _store_places(st: Store) -> gpd.GeoDataFrame:
    """:func:`places` of a store, memoised while the store's :meth:`~gis.store.StoreBase.stamp` is unchanged."""
    key = (id(st), st.stamp())
    found = _PLACES_MEMO.get(key)
    if found is None:
        found = places(store=st, source="auto")
        if len(_PLACES_MEMO) >= 8:
            _PLACES_MEMO.clear()
        _PLACES_MEMO[key] = found
    return found.copy()


def add_derived(gdf: gpd.GeoDataFrame, layer_spec: LayerSpec, *, place_frame: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Add the spec's derived columns to a copy of a layer.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer with its stored fields, EPSG:4326.
    layer_spec : LayerSpec
        Its spec; ``layer_spec.derived`` names the columns to add.
    place_frame : geopandas.GeoDataFrame, optional, keyword-only
        Polygons with ``short_name`` for the ``town`` join (default: :func:`places` from the baseline).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``area_mu`` (亩, polygons only, computed on EPSG:4547; NaN for other geometry),
        ``length_km`` (km on EPSG:4547, lines only; NaN otherwise), ``town`` (short name of the park or
        town holding the feature's representative point; None outside them) and ``done`` (bool: a plan item
        whose status has reached its ``done_status``, :func:`layers.spec.is_done`), as the spec asks.
    """
    out = gdf.copy()
    fam = shapely.get_type_id(out.geometry.values)
    is_poly = np.isin(fam, (3, 6))
    is_line = np.isin(fam, (1, 5))
    if "area_mu" in layer_spec.derived:
        out["area_mu"] = np.where(is_poly, area_mu(out).to_numpy(), np.nan) if len(out) else pd.Series(dtype=float)
    if "length_km" in layer_spec.derived:
        out["length_km"] = np.where(is_line, length_km(out).to_numpy(), np.nan) if len(out) else pd.Series(dtype=float)
    if "town" in layer_spec.derived:
        pf = place_frame if place_frame is not None else places(source="baseline")
        reps = shapely.point_on_surface(out.geometry.values)
        town = np.full(len(out), None, dtype=object)
        if len(out):
            hit_src, hit_place = pf.sindex.query(reps, predicate="within")
            town[hit_src] = pf["short_name"].to_numpy()[hit_place]
        out["town"] = town
    if "done" in layer_spec.derived:
        out.attrs["layer"] = layer_spec.name
        out["done"] = is_done(out).to_numpy()
    return out


def load_baseline(name: str, *, derived: bool = True) -> gpd.GeoDataFrame:
    """Load a layer from the bundled baseline (``data/geo/``), validated.

    Parameters
    ----------
    name : str
        A name from :func:`names`.
    derived : bool, keyword-only
        Add the derived columns (see :func:`add_derived`).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; ``attrs["source"] == "baseline"``. A store-only layer (:data:`STORE_LAYERS`) has no
        baseline: it is returned empty, with the spec's columns.
    """
    layer_spec = spec(name)
    gdf = empty_frame(layer_spec) if is_store_layer(name) else _bundled(name)
    if derived:
        pf = None if "town" not in layer_spec.derived else places(source="baseline")
        gdf = add_derived(gdf, layer_spec, place_frame=pf)
    gdf.attrs["source"] = "baseline"
    gdf.attrs["layer"] = name
    return gdf


def load(
    name: str,
    *,
    store: Store | Path | str | None = None,
    source: Source = "auto",
    derived: bool = True,
    as_of: dt.date | dt.datetime | None = None,
) -> gpd.GeoDataFrame:
    """Load a layer by name from the working store or the bundled baseline, validated, with derived columns.

    This is the one place where history is replayed: with ``as_of`` the store's layer is read as it was
    then (:meth:`gis.store.Store.as_of`), so the app, ``python -m layers metrics --date`` and the notebooks
    see the same past.

    Parameters
    ----------
    name : str
        A name from :func:`names` (``include_store=True``: ``plan_items`` too).
    store : gis.store.Store or path, optional, keyword-only
        The working store (default: the user's store at ``gis.settings.working_store_path()`` if that file
        exists; it is never created here).
    source : {"auto", "store", "baseline"}, keyword-only
        ``auto``: the store if it holds the layer, else the baseline; ``store``: the store or an error;
        ``baseline``: the bundled files only. A store-only layer (:data:`STORE_LAYERS`) a store does not
        hold yet is empty, with the spec's columns (never an error when there is a store).
    derived : bool, keyword-only
        Add ``area_mu``/``length_km``/``town``/``done`` as the spec asks.
    as_of : datetime.date or datetime.datetime, optional, keyword-only
        Replay the store's history to this moment (a date means the end of that day, UTC). The baseline
        is the plan as published and has no history, so it is returned as is.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; ``attrs["source"]`` is ``"store"`` or ``"baseline"``; ``attrs["as_of"]`` the ISO date or
        time replayed to (None for the current values).

    Raises
    ------
    gis.errors.InputError
        For an unknown layer, a missing layer when ``source="store"``, or a feature that violates the spec
        (the message names the feature id and the field).
    """
    layer_spec = spec(name)
    if source == "baseline":
        return load_baseline(name, derived=derived)
    st = _resolve_store(store)
    if st is None or not st.has_layer(name):
        if source == "store" and not (st is not None and is_store_layer(name)):
            raise InputError(f"工作库中没有图层 {name}", f"the working store has no layer {name}")
        gdf = load_baseline(name, derived=derived)
        if st is not None and is_store_layer(name):  # the store was read: it holds no item of this layer yet
            gdf.attrs.update({"source": "store", "as_of": None if as_of is None else as_of.isoformat()})
        return gdf
    stored = st.read_layer(name) if as_of is None else st.as_of(name, as_of)
    gdf = _normalise(upgrade_stored(stored, layer_spec, baseline=load_baseline(name, derived=False)), layer_spec)
    if as_of is None:
        # a replayed frame holds values that were valid when they were written; it is not re-validated
        # against today's spec (a status a layer no longer allows must still show as it was)
        validate_frame(gdf, layer_spec)
    if derived:
        pf = None
        if "town" in layer_spec.derived:
            pf = _store_places(st)
        gdf = add_derived(gdf, layer_spec, place_frame=pf)
    gdf.attrs["source"] = "store"
    gdf.attrs["layer"] = name
    gdf.attrs["as_of"] = None if as_of is None else as_of.isoformat()
    return gdf


def load_all(
    *,
    store: Store | Path | str | None = None,
    source: Source = "auto",
    derived: bool = True,
    as_of: dt.date | dt.datetime | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Load every layer (see :func:`load`, including its ``as_of`` replay), keyed by name in drawing order."""
    st = _resolve_store(store) if source != "baseline" else None
    return {n: load(n, store=st, source=source, derived=derived, as_of=as_of) for n in LAYER_NAMES}


def baseline_frames() -> dict[str, gpd.GeoDataFrame]:
    """Every bundled layer with its stored fields only (no derived columns), ready to seed a store."""
    return {n: load_baseline(n, derived=False) for n in LAYER_NAMES}


def seed_store(store: Store | Path | str | None = None, *, user: str = "system") -> list[str]:
    """Copy the bundled layers the working store does not hold yet into it (first run).

    Parameters
    ----------
    store : gis.store.Store or path, optional
        The store (default: ``gis.store.open_store()`` at the user's store path, created if needed).
    user : str, keyword-only
        Recorded as the author of the import in the store's history.

    Returns
    -------
    list of str
        Names of the layers copied.
    """
    from gis.store import open_store

    st = open_store(store) if store is None or isinstance(store, str | Path) else store  # a path, its text or a URL
    return st.seed(baseline_frames(), user=user)


@lru_cache(maxsize=1)
def _plan_targets(stamp: float) -> pd.DataFrame:
    return pd.read_csv(PLAN_TARGETS_PATH, dtype={"deadline": str, "section": str}, keep_default_na=False)


def plan_targets() -> pd.DataFrame:
    """The plan's numeric targets as data, read from ``data/geo/plan_targets.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``key``, ``item_zh``, ``item_en``, ``value`` (float), ``unit``, ``comparison``
        (``≈`` about, ``>=`` at least, ``=`` exactly, ``range`` for "2至3"), ``value_max``, ``deadline``
        (DESIGN.md periods), ``section`` (e.g. ``(四)二``), ``layer`` and ``selector`` (which features the
        target counts, e.g. ``action=reserve``; empty when the target has no place), ``measure``
        (``sum_area_mu``, ``sum_area_m2``, ``count``, ``count_done``, ``sum_length_km`` or ``none``) and
        ``plan_quote`` (verbatim).
    """
    return _plan_targets(PLAN_TARGETS_PATH.stat().st_mtime).copy()


@lru_cache(maxsize=1)
def plan_text() -> str:
    """The full text of the plan (UTF-8), as published on 2020-03-04."""
    return PLAN_TEXT_PATH.read_text(encoding="utf-8")



_CHAPTERS = "一二三四五"


def plan_section(ref: str) -> str:
    """The text of one section of the plan.

    Parameters
    ----------
    ref : str
        A ``plan_ref``: ``(四)`` for a chapter's opening paragraph, ``(四)二`` for part two of chapter four.

    Returns
    -------
    str
        The paragraph (one line of the published text); empty when the section does not exist.
    """
    chapter = part = ""
    for line in plan_text().splitlines():
        if line.startswith("(") and len(line) > 2 and line[1] in _CHAPTERS and line[2] == ")":
            chapter, part = f"({line[1]})", ""
        elif len(line) > 1 and line[0] in _CHAPTERS and line[1] == "要":
            part = line[0]
        else:
            continue
        if chapter + part == ref:
            return line
    return ""
