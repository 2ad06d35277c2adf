"""State that lives in the URL (``st.query_params``), so a rerun never loses it and a view can be shared.

Parameters: ``lang`` (zh/en), ``asof`` (YYYY-MM-DD), ``layers`` (visible layers, comma-separated),
``st`` (statuses shown), ``bm`` (basemap), ``sel`` (selected feature id), ``v`` (view ``lat,lon,zoom``).
Widgets take their first value from the URL; afterwards the widget's value is written back.
"""

from __future__ import annotations

import re
from datetime import date

import streamlit as st

__all__ = ["url_get", "url_set", "url_list", "init_from_url", "as_of_date", "parse_view", "format_view"]

_SAFE = re.compile(r"^[A-Za-z0-9_.,:\-]{0,400}$")


def url_get(name: str, default: str = "") -> str:
    """A query parameter's value, or ``default`` when absent or not made of safe characters."""
    value = st.query_params.get(name)
    if value is None:
        return default
    value = str(value)
    return value if _SAFE.match(value) else default


def url_list(name: str) -> list[str] | None:
    """A comma-separated query parameter as a list (None when absent)."""
    if name not in st.query_params:
        return None
    raw = url_get(name, "")
    return [v for v in raw.split(",") if v]


def url_set(**values: str | list[str] | None) -> None:
    """Write query parameters, touching only those that changed (None removes one)."""
    for name, value in values.items():
        if isinstance(value, list):
            value = ",".join(value)
        current = st.query_params.get(name)
        if value is None:
            if current is not None:
                del st.query_params[name]
        elif current != value:
            st.query_params[name] = value


def init_from_url(key: str, value: object) -> None:
    """Seed a widget's session-state value (``key``) from the URL once, before the widget is drawn."""
    if key not in st.session_state:
        st.session_state[key] = value


def as_of_date() -> date | None:
    """The sidebar's as-of date, or None when it is today (the live data)."""
    value = st.session_state.get("as_of")
    if isinstance(value, date) and value < date.today():
        return value
    return None


def parse_view(text: str) -> tuple[float, float, int] | None:
    """``"lat,lon,zoom"`` → (lat, lon, zoom) in degrees, or None if malformed or far from Dongguan."""
    try:
        lat_s, lon_s, zoom_s = text.split(",")
        lat, lon, zoom = float(lat_s), float(lon_s), int(float(zoom_s))
    except ValueError:
        return None
    if not (20.0 <= lat <= 26.0 and 110.0 <= lon <= 117.0 and 3 <= zoom <= 20):
        return None
    return lat, lon, zoom


def format_view(lat: float, lon: float, zoom: int) -> str:
    """(lat, lon, zoom) → ``"lat,lon,zoom"`` with 5 decimals (≈ 1 m)."""
    return f"{lat:.5f},{lon:.5f},{int(zoom)}"
