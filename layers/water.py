"""Water ((三)四, (四)二, (四)四): the lake (松木山水库), 罗田水库, 月荷湖, rivers, channels, sections."""

from __future__ import annotations

from layers.spec import LayerSpec

__all__ = ["SPEC"]

SPEC = LayerSpec(
    name="water",
    title_zh="水系",
    title_en="Water",
    files=("water.geojson",),
    geometry_types=("Polygon", "LineString", "Point"),
    kinds=("lake", "reservoir", "wetland", "river", "channel", "monitoring_section"),
    statuses=("planned", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="水体为背景要素（context，不计进度）；治理工程（人工湿地与库尾截排）为持续推进的规划事项",
    done_en="water bodies are context (never counted); the works on them (wetland, tail interception) are ongoing plan items",
    derived=("area_mu", "length_km", "done"),
    style={
        "color": "#2e86c1",
        "fill_color": "#85c1e9",
        "weight": 2,
        "radius": 6,
        "fill_opacity": 0.75,
        "by_kind": {
            "wetland": {"fill_color": "#a3e4d7", "color": "#138d75"},
            "monitoring_section": {"fill_color": "#ffffff", "color": "#1b4f72"},
        },
    },
)
