"""layers.provenance: official vs illustrative counts, ids to filter to, and the dashed style."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from layers.provenance import illustrative_style, is_official, provenance_counts, provenance_ids


@pytest.fixture
def frames() -> dict[str, gpd.GeoDataFrame]:
    pts = [Point(113.9, 22.9)] * 4
    a = gpd.GeoDataFrame({"id": ["a1", "a2", "a3", "a4"], "illustrative": [True, False, None, False]}, geometry=pts, crs="EPSG:4326")
    b = gpd.GeoDataFrame({"id": ["b1", "b2"]}, geometry=pts[:2], crs="EPSG:4326")  # no field: not vouched for
    return {"stations": a, "upload": b}


def test_counts_by_layer_with_a_total_row(frames: dict) -> None:
    table = provenance_counts(frames)
    assert table.loc["stations"].to_dict() == {"official": 2, "illustrative": 2, "total": 4}
    assert table.loc["upload"].to_dict() == {"official": 0, "illustrative": 2, "total": 2}
    assert table.loc["total"].to_dict() == {"official": 2, "illustrative": 4, "total": 6}


def test_ids_filter_to_either(frames: dict) -> None:
    assert provenance_ids(frames["stations"], "official") == {"a2", "a4"}
    assert provenance_ids(frames["stations"], "illustrative") == {"a1", "a3"}
    with pytest.raises(ValueError):
        provenance_ids(frames["stations"], "both")  # type: ignore[arg-type]


def test_text_or_numbers_from_a_file_are_read_safely() -> None:
    frame = pd.DataFrame({"illustrative": [0, 1, "false", pd.NA]})
    assert list(is_official(frame)) == [True, False, False, False]  # text is not trusted as a vouch


def test_illustrative_features_are_dashed_official_ones_keep_their_style() -> None:
    base = {"color": "#c00", "weight": 3}
    assert illustrative_style({"illustrative": False}, base) == base
    dashed = illustrative_style({"illustrative": True}, base)
    assert dashed["dashArray"] and dashed["color"] == "#c00" and dashed["fillOpacity"] < 0.2
    assert illustrative_style({}, base)["dashArray"]


def test_the_bundled_data_counts_match_the_files() -> None:
    from layers.registry import load_baseline

    frames = {n: load_baseline(n, derived=False) for n in ("tod_stations", "platforms", "road_links")}
    table = provenance_counts(frames)
    for name, frame in frames.items():
        assert table.loc[name, "official"] == int((frame["illustrative"] == False).sum())  # noqa: E712
        assert table.loc[name, "total"] == len(frame)
