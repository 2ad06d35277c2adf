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
from gis.settings import SERVICE_RADII_M
from layers.spec import DEADLINE_LABELS, is_done, is_ongoing, is_plan_item
from layers.supply import substation_metrics
from layers.targets import target_progress

__all__ = [
    "LAND_ACTIONS",
    "COVERAGE_FACILITIES",
    "land_by_action",
    "land_by_status",
    "land_by_town",
    "land_by_sub_park",
    "parcels_in_sub_parks",
    "facilities_for",
    "coverage_table",
    "coverage_metrics",
    "substation_metrics",
    "road_metrics",
    "schedule",
    "SCHEDULE_COLUMNS",
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
    """Plan items that reached their done status (the one rule: :func:`layers.spec.is_done`)."""
    return is_done(frame)


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


def facilities_for(frames: Mapping[str, gpd.GeoDataFrame], facility_type: str) -> gpd.GeoDataFrame:
    """The facilities of one coverage type that serve: the layer's features of the type's kinds, not cancelled.

    Parameters
    ----------
    frames : mapping
        Layer name → frame.
    facility_type : str
        A key of :data:`COVERAGE_FACILITIES`.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 (empty when the layer is missing).
    """
    layer, kinds, _ = COVERAGE_FACILITIES[facility_type]
    frame = frames.get(layer)
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    if kinds is not None and "kind" in frame.columns:
        frame = frame.loc[frame["kind"].isin(kinds)]
    return frame.loc[frame["status"] != "cancelled"] if "status" in frame.columns else frame


def coverage_table(
    frames: Mapping[str, gpd.GeoDataFrame], facility_type: str, *, radius_m: float, polygons: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Coverage of each plan parcel by one facility type at one service distance (the page and the CLI agree).

    Parameters
    ----------
    frames : mapping
        Layer name → frame (``land_actions`` unless ``polygons`` is given, and the facility layer).
    facility_type : str
        A key of :data:`COVERAGE_FACILITIES`.
    radius_m : float, keyword-only
        Service distance in metres (EPSG:4547).
    polygons : geopandas.GeoDataFrame, optional, keyword-only
        The polygons to cover (default: the land-action parcels).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``name_zh`` and the columns of :func:`gis.coverage.coverage` (``area_m2``, ``covered_m2``,
        ``share`` 0–1, ``reached``), one row per polygon; ``attrs["facilities"]`` the number of facilities.
    """
    target = polygons if polygons is not None else _plan_parcels(frames["land_actions"])
    facilities = facilities_for(frames, facility_type)
    table = coverage(target, facilities, radius_m=radius_m).reset_index(drop=True)
    ids = target["id"].astype(str).to_numpy() if "id" in target.columns else np.arange(len(target)).astype(str)
    names = target["name_zh"].astype(str).to_numpy() if "name_zh" in target.columns else ids
    table.insert(0, "id", ids)
    table.insert(1, "name_zh", names)
    table.attrs["facilities"] = int(len(facilities))
    return table


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
    out: dict[str, Any] = {}
    for ftype, (_layer, _kinds, key) in COVERAGE_FACILITIES.items():
        radii = tuple(radii_m[ftype]) if radii_m and ftype in radii_m else tuple(SERVICE_RADII_M[key]["radii_m"])
        per_radius = {}
        count = 0
        for r in radii:
            t = coverage_table(frames, ftype, radius_m=float(r), polygons=polygons)
            count = t.attrs["facilities"]
            reached = t["reached"].to_numpy(dtype=bool)
            per_radius[f"{r:g}"] = {
                "radius_m": float(r),
                "covered_share": covered_share(t),
                "feature_share": float(reached.mean()) if len(t) else 0.0,
                "covered_mu": float(t["covered_m2"].sum() / M2_PER_MU),
                "area_mu": float(t["area_m2"].sum() / M2_PER_MU),
                "uncovered": [str(i) for i in t["id"].to_numpy()[~reached]],
            }
        out[ftype] = {"facilities": int(count), "source": str(SERVICE_RADII_M[key]["source"]), "radii": per_radius}
    return out


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


#: Columns of :func:`schedule`.
SCHEDULE_COLUMNS: list[str] = ["layer", "id", "name_zh", "deadline", "due", "status", "done_status", "state", "done", "ongoing", "overdue"]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (isinstance(value, str) and not value.strip())


def schedule(frames: Mapping[str, gpd.GeoDataFrame], *, as_of: dt.date) -> pd.DataFrame:
    """Every plan item of every layer with its deadline, state and whether it is overdue on ``as_of``.

    Context features (:func:`layers.spec.is_plan_item`) are left out: they never count in the schedule.

    Parameters
    ----------
    frames : mapping
        Layer name → frame with ``id``, ``name_zh``, ``status``, ``deadline`` (may be empty) and
        ``done_status`` (may be empty: ongoing work) or a ``done`` column.
    as_of : datetime.date, keyword-only
        The date to judge against.

    Returns
    -------
    pandas.DataFrame
        :data:`SCHEDULE_COLUMNS`: ``due`` is the last day the deadline allows (ISO date, None without a
        deadline); ``state`` is ``done``, ``ongoing`` (no completion target), ``cancelled``, ``overdue`` or
        ``open``; ``overdue`` holds when the item has a done status and a deadline, is not done, not
        cancelled, and ``as_of`` is after ``due``.
    """
    rows = []
    for layer, frame in frames.items():
        if frame is None or len(frame) == 0 or "status" not in frame.columns:
            continue
        frame = frame.copy()
        if "layer" not in frame.columns:
            frame.attrs["layer"] = layer
        plan = is_plan_item(frame).to_numpy()
        done = _done(frame).to_numpy()
        ongoing = is_ongoing(frame).to_numpy() if "done_status" in frame.columns else np.zeros(len(frame), bool)
        names = frame["name_zh"] if "name_zh" in frame.columns else frame["id"]
        deadlines = frame["deadline"] if "deadline" in frame.columns else pd.Series(None, index=frame.index)
        dstat = frame["done_status"] if "done_status" in frame.columns else pd.Series(None, index=frame.index)
        for i, (fid, name, status, deadline, dn) in enumerate(zip(frame["id"], names, frame["status"], deadlines, dstat)):
            if not plan[i]:
                continue
            deadline = None if _blank(deadline) else str(deadline)
            due = DEADLINE_LABELS.get(deadline, (None, None, None))[2] if deadline else None
            overdue = bool(due is not None and not ongoing[i] and not done[i] and status != "cancelled"
                           and as_of > dt.date.fromisoformat(due))
            state = ("done" if done[i] else "ongoing" if ongoing[i] else "cancelled" if status == "cancelled"
                     else "overdue" if overdue else "open")
            rows.append({"layer": layer, "id": str(fid), "name_zh": str(name), "deadline": deadline, "due": due,
                         "status": str(status), "done_status": None if _blank(dn) else str(dn), "state": state,
                         "done": bool(done[i]), "ongoing": bool(ongoing[i]), "overdue": overdue})
    return pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)


def _context_count(frames: Mapping[str, gpd.GeoDataFrame]) -> int:
    n = 0
    for layer, frame in frames.items():
        if frame is None or len(frame) == 0:
            continue
        frame = frame.copy()
        if "layer" not in frame.columns:
            frame.attrs["layer"] = layer
        n += int((~is_plan_item(frame)).sum())
    return n


def _area_polygons(frames: Mapping[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame | None:
    """Named area polygons a substation's ``serves`` may name: platforms, sub-parks, towns."""
    import shapely

    parts = []
    for layer in ("platforms", "sub_parks", "boundaries"):
        frame = frames.get(layer)
        if frame is None or len(frame) == 0 or "name_zh" not in frame.columns:
            continue
        poly = np.isin(shapely.get_type_id(frame.geometry.values), (3, 6))
        parts.append(frame.loc[poly, ["name_zh", "geometry"]].to_crs("EPSG:4326"))
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs="EPSG:4326")


def plan_metrics(frames: Mapping[str, gpd.GeoDataFrame], targets: pd.DataFrame, *, as_of: dt.date) -> dict[str, Any]:
    """Every plan figure as one JSON-ready document (the ``python -m layers metrics --json`` contract).

    Parameters
    ----------
    frames : mapping
        Layer name → frame, as :func:`layers.load_all` returns (replayed to ``as_of`` for a past date).
    targets : pandas.DataFrame
        :func:`layers.plan_targets`.
    as_of : datetime.date, keyword-only
        Date for the schedule.

    Returns
    -------
    dict
        ``as_of``, ``land`` (action → ``target_mu``, ``total_mu``, ``done_mu``, … plus ``by_status``,
        ``by_town``, ``by_sub_park``, ``in_sub_parks``), ``roads`` (:func:`road_metrics`), ``substations``
        (:func:`layers.supply.substation_metrics`), ``coverage`` (:func:`coverage_metrics`), ``targets``
        (every row of the targets table, :func:`layers.targets.target_progress`), ``overdue`` (list of
        items) and ``schedule`` (counts: ``items`` plan items, ``done``, ``ongoing``, ``open``,
        ``cancelled``, ``overdue``, ``context`` features left out).
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
    states = sched["state"].value_counts()
    return {
        "as_of": as_of.isoformat(),
        "land": land_doc,
        "roads": road_metrics(frames["road_links"], targets),
        "substations": substation_metrics(frames["substations"], _plan_parcels(land), targets, land_use=DEFAULT_PARCEL_LAND_USE,
                                          areas=_area_polygons(frames)),
        "coverage": coverage_metrics(frames),
        "targets": target_progress(frames, targets),
        "overdue": overdue[["layer", "id", "name_zh", "deadline", "due", "status"]].to_dict(orient="records"),
        "schedule": {
            "items": int(len(sched)),
            "done": int(sched["done"].sum()),
            "ongoing": int(sched["ongoing"].sum()),
            "open": int(states.get("open", 0)),
            "cancelled": int(states.get("cancelled", 0)),
            "overdue": int(len(overdue)),
            "context": _context_count(frames),
        },
    }
