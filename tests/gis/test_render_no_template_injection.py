"""Names, titles, ids and labels reach the map as text: never evaluated as Jinja template code.

branca compiles each element's rendered output as a second template; before ``gis._folium_safe`` a parcel named
``{{ 7*7 }}`` was drawn as 49, a name with a quote took the map down, and a name such as
``{{ lipsum.__globals__.os.… }}`` ran Python on the server. These tests use a canary: an environment value the
payload would read if it were evaluated.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gis import render

CANARY = "ssl-canary-5f1c0e"
PAYLOADS = [
    "XX{{ 7*7 }}YY",
    "{{'evil'}}",
    "{{ lipsum.__globals__.os.environ.SSL_TEST_CANARY }}",
    "{% for x in range(3) %}Z{% endfor %}",
    "{# comment #}",
]


def _layer(text: str) -> render.MapLayer:
    gdf = gpd.GeoDataFrame(
        {"id": [f"id-{text}"], "name_zh": [text], "status": [text]},
        geometry=[shapely.Point(113.90, 22.90)], crs="EPSG:4326",
    )
    return render.MapLayer(name="uploaded", title=text, gdf=gdf, style={"color": "#123456"},
                           popup_fields=[("name_zh", "名称")], tooltip_field="name_zh", status_colors={text: "#ff0000"})


@pytest.mark.parametrize("text", PAYLOADS)
def test_map_text_is_never_evaluated(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_TEST_CANARY", CANARY)
    layer = _layer(text)
    html = render.map_html(render.build_map([layer], labels=True, status_labels={text: text}))
    assert CANARY not in html
    assert "XX49YY" not in html and "ZZZ" not in html
    if text == "XX{{ 7*7 }}YY":
        assert text in html  # kept as the planner wrote it


def test_a_feature_group_alone_is_safe_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app caches a layer's feature group on its own; its output must be as inert as the whole map's."""
    import folium

    monkeypatch.setenv("SSL_TEST_CANARY", CANARY)
    layer = _layer(PAYLOADS[2])
    m = folium.Map(location=[22.9, 113.9], zoom_start=12, tiles=None)
    render.feature_group(layer, render.layer_geojson(layer), labels=True).add_to(m)
    html = m.get_root().render()
    assert CANARY not in html
