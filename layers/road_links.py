"""Roads ((一)一, (三)二, (三)四, (四)三): the 18 联网路, 4 congestion points and the named roads."""

from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec

__all__ = ["SPEC"]

SPEC = LayerSpec(
    name="road_links",
    title_zh="道路与交通",
    title_en="Roads and links",
    files=("road_links.geojson",),
    geometry_types=("LineString", "Point"),
    kinds=(
        "link_road", "congestion_point", "science_corridor", "grid_road", "main_corridor", "expressway_link", "named_road",
        "municipal_road",
    ),
    statuses=("planned", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="联网路：打通通车（completed）；拥堵点：完成改造（completed）；其余：按各自目标",
    done_en="link roads: opened (completed); congestion points: rebuilt (completed); others per their target",
    fields=(
        FieldSpec("towns", description="places the road joins, ';'-separated short names, e.g. 松山湖;寮步"),
    ),
    derived=("length_km", "town", "done"),
    style={
        "color": "#e67e22",
        "weight": 4,
        "radius": 7,
        "fill_color": "#e67e22",
        "fill_opacity": 0.9,
        "by_kind": {
            "link_road": {"color": "#d35400", "weight": 4},
            "congestion_point": {"color": "#000000", "fill_color": "#f1c40f", "radius": 8},
            "science_corridor": {"color": "#1abc9c", "weight": 5},
            "grid_road": {"color": "#7f8c8d", "weight": 2},
            "main_corridor": {"color": "#16a085", "weight": 4},
            "expressway_link": {"color": "#95a5a6", "weight": 3, "dash_array": "6 6"},
            "named_road": {"color": "#c0392b", "weight": 3},
            "municipal_road": {"color": "#a04000", "weight": 2, "dash_array": "4 4"},
        },
    },
    completed_zh="通车",
)
