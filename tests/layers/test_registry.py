"""The registry and the specs: names, loading, validation errors that name feature and field, derivation."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

import layers
from gis.crs import CGCS2000_GK_CM114
from gis.errors import InputError

EXPECTED = ["boundaries", "sub_parks", "water", "platforms", "land_actions", "road_links", "facilities", "substations", "tod_stations"]


def test_names_and_specs():
    assert layers.names() == EXPECTED
    for name in EXPECTED:
        spec = layers.spec(name)
        assert spec.name == name and spec.title_zh and spec.done_zh and spec.kinds
        assert set(spec.statuses) <= set(layers.STATUSES)
    with pytest.raises(InputError):
        layers.spec("nope")


def test_load_without_store_reads_the_baseline():
    gdf = layers.load("substations")
    assert gdf.attrs["source"] == "baseline"
    assert gdf.crs.equals("EPSG:4326")
    assert {"town", "done"} <= set(gdf.columns)
    assert not gdf["done"].any()  # March 2020: no site selected yet


def test_status_reached():
    assert layers.status_reached("site_selected", "site_selected")
    assert layers.status_reached("completed", "under_construction")
    assert not layers.status_reached("site_selection", "site_selected")
    assert not layers.status_reached("delayed", "planned")
    assert not layers.status_reached("cancelled", "completed")


def test_style_for_kind_and_action():
    assert layers.spec("substations").style_for("substation_220kv")["radius"] == 9
    assert layers.spec("land_actions").style_for("parcel", action="reserve")["fill_color"] == "#58d68d"
    assert layers.spec("road_links").status_label("completed") == "通车"


def _one_feature(spec_name: str) -> gpd.GeoDataFrame:
    return layers.load_baseline(spec_name, derived=False).head(2).copy()


@pytest.mark.parametrize(
    "field,value",
    [("status", "finished"), ("deadline", "2021"), ("kind", "castle"), ("plan_ref", "4.2"), ("accuracy_m", -5.0),
     ("name_zh", ""), ("voltage_kv", "high"), ("capacity_source", "guessed")],
)
def test_violation_names_feature_and_field(field, value):
    gdf = _one_feature("substations")
    gdf[field] = gdf[field].astype(object)
    gdf.loc[1, field] = value
    with pytest.raises(InputError) as err:
        layers.validate_frame(gdf, layers.spec("substations"))
    assert err.value.feature == gdf.loc[1, "id"] and err.value.field == field
    assert gdf.loc[1, "id"] in str(err.value) and field in str(err.value)


def test_duplicate_missing_column_and_geometry_errors():
    spec = layers.spec("land_actions")
    gdf = _one_feature("land_actions")
    dup = gdf.copy()
    dup.loc[1, "id"] = dup.loc[0, "id"]
    with pytest.raises(InputError, match="duplicate id"):
        layers.validate_frame(dup, spec)
    with pytest.raises(InputError, match="action"):
        layers.validate_frame(gdf.drop(columns=["action"]), spec)
    bow = gdf.copy()
    bow.loc[1, "geometry"] = Polygon([(113.90, 22.90), (113.91, 22.91), (113.91, 22.90), (113.90, 22.91)])
    with pytest.raises(InputError) as err:
        layers.validate_frame(bow, spec)
    assert err.value.field == "geometry" and err.value.feature == gdf.loc[1, "id"]
    pt = gdf.copy()
    pt.loc[1, "geometry"] = Point(113.9, 22.9)
    with pytest.raises(InputError, match="geometry must be"):
        layers.validate_frame(pt, spec)
    far = gdf.copy()
    far.loc[1, "geometry"] = box(116.0, 39.0, 116.01, 39.01)
    with pytest.raises(InputError, match="outside Dongguan"):
        layers.validate_frame(far, spec)
    with pytest.raises(InputError, match="EPSG:4326"):
        layers.validate_frame(gdf.to_crs(CGCS2000_GK_CM114), spec)


def test_add_derived_area_length_town_done(square_100m):
    spec = layers.spec("land_actions")
    base = _one_feature("land_actions").head(1)
    sq = square_100m.to_crs("EPSG:4326").geometry.iloc[0]
    base.loc[base.index[0], "geometry"] = sq
    base.loc[base.index[0], "status"] = "completed"
    place = gpd.GeoDataFrame({"short_name": ["测试镇"]}, geometry=[sq.buffer(0.01)], crs="EPSG:4326")
    out = layers.add_derived(base, spec, place_frame=place)
    assert out["area_mu"].iloc[0] == pytest.approx(15.0, rel=1e-6)
    assert out["town"].iloc[0] == "测试镇" and bool(out["done"].iloc[0])
    roads = layers.spec("road_links")
    line = gpd.GeoDataFrame(
        {"status": ["planned"], "done_status": ["completed"]},
        geometry=[LineString([(495_700, 2_536_800), (496_700, 2_536_800)])], crs=CGCS2000_GK_CM114,
    ).to_crs("EPSG:4326")
    out = layers.add_derived(line, roads, place_frame=place)
    assert out["length_km"].iloc[0] == pytest.approx(1.0, rel=1e-6)
    assert out["town"].iloc[0] is None and not out["done"].iloc[0]


def test_plan_targets_frame():
    t = layers.plan_targets()
    assert {"key", "item_zh", "value", "unit", "deadline", "section", "layer", "selector", "measure", "plan_quote"} <= set(t.columns)
    land = t.set_index("key").loc[["land_consolidation_mu", "land_reserve_mu", "land_revitalisation_mu"]]
    assert list(land["value"]) == [250, 700, 800] and set(land["unit"]) == {"mu"}
    assert t["key"].is_unique


def test_load_all_and_baseline_frames_have_no_derived_columns():
    frames = layers.baseline_frames()
    assert list(frames) == EXPECTED
    for gdf in frames.values():
        assert not set(layers.DERIVED_COLUMNS) & set(gdf.columns)
    assert list(layers.load_all(source="baseline")) == EXPECTED


def test_working_store_is_read_when_it_holds_the_layer(tmp_path):
    from gis.store import open_store

    store = open_store(tmp_path / "w.gpkg")
    copied = layers.seed_store(store, user="tester")
    assert set(copied) == set(EXPECTED)
    subs = layers.load("substations", store=store)
    assert subs.attrs["source"] == "store"
    row = subs.set_index("id").loc["sub-01"]
    store.update_feature("substations", "sub-01", {"status": "site_selected"}, expected_version=int(row["version"]), user="tester")
    again = layers.load("substations", store=store).set_index("id")
    assert again.loc["sub-01", "status"] == "site_selected" and bool(again.loc["sub-01", "done"])
    assert layers.load_baseline("substations").set_index("id").loc["sub-01", "status"] == "site_selection"
    with pytest.raises(InputError):
        layers.load("substations", store=open_store(tmp_path / "empty.gpkg"), source="store")
