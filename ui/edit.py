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

import time as _clock
from datetime import UTC, date, datetime, time
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from gis import settings
from gis.errors import ConflictError, GisError
from gis.text import display_safe, markdown_literal
from layers.spec import CONTEXT_LAYERS, is_plan_item
from ui import data
from ui.guard import editor_and_store
from ui.i18n import lang, status_label, t, time_label

__all__ = ["status_editor", "editable_features", "is_context", "flash", "history_table", "history_rows", "last_changes", "user_label"]


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


#: The editor's buttons whose clicks are recorded by a callback (DECISIONS 43): 保存 and 覆盖为我的修改.
_CLICKS = ("save", "override")


def _click_key(prefix: str, what: str) -> str:
    """Session-state key of a click (``what``: one of :data:`_CLICKS`) not yet handled: the id its form showed."""
    return f"{prefix}_{what}_requested"


def _record_click(key: str, fid: str) -> None:
    """A button's callback: record the click, the feature its form showed and when (taken by :func:`status_editor`)."""
    st.session_state[key] = (fid, _clock.monotonic())


def _take_click(prefix: str, what: str, fid: str) -> bool:
    """Take the recorded click ``what`` (removing it): True if it was for ``fid`` and is recent.

    A record older than ``settings.CLICK_RECORD_TTL_S`` was left by a run stopped as the planner went to another
    page; it is dropped, never acted on later.
    """
    record = st.session_state.pop(_click_key(prefix, what), None)
    if not (isinstance(record, tuple) and len(record) == 2):
        return False
    return record[0] == fid and _clock.monotonic() - float(record[1]) <= settings.CLICK_RECORD_TTL_S


def _drop_clicks(prefix: str) -> None:
    """Forget recorded clicks: a record left by a stopped run never outlives its form."""
    for what in _CLICKS:
        st.session_state.pop(_click_key(prefix, what), None)


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
        _drop_clicks(prefix)
        st.info(t("edit_as_of"))
        return
    guarded = editor_and_store("修改状态", "change a status")
    if guarded is None:
        _drop_clicks(prefix)
        return
    user, store = guarded
    gdf = editable_features(layer, gdf)
    if gdf.empty:
        _drop_clicks(prefix)
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
        # The click is recorded by a callback, which Streamlit runs before the page in the click's own run: a rerun
        # that interrupts that run (a map on the page reporting a new view) cannot lose it (see `submitted` below).
        st.form_submit_button(t("save"), key=f"{prefix}_save", type="primary", on_click=_record_click,
                              args=(_click_key(prefix, "save"), fid))
    discard = False
    if conflict is not None:
        c1, c2 = st.columns(2)
        c1.button(t("conflict_override"), key=f"{prefix}_override", on_click=_record_click,
                  args=(_click_key(prefix, "override"), fid))
        discard = c2.button(t("conflict_discard"), key=f"{prefix}_discard")  # lost, it only asks again

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
    # Taken only here, right before the store is written (no Streamlit call in between, so no rerun can stop the
    # run in between): a run stopped earlier leaves the request to the next run, and a save is never made twice.
    submitted = _take_click(prefix, "save", fid)
    override = _take_click(prefix, "override", fid) and conflict is not None
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


#: Whole-feature events of the store's history -> their i18n key.
_EVENTS = {"(seeded)": "hist_event_seeded", "(created)": "hist_event_created", "(replaced)": "hist_event_replaced",
           "(deleted)": "hist_event_deleted", "(restored)": "hist_event_restored"}
#: Fields the store writes with every edit for its own bookkeeping: folded into the edit's row, never shown alone.
_BOOKKEEPING = ("updated_at", "updated_by")


def _change_text(layer: str, field: str, old: object, new: object) -> str:
    """One change in words: ``状态：规划 → 在建`` (statuses in the layer's words), or the event's name."""
    if field in _EVENTS:
        return t(_EVENTS[field])
    if field == "status":
        return f"{t('f_status')}：{status_label(str(old), layer)} → {status_label(str(new), layer)}"
    name = t(f"f_{field}")
    name = name if name != f"f_{field}" else display_safe(field)
    return f"{name}：{_md_or_plain(old)} → {_md_or_plain(new)}"


def user_label(user: object) -> str:
    """Who made a change, for display: the store's own ``system`` (first import, restore) reads 系统 / system."""
    if not isinstance(user, str) or not user:
        return ""
    return t("hist_system") if user == "system" else display_safe(user)


def _md_or_plain(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return "—"
    return display_safe(str(value))


def history_rows(layer: str, hist: pd.DataFrame) -> pd.DataFrame:
    """The history as planners read it: one row per edit, newest first, in the current language.

    The store writes one row per changed field, ``updated_at``/``updated_by`` included; here the rows of one
    edit (same time, user and version) become one row whose 变更 cell reads ``状态：规划 → 在建``, and the
    bookkeeping rows are folded in. Times are shown in Asia/Shanghai to the minute (:func:`ui.i18n.time_label`).

    Parameters
    ----------
    layer : str
        Store layer name (the status words are the layer's).
    hist : pandas.DataFrame
        :meth:`gis.store.Store.history` rows of one feature (oldest first).

    Returns
    -------
    pandas.DataFrame
        Columns 时间（北京时间）, 修改人, 变更, 备注, 版本 (labels in the current language).
    """
    heads = [t("hist_at_local"), t("hist_user"), t("hist_change"), t("hist_note"), t("hist_version")]
    if hist.empty:
        return pd.DataFrame(columns=heads)
    rows = []
    for (at, user, version), group in hist.groupby(["at", "user", "version"], sort=True, dropna=False):
        shown = group[~group["field"].isin(_BOOKKEEPING)]
        if shown.empty:  # an edit that only touched bookkeeping (never made by the forms): show it once anyway
            shown = group.iloc[:1]
        changes = "；".join(_change_text(layer, str(r["field"]), r["old"], r["new"]) for _, r in shown.iterrows())
        notes = [str(n) for n in group["note"].dropna().unique() if str(n)] if "note" in group else []
        rows.append({
            heads[0]: time_label(at),
            heads[1]: user_label(user),
            heads[2]: changes,
            heads[3]: display_safe("；".join(notes)),
            heads[4]: int(version) if pd.notna(version) else None,
            "_at": str(at),
        })
    out = pd.DataFrame(rows).sort_values(["_at", heads[4]], ascending=False, kind="stable")
    return out.drop(columns="_at").reset_index(drop=True)


def history_table(layer: str, feature_id: str, *, key: str) -> None:
    """The change history of one feature: one row per edit (newest first), or a note that there is none."""
    hist = data.history(layer, feature_id)
    if hist.empty:
        st.caption(t("no_history"))
        return
    shown = history_rows(layer, hist)
    heads = list(shown.columns)
    st.dataframe(
        shown, hide_index=True, key=key,
        column_config={
            heads[0]: st.column_config.TextColumn(width=140),
            heads[1]: st.column_config.TextColumn(width=90),
            heads[2]: st.column_config.TextColumn(width="large"),
            heads[3]: st.column_config.TextColumn(width="medium"),
            heads[4]: st.column_config.NumberColumn(width=60),
        },
    )
