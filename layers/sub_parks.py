"""一区多园 and the zone's other areas ((三)一, (三)二, (三)四, (四)三).

The core park, the 分园 pilots in 企石, 石排, 东坑, the eastern industrial park, the 引爆点, the co-governed areas,
the 51 bordering villages, the ring belt and the 4A scenic area.
"""

from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec

__all__ = ["SPEC"]

SPEC = LayerSpec(
    name="sub_parks",
    title_zh="一区多园",
    title_en="Sub-parks (one zone, many parks)",
    files=("sub_parks.geojson",),
    geometry_types=("Polygon",),
    kinds=(
        "core_park", "pilot_sub_park", "eastern_industrial_park", "flashpoint", "co_governed_area", "village_renovation",
        "ring_belt", "environment_area", "scenic_area", "district",
        "industrial_upgrade", "utility_survey",
    ),
    statuses=("planned", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="分园、共管区域：设立/规划布局（completed，显示为“设立”）；产业服务区：启动（under_construction）；接壤村：年底前完成改造；"
    "东部工业园、引爆点、环松山湖带：持续推进，无完成目标",
    done_en="pilot sub-parks, co-governed areas: set up / laid out (completed, shown as 设立); service area: started "
    "(under_construction); bordering villages: renovated by year end; eastern park, flashpoints, ring belt: ongoing, no finished state",
    fields=(
        FieldSpec("place", description="short name of the town (or 松山湖 for the park) the area lies in"),
        FieldSpec("villages_done", "int", required=False, min_value=0,
                  description="bordering villages renovated so far (of the plan's 51); only on the village_renovation item"),
    ),
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
