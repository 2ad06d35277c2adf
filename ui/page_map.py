"""地图 Map: every plan layer with toggles by layer and status, basemaps, search, measure and feature details.

State in the URL: ``layers``, ``st`` (statuses), ``bm`` (basemap), ``sel`` (selected id), ``v`` (view); the
sidebar's plan year (``year``, :mod:`ui.plan_year`) keeps every plan layer to that year's items (context always).
Items without a place (accepted ``plan_items`` with no geometry) are not drawn; the page counts and lists them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from gis import render
from gis.text import display_safe
from layers.spec import has_place
from ui import data, edit, mapview, print_panel, provenance
from ui.i18n import deadline_label, lang, status_label, t
from ui.plan_year import selected_year
from ui.state import as_of_date, format_view, init_from_url, parse_view, url_get, url_list, url_set

ALL_STATUSES = list(mapview.STATUS_COLORS)


@st.cache_data(show_spinner=False, max_entries=256)
def _placement(
    name: str, as_of_iso: str | None, year: int | None, stamp: str,
) -> tuple[frozenset[str] | None, bool, pd.DataFrame]:
    """A plan layer's features of the year: the ids with a place, whether all have one, and the rows without one.

    The ids are None for a layer without ids (nothing to keep to). Cached per data stamp (a small result: reruns
    and new sessions do not read the layer again).
    """
    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    frame = data.year_frame(name, as_of, year)
    if "id" not in frame.columns:
        return None, True, pd.DataFrame()
    if not len(frame):
        return frozenset(), True, pd.DataFrame()
    placed = has_place(frame)
    missing = frame.loc[~placed.to_numpy()]
    rows = pd.DataFrame(missing.drop(columns="geometry")).assign(_layer=name) if len(missing) else pd.DataFrame()
    return frozenset(frame.loc[placed.to_numpy(), "id"].astype(str)), bool(placed.all()), rows


def _drawn_ids(names: list[str], as_of, year: int | None, only: dict[str, set[str]] | None) -> dict[str, set[str]] | None:
    """``only_ids`` for the map: the official/illustrative choice, kept to the plan year and to placed features.

    A plan layer is kept to the year's features (:func:`ui.data.year_frame`; context with every year); an upload
    has no plan year and is left as it is. None (draw everything) when nothing is left out.
    """
    out = dict(only) if only is not None else {}
    stamp = data.store_stamp()
    for name in names:
        if data.layer_spec(name) is None:
            continue
        ids, all_placed, _rows = _placement(name, as_of.isoformat() if as_of else None, year, stamp)
        if ids is None or (year is None and all_placed):
            continue  # every feature drawn: the layer is as it always was
        out[name] = set(ids) & set(out[name]) if name in out else set(ids)
    return out or None


def _unplaced(names: list[str], as_of, year: int | None) -> pd.DataFrame:
    """The plan items of the shown year that have no place (not drawn), with their layer."""
    stamp = data.store_stamp()
    parts = [
        rows for name in names if data.layer_spec(name) is not None
        for rows in [_placement(name, as_of.isoformat() if as_of else None, year, stamp)[2]] if len(rows)
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _no_place_note(names: list[str], as_of, year: int | None) -> None:
    """Say under the map how many items of the shown year have no place, and list them."""
    missing = _unplaced(names, as_of, year)
    if missing.empty:
        return
    st.caption(t("map_no_place", n=len(missing)))
    name_col = "name_zh" if lang() == "zh" else "name_en"
    with st.expander(t("map_no_place_list", n=len(missing)), expanded=False):
        table = pd.DataFrame({
            t("f_name_zh"): [display_safe(v) for v in missing.get(name_col, missing["id"])],
            t("f_id"): [display_safe(v) for v in missing["id"]],
            t("f_plan_year"): [str(v) for v in missing.get("plan_year", pd.Series("", index=missing.index))],
            t("f_status"): [status_label(str(s), n) for s, n in zip(missing["status"], missing["_layer"])],
            t("f_deadline"): [deadline_label(str(d)) for d in missing.get("deadline", pd.Series("", index=missing.index))],
            t("f_plan_ref"): [display_safe(v) for v in missing.get("plan_ref", pd.Series("", index=missing.index))],
        })
        st.dataframe(table, hide_index=True, key="map_no_place_table", width="stretch")


def _find(names: list[str], query: str, as_of, drawn: dict[str, set[str]] | None = None) -> list[tuple[str, str, str]]:
    """(layer, id, label) of drawn features whose id or name contains ``query`` (case-insensitive)."""
    q = query.strip().lower()
    hits = []
    for name in names:
        gdf = data.layer_frame(name, as_of)
        if "id" not in gdf.columns:
            continue
        if drawn is not None and name in drawn:
            gdf = gdf[gdf["id"].astype(str).isin(drawn[name])]
        for col in ("id", "name_zh", "name_en"):
            if col not in gdf.columns:
                continue
            mask = gdf[col].astype(str).str.lower().str.contains(q, regex=False)
            for _, row in gdf[mask].iterrows():
                hits.append((name, str(row["id"]), f"{display_safe(row.get('name_zh', ''))} · {row['id']}"))
    seen, out = set(), []
    for h in hits:
        if h[1] not in seen:
            seen.add(h[1])
            out.append(h)
    return out[:50]


def _title(name: str) -> str:
    spec = data.layer_spec(name)
    if spec is None:
        return name
    return spec.title_zh if lang() == "zh" else spec.title_en


def _details_editor(name: str, selected, as_of) -> None:
    """The status form for the selected feature, under its details: every tracked item of every layer.

    Context features (boundaries, water, ``role == "context"``) are said to be context instead; a layer
    without a spec (an upload) has no statuses to choose from and shows no form.
    """
    spec = data.layer_spec(name)
    if spec is None or not getattr(spec, "statuses", None):
        return
    if edit.editable_features(name, selected).empty:
        st.caption(t("details_context"))
        return
    st.markdown(f"##### {t('details_edit')}")
    edit.flash("map_edit")
    edit.status_editor(name, selected, prefix="map_edit", statuses=list(spec.statuses), as_of=as_of)


def _take_click(clicked: str | None) -> bool:
    """Select a newly clicked feature (kept in the URL); True when the selection changed."""
    if clicked and clicked != st.session_state.get("map_last_click"):
        st.session_state["map_last_click"] = clicked
        url_set(sel=clicked)
        return True
    return False


def _layers_holding(names: list[str], feature_id: str, as_of) -> list[str]:
    """The shown layers that hold a feature with this id (normally one)."""
    out = []
    for name in names:
        gdf = data.layer_frame(name, as_of)
        if "id" in gdf.columns and (gdf["id"].astype(str) == feature_id).any():
            out.append(name)
    return out


def main() -> None:
    """Draw the map page."""
    as_of = as_of_date()
    year = selected_year()
    names = data.layer_names()
    init_from_url("map_layers", [n for n in (url_list("layers") or names) if n in names])
    init_from_url("map_statuses", [s for s in (url_list("st") or ALL_STATUSES) if s in ALL_STATUSES])
    bm = url_get("bm", "none")
    init_from_url("map_basemap", bm if bm in mapview.basemap_keys() else "none")

    spec_titles = {n: _title(n) for n in names}
    # pills, not a multiselect: every layer and status stays visible as an on/off toggle at 1280 px
    st.pills(t("layers"), names, selection_mode="multi", key="map_layers", format_func=spec_titles.get)
    status_labels = {s: status_label(s) for s in ALL_STATUSES}
    st.pills(t("statuses"), ALL_STATUSES, selection_mode="multi", key="map_statuses", format_func=status_labels.get)
    main_col, side = st.columns([3, 1], gap="medium")
    with side:
        options = mapview.basemap_options()
        st.selectbox(t("basemap"), list(options), key="map_basemap", format_func=options.get)
        if st.session_state["map_basemap"].startswith("tianditu"):
            st.text_input(t("tianditu_key"), key="tianditu_key", type="password", help=t("tianditu_key_help"))
        st.toggle(t("map_labels"), key="map_labels")
        query = st.text_input(t("search"), key="map_search")
        focus = focus_zoom = None
        if query.strip():
            searched = st.session_state["map_layers"] or names
            hits = _find(searched, query, as_of, _drawn_ids(searched, as_of, year, None))
            if not hits:
                st.info(t("search_none", q=query))  # the user's own words, not stored data
            else:
                labels = {h[1]: h[2] for h in hits}
                pick = st.selectbox(t("search_pick"), list(labels), key="map_search_pick", format_func=labels.get)
                layer = next(h[0] for h in hits if h[1] == pick)
                row = data.layer_frame(layer, as_of).set_index("id").loc[pick]
                # framed, not jumped to: the whole feature in view with a margin; a point keeps its surroundings (zoom ≤ 15)
                lat, lon, focus_zoom = render.fit_view(row.geometry.bounds, width_px=820, height_px=600, padding_px=80, max_zoom=15)
                focus = (lat, lon)
                url_set(sel=pick)
        st.caption(t("measure_hint"))

    visible = st.session_state["map_layers"]
    statuses = st.session_state["map_statuses"]
    basemap = st.session_state["map_basemap"]
    url_set(layers=visible, st=statuses, bm=basemap)
    view = parse_view(url_get("v"))
    if "map_view0" not in st.session_state:
        st.session_state["map_view0"] = view  # the URL's view is the initial view; later moves go back to the URL
    view0 = st.session_state["map_view0"]
    only = provenance.only_ids(visible, as_of, key="map_provenance")  # official / illustrative (issue 14)
    only = _drawn_ids(visible, as_of, year, only)  # the plan year's features with a place (issue 16)
    # A click is known before the map is drawn (the widget's value), so the clicked feature is highlighted in
    # the same rerun; the view itself is left where the user put it.
    _take_click(mapview.clicked_id(st.session_state.get("map_main") or {}))
    selected = url_get("sel")
    highlight = {n: {selected} for n in _layers_holding(visible, selected, as_of)} if selected else None
    layers_ = mapview.map_layers(visible, statuses=statuses, as_of=as_of, basemap=basemap, highlight=highlight, only_ids=only,
                                 year=year)
    with main_col:
        result = mapview.show_map(
            layers_,
            key="map_main",
            basemap=basemap,
            returned_objects=("last_object_clicked_tooltip", "center", "zoom", "bounds"),
            center=(view0[0], view0[1]) if view0 else None,
            zoom=view0[2] if view0 else 12,
            focus=focus,
            focus_zoom=focus_zoom,
            height=600,
            labels=bool(st.session_state.get("map_labels")),
            legend_on_map=True,
        )
        mapview.illustrative_note(layers_)
        _no_place_note(visible, as_of, year)
        doc = data.plan_progress(as_of, year=year)  # the shared computation (= python -m layers metrics)
        if doc is not None:
            st.caption(t("map_progress", **doc["schedule"]))
        center, zoom = result.get("center"), result.get("zoom")
        if center and zoom and not mapview.is_gcj02(basemap):
            url_set(v=format_view(center["lat"], center["lng"], zoom))
        package = mapview.tile_package(basemap)
        print_panel.show(
            visible, statuses=statuses, as_of=as_of, bounds=result.get("bounds"),
            basemap=package.package if package is not None else None, gcj02=mapview.is_gcj02(basemap),
        )
        if _take_click(mapview.clicked_id(result)):
            selected = url_get("sel")
        st.markdown(f"#### {t('details')}")
        shown = False
        if selected:
            for name in visible or names:
                gdf = data.year_frame(name, as_of, year) if data.layer_spec(name) is not None else data.layer_frame(name, as_of)
                if "id" in gdf.columns and (gdf["id"].astype(str) == selected).any():
                    mapview.feature_details(gdf[gdf["id"].astype(str) == selected].iloc[0], data.layer_spec(name))
                    _details_editor(name, gdf[gdf["id"].astype(str) == selected], as_of)
                    shown = True
                    break
        if not shown:
            st.caption(t("details_hint"))


main()
