"""Substations against the plan ((四)二) and an honest load-density adequacy check.

Honest means: each substation serves the area its ``serves`` attribute names (matched by name against the
plan's area polygons: platforms, sub-parks, towns); capacity that exists or is under construction (*firm*)
is shown apart from capacity only planned or at site selection; and the assumptions — load density by land
use with its standard, power factor, simultaneity, N-1 load rate, and that demand is the plan's land-action
parcels only — are returned with the figures, so the page and the JSON state them.
"""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.area import to_measuring_crs
from gis.load_density import (
    DEFAULT_LOAD_RATE,
    DEFAULT_POWER_FACTOR,
    DEFAULT_SIMULTANEITY,
    LOAD_DENSITY_W_M2,
    parcel_demand,
)
from gis.settings import SERVICE_RADII_M
from layers.targets import evaluate_target

__all__ = ["FIRM_STATUSES", "SUBSTATION_TARGETS", "ASSUMPTION_SOURCES", "substation_metrics"]

#: Statuses whose capacity counts as firm (exists or is being built); every other live status is planned only.
FIRM_STATUSES: tuple[str, ...] = ("under_construction", "completed")
#: The substation rows of plan_targets.csv as the evaluator reads them (used when a targets table lacks them).
SUBSTATION_TARGETS: dict[str, dict[str, str]] = {
    "substations_220kv_sited": {"layer": "substations", "selector": "kind=substation_220kv;stage=site_selection", "measure": "count_done"},
    "substations_110kv_sited": {"layer": "substations", "selector": "kind=substation_110kv;stage=site_selection", "measure": "count_done"},
    "substations_110kv_started": {"layer": "substations", "selector": "stage=construction_start", "measure": "count_done"},
}
#: Where each factor comes from (the values live in gis.load_density).
ASSUMPTION_SOURCES: dict[str, str] = {
    "power_factor": "假定 assumption: 0.9 是常用规划值；GB/T 50293-2014 要求变电站侧补偿至约 0.9–0.95",
    "simultaneity": "假定 assumption: 各类用地峰值的同时率",
    "load_rate": "假定 assumption: 满足 N-1 的主变最高负载率（3 台主变约 0.67，常用 0.65，参见 DL/T 5729-2016）",
    "demand_scope": "需求只计计划中的整备/收储/盘活地块，不是全区负荷 / demand counts only the plan's "
                    "consolidation, reserve and revitalisation parcels, not the whole zone's load",
    "serves_rule": "变电站供应其 serves 所列片区（按名称匹配平台、分园、镇街多边形）内的地块；片区无多边形时按最近变电站分配（假定）"
                   " / a substation serves the parcels inside the areas its `serves` names (matched by name to "
                   "platform, sub-park and town polygons); where an area has no polygon, parcels go to the nearest (assumption)",
}

_SPLIT = re.compile(r"[与和、,，;；/]+")


def _served_polygons(serves: str, areas: gpd.GeoDataFrame | None) -> tuple[list[str], object]:
    """Names matched and the union (EPSG:4547) of the area polygons a ``serves`` text names."""
    if areas is None or areas.empty or not serves:
        return [], None
    names = areas["name_zh"].astype(str).to_numpy()
    geoms = to_measuring_crs(areas).to_numpy()
    matched, parts = [], []
    for term in (t.strip() for t in _SPLIT.split(serves)):
        if len(term) < 2:
            continue
        hit = np.array([n == term or term in n for n in names])
        if hit.any():
            matched += [str(n) for n in names[hit]]
            parts += list(geoms[hit])
    return matched, (shapely.union_all(parts) if parts else None)


def _assign(parcels: gpd.GeoDataFrame, subs: gpd.GeoDataFrame, served: list[object], radius_m: float | None) -> np.ndarray:
    """Position in ``subs`` serving each parcel: among those whose served area holds it, else the nearest."""
    out = np.full(len(parcels), -1, dtype=np.int64)
    if len(parcels) == 0 or len(subs) == 0:
        return out
    reps = shapely.point_on_surface(to_measuring_crs(parcels).to_numpy())
    pts = to_measuring_crs(subs).to_numpy()
    dist = shapely.distance(reps[:, None], pts[None, :])
    areas = np.array(served, dtype=object)
    inside = shapely.contains(areas[None, :], reps[:, None])  # None (no matched area) is never inside
    reach = dist <= radius_m if radius_m is not None else np.ones_like(dist, dtype=bool)
    allowed = np.where(inside.any(axis=1)[:, None], inside, reach)
    masked = np.where(allowed, dist, np.inf)
    best = np.argmin(masked, axis=1)
    ok = np.isfinite(masked[np.arange(len(reps)), best])
    out[ok] = best[ok]
    return out


def _clean(value: object) -> object:
    if isinstance(value, float) and np.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def substation_metrics(
    substations: gpd.GeoDataFrame,
    parcels: gpd.GeoDataFrame,
    targets: pd.DataFrame,
    *,
    land_use: str = "industrial",
    areas: gpd.GeoDataFrame | None = None,
    power_factor: float = DEFAULT_POWER_FACTOR,
    load_rate: float = DEFAULT_LOAD_RATE,
    simultaneity: float = DEFAULT_SIMULTANEITY,
) -> dict[str, Any]:
    """Substation progress against the plan and load-density adequacy of the plan's parcels.

    Parameters
    ----------
    substations : geopandas.GeoDataFrame
        The ``substations`` layer (``kind``, ``voltage_kv``, ``capacity_mva`` MVA, ``stage``, ``status``,
        ``done_status``, ``serves``), any CRS. Cancelled substations are left out.
    parcels : geopandas.GeoDataFrame
        Parcels whose demand the substations serve (a ``land_use`` column if known), any CRS.
    targets : pandas.DataFrame
        Plan targets; the rows of :data:`SUBSTATION_TARGETS` are measured with their selectors.
    land_use : str, keyword-only
        Land use of parcels without one (an assumption, stated in the result).
    areas : geopandas.GeoDataFrame, optional, keyword-only
        Named area polygons (``name_zh``) that ``serves`` texts are matched against.
    power_factor, load_rate, simultaneity : float, keyword-only
        As in :func:`gis.load_density.substation_adequacy` (defaults from :mod:`gis.load_density`).

    Returns
    -------
    dict
        ``progress`` (target key → ``target``, ``done``, ``selected``), ``by_voltage`` (kV → ``substations``,
        ``firm_capacity_mva`` (existing or under construction), ``planned_capacity_mva`` (planned or at
        site selection only), ``capacity_mva`` (both), ``firm_available_mva``/``available_mva`` (× load
        rate), ``demand_mva``, ``utilisation_firm`` (demand / firm available; None without firm capacity),
        ``utilisation`` (demand / all available), ``overloaded``, ``unserved_mw``), ``substations`` (one row
        each, with ``serves``, ``serves_matched``, ``capacity_state``) and ``assumptions`` (values with
        their sources).
    """
    rows = {r["key"]: r for r in targets.to_dict(orient="records")} if "key" in targets.columns else {}
    progress: dict[str, Any] = {}
    for key, sel in SUBSTATION_TARGETS.items():
        row = {**sel, **{k: v for k, v in rows.get(key, {}).items() if k in ("key", "value", "value_max", "comparison")}}
        if rows.get(key, {}).get("selector"):
            row.update({k: rows[key][k] for k in ("layer", "selector", "measure")})
        ev = evaluate_target({**row, "key": key}, {"substations": substations})
        progress[key] = {"target": ev["value"], "done": int(ev["achieved"] or 0), "selected": ev["selected"]}

    live = substations.loc[substations["status"] != "cancelled"].reset_index(drop=True) if "status" in substations.columns else substations
    demand = parcel_demand(parcels, default_use=land_use, simultaneity=simultaneity).reset_index(drop=True)
    kv = pd.to_numeric(live["voltage_kv"], errors="coerce").to_numpy(dtype=float)
    cap = pd.to_numeric(live["capacity_mva"], errors="coerce").to_numpy(dtype=float)
    firm = live["status"].isin(FIRM_STATUSES).to_numpy() if "status" in live.columns else np.ones(len(live), bool)
    serves = live["serves"].fillna("").astype(str).tolist() if "serves" in live.columns else [""] * len(live)
    matched = [_served_polygons(s, areas) for s in serves]
    mw = np.zeros(len(live))
    count = np.zeros(len(live), dtype=np.int64)
    unserved: dict[str, float] = {}
    for level in sorted(set(kv[~np.isnan(kv)])):
        members = np.nonzero(kv == level)[0]
        radius = float(SERVICE_RADII_M.get(f"substation_{level:.0f}kv", {"radii_m": [None]})["radii_m"][0] or 0) or None
        pos = _assign(parcels, live.iloc[members], [matched[i][1] for i in members], radius)
        ok = pos >= 0
        np.add.at(mw, members[pos[ok]], demand["demand_mw"].to_numpy()[ok])
        np.add.at(count, members[pos[ok]], 1)
        unserved[f"{level:g}"] = float(demand["demand_mw"].to_numpy()[~ok].sum())
    mva = mw / power_factor
    available = cap * load_rate
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(available > 0, mva / available, np.nan)
    table = pd.DataFrame({
        "id": live["id"].astype(str).to_numpy() if "id" in live.columns else np.arange(len(live)).astype(str),
        "name_zh": live["name_zh"].astype(str).to_numpy() if "name_zh" in live.columns else "",
        "voltage_kv": kv,
        "status": live["status"].astype(str).to_numpy() if "status" in live.columns else "",
        "capacity_state": np.where(firm, "firm", "planned"),
        "capacity_mva": cap,
        "available_mva": available,
        "serves": serves,
        "serves_matched": ["、".join(m[0]) for m in matched],
        "parcels": count,
        "demand_mw": mw,
        "demand_mva": mva,
        "utilisation": util,
        "overload": np.nan_to_num(util, nan=0.0) > 1.0,
    })
    by_voltage: dict[str, Any] = {}
    for level, g in table.groupby("voltage_kv"):
        f = g["capacity_state"] == "firm"
        firm_av = float(g.loc[f, "available_mva"].sum())
        all_av = float(g["available_mva"].sum())
        dem = float(g["demand_mva"].sum())
        by_voltage[f"{level:g}"] = {
            "substations": int(len(g)),
            "firm_substations": int(f.sum()),
            "firm_capacity_mva": float(g.loc[f, "capacity_mva"].sum()),
            "planned_capacity_mva": float(g.loc[~f, "capacity_mva"].sum()),
            "capacity_mva": float(g["capacity_mva"].sum()),
            "firm_available_mva": firm_av,
            "available_mva": all_av,
            "demand_mva": dem,
            "utilisation_firm": dem / firm_av if firm_av > 0 else None,
            "utilisation": dem / all_av if all_av > 0 else None,
            "overloaded": int(g["overload"].sum()),
            "unserved_mw": unserved.get(f"{level:g}", 0.0),
        }
    uses = sorted(set(demand["land_use"].dropna()))
    return {
        "progress": progress,
        "by_voltage": by_voltage,
        "substations": [{k: _clean(v) for k, v in r.items()} for r in table.to_dict(orient="records")],
        "assumptions": {
            "parcel_land_use": land_use,
            "load_density_w_m2": {u: {"w_m2": LOAD_DENSITY_W_M2[u]["w_m2"], "range": list(LOAD_DENSITY_W_M2[u]["range"]),
                                      "source": LOAD_DENSITY_W_M2[u]["source"]} for u in uses if u in LOAD_DENSITY_W_M2},
            "power_factor": power_factor,
            "load_rate": load_rate,
            "simultaneity": simultaneity,
            "sources": dict(ASSUMPTION_SOURCES),
            "firm_statuses": list(FIRM_STATUSES),
        },
    }

