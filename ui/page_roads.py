"""联网路 Roads: the board of the 18 link roads (ui.board), the roads on the map by status.

Opened n / 18 and km, the 4 congestion points, the status editor and each road's history. The sidebar's plan
year (:mod:`ui.plan_year`) keeps the page to that year's roads and figures.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gis.text import display_safe, markdown_literal
from layers.years import DEFAULT_PLAN_YEAR
from ui import board, data, edit, mapview, provenance
from ui.i18n import lang, status_label, t
from ui.plan_year import selected_year
from ui.state import as_of_date

LAYER = "road_links"


def _of(done: object, target: float | None) -> str:
    """``"3 / 18"``, or ``"3 / —"`` when the shown plan year sets no such target."""
    return f"{done} / {target:.0f}" if target else f"{done} / —"


def main() -> None:
    """Draw the roads page."""
    as_of = as_of_date()
    year = selected_year()
    spec = data.layer_spec(LAYER)
    gdf = data.year_frame(LAYER, as_of, year)
    st.header(t("roads_title"), anchor=False)
    if gdf.empty or "kind" not in gdf.columns:
        st.info(t("none_this_year", year=year) if year is not None and "kind" in gdf.columns else t("no_layers"))
        return
    gdf = provenance.filter_frame(gdf, LAYER, as_of, key="roads_provenance")  # official / illustrative (issue 14)
    links = gdf[gdf["kind"] == "link_road"]
    points = gdf[gdf["kind"] == "congestion_point"]
    # The board first, full width: all 18 with the last change visible at 1280 × 800 (issue 13 item 2).
    board.show_board(LAYER, links, key="roads_board", title=t("board_roads_title"), measure="length_km", as_of=as_of,
                     year=year)
    name_col = "name_zh" if lang() == "zh" else "name_en"
    left, right = st.columns([3, 2], gap="medium")
    with left:
        doc = data.plan_progress(as_of, year=year)  # the shared computation (= python -m layers metrics)
        if doc is None:  # figures unavailable (see the data problems); the board and the editor still work
            st.warning(t("no_layers"))
        else:
            rm = doc["roads"]
            cp = rm["congestion_points"]
            # the 2020 plan's 18 roads and 4 points when its table is silent; another year has only its own targets
            plan_2020 = year is None or year == DEFAULT_PLAN_YEAR
            # the km figure is the widest: its column is wider and its unit is in the label, so that at 1280 px the
            # value is never cut to "0.0 / 48.0…" (with the unit lost)
            c1, c2, c3 = st.columns([2, 3, 2])
            c1.metric(t("roads_opened"), _of(rm["opened"], rm["target"] or (18 if plan_2020 else None)))
            c2.metric(t("roads_opened_km"), f"{rm['opened_km']:.1f} / {rm['total_km']:.1f}")
            c3.metric(t("roads_congestion"), _of(cp["fixed"], cp["target"] or (4 if plan_2020 else None)))
        if not points.empty:
            st.caption(
                " · ".join(f"{markdown_literal(r[name_col])}: {status_label(str(r['status']), spec)}" for _, r in points.iterrows())
            )
    with right:
        drawn = None if year is None else {LAYER: set(gdf["id"].astype(str))}  # the year's roads (issue 16)
        layers_ = mapview.map_layers(["boundaries", LAYER], as_of=as_of, by_status=[LAYER], only_ids=drawn)
        mapview.show_map(layers_, key="roads_map", returned_objects=(), zoom=11, height=420)
        mapview.legend(layers_[1:])

    st.subheader(t("roads_edit"), anchor=False)
    edit.flash("roads_edit")
    editable = pd.concat([links, points])
    edit.status_editor(LAYER, editable, prefix="roads_edit", statuses=list(spec.statuses), as_of=as_of)

    st.subheader(t("history"), anchor=False)
    labels = {str(r["id"]): f"{display_safe(r[name_col])} · {r['id']}" for _, r in editable.iterrows()}
    pick = st.selectbox(t("roads_pick"), list(labels), key="roads_history_pick", format_func=lambda i: labels[i])
    edit.history_table(LAYER, pick, key="roads_history_table")


main()
