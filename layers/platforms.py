"""Science city and innovation platforms ((一), (二), (四)五): CSNS, the materials lab, campuses and carriers."""

from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec

__all__ = ["SPEC"]

SPEC = LayerSpec(
    name="platforms",
    title_zh="科学城与创新平台",
    title_en="Science city and platforms",
    files=("platforms.geojson",),
    geometry_types=("Polygon", "Point"),
    kinds=(
        "science_city",
        "big_science_cluster",
        "innovation_axis",
        "big_science_facility",
        "laboratory",
        "university",
        "enterprise_campus",
        "incubator",
        "service_centre",
        "industry_base",
        "carrier",
        "pilot_base",
        "partner",
    ),
    statuses=("planned", "site_selected", "under_construction", "completed", "delayed", "cancelled"),
    done_zh="按计划用语：完工/投入使用/落户（completed）、动工（under_construction）或完成供地（site_selected）；推动/加快/积极建设类为持续推进",
    done_en="per the plan's words: finished, in use or settled (completed), started (under_construction), land supplied "
    "(site_selected); 推动/加快/积极建设 items are ongoing",
    fields=(
        FieldSpec("revitalised_floor_m2", "float", required=False, min_value=0.0,
                  description="floor area of a building carrier revitalised in 2020, m² of floor area (not land area); "
                  "counts towards the (二)二 target of at least 500,000 m²"),
    ),
    derived=("area_mu", "town", "done"),
    style={
        "color": "#117a65",
        "fill_color": "#48c9b0",
        "radius": 6,
        "weight": 2,
        "fill_opacity": 0.25,
        "by_kind": {
            "science_city": {"color": "#0e6655", "fill_opacity": 0.05, "dash_array": "10 6", "weight": 2},
            "big_science_cluster": {"fill_opacity": 0.2},
            "big_science_facility": {"fill_color": "#1abc9c", "radius": 8, "fill_opacity": 0.9},
            "partner": {"fill_color": "#aab7b8", "color": "#566573"},
        },
    },
)
