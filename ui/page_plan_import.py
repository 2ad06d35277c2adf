"""规划导入 Load a plan: propose a year's items from its text, review them in a table, confirm (editors only).

Thin: reading the plan is :func:`layers.plan_reader.decode_plan` / :func:`layers.plan_items.proposals_from_text`,
writing is :func:`layers.plan_items.accept_proposals` — the same functions as ``python -m gis plan``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from gis.errors import GisError
from gis.text import display_safe
from layers.plan_items import accept_proposals, proposals_from_text
from layers.plan_reader import decode_plan
from layers.years import MAX_PLAN_YEAR, MIN_PLAN_YEAR
from ui import data
from ui.guard import editor_and_store
from ui.i18n import STRINGS, error_text, t

#: Columns of the review table; only the first group is editable.
EDITABLE = ["accept", "item_zh", "done_status", "deadline", "link_id", "lon", "lat"]
SHOWN = ["n", "section", "quantity", *EDITABLE, "quote"]

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
