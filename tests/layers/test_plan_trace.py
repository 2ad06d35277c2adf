"""layers.plan_trace: from a text of the plan to the items and targets that cite it, and the traced count."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

import layers
from layers import plan_trace


@pytest.fixture(scope="module")
def frames() -> dict[str, gpd.GeoDataFrame]:
    return {n: layers.load_baseline(n, derived=False) for n in layers.names()}


def _tiny(quote: str, name: str = "测试站", ref: str = "(四)一") -> dict[str, gpd.GeoDataFrame]:
    gdf = gpd.GeoDataFrame(
        {"id": ["t-1"], "name_zh": [name], "name_en": ["test"], "plan_ref": [ref], "plan_quote": [quote],
         "role": ["plan_item"], "status": ["planned"]},
        geometry=[Point(113.9, 22.95)], crs="EPSG:4326",
    )
    return {"facilities": gdf}


NO_TARGETS = pd.DataFrame(columns=["key", "item_zh", "item_en", "section", "layer", "plan_quote"])


def test_clauses_cover_the_body_in_order_with_sections():
    cs = plan_trace.clauses()
    assert cs[0].section == "(一)" and cs[-1].section == "(五)三"
    assert [c.index for c in cs] == list(range(len(cs)))
    assert any(c.text == "确保台湾高科技园消防站在第一季度投入使用" and c.section == "(五)三" for c in cs)
    assert plan_trace.sections()[:2] == ["(一)", "(一)一"] and len(plan_trace.sections()) == 26  # 5 chapters + 21 parts


def test_quote_overlaps_kinds():
    q = "年底前完成松山湖站TOD开发策划及概念设计"
    assert plan_trace.quote_overlaps(q, "规划布局," + q + ",年底前") == "quote_in_text"
    assert plan_trace.quote_overlaps(q, "松山湖站TOD开发") == "text_in_quote"
    assert plan_trace.quote_overlaps(q, "开发策划及概念设计，规划布局群众艺术馆") == "overlap"  # full-width comma
    # two quotes that only share a template do not cite each other
    assert plan_trace.quote_overlaps(q, "年底前完成金多港站TOD开发策划及概念设计") is None
    assert plan_trace.quote_overlaps(q, "  ") is None


def test_trace_a_sentence_finds_its_features_and_target(frames):
    hits = plan_trace.trace("年底前完成松山湖站TOD开发策划及概念设计", frames=frames)
    assert set(hits["id"]) == {"tod-02", "tod_concept_designs"}
    assert list(hits.columns) == plan_trace.TRACE_COLUMNS
    assert hits.set_index("id").loc["tod-02", "match"] == "quote_in_text"
    assert hits.set_index("id").loc["tod_concept_designs", "source"] == "target"


def test_trace_a_paragraph_finds_every_item_in_it(frames):
    paragraph = layers.plan_section("(四)二")
    ids = set(plan_trace.trace(paragraph, frames=frames)["id"])
    assert {f"sub-{i:02d}" for i in range(1, 12)} <= ids
    assert {"land-c01", "land-r01", "catchment-luotian-after", "road-eco-park-municipal"} <= ids
    assert {"substations_110kv_sited", "land_reserve_mu"} <= ids
    assert "tod-02" not in ids


def test_trace_by_name_and_by_section(frames):
    hits = plan_trace.trace("统筹做好与企石、莞城、南城等各方利益协调", frames=frames)
    assert "town-qishi" in set(hits["id"]) and set(hits["match"]) == {"name"}
    sec = plan_trace.trace("", section="(五)三", frames=frames)
    assert set(sec["match"]) == {"section"}
    assert {"fire-taiwan-park", "fac-emergency", "hd_cameras"} <= set(sec["id"])
    assert plan_trace.trace("", frames=frames).empty
    # a section filter keeps only that section's items
    assert set(plan_trace.trace("输变电工程", section="(五)三", frames=frames)["id"]) == set()


def test_short_names():
    assert plan_trace.short_name("松山湖材料实验室（一期）") == "材料实验室"
    assert plan_trace.short_name("企石镇") == "企石"
    assert plan_trace.short_name("联网路 07（松山湖—寮步）") == "联网路"
    assert plan_trace.short_name("松山湖（松木山水库）") == ""  # the zone's own name names no place


def test_trace_coverage_counts_traced_spatial_clauses(frames):
    cov = plan_trace.trace_coverage(frames=frames)
    json.dumps(cov, ensure_ascii=False)  # JSON-able, for the metrics JSON
    assert cov["clauses"] > cov["spatial_clauses"] >= cov["traced"] > 0
    assert cov["traced_share"] >= 0.95  # 111 of 113 on the bundled data (docs/status-model.md)
    assert len(cov["untraced"]) == cov["spatial_clauses"] - cov["traced"]
    assert cov["rule"] == plan_trace.RULE


def test_coverage_moves_with_the_data():
    nothing = plan_trace.trace_coverage(frames={}, targets=NO_TARGETS)
    assert nothing["traced"] == 0 and nothing["traced_share"] == 0.0
    one = plan_trace.trace_coverage(frames=_tiny("确保台湾高科技园消防站在第一季度投入使用"), targets=NO_TARGETS)
    assert one["traced"] == 1
    assert {"section": "(五)三", "text": "确保台湾高科技园消防站在第一季度投入使用"} not in one["untraced"]
