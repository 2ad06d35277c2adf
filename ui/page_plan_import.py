"""规划导入 Load a plan: propose a year's items from its text, review them in a table, confirm (editors only).

Thin: reading the plan is :func:`layers.plan_reader.decode_plan` / :func:`layers.plan_items.proposals_from_text`,
writing is :func:`layers.plan_items.accept_proposals` — the same functions as ``python -m layers plan``. Below the
review, 事项定位 gives the year's accepted items their place (:func:`layers.plan_place.place_item`, as
``python -m layers plan place``): a feature of an uploaded file (:func:`ui.upload.upload_section`, its size limit and
CRS choice) or a shape drawn on the map (:func:`ui.draw.drawing_geometry`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from gis import settings
from gis.errors import GisError
from gis.render import MapLayer
from gis.text import display_safe, display_safe_frame
from layers.plan_items import (
    LAYER,
    SPEC,
    accept_proposals,
    load_plan_items,
    proposals_from_text,
)
from layers.plan_place import DRAWN_SOURCE, feature_label, place_item
from layers.plan_reader import decode_plan
from layers.spec import has_place
from layers.years import MAX_PLAN_YEAR, MIN_PLAN_YEAR
from ui import data, mapview
from ui.draw import drawing_geometry
from ui.guard import editor_and_store
from ui.i18n import STRINGS, error_text, t
from ui.upload import upload_section

#: Columns of the review table; only the first group is editable.
EDITABLE = ["accept", "item_zh", "done_status", "deadline", "link_id", "lon", "lat"]
SHOWN = ["n", "section", "quantity", *EDITABLE, "quote"]


def _item_map(frame: Any, *, key: str) -> None:
    """The item (a one-row GeoDataFrame, EPSG:4326) on a small map, framed on its place."""
    layer = MapLayer(LAYER, t("pl_current"), frame, dict(SPEC.style), popup_fields=[("name_zh", t("pl_item")), ("source", "source")])
    w, s_, e, n = (float(v) for v in frame.total_bounds)
    mapview.show_map(mapview.map_layers(["boundaries"]) + [layer], key=key, returned_objects=(), height=320,
                     fit_bounds=(w, s_, e, n))


def _history(store: Any, fid: str) -> None:
    hist = store.history(LAYER, fid)
    if hist.empty:
        return
    shown = pd.DataFrame({t("pl_col_at"): hist["at"].astype(str), t("pl_col_user"): hist["user"].astype(str),
                          t("pl_col_field"): hist["field"].astype(str), t("pl_col_note"): hist["note"].fillna("").astype(str)})
    st.markdown(f"**{t('pl_history')}**")
    st.dataframe(display_safe_frame(shown.iloc[::-1].head(20)), hide_index=True, key="plan_place_history")


def _place_section(user: Any, store: Any, year: int) -> None:
    """事项定位: pick an accepted item of ``year``, take its place from a file or a drawing, save it."""
    st.subheader(t("pl_title"), anchor=False)
    st.caption(t("pl_intro"))
    done = st.session_state.pop("plan_place_done", None)
    if done:
        st.success(t("pl_saved", id=display_safe(done["id"]), kind=done["geometry_type"], version=done["version"]))
    items = load_plan_items(store=store)
    if items is not None:
        items = items.loc[items["plan_year"].astype("Int64") == year]
    if items is None or items.empty:
        st.info(t("pl_none", year=year))
        return
    placed = has_place(items)  # the same test as the map's 另有 N 项无位置 (layers.spec)
    ordered = pd.concat([items.loc[~placed], items.loc[placed]])
    st.caption(t("pl_count", year=year, n=len(items), unplaced=int((~placed).sum())))
    # Labels never change with the place: the browser's select box keeps showing a label it was once given.
    labels = {str(r["id"]): f"{r['id']} · {str(r['name_zh'])[:40]}" for _, r in ordered.iterrows()}
    fid = st.selectbox(t("pl_item"), list(labels), format_func=lambda f: display_safe(labels[f]), key="plan_place_item")
    item = ordered.set_index("id").loc[fid]
    item_placed = bool(placed.loc[ordered.index[ordered["id"] == fid]].iloc[0])
    if item_placed:
        st.caption(t("pl_placed", kind=display_safe(item["geometry"].geom_type), source=display_safe(item["source"]),
                     accuracy=f"{float(item['accuracy_m']):g}"))
    else:
        st.caption(t("pl_unplaced"))
    # The version on the reviewer's screen is the one drawn by the previous run (a click reruns the page first);
    # a save against it is refused when someone else changed the item in between.
    seen = st.session_state.get("plan_place_shown", {}).get(fid, int(item["version"]))
    st.session_state["plan_place_shown"] = {fid: int(item["version"])}
    method = st.radio(t("pl_method"), ["upload", "draw"], key="plan_place_method", horizontal=True,
                      format_func=lambda m: t(f"pl_method_{m}"))
    geometry, source, illustrative = None, "", False
    if method == "upload":
        got = upload_section(key_prefix="plan_place")
        if got is not None:
            preview, name = got
            choice = st.selectbox(t("pl_feature"), list(range(len(preview))), key="plan_place_feature",
                                  format_func=lambda i: display_safe(feature_label(preview, i)))
            geometry, source = preview.geometry.iloc[int(choice)], name
        accuracy = st.number_input(t("pl_accuracy"), min_value=0.0, max_value=settings.MAX_PLACE_ACCURACY_M, value=None,
                                   step=0.1, key="plan_place_accuracy_file", help=t("pl_accuracy_help"))
    else:
        options = mapview.basemap_options()
        basemap = st.selectbox(t("pl_basemap"), list(options), format_func=lambda k: options[k], key="plan_place_basemap")
        st.caption(t("pl_draw_hint"))
        context = mapview.map_layers(["boundaries", "road_links"], basemap=basemap)
        result = mapview.show_map(context, key="plan_place_draw_map", basemap=basemap, draw=True, zoom=13, height=440,
                                  returned_objects=("all_drawings", "last_active_drawing"))
        try:
            geometry = drawing_geometry(result, gcj02=mapview.is_gcj02(basemap))
        except GisError as exc:
            st.error(error_text(exc))
        source, illustrative = DRAWN_SOURCE, True
        accuracy = st.number_input(t("pl_accuracy"), min_value=0.0, max_value=settings.MAX_PLACE_ACCURACY_M,
                                   value=settings.DRAWN_PLACE_ACCURACY_M, step=5.0, key="plan_place_accuracy_drawn",
                                   help=t("pl_accuracy_help"))
    if geometry is None:
        st.caption(t("pl_nothing"))
    else:
        st.caption(t("pl_ready", kind=display_safe(geometry.geom_type)))
    if st.button(t("pl_save"), key="plan_place_save", type="primary", disabled=geometry is None or accuracy is None):
        try:
            done = place_item(fid, geometry, user=user.name, store=store, source=source, accuracy_m=float(accuracy),
                              expected_version=seen, illustrative=illustrative)
        except GisError as exc:
            st.error(error_text(exc))
        else:
            data.clear_caches()
            st.session_state["plan_place_done"] = done
            st.rerun()  # the counts, the list and the map show the saved place
    if item_placed:
        st.markdown(f"**{t('pl_current')}**")
        _item_map(ordered.loc[ordered["id"] == fid], key="plan_place_item_map")
    _history(store, fid)


st.title(t("pi_title"))
st.caption(t("pi_intro"))
guard = editor_and_store(*STRINGS["pi_title"])
if guard is not None:
    user, store = guard
    year = int(st.number_input(t("pi_year"), min_value=MIN_PLAN_YEAR, max_value=MAX_PLAN_YEAR,
                               value=date.today().year, step=1, key="plan_import_year"))
    upload = st.file_uploader(t("pi_file"), type=["txt", "docx"], key="plan_import_file")
    pasted = st.text_area(t("pi_text"), key="plan_import_text", height=160)
    text, source = "", "pasted.txt"
    try:
        if upload is not None:
            text, source = decode_plan(upload.getvalue(), filename=upload.name), upload.name
        elif pasted.strip():
            text = pasted
    except GisError as exc:
        st.error(error_text(exc))
    if text:
        doc = proposals_from_text(text, year=year, source=source)
        cands = doc["candidates"]
        if not cands:
            st.info(t("pi_none"))
        else:
            st.write(t("pi_count", n=len(cands), figures=sum(c["value"] is not None for c in cands)))
            table = pd.DataFrame([{**c, "accept": True, "link_id": "", "lon": None, "lat": None} for c in cands])[SHOWN]
            for col in ("section", "quantity", "item_zh", "quote", "deadline", "done_status"):
                table[col] = table[col].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else display_safe(v))
            edited = st.data_editor(
                table, key="plan_import_editor", hide_index=True, width="stretch",
                disabled=[c for c in SHOWN if c not in EDITABLE],
                column_config={"accept": st.column_config.CheckboxColumn(t("pi_accept_col")),
                               "link_id": st.column_config.TextColumn(t("pi_link_col")),
                               "lon": st.column_config.NumberColumn("lon", format="%.6f"),
                               "lat": st.column_config.NumberColumn("lat", format="%.6f")},
            )
            if st.button(t("pi_confirm"), key="plan_import_accept", type="primary"):
                reviewed = {**doc, "candidates": [
                    {**c, **{k: (None if pd.isna(v) else v) if not isinstance(v, bool | str) else v
                             for k, v in row.items() if k in EDITABLE}}
                    for c, row in zip(cands, edited.to_dict(orient="records"))
                ]}
                try:
                    done = accept_proposals(reviewed, user=user.name, store=store)
                except GisError as exc:
                    st.error(error_text(exc))
                else:
                    data.clear_caches()
                    st.success(t("pi_done", year=done["plan_year"], added=len(done["added"]), carried=len(done["carried"])))
    _place_section(user, store, year)
