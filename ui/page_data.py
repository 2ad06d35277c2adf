"""数据 Data: upload a file, read its validation report and preview it before saving; export any layer.

Uploads are written to a private temporary folder under a fixed name (the upload's own name is used only
for its extension and in messages, never as a path) and read with ``gis.io.read_any``; nothing reaches
the working store before an editor presses save. Exports read the working store; a plan layer's export keeps
the sidebar's plan year (:mod:`ui.plan_year`; context with every year) and names it in the file name.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st

import layers
from gis.errors import GisError
from gis.io import ExportChoice, export_choices, write_any
from gis.io.survey import SURVEY_FORMATS, count_illustrative, refuse_illustrative
from ui import data, mapview
from ui.backup import backup_section
from ui.guard import editor_and_store
from ui.i18n import error_text, lang, layer_title, status_label, t
from ui.official import official_section
from ui.plan_year import selected_year
from ui.state import as_of_date
from ui.upload import upload_section

_LAYER_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

#: Export choice key → its writer format, file suffix, MIME type and CRS, from gis.io's table of output formats.
EXPORTS: dict[str, ExportChoice] = {c.key: c for c in export_choices()}
def _export_label(key: str) -> str:
    """An export choice in the page's language (``ui.i18n`` keys ``exp_<choice>``)."""
    return t("exp_" + key.replace("-", "_"))


def _import_section() -> None:
    st.subheader(t("data_title"), anchor=False)
    shown = upload_section()  # ui.upload: coordinate system, report, 亩, id/name columns, framed preview
    if shown is None:
        return
    preview, source_name = shown

    guarded = editor_and_store("保存上传的数据", "save uploaded data")
    if guarded is None:
        return
    user, store = guarded
    c1, c2 = st.columns(2)
    with c1:
        new_name = st.text_input(t("new_layer_name"), key="data_new_name", max_chars=40)
        if st.button(t("save_as_new"), key="data_save_new", type="primary"):
            if not _LAYER_NAME.match(new_name or "") or new_name in layers.names(include_store=True):
                st.error(t("bad_name"))
            else:
                _write(store, new_name, preview, user.name, source_name)
    with c2:
        target = st.selectbox(t("replace_layer"), layers.names(), key="data_replace_target", format_func=layer_title)
        if st.button(t("replace_layer"), key="data_replace"):
            try:
                layers.validate_frame(preview, layers.spec(target))
            except GisError as exc:
                st.error(error_text(exc))
            else:
                _write(store, target, preview, user.name, source_name)


def _write(store, name: str, gdf: gpd.GeoDataFrame, user: str, source_name: str) -> None:
    try:
        with st.spinner(t("working")):
            store.write_layer(name, gdf, user=user, note=f"upload: {source_name}"[:200])
    except GisError as exc:
        st.error(exc.zh if lang() == "zh" else exc.en)
        return
    data.clear_caches()
    st.success(t("saved_layer", name=name, n=len(gdf)))


def _export_section() -> None:
    st.subheader(t("export"), anchor=False)
    as_of = as_of_date()
    names = data.layer_names()
    c1, c2, c3 = st.columns(3)
    name = c1.selectbox(t("export_layer"), names, key="data_export_layer", format_func=layer_title)
    fmt = c2.selectbox(t("export_format"), list(EXPORTS), key="data_export_format", format_func=_export_label)
    year = selected_year() if data.layer_spec(name) is not None else None  # an upload has no plan year
    gdf = data.year_frame(name, as_of, year)
    statuses = sorted(gdf["status"].astype(str).unique()) if "status" in gdf.columns else []
    status_labels = {s: status_label(s) for s in statuses}
    keep = c3.multiselect(
        t("export_filter"), statuses, key="data_export_status", placeholder=t("all"), format_func=status_labels.get
    )
    if keep:
        gdf = gdf[gdf["status"].astype(str).isin(keep)]
    derived = [c for c in ("area_mu", "length_km", "town", "done") if c in gdf.columns]
    out = gdf.drop(columns=derived) if fmt.startswith("geojson") or fmt in {"gpkg", "shp", "kml", "kmz"} else gdf
    choice = EXPORTS[fmt]
    writer_fmt = choice.format
    # Invented corners never reach a surveyor unannounced: say how many, and ask before writing them.
    shown = count_illustrative(out) if writer_fmt in SURVEY_FORMATS else 0
    allowed = True
    if shown:
        st.warning(t("export_illustrative", n=shown, total=len(out)))
        allowed = st.checkbox(t("export_illustrative_confirm", n=shown), key="data_export_allow_illustrative")
    if st.button(t("export_go"), key="data_export_go", disabled=not allowed):
        suffix, mime, crs = choice.suffix, choice.mime, choice.crs
        with tempfile.TemporaryDirectory(prefix="ssl-export-") as tmp, st.spinner(t("working")):
            path = Path(tmp) / (f"{name}-{year}{suffix}" if year is not None else f"{name}{suffix}")
            try:
                refuse_illustrative(out, writer_fmt, allow=allowed)
                write_any(out, path, fmt=writer_fmt, crs=crs)
            except GisError as exc:
                st.error(exc.zh if lang() == "zh" else exc.en)
                return
            st.session_state["data_export_file"] = (path.name, path.read_bytes(), mime)
    made = st.session_state.get("data_export_file")
    if made:
        st.download_button(t("export_download", name=made[0]), made[1], made[0], made[2], key="data_export_download")


def _drawn_section() -> None:
    """Draw features on the map (polygon, rectangle, line, point) and download them as RFC 7946 GeoJSON."""
    st.subheader(t("drawn_title"), anchor=False)
    st.caption(t("drawn_hint"))
    ctx = mapview.map_layers(["boundaries", "land_actions", "road_links"])
    result = mapview.show_map(ctx, key="data_draw_map", returned_objects=("all_drawings",), draw=True, zoom=12, height=420)
    drawings = [d for d in (result.get("all_drawings") or []) if isinstance(d, dict) and d.get("geometry")]
    if not drawings:
        return
    features = [
        {"type": "Feature", "properties": {"id": f"drawn-{i + 1}"}, "geometry": d["geometry"]} for i, d in enumerate(drawings)
    ]
    try:
        gdf = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    except Exception:  # a drawing the browser sent malformed: say so, never a traceback
        st.error(t("drawn_bad"))
        return
    with tempfile.TemporaryDirectory(prefix="ssl-drawn-") as tmp:
        path = Path(tmp) / "drawn.geojson"
        write_any(gdf, path, fmt="geojson")
        payload = path.read_bytes()
    st.download_button(t("drawn_download", n=len(gdf)), payload, "drawn.geojson", "application/geo+json", key="data_drawn_download")


def main() -> None:
    """Draw the data page."""
    _import_section()
    st.divider()
    official_section()  # 导入正式数据 / replace with official data (issue 14 item 2)
    st.divider()
    _export_section()
    st.divider()
    _drawn_section()
    st.divider()
    backup_section()


main()
