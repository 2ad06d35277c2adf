"""ui.print_panel.view_extent: the map's reported view becomes the sheet's WGS 84 extent."""

from __future__ import annotations

import pytest

from gis.crs import wgs84_to_gcj02
from ui.print_panel import view_extent


def _bounds(w: float, s: float, e: float, n: float) -> dict:
    return {"_southWest": {"lat": s, "lng": w}, "_northEast": {"lat": n, "lng": e}}


def test_view_extent_reads_leaflet_bounds() -> None:
    assert view_extent(_bounds(113.8, 22.85, 113.98, 22.99)) == (113.8, 22.85, 113.98, 22.99)


@pytest.mark.parametrize("bad", [None, {}, _bounds(114, 22.8, 113, 23.0), {"_southWest": {"lat": "x", "lng": 1}}])
def test_unusable_views_give_none(bad) -> None:
    assert view_extent(bad) is None


def test_a_gcj02_view_is_shifted_back_to_wgs84() -> None:
    (gw, ge), (gs, gn) = wgs84_to_gcj02([113.8, 113.98], [22.85, 22.99])
    w, s, e, n = view_extent(_bounds(float(gw), float(gs), float(ge), float(gn)), gcj02=True)
    assert (w, s, e, n) == pytest.approx((113.8, 22.85, 113.98, 22.99), abs=1e-7)
