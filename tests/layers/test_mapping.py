"""The plan's map styles, shared by the app and the notebooks."""

from __future__ import annotations

import layers
from gis import render
from layers.mapping import COLOURED_BY_STATUS, STATUS_COLORS, map_layer


def test_every_status_of_every_spec_has_a_colour() -> None:
    for name in layers.names():
        assert set(layers.spec(name).statuses) <= set(STATUS_COLORS), name


def test_tracked_layers_are_coloured_by_status_and_context_layers_keep_their_style() -> None:
    roads = map_layer("road_links", layers.load_baseline("road_links"))
    water = map_layer("water", layers.load_baseline("water"))
    assert "road_links" in COLOURED_BY_STATUS and "water" not in COLOURED_BY_STATUS
    assert roads.status_colors == STATUS_COLORS and water.status_colors == {}
    spec = layers.spec("water")
    assert water.title == f"{spec.title_zh} {spec.title_en}" and water.style == dict(spec.style)


def test_map_layer_draws_through_gis_render() -> None:
    gdf = layers.load_baseline("tod_stations")
    gj = render.layer_geojson(map_layer("tod_stations", gdf), gcj02=False)
    assert len(gj["features"]) == len(gdf) == 3


def test_hidden_characters_in_names_are_shown_escaped_in_tooltips_and_popups() -> None:
    gdf = layers.load_baseline("tod_stations").copy()
    gdf.loc[gdf.index[0], "name_zh"] = "站\u202egpj.exe"
    gj = render.layer_geojson(map_layer("tod_stations", gdf), gcj02=False)
    first = gj["features"][0]["properties"]
    assert "\u202e" not in first["nm"] and "\\u202e" in first["nm"]  # the hover text
    popup = dict(zip(gj["popup_fields"], first["pv"]))
    assert "\u202e" not in "".join(popup.values()) and any("\\u202e" in v for v in popup.values())


def test_illustrative_features_are_drawn_dashed_and_official_ones_solid() -> None:
    """Issue 14 item 4: the map's style says which features are not the real place."""
    import layers
    from layers.mapping import map_layer

    gdf = layers.load_baseline("tod_stations")
    layer = map_layer("tod_stations", gdf)
    styles = {bool(r["illustrative"]): layer.feature_style(r) for _, r in gdf.iterrows()}
    assert set(styles) == {True, False}  # the bundled stations hold both kinds (松山湖北站 is checked)
    assert styles[True].get("dashArray") and not styles[False].get("dashArray")
