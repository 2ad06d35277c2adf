"""City facilities ((四)一, (五)): schools, health, culture and sport, safety, bus stops and corridors."""

from __future__ import annotations

from layers.spec import LayerSpec

__all__ = ["SPEC"]

SPEC = LayerSpec(
    name="facilities",
    title_zh="公共服务设施",
    title_en="Facilities",
    files=("facilities.geojson",),
    geometry_types=("Point", "LineString"),
    kinds=(
        "school",
        "health",
        "culture_sport",
        "emergency_centre",
        "fire_station",
        "community_centre",
        "city_centre",
        "bus_stop",
        "bus_corridor",
        "service_hall",
        "culture_tourism",
    ),
    statuses=("planned", "site_selected", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="按计划用语：建成/投入使用（completed）、启动建设/动工（under_construction）或规划布局（site_selected）；加快建设/推进类为持续推进，无完成目标",
    done_en="per the plan's words: built or in use (completed), construction started (under_construction) or laid out "
    "(site_selected); 加快建设/推进 items are ongoing, with no finished state",
    derived=("length_km", "town", "done"),
    style={
        "color": "#1f618d",
        "fill_color": "#3498db",
        "radius": 5,
        "weight": 2,
        "fill_opacity": 0.9,
        "by_kind": {
            "school": {"fill_color": "#27ae60", "color": "#1e8449"},
            "health": {"fill_color": "#ffffff", "color": "#c0392b"},
            "fire_station": {"fill_color": "#e74c3c", "color": "#922b21"},
            "emergency_centre": {"fill_color": "#c0392b", "color": "#641e16", "radius": 7},
            "bus_stop": {"fill_color": "#f4d03f", "color": "#7d6608", "radius": 3},
            "bus_corridor": {"color": "#f39c12", "weight": 3, "dash_array": "8 4"},
            "city_centre": {"fill_color": "#8e44ad", "color": "#5b2c6f", "radius": 6},
        },
    },
    completed_zh="投用",
)
