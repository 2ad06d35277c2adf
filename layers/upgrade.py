"""Bring a layer read from a working store seeded by an older baseline up to the current one.

A store seeded before issue 10 lacks the ``role`` field (and ``villages_done``, ``revitalised_floor_m2``) and
still holds the old baseline's targets: boundaries "completed" as plan items, 2020 deadlines the plan never set,
环湖路 and 沁园路 "completed". :func:`upgrade_stored` fixes that in memory before validation: missing fields are
filled from the bundled baseline by ``id``, and features nobody has edited since the baseline (``version`` 1 by
``plan-2020-baseline``) take the baseline's current status model. Features someone edited keep their own status
and history; only fields they lack are filled. Nothing is written to the store. The registry calls it on a
stored frame before validating it (in ``layers.registry.load``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.spec import CONTEXT_LAYERS, LayerSpec

__all__ = ["BASELINE_USER", "MODEL_FIELDS", "upgrade_stored"]

#: ``updated_by`` of every feature as published (data/geo/scripts/build_dataset.py).
BASELINE_USER: str = "plan-2020-baseline"
#: Fields that carry the status model (docs/status-model.md); an unedited feature takes them from the baseline.
MODEL_FIELDS: tuple[str, ...] = ("role", "status", "done_status", "deadline", "plan_ref", "plan_quote", "target", "source")


def upgrade_stored(gdf: gpd.GeoDataFrame, layer_spec: LayerSpec, *, baseline: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A stored layer with the current spec's fields and, for unedited features, the current baseline's targets.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer as read from the working store (EPSG:4326, stored fields).
    layer_spec : layers.spec.LayerSpec
        The layer's spec (its ``name`` and fields).
    baseline : geopandas.GeoDataFrame, keyword-only
        The bundled layer with stored fields only (:func:`layers.load_baseline` with ``derived=False``).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy: every field of the spec present; missing values taken from the baseline by ``id`` (``role``
        defaults to ``context`` on boundaries and water, ``plan_item`` elsewhere); features at ``version`` 1 by
        :data:`BASELINE_USER` carry the baseline's :data:`MODEL_FIELDS`. Unchanged when already current.
    """
    name = layer_spec.name
    out = gdf.copy()
    missing = [f for f in layer_spec.all_fields if f.name not in out.columns]
    if missing:  # a store seeded by an older baseline (rare): fill by id, with pandas' own alignment
        base = baseline.drop(columns="geometry").set_index("id")
        ids = out["id"].astype(str)
        for f in missing:
            filled = ids.map(base[f.name]) if f.name in base.columns else pd.Series(None, index=out.index, dtype=object)
            if f.name == "role":
                default = "context" if name in CONTEXT_LAYERS else "plan_item"
                filled = filled.where(filled.notna(), default)
            out[f.name] = filled.to_numpy()
    if "version" in out.columns and "updated_by" in out.columns:
        _baseline_model(out, baseline)
    return out


def _same(a: object, b: object) -> bool:
    """``a`` and ``b`` are the same value of the same type (NaN the same as NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and a != a:
        return b != b  # type: ignore[comparison-overlap]
    return bool(a == b)


def _baseline_model(out: gpd.GeoDataFrame, baseline: gpd.GeoDataFrame) -> None:
    """Give the features nobody edited (version 1 by :data:`BASELINE_USER`) the baseline's :data:`MODEL_FIELDS`, in place.

    Read as plain lists (tens of features: pandas' per-operation cost was most of the work); a text column whose
    unedited features already hold the baseline's values is left as it is (the usual case: a store seeded by
    the current baseline), every other column is written as ``out.loc[unedited, field] = …`` always was.
    """
    ids = out["id"].astype(str).tolist()
    position = {fid: i for i, fid in enumerate(baseline["id"].tolist())}
    version = pd.to_numeric(out["version"], errors="coerce").eq(1).to_numpy()
    by_baseline = out["updated_by"].astype(str).eq(BASELINE_USER).to_numpy()
    unedited = version & by_baseline & np.fromiter((fid in position for fid in ids), dtype=bool, count=len(ids))
    if not unedited.any():
        return
    if len(position) != len(baseline) or not out.columns.is_unique or not baseline.columns.is_unique:
        # repeated ids or names: pandas' own alignment decides (and refuses repeated ids), as it always did
        base = baseline.drop(columns="geometry").set_index("id")
        by_id = out["id"].astype(str)
        for field in MODEL_FIELDS:
            if field in base.columns:
                out.loc[unedited, field] = by_id[unedited].map(base[field]).to_numpy()
        return
    rows = np.flatnonzero(unedited)
    at = [position[ids[i]] for i in rows]
    # every value read once, as one object array per frame (a Series per field was most of the cost)
    current = out.to_numpy(dtype=object)
    base_values = baseline.to_numpy(dtype=object)
    dtypes = dict(zip(out.columns, out.dtypes, strict=True))
    for field in MODEL_FIELDS:
        if field not in baseline.columns:
            continue
        if field in dtypes and (pd.api.types.is_object_dtype(dtypes[field]) or pd.api.types.is_string_dtype(dtypes[field])):
            i_out, i_base = out.columns.get_loc(field), baseline.columns.get_loc(field)
            if all(_same(current[i, i_out], base_values[j, i_base]) for i, j in zip(rows, at, strict=True)):
                continue
        out.loc[unedited, field] = baseline[field].to_numpy()[at]  # what ``ids.map(base[field]).to_numpy()`` gave
