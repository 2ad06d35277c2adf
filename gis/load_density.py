"""Substation adequacy by the load-density method (负荷密度法), plan-free.

Demand of a parcel = land area (m², EPSG:4547) × load density (W/m² of land, by land use) × simultaneity.
A substation serves the parcels nearest to it among the substations of its voltage level (optionally only
within a supply radius); its demand in MVA = Σ demand / power factor, against what it can deliver:
capacity (MVA) × the highest load rate that still allows N-1. Per substation and per voltage level, with
an overload flag.

Every default below cites its source or says it is an assumption; all are arguments, so a planner can
use the figures of a local 电力专项规划 instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.area import to_measuring_crs
from gis.crs import CGCS2000_GK_CM114
from gis.errors import InputError

__all__ = [
    "LOAD_DENSITY_W_M2",
    "LAND_USE_ALIASES",
    "DEFAULT_POWER_FACTOR",
    "DEFAULT_LOAD_RATE",
    "DEFAULT_SIMULTANEITY",
    "parcel_demand",
    "assign_nearest",
    "substation_adequacy",
    "adequacy_by_voltage",
]

_GB50293 = "GB/T 50293-2014《城市电力规划规范》表 4.2.4 规划单位建设用地负荷指标"

#: Load density by land use, W per m² of land: (low, high, value used, source). The value used is the
#: middle of the standard's range; taking the middle is an assumption (the standard leaves the choice
#: to the plan according to the city's development level).
LOAD_DENSITY_W_M2: dict[str, dict[str, Any]] = {
    "residential": {"code": "R", "range": (10.0, 40.0), "w_m2": 25.0, "source": _GB50293},
    "public_service": {"code": "A", "range": (30.0, 80.0), "w_m2": 55.0, "source": _GB50293},
    "commercial": {"code": "B", "range": (40.0, 120.0), "w_m2": 80.0, "source": _GB50293},
    "industrial": {"code": "M", "range": (20.0, 80.0), "w_m2": 50.0, "source": _GB50293},
    "logistics": {"code": "W", "range": (2.0, 4.0), "w_m2": 3.0, "source": _GB50293},
    "transport": {"code": "S", "range": (1.5, 3.0), "w_m2": 2.25, "source": _GB50293},
    "utilities": {"code": "U", "range": (15.0, 25.0), "w_m2": 20.0, "source": _GB50293},
    "green": {"code": "G", "range": (1.0, 3.0), "w_m2": 2.0, "source": _GB50293},
    # not a class of the standard: research campuses and big-science facilities draw like the upper
    # end of industrial land; assumption
    "research": {"code": "M/A", "range": (50.0, 100.0), "w_m2": 80.0, "source": "assumption (upper industrial / public service)"},
}

#: Other names accepted for the land uses above (GB 50137 codes and Chinese names).
LAND_USE_ALIASES: dict[str, str] = {
    "r": "residential", "居住": "residential", "居住用地": "residential",
    "a": "public_service", "公共管理与公共服务": "public_service", "公共管理与公共服务设施用地": "public_service",
    "b": "commercial", "商业": "commercial", "商业服务业设施用地": "commercial",
    "m": "industrial", "工业": "industrial", "工业用地": "industrial",
    "w": "logistics", "物流仓储": "logistics", "物流仓储用地": "logistics",
    "s": "transport", "道路与交通设施用地": "transport",
    "u": "utilities", "公用设施用地": "utilities",
    "g": "green", "绿地": "green", "绿地与广场用地": "green",
    "科研": "research",
}

#: Power factor of the served load: assumption (0.9 is the usual planning figure; GB/T 50293-2014 asks
#: for compensation to about 0.9–0.95 at the substation).
DEFAULT_POWER_FACTOR: float = 0.9
#: Highest transformer load rate that keeps N-1 supply: assumption (2/3 ≈ 0.67 for three transformers,
#: 0.5 for two; 0.65 is a common planning value in 配电网规划 practice, cf. DL/T 5729-2016).
DEFAULT_LOAD_RATE: float = 0.65
#: Simultaneity factor (同时率) between the land uses' peaks: assumption.
DEFAULT_SIMULTANEITY: float = 0.8


def _density_table(densities: Mapping[str, float] | None) -> dict[str, float]:
    table = {k: float(v["w_m2"]) for k, v in LOAD_DENSITY_W_M2.items()}
    for k, v in (densities or {}).items():
        table[_canonical_use(k)] = float(v)
    return table


def _canonical_use(value: object) -> str:
    text = str(value).strip()
    return LAND_USE_ALIASES.get(text.lower(), LAND_USE_ALIASES.get(text, text.lower()))


def parcel_demand(
    parcels: gpd.GeoDataFrame,
    *,
    land_use_col: str = "land_use",
    default_use: str | None = None,
    densities: Mapping[str, float] | None = None,
    simultaneity: float = DEFAULT_SIMULTANEITY,
) -> pd.DataFrame:
    """Electric demand of each parcel by the load-density method.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Parcels in any CRS; areas are measured on EPSG:4547.
    land_use_col : str, keyword-only
        Column with the land use (keys of :data:`LOAD_DENSITY_W_M2`, GB 50137 letters or Chinese names).
    default_use : str, optional, keyword-only
        Land use for parcels without one (or when the column is missing).
    densities : mapping, optional, keyword-only
        Land use → W/m² overriding the defaults.
    simultaneity : float, keyword-only
        Simultaneity factor, 0–1.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``parcels``: ``land_use``, ``area_m2`` (m²), ``w_m2`` (W/m²), ``demand_mw`` (MW).

    Raises
    ------
    gis.errors.InputError
        A land use with no load density, or a factor out of range.
    """
    if not 0 < simultaneity <= 1:
        raise InputError(f"同时率须在 0 与 1 之间: {simultaneity}", f"simultaneity must be in (0, 1]: {simultaneity}")
    table = _density_table(densities)
    if land_use_col in parcels.columns:
        uses = parcels[land_use_col].astype("object").where(parcels[land_use_col].notna(), default_use)
    else:
        uses = pd.Series([default_use] * len(parcels), index=parcels.index, dtype=object)
    uses = uses.map(lambda u: None if u is None or (isinstance(u, float) and math.isnan(u)) else _canonical_use(u))
    unknown = sorted({str(u) for u in uses if u not in table})
    if unknown:
        raise InputError(
            f"没有这些用地类型的负荷密度: {', '.join(unknown)}（可用: {', '.join(sorted(table))}）",
            f"no load density for land use {', '.join(unknown)} (known: {', '.join(sorted(table))})",
        )
    geom = to_measuring_crs(parcels)
    area = geom.area.fillna(0.0).to_numpy()
    w = uses.map(table).to_numpy(dtype=float)
    return pd.DataFrame(
        {"land_use": uses.to_numpy(), "area_m2": area, "w_m2": w, "demand_mw": area * w * simultaneity / 1e6},
        index=parcels.index,
    )


def assign_nearest(
    parcels: gpd.GeoDataFrame, substations: gpd.GeoDataFrame, *, max_distance_m: float | None = None
) -> pd.Series:
    """Position (0-based) in ``substations`` of the substation nearest to each parcel, on EPSG:4547.

    Parameters
    ----------
    parcels, substations : geopandas.GeoDataFrame
        Any CRS each.
    max_distance_m : float, optional, keyword-only
        Supply radius in metres: a parcel farther than this from every substation is not assigned.

    Returns
    -------
    pandas.Series
        Indexed like ``parcels``; integer position, or -1 when not assigned. Ties go to the first.
    """
    out = pd.Series(-1, index=parcels.index, dtype="int64")
    if len(parcels) == 0 or len(substations) == 0:
        return out
    left = gpd.GeoDataFrame({"_p": np.arange(len(parcels))}, geometry=to_measuring_crs(parcels).to_numpy(), crs=CGCS2000_GK_CM114)
    right = gpd.GeoDataFrame({"_s": np.arange(len(substations))}, geometry=to_measuring_crs(substations).to_numpy(), crs=CGCS2000_GK_CM114)
    joined = gpd.sjoin_nearest(left, right, how="inner", max_distance=max_distance_m)
    joined = joined.sort_values(["_p", "_s"]).drop_duplicates("_p")
    values = out.to_numpy().copy()
    values[joined["_p"].to_numpy()] = joined["_s"].to_numpy()
    return pd.Series(values, index=parcels.index, dtype="int64")


def substation_adequacy(
    parcels: gpd.GeoDataFrame,
    substations: gpd.GeoDataFrame,
    *,
    land_use_col: str = "land_use",
    default_use: str | None = None,
    densities: Mapping[str, float] | None = None,
    capacity_col: str = "capacity_mva",
    voltage_col: str = "voltage_kv",
    id_col: str = "id",
    power_factor: float = DEFAULT_POWER_FACTOR,
    load_rate: float = DEFAULT_LOAD_RATE,
    simultaneity: float = DEFAULT_SIMULTANEITY,
    supply_radius_m: Mapping[float, float] | float | None = None,
) -> pd.DataFrame:
    """Demand of the parcels each substation serves against its capacity, per substation.

    Each parcel is served, at every voltage level, by the nearest substation of that level (within
    ``supply_radius_m`` when given), so a 220 kV and a 110 kV substation may both count the same parcel.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Parcels in any CRS (see :func:`parcel_demand` for the land-use options).
    substations : geopandas.GeoDataFrame
        Substations in any CRS with ``capacity_col`` (MVA) and ``voltage_col`` (kV).
    land_use_col, default_use, densities, simultaneity
        As in :func:`parcel_demand`.
    capacity_col, voltage_col, id_col : str, keyword-only
        Column names in ``substations``.
    power_factor : float, keyword-only
        Of the load, 0–1.
    load_rate : float, keyword-only
        Highest allowed load rate of the installed capacity, 0–1.
    supply_radius_m : float or mapping kV → metres, optional, keyword-only
        Supply radius per voltage level (or one for all); parcels beyond it are unserved.

    Returns
    -------
    pandas.DataFrame
        One row per substation: ``id``, ``voltage_kv``, ``capacity_mva``, ``available_mva`` (capacity ×
        load rate), ``parcels``, ``area_m2``, ``demand_mw``, ``demand_mva`` (MW / power factor),
        ``utilisation`` (demand / available; NaN without a capacity) and ``overload`` (bool).
        ``attrs["unserved_mw"]`` maps voltage (kV) → MW of parcels out of every substation's reach.
    """
    for name, value in (("power_factor", power_factor), ("load_rate", load_rate)):
        if not 0 < value <= 1:
            raise InputError(f"{name} 须在 0 与 1 之间: {value}", f"{name} must be in (0, 1]: {value}")
    for col in (capacity_col, voltage_col):
        if col not in substations.columns:
            raise InputError(f"变电站图层缺少字段 {col}", f"the substations have no column {col!r}")
    demand = parcel_demand(parcels, land_use_col=land_use_col, default_use=default_use, densities=densities, simultaneity=simultaneity)
    subs = substations.reset_index(drop=True)
    voltage = pd.to_numeric(subs[voltage_col], errors="coerce")
    capacity = pd.to_numeric(subs[capacity_col], errors="coerce").to_numpy(dtype=float)
    n = len(subs)
    count = np.zeros(n, dtype=np.int64)
    area = np.zeros(n)
    mw = np.zeros(n)
    unserved: dict[float, float] = {}
    for kv in sorted(voltage.dropna().unique()):
        members = np.nonzero((voltage == kv).to_numpy())[0]
        if isinstance(supply_radius_m, Mapping):
            radius = supply_radius_m.get(kv, supply_radius_m.get(int(kv)))
        else:
            radius = supply_radius_m
        nearest = assign_nearest(parcels, subs.iloc[members], max_distance_m=radius).to_numpy()
        served = nearest >= 0
        target = members[nearest[served]]
        np.add.at(count, target, 1)
        np.add.at(area, target, demand["area_m2"].to_numpy()[served])
        np.add.at(mw, target, demand["demand_mw"].to_numpy()[served])
        unserved[float(kv)] = float(demand["demand_mw"].to_numpy()[~served].sum())
    available = capacity * load_rate
    mva = mw / power_factor
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(available > 0, mva / available, np.nan)
    ids = subs[id_col].astype("object").to_numpy() if id_col in subs.columns else np.arange(n).astype(object)
    table = pd.DataFrame({
        "id": ids,
        "voltage_kv": voltage.to_numpy(dtype=float),
        "capacity_mva": capacity,
        "available_mva": available,
        "parcels": count,
        "area_m2": area,
        "demand_mw": mw,
        "demand_mva": mva,
        "utilisation": utilisation,
        "overload": np.nan_to_num(utilisation, nan=0.0) > 1.0,
    })
    table.attrs["unserved_mw"] = unserved
    table.attrs["power_factor"] = power_factor
    table.attrs["load_rate"] = load_rate
    table.attrs["simultaneity"] = simultaneity
    return table


def adequacy_by_voltage(table: pd.DataFrame) -> pd.DataFrame:
    """Sum a :func:`substation_adequacy` table per voltage level.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``voltage_kv``: ``substations``, ``capacity_mva``, ``available_mva``, ``demand_mva``,
        ``utilisation`` (demand / available), ``overloaded`` (count) and ``unserved_mw`` (MW).
    """
    g = table.groupby("voltage_kv")
    out = pd.DataFrame({
        "substations": g.size(),
        "capacity_mva": g["capacity_mva"].sum(min_count=1),
        "available_mva": g["available_mva"].sum(min_count=1),
        "demand_mva": g["demand_mva"].sum(),
        "overloaded": g["overload"].sum().astype(int),
    })
    out["utilisation"] = out["demand_mva"] / out["available_mva"]
    unserved = table.attrs.get("unserved_mw", {})
    out["unserved_mw"] = [float(unserved.get(float(kv), 0.0)) for kv in out.index]
    return out
