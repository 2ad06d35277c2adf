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
    base = baseline
    base = base.drop(columns="geometry").set_index("id")
    out = gdf.copy()
    ids = out["id"].astype(str)
    for f in layer_spec.all_fields:
        if f.name in out.columns:
            continue
        filled = ids.map(base[f.name]) if f.name in base.columns else pd.Series(None, index=out.index, dtype=object)
        if f.name == "role":
            default = "context" if name in CONTEXT_LAYERS else "plan_item"
            filled = filled.where(filled.notna(), default)
        out[f.name] = filled.to_numpy()
    if "version" in out.columns and "updated_by" in out.columns:
        unedited = (
            pd.to_numeric(out["version"], errors="coerce").eq(1)
            & out["updated_by"].astype(str).eq(BASELINE_USER)
            & ids.isin(base.index)
        )
        for field in MODEL_FIELDS:
            if field in base.columns and unedited.any():
                out.loc[unedited, field] = ids[unedited].map(base[field]).to_numpy()
    return out
