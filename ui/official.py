"""导入正式数据 / Replace with official data: an editor section of the data page (issue 14 item 2).

Upload an official file, choose the plan layer, read the preview (matched with 亩 and m, new features,
items left without official geometry) on a table and a map, state the source and accuracy, confirm. The
matching and the one-transaction write are :mod:`layers.replace`; this module only lays out widgets.

The preview is kept in the session from the moment it is shown: the commit sends the versions the editor
saw, so a colleague's change in between refuses the whole commit instead of being overwritten.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

import layers
from gis.errors import GisError
from gis.io import INPUT_EXTENSIONS, read_any
from gis.render import MapLayer
from gis.text import display_safe_frame
from layers.replace import KEPT_FIELDS, ReplacePreview, commit_replacement, preview_replacement
from ui import data, mapview
from ui.guard import editor_and_store
from ui.i18n import error_text, t

__all__ = ["official_section"]

_PREVIEW_KEY = "official_preview"


def _read(upload: Any) -> Any | None:
    """The uploaded file as a ReadResult (written under a fixed name in a private folder), or None with the error shown."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in INPUT_EXTENSIONS:
        st.error(t("official_bad_type", suffix=suffix))
        return None
    with tempfile.TemporaryDirectory(prefix="ssl-official-") as tmp:
        path = Path(tmp) / f"official{suffix}"
        path.write_bytes(upload.getvalue())
        try:
            with st.spinner(t("working")):
                return read_any(path, display_name=upload.name)
        except GisError as exc:
            st.error(error_text(exc))
            return None


def _preview(store: Any, upload: Any, layer: str) -> ReplacePreview | None:
    """The preview for this file and layer, computed once and kept until either changes or a commit."""
    digest = hashlib.sha256(upload.getvalue()).hexdigest()
    kept = st.session_state.get(_PREVIEW_KEY)
    if kept and kept[0] == (digest, layer):
        return kept[1]
    result = _read(upload)
    if result is None:
        return None
    try:
        preview = preview_replacement(store.read_layer(layer), result.gdf, layer=layer)
    except GisError as exc:
        st.error(error_text(exc))
        return None
    st.session_state[_PREVIEW_KEY] = ((digest, layer), preview)
    return preview


def _show(preview: ReplacePreview) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric(t("official_matched"), len(preview.matched))
    c2.metric(t("official_new"), len(preview.new))
    c3.metric(t("official_left"), len(preview.unmatched))
    table = preview.matched.rename(
        columns={
            "feature_id": t("f_id"),
            "name_zh": t("f_name_zh"),
            "incoming_name": t("official_incoming_name"),
            "how": t("official_how"),
            "displacement_m": t("official_displacement_m"),
            "area_change_mu": t("official_area_change_mu"),
            "problem": t("official_problem"),
        }
    ).drop(columns=["incoming", "version"])
    st.dataframe(display_safe_frame(table).round(2), hide_index=True, key="official_matched_table")
    if len(preview.unmatched):
        st.caption(t("official_left_list", ids=", ".join(preview.unmatched["feature_id"].astype(str))[:2000]))
    incoming = preview.incoming.copy()
    incoming["id"] = [f"in-{i}" for i in range(len(incoming))]
    matched_rows = set(preview.matched["incoming"])
    incoming["name_zh"] = [t("official_map_matched") if i in matched_rows else t("official_map_new") for i in range(len(incoming))]
    official = MapLayer("official", t("official_map_title"), incoming, {"color": "#1b7f3b", "weight": 4, "fill_color": "#7fd39b"})
    items = mapview.map_layers([preview.layer])
    mapview.show_map(items + [official], key="official_preview_map", returned_objects=(), zoom=11, height=420)
    mapview.legend(items + [official])


def official_section() -> None:
    """Draw the 导入正式数据 / Replace with official data section (editors with a working store only)."""
    st.subheader(t("official_title"), anchor=False)
    st.caption(t("official_help"))
    guarded = editor_and_store("导入正式数据", "replace with official data")
    if guarded is None:
        return
    user, store = guarded
    upload = st.file_uploader(t("upload"), type=[e.lstrip(".") for e in INPUT_EXTENSIONS], key="official_upload")
    layer = st.selectbox(t("official_layer"), layers.names(), key="official_layer")
    if upload is None:
        st.session_state.pop(_PREVIEW_KEY, None)
        return
    preview = _preview(store, upload, layer)
    if preview is None:
        return
    _show(preview)
    spec_fields = set(store.read_layer(layer).columns)
    choosable = [c for c in preview.incoming.columns if c in spec_fields and c not in KEPT_FIELDS and c != preview.incoming.geometry.name]
    attributes = st.multiselect(t("official_attributes"), choosable, key="official_attributes")
    source = st.text_input(t("official_source"), key="official_source", max_chars=300)
    accuracy = st.number_input(t("official_accuracy_m"), min_value=0.0, value=1.0, step=0.5, key="official_accuracy_m")
    if st.button(t("official_commit", n=len(preview.writable)), key="official_commit", type="primary", disabled=preview.writable.empty):
        try:
            with st.spinner(t("working")):
                versions = commit_replacement(
                    store, preview, source=source, accuracy_m=float(accuracy), user=user.name, attributes=attributes
                )
        except GisError as exc:
            st.session_state.pop(_PREVIEW_KEY, None)  # a colleague's change: the next preview shows it
            st.error(error_text(exc))
            return
        st.session_state.pop(_PREVIEW_KEY, None)
        data.clear_caches()
        st.success(t("official_done", n=len(versions), layer=layer))
