"""How the plan's layers look on a map: status colours, which layers are coloured by status, popups.

Shared by the app (``ui/mapview.py``) and the notebooks so both draw the plan the same way. The drawing
itself is :mod:`gis.render` (plan-free); this module only supplies the plan's choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd

from layers.registry import STORE_LAYERS
from layers.registry import spec as layer_spec

__all__ = ["STATUS_COLORS", "COLOURED_BY_STATUS", "POPUP_FIELDS", "map_layer"]

#: Colour of each status on the map (shared by every layer coloured by status).
STATUS_COLORS: dict[str, str] = {
    "planned": "#7f8c8d",
    "site_selection": "#f39c12",
    "site_selected": "#2980b9",
    "under_construction": "#e67e22",
    "completed": "#27ae60",
    "delayed": "#c0392b",
    "cancelled": "#34495e",
}

#: Layers whose features are coloured by status (tracked items); context layers keep their spec's style.
COLOURED_BY_STATUS: frozenset[str] = frozenset(
    {"road_links", "substations", "tod_stations", "facilities", "platforms", "plan_items"}
)

#: Default popup fields with bilingual labels (the app passes labels in the user's language instead).
POPUP_FIELDS: tuple[tuple[str, str], ...] = (
    ("name_zh", "名称"), ("name_en", "name"), ("status", "状态 status"), ("deadline", "期限 deadline"),
    ("area_mu", "面积 (亩)"), ("length_km", "长度 (km)"), ("plan_ref", "计划条目 plan"), ("id", "编号 id"),
)


def map_layer(
    name: str,
    gdf: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    popup_fields: Sequence[tuple[str, str]] = POPUP_FIELDS,
    coloured: bool | None = None,
    **options: Any,
) -> Any:
    """A plan layer as a :class:`gis.render.MapLayer` with its spec's style, status colours and popups.

    Parameters
    ----------
    name : str
        Layer name (see :func:`layers.names`).
    gdf : geopandas.GeoDataFrame
        The features to draw (EPSG:4326), e.g. from :func:`layers.load`.
    title : str, optional, keyword-only
        Title in the legend and layer control (default: the spec's Chinese and English titles).
    popup_fields : sequence of (field, label), keyword-only
        Fields shown when a feature is clicked.
    coloured : bool, optional, keyword-only
        Colour features by status (default: for the tracked layers in :data:`COLOURED_BY_STATUS`).
    **options
        Further :class:`gis.render.MapLayer` fields (``tooltip_field``, ``highlight_ids``…).

    A store-only plan layer (``plan_items``) opens its popup with a row named by the layer's title holding the
    item's plan year, so a later plan's item reads as such (计划事项 | 2021).

    Returns
    -------
    gis.render.MapLayer
        Ready for :func:`gis.render.build_map`.
    """
    from gis import render
    from gis.text import display_safe_frame

    spec = layer_spec(name)
    gdf = display_safe_frame(gdf)  # hidden characters in names (U+202E …) shown escaped in tooltips and popups
    shown_title = title if title is not None else f"{spec.title_zh} {spec.title_en}"
    if name in STORE_LAYERS and "plan_year" in gdf.columns:
        # a later plan's item says what it is and which plan set it: first popup row "计划事项 | 2021"
        gdf = gdf.assign(plan_layer_year=gdf["plan_year"].astype(str))
        popup_fields = [("plan_layer_year", shown_title), *popup_fields]
    if coloured is None:
        coloured = name in COLOURED_BY_STATUS
    from layers.provenance import illustrative_style

    # illustrative features are drawn dashed and lighter, so a planner sees at a glance what is not the real place
    options.setdefault(
        "feature_style",
        lambda row: illustrative_style(
            row, spec.style_for(str(row.get("kind", "")), action=row.get("action") if "action" in row else None)
        ),
    )
    return render.MapLayer(
        name=name,
        title=shown_title,
        gdf=gdf,
        style=dict(spec.style),
        status_colors=STATUS_COLORS if coloured else {},
        popup_fields=list(popup_fields),
        **options,
    )
