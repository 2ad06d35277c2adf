"""备份与恢复 Backup and restore of the working store, for editors (the CLI has the same: ``gis backup``).

A backup is a consistent copy made by the store itself (``Store.backup``: SQLite's backup API, or a
GeoPackage export of the PostGIS schema), offered as a download. A restore takes an uploaded backup, writes
it to a private temporary file under a fixed name (the upload's name is never a path), and hands it to
``Store.restore``, which checks it is a store and keeps the replaced one beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from gis import settings
from gis.errors import GisError
from gis.store import private_temp_dir
from ui import data
from ui.guard import editor_and_store
from ui.i18n import error_text, t

__all__ = ["backup_section"]


def _error(exc: GisError) -> None:
    st.error(error_text(exc))


def _make_backup(store) -> None:
    name = datetime.now(UTC).strftime("songshanlake-store-%Y%m%d-%H%M%S.gpkg")
    with private_temp_dir("backup-download") as tmp, st.spinner(t("working")):
        path = tmp / name
        try:
            store.backup(path)
        except GisError as exc:
            _error(exc)
            return
        st.session_state["backup_file"] = (name, path.read_bytes())


def _restore(store, upload, user: str) -> None:
    if upload.size > settings.MAX_FILE_BYTES:
        st.error(t("restore_too_big", mb=settings.MAX_FILE_BYTES // (1024 * 1024)))
        return
    with private_temp_dir("restore-upload") as tmp, st.spinner(t("working")):  # a killed upload's folder goes next time
        path = tmp / "restore.gpkg"
        path.write_bytes(upload.getvalue())
        try:
            store.restore(path, user=user)
        except GisError as exc:
            _error(exc)
            return
    data.clear_caches()
    st.success(t("restore_done", name=upload.name, previous=store.previous_location()))


def backup_section() -> None:
    """Draw the backup and restore section (editors only)."""
    st.subheader(t("backup_title"), anchor=False)
    guarded = editor_and_store("备份或恢复工作库", "back up or restore the working store", no_store="backup_no_store", store_first=True)
    if guarded is None:
        return
    user, store = guarded
    left, right = st.columns(2)
    with left:
        st.caption(t("backup_hint"))
        if st.button(t("backup_make"), key="backup_make"):
            _make_backup(store)
        made = st.session_state.get("backup_file")
        if made:
            st.download_button(
                t("backup_download", name=made[0]), made[1], made[0], "application/geopackage+sqlite3", key="backup_download"
            )
    with right:
        upload = st.file_uploader(t("restore_upload"), type=["gpkg"], key="restore_upload")
        confirm = st.checkbox(t("restore_confirm"), key="restore_confirm")
        if st.button(t("restore_go"), key="restore_go", disabled=upload is None or not confirm):
            _restore(store, upload, user.name)
