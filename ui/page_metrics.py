"""指标 Metrics: coverage with an adjustable service distance, substations and the schedule.

Uncovered parcels are highlighted on the map; substation adequacy and the schedule of every tracked item
(overdue first) come from the metrics module; tables download as CSV or Excel.

The numbers come from ``gis.coverage`` and ``layers.metrics`` (the same functions as the CLI and the
notebooks); this page only picks inputs, caches and lays out.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import layers
from gis import settings
from gis.area import M2_PER_MU
from gis.coverage import coverage, covered_share
from gis.spreadsheet import csv_bytes, xlsx_bytes
from layers import metrics as lm
from ui import data, mapview
from ui.i18n import deadline_label, lang, status_label, t
from ui.state import as_of_date

#: Facility type → (layer, kinds or None for all, default radius key in gis.settings.SERVICE_RADII_M).
FACILITY_TYPES = lm.COVERAGE_FACILITIES
_TYPE_LABELS = {
    "tod_station": ("TOD/TID 站点", "TOD/TID stations"),
    "bus_stop": ("公交站", "bus stops"),
    "primary_school": ("小学", "primary schools"),
    "secondary_school": ("中学", "secondary schools"),
    "fire_station": ("消防站", "fire stations"),
    "substation_110kv": ("110 kV 变电站", "110 kV substations"),
    "substation_220kv": ("220 kV 变电站", "220 kV substations"),
}


def _type_label(key: str) -> str:
    pair = _TYPE_LABELS.get(key, (key, key))
    return pair[0] if lang() == "zh" else pair[1]


def _parcels(as_of: date | None):
    land = data.layer_frame("land_actions", as_of)
    return land[land["action"].isin(list(lm.LAND_ACTIONS))] if "action" in land.columns else land


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage(kind: str, radius_m: float, stamp: str, as_of_iso: str | None) -> tuple[pd.DataFrame, float, list[str]]:
    """Coverage of the plan's land parcels by one facility type (cached per radius and data stamp)."""
    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    layer, kinds, _ = FACILITY_TYPES[kind]
    parcels = _parcels(as_of)
    fac = data.layer_frame(layer, as_of)
    if kinds is not None and "kind" in fac.columns:
        fac = fac[fac["kind"].isin(kinds)]
    if parcels.empty or fac.empty:
        return pd.DataFrame(), 0.0, []
    table = coverage(parcels, fac, radius_m=radius_m)
    table.insert(0, "id", parcels["id"].astype(str).to_numpy())
    table.insert(1, "name_zh", parcels["name_zh"].astype(str).to_numpy())
    return table, covered_share(table), table.loc[~table["reached"], "id"].tolist()


@st.cache_data(show_spinner=False, max_entries=8)
def _substations(stamp: str, as_of_iso: str | None) -> dict:
    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    return lm.substation_metrics(data.layer_frame("substations", as_of), _parcels(as_of), layers.plan_targets())


@st.cache_data(show_spinner=False, max_entries=8)
def _schedule(stamp: str, as_of_iso: str | None) -> pd.DataFrame:
    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    frames = {n: data.layer_frame(n, as_of) for n in layers.names()}
    table = lm.schedule(frames, as_of=as_of or date.today())
    return table.sort_values(["overdue", "due", "layer"], ascending=[False, True, True]).reset_index(drop=True)


def _downloads(df: pd.DataFrame, name: str, key: str) -> None:
    """CSV (UTF-8 with BOM, so Excel reads Chinese) and Excel buttons for one table."""
    c1, c2 = st.columns(2)
    c1.download_button(t("download_csv"), csv_bytes(df), f"{name}.csv", "text/csv", key=f"{key}_csv")
    c2.download_button(
        t("download_xlsx"), xlsx_bytes(df), f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
    )


def main() -> None:
    """Draw the metrics page."""
    as_of = as_of_date()
    st.header(t("metrics_title"), anchor=False)
    c1, c2 = st.columns([1, 2])
    type_labels = {k: _type_label(k) for k in FACILITY_TYPES}
    kind = c1.selectbox(t("facility_kind"), list(FACILITY_TYPES), key="metrics_kind", format_func=type_labels.get)
    default = float(settings.SERVICE_RADII_M[FACILITY_TYPES[kind][2]]["radii_m"][-1])
    if st.session_state.get("metrics_kind_prev") != kind:
        st.session_state["metrics_radius"] = int(default)
        st.session_state["metrics_kind_prev"] = kind
    radius = c2.slider(t("radius_m"), 100, 5000, step=50, key="metrics_radius",
                       help=str(settings.SERVICE_RADII_M[FACILITY_TYPES[kind][2]]["source"]))
    with st.spinner(t("working")):
        table, share, missing = _coverage(kind, float(radius), data.store_stamp(), as_of.isoformat() if as_of else None)
    left, right = st.columns([2, 3], gap="medium")
    with left:
        st.metric(t("covered_share"), f"{share * 100:.1f} %", help=f"{_type_label(kind)} · {radius} m")
        if not table.empty:
            show = pd.DataFrame({
                t("f_id"): table["id"], t("f_name_zh"): table["name_zh"], t("area_mu"): (table["area_m2"] / M2_PER_MU).round(2),
                t("covered_pct"): (table["share"] * 100).round(1), t("reached"): table["reached"],
            })
            st.caption(t("uncovered"))
            st.dataframe(show.sort_values(t("covered_pct")), hide_index=True, key="metrics_cov_table", height=300)
            _downloads(show, f"coverage_{kind}_{radius}m", "metrics_cov")
    with right:
        layer, _, _ = FACILITY_TYPES[kind]
        layers_ = mapview.map_layers(
            ["boundaries", "land_actions", layer], as_of=as_of, highlight={"land_actions": set(missing)}, by_status=[layer],
            only_ids={"land_actions": set(_parcels(as_of)["id"].astype(str))},
        )
        mapview.show_map(layers_, key="metrics_map", returned_objects=(), zoom=11, height=420)

    stamp, as_of_iso = data.store_stamp(), as_of.isoformat() if as_of else None
    st.subheader(t("substations"), anchor=False)
    subs = _substations(stamp, as_of_iso)
    cols = st.columns(len(subs["progress"]) - 1)
    for col, (key, row) in zip(cols, [(k, v) for k, v in subs["progress"].items() if k != "done"]):
        col.metric(t(f"sub_{key}"), f"{row['done']} / {row['target'] or 0:.0f}")
    by_v = pd.DataFrame.from_dict(subs["by_voltage"], orient="index")
    by_v.index = [f"{k} kV" for k in by_v.index]
    st.dataframe(by_v.round(2), key="metrics_subs_by_voltage")
    st.caption(t("sub_assumptions", **{k: subs["assumptions"][k] for k in ("power_factor", "load_rate", "simultaneity")}))
    subs_table = pd.DataFrame(subs["substations"])
    st.dataframe(subs_table, hide_index=True, key="metrics_subs")
    _downloads(subs_table, "substations", "metrics_subs_dl")

    st.subheader(t("schedule"), anchor=False)
    sched = _schedule(stamp, as_of_iso)
    show = sched.assign(
        status=[status_label(s) for s in sched["status"]], deadline=[deadline_label(d) for d in sched["deadline"]]
    )
    st.metric(t("overdue_count"), int(sched["overdue"].sum()))
    st.dataframe(show, hide_index=True, key="metrics_schedule", height=360)
    _downloads(sched, "schedule", "metrics_sched_dl")


main()
