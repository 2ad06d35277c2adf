"""The plan's layers: one declarative spec per layer and the registry that loads, validates and derives.

Usage::

    import layers
    layers.names()                      # ["boundaries", "sub_parks", …, "tod_stations"]
    layers.names(include_store=True)    # … and "plan_items", the store-only layer of later plans' items
    gdf = layers.load("substations")    # EPSG:4326, from the working store or the bundled baseline
    layers.spec("substations").done_zh  # what "done" means for the layer's target
    layers.plan_targets()               # the plan's numbers as a DataFrame

``layers`` knows the plan and nothing of Streamlit.
"""

from __future__ import annotations

from layers.registry import (
    LAYER_NAMES,
    PLAN_TARGETS_PATH,
    PLAN_TEXT_PATH,
    STORE_LAYERS,
    add_derived,
    baseline_frames,
    empty_frame,
    is_store_layer,
    load,
    load_all,
    load_baseline,
    names,
    places,
    plan_section,
    plan_targets,
    plan_text,
    seed_store,
    spec,
    specs,
)
from layers.spec import (
    COMMON_FIELDS,
    DEADLINE_LABELS,
    DEADLINES,
    DERIVED_COLUMNS,
    ROLES,
    STATUS_LABELS,
    STATUS_LABELS_EN,
    STATUSES,
    FieldSpec,
    LayerSpec,
    status_reached,
    validate_frame,
)

__all__ = [
    "LAYER_NAMES",
    "PLAN_TARGETS_PATH",
    "PLAN_TEXT_PATH",
    "STORE_LAYERS",
    "COMMON_FIELDS",
    "DEADLINES",
    "DEADLINE_LABELS",
    "DERIVED_COLUMNS",
    "ROLES",
    "STATUSES",
    "STATUS_LABELS",
    "STATUS_LABELS_EN",
    "FieldSpec",
    "LayerSpec",
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
    "status_reached",
    "validate_frame",
]
