"""The plan's layers: one declarative spec per layer and the registry that loads, validates and derives.

Usage::

    import layers
    layers.names()                      # ["boundaries", "sub_parks", …, "tod_stations"]
    layers.names(include_store=True)    # … and "plan_items", the store-only layer of later plans' items
    gdf = layers.load("substations")    # EPSG:4326, from the working store or the bundled baseline
    layers.spec("substations").done_zh  # what "done" means for the layer's target
    layers.plan_targets()               # the plan's numbers as a DataFrame

``layers`` knows the plan and nothing of Streamlit.

``import layers`` loads nothing heavy: each public name is imported from its submodule on first use
(PEP 562), so ``python -m layers users …`` or ``backup`` never waits for geopandas to load.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names below resolve to, for type checkers and readers
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

#: Where each public name lives: the submodule imported when the name is first used.
_HOME: dict[str, str] = {
    **dict.fromkeys(
        ("LAYER_NAMES", "PLAN_TARGETS_PATH", "PLAN_TEXT_PATH", "STORE_LAYERS", "add_derived", "baseline_frames",
         "empty_frame", "is_store_layer", "load", "load_all", "load_baseline", "names", "places", "plan_section",
         "plan_targets", "plan_text", "seed_store", "spec", "specs"),
        "layers.registry",
    ),
    **dict.fromkeys(
        ("COMMON_FIELDS", "DEADLINE_LABELS", "DEADLINES", "DERIVED_COLUMNS", "ROLES", "STATUS_LABELS",
         "STATUS_LABELS_EN", "STATUSES", "FieldSpec", "LayerSpec", "status_reached", "validate_frame"),
        "layers.spec",
    ),
}

#: Submodules that ``import layers`` used to load as a side effect; ``layers.years`` etc. keep working.
_SUBMODULES: tuple[str, ...] = ("registry", "upgrade", "years")


def __getattr__(name: str) -> Any:
    """Import a public name (or one of :data:`_SUBMODULES`) on first use and keep it in the package."""
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the package's names, the lazy ones included."""
    return sorted({*globals(), *__all__, *_SUBMODULES})


class _Package(ModuleType):
    """The package's module type: the submodule ``layers.spec`` never hides the function ``layers.spec``.

    Importing a submodule sets it as an attribute of its package. ``layers.spec`` names both a submodule
    and the registry's function; the function wins, as it did when this package imported it eagerly.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOME and isinstance(value, ModuleType):
            return  # the import system announcing the submodule of the same name
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
