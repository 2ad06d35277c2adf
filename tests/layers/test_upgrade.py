"""layers.upgrade: a store seeded by the old baseline reads as the current status model, edits kept."""

from __future__ import annotations

import pandas as pd
import pytest

import layers
from gis.errors import InputError
from layers.spec import validate_frame
from layers.upgrade import upgrade_stored


def _old_store_frame():
    """road_links as a store seeded before issue 10 holds it: no role, old targets, one road edited since."""
    gdf = layers.load_baseline("road_links", derived=False).drop(columns=["role"])
    ring = gdf["id"] == "road-ring-lake"
    gdf.loc[ring, ["status", "done_status", "deadline"]] = ["completed", "completed", "2020"]
    gdf.loc[gdf["id"] == "grid-v1", "deadline"] = "2020"
    edited = gdf["id"] == "road-01"
    gdf.loc[edited, ["status", "version", "updated_by"]] = ["completed", 2, "planner"]
    return gdf


def test_old_store_frame_fails_validation_and_upgrades_to_the_current_model():
    old = _old_store_frame()
    spec = layers.spec("road_links")
    with pytest.raises(InputError) as err:
        validate_frame(old, spec)
    assert err.value.field == "role"
    new = upgrade_stored(old, spec, baseline=layers.load_baseline("road_links", derived=False)).set_index("id", drop=False)
    validate_frame(new.reset_index(drop=True), spec)
    assert new.loc["road-ring-lake", "status"] == "planned"
    assert new.loc["road-ring-lake", "done_status"] in (None, "")
    assert new.loc["grid-v1", "deadline"] in (None, "")
    assert new.loc["road-01", "status"] == "completed"  # an edit is kept
    assert new.loc["road-01", "role"] == "plan_item"
    assert (new["role"] == "plan_item").all()


def test_unknown_features_get_a_role_by_layer_and_current_frames_are_unchanged():
    water = layers.load_baseline("water", derived=False)
    extra = water.iloc[[0]].copy()
    extra["id"] = "water-uploaded-pond"
    frame = water._constructor(pd.concat([water, extra], ignore_index=True), crs=water.crs)
    spec = layers.spec("water")
    up = upgrade_stored(frame.drop(columns=["role"]), spec, baseline=water).set_index("id")
    assert up.loc["water-uploaded-pond", "role"] == "context"
    assert up.loc["water-songmushan-wetland", "role"] == "plan_item"
    same = upgrade_stored(water, spec, baseline=water)
    assert same.drop(columns="geometry").equals(water.drop(columns="geometry"))


def test_registry_loads_a_store_seeded_by_the_old_baseline(tmp_path):
    """A working store written before ``role`` existed loads through the registry with the current model."""
    from gis.store import open_store

    store = open_store(tmp_path / "old.gpkg")
    store.write_layer("road_links", _old_store_frame(), user="plan-2020-baseline")
    road = layers.load("road_links", store=store).set_index("id")
    assert road.loc["road-ring-lake", "status"] == "planned"
    assert road.loc["road-01", "status"] == "completed"
    assert set(road["role"]) == {"plan_item"}
