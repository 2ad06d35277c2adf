"""Cached access to the plan's layers and the working store for the pages (no GIS logic here).

The store is a shared resource (``st.cache_resource``), seeded from the bundled baseline on first use.
Layer frames are cached data (``st.cache_data``: callers get copies) keyed by the store's
stamp (``StoreBase.stamp``), so an edit made by anyone shows up on the next rerun (within 2 s on a
shared database). The as-of replay is ``layers.load(name, as_of=…)``'s and the plan's figures are
``layers.progress.plan_progress``'s: this module only caches them.
"""

from __future__ import annotations

import logging
import threading
import time as _clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

import layers

__all__ = [
    "get_store",
    "store_stamp",
    "layer_names",
    "layer_spec",
    "layer_frame",
    "problems",
    "history",
    "clear_caches",
    "end_of_day_utc",
    "plan_progress",
    "plan_years",
    "year_frame",
    "StoreHealth",
    "store_health",
]

log = logging.getLogger(__name__)


def _store_location() -> str:
    """Where the working store is (decided by :func:`gis.store.default_location`), as a cache key."""
    from gis.store import default_location

    return str(default_location())


@st.cache_resource(show_spinner=False)
def _store_at(location: str) -> Any:
    from gis.store import open_store

    store = open_store(location)
    try:
        copied = layers.seed_store(store)
    except Exception as exc:  # bundled data incomplete: the store still serves what it holds
        log.warning("could not seed the working store: %s", exc)
    else:
        if copied:
            log.info("seeded the working store with %s", copied)
    return store


# --- store health (issue 17): one probe per interval, shared by every session of this process ---------------


@dataclass(frozen=True)
class StoreHealth:
    """Whether the working store answered its last probe.

    Attributes
    ----------
    reachable : bool
        The last probe (open, or read the stamp) succeeded.
    is_database : bool
        The store is a database (``SSL_GIS_DATABASE_URL``), not a local GeoPackage.
    where : str
        The store's location, safe to show (no password).
    last_good : datetime.datetime or None
        When (UTC) the store last answered; None if never since the process started.
    reason : str
        The last failure in English, one line (empty while reachable).
    reason_zh : str
        The same in Chinese where the error has it (:class:`gis.errors.GisError`), else as ``reason``.
    """

    reachable: bool
    is_database: bool
    where: str
    last_good: datetime | None
    reason: str
    reason_zh: str = ""


_HEALTH_LOCK = threading.Lock()
_health: dict[str, Any] = {"location": None, "checked": -1e9, "ok": True, "last_good": None, "reason": "", "reason_zh": ""}


def _is_database(location: str) -> bool:
    from gis.settings import database_url

    return bool((database_url() or "").strip()) and location == (database_url() or "").strip()


def _shown_location(location: str) -> str:
    if _is_database(location):
        from urllib.parse import urlsplit

        parts = urlsplit(location)
        return f"{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"
    return location


def _probe(location: str, *, force: bool = False) -> bool:
    """Ask the store whether it answers (at most once per ``STORE_PROBE_INTERVAL_S`` unless ``force``)."""
    from gis.errors import GisError
    from gis.settings import STORE_PROBE_INTERVAL_S

    with _HEALTH_LOCK:
        now = _clock.monotonic()
        if not force and _health["location"] == location and now - _health["checked"] < STORE_PROBE_INTERVAL_S:
            return bool(_health["ok"])
        if _health["location"] != location:
            _health.update(location=location, ok=True, last_good=None, reason="", reason_zh="")
        try:
            _store_at(location).stamp(max_age_s=0.0)  # opens (and seeds) the store on first use
        except Exception as exc:  # any failure: the store is away; the pages fall back to the baseline
            reason = " ".join(exc.en.split()) if isinstance(exc, GisError) else (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
            reason_zh = " ".join(exc.zh.split()) if isinstance(exc, GisError) else reason
            if _health["ok"]:
                log.warning("working store unreachable (%s): %s", _shown_location(location), reason)
            _health.update(ok=False, reason=reason[:300], reason_zh=reason_zh[:300])
        else:
            if not _health["ok"]:
                log.info("working store reachable again (%s)", _shown_location(location))
            _health.update(ok=True, last_good=datetime.now(UTC), reason="", reason_zh="")
        _health["checked"] = _clock.monotonic()
        return bool(_health["ok"])


def store_health() -> StoreHealth:
    """The working store's health as of its last probe (probed now if the last one is older than the interval).

    Returns
    -------
    StoreHealth
        Reachable or not, since when it last answered (UTC), and why not.
    """
    location = _store_location()
    _probe(location)
    with _HEALTH_LOCK:
        return StoreHealth(
            reachable=bool(_health["ok"]), is_database=_is_database(location), where=_shown_location(location),
            last_good=_health["last_good"], reason=str(_health["reason"]), reason_zh=str(_health["reason_zh"]),
        )


def get_store() -> Any | None:
    """The working store (``gis.store.Store``), seeded on first use; None if it cannot be opened or reached.

    Keyed by the store's location (database URL or file path), so tests and deployments that point
    ``SSL_GIS_DATA_DIR`` or ``SSL_GIS_DATABASE_URL`` elsewhere get their own. While the store does not answer
    (:func:`store_health`) this is None, so the pages show the bundled baseline read-only and edits are refused.
    """
    location = _store_location()
    if not _probe(location):
        return None
    try:
        return _store_at(location)
    except Exception:  # a broken or read-only data folder: run read-only on the bundled data
        log.exception("working store unavailable; using the bundled baseline")
        return None


#: Seconds another planner's change may take to show (a shared database is asked at most this often;
#: this session's own writes show at once, and a GeoPackage store is checked on every rerun).
STAMP_MAX_AGE_S = 2.0


def store_stamp() -> str:
    """A token that changes whenever the store changes (cache key): :meth:`gis.store.StoreBase.stamp`."""
    store = get_store()
    if store is None:
        return "none"
    try:
        return store.stamp(max_age_s=STAMP_MAX_AGE_S)
    except Exception:  # store unreachable: cache as one state until it answers again
        log.exception("cannot read the store's stamp")
        return "none"


def layer_names() -> list[str]:
    """Plan layer names in drawing order, then the store-only plan layers it holds (``plan_items``), then uploads."""
    names = list(layers.names())
    store = get_store()
    if store is not None:
        try:
            held = store.layer_names()
        except Exception:  # store unreadable: plan layers only
            log.exception("cannot list store layers")
        else:
            names += [n for n in layers.STORE_LAYERS if n in held]
            names += [n for n in held if n not in names]
    return names


def layer_spec(name: str) -> Any | None:
    """The layer's spec (bundled and store-only plan layers), or None for an uploaded layer that has none."""
    return layers.spec(name) if name in layers.names(include_store=True) else None


def end_of_day_utc(day: date) -> datetime:
    """The last instant of ``day`` (UTC), the moment an as-of replay stops at."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@st.cache_data(show_spinner=False, max_entries=64)
def _frame(name: str, stamp: str, as_of_iso: str | None) -> gpd.GeoDataFrame:
    store = get_store()
    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    if name in layers.names(include_store=True):
        if store is None:  # no store, or its database is away: the plan as published, read-only
            return layers.load_baseline(name)
        return layers.load(name, store=store, as_of=as_of)  # the history replay lives in layers, not here
    if store is not None and store.has_layer(name):
        return store.as_of(name, as_of) if as_of else store.read_layer(name)
    return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")


def layer_frame(name: str, as_of: date | None = None) -> gpd.GeoDataFrame:
    """A layer as the pages see it: the working store (or the baseline), optionally replayed to ``as_of``.

    Parameters
    ----------
    name : str
        Layer name.
    as_of : datetime.date, optional
        Replay statuses to the end of that day (UTC) from the store's history.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 with the spec's derived columns (``area_mu`` 亩, ``length_km`` km, ``town``, ``done``).
    """
    as_of_iso = as_of.isoformat() if as_of else None
    try:
        return _frame(name, store_stamp(), as_of_iso)
    except Exception as first:  # a layer that cannot be read must not take the page down
        exc: Exception = first
        if not _probe(_store_location(), force=True):  # the store went away meanwhile: show the baseline
            try:
                return _frame(name, "none", as_of_iso)
            except Exception as again:
                exc = again
        log.warning("cannot load layer %s: %s", name, exc)
        problems = st.session_state.setdefault("data_problems", {})
        problems[name] = str(exc)
        return gpd.GeoDataFrame({"id": pd.Series(dtype=str)}, geometry=[], crs="EPSG:4326")


def _has_store_layer(name: str) -> bool:
    """Whether the working store holds a store-only plan layer (``plan_items`` once a later plan is accepted)."""
    store = get_store()
    try:
        return store is not None and store.has_layer(name)
    except Exception:  # store unreadable: as if it held none
        log.exception("cannot ask the store for %s", name)
        return False


@st.cache_data(show_spinner=False, max_entries=16)
def _progress(stamp: str, as_of_iso: str | None, today_iso: str, year: int | None) -> dict[str, Any]:
    from layers.progress import plan_progress

    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    frames = {n: layer_frame(n, as_of) for n in layers.names()}
    for name in layers.STORE_LAYERS:  # later plans' items (issue 16), once the store holds them
        if _has_store_layer(name):
            frames[name] = layer_frame(name, as_of)
    store = get_store() if year is not None else None  # a year's view reads the store's history (carried items)
    return plan_progress(frames=frames, store=store, as_of=as_of or date.fromisoformat(today_iso), year=year)


def plan_progress(as_of: date | None = None, year: int | None = None) -> dict[str, Any] | None:
    """Every figure about the plan at ``as_of`` (today when None): :func:`layers.progress.plan_progress`, cached.

    The pages read their figures from this one document, so they show what ``python -m gis metrics --date``
    prints for the same date. None when the layers cannot be measured (the reason is in :func:`problems`).

    Parameters
    ----------
    as_of : datetime.date, optional
        The day (None: today, the live data).
    year : int, optional
        One plan year (``layers.progress.plan_progress(year=…)``; the sidebar's 规划年度), None for all years.
    """
    as_of_iso = as_of.isoformat() if as_of else None
    year = None if year is None else int(year)
    try:
        return _progress(store_stamp(), as_of_iso, date.today().isoformat(), year)
    except Exception as first:  # a layer that cannot be measured must not take the page down
        exc: Exception = first
        if not _probe(_store_location(), force=True):  # the store went away meanwhile: show the baseline
            try:
                return _progress("none", as_of_iso, date.today().isoformat(), year)
            except Exception as again:
                exc = again
        log.warning("cannot compute plan progress: %s", exc)
        st.session_state.setdefault("data_problems", {})["plan_progress"] = str(exc)
        return None


@st.cache_data(show_spinner=False, max_entries=64)
def _year_frame(name: str, stamp: str, as_of_iso: str | None, today_iso: str, year: int) -> gpd.GeoDataFrame:
    from layers.progress import frames_of_year
    from layers.year_view import year_view

    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    frame = layer_frame(name, as_of)
    store = get_store() if name in layers.names(include_store=True) else None  # uploads have no plan years
    if store is None:  # the baseline (or an upload): nothing was carried
        return year_view(frame, year)
    return frames_of_year({name: frame}, year, store=store, as_of=as_of or date.fromisoformat(today_iso))[name]


def year_frame(name: str, as_of: date | None = None, year: int | None = None) -> gpd.GeoDataFrame:
    """:func:`layer_frame` kept to one plan year (:func:`layers.progress.frames_of_year`; all rows for None).

    The year's view holds the features carried out of it by a later plan, with that year's deadline and target
    (read from the store's history), as ``plan_progress(year=…)`` counts them. Context features (boundaries,
    water, ``role == "context"``) are kept with every year.
    """
    if year is None:
        return layer_frame(name, as_of)
    as_of_iso = as_of.isoformat() if as_of else None
    try:
        return _year_frame(name, store_stamp(), as_of_iso, date.today().isoformat(), int(year))
    except Exception as exc:  # the history cannot be read: the year's own features, without the carried ones
        log.warning("cannot build the %s view of %s: %s", year, name, exc)
        from layers.year_view import year_view

        return year_view(layer_frame(name, as_of), int(year))


@st.cache_data(show_spinner=False, max_entries=16)
def _plan_years(stamp: str, as_of_iso: str | None) -> list[int]:
    from layers.years import DEFAULT_PLAN_YEAR, plan_year_of

    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    years = {DEFAULT_PLAN_YEAR}
    names = [*layers.names(), *(n for n in layers.STORE_LAYERS if _has_store_layer(n))]
    for name in names:
        frame = layer_frame(name, as_of)
        if len(frame):
            years |= {int(y) for y in plan_year_of(frame).unique()}
    return sorted(years)


def plan_years(as_of: date | None = None) -> list[int]:
    """Plan years present in the data: the layers' and the store's ``plan_items``' ``plan_year`` (2020 always).

    Cached by the store's stamp: the sidebar asks on every rerun of every page, and the answer changes only
    when the store does (without the cache each rerun copied every layer out of the cache to read one column).

    Returns
    -------
    list of int
        Ascending, e.g. ``[2020, 2021]``.
    """
    return list(_plan_years(store_stamp(), as_of.isoformat() if as_of else None))


def problems() -> dict[str, str]:
    """Layers that failed to load in this session (name → message), for the page to show."""
    return dict(st.session_state.get("data_problems", {}))


@st.cache_data(show_spinner=False, max_entries=64)
def _history(layer: str | None, feature_id: str | None, stamp: str) -> pd.DataFrame:
    store = get_store()
    if store is None:
        return pd.DataFrame(columns=["at", "user", "layer", "feature_id", "field", "old", "new", "note", "version"])
    return store.history(layer, feature_id)


def history(layer: str | None = None, feature_id: str | None = None) -> pd.DataFrame:
    """The store's change history (newest last), empty when there is no store."""
    return _history(layer, feature_id, store_stamp())


def clear_caches() -> None:
    """Forget cached frames after this session wrote to the store."""
    _frame.clear()
    _progress.clear()
    _plan_years.clear()
    _year_frame.clear()
    _history.clear()
