"""An as-of replay across a whole-layer write that added a column: the column was empty before it was added."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import shapely

from gis.store import open_store


def test_a_column_added_by_a_later_write_is_empty_in_the_past(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.gpkg")
    first = gpd.GeoDataFrame({"id": ["a", "b"], "deadline": ["2020", "2020"]},
                             geometry=[shapely.Point(113.9, 22.9), shapely.Point(113.91, 22.91)], crs="EPSG:4326")
    store.write_layer("items", first, user="t")
    later = first.assign(plan_year=[2021, None], deadline=["2021-YE", "2020"])
    store.write_layer("items", later, user="t", note="carried")
    before = store.as_of("items", dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).set_index("id")
    assert before.empty  # the layer did not exist yet: the replay has nothing to show
    first_at = dt.datetime.fromisoformat(store.history("items")["at"].iloc[0].replace("Z", "+00:00"))
    mid = store.as_of("items", first_at).set_index("id")  # just after the first write
    assert mid.loc["a", "deadline"] == "2020" and mid["plan_year"].isna().all()
    assert store.read_layer("items").set_index("id").loc["a", "plan_year"] == 2021
