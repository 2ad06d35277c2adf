"""The plan's progress at a date, from one place: load (replaying history) and compute every figure.

``plan_progress(store=…, as_of=date)`` is what ``python -m gis metrics``, the app's pages and the
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


def frames_of_year(frames: Mapping[str, gpd.GeoDataFrame], year: int | None) -> dict[str, gpd.GeoDataFrame]:
    """The features of one plan year (``plan_year``, 2020 where absent); every feature when ``year`` is None.

    Context features have no plan year of their own and are kept with every year (they are never counted,
    and the towns a target counts are context).
    """
    if year is None:
        return dict(frames)
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in frames.items():
        if frame is None:
            out[name] = frame
            continue
        keep = plan_year_of(frame).eq(int(year))
        if "role" in frame.columns:
            keep |= frame["role"].astype("object").eq("context")
        sub = frame.loc[keep.to_numpy()]
        sub.attrs = dict(frame.attrs)
        out[name] = sub
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
        loaded = frames_of_year(loaded, year)
        targets = targets.loc[plan_year_of(targets).eq(int(year)).to_numpy()]
    doc = plan_metrics(loaded, targets, as_of=day)
    doc["source"] = source_of(loaded)
    if year is not None:
        doc["year"] = int(year)
    return doc
