"""联网路 Roads: the 18 link roads as a table and on the map by status.

Opened n / 18 and km, the 4 congestion points, the status editor and each road's history.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gis.text import display_safe, markdown_literal
from ui import data, edit, mapview, provenance
from ui.i18n import deadline_label, lang, status_label, t
from ui.state import as_of_date

LAYER = "road_links"


def main() -> None:
    """Draw the roads page."""
    as_of = as_of_date()
    spec = data.layer_spec(LAYER)
    gdf = data.layer_frame(LAYER, as_of)
    st.header(t("roads_title"), anchor=False)
    if gdf.empty or "kind" not in gdf.columns:
        st.info(t("no_layers"))
        return
    gdf = provenance.filter_frame(gdf, LAYER, as_of, key="roads_provenance")  # official / illustrative (issue 14)
    links = gdf[gdf["kind"] == "link_road"]
    points = gdf[gdf["kind"] == "congestion_point"]
    doc = data.plan_progress(as_of)  # the shared computation (= python -m gis metrics)
    if doc is None:  # figures unavailable (see the data problems); the table and the editor still work
        st.warning(t("no_layers"))
    else:
        rm = doc["roads"]
        cp = rm["congestion_points"]
        c1, c2, c3 = st.columns(3)
        c1.metric(t("roads_opened"), f"{rm['opened']} / {rm['target'] or 18:.0f}")
        c2.metric(t("roads_opened_km"), f"{rm['opened_km']:.1f} / {rm['total_km']:.1f} km")
        c3.metric(t("roads_congestion"), f"{cp['fixed']} / {cp['target'] or 4:.0f}")

    last = edit.last_changes(LAYER)
    name_col = "name_zh" if lang() == "zh" else "name_en"
    table = pd.DataFrame(
        {
            t("f_id"): links["id"].astype(str),
            t("f_name_zh"): links[name_col].astype(str).map(display_safe),
            t("f_towns"): links["towns"].astype(str).str.replace(";", "–") if "towns" in links else "",
            t("length_km"): links["length_km"].round(2) if "length_km" in links else None,
            t("f_status"): [status_label(s, spec) for s in links["status"].astype(str)],
            t("f_deadline"): [deadline_label(d) for d in links["deadline"].astype(str)],
            t("f_last_change"): [str(last.get(i, "")) for i in links["id"].astype(str)],
        }
    )
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.dataframe(table, hide_index=True, key="roads_table", height=420)
        if not points.empty:
            st.caption(
                " · ".join(f"{markdown_literal(r[name_col])}: {status_label(str(r['status']), spec)}" for _, r in points.iterrows())
            )
    with right:
        layers_ = mapview.map_layers(["boundaries", LAYER], as_of=as_of, by_status=[LAYER], only_ids={LAYER: set(gdf["id"].astype(str))})
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
