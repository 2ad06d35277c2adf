"""Official or illustrative at a glance: the page's counts by layer and a filter to either (issue 14 item 4).

Each page calls one function with its layers: the counts and the choice (全部 / 正式 / 示意) appear in the
sidebar; the figures come from :mod:`layers.provenance`. The map style of illustrative features (dashed
outline) is :func:`layers.provenance.illustrative_style`, for the map's style function.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from gis.text import markdown_literal
from layers.provenance import PROVENANCES, provenance_counts, provenance_ids
from ui import data
from ui.i18n import lang, t

__all__ = ["panel", "only_ids", "filter_frame"]

_CHOICES = ("all", *PROVENANCES)


def _title(name: str) -> str:
    spec = data.layer_spec(name)
    if spec is None:
        return markdown_literal(name)
    return spec.title_zh if lang() == "zh" else spec.title_en


@st.cache_data(show_spinner=False, max_entries=64)
def _counts(names: tuple[str, ...], as_of_iso: str | None, stamp: str) -> pd.DataFrame:
    """:func:`layers.provenance.provenance_counts` of the layers, per data stamp (a rerun reads no layer)."""
    as_of = date.fromisoformat(as_of_iso) if as_of_iso else None
    return provenance_counts({n: data.layer_frame(n, as_of) for n in names})


def panel(names: Sequence[str], as_of: date | None, *, key: str) -> str:
    """Draw the page's official/illustrative counts and the filter in the sidebar; return the choice.

    Parameters
    ----------
    names : sequence of str
        The page's layers.
    as_of : datetime.date, optional
        The date the page shows.
    key : str, keyword-only
        The widget's key (one per page).

    Returns
    -------
    str
        ``all``, ``official`` or ``illustrative``.
    """
    counts = _counts(tuple(names), as_of.isoformat() if as_of else None, data.store_stamp())
    with st.sidebar:
        st.markdown(f"**{t('prov_title')}**")
        for name in names:
            row = counts.loc[name]
            st.caption(t("prov_layer", layer=_title(name), official=int(row["official"]), illustrative=int(row["illustrative"])))
        if len(names) > 1:
            total = counts.loc["total"]
            st.caption(t("prov_page", official=int(total["official"]), illustrative=int(total["illustrative"])))
        labels = {c: t(f"prov_{c}") for c in _CHOICES}
        choice = st.radio(t("prov_filter"), list(_CHOICES), key=key, horizontal=True, format_func=labels.get)
    return str(choice or "all")


def only_ids(names: Sequence[str], as_of: date | None, *, key: str) -> dict[str, set[str]] | None:
    """:func:`panel`, then the ids to draw per layer (``only_ids`` of ``ui.mapview.map_layers``); None for all."""
    choice = panel(names, as_of, key=key)
    if choice == "all":
        return None
    return {n: provenance_ids(data.layer_frame(n, as_of), choice) for n in names}  # type: ignore[arg-type]


def filter_frame(frame: gpd.GeoDataFrame, name: str, as_of: date | None, *, key: str) -> gpd.GeoDataFrame:
    """:func:`panel` for one layer, then ``frame`` kept to the chosen kind (all rows for ``all``)."""
    choice = panel([name], as_of, key=key)
    if choice == "all" or "id" not in frame.columns:
        return frame
    return frame[frame["id"].astype(str).isin(provenance_ids(frame, choice))]  # type: ignore[arg-type]
