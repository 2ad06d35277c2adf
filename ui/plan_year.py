"""The sidebar's 规划年度 (plan year) selector: one plan year or all of them, for every page (issue 16 item 3).

The choice lives in ``st.session_state["plan_year"]`` (``"all"`` or a year as text, e.g. ``"2021"``) and in
the URL as ``?year=2021`` (absent for all years), like the as-of date. The years offered are those present in
the data (:func:`ui.data.plan_years`); the pages read the choice through :func:`selected_year` and filter
with :func:`ui.data.year_frame` (= :func:`layers.progress.frames_of_year`), never on their own.
"""

from __future__ import annotations

import streamlit as st

from ui import data
from ui.i18n import t
from ui.state import as_of_date, init_from_url, url_get, url_set

__all__ = ["ALL", "KEY", "selected_year", "year_selector"]

#: Session-state key of the selector (and its widget key).
KEY = "plan_year"
#: The value meaning every plan year.
ALL = "all"


def selected_year() -> int | None:
    """The plan year chosen in the sidebar, or None for 全部年度 (all years)."""
    value = str(st.session_state.get(KEY, ALL))
    return int(value) if value.isdigit() else None


def year_selector() -> int | None:
    """Draw the 规划年度 selectbox (call inside the sidebar), keep it in the URL; return :func:`selected_year`.

    Options: 全部年度, then every plan year present in the layers and the store's ``plan_items`` (2020 always).
    A year in the URL or the session that the data no longer holds falls back to 全部年度.
    """
    options = [ALL, *(str(y) for y in data.plan_years(as_of_date()))]
    init_from_url(KEY, url_get("year", ALL))
    if str(st.session_state.get(KEY)) not in options:
        st.session_state[KEY] = ALL
    labels = {o: t("plan_year_all") if o == ALL else t("plan_year_option", year=o) for o in options}
    st.selectbox(t("plan_year"), options, key=KEY, format_func=labels.get, help=t("plan_year_help"))
    year = selected_year()
    if year is not None:
        st.info(t("plan_year_active", year=year))
    url_set(year=None if year is None else str(year))
    return year
