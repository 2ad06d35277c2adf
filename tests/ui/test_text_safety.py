"""Names from data are shown as plain text in the app: no Markdown links, hidden characters shown escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

import layers
from gis.store import open_store
from tests.ui.conftest import new_app, use_store

EVIL = "[点我领奖](http://evil.example/x) **假** 路\u202egpj.exe"


@pytest.fixture
def hostile_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """A working store whose first road and first substation carry a hostile Chinese name."""
    path = use_store(tmp_path, monkeypatch)
    store = open_store(path)
    layers.seed_store(store)
    ids = {}
    for layer in ("road_links", "substations"):
        gdf = store.read_layer(layer)
        row = gdf[gdf["kind"] == "link_road"].iloc[0] if layer == "road_links" else gdf.iloc[0]
        store.update_feature(layer, str(row["id"]), {"name_zh": EVIL}, expected_version=int(row["version"]), user="tester")
        ids[layer] = str(row["id"])
    return path, ids["road_links"], ids["substations"]


def _check_literal(markdown_values: list[str]) -> None:
    hits = [v for v in markdown_values if "点我领奖" in v]
    assert hits, markdown_values
    for v in hits:
        assert "](http" not in v and "\\]\\(http" in v, v  # no link can form
        assert "\u202e" not in v and "\\u202e" in v, v


def test_feature_details_show_the_name_as_text(hostile_store: tuple[Path, str, str]) -> None:
    _, _, sub_id = hostile_store
    at = new_app()
    at.query_params["sel"] = sub_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    _check_literal([h.value for h in at.subheader])
    details = next(df.value for df in at.dataframe if "点我领奖" in df.value.to_csv())
    assert "\u202e" not in details.to_csv() and "\\u202e" in details.to_csv()


def test_roads_table_shows_hidden_characters_escaped(hostile_store: tuple[Path, str, str]) -> None:
    at = new_app().run()
    at.switch_page("ui/page_roads.py").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "点我领奖" in df.value.to_csv())
    assert "\u202e" not in table.to_csv() and "\\u202e" in table.to_csv()


def test_an_upload_preview_layer_shows_hidden_characters_escaped() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from gis import render
    from ui import mapview

    gdf = gpd.GeoDataFrame({"id": ["f-1"], "name_zh": ["井\u202egpj.exe"]}, geometry=[Point(113.9, 22.9)], crs="EPSG:4326")
    layer = render.MapLayer("upload", "upload.geojson", gdf, {"color": "#8e44ad"}, popup_fields=[("name_zh", "name_zh")])
    props = render.layer_geojson(mapview._safe(layer))["features"][0]["properties"]
    shown = props["nm"] + "".join(props["pv"])  # the hover name and the popup's values, as drawn (escaped in the browser)
    assert "\u202e" not in shown and "\\u202e" in props["nm"] and "\\u202e" in props["pv"][0]
    assert layer.gdf["name_zh"].iloc[0] == "井\u202egpj.exe"  # the data itself is untouched
