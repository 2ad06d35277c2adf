"""The printed sheet's 示意 notice counts the illustrative features it draws, not those outside its extent."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

import layers.print_map as lpm
from gis.print_map import drawn_extent

EXTENT = (113.85, 22.88, 113.95, 22.95)


def _stations(name: str, **_kwargs: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["s-1", "s-2", "s-3"], "kind": ["substation"] * 3, "status": ["planned"] * 3,
         "illustrative": [True, True, False]},
        # s-1 inside the extent; s-2 some 30 km east, off the sheet; s-3 inside and surveyed
        geometry=[Point(113.90, 22.91), Point(114.20, 22.91), Point(113.91, 22.92)],
        crs="EPSG:4326",
    )


def test_disclaimer_counts_only_features_on_the_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lpm, "load", _stations)
    _, sheet = lpm.print_sheet(["substations"], extent=EXTENT, lang="en")
    assert sheet.disclaimer is not None and "1 features" in sheet.disclaimer


def test_no_disclaimer_when_the_illustrative_feature_is_off_the_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lpm, "load", _stations)
    _, sheet = lpm.print_sheet(["substations"], extent=(113.905, 22.915, 113.915, 22.925), lang="en")
    assert sheet.disclaimer is None  # only the surveyed s-3 is inside


def test_without_extent_every_shown_feature_is_on_the_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lpm, "load", _stations)
    _, sheet = lpm.print_sheet(["substations"], lang="en")
    assert sheet.disclaimer is not None and "2 features" in sheet.disclaimer


def test_drawn_extent_widens_to_the_frame_and_contains_the_view() -> None:
    west, south, east, north = drawn_extent(EXTENT, paper="A4")
    eps = 1e-9  # degrees, the round trip through Web Mercator
    assert west <= EXTENT[0] + eps and south <= EXTENT[1] + eps and east >= EXTENT[2] - eps and north >= EXTENT[3] - eps
    # this view is a little narrower than A4's landscape frame, so it is widened east-west and kept north-south
    assert (east - west) > (EXTENT[2] - EXTENT[0]) + 1e-6
    assert north == pytest.approx(EXTENT[3], abs=1e-9) and south == pytest.approx(EXTENT[1], abs=1e-9)
