"""The status editor shared by the pages: pick a feature, see its current status, set a new one with a date and a note.

Saving goes through ``gis.store.Store.update_feature`` (one transaction, optimistic version check). The
version checked is the one this session last *showed* for the feature (kept in session state when the form
is drawn, never re-read at submit), so an edit made by a colleague in between is refused: the form then
shows the newer value, who set it and when, keeps the user's own choice and note, and offers
"覆盖为我的修改 / apply my change on top" or "放弃并刷新 / discard and reload". Only a signed-in editor sees
the form; while the as-of date replays history, editing is off. Context features (``role == "context"``,
and the boundaries and water layers) are never editable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from gis.errors import ConflictError, GisError
from gis.text import display_safe, markdown_literal
from layers.spec import CONTEXT_LAYERS, is_plan_item
from ui import data
from ui.guard import editor_and_store
from ui.i18n import lang, status_label, t

__all__ = ["status_editor", "editable_features", "is_context", "flash", "history_table", "last_changes"]


def _when(day: date) -> datetime:
    """The time stamp of an edit dated ``day``: now if it is today, else noon UTC of that day."""
    if day >= date.today():
        return datetime.now(UTC)
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def is_context(layer: str, row: pd.Series | dict[str, Any]) -> bool:
    """True when a feature is context (a boundary, a lake, a place the plan only names), never edited.

    Parameters
    ----------
    layer : str
        Store layer name.
    row : pandas.Series or dict
        The feature's attributes; ``role`` decides when present (``"context"`` or ``"plan_item"``).
    """
    role = row.get("role") if hasattr(row, "get") else None
    if isinstance(role, str) and role:
        return role == "context"
    return layer in CONTEXT_LAYERS


def editable_features(layer: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The tracked (non-context) features of ``gdf`` that carry a status and a version.

    Parameters
    ----------
    layer : str
        Store layer name.
    gdf : geopandas.GeoDataFrame
        The layer's features as loaded for the page.

    Returns
    -------
    geopandas.GeoDataFrame
        A subset of ``gdf`` (possibly empty).
    """
    if gdf.empty or not {"id", "status", "version"} <= set(gdf.columns):
        return gdf.iloc[0:0]
    # the one plan-item rule (layers.spec.is_plan_item): a feature without a role falls back to its layer
    probe = pd.DataFrame({"role": gdf["role"]} if "role" in gdf.columns else {}, index=gdf.index)
    probe.attrs["layer"] = layer
    return gdf[is_plan_item(probe).to_numpy()]


def _label(row: pd.Series, name_col: str) -> str:
    return f"{display_safe(row.get(name_col, ''))} · {display_safe(row['id'])}"


def _md_or_dash(value: object) -> str:
    """A data value made literal for Markdown, or a dash when it is missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return "—"
    return markdown_literal(value)


def _seen_key(prefix: str) -> str:
    return f"{prefix}_seen"


def _conflict_key(prefix: str) -> str:
    return f"{prefix}_conflict"


def _show_conflict(conflict: dict[str, Any], spec: Any) -> None:
    """The refusal of a stale edit: the newer value, who set it and when, and the user's own change kept."""
    current = conflict["current"]
    st.error(
        t(
            "conflict",
            name=markdown_literal(conflict["label"]),
            by=markdown_literal(conflict["by"]),
            at=markdown_literal(conflict["at"]),
            version=conflict["version"],
            now=status_label(str(current.get("status", "")), spec),
            seen=conflict["seen"],
            mine=status_label(conflict["status"], spec),
        ),
        icon="⚠️",
    )
    if conflict.get("note"):
        st.text(t("conflict_note_kept") + " " + display_safe(conflict["note"]))


def status_editor(
    layer: str,
    gdf: gpd.GeoDataFrame,
    *,
    prefix: str,
    statuses: list[str] | tuple[str, ...],
    as_of: date | None,
    pick_label: str | None = None,
) -> None:
    """Draw the status form for ``gdf``'s features.

    Widget keys: ``{prefix}_feature`` (the feature, outside the form so its current status shows),
    ``{prefix}_status``, ``{prefix}_date``, ``{prefix}_note``, ``{prefix}_save`` and, after a refused stale
    edit, ``{prefix}_override`` (apply my change on top) and ``{prefix}_discard``.

    Parameters
    ----------
    layer : str
        Store layer name.
    gdf : geopandas.GeoDataFrame
        The features that may be edited (with ``id``, ``status``, ``version``); context features in it are
        left out (:func:`editable_features`).
    prefix : str
        Widget key prefix (``"roads_edit"``, ``"land_edit"``, ``"map_edit"``).
    statuses : list of str
        The statuses allowed for this layer (its spec's ``statuses``).
    as_of : datetime.date or None
        Editing is off while replaying history.
    pick_label : str, optional, keyword-only
        Label of the feature picker (default: "道路" on the roads page, else "要素 / feature").
    """
    if as_of is not None:
        st.info(t("edit_as_of"))
        return
    guarded = editor_and_store("修改状态", "change a status")
    if guarded is None:
        return
    user, store = guarded
    gdf = editable_features(layer, gdf)
    if gdf.empty:
        st.warning(t("edit_nothing"))
        return
    spec = data.layer_spec(layer)
    statuses = list(statuses)
    name_col = "name_zh" if lang() == "zh" else "name_en"
    by_id = {str(r["id"]): r for _, r in gdf.iterrows()}
    labels = {fid: _label(r, name_col) for fid, r in by_id.items()}
    if pick_label is None:
        pick_label = t("roads_pick") if prefix.startswith("roads") else t("edit_pick")
    if len(by_id) == 1:
        fid = next(iter(by_id))
    else:
        if st.session_state.get(f"{prefix}_feature") not in by_id:
            st.session_state.pop(f"{prefix}_feature", None)
        fid = st.selectbox(pick_label, list(labels), key=f"{prefix}_feature", format_func=labels.get)
    row = by_id[fid]
    shown_version = int(row["version"])

    # What this session showed last time, before this run: the version a submit now refers to.
    seen_before: dict[str, int] = dict(st.session_state.get(_seen_key(prefix), {}))
    conflict = st.session_state.get(_conflict_key(prefix))
    if conflict is not None and conflict.get("fid") != fid:
        conflict = None
        st.session_state.pop(_conflict_key(prefix), None)

    current_status = str(row["status"])
    who, when = row.get("updated_by", None), row.get("updated_at", None)
    st.caption(
        t(
            "edit_current",
            status=status_label(current_status, spec),
            version=shown_version,
            by=_md_or_dash(who),
            at=_md_or_dash(when),
        )
    )
    if conflict is not None:
        _show_conflict(conflict, spec)
    if st.session_state.get(f"{prefix}_status") not in statuses:
        st.session_state.pop(f"{prefix}_status", None)
    with st.form(f"{prefix}_form", clear_on_submit=False):
        new_status = st.selectbox(
            t("new_status"), statuses, key=f"{prefix}_status", format_func={s: status_label(s, spec) for s in statuses}.get
        )
        day = st.date_input(t("change_date"), key=f"{prefix}_date", value=date.today(), min_value=date(2020, 1, 1), max_value=date.today())
        note = st.text_input(t("change_note"), key=f"{prefix}_note", max_chars=500)
        submitted = st.form_submit_button(t("save"), key=f"{prefix}_save", type="primary")
    override = discard = False
    if conflict is not None:
        c1, c2 = st.columns(2)
        override = c1.button(t("conflict_override"), key=f"{prefix}_override")
        discard = c2.button(t("conflict_discard"), key=f"{prefix}_discard")

    # Record what is on screen now, unless a refused edit is pending: then the user has not yet chosen
    # to build on the newer version, and a plain "save" must be refused again.
    if conflict is None:
        seen_now = dict(seen_before)
        seen_now[fid] = shown_version
        st.session_state[_seen_key(prefix)] = seen_now

    if discard:
        st.session_state.pop(_conflict_key(prefix), None)
        st.session_state.pop(_seen_key(prefix), None)
        st.rerun()
    if not (submitted or override):
        return
    if override:
        expected = int(conflict["version"])
        new_status, note, day = conflict["status"], conflict["note"], conflict["day"]
    else:
        expected = int(conflict["seen"]) if conflict is not None else int(seen_before.get(fid, shown_version))
    try:
        version = store.update_feature(
            layer, fid, {"status": new_status}, expected_version=expected, user=user.name, note=note, when=_when(day)
        )
    except ConflictError as exc:
        current = dict(getattr(exc, "current", {}) or {})
        st.session_state[_conflict_key(prefix)] = {
            "fid": fid,
            "label": labels[fid],
            "seen": expected,
            "version": int(getattr(exc, "version", current.get("version", expected))),
            "by": str(getattr(exc, "changed_by", "?")),
            "at": str(getattr(exc, "changed_at", "?")),
            "current": current,
            "status": new_status,
            "note": note,
            "day": day,
        }
        data.clear_caches()
        st.rerun()
    except GisError as exc:
        st.error(exc.zh if lang() == "zh" else exc.en)
        return
    st.session_state.pop(_conflict_key(prefix), None)
    seen = dict(st.session_state.get(_seen_key(prefix), {}))
    seen[fid] = int(version)
    st.session_state[_seen_key(prefix)] = seen
    data.clear_caches()
    st.session_state[f"{prefix}_flash"] = t(
        "saved", name=markdown_literal(labels[fid]), status=status_label(new_status, spec), version=version
    )
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
    for c in shown.columns:
        if shown[c].dtype == object:
            shown[c] = shown[c].map(lambda v: display_safe(v) if isinstance(v, str) else v)
    st.dataframe(shown, hide_index=True, key=key)
