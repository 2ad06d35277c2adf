"""Land actions ((四)二, (四)三, (四)五): consolidation 整备, reserve 收储, revitalisation 盘活 and more.

The plan's targets for 2020 are about 250 亩 consolidated, 700 亩 taken into reserve and 800 亩 revitalised
(``data/geo/plan_targets.csv``); a parcel's area is computed on EPSG:4547, never typed in.
"""

from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec

__all__ = ["SPEC", "ACTIONS", "ACTION_LABELS", "PARCEL_ACTIONS"]

#: The three actions whose areas add up to the plan's 亩 targets.
PARCEL_ACTIONS: tuple[str, ...] = ("consolidation", "reserve", "revitalisation")
#: Every value of ``action``.
ACTIONS: tuple[str, ...] = PARCEL_ACTIONS + ("catchment_adjustment", "illegal_removal")
#: Chinese and English labels of the actions.
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "consolidation": ("整备", "consolidation"),
    "reserve": ("收储", "land reserve"),
    "revitalisation": ("盘活", "revitalisation"),
    "catchment_adjustment": ("集水区范围调整", "catchment adjustment"),
    "illegal_removal": ("治违", "illegal-construction removal"),
}

SPEC = LayerSpec(
    name="land_actions",
    title_zh="土地整备、收储与盘活",
    title_en="Land actions",
    files=("land_actions.geojson",),
    geometry_types=("Polygon",),
    kinds=("parcel", "catchment", "illegal_construction"),
    statuses=("planned", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="地块完成整备/收储/盘活（completed）；按行动汇总面积（亩）对照 250/700/800 亩",
    done_en="a parcel is done when consolidated/reserved/revitalised (completed); 亩 by action against 250/700/800",
    fields=(
        FieldSpec("action", allowed=ACTIONS, description="consolidation 整备 / reserve 收储 / revitalisation 盘活 / …"),
        FieldSpec("place", description="short name of the town (or 松山湖) the parcel lies in"),
        FieldSpec("project", required=False, description="the plan's named project, empty for illustrative parcels"),
        FieldSpec("phase", required=False, allowed=("before", "after", ""), description="catchment polygons: before/after"),
    ),
    derived=("area_mu", "town", "done"),
    style={
        "color": "#7f6000",
        "fill_color": "#f1c40f",
        "weight": 1,
        "fill_opacity": 0.55,
        "by_action": {
            "consolidation": {"color": "#b9770e", "fill_color": "#f5b041"},
            "reserve": {"color": "#1e8449", "fill_color": "#58d68d"},
            "revitalisation": {"color": "#1f618d", "fill_color": "#5dade2"},
            "catchment_adjustment": {"color": "#2471a3", "fill_color": "#aed6f1", "fill_opacity": 0.15, "dash_array": "5 5"},
            "illegal_removal": {"color": "#922b21", "fill_color": "#e74c3c"},
        },
    },
    completed_zh="完成",
)
