"""TOD/TID stations ((四)一): 松山湖北站 TID, 松山湖站 TOD, 金多港站 TOD."""

from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec

__all__ = ["SPEC"]

SPEC = LayerSpec(
    name="tod_stations",
    title_zh="TOD/TID 站点",
    title_en="TOD/TID stations",
    files=("tod_stations.geojson",),
    geometry_types=("Point",),
    kinds=("tid", "tod"),
    statuses=("planned", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="TOD：完成开发策划及概念设计（completed）；TID：首期项目投入使用（completed）",
    done_en="TOD: development plan and concept design finished (completed); TID: first phase in use (completed)",
    fields=(
        FieldSpec("line", description="the rail line the station serves"),
        FieldSpec("station_zh", description="the station's name"),
    ),
    style={"color": "#6c3483", "fill_color": "#a569bd", "radius": 9, "weight": 2, "fill_opacity": 0.9},
    completed_zh="完成",
)
