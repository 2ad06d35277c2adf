"""The guard in front of every edit: a signed-in editor and a working store, or a message and nothing.

Used by the status editor (``ui/edit.py``), the upload's save buttons (``ui/page_data.py``) and backup and
restore (``ui/backup.py``), so the rule "who may write, and where to" is written once.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from gis.users import User
from ui import data
from ui.auth import require_editor
from ui.i18n import t

__all__ = ["editor_and_store"]


def editor_and_store(
    action_zh: str, action_en: str, *, no_store: str = "edit_needs_store", store_first: bool = False
) -> tuple[User, Any] | None:
    """Return the signed-in editor and the working store, or show why not and return None.

    Parameters
    ----------
    action_zh, action_en : str
        What the user is about to do, in Chinese and English (shown to a user who is not an editor).
    no_store : str, default "edit_needs_store"
        Key in ``ui.i18n`` of the warning shown when the working store cannot be opened.
    store_first : bool, default False
        Ask for the store before the editor: a section that is useless without a store (backup) says so
        to everyone instead of asking a viewer to sign in first.

    Returns
    -------
    tuple of (gis.users.User, gis.store.Store) or None
        The editor (``.name`` is the author of the edit) and the store, or None when the action is refused.
    """
    health = data.store_health()
    if health.is_database and not health.reachable:  # the database is away: say so, not "no store"
        st.warning(t("outage_edit_refused"))
        return None
    if store_first and data.get_store() is None:
        st.warning(t(no_store))
        return None
    user = require_editor(action_zh, action_en)
    if user is None:
        return None
    store = data.get_store()
    if store is None:
        st.warning(t(no_store))
        return None
    return user, store
