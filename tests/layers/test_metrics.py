"""Plan metrics on small frames in the layers' shapes, and on the bundled data against the plan's targets."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from layers import metrics as m

E, N = 489_700.0, 2_536_800.0
SIDE_15_MU = 100.0  # a 100 m square is 15 亩


def gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4547").to_crs("EPSG:4326")


@pytest.fixture
def targets() -> pd.DataFrame:
    return pd.DataFrame({
        "key": ["land_consolidation_mu", "land_reserve_mu", "land_revitalisation_mu", "link_roads_opened",
                "congestion_points_fixed", "substations_220kv_sited", "substations_110kv_sited", "substations_110kv_started"],
        "value": [250, 700, 800, 18, 4, 2, 7, 2],
    })


@pytest.fixture
def land() -> gpd.GeoDataFrame:
    """Four 15 亩 squares: two consolidation (one done), one reserve, one revitalisation; plus a catchment."""
    sq = [box(E + i * 200, N, E + i * 200 + SIDE_15_MU, N + SIDE_15_MU) for i in range(4)]
    rows = [
        {"id": "land-c1", "action": "consolidation", "status": "completed", "done": True, "town": "松山湖", "deadline": "2020"},
        {"id": "land-c2", "action": "consolidation", "status": "planned", "done": False, "town": "大朗", "deadline": "2020"},
        {"id": "land-r1", "action": "reserve", "status": "planned", "done": False, "town": "松山湖", "deadline": "2020-H1"},
        {"id": "land-v1", "action": "revitalisation", "status": "under_construction", "done": False, "town": "大朗", "deadline": "2020"},
        {"id": "catch-1", "action": "catchment_adjustment", "status": "completed", "done": True, "town": None, "deadline": "2020"},
    ]
    for r in rows:
        r["name_zh"] = r["id"]
    return gdf(rows, [*sq, box(E - 5000, N - 5000, E + 5000, N + 5000)])


@pytest.fixture
def sub_parks() -> gpd.GeoDataFrame:
    # a 分园 holding half of land-c1 (x from E+50) and all of land-c2; a flashpoint holding land-v1
    return gdf(
        [{"id": "subpark-a", "kind": "pilot_sub_park", "name_zh": "甲分园", "status": "planned", "deadline": "2020"},
         {"id": "flash-b", "kind": "flashpoint", "name_zh": "引爆点", "status": "planned", "deadline": "2020"}],
        [box(E + 50, N - 10, E + 320, N + 110), box(E + 550, N - 10, E + 720, N + 110)],
    )


@pytest.fixture
def roads() -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for i in range(18):
        done = i < 3
        rows.append({"id": f"road-{i + 1:02d}", "kind": "link_road", "status": "completed" if done else "planned", "done": done,
                     "towns": "松山湖;寮步" if i < 10 else "松山湖;大朗", "deadline": "2020", "name_zh": f"联网路{i + 1}"})
        geoms.append(LineString([(E, N + i * 100), (E + 1000 * (1 + i % 2), N + i * 100)]))  # 1 km or 2 km
    for i in range(4):
        rows.append({"id": f"congestion-{i + 1:02d}", "kind": "congestion_point", "status": "completed" if i == 0 else "planned",
                     "done": i == 0, "towns": "松山湖", "deadline": "2020", "name_zh": f"拥堵点{i + 1}"})
        geoms.append(Point(E, N - i * 100))
    return gdf(rows, geoms)


def test_land_by_action_against_targets(land, targets) -> None:
    t = m.land_by_action(land, targets)
    assert list(t.index) == ["consolidation", "reserve", "revitalisation"]
    assert t.loc["consolidation", "total_mu"] == pytest.approx(30.0, rel=1e-9)
    assert t.loc["consolidation", "done_mu"] == pytest.approx(15.0, rel=1e-9)
    assert t.loc["reserve", "total_mu"] == pytest.approx(15.0, rel=1e-9)
    assert t.loc["reserve", "done_mu"] == 0.0
    assert t["target_mu"].tolist() == [250.0, 700.0, 800.0]
    assert t.loc["consolidation", "share_of_target"] == pytest.approx(30 / 250, rel=1e-9)
    assert t["parcels"].tolist() == [2, 1, 1]  # the catchment outline is not a parcel


def test_land_by_status_and_town(land) -> None:
    s = m.land_by_status(land)
    assert s.loc["consolidation", "completed"] == pytest.approx(15.0) and s.loc["consolidation", "planned"] == pytest.approx(15.0)
    assert s.loc["revitalisation", "under_construction"] == pytest.approx(15.0)
    t = m.land_by_town(land)
    assert t.loc["大朗", "consolidation"] == pytest.approx(15.0) and t.loc["大朗", "revitalisation"] == pytest.approx(15.0)
    assert t.loc["松山湖"].sum() == pytest.approx(30.0)


def test_sub_parks_by_overlay(land, sub_parks) -> None:
    by = m.land_by_sub_park(land, sub_parks)
    # half of land-c1 (7.5 亩) and all of land-c2 (15 亩) lie in subpark-a
    assert by.loc["subpark-a", "consolidation"] == pytest.approx(22.5, rel=1e-9)
    assert by.loc["flash-b", "revitalisation"] == pytest.approx(15.0, rel=1e-9)
    inside = m.parcels_in_sub_parks(land, sub_parks)
    assert sorted(inside["id"]) == ["land-c1", "land-c2"]  # only the 分园 counts, not the flashpoint
    share = dict(zip(inside["id"], inside["inside_share"]))
    assert share["land-c1"] == pytest.approx(0.5, rel=1e-9) and share["land-c2"] == pytest.approx(1.0, rel=1e-9)
    assert set(inside["sub_park_zh"]) == {"甲分园"}


def test_roads_opened_and_km(roads, targets) -> None:
    r = m.road_metrics(roads, targets)
    assert r["link_roads"] == 18 and r["target"] == 18
    assert r["opened"] == 3
    assert r["total_km"] == pytest.approx(9 * 1 + 9 * 2, rel=1e-6)  # EPSG:4547 metres round-trip through degrees
    assert r["opened_km"] == pytest.approx(1 + 2 + 1, rel=1e-6)
    assert r["by_status"] == {"planned": 15, "completed": 3}
    assert r["by_town"]["寮步"]["roads"] == 10 and r["by_town"]["大朗"]["roads"] == 8
    assert r["congestion_points"] == {"total": 4, "fixed": 1, "target": 4.0}


def test_schedule_overdue_on_a_date(land, roads) -> None:
    frames = {"land_actions": land, "road_links": roads}
    mid = m.schedule(frames, as_of=dt.date(2020, 7, 1))
    assert mid.loc[mid["overdue"], "id"].tolist() == ["land-r1"]  # H1 passed, still planned
    end = m.schedule(frames, as_of=dt.date(2021, 1, 1))
    overdue = set(end.loc[end["overdue"], "id"])
    assert "land-c1" not in overdue and "road-01" not in overdue  # done items are never overdue
    assert {"land-c2", "road-04", "congestion-02"} <= overdue
    assert end.loc[end["id"] == "land-r1", "due"].iloc[0] == "2020-06-30"
    assert not m.schedule(frames, as_of=dt.date(2020, 1, 1))["overdue"].any()


def test_coverage_metrics_on_known_layout(land) -> None:
    # one TOD station at the centre of land-c1: its farthest corners are 70 m (c1), 255 m (c2) and 453 m (r1)
    # away, while land-v1 begins 550 m away
    tod = gdf([{"id": "tod-1", "kind": "tod", "status": "planned"}], [Point(E + 50, N + 50)])
    empty = gdf([], [])
    frames = {"land_actions": land, "tod_stations": tod, "facilities": empty.assign(kind=[], status=[]),
              "substations": empty.assign(kind=[], status=[])}
    cov = m.coverage_metrics(frames, radii_m={"tod_station": (150.0, 500.0)})
    r500 = cov["tod_station"]["radii"]["500"]
    assert r500["covered_share"] == pytest.approx(3 / 4, rel=1e-9)
    assert sorted(r500["uncovered"]) == ["land-v1"]
    r150 = cov["tod_station"]["radii"]["150"]
    assert r150["covered_share"] == pytest.approx(0.25, rel=1e-9)  # land-c2's edge only touched at 150 m
    assert sorted(r150["uncovered"]) == ["land-c2", "land-r1", "land-v1"]
    assert cov["bus_stop"]["facilities"] == 0 and cov["bus_stop"]["radii"]["300"]["covered_share"] == 0.0
    assert "GB" in cov["bus_stop"]["source"]


def test_substation_metrics_progress_and_adequacy(land, targets) -> None:
    subs = gdf(
        [{"id": "s220", "kind": "substation_220kv", "voltage_kv": 220, "capacity_mva": 720.0, "status": "site_selected",
          "done_status": "site_selected", "stage": "site_selection", "deadline": "2020", "serves": ""},
         {"id": "s110", "kind": "substation_110kv", "voltage_kv": 110, "capacity_mva": 189.0, "status": "under_construction",
          "done_status": "under_construction", "stage": "construction_start", "deadline": "2020", "serves": ""}],
        [Point(E + 300, N + 50), Point(E + 300, N + 50)],
    )
    doc = m.substation_metrics(subs, m._plan_parcels(land), targets)
    assert doc["progress"]["substations_220kv_sited"] == {"target": 2.0, "done": 1, "selected": 1}
    assert doc["progress"]["substations_110kv_started"]["done"] == 1
    # 4 × 15 亩 = 40 000 m² × 50 W/m² × 0.8 / 0.9 = 1.78 MVA at each level
    assert doc["by_voltage"]["110"]["demand_mva"] == pytest.approx(40_000 * 50 * 0.8 / 0.9 / 1e6, rel=1e-6)
    assert doc["by_voltage"]["110"]["overloaded"] == 0
    # the 110 kV one is being built (firm); the 220 kV one is only sited (planned capacity, not firm)
    assert doc["by_voltage"]["110"]["firm_capacity_mva"] == 189.0
    assert doc["by_voltage"]["220"]["firm_capacity_mva"] == 0.0 and doc["by_voltage"]["220"]["planned_capacity_mva"] == 720.0
    assert doc["by_voltage"]["220"]["utilisation_firm"] is None
    assert doc["assumptions"]["power_factor"] == 0.9 and doc["assumptions"]["simultaneity"] == 0.8
    assert "GB/T 50293" in doc["assumptions"]["load_density_w_m2"]["industrial"]["source"]
    json.dumps(doc, allow_nan=False)


def test_substations_serve_the_area_their_serves_names(land, targets) -> None:
    # two 110 kV substations: "甲区" covers land-c1 and land-c2; the far one names it and takes them,
    # though the other is nearer; the rest go to the nearest
    area = gdf([{"name_zh": "甲区"}], [box(E - 10, N - 10, E + 320, N + 110)])
    subs = gdf(
        [{"id": "near", "kind": "substation_110kv", "voltage_kv": 110, "capacity_mva": 189.0, "status": "completed",
          "done_status": "completed", "stage": "site_selection", "serves": "乙区"},
         {"id": "far", "kind": "substation_110kv", "voltage_kv": 110, "capacity_mva": 189.0, "status": "planned",
          "done_status": "site_selected", "stage": "site_selection", "serves": "甲区与乙区"}],
        [Point(E + 150, N + 300), Point(E + 3000, N + 3000)],
    )
    doc = m.substation_metrics(subs, m._plan_parcels(land), targets, areas=area)
    rows = {r["id"]: r for r in doc["substations"]}
    assert rows["far"]["parcels"] == 2 and rows["far"]["serves_matched"] == "甲区"
    assert rows["near"]["parcels"] == 2 and rows["near"]["capacity_state"] == "firm"
    assert rows["far"]["capacity_state"] == "planned"


# --- the bundled dataset ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    import layers

    return layers.load_all(source="baseline"), layers.plan_targets()


def test_bundled_land_matches_the_plan_targets(bundled) -> None:
    frames, targets = bundled
    t = m.land_by_action(frames["land_actions"], targets)
    assert t["target_mu"].tolist() == [250.0, 700.0, 800.0]
    # the illustrative parcels are drawn to the plan's totals (约 250/700/800 亩)
    for action in t.index:
        assert t.loc[action, "total_mu"] == pytest.approx(t.loc[action, "target_mu"], rel=0.02), action


def test_bundled_plan_metrics_document(bundled) -> None:
    frames, targets = bundled
    doc = m.plan_metrics(frames, targets, as_of=dt.date(2020, 12, 31))
    json.dumps(doc, ensure_ascii=False, allow_nan=False)
    assert doc["roads"]["link_roads"] == 18 and doc["roads"]["target"] == 18
    assert doc["roads"]["congestion_points"]["total"] == 4
    assert doc["roads"]["total_km"] > 0
    assert set(doc["substations"]["by_voltage"]) == {"110", "220"}
    assert {"tod_station", "bus_stop", "fire_station"} <= set(doc["coverage"])
    later = m.plan_metrics(frames, targets, as_of=dt.date(2021, 6, 1))
    assert len(later["overdue"]) >= len(doc["overdue"])
