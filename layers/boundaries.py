"""The park, the functional zone's nine towns and the Dongguan city boundary ((三)一, (三)二)."""

from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec

__all__ = ["SPEC"]

SPEC = LayerSpec(
    name="boundaries",
    title_zh="边界（园区、九镇、东莞市）",
    title_en="Boundaries (park, nine towns, Dongguan)",
    files=("boundaries.geojson", "dongguan_boundary.geojson"),
    geometry_types=("Polygon",),
    kinds=("park", "town", "city"),
    statuses=("planned", "completed"),
    done_zh="边界为背景要素（context）：现行有效（completed），不计入规划进度",
    done_en="boundaries are context: in force (completed), never counted as plan progress",
    fields=(
        FieldSpec("short_name", description="short place name used to join features to places, e.g. 寮步, 松山湖, 东莞"),
        FieldSpec("admin_level", allowed=("park", "town", "city"), description="administrative level"),
    ),
    derived=("area_mu", "done"),
    style={
        "color": "#555555",
        "fill_color": "#bbbbbb",
        "weight": 1.5,
        "fill_opacity": 0.05,
        "by_kind": {
            "park": {"color": "#c0392b", "weight": 3, "fill_color": "#e74c3c", "fill_opacity": 0.06, "dash_array": ""},
            "town": {"color": "#7f8c8d", "weight": 1.5, "fill_color": "#f7f1e3", "fill_opacity": 0.25, "dash_array": "6 4"},
            "city": {"color": "#2c3e50", "weight": 2, "fill_opacity": 0.0, "dash_array": "2 6"},
        },
    },
    completed_zh="现行",
)
