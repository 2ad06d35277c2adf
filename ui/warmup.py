"""Import the map page's heavy libraries on a background thread while the server starts (cold start).

``streamlit run app.py`` imports ``app.py`` as a module to find its :class:`streamlit.App`; only when a
browser has loaded Streamlit's frontend and opened its websocket does the first page script run, and that
script then spends about a second importing pandas, geopandas, folium (which compiles its templates at
import) and the plan layers. :func:`start` begins those imports at server start, so they overlap the
server's start-up and the browser booting the frontend instead of following them. Python's import locks
make the page script wait for a module the thread is still importing rather than import it twice; an
import error here is left for the page script to raise and show. Only libraries are warmed, never a
module that declares a Streamlit component.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["start"]

log = logging.getLogger(__name__)

_started = threading.Event()


def _warm() -> None:
    # libraries only: nothing that declares a Streamlit component (streamlit-folium, hence ui.mapview)
    # may be imported here, because a component declared before Streamlit's runtime exists is
    # registered with no runtime and its iframe never loads
    try:
        import folium.plugins  # noqa: F401  (folium, branca: their Jinja templates compile at import)
        import geopandas  # noqa: F401  (pandas, shapely, pyproj)

        import gis.render  # noqa: F401
        import layers  # noqa: F401  (the plan layers)
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
