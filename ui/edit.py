"""The status editor shared by the roads and land pages: pick a feature, a new status, a date and a note.

Saving goes through ``gis.store.Store.update_feature`` (one transaction, optimistic version check); a
conflict shows who changed the feature first. Only a signed-in editor sees the form; while the as-of date
replays history, editing is off.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import geopandas as gpd
import pandas as pd
import streamlit as st

from gis.errors import GisError
from ui import data
from ui.guard import editor_and_store
from ui.i18n import lang, status_label, t

__all__ = ["status_editor", "history_table", "last_changes"]


def _when(day: date) -> datetime:
    """The time stamp of an edit dated ``day``: now if it is today, else noon UTC of that day."""
    if day >= date.today():
        return datetime.now(UTC)
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def status_editor(layer: str, gdf: gpd.GeoDataFrame, *, prefix: str, statuses: list[str], as_of: date | None) -> None:
    """Draw the status form for ``gdf``'s features (keys ``{prefix}_feature/_status/_date/_note/_save``).

    Parameters
    ----------
    layer : str
        Store layer name.
    gdf : geopandas.GeoDataFrame
        The features that may be edited (with ``id``, ``status``, ``version``).
    prefix : str
        Widget key prefix (``"roads_edit"``, ``"land_edit"``).
    statuses : list of str
        The statuses allowed for this layer.
    as_of : datetime.date or None
        Editing is off while replaying history.
    """
    if as_of is not None:
        st.info(t("edit_as_of"))
        return
    guarded = editor_and_store("修改状态", "change a status")
    if guarded is None:
        return
    user, store = guarded
    if gdf.empty:
        st.warning(t("edit_needs_store"))
        return
    name_col = "name_zh" if lang() == "zh" else "name_en"
    labels = {str(r["id"]): f"{r.get(name_col, '')} · {r['id']}" for _, r in gdf.iterrows()}
    with st.form(f"{prefix}_form", clear_on_submit=False):
        fid = st.selectbox(t("roads_pick") if prefix.startswith("roads") else t("land_pick"), list(labels),
                           key=f"{prefix}_feature", format_func=lambda i: labels[i])
        spec = data.layer_spec(layer)
        new_status = st.selectbox(
            t("new_status"), statuses, key=f"{prefix}_status", format_func={s: status_label(s, spec) for s in statuses}.get
        )
        day = st.date_input(t("change_date"), key=f"{prefix}_date", value=date.today(), min_value=date(2020, 1, 1), max_value=date.today())
        note = st.text_input(t("change_note"), key=f"{prefix}_note", max_chars=500)
        submitted = st.form_submit_button(t("save"), key=f"{prefix}_save", type="primary")
    if not submitted:
        return
    row = gdf[gdf["id"].astype(str) == fid].iloc[0]
    try:
        version = store.update_feature(
            layer, fid, {"status": new_status}, expected_version=int(row["version"]), user=user.name, note=note, when=_when(day)
        )
    except GisError as exc:
        st.error(exc.zh if lang() == "zh" else exc.en)
        return
    data.clear_caches()
    st.session_state[f"{prefix}_flash"] = t("saved", name=labels[fid], status=status_label(new_status, spec), version=version)
    st.rerun()


def flash(prefix: str) -> None:
    """Show (once) the confirmation of the last save of this form."""
    msg = st.session_state.pop(f"{prefix}_flash", None)
    if msg:
        st.success(msg)


def last_changes(layer: str) -> pd.Series:
    """``feature_id -> time of the last change`` (ISO UTC) from the store's history."""
    hist = data.history(layer)
    if hist.empty:
        return pd.Series(dtype=str)
    return hist.groupby("feature_id")["at"].max()


def history_table(layer: str, feature_id: str, *, key: str) -> None:
    """The change history of one feature (newest first), or a note that there is none."""
    hist = data.history(layer, feature_id)
    if hist.empty:
        st.caption(t("no_history"))
        return
    cols = [c for c in ("at", "user", "field", "old", "new", "note", "version") if c in hist.columns]
    shown = hist[cols].iloc[::-1].rename(columns={c: t(f"hist_{c}") for c in cols})
    st.dataframe(shown, hide_index=True, key=key)
