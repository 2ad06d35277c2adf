"""规划条文 Plan text: from a section or any pasted text of the plan to the items and targets that cite it.

Each hit links to the map page with ``?sel=<id>`` (the map selects and details the feature). The count of the
plan's clauses with a spatial item that are traced (``layers.plan_trace.trace_coverage``) is shown on top. The
text is the 2020 plan's; when the sidebar shows another plan year the page says so in one line.
"""

from __future__ import annotations

import urllib.parse

import pandas as pd
import streamlit as st

import layers
from layers import plan_trace
from layers.years import DEFAULT_PLAN_YEAR
from ui import data
from ui.i18n import lang, status_label, t
from ui.plan_year import selected_year
from ui.state import as_of_date


def _frames(as_of) -> dict:
    """The plan layers as the other pages see them (working store or baseline, replayed to ``as_of``)."""
    return {name: data.layer_frame(name, as_of) for name in layers.names()}


@st.cache_data(show_spinner=False, max_entries=8)
def _coverage(stamp: str, as_of_iso: str | None) -> dict:
    from datetime import date

    return plan_trace.trace_coverage(frames=_frames(date.fromisoformat(as_of_iso) if as_of_iso else None))


def _section_label(ref: str) -> str:
    if not ref:
        return t("plan_section_all")
    head = layers.plan_section(ref)[:28]
    return f"{ref} {head}…"


def _map_link(row: pd.Series) -> str | None:
    if row["source"] != "feature":
        return None
    query = urllib.parse.urlencode({"sel": row["id"], "layers": row["layer"]})
    return f"./map?{query}"


def _table(hits: pd.DataFrame) -> pd.DataFrame:
    name_col = "name_zh" if lang() == "zh" else "name_en"
    titles = {n: (layers.spec(n).title_zh if lang() == "zh" else layers.spec(n).title_en) for n in layers.names()}
    statuses = [
        status_label(s, layers.spec(layer) if layer in titles else None) if s else ""
        for s, layer in zip(hits["status"], hits["layer"])
    ]
    return pd.DataFrame(
        {
            t("f_id"): hits["id"],
            t("f_name_zh"): hits[name_col],
            t("plan_col_layer"): [titles.get(layer, layer) for layer in hits["layer"]],
            t("plan_col_role"): [t(f"plan_role_{r}") if r else "" for r in hits["role"]],
            t("f_status"): statuses,
            t("plan_col_match"): [t(f"plan_match_{m}") for m in hits["match"]],
            "plan_ref": hits["plan_ref"],
            t("plan_col_map"): [_map_link(r) for _, r in hits.iterrows()],
        }
    )


def main() -> None:
    """Draw the plan-text page."""
    as_of = as_of_date()
    st.header(t("plan_title"), anchor=False)
    st.caption(t("plan_intro"))
    year = selected_year()
    if year is not None and year != DEFAULT_PLAN_YEAR:
        st.info(t("plan_text_year", year=year))
    cov = _coverage(data.store_stamp(), as_of.isoformat() if as_of else None)
    st.metric(
        t("plan_traced"), f"{cov['traced']} / {cov['spatial_clauses']}", help=t("plan_traced_help"),
        delta=f"{cov['traced_share'] * 100:.1f} %", delta_color="off",
    )

    refs = [""] + plan_trace.sections()
    labels = {ref: _section_label(ref) for ref in refs}  # fixed now: the label must not depend on who calls it later
    section = st.selectbox(t("plan_section"), refs, key="plan_section", format_func=labels.__getitem__)
    text = st.text_area(t("plan_paste"), key="plan_text", help=t("plan_paste_help"), height=110)
    if section and not text.strip():
        with st.expander(t("plan_section_text"), expanded=False):
            st.text(layers.plan_section(section))
    if not section and not text.strip():
        st.info(t("plan_pick_hint"))
    else:
        hits = plan_trace.trace(text, section=section or None, frames=_frames(as_of))
        st.markdown(f"**{t('plan_hits', n=len(hits))}**")
        if hits.empty:
            st.info(t("plan_none"))
        else:
            st.dataframe(
                _table(hits), hide_index=True, key="plan_hits_table",
                column_config={t("plan_col_map"): st.column_config.LinkColumn(display_text=t("plan_open_map"))},
            )

    untraced = cov["untraced"]
    with st.expander(t("plan_untraced", n=len(untraced)), expanded=False):
        st.dataframe(
            pd.DataFrame(untraced, columns=["section", "text"]).rename(
                columns={"section": t("plan_section"), "text": t("plan_section_text")}
            ), hide_index=True, key="plan_untraced_table",
        )


main()
