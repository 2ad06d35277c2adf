"""One plan year's view of the layers, with the features later plans carried out of it (issue 16).

Carrying an unfinished item into the next plan (:func:`layers.plan_items.accept_proposals`) rewrites the same
feature: new ``plan_year``, target, deadline, quote and section, the old values kept in the store's history. The
plan it came from must still count it as it set it, so the view of plan year ``Y`` holds

* every feature whose plan year is ``Y`` now (2020 where absent) and every context feature, as they are; and
* every feature carried out of ``Y`` (a change in the history whose value before is plan year ``Y`` and after is
  another), with ``Y``'s plan fields (:data:`PLAN_FIELDS`) as they were just before that carry and its current
  status and geometry (``done`` recomputed).

A carry made after the as-of day has not happened yet then: the as-of replay still gives the feature plan year
``Y``, and its history is not read past that day. Without a store (the bundled baseline) nothing was carried.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from layers.spec import is_done
from layers.years import DEFAULT_PLAN_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from gis.store import Store

__all__ = ["PLAN_FIELDS", "carried_out", "year_view"]

#: The fields a plan sets on an item; a view of an earlier year shows that year's values of these.
PLAN_FIELDS: tuple[str, ...] = (
    "plan_year", "plan_ref", "plan_quote", "target", "deadline", "done_status",
    "value", "value_max", "unit", "comparison", "plan_source",
)

# Whole-feature history events (gis.store's documented ``field`` values) and the ones a replay skips.
_CREATED, _REPLACED, _DELETED = "(created)", "(replaced)", "(deleted)"
_NOT_EDITS = ("(seeded)", "(restored)")


def _year(value: object) -> int:
    """The plan year a stored ``plan_year`` value means (2020 where absent or empty)."""
    try:
        year = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_PLAN_YEAR
    return DEFAULT_PLAN_YEAR if year != year else int(year)  # NaN (and NA as float) is absent


def _cutoff(as_of: dt.date | dt.datetime | None) -> str | None:
    """The store's history text (fixed-width ISO 8601 UTC) of the last instant ``as_of`` includes."""
    if as_of is None:
        return None
    if isinstance(as_of, dt.datetime):
        when = as_of.replace(tzinfo=dt.UTC) if as_of.tzinfo is None else as_of.astimezone(dt.UTC)
    else:
        when = dt.datetime.combine(as_of, dt.time.max, tzinfo=dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _attrs_before(old: object) -> dict[str, Any] | None:
    """The attributes a whole-feature history event recorded (the feature's state before it)."""
    if isinstance(old, str):
        old = json.loads(old)
    return dict(old.get("attrs", {})) if isinstance(old, Mapping) else None


def carried_out(
    store: Store, layer: str, year: int, *, as_of: dt.date | dt.datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Features of ``layer`` carried out of plan year ``year`` by the end of ``as_of``, with that year's plan fields.

    Parameters
    ----------
    store : gis.store.Store
        The working store (its current layer and its history are read).
    layer : str
        Layer name.
    year : int
        The plan year carried out of.
    as_of : datetime.date or datetime.datetime, optional, keyword-only
        Ignore carries after the end of that day (UTC); None: every carry.

    Returns
    -------
    dict of str to dict
        Feature id → the :data:`PLAN_FIELDS` as they were just before its latest carry out of ``year`` (a field
        the feature did not have then is None; ``plan_year`` is ``year``). Empty when the store lacks the layer.
    """
    if not store.has_layer(layer):
        return {}
    hist = store.history(layer)
    if hist.empty or not len(hist):
        return {}
    hist = hist.loc[~hist["field"].isin(_NOT_EDITS)]
    if not hist["field"].isin((_REPLACED, _DELETED, "plan_year")).any():  # only these can change a plan year
        return {}
    cut = _cutoff(as_of)
    current = store.read_layer(layer)
    geometry = current.geometry.name
    states: dict[str, dict[str, Any]] = {
        str(r["id"]): {k: v for k, v in r.items() if k != geometry} for r in current.to_dict("records")
    } if "id" in current.columns else {}
    found: dict[str, dict[str, Any]] = {}
    hist = hist.loc[~hist["feature_id"].astype(str).isin([f for f, st in states.items() if _year(st.get("plan_year")) == int(year)])]
    for fid, rows in hist.groupby("feature_id", sort=False):  # features in ``year`` now were never carried out of it
        fid = str(fid)
        after = states.get(fid)  # the feature's state after the row being undone (None: did not exist)
        for at, field, old in zip(rows["at"].iloc[::-1], rows["field"].iloc[::-1], rows["old"].iloc[::-1], strict=True):
            if field == _CREATED:  # newest first, undoing each change
                before = None
            elif field in (_REPLACED, _DELETED):
                before = _attrs_before(old)
            else:
                before = dict(after) if after is not None else None
                if before is not None:
                    before[field] = old
            if (
                before is not None and after is not None and fid not in found
                and (cut is None or str(at) <= cut)
                and _year(before.get("plan_year")) == int(year) != _year(after.get("plan_year"))
            ):
                found[fid] = {f: before.get(f) for f in PLAN_FIELDS} | {"plan_year": int(year)}
            after = before
            if after is None:
                break
    return found


def year_view(
    frame: gpd.GeoDataFrame, year: int, *, carried: Mapping[str, Mapping[str, Any]] | None = None
) -> gpd.GeoDataFrame:
    """The rows of one layer in plan year ``year``: its own, context, and those carried out of it (as ``year`` had them).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A loaded layer (EPSG:4326), optionally with derived columns (``done`` is recomputed for carried rows).
    year : int
        The plan year.
    carried : mapping, optional, keyword-only
        :func:`carried_out`'s answer for this layer and year (None or empty: nothing was carried).

    Returns
    -------
    geopandas.GeoDataFrame
        The kept rows in the frame's order, with the frame's columns and ``attrs``.
    """
    from layers.years import plan_year_of

    keep = plan_year_of(frame).eq(int(year))
    if "role" in frame.columns:
        keep |= frame["role"].astype("object").eq("context")
    out = frame
    if carried and "id" in frame.columns:
        out = frame.copy()
        ids = frame["id"].astype(str)
        back = (~keep) & ids.isin(list(carried))
        if back.any():
            if "plan_year" not in out.columns:
                out["plan_year"] = pd.array([pd.NA] * len(out), dtype="Int64")
            for field in PLAN_FIELDS:
                if field not in out.columns:
                    continue
                values = [carried[i].get(field) for i in ids[back]]
                column = out[field]
                if column.dtype.kind in "iufb" or str(column.dtype) in ("Int64", "Float64", "boolean"):
                    values = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").tolist()
                    out.loc[back, field] = pd.array(values, dtype=column.dtype) if str(column.dtype) == "Int64" else values
                else:
                    out[field] = column.astype(object)
                    out.loc[back, field] = pd.Series(values, index=out.index[back.to_numpy()], dtype=object)
            if "done" in out.columns:
                out.loc[back, "done"] = is_done(out.loc[back]).to_numpy()
            keep |= back
    sub = out.loc[keep.to_numpy()]
    sub.attrs = dict(frame.attrs)
    return sub

