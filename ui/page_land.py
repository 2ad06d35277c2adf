"""土地 Land: the land-action ledger — 亩 by action and status against the plan's 250 / 700 / 800 亩.

By town and sub-park, the parcels table with filters, charts, the map of the filtered parcels, and the
status editor for editors. Areas are the registry's ``area_mu`` (computed on EPSG:4547, never typed in). The
sidebar's plan year (:mod:`ui.plan_year`) keeps the parcels and figures to that year's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from gis.text import display_safe
from layers.land_actions import ACTION_LABELS, PARCEL_ACTIONS
from ui import board, data, edit, mapview, provenance
from ui.i18n import lang, status_label, t
from ui.plan_year import selected_year
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
    c1.dataframe(table.round(1), key="land_pivot", column_config=_mu_columns(table, first=100))
    c2.bar_chart(by_status, horizontal=True, height=220)

    st.subheader(t("land_by_town"), anchor=False)
    by_town = pd.DataFrame.from_dict(land_doc["by_town"], orient="index")
    by_town.columns = [action_label(a) for a in by_town.columns]
    c3, c4 = st.columns([3, 2])
    c3.dataframe(by_town.round(1), key="land_by_town", column_config=_mu_columns(by_town, first=100))
    c4.bar_chart(by_town, horizontal=True, height=260)  # town names read horizontally (issue 13 item 7)
    subparks = data.layer_frame("sub_parks", as_of)
    if not subparks.empty:
        st.subheader(t("land_by_subpark"), anchor=False)
        parks, others = subpark_tables(land_doc, subparks)
        st.dataframe(parks.round(1), key="land_by_subpark", column_config=_mu_columns(parks, first=330))
        if not others.empty:
            st.caption(t("land_other_zones"))
            st.dataframe(others.round(1), key="land_by_zone", column_config=_mu_columns(others, first=330))


#: Sub-park kinds that partition the land (the core park, the pilot 分园, the eastern industrial park):
#: their sums plus 未归属 add up to each action's total. Other zones overlap them and are listed apart.
PARK_KINDS: tuple[str, ...] = ("core_park", "pilot_sub_park", "eastern_industrial_park")


def subpark_tables(land_doc: dict[str, Any], subparks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """亩 by action in each park, with 未归属 and 合计 rows that add up to the action totals; other zones apart.

    Parameters
    ----------
    land_doc : dict
        The shared computation's ``land`` document (``by_sub_park`` 亩 per zone id and action, and each action's
        ``total_mu``).
    subparks : pandas.DataFrame
        The ``sub_parks`` layer (``id``, ``kind``, ``name_zh``/``name_en``).

    Returns
    -------
    tuple of pandas.DataFrame
        The parks table (rows: parks, 未归属, 合计; columns: actions in words; 亩) and the other zones' table
        (overlapping areas, not summed).
    """
    by_sp = pd.DataFrame.from_dict(land_doc.get("by_sub_park", {}), orient="index", columns=list(PARCEL_ACTIONS)).fillna(0.0)
    names = dict(zip(subparks["id"].astype(str), subparks["name_zh" if lang() == "zh" else "name_en"].map(display_safe)))
    park_ids = set(subparks.loc[subparks["kind"].isin(PARK_KINDS), "id"].astype(str))
    parks = by_sp.loc[[i for i in by_sp.index if str(i) in park_ids]]
    others = by_sp.loc[[i for i in by_sp.index if str(i) not in park_ids]]
    totals = pd.Series({a: float(land_doc.get(a, {}).get("total_mu") or 0.0) for a in PARCEL_ACTIONS})
    unassigned = (totals - parks.sum()).clip(lower=0.0)
    parks = pd.concat([parks, unassigned.to_frame(t("unassigned")).T, totals.to_frame(t("total_row")).T])
    parks.index = [names.get(str(i), str(i)) for i in parks.index]
    others.index = [names.get(str(i), str(i)) for i in others.index]
    for frame in (parks, others):
        frame.columns = [action_label(a) for a in frame.columns]
    return parks, others


def _mu_columns(frame: pd.DataFrame, *, first: int = 160) -> dict[str, Any]:
    """Column widths (px) for a 亩 table: nothing clipped at 1280 px (the index holds the names)."""
    config: dict[str, Any] = {"_index": st.column_config.TextColumn(width=first)}
    for col in frame.columns:
        config[str(col)] = st.column_config.NumberColumn(width=110, format="%.1f")
    return config


def main() -> None:
    """Draw the land page."""
    as_of = as_of_date()
    year = selected_year()
    spec = data.layer_spec(LAYER)
    gdf = data.year_frame(LAYER, as_of, year)
    st.header(t("land_title"), anchor=False)
    if gdf.empty or "action" not in gdf.columns:
        st.info(t("none_this_year", year=year) if year is not None and "action" in gdf.columns else t("no_layers"))
        return
    parcels = gdf[gdf["action"].isin(PARCEL_ACTIONS)]
    doc = data.plan_progress(as_of, year=year)  # the shared computation (= python -m layers metrics)
    if doc is None:  # figures unavailable (see the data problems); the ledger and the editor still work
        st.warning(t("no_layers"))
    else:
        _figures(doc["land"], spec, as_of)
    st.subheader(t("land_parcels"), anchor=False)
    all_actions = sorted(gdf["action"].unique())
    action_labels = {a: action_label(a) for a in all_actions}
    actions = st.multiselect(
        t("land_filter_action"), all_actions, key="land_filter_action", placeholder=t("all"), format_func=action_labels.get
    )
    picked = gdf[gdf["action"].isin(actions)] if actions else gdf
    picked = provenance.filter_frame(picked, LAYER, as_of, key="land_provenance")  # official / illustrative (issue 14)
    # The same board as the 联网路 page (filters by town and status, overdue days, xlsx and print page).
    shown = board.show_board(LAYER, picked, key="land_board", title=t("board_land_title"), measure="area_mu", as_of=as_of,
                             year=year)
    shown_ids = set(shown["id"].astype(str))
    in_targets = picked[picked["action"].isin(PARCEL_ACTIONS) & picked["id"].astype(str).isin(shown_ids)]
    st.caption(t("land_sum", mu=f"{in_targets['area_mu'].sum():,.1f}", n=len(in_targets), total=len(shown)))
    layers_ = mapview.map_layers(["boundaries", LAYER], as_of=as_of, by_status=[], only_ids={LAYER: shown_ids}, year=year)
    mapview.show_map(layers_, key="land_map", returned_objects=(), zoom=11, height=380)

    st.subheader(t("land_edit"), anchor=False)
    edit.flash("land_edit")
    edit.status_editor(LAYER, parcels, prefix="land_edit", statuses=list(spec.statuses), as_of=as_of)


main()
