"""指标 Metrics: coverage with an adjustable service distance, plan progress, every target, substations, schedule.

Uncovered parcels are highlighted on the map; every other figure is read from one document,
:func:`ui.data.plan_progress` (= :func:`layers.progress.plan_progress`, the same as ``python -m layers metrics``);
the coverage at the chosen distance is :func:`layers.metrics.coverage_table`, the function the CLI's
coverage figures use. This page only picks inputs, caches and lays out; tables download as CSV or Excel.
Progress, targets, schedule and the items' board follow the sidebar's plan year (:mod:`ui.plan_year`); the
coverage is of the places as they are, whatever plan set them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import layers
from gis import settings
from gis.area import M2_PER_MU
from gis.coverage import covered_share
from gis.spreadsheet import csv_bytes, xlsx_bytes
from layers import metrics as lm
from ui import board, data, mapview
from ui.i18n import deadline_label, lang, layer_title, status_label, t, unit_label
from ui.plan_year import selected_year
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


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage(kind: str, radius_m: float, stamp: str, as_of_iso: str | None) -> tuple[pd.DataFrame, float, list[str]]:
    """Coverage of the plan's land parcels by one facility type (cached per radius and data stamp)."""
    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    layer = FACILITY_TYPES[kind][0]
    frames = {"land_actions": data.layer_frame("land_actions", as_of), layer: data.layer_frame(layer, as_of)}
    if "action" not in frames["land_actions"].columns:
        return pd.DataFrame(), 0.0, []
    table = lm.coverage_table(frames, kind, radius_m=radius_m)
    if table.empty:
        return table, 0.0, []
    return table, covered_share(table), table.loc[~table["reached"], "id"].tolist()


def _plan_layers() -> list[str]:
    """The bundled plan layers, then the store-only ones the store holds (``plan_items`` once accepted)."""
    held = set(data.layer_names())
    return [*layers.names(), *(n for n in layers.STORE_LAYERS if n in held)]


def _schedule_table(doc: dict, as_of: date | None, year: int | None = None) -> pd.DataFrame:
    frames = {n: data.year_frame(n, as_of, year) for n in _plan_layers()}
    table = lm.schedule(frames, as_of=date.fromisoformat(doc["as_of"]))
    return table.sort_values(["overdue", "due", "layer"], ascending=[False, True, True], na_position="last").reset_index(drop=True)


def _targets_table(doc: dict) -> pd.DataFrame:
    """Every target row as shown: the plan's figure, what the map shows done, total and whether it is met."""
    zh = lang() == "zh"
    rows = []
    for r in doc["targets"]:
        value = "" if r["value"] is None else f"{r['value']:g}" + (f"–{r['value_max']:g}" if r["value_max"] is not None else "")
        measured = bool(r["measured"])
        rows.append({
            t("target_section"): r["section"],
            t("target_item"): r["item_zh"] if zh else r["item_en"],
            t("target_value"): f"{'' if r['comparison'] == 'range' else r['comparison'] or ''} {value}".strip(),
            t("target_achieved"): round(r["achieved"], 2) if measured else None,
            t("target_total"): round(r["total"], 2) if measured else None,
            t("target_unit"): unit_label(r["unit"]),
            t("target_met"): ("✓" if r["met"] else "✗") if measured else t("target_not_measured"),
        })
    return pd.DataFrame(rows)


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
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.metric(t("covered_share"), f"{share * 100:.1f} %", help=f"{_type_label(kind)} · {radius} m")
        # the standard and the radius in words next to the figure, not only in a tooltip (issue 13 item 7)
        st.caption(t("coverage_standard", source=settings.SERVICE_RADII_M[FACILITY_TYPES[kind][2]]["source"], radius=radius))
        if not table.empty:
            show = pd.DataFrame({
                t("f_id"): table["id"], t("f_name_zh"): table["name_zh"], t("area_mu"): (table["area_m2"] / M2_PER_MU).round(2),
                t("covered_pct"): (table["share"] * 100).round(1), t("reached"): table["reached"],
            })
            st.caption(t("uncovered"))
            st.dataframe(show.sort_values(t("covered_pct")), hide_index=True, key="metrics_cov_table", height=300,
                         column_config={t("f_id"): st.column_config.TextColumn(width=76),
                                        t("f_name_zh"): st.column_config.TextColumn(width=150),
                                        t("area_mu"): st.column_config.NumberColumn(width=66),
                                        t("covered_pct"): st.column_config.NumberColumn(width=76),
                                        t("reached"): st.column_config.CheckboxColumn(width=60)})
            _downloads(show, f"coverage_{kind}_{radius}m", "metrics_cov")
    with right:
        layer, _, _ = FACILITY_TYPES[kind]
        layers_ = mapview.map_layers(
            ["boundaries", "land_actions", layer], as_of=as_of, highlight={"land_actions": set(missing)}, by_status=[layer],
            only_ids={"land_actions": set(table["id"].astype(str)) if not table.empty else set()},
        )
        mapview.show_map(layers_, key="metrics_map", returned_objects=(), zoom=11, height=420)

    year = selected_year()
    doc = data.plan_progress(as_of, year=year)
    if doc is None:
        st.warning(t("no_layers"))
        return
    st.subheader(t("progress_title"), anchor=False)
    st.caption(t("progress_as_of", date=str(doc["as_of"])))  # the day the figures are for (today, or the sidebar's date)
    sched_counts = doc["schedule"]
    p1, p2, p3, p4, p5 = st.columns(5)
    p1.metric(t("progress_items"), sched_counts["items"], help=t("progress_help"))
    p2.metric(t("progress_done"), sched_counts["done"])
    p3.metric(t("progress_ongoing"), sched_counts["ongoing"])
    p4.metric(t("overdue_count"), sched_counts["overdue"])
    p5.metric(t("progress_context"), sched_counts["context"])
    st.subheader(t("targets_title"), anchor=False)
    targets = _targets_table(doc)
    st.dataframe(targets, hide_index=True, key="metrics_targets", height=360)
    _downloads(targets, "targets", "metrics_targets_dl")

    st.subheader(t("substations"), anchor=False)
    subs = doc["substations"]
    progress = [(k, v) for k, v in subs["progress"].items() if isinstance(v, dict)]
    for col, (key, row) in zip(st.columns(len(progress)), progress):
        col.metric(t(f"sub_{key}"), f"{row['done']} / {row['target'] or 0:.0f}")
    by_v = pd.DataFrame.from_dict(subs["by_voltage"], orient="index")
    by_v.index = [f"{k} kV" for k in by_v.index]
    by_v = by_v.rename(columns={c: t(f"subv_{c}") for c in by_v.columns})
    st.dataframe(by_v.round(3), key="metrics_subs_by_voltage")
    a = subs["assumptions"]
    densities = "; ".join(f"{t('landuse_' + u)} {v['w_m2']:g} W/m² ({v['range'][0]:g}–{v['range'][1]:g}, {v['source']})"
                          for u, v in a["load_density_w_m2"].items())
    st.caption(t("sub_method", densities=densities, power_factor=a["power_factor"], simultaneity=a["simultaneity"],
                 load_rate=a["load_rate"], scope=t("sub_scope"), rule=t("sub_rule")))
    subs_table = _substations_table(subs["substations"])
    widths = dict(zip(subs_table.columns, (150, 84, 56, 96, 170, 84, 80, 76, 44)))
    st.dataframe(subs_table, hide_index=True, key="metrics_subs",
                 column_config={c: st.column_config.Column(width=w) for c, w in widths.items()})
    _downloads(subs_table, "substations", "metrics_subs_dl")

    st.subheader(t("schedule"), anchor=False)
    sched = _schedule_table(doc, as_of, year)
    show = _schedule_shown(sched, doc)
    st.dataframe(show, hide_index=True, key="metrics_schedule", height=360, placeholder="—")
    _downloads(show, "schedule", "metrics_sched_dl")

    # every layer's plan items on the same board as the 联网路 page (issue 13 item 2)
    st.subheader(t("board_items"), anchor=False)
    tracked = [n for n in _plan_layers() if n in set(sched["layer"])]
    if tracked:
        titles = {n: layer_title(n) for n in tracked}  # labels made now, in this run's language (not lazily)
        pick = st.selectbox(t("board_layer"), tracked, key="metrics_board_layer", format_func=titles.get)
        frame = data.year_frame(pick, as_of, year)
        items = frame[frame["id"].astype(str).isin(set(sched.loc[sched["layer"] == pick, "id"].astype(str)))]
        measure = "length_km" if "length_km" in items.columns else ("area_mu" if "area_mu" in items.columns else None)
        board.show_board(pick, items, key=f"metrics_board_{pick}", title=t("board_items_title", layer=layer_title(pick)),
                         measure=measure, as_of=as_of, year=year)


#: Substation table columns shown -> i18n key (internal columns never reach the screen).
_SUB_COLUMNS = {
    "name_zh": "f_name_zh", "voltage_kv": "sub_col_voltage", "status": "f_status", "capacity_mva": "subv_capacity_mva",
    "serves": "sub_col_serves", "parcels": "sub_col_parcels",
    "demand_mva": "subv_demand_mva", "utilisation": "sub_col_utilisation", "overload": "sub_col_overload",
}


def _substations_table(rows: list[dict]) -> pd.DataFrame:
    """The substations of the shared computation with labelled columns, statuses in words, units in headers."""
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    cols = [c for c in _SUB_COLUMNS if c in df.columns]
    out = df[cols].copy()
    if "status" in out:
        out["status"] = [status_label(s, "substations") for s in out["status"].astype(str)]
    if "name_zh" in out and lang() == "en" and "name_en" in df:
        out["name_zh"] = df["name_en"]
    if "overload" in out:
        out["overload"] = out["overload"].map(lambda v: t("yes") if bool(v) else t("no"))
    for c in ("capacity_mva", "demand_mva"):
        if c in out:
            out[c] = pd.to_numeric(out[c]).round(1)
    if "utilisation" in out:
        out["utilisation"] = (pd.to_numeric(out["utilisation"]) * 100).round(1)
    return out.rename(columns={c: t(_SUB_COLUMNS[c]) for c in cols})


def _schedule_shown(sched: pd.DataFrame, doc: dict) -> pd.DataFrame:
    """The schedule as shown and downloaded: layer titles, statuses in each layer's words, days overdue."""
    overdue: dict[tuple[str, str], int] = {}
    for layer in set(sched["layer"]):
        overdue.update({(layer, i): d for i, d in board.overdue_days(doc, layer).items()})
    state_words = {k: t(f"sched_state_{k}") for k in ("done", "ongoing", "cancelled", "overdue", "open")}
    return pd.DataFrame({
        t("f_layer"): [layer_title(n) for n in sched["layer"]],
        t("f_name_zh"): sched["name_zh"].astype(str),
        t("f_deadline"): [deadline_label(d) for d in sched["deadline"]],
        t("f_status"): [status_label(str(s), n) for s, n in zip(sched["status"], sched["layer"])],
        t("sched_state"): [state_words.get(str(x), str(x)) for x in sched["state"]],
        t("board_overdue_days"): pd.array([overdue.get((n, str(i))) for n, i in zip(sched["layer"], sched["id"])], dtype="Int64"),
    })


main()
