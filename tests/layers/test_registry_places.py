"""layers.registry: the towns joined to every layer follow the store's boundaries (memoised per store stamp)."""

from __future__ import annotations

from pathlib import Path

import layers
from gis.store import open_store


def test_a_town_renamed_in_the_store_shows_in_every_layer_loaded_after(tmp_path: Path) -> None:
    store = open_store(tmp_path / "working.gpkg")
    layers.seed_store(store)
    before = layers.load("facilities", store=store)
    town = next(t for t in before["town"] if t)
    bounds = store.read_layer("boundaries")
    bounds.loc[bounds["short_name"] == town, "short_name"] = "改名镇"
    store.write_layer("boundaries", bounds, user="tester")
    after = layers.load("facilities", store=store)
    assert (after["town"] == "改名镇").sum() == (before["town"] == town).sum() > 0
    assert town not in set(after["town"])
    # a store that did not change answers from the memo, and the caller's copy is its own
    again = layers.load("facilities", store=store)
    assert again["town"].tolist() == after["town"].tolist()
