"""指标 Metrics: coverage with an adjustable service distance, substations and the schedule.

Uncovered parcels are highlighted on the map; substation adequacy and the schedule of every tracked item
(overdue first) come from the metrics module; tables download as CSV or Excel.

The numbers come from ``gis.coverage`` and ``layers.metrics`` (the same functions as the CLI and the
notebooks); this page only picks inputs, caches and lays out.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import streamlit as st

from gis import settings
from ui import data, mapview
from ui.i18n import t
from ui.state import as_of_date

#: Facility type → (layer, kinds or None for all, default radius key in gis.settings.SERVICE_RADII_M).
FACILITY_TYPES: dict[str, tuple[str, tuple[str, ...] | None, str]] = {
    "tod_station": ("tod_stations", None, "tod_station"),
    "bus_stop": ("facilities", ("bus_stop",), "bus_stop"),
    "school": ("facilities", ("school",), "primary_school"),
    "fire_station": ("facilities", ("fire_station",), "fire_station"),
    "substation": ("substations", None, "substation_110kv"),
}
_TYPE_LABELS = {
    "tod_station": ("TOD/TID 站点", "TOD/TID stations"),
    "bus_stop": ("公交站", "bus stops"),
    "school": ("学校", "schools"),
    "fire_station": ("消防站", "fire stations"),
    "substation": ("变电站", "substations"),
}


def _type_label(key: str) -> str:
    from ui.i18n import lang

    pair = _TYPE_LABELS[key]
    return pair[0] if lang() == "zh" else pair[1]


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage(kind: str, radius_m: float, stamp: str, as_of_iso: str | None) -> tuple[pd.DataFrame, float, list[str]]:
    """Coverage of the land parcels by one facility type (cached per radius and data stamp)."""
    from gis.coverage import coverage, covered_share

    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    layer, kinds, _ = FACILITY_TYPES[kind]
    parcels = data.layer_frame("land_actions", as_of)
    fac = data.layer_frame(layer, as_of)
    if kinds is not None and "kind" in fac.columns:
        fac = fac[fac["kind"].isin(kinds)]
    fac = fac[fac.geometry.geom_type.isin(["Point", "MultiPoint"])]
    if parcels.empty or fac.empty:
        return pd.DataFrame(), 0.0, []
    table = coverage(parcels, fac, radius_m=radius_m)
    table.insert(0, "id", parcels["id"].astype(str).to_numpy())
    table.insert(1, "name_zh", parcels["name_zh"].astype(str).to_numpy())
    return table, covered_share(table), table.loc[~table["reached"], "id"].tolist()


def _downloads(df: pd.DataFrame, name: str, key: str) -> None:
    """CSV (UTF-8 with BOM, so Excel reads Chinese) and Excel buttons for one table."""
    c1, c2 = st.columns(2)
    c1.download_button(t("download_csv"), df.to_csv(index=False).encode("utf-8-sig"), f"{name}.csv", "text/csv", key=f"{key}_csv")
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    c2.download_button(
        t("download_xlsx"), buf.getvalue(), f"{name}.xlsx",
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
            show = table.assign(area_mu=table["area_m2"] / (10000 / 15), share_pct=(table["share"] * 100).round(1))
            show = show[["id", "name_zh", "area_mu", "share_pct", "reached"]].round(2)
            st.caption(t("uncovered"))
            st.dataframe(show.sort_values("share_pct"), hide_index=True, key="metrics_cov_table", height=300)
            _downloads(show, f"coverage_{kind}_{radius}m", "metrics_cov")
    with right:
        layer, _, _ = FACILITY_TYPES[kind]
        layers_ = mapview.map_layers(
            ["boundaries", "land_actions", layer], as_of=as_of, highlight={"land_actions": set(missing)}, by_status=[layer]
        )
        mapview.show_map(layers_, key="metrics_map", returned_objects=(), zoom=11, height=420)

    try:
        from layers import metrics as plan_metrics
    except ImportError:
        st.info(t("not_ready", what="layers.metrics"))
        return
    st.subheader(t("substations"), anchor=False)
    try:
        subs = plan_metrics.substations(as_of=as_of) if hasattr(plan_metrics, "substations") else None
    except Exception as exc:  # metrics code still settling: show why instead of a traceback
        st.warning(str(exc))
        subs = None
    if isinstance(subs, pd.DataFrame):
        st.dataframe(subs, hide_index=True, key="metrics_subs")
        _downloads(subs, "substations", "metrics_subs_dl")
    st.subheader(t("schedule"), anchor=False)
    try:
        sched = plan_metrics.schedule(as_of=as_of) if hasattr(plan_metrics, "schedule") else None
    except Exception as exc:  # see above
        st.warning(str(exc))
        sched = None
    if isinstance(sched, pd.DataFrame):
        st.dataframe(sched, hide_index=True, key="metrics_schedule")
        _downloads(sched, "schedule", "metrics_sched_dl")


main()
