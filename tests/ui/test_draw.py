"""ui.draw.drawing_geometry on the values st_folium returns for Leaflet.draw shapes (AppTest cannot draw)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gis.crs import wgs84_to_gcj02
from gis.errors import InputError
from ui.draw import drawing_geometry


def _feature(kind, coordinates):  # Leaflet.draw's layer.toGeoJSON()
    return {"type": "Feature", "properties": {}, "geometry": {"type": kind, "coordinates": coordinates}}


MARKER = _feature("Point", [113.881, 22.915])
LINE = _feature("LineString", [[113.87, 22.91], [113.88, 22.915], [113.89, 22.92]])
RECTANGLE = _feature("Polygon", [[[113.87, 22.91], [113.87, 22.92], [113.88, 22.92], [113.88, 22.91], [113.87, 22.91]]])


@pytest.mark.parametrize(("feature", "kind"), [(MARKER, "Point"), (LINE, "LineString"), (RECTANGLE, "Polygon")])
def test_each_drawn_shape_is_its_geometry(feature, kind):
    got = drawing_geometry({"all_drawings": [feature], "last_active_drawing": feature})
    assert got.geom_type == kind
    assert got.equals(shapely.geometry.shape(feature["geometry"]))


def test_nothing_drawn_is_none():
    assert drawing_geometry(None) is None
    assert drawing_geometry({}) is None
    assert drawing_geometry({"all_drawings": None, "last_active_drawing": None}) is None


def test_the_last_drawn_shape_still_on_the_map_is_the_place():
    assert drawing_geometry({"all_drawings": [MARKER, LINE], "last_active_drawing": LINE}).geom_type == "LineString"
    # The reviewer clicked the marker again: the active one wins.
    assert drawing_geometry({"all_drawings": [MARKER, LINE], "last_active_drawing": MARKER}).geom_type == "Point"
    # The active one was deleted: the last one left.
    assert drawing_geometry({"all_drawings": [LINE], "last_active_drawing": RECTANGLE}).geom_type == "LineString"
    # Everything deleted.
    assert drawing_geometry({"all_drawings": [], "last_active_drawing": RECTANGLE}) is None
    # Only last_active_drawing asked for.
    assert drawing_geometry({"last_active_drawing": MARKER}).geom_type == "Point"


def test_a_drawing_on_a_gaode_basemap_is_shifted_back_to_wgs84():
    true = shapely.Point(113.881, 22.915)
    glon, glat = (float(v) for v in wgs84_to_gcj02(true.x, true.y))
    got = drawing_geometry({"all_drawings": [_feature("Point", [glon, glat])]}, gcj02=True)
    metres = gpd.GeoSeries([got, true], crs="EPSG:4326").to_crs("EPSG:4547")
    assert metres.iloc[0].distance(metres.iloc[1]) < 0.5


@pytest.mark.parametrize("bad", [_feature("Polygon", [[113.87]]), _feature("Point", "here"), _feature("Blob", [1, 2])])
def test_a_malformed_drawing_is_a_bilingual_error(bad):
    with pytest.raises(InputError) as err:
        drawing_geometry({"all_drawings": [bad]})
    assert "无法读取" in err.value.zh and "cannot be read" in err.value.en
