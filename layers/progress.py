"""The plan's progress at a date, from one place: load (replaying history) and compute every figure.

``plan_progress(store=…, as_of=date)`` is what ``python -m layers metrics``, the app's pages and the
notebooks read: the layers are loaded through :func:`layers.load_all` (which replays the store's history to
the end of ``as_of``) and measured by :func:`layers.metrics.plan_metrics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from layers.metrics import plan_metrics
from layers.registry import Source, load_all, plan_targets
from layers.years import plan_year_of

if TYPE_CHECKING:  # pragma: no cover
    from gis.store import Store

__all__ = ["progress_frames", "plan_progress", "source_of", "frames_of_year"]


def progress_frames(
    *, store: Store | Path | str | None = None, source: Source = "auto", as_of: dt.date | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Every layer as it was at the end of ``as_of`` (UTC), or as it is now when ``as_of`` is None or today.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        As :func:`layers.load_all` returns, EPSG:4326 with derived columns, plus ``plan_items`` when the
        store holds accepted items of a later plan (:mod:`layers.plan_items`).
    """
    replay = as_of if as_of is not None and as_of < dt.date.today() else None
    frames = load_all(store=store, source=source, as_of=replay)
    if source != "baseline":  # items of later plans with no place of their own (issue 16), once accepted
        from layers.plan_items import LAYER, load_plan_items

        items = load_plan_items(store=store, as_of=replay)
        if items is not None:
            frames[LAYER] = items
    return frames


def source_of(frames: Mapping[str, gpd.GeoDataFrame]) -> str:
    """``store``, ``baseline`` or ``mixed``: where the frames were read from."""
    sources = {f.attrs.get("source") for f in frames.values()}
    return "store" if sources == {"store"} else ("baseline" if sources == {"baseline"} else "mixed")


def frames_of_year(
    frames: Mapping[str, gpd.GeoDataFrame],
    year: int | None,
    *,
    store: Store | Path | str | None = None,
    as_of: dt.date | dt.datetime | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The features of one plan year as that year's plan set them; every feature as it is when ``year`` is None.

    A feature belongs to plan year ``Y`` if its ``plan_year`` is ``Y`` (2020 where absent), or if a later plan
    carried it out of ``Y`` (read from the store's history, :mod:`layers.year_view`): it is then shown with
    ``Y``'s deadline, target, section, quote and done status and its current status and geometry. Context
    features have no plan year of their own and are kept with every year (they are never counted, and the
    towns a target counts are context).

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        Loaded layers (EPSG:4326), all read for the same ``as_of``.
    year : int or None
        The plan year; None keeps every feature once, as its latest plan has it.
    store : gis.store.Store or path or URL, optional, keyword-only
        The store the frames were read from (default: the configured one, if it exists). Frames read from the
        bundled baseline (``attrs["source"] == "baseline"``) have no carries.
    as_of : datetime.date or datetime.datetime, optional, keyword-only
        The day the frames show (a carry after its end has not happened yet); None: every carry.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        The same keys, each frame kept to the year's rows in its own order.
    """
    if year is None:
        return dict(frames)
    from layers.registry import _resolve_store
    from layers.year_view import carried_out, year_view

    wanted = [n for n, f in frames.items() if f is not None and f.attrs.get("source") != "baseline" and "id" in f.columns]
    st = _resolve_store(store) if wanted else None
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in frames.items():
        if frame is None:
            out[name] = frame
            continue
        carried = carried_out(st, name, int(year), as_of=as_of) if st is not None and name in wanted else None
        out[name] = year_view(frame, int(year), carried=carried)
    return out


def plan_progress(
    *,
    store: Store | Path | str | None = None,
    source: Source = "auto",
    as_of: dt.date | None = None,
    frames: Mapping[str, gpd.GeoDataFrame] | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """Every figure about the plan at ``as_of``, as one JSON-ready document.

    Parameters
    ----------
    store : gis.store.Store or path or URL, optional, keyword-only
        The working store (default: the configured one, see :func:`layers.load`).
    source : {"auto", "store", "baseline"}, keyword-only
        Where to read the layers from.
    as_of : datetime.date, optional, keyword-only
        The date (default today). A past date replays the store's history to the end of that day (UTC).
    frames : mapping, optional, keyword-only
        Frames already loaded for ``as_of`` (the app passes its cached ones); they must come from
        :func:`progress_frames` or :func:`layers.load` with the same ``as_of``.
    year : int, optional, keyword-only
        One plan year (items and target rows whose ``plan_year`` is it; 2020 where absent), or None for all
        years. With None the document is exactly what it was before plans had years.

    Returns
    -------
    dict
        :func:`layers.metrics.plan_metrics`'s document plus ``source`` (``store``/``baseline``/``mixed``), and
        ``year`` when one was asked for.
    """
    day = as_of or dt.date.today()
    loaded = dict(frames) if frames is not None else progress_frames(store=store, source=source, as_of=day)
    targets = plan_targets()
    if year is not None:
        loaded = frames_of_year(loaded, year, store=None if source == "baseline" else store, as_of=day)
        targets = targets.loc[plan_year_of(targets).eq(int(year)).to_numpy()]
    doc = plan_metrics(loaded, targets, as_of=day)
    doc["source"] = source_of(loaded)
    if year is not None:
        doc["year"] = int(year)
    return doc
