"""Import the map page's heavy libraries on a background thread while the server starts (cold start).

``streamlit run app.py`` imports ``app.py`` as a module to find its :class:`streamlit.App`; only when a
browser has loaded Streamlit's frontend and opened its websocket does the first page script run, and that
script then spends about a second importing pandas, geopandas, folium (which compiles its templates at
import) and the plan layers. :func:`start` begins those imports at server start, so they overlap the
server's start-up and the browser booting the frontend instead of following them. Python's import locks
make the page script wait for a module the thread is still importing rather than import it twice; an
import error here is left for the page script to raise and show. Only libraries are warmed, never a
module that declares a Streamlit component.

:func:`lifespan` (the :class:`streamlit.App`'s start-up hook, run once Streamlit's runtime has started) then
does on a second thread what the first visitor's map page would otherwise do while the visitor waits: open
and seed the working store, load and validate the layers, prepare the map's display GeoJSON and compute the
plan's figures, through the pages' own cached functions (:mod:`ui.data`, :func:`ui.mapview.map_layers`) with
the map page's default arguments (today, every layer and status, Chinese, no basemap), so the first page run
finds them cached. A page run that asks for a value the thread is still computing waits for it (Streamlit's
per-key compute lock) instead of computing it twice. Nothing is drawn and nothing changes that the page would
not change itself; a failure is left for the page to meet and report. The thread must not be the first to
import a module that declares a component (streamlit-folium, ``ui.map_assets``): a component declared
outside a page run is never registered, and ``ui.mapview`` imports them inside ``show_map`` for that reason.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

__all__ = ["start", "lifespan", "warm_data"]

log = logging.getLogger(__name__)

#: What the import warm-up imports, in this order. The data warm-up's libraries come first: that thread starts
#: with the runtime (:func:`lifespan`) and waits only for these, so it seeds and loads the store while this one
#: goes on with folium, which the page needs only to draw the map.
_WARM_IMPORTS = (
    "geopandas",  # pandas, shapely, pyproj
    "layers.registry",  # the plan layers (`import layers` alone loads nothing, decision 41)
    "folium.plugins",  # folium, branca: their Jinja templates compile at import
    "streamlit.emojis",  # st.set_page_config's emoji icon check builds its catalogue at import
    "gis.render",
)

_started = threading.Event()
_data_started = threading.Event()


def _warm() -> None:
    # libraries only: nothing that declares a Streamlit component (streamlit-folium, hence ui.mapview)
    # may be imported here, because a component declared before Streamlit's runtime exists is
    # registered with no runtime and its iframe never loads
    try:
        for module in _WARM_IMPORTS:
            importlib.import_module(module)
    except Exception:  # noqa: BLE001 — the page script imports them again and reports the error
        log.debug("warm-up import failed; the page script will report it", exc_info=True)


def start() -> threading.Thread | None:
    """Start the warm-up thread once per process.

    Returns
    -------
    threading.Thread or None
        The (daemon) thread, or None when it was already started.
    """
    if _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(target=_warm, name="import-warm-up", daemon=True)
    thread.start()
    return thread


class _QuietWarmUp(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warnings of the data warm-up thread (it has no page run)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != "data-warm-up"


def warm_data() -> None:
    """Fill the caches the map page reads on its first run (the store, layers, figures, display GeoJSON).

    Call with Streamlit's runtime started (the map widget's module declares a component). Errors are
    logged at debug level and left for the page script to meet and report.
    """
    try:
        from ui import data, mapview

        names = data.layer_names()  # opens and seeds the working store (ui.data.get_store)
        for name in names:
            data.layer_frame(name, None)
        # the map page's first run: every layer and status, today, no selection, Chinese, no basemap; the map
        # first, then the figures (the page sends the map before it asks for them)
        mapview.map_layers(names, statuses=list(mapview.STATUS_COLORS), as_of=None, basemap="none")
        data.plan_progress(None)
    except Exception:  # noqa: BLE001 — the page script computes the same again and reports the error
        log.debug("data warm-up failed; the page script will report it", exc_info=True)


def start_data() -> threading.Thread | None:
    """Start :func:`warm_data` on a daemon thread once per process.

    Returns
    -------
    threading.Thread or None
        The thread, or None when it was already started.
    """
    if _data_started.is_set():
        return None
    _data_started.set()
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_QuietWarmUp())
    thread = threading.Thread(target=warm_data, name="data-warm-up", daemon=True)
    thread.start()
    return thread


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The :class:`streamlit.App`'s lifespan: start :func:`warm_data` once the runtime runs, then serve.

    Parameters
    ----------
    app : streamlit.App
        The app being started (unused).
    """
    start_data()  # a thread: the server answers at once, the warm-up overlaps the browser's boot
    yield None
