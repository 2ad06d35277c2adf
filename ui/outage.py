"""The banner every page shows while the working store's database cannot be reached (issue 17).

:func:`ui.data.store_health` probes the store at most every ``gis.settings.STORE_PROBE_INTERVAL_S``; while it
does not answer, :func:`ui.data.get_store` is None, so the pages draw the bundled baseline read-only and the
edit guard refuses changes. This module only says so, once per page, above the page's own content.
"""

from __future__ import annotations

import streamlit as st

from gis.text import display_safe
from ui import data
from ui.i18n import lang, t

__all__ = ["outage_banner"]


def outage_banner() -> bool:
    """Show the "database cannot be reached" banner when the working store's database is away.

    Returns
    -------
    bool
        True when the banner was shown (the store is a database and did not answer its last probe).
    """
    health = data.store_health()
    if health.reachable or not health.is_database:
        return False  # a local GeoPackage that cannot be opened keeps its own quieter read-only notice
    last_good = f"{health.last_good:%Y-%m-%d %H:%M:%S} UTC" if health.last_good else t("outage_never")
    reason = health.reason_zh if lang() == "zh" else health.reason
    text = t("outage_banner", where=display_safe(health.where), last_good=last_good, reason=display_safe(reason))
    st.error(text, icon=":material/cloud_off:")
    return True
