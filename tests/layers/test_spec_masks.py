"""layers.spec's plan-item, ongoing and done masks on the values real layers hold, missing ones included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.spec import is_done, is_ongoing, is_plan_item


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_masks_read_text_and_treat_missing_values_as_unknown(missing) -> None:
    frame = pd.DataFrame(
        {
            "layer": ["road_links", "water", "road_links", "boundaries", "road_links", "road_links"],
            "role": ["plan_item", "plan_item", "context", missing, missing, "other"],
            "status": ["completed", "completed", "completed", "completed", missing, "under_construction"],
            "done_status": ["completed", "under_construction", "completed", "completed", "completed", missing],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    # role decides where it is known; else the layer (boundaries and water are context)
    assert is_plan_item(frame).tolist() == [True, True, False, False, True, True]
    assert is_plan_item(frame).index.tolist() == [10, 11, 12, 13, 14, 15]
    # done: a plan item whose status reached its done_status; a missing status or done_status is never done
    assert is_done(frame).tolist() == [True, True, False, False, False, False]
    # ongoing: a plan item without a completion target (missing done_status)
    assert is_ongoing(frame).tolist() == [False, False, False, False, False, True]


def test_categorical_columns_and_frame_attrs() -> None:
    frame = pd.DataFrame(
        {"status": pd.Categorical(["site_selected", "site_selection", "delayed"]), "done_status": pd.Categorical(["site_selected"] * 3)},
    )
    frame.attrs["layer"] = "substations"
    assert is_plan_item(frame).tolist() == [True, True, True]
    assert is_done(frame).tolist() == [True, False, False]  # delayed is never done
    frame.attrs["layer"] = "water"
    assert not is_plan_item(frame).any() and not is_done(frame).any()


def test_done_without_done_status_reads_completed_as_the_target() -> None:
    frame = pd.DataFrame({"layer": ["road_links"] * 2, "status": ["completed", "under_construction"]})
    assert is_done(frame).tolist() == [True, False]


def test_has_place_is_a_present_non_empty_geometry() -> None:
    import geopandas as gpd
    from shapely.geometry import GeometryCollection, Point

    from layers.spec import has_place

    frame = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"]}, geometry=[Point(113.9, 22.9), None, GeometryCollection()], crs="EPSG:4326", index=[5, 6, 7],
    )
    assert has_place(frame).tolist() == [True, False, False]
    assert has_place(frame).index.tolist() == [5, 6, 7]
    assert has_place(pd.DataFrame({"id": ["x"]})).tolist() == [False]
