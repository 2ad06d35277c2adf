"""土地 Land: the land-action ledger — 亩 by action and status against the plan's 250 / 700 / 800 亩.

By town and sub-park, the parcels table with filters, charts, the map of the filtered parcels, and the
status editor for editors. Areas are the registry's ``area_mu`` (computed on EPSG:4547, never typed in).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from gis.text import display_safe
from layers.land_actions import ACTION_LABELS, PARCEL_ACTIONS
from ui import data, edit, mapview, provenance
from ui.i18n import deadline_label, lang, status_label, t
from ui.state import as_of_date

LAYER = "land_actions"


def action_label(action: str) -> str:
    """The action in the current language (整备 / consolidation, …)."""
    pair = ACTION_LABELS.get(action)
    return (pair[0] if lang() == "zh" else pair[1]) if pair else action


def _figures(land_doc: dict[str, Any], spec: Any, as_of: date | None) -> None:
    """亩 by action against the targets, by status, town and sub-park: all from the shared computation."""
    by_action = pd.DataFrame({a: land_doc[a] for a in PARCEL_ACTIONS if a in land_doc}).T

    cols = st.columns(len(PARCEL_ACTIONS))
    for col, action in zip(cols, PARCEL_ACTIONS):
        row = by_action.loc[action]
        target = row["target_mu"]
        col.metric(
            f"{action_label(action)} ({t('achieved')} / {t('target')})",
            f"{row['done_mu']:,.1f} / {target:,.0f} 亩" if pd.notna(target) else f"{row['done_mu']:,.1f} 亩",
            help=f"Σ {row['total_mu']:,.1f} 亩 · {int(row['parcels'])}",
        )

    st.subheader(t("land_by_action"), anchor=False)
    by_status = pd.DataFrame.from_dict(land_doc["by_status"], orient="index").reindex(list(PARCEL_ACTIONS)).fillna(0.0)
    by_status.index = [action_label(a) for a in by_status.index]
    by_status.columns = [status_label(s, spec) for s in by_status.columns]
    table = by_status.copy()
    table[t("target")] = pd.to_numeric(by_action["target_mu"]).to_numpy()
    c1, c2 = st.columns([3, 2])
    c1.dataframe(table.round(1), key="land_pivot")
    c2.bar_chart(by_status, horizontal=True, height=220)

    st.subheader(t("land_by_town"), anchor=False)
    by_town = pd.DataFrame.from_dict(land_doc["by_town"], orient="index")
    by_town.columns = [action_label(a) for a in by_town.columns]
    c3, c4 = st.columns([3, 2])
    c3.dataframe(by_town.round(1), key="land_by_town")
    c4.bar_chart(by_town, height=260)
    subparks = data.layer_frame("sub_parks", as_of)
    if not subparks.empty:
        st.subheader(t("land_by_subpark"), anchor=False)
        by_sp = pd.DataFrame.from_dict(land_doc.get("by_sub_park", {}), orient="index", columns=list(PARCEL_ACTIONS))
        names = dict(zip(subparks["id"].astype(str), subparks["name_zh" if lang() == "zh" else "name_en"].astype(str)))
        by_sp.index = [names.get(str(i), str(i)) for i in by_sp.index]
        by_sp.columns = [action_label(a) for a in by_sp.columns]
        st.dataframe(by_sp.round(1), key="land_by_subpark")


def main() -> None:
    """Draw the land page."""
    as_of = as_of_date()
    spec = data.layer_spec(LAYER)
    gdf = data.layer_frame(LAYER, as_of)
    st.header(t("land_title"), anchor=False)
    if gdf.empty or "action" not in gdf.columns:
        st.info(t("no_layers"))
        return
    parcels = gdf[gdf["action"].isin(PARCEL_ACTIONS)]
    doc = data.plan_progress(as_of)  # the shared computation (= python -m gis metrics)
    if doc is None:  # figures unavailable (see the data problems); the ledger and the editor still work
        st.warning(t("no_layers"))
    else:
        _figures(doc["land"], spec, as_of)
    town_col = "town" if "town" in gdf.columns else "place"

    st.subheader(t("land_parcels"), anchor=False)
    f1, f2, f3 = st.columns(3)
    all_actions = sorted(gdf["action"].unique())
    action_labels = {a: action_label(a) for a in all_actions}
    actions = f1.multiselect(
        t("land_filter_action"), all_actions, key="land_filter_action", placeholder=t("all"), format_func=action_labels.get
    )
    status_labels = {s: status_label(s, spec) for s in spec.statuses}
    statuses = f2.multiselect(
        t("land_filter_status"), list(spec.statuses), key="land_filter_status", placeholder=t("all"), format_func=status_labels.get
    )
    all_towns = sorted(map(str, gdf[town_col].dropna().unique()))
    towns = f3.multiselect(t("land_filter_town"), all_towns, key="land_filter_town", placeholder=t("all"))
    shown = gdf
    if actions:
        shown = shown[shown["action"].isin(actions)]
    if statuses:
        shown = shown[shown["status"].isin(statuses)]
    if towns:
        shown = shown[shown[town_col].astype(str).isin(towns)]
    shown = provenance.filter_frame(shown, LAYER, as_of, key="land_provenance")  # official / illustrative (issue 14)
    name_col = "name_zh" if lang() == "zh" else "name_en"
    table = pd.DataFrame(
        {
            t("f_id"): shown["id"].astype(str),
            t("f_name_zh"): shown[name_col].astype(str).map(display_safe),
            t("f_action"): [action_label(a) for a in shown["action"]],
            t("f_town"): shown[town_col].astype(str),
            t("area_mu"): shown["area_mu"].round(2),
            t("f_status"): [status_label(s, spec) for s in shown["status"].astype(str)],
            t("f_deadline"): [deadline_label(d) for d in shown["deadline"].astype(str)],
            t("illustrative"): shown["illustrative"].astype(bool) if "illustrative" in shown else False,
        }
    )
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.dataframe(table, hide_index=True, key="land_table", height=380)
        in_targets = shown[shown["action"].isin(PARCEL_ACTIONS)]
        st.caption(t("land_sum", mu=f"{in_targets['area_mu'].sum():,.1f}", n=len(in_targets), total=len(shown)))
    with right:
        layers_ = mapview.map_layers(
            ["boundaries", LAYER], as_of=as_of, by_status=[], only_ids={LAYER: set(shown["id"].astype(str))}
        )
        mapview.show_map(layers_, key="land_map", returned_objects=(), zoom=11, height=380)

    st.subheader(t("land_edit"), anchor=False)
    edit.flash("land_edit")
    edit.status_editor(LAYER, parcels, prefix="land_edit", statuses=list(spec.statuses), as_of=as_of)


main()
