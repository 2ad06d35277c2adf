"""The plan's metrics over the plan layers: land, coverage, substations, roads and the schedule.

Every function takes frames (as :func:`layers.load` returns them: EPSG:4326, with the derived columns)
and the plan-targets table (:func:`layers.plan_targets`), so the app, the CLI, the notebooks and the
tests read the same figures. Measuring is done by :mod:`gis` on EPSG:4547.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.area import M2_PER_MU, area_m2, to_measuring_crs
from gis.coverage import coverage, covered_share
from gis.load_density import adequacy_by_voltage, substation_adequacy
from gis.settings import SERVICE_RADII_M
from layers.spec import DEADLINE_LABELS, STATUS_ORDER

__all__ = [
    "LAND_ACTIONS",
    "COVERAGE_FACILITIES",
    "land_by_action",
    "land_by_status",
    "land_by_town",
    "land_by_sub_park",
    "parcels_in_sub_parks",
    "coverage_metrics",
    "substation_metrics",
    "road_metrics",
    "schedule",
    "plan_metrics",
]

#: The three land actions with a target in 亩 (plan (四)二) and their plan-target keys.
LAND_ACTIONS: dict[str, str] = {
    "consolidation": "land_consolidation_mu",
    "reserve": "land_reserve_mu",
    "revitalisation": "land_revitalisation_mu",
}

#: Facility types for coverage: (layer, selector on ``kind`` or None, key of SERVICE_RADII_M).
COVERAGE_FACILITIES: dict[str, tuple[str, tuple[str, ...] | None, str]] = {
    "tod_station": ("tod_stations", None, "tod_station"),
    "bus_stop": ("facilities", ("bus_stop",), "bus_stop"),
    "primary_school": ("facilities", ("school",), "primary_school"),
    "secondary_school": ("facilities", ("school",), "secondary_school"),
    "fire_station": ("facilities", ("fire_station",), "fire_station"),
    "substation_110kv": ("substations", ("substation_110kv",), "substation_110kv"),
    "substation_220kv": ("substations", ("substation_220kv",), "substation_220kv"),
}

#: Land use assumed for the plan's parcels when they carry none: the zone's parcels are mostly
#: industrial and R&D land (assumption; a ``land_use`` column on the parcels overrides it).
DEFAULT_PARCEL_LAND_USE: str = "industrial"


def _target(targets: pd.DataFrame, key: str) -> float | None:
    row = targets.loc[targets["key"] == key]
    if row.empty:
        return None
    return float(row["value"].iloc[0])


def _done(frame: pd.DataFrame) -> pd.Series:
    if "done" in frame.columns:
        return frame["done"].fillna(False).astype(bool)
    st = frame["status"].map(STATUS_ORDER)
    dn = frame.get("done_status", pd.Series("completed", index=frame.index)).map(STATUS_ORDER)
    return (st.notna() & dn.notna() & (st >= dn)).astype(bool)


def _plan_parcels(land: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Parcels of the three land actions (not the catchment outlines nor illegal buildings)."""
    return land.loc[land["action"].isin(list(LAND_ACTIONS))]


def _mu(frame: gpd.GeoDataFrame) -> pd.Series:
    return area_m2(frame) / M2_PER_MU


def land_by_action(land: gpd.GeoDataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """亩 of each land action against the plan's target.

    Parameters
    ----------
    land : geopandas.GeoDataFrame
        The ``land_actions`` layer (``action``, ``status``, ``done`` or ``done_status``), any CRS.
    targets : pandas.DataFrame
        The plan-targets table (``key``, ``value``).

    Returns
    -------
    pandas.DataFrame
        Indexed by action (``consolidation``, ``reserve``, ``revitalisation``): ``parcels``, ``target_mu``,
        ``total_mu`` (all parcels), ``done_mu`` (parcels whose status reached the layer's done status),
        ``share_of_target`` (total / target) and ``done_share`` (done / target). Areas in 亩 on EPSG:4547.
    """
    parcels = _plan_parcels(land)
    mu = _mu(parcels)
    done = _done(parcels)
    rows = {}
    for action, key in LAND_ACTIONS.items():
        sel = (parcels["action"] == action).to_numpy()
        target = _target(targets, key)
        total = float(mu[sel].sum())
        done_mu = float(mu[sel & done.to_numpy()].sum())
        rows[action] = {
            "parcels": int(sel.sum()),
            "target_mu": target if target is not None else float("nan"),
            "total_mu": total,
            "done_mu": done_mu,
            "share_of_target": total / target if target else float("nan"),
            "done_share": done_mu / target if target else float("nan"),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def land_by_status(land: gpd.GeoDataFrame) -> pd.DataFrame:
    """亩 by action (rows) and status (columns), EPSG:4547; zero where none."""
    parcels = _plan_parcels(land)
    table = _mu(parcels).groupby([parcels["action"].to_numpy(), parcels["status"].to_numpy()]).sum().unstack(fill_value=0.0)
    return table.reindex(index=list(LAND_ACTIONS), fill_value=0.0)


def land_by_town(land: gpd.GeoDataFrame) -> pd.DataFrame:
    """亩 by town (rows, the derived ``town`` or else ``place``) and action (columns), EPSG:4547."""
    parcels = _plan_parcels(land)
    col = "town" if "town" in parcels.columns else "place"
    town = parcels[col].astype("object").where(parcels[col].notna(), "—").to_numpy()
    table = _mu(parcels).groupby([town, parcels["action"].to_numpy()]).sum().unstack(fill_value=0.0)
    return table.reindex(columns=list(LAND_ACTIONS), fill_value=0.0)


def _overlap_m2(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area (m², EPSG:4547) of each parcel inside each zone, for every overlapping pair."""
    p = to_measuring_crs(parcels).to_numpy()
    z = to_measuring_crs(zones).to_numpy()
    if len(p) == 0 or len(z) == 0:
        return pd.DataFrame({"parcel": [], "zone": [], "m2": []})
    import shapely

    tree = shapely.STRtree(z)
    pi, zi = tree.query(p, predicate="intersects")
    m2 = shapely.area(shapely.intersection(p[pi], z[zi]))
    keep = m2 > 0
    return pd.DataFrame({"parcel": pi[keep], "zone": zi[keep], "m2": m2[keep]})


def land_by_sub_park(land: gpd.GeoDataFrame, sub_parks: gpd.GeoDataFrame) -> pd.DataFrame:
    """亩 of each land action inside each sub-park polygon (by overlay on EPSG:4547).

    Returns
    -------
    pandas.DataFrame
        Rows: sub-park ids that hold any parcel area; columns: the actions; values 亩.
    """
    parcels = _plan_parcels(land)
    pairs = _overlap_m2(parcels, sub_parks)
    if pairs.empty:
        return pd.DataFrame(columns=list(LAND_ACTIONS), dtype=float)
    pairs["sub_park"] = sub_parks["id"].to_numpy()[pairs["zone"].to_numpy()]
    pairs["action"] = parcels["action"].to_numpy()[pairs["parcel"].to_numpy()]
    pairs["mu"] = pairs["m2"] / M2_PER_MU
    return pairs.pivot_table(index="sub_park", columns="action", values="mu", aggfunc="sum", fill_value=0.0).reindex(
        columns=list(LAND_ACTIONS), fill_value=0.0
    )


def parcels_in_sub_parks(
    land: gpd.GeoDataFrame, sub_parks: gpd.GeoDataFrame, *, kinds: tuple[str, ...] = ("pilot_sub_park",)
) -> pd.DataFrame:
    """Parcels lying (wholly or partly) in a 分园, and so under the high-tech zone's policies.

    Parameters
    ----------
    land : geopandas.GeoDataFrame
        The ``land_actions`` layer.
    sub_parks : geopandas.GeoDataFrame
        The ``sub_parks`` layer.
    kinds : tuple of str, keyword-only
        Sub-park kinds that count as 分园 (the plan's pilot sub-parks by default).

    Returns
    -------
    pandas.DataFrame
        One row per (parcel, sub-park): ``id``, ``action``, ``sub_park``, ``sub_park_zh``, ``inside_mu``
        and ``inside_share`` (0–1 of the parcel's area), areas on EPSG:4547.
    """
    parcels = _plan_parcels(land)
    zones = sub_parks.loc[sub_parks["kind"].isin(kinds)]
    pairs = _overlap_m2(parcels, zones)
    total = area_m2(parcels).to_numpy()
    cols = ["id", "action", "sub_park", "sub_park_zh", "inside_mu", "inside_share"]
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    p, z = pairs["parcel"].to_numpy(), pairs["zone"].to_numpy()
    return pd.DataFrame({
        "id": parcels["id"].to_numpy()[p],
        "action": parcels["action"].to_numpy()[p],
        "sub_park": zones["id"].to_numpy()[z],
        "sub_park_zh": zones["name_zh"].to_numpy()[z] if "name_zh" in zones.columns else None,
        "inside_mu": pairs["m2"].to_numpy() / M2_PER_MU,
        "inside_share": pairs["m2"].to_numpy() / total[p],
    }, columns=cols)


def _facilities_for(frames: Mapping[str, gpd.GeoDataFrame], layer: str, kinds: tuple[str, ...] | None) -> gpd.GeoDataFrame:
    frame = frames.get(layer)
    if frame is None:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    if kinds is not None:
        frame = frame.loc[frame["kind"].isin(kinds)]
    return frame.loc[frame["status"] != "cancelled"] if "status" in frame.columns else frame


def coverage_metrics(
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    polygons: gpd.GeoDataFrame | None = None,
    radii_m: Mapping[str, tuple[float, ...]] | None = None,
) -> dict[str, Any]:
    """Share of parcel area (and of parcels) within each facility type's service distances.

    Parameters
    ----------
    frames : mapping
        Layer name → frame (needs ``land_actions`` unless ``polygons`` is given, and the facility layers).
    polygons : geopandas.GeoDataFrame, optional, keyword-only
        The polygons to cover (default: the land-action parcels).
    radii_m : mapping, optional, keyword-only
        Facility type → service distances in metres (default: ``gis.settings.SERVICE_RADII_M``).

    Returns
    -------
    dict
        Facility type → ``{"facilities", "source", "radii": {"<m>": {"radius_m", "covered_share",
        "feature_share", "covered_mu", "area_mu", "uncovered": [ids]}}}``; shares 0–1, areas 亩 (EPSG:4547).
    """
    target = polygons if polygons is not None else _plan_parcels(frames["land_actions"])
    ids = target["id"].astype("object").to_numpy() if "id" in target.columns else np.arange(len(target)).astype(object)
    out: dict[str, Any] = {}
    for ftype, (layer, kinds, key) in COVERAGE_FACILITIES.items():
        facilities = _facilities_for(frames, layer, kinds)
        radii = tuple(radii_m[ftype]) if radii_m and ftype in radii_m else tuple(SERVICE_RADII_M[key]["radii_m"])
        per_radius = {}
        for r in radii:
            t = coverage(target, facilities, radius_m=r)
            reached = t["reached"].to_numpy()
            per_radius[f"{r:g}"] = {
                "radius_m": float(r),
                "covered_share": covered_share(t),
                "feature_share": float(reached.mean()) if len(t) else 0.0,
                "covered_mu": float(t["covered_m2"].sum() / M2_PER_MU),
                "area_mu": float(t["area_m2"].sum() / M2_PER_MU),
                "uncovered": [str(i) for i in ids[~reached]],
            }
        out[ftype] = {"facilities": int(len(facilities)), "source": str(SERVICE_RADII_M[key]["source"]), "radii": per_radius}
    return out


def substation_metrics(
    substations: gpd.GeoDataFrame,
    parcels: gpd.GeoDataFrame,
    targets: pd.DataFrame,
    *,
    land_use: str = DEFAULT_PARCEL_LAND_USE,
) -> dict[str, Any]:
    """Substation progress against the plan and load-density adequacy of the plan's parcels.

    Parameters
    ----------
    substations : geopandas.GeoDataFrame
        The ``substations`` layer (``voltage_kv``, ``capacity_mva``, ``stage``, ``status``).
    parcels : geopandas.GeoDataFrame
        Parcels whose demand the substations serve (a ``land_use`` column if known).
    targets : pandas.DataFrame
        Plan targets (``substations_220kv_sited``, ``substations_110kv_sited``, ``substations_110kv_started``).
    land_use : str, keyword-only
        Land use of parcels without one (assumption, see :data:`DEFAULT_PARCEL_LAND_USE`).

    Returns
    -------
    dict
        ``progress`` (per target: ``target``, ``done``), ``by_voltage`` (kV → substations, capacity, demand,
        utilisation, overloaded, unserved MW), ``substations`` (per substation rows) and ``assumptions``.
    """
    subs = substations.loc[substations["status"] != "cancelled"] if "status" in substations.columns else substations
    done = _done(subs)
    sited = subs["status"].map(STATUS_ORDER).fillna(-1) >= STATUS_ORDER["site_selected"]
    started = subs["status"].map(STATUS_ORDER).fillna(-1) >= STATUS_ORDER["under_construction"]
    kv = pd.to_numeric(subs["voltage_kv"], errors="coerce")
    progress = {
        "substations_220kv_sited": {"target": _target(targets, "substations_220kv_sited"), "done": int((sited & (kv == 220)).sum())},
        "substations_110kv_sited": {"target": _target(targets, "substations_110kv_sited"), "done": int((sited & (kv == 110)).sum())},
        "substations_110kv_started": {
            "target": _target(targets, "substations_110kv_started"),
            "done": int((started & (kv == 110) & (subs.get("stage", pd.Series("", index=subs.index)) == "construction_start")).sum()),
        },
        "done": int(done.sum()),
    }
    radii = {kv: float(SERVICE_RADII_M[f"substation_{kv:.0f}kv"]["radii_m"][0]) for kv in (110.0, 220.0)}
    table = substation_adequacy(parcels, subs, default_use=land_use, supply_radius_m=radii)
    by_v = adequacy_by_voltage(table)
    return {
        "progress": progress,
        "by_voltage": {
            f"{k:g}": {
                "substations": int(r["substations"]),
                "capacity_mva": float(r["capacity_mva"]),
                "available_mva": float(r["available_mva"]),
                "demand_mva": float(r["demand_mva"]),
                "utilisation": float(r["utilisation"]) if pd.notna(r["utilisation"]) else None,
                "overloaded": int(r["overloaded"]),
                "unserved_mw": float(r["unserved_mw"]),
            }
            for k, r in by_v.iterrows()
        },
        "substations": [
            {k: (None if isinstance(v, float) and np.isnan(v) else (v.item() if hasattr(v, "item") else v)) for k, v in row.items()}
            for row in table.to_dict(orient="records")
        ],
        "assumptions": {
            "parcel_land_use": land_use,
            "power_factor": table.attrs["power_factor"],
            "load_rate": table.attrs["load_rate"],
            "simultaneity": table.attrs["simultaneity"],
            "supply_radius_m": {f"{k:g}": v for k, v in radii.items()},
        },
    }


def road_metrics(roads: gpd.GeoDataFrame, targets: pd.DataFrame) -> dict[str, Any]:
    """The 18 联网路 and the congestion points against the plan.

    Parameters
    ----------
    roads : geopandas.GeoDataFrame
        The ``road_links`` layer (``kind``, ``status``, ``towns`` as ``松山湖;寮步``).
    targets : pandas.DataFrame
        Plan targets (``link_roads_opened``, ``congestion_points_fixed``).

    Returns
    -------
    dict
        ``link_roads`` (count), ``target`` (18), ``opened`` (count done), ``total_km``, ``opened_km`` (km on
        EPSG:4547), ``by_status`` (count), ``by_town`` (town → {roads, opened, km, opened_km}),
        ``congestion_points`` {``total``, ``fixed``, ``target``}.
    """
    links = roads.loc[roads["kind"] == "link_road"]
    done = _done(links).to_numpy()
    km = to_measuring_crs(links).length.to_numpy() / 1000.0
    by_town: dict[str, dict[str, float]] = {}
    towns = links["towns"] if "towns" in links.columns else pd.Series("", index=links.index)
    for towns_text, d, k in zip(towns.fillna("").astype(str), done, km):
        for town in [t for t in towns_text.split(";") if t and t != "松山湖"] or ["松山湖"]:
            row = by_town.setdefault(town, {"roads": 0, "opened": 0, "km": 0.0, "opened_km": 0.0})
            row["roads"] += 1
            row["opened"] += int(d)
            row["km"] += float(k)
            row["opened_km"] += float(k) if d else 0.0
    points = roads.loc[roads["kind"] == "congestion_point"]
    return {
        "link_roads": int(len(links)),
        "target": _target(targets, "link_roads_opened"),
        "opened": int(done.sum()),
        "total_km": float(km.sum()),
        "opened_km": float(km[done].sum()),
        "by_status": {str(k): int(v) for k, v in links["status"].value_counts().items()},
        "by_town": by_town,
        "congestion_points": {
            "total": int(len(points)),
            "fixed": int(_done(points).sum()),
            "target": _target(targets, "congestion_points_fixed"),
        },
    }


def schedule(frames: Mapping[str, gpd.GeoDataFrame], *, as_of: dt.date) -> pd.DataFrame:
    """Every tracked item of every layer with its deadline, status and whether it is overdue.

    Parameters
    ----------
    frames : mapping
        Layer name → frame with ``id``, ``name_zh``, ``status``, ``deadline`` (and ``done`` or ``done_status``).
    as_of : datetime.date, keyword-only
        The date to judge against.

    Returns
    -------
    pandas.DataFrame
        ``layer``, ``id``, ``name_zh``, ``deadline``, ``due`` (last day the deadline allows, ISO date),
        ``status``, ``done`` and ``overdue`` (not done, not cancelled, and ``as_of`` after ``due``).
    """
    rows = []
    for layer, frame in frames.items():
        if frame is None or "deadline" not in frame.columns or len(frame) == 0:
            continue
        done = _done(frame).to_numpy()
        names = frame["name_zh"] if "name_zh" in frame.columns else frame["id"]
        for i, (fid, name, status, deadline) in enumerate(zip(frame["id"], names, frame["status"], frame["deadline"])):
            due = DEADLINE_LABELS.get(str(deadline), (None, None, None))[2]
            overdue = bool(due is not None and not done[i] and status != "cancelled" and as_of > dt.date.fromisoformat(due))
            rows.append({"layer": layer, "id": str(fid), "name_zh": str(name), "deadline": str(deadline), "due": due,
                         "status": str(status), "done": bool(done[i]), "overdue": overdue})
    return pd.DataFrame(rows, columns=["layer", "id", "name_zh", "deadline", "due", "status", "done", "overdue"])


def plan_metrics(frames: Mapping[str, gpd.GeoDataFrame], targets: pd.DataFrame, *, as_of: dt.date) -> dict[str, Any]:
    """Every plan metric as one JSON-ready document (the ``python -m gis metrics --json`` contract).

    Parameters
    ----------
    frames : mapping
        Layer name → frame, as :func:`layers.load_all` returns.
    targets : pandas.DataFrame
        :func:`layers.plan_targets`.
    as_of : datetime.date, keyword-only
        Date for the schedule.

    Returns
    -------
    dict
        ``as_of``, ``land`` (action → ``target_mu``, ``total_mu``, ``done_mu``, … plus ``by_status``,
        ``by_town``, ``by_sub_park``, ``in_sub_parks``), ``roads`` (:func:`road_metrics`), ``substations``
        (:func:`substation_metrics`), ``coverage`` (:func:`coverage_metrics`), ``overdue`` (list of items)
        and ``schedule`` (counts).
    """
    land = frames["land_actions"]
    by_action = land_by_action(land, targets)
    land_doc: dict[str, Any] = {
        action: {k: (None if pd.isna(v) else (int(v) if k == "parcels" else float(v))) for k, v in row.items()}
        for action, row in by_action.iterrows()
    }
    land_doc["by_status"] = {a: {s: float(v) for s, v in row.items()} for a, row in land_by_status(land).iterrows()}
    land_doc["by_town"] = {str(t): {a: float(v) for a, v in row.items()} for t, row in land_by_town(land).iterrows()}
    if "sub_parks" in frames:
        by_park = land_by_sub_park(land, frames["sub_parks"])
        land_doc["by_sub_park"] = {str(z): {a: float(v) for a, v in row.items()} for z, row in by_park.iterrows()}
        land_doc["in_sub_parks"] = parcels_in_sub_parks(land, frames["sub_parks"]).to_dict(orient="records")
    sched = schedule(frames, as_of=as_of)
    overdue = sched.loc[sched["overdue"]]
    return {
        "as_of": as_of.isoformat(),
        "land": land_doc,
        "roads": road_metrics(frames["road_links"], targets),
        "substations": substation_metrics(frames["substations"], _plan_parcels(land), targets),
        "coverage": coverage_metrics(frames),
        "overdue": overdue.drop(columns=["overdue"]).to_dict(orient="records"),
        "schedule": {"items": int(len(sched)), "done": int(sched["done"].sum()), "overdue": int(len(overdue))},
    }
