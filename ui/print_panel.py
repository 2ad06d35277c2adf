"""出图 on the map page: the current view (layers, statuses, extent) as a PDF and a PNG sheet, A4 or A3 landscape.

The sheet is composed by :mod:`layers.print_map` and drawn by :mod:`gis.print_map`, on the server and
offline; this module only lays out the choice of paper, the button and the two downloads.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

import streamlit as st

from gis import settings
from gis.crs import gcj02_to_wgs84
from gis.errors import InputError
from layers.print_map import print_map
from ui.i18n import error_text, lang, t
from ui.plan_year import selected_year

__all__ = ["show", "view_extent"]

#: Session-state key: when 生成 was clicked (``time.monotonic()``) while its sheet is not made yet; None when done.
_REQUESTED = "map_print_requested"


def _request_print() -> None:
    """The 生成 button's callback: record the request and when (the page makes the sheet in the same or the next run)."""
    st.session_state[_REQUESTED] = time.monotonic()


def _requested() -> bool:
    """A 生成 click is waiting and recent (one older than ``settings.CLICK_RECORD_TTL_S`` is not acted on)."""
    at = st.session_state.get(_REQUESTED)
    return isinstance(at, float) and time.monotonic() - at <= settings.CLICK_RECORD_TTL_S


def view_extent(bounds: Any, *, gcj02: bool = False) -> tuple[float, float, float, float] | None:
    """The map's returned ``bounds`` (Leaflet ``_southWest``/``_northEast``) as WGS 84 (west, south, east, north).

    ``gcj02``: the map shows a GCJ-02 basemap, so its view is in GCJ-02 and is shifted back (~600 m).
    None when the map has not reported a usable view yet (the sheet then frames the shown features).
    """
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        west, south, east, north = float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    if gcj02:
        lons, lats = gcj02_to_wgs84([west, east], [south, north])
        west, east, south, north = float(lons[0]), float(lons[1]), float(lats[0]), float(lats[1])
    return west, south, east, north


def show(
    names: Sequence[str], *, statuses: Sequence[str], as_of: dt.date | None, bounds: Any, basemap: Any = None,
    gcj02: bool = False,
) -> None:
    """The 出图 panel: paper, one button making both files, and their downloads.

    Parameters
    ----------
    names : sequence of str
        Layers shown on the map.
    statuses : sequence of str
        Statuses shown.
    as_of : datetime.date, optional
        The day the map shows.
    bounds : mapping, optional
        streamlit-folium's ``bounds`` of the current view.
    basemap : gis.tiles.TilePackage, optional
        The intranet tile package shown under the map, printed under the plan too (online basemaps are not:
        the sheet is made offline).
    gcj02 : bool
        The map's view is in GCJ-02 (a Gaode basemap): the extent is shifted back to WGS 84.

    The sheet prints the sidebar's plan year (:func:`ui.plan_year.selected_year`) as the map shows it: that year's
    features, those carried out of it with its deadlines, and context; every year's for 全部年度.
    """
    with st.expander(t("print_heading"), expanded=False):
        st.caption(t("print_help"))
        papers = {p: t(f"print_paper_{p}") for p in ("A4", "A3")}  # a dict's .get: AppTest re-applies format_func
        paper = st.radio(t("print_paper"), list(papers), key="map_print_paper", horizontal=True, format_func=papers.get)
        # The click is recorded by a callback, which Streamlit runs before the page in the click's own run: a rerun
        # that interrupts that run (the map reporting a new view, e.g. as the page's layout changes) cannot lose it.
        # The request is cleared only once both files are made (or it is too old to act on, see `_requested`), so an
        # interrupted run's request is made by the next.
        st.button(t("print_make"), key="map_print_make", disabled=not names, on_click=_request_print)
        if st.session_state.get(_REQUESTED) is not None:
            if names and _requested():
                _make(names, statuses=statuses, as_of=as_of, bounds=bounds, basemap=basemap, gcj02=gcj02, paper=paper)
            st.session_state[_REQUESTED] = None
        files = st.session_state.get("map_print_files")
        if files:
            stem = f"{t('print_file')}-{files['paper']}-{dt.date.today().isoformat()}"
            left, right = st.columns(2)
            left.download_button(t("print_pdf"), files["pdf"], file_name=f"{stem}.pdf", mime="application/pdf",
                                 key="map_print_pdf")
            right.download_button(t("print_png"), files["png"], file_name=f"{stem}.png", mime="image/png",
                                  key="map_print_png")


def _make(
    names: Sequence[str], *, statuses: Sequence[str], as_of: dt.date | None, bounds: Any, basemap: Any, gcj02: bool,
    paper: str,
) -> None:
    """Make the PDF and the PNG of the current view into ``st.session_state["map_print_files"]`` (or say why not)."""
    extent = view_extent(bounds, gcj02=gcj02)
    try:
        with st.spinner(t("print_make")):
            opts = {"statuses": list(statuses), "as_of": as_of, "lang": lang(), "extent": extent, "basemap": basemap,
                    "year": selected_year()}
            st.session_state["map_print_files"] = {
                "pdf": print_map(list(names), fmt="pdf", paper=paper, **opts),
                "png": print_map(list(names), fmt="png", paper=paper, **opts),
                "paper": paper,
            }
    except InputError as exc:
        st.error(error_text(exc))
