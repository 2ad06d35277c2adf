"""The status model (docs/status-model.md) on the bundled dataset: roles, targets, deadlines, baseline.

Read back from ``data/geo/`` and ``plan_targets.csv``; the plan's words come from ``plan_text.txt``.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest

import layers
from gis.area import area_m2
from gis.errors import InputError
from layers.spec import validate_frame
from layers.status_words import period_of, periods_in
from layers.years import parse_deadline

#: A few of the plan's period words and the year-free period each must read as, written out here and not taken
#: from layers.status_words (the product's one table, which the rest of this file uses), so a wrong row fails.
PERIODS_AS_WRITTEN: dict[str, str] = {
    "第一季度": "Q1",
    "上半年": "H1",
    "9月份": "09",
    "下半年": "H2",
    "年底前": "YE",
    "年内": "",
    "全年": "",
}
MEASURES = {"none", "count", "count_done", "sum_area_mu", "sum_area_m2"}


@pytest.fixture(scope="module")
def data() -> dict[str, gpd.GeoDataFrame]:
    return {n: layers.load_baseline(n) for n in layers.names()}


@pytest.fixture(scope="module")
def everything(data) -> pd.DataFrame:
    return pd.concat([gdf.drop(columns="geometry").assign(layer=name) for name, gdf in data.items()], ignore_index=True)


def _select(gdf: gpd.GeoDataFrame, selector: str) -> gpd.GeoDataFrame:
    """``field=value`` terms joined by ``;`` (all must hold), ``|`` for any of several values."""
    mask = pd.Series(True, index=gdf.index)
    for term in filter(None, selector.split(";")):
        field, _, values = term.partition("=")
        mask &= gdf[field].astype(str).isin(values.split("|"))
    return gdf[mask]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


# ---------------------------------------------------------------------------------------------- roles
def test_every_feature_has_a_role_and_context_has_no_target(everything):
    assert set(everything["role"]) == {"plan_item", "context"}
    ctx = everything[everything["role"] == "context"]
    assert ctx["done_status"].map(_blank).all(), ctx.loc[~ctx["done_status"].map(_blank), "id"].tolist()
    assert ctx["deadline"].map(_blank).all()
    assert not ctx["done"].any()


def test_boundaries_water_bodies_and_existing_places_are_context(data, everything):
    assert (data["boundaries"]["role"] == "context").all()
    water = data["water"].set_index("id")
    assert (water.drop(index="water-songmushan-wetland")["role"] == "context").all()
    assert water.loc["water-songmushan-wetland", "role"] == "plan_item"  # the works on the lake are asked for
    roles = everything.set_index("id")["role"]
    for fid in ("platform-csns", "platform-huawei-campus", "catchment-luotian-before", "subpark-core"):
        assert roles[fid] == "context", fid
    for fid in ("platform-csns-phase2", "road-ring-lake", "road-qinyuan", "catchment-luotian-after"):
        assert roles[fid] == "plan_item", fid


def test_spec_refuses_a_context_feature_with_a_deadline_and_a_done_status_its_layer_lacks(data):
    spec = layers.spec("road_links")
    roads = data["road_links"].drop(columns=list(layers.DERIVED_COLUMNS), errors="ignore")
    validate_frame(roads, spec)  # null done_status and deadline (ongoing items) are valid
    bad = roads.copy()
    i = bad.index[bad["id"] == "road-ring-lake"][0]
    bad.loc[i, ["role", "deadline"]] = ["context", "2020"]
    with pytest.raises(InputError) as err:
        validate_frame(bad, spec)
    assert err.value.field == "role"
    bad = roads.copy()
    bad.loc[bad["id"] == "road-01", "done_status"] = "site_selected"  # not a status roads can take
    with pytest.raises(InputError) as err:
        validate_frame(bad, spec)
    assert err.value.field == "done_status"


# ---------------------------------------------------------------------------------------------- baseline
def test_at_baseline_nothing_the_plan_asks_for_is_done(everything):
    items = everything[everything["role"] == "plan_item"]
    assert not items["done"].any(), items.loc[items["done"], "id"].tolist()
    statuses = everything.set_index("id")["status"]
    for fid in ("platform-csns-phase2", "road-ring-lake", "road-qinyuan", "catchment-luotian-after",
                "subpark-east-industrial", "subpark-east-service"):
        assert statuses[fid] != "completed", fid


def test_110kv_sited_is_0_of_7_and_every_substation_row_under_its_stage_selector(data):
    targets = layers.plan_targets().set_index("key")
    subs = data["substations"]
    expected = {"substations_220kv_sited": (2, 0), "substations_110kv_sited": (7, 0), "substations_110kv_started": (2, 0)}
    for key, (n, done) in expected.items():
        sel = _select(subs, targets.loc[key, "selector"])
        assert len(sel) == n == targets.loc[key, "value"], key
        assert int(sel["done"].sum()) == done, key
    sited_110 = _select(subs, targets.loc["substations_110kv_sited", "selector"])
    assert set(sited_110["status"]) <= {"planned", "site_selection"}
    assert not {"sub-10", "sub-11"} & set(sited_110["id"])  # 北区 and 花园 are the construction-start projects


# ---------------------------------------------------------------------------------------------- deadlines
def _period(code: str) -> str:
    """The year-free period of a bundled (2020) deadline code; fails on anything else."""
    parsed = parse_deadline(code)
    assert parsed is not None and parsed[0] == 2020, code
    return parsed[1]


def test_a_deadline_only_where_the_quote_gives_the_period(everything):
    for words, period in PERIODS_AS_WRITTEN.items():  # the product's table read against words written out here
        assert period_of(f"力争{words}完成") == (words, period), words
        assert periods_in(f"力争{words}完成") == {period}, words
    dated = everything[~everything["deadline"].map(_blank)]
    assert len(dated) > 30
    for _, row in dated.iterrows():
        period = _period(row["deadline"])
        assert period in periods_in(row["plan_quote"]), (row["id"], row["deadline"], row["plan_quote"])
        assert not _blank(row["done_status"]), row["id"]  # ongoing work has no deadline


def test_ongoing_verbs_have_no_completion_target(everything):
    by_id = everything.set_index("id")
    for fid in ("corridor-guangming", "grid-v1", "fire-central", "fac-south-sports", "platform-light-source",
                "centre-lake-island", "link-east-expressway", "flashpoint-dalang"):
        assert _blank(by_id.loc[fid, "done_status"]), fid
        assert _blank(by_id.loc[fid, "deadline"]), fid
    assert _blank(by_id.loc["tod-01", "deadline"])  # the TID: 争取早日投入使用, no period
    assert by_id.loc["tod-01", "done_status"] == "completed"


def test_target_deadlines_come_from_the_quotes_sentence():
    text = layers.plan_text()
    for _, row in layers.plan_targets().iterrows():
        if not row["deadline"]:
            continue
        sentence = next(s for s in re.split("[。；;]", text) if row["plan_quote"] in s)
        assert _period(row["deadline"]) in periods_in(sentence), row["key"]
    targets = layers.plan_targets().set_index("key")
    assert targets.loc["tid_first_phase", "deadline"] == ""


# ---------------------------------------------------------------------------------------------- targets
def test_every_placed_target_has_a_selector_and_a_measure_that_select_features(data):
    for _, row in layers.plan_targets().iterrows():
        measure = row["measure"]
        assert measure in MEASURES or measure.startswith("sum_field:"), row["key"]
        if not row["layer"]:
            assert measure == "none", row["key"]
            continue
        assert measure != "none" or row["key"] == "school_places", row["key"]
        gdf = data[row["layer"]]
        sel = _select(gdf, row["selector"])
        assert len(sel) > 0, row["key"]
        if measure.startswith("sum_field:"):
            column = measure.split(":", 1)[1]
            assert column in layers.spec(row["layer"]).field_names, row["key"]
            assert sel[column].notna().any(), row["key"]
    placed = set(layers.plan_targets().query("layer != ''")["key"])
    assert {"pilot_sub_parks", "tod_concept_designs", "tid_first_phase", "bus_stops", "bus_corridors",
            "illegal_removal_m2", "functional_zone_towns", "co_governed_areas", "beautiful_villages",
            "building_revitalisation_m2"} <= placed


def test_illegal_removal_reaches_10000_m2(data):
    la = data["land_actions"]
    total = float(area_m2(la[la["action"] == "illegal_removal"]).sum())
    target = layers.plan_targets().set_index("key").loc["illegal_removal_m2", "value"]
    assert total >= target == 10000
    assert total < 1.02 * target


def test_co_governed_areas_within_the_plans_range(data):
    targets = layers.plan_targets().set_index("key")
    n = int((data["sub_parks"]["kind"] == "co_governed_area").sum())
    assert targets.loc["co_governed_areas", "value"] <= n <= float(targets.loc["co_governed_areas", "value_max"])


# ---------------------------------------------------------------------------------------------- new items
NEW_ITEMS = {
    "platform-tianan-cloud-park": "天安云谷",
    "cogoverned-liaobu": "园镇共谋共建共管区域",
    "villages-bordering": "接壤村",
    "road-east-park-network": "主要市政路网",
    "fac-lingnan-villages": "岭南古村落",
    "belt-around-lake": "环松山湖带",
    "service-hall-park": "政务大厅",
    "service-hall-dalang": "政务大厅",
    "platform-pilot-bases": "中试基地和标准厂房",
    "platform-main-force-base": "主力军企业培育基地",
    "platform-neutron-lab": "粤港澳中子散射科学技术联合实验室",
    "platform-cross-science": "粤港澳交叉科学中心",
    "platform-tencent-incubator": "腾讯孵化器",
    "platform-baidu-incubator": "百度人工智能",
    "scenic-4a": "4A级景区",
    "platform-csns-phase2": "散裂中子源二期",
    "platform-public-incubator": "公营孵化器",
    "platform-science-city-land": "土地整备",
    "park-pipe-survey": "地下管网排查",
    "zone-industrial-upgrade": "镇村工业园",
    "district-north-gateway": "北部片区门户",
}


@pytest.mark.parametrize("fid", sorted(NEW_ITEMS))
def test_new_items_exist_with_verbatim_quotes_in_their_section(everything, fid):
    row = everything.set_index("id").loc[fid]
    assert NEW_ITEMS[fid] in row["plan_quote"]
    assert row["plan_quote"] in layers.plan_section(row["plan_ref"])
    assert row["illustrative"] and re.search("illustrative|approximate", row["source"]) and row["accuracy_m"] >= 1500


def test_ten_service_halls_one_per_place_of_the_functional_zone(data):
    halls = data["facilities"][data["facilities"]["kind"] == "service_hall"]
    assert len(halls) == 10
    assert set(halls["town"].dropna()) >= {"松山湖", "大朗", "寮步", "东坑"}
