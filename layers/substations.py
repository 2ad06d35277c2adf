"""Substations ((四)二): 2 × 220 kV and 7 × 110 kV to site, 2 × 110 kV to start construction.

``capacity_mva`` is the installed transformer capacity in MVA; ``capacity_source`` says whether it is
known or assumed (typical Guangdong urban configurations: 220 kV 3 × 240 MVA, 110 kV 3 × 63 MVA).
"""

from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec

__all__ = ["SPEC", "ASSUMED_CAPACITY_MVA"]

#: Assumed installed capacity by voltage when the plan gives none (typical Guangdong urban substations).
ASSUMED_CAPACITY_MVA: dict[int, float] = {220: 720.0, 110: 189.0}

SPEC = LayerSpec(
    name="substations",
    title_zh="输变电工程",
    title_en="Substations",
    files=("substations.geojson",),
    geometry_types=("Point",),
    kinds=("substation_220kv", "substation_110kv"),
    statuses=("planned", "site_selection", "site_selected", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="选址类：完成项目选址（site_selected）；动工类：年内动工（under_construction）",
    done_en="site-selection projects: site selected; construction-start projects: construction started",
    fields=(
        FieldSpec("voltage_kv", "int", description="voltage class in kV (110 or 220)"),
        FieldSpec("stage", allowed=("site_selection", "construction_start"), description="the plan's 2020 step"),
        FieldSpec("capacity_mva", "float", min_value=0.0, description="installed transformer capacity in MVA"),
        FieldSpec("capacity_source", allowed=("assumed", "known"), description="whether capacity_mva is known or assumed"),
        FieldSpec("serves", description="the area the substation would serve"),
    ),
    style={
        "color": "#b03a2e",
        "fill_color": "#f5b7b1",
        "radius": 6,
        "weight": 2,
        "fill_opacity": 0.9,
        "by_kind": {"substation_220kv": {"radius": 9, "fill_color": "#e74c3c"}},
    },
)
