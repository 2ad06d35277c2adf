"""Official or illustrative, at a glance (issue 14, item 4): counts by layer, ids to filter to, a map style.

A feature is **official** when its ``illustrative`` field is false (its geometry is the real place, with
``source`` and ``accuracy_m`` saying where from and how exact); everything else — ``illustrative`` true or
missing — counts as illustrative: a geometry nobody has vouched for is not shown as real.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd

__all__ = ["Provenance", "PROVENANCES", "ILLUSTRATIVE_STYLE", "is_official", "provenance_counts", "provenance_ids", "illustrative_style"]

Provenance = Literal["official", "illustrative"]
#: The two kinds, in the order the app shows them.
PROVENANCES: tuple[Provenance, ...] = ("official", "illustrative")

#: Leaflet path options of an illustrative feature, merged over the layer's own style (dashed outline,
#: lighter fill): the map says "not the real place" without hiding it.
ILLUSTRATIVE_STYLE: dict[str, Any] = {"dashArray": "6 4", "fillOpacity": 0.12}


def is_official(frame: pd.DataFrame) -> pd.Series:
    """Whether each feature is official (``illustrative`` is false; missing counts as illustrative).

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        Features with or without an ``illustrative`` column.

    Returns
    -------
    pandas.Series of bool
        Indexed like ``frame``.
    """
    if "illustrative" not in frame.columns:
        return pd.Series(False, index=frame.index, dtype=bool)
    return frame["illustrative"].astype(object).map(_official_value).astype(bool)


def _official_value(v: Any) -> bool:
    """One ``illustrative`` value read as :func:`is_official` reads it (false → official; missing, text → not)."""
    return v is False or (not isinstance(v, str) and not pd.isna(v) and not bool(v))


def provenance_counts(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """How many features of each layer are official and how many illustrative.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Layer name → its features (e.g. :func:`layers.load_all`).

    Returns
    -------
    pandas.DataFrame
        Index ``layer`` (in the given order) and the integer columns ``official``, ``illustrative``,
        ``total``; a last row ``total`` sums them.
    """
    rows = []
    for name, frame in frames.items():
        official = int(is_official(frame).sum())
        rows.append({"layer": name, "official": official, "illustrative": len(frame) - official, "total": len(frame)})
    table = pd.DataFrame.from_records(rows, columns=["layer", "official", "illustrative", "total"]).set_index("layer")
    table.loc["total"] = table.sum(numeric_only=True) if len(table) else [0, 0, 0]
    return table.astype("int64")


def provenance_ids(frame: pd.DataFrame, which: Provenance) -> set[str]:
    """The ids of the features that are ``which`` (``official`` or ``illustrative``).

    Returns
    -------
    set of str
    """
    if which not in PROVENANCES:
        raise ValueError(f"which must be one of {PROVENANCES}, not {which!r}")
    if "id" not in frame.columns:
        return set()
    mask = is_official(frame)
    return set(frame.loc[mask if which == "official" else ~mask, "id"].astype(str))


def illustrative_style(properties: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Leaflet style of one feature: ``base`` with a dashed outline and lighter fill when illustrative.

    For the map's style function (``layers.mapping`` / ``gis.render``): call it with the feature's
    properties and the style the layer would give it.

    Parameters
    ----------
    properties : mapping
        The feature's properties (``illustrative`` read as :func:`is_official` reads it).
    base : mapping, optional
        The style without provenance (colour, weight, …).

    Returns
    -------
    dict
        ``base`` unchanged for an official feature; otherwise ``base`` with :data:`ILLUSTRATIVE_STYLE`.
    """
    style = dict(base or {})
    if not _official_value(properties.get("illustrative")):  # as is_official reads it, without a frame per feature
        style.update(ILLUSTRATIVE_STYLE)
    return style
