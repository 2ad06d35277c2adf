"""Substation adequacy by the load-density method, on layouts whose loads are known by construction."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from gis import load_density as ld
from gis.errors import InputError

E, N = 489_700.0, 2_536_800.0
CRS = "EPSG:4547"


@pytest.fixture
def layout() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two 110 kV substations 4 km apart; west serves 3 industrial km²-ish parcels, east 1 residential."""
    parcels = gpd.GeoDataFrame(
        {
            "id": ["w1", "w2", "w3", "e1"],
            "land_use": ["industrial", "M", "工业用地", "residential"],
        },
        geometry=[
            box(E - 500, N - 500, E + 500, N + 500),  # 1 km² each, around the west substation
            box(E - 500, N + 600, E + 500, N + 1600),
            box(E - 500, N - 1600, E + 500, N - 600),
            box(E + 3500, N - 500, E + 4500, N + 500),
        ],
        crs=CRS,
    )
    subs = gpd.GeoDataFrame(
        {"id": ["west", "east"], "voltage_kv": [110, 110], "capacity_mva": [189.0, 189.0]},
        geometry=[Point(E, N), Point(E + 4000, N)],
        crs=CRS,
    )
    return parcels, subs


def test_parcel_demand_is_area_times_density(layout) -> None:
    parcels, _ = layout
    d = ld.parcel_demand(parcels, simultaneity=1.0)
    assert d["land_use"].tolist() == ["industrial", "industrial", "industrial", "residential"]
    assert d["area_m2"].tolist() == pytest.approx([1e6] * 4)
    # 1 km² × 50 W/m² = 50 MW; residential 25 W/m²
    assert d["demand_mw"].tolist() == pytest.approx([50.0, 50.0, 50.0, 25.0])


def test_two_substations_with_known_loads(layout) -> None:
    parcels, subs = layout
    t = ld.substation_adequacy(parcels, subs, power_factor=0.9, load_rate=0.65, simultaneity=0.8)
    west, east = t.iloc[0], t.iloc[1]
    assert west["parcels"] == 3 and east["parcels"] == 1
    # west: 3 × 50 MW × 0.8 = 120 MW → 133.3 MVA against 189 × 0.65 = 122.85 MVA: overloaded
    assert west["demand_mw"] == pytest.approx(120.0)
    assert west["demand_mva"] == pytest.approx(120.0 / 0.9)
    assert west["available_mva"] == pytest.approx(122.85)
    assert bool(west["overload"]) is True
    # east: 25 × 0.8 = 20 MW → 22.2 MVA: fine
    assert east["demand_mva"] == pytest.approx(20.0 / 0.9)
    assert bool(east["overload"]) is False
    assert east["utilisation"] == pytest.approx((20 / 0.9) / 122.85)


def test_by_voltage_and_levels_count_parcels_once_each(layout) -> None:
    parcels, subs = layout
    subs = pd_concat(subs, gpd.GeoDataFrame({"id": ["big"], "voltage_kv": [220], "capacity_mva": [720.0]},
                                            geometry=[Point(E + 2000, N)], crs=CRS))
    t = ld.substation_adequacy(parcels, subs)
    by = ld.adequacy_by_voltage(t)
    assert by.loc[220, "substations"] == 1 and by.loc[110, "substations"] == 2
    # the 220 kV substation serves every parcel: the same demand as the 110 kV level in total
    assert by.loc[220, "demand_mva"] == pytest.approx(by.loc[110, "demand_mva"])
    assert by.loc[110, "overloaded"] == 1 and by.loc[220, "overloaded"] == 0


def test_supply_radius_leaves_far_parcels_unserved(layout) -> None:
    parcels, subs = layout
    t = ld.substation_adequacy(parcels, subs.iloc[[0]], supply_radius_m={110: 1000.0}, simultaneity=1.0)
    # the east parcel is 3.5 km away: unserved
    assert t.iloc[0]["parcels"] == 3
    assert t.attrs["unserved_mw"][110.0] == pytest.approx(25.0)
    assert ld.adequacy_by_voltage(t).loc[110, "unserved_mw"] == pytest.approx(25.0)


def test_degrees_in_degrees_out_same_answer(layout) -> None:
    parcels, subs = layout
    a = ld.substation_adequacy(parcels, subs)
    b = ld.substation_adequacy(parcels.to_crs("EPSG:4326"), subs.to_crs("EPSG:4326"))
    assert b["demand_mva"].tolist() == pytest.approx(a["demand_mva"].tolist(), rel=1e-6)


def test_default_use_and_overrides(layout) -> None:
    parcels, subs = layout
    no_use = parcels.drop(columns="land_use")
    d = ld.parcel_demand(no_use, default_use="commercial", densities={"commercial": 100.0}, simultaneity=1.0)
    assert d["demand_mw"].tolist() == pytest.approx([100.0] * 4)


def test_unknown_use_and_bad_factors_are_input_errors(layout) -> None:
    parcels, subs = layout
    with pytest.raises(InputError, match="moon"):
        ld.parcel_demand(parcels.assign(land_use="moon base"))
    with pytest.raises(InputError):
        ld.parcel_demand(parcels.drop(columns="land_use"))  # no use and no default
    with pytest.raises(InputError):
        ld.substation_adequacy(parcels, subs, power_factor=1.5)
    with pytest.raises(InputError, match="capacity"):
        ld.substation_adequacy(parcels, subs.drop(columns="capacity_mva"))


def test_every_default_cites_a_source_or_says_assumption() -> None:
    for use, row in ld.LOAD_DENSITY_W_M2.items():
        lo, hi = row["range"]
        assert lo <= row["w_m2"] <= hi, use
        assert "GB/T 50293" in row["source"] or "assumption" in row["source"]


def test_missing_capacity_is_not_an_overload(layout) -> None:
    parcels, subs = layout
    t = ld.substation_adequacy(parcels, subs.assign(capacity_mva=[None, 189.0]))
    assert not bool(t.iloc[0]["overload"])
    assert t["utilisation"].isna().iloc[0]


def pd_concat(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat([a, b], ignore_index=True), crs=a.crs)
