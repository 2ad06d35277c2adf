"""一区多园: the core park, the 分园 pilots in 企石, 石排, 东坑 and the other zone areas ((三)一, (三)二)."""

from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec

__all__ = ["SPEC"]

SPEC = LayerSpec(
    name="sub_parks",
    title_zh="一区多园",
    title_en="Sub-parks (one zone, many parks)",
    files=("sub_parks.geojson",),
    geometry_types=("Polygon",),
    kinds=("core_park", "pilot_sub_park", "eastern_industrial_park", "flashpoint"),
    statuses=("planned", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="分园：试点设立（completed）；东部工业园、引爆点：开工建设（under_construction）",
    done_en="pilot sub-parks: set up (completed); eastern park and flashpoints: under way (under_construction)",
    fields=(FieldSpec("place", description="short name of the town (or 松山湖 for the park) the area lies in"),),
    derived=("area_mu", "town", "done"),
    style={
        "color": "#8e44ad",
        "fill_color": "#9b59b6",
        "weight": 2,
        "fill_opacity": 0.18,
        "by_kind": {
            "core_park": {"color": "#c0392b", "fill_color": "#e74c3c", "fill_opacity": 0.04, "weight": 1},
            "flashpoint": {"color": "#d35400", "fill_color": "#e67e22"},
        },
    },
    completed_zh="设立",
)
