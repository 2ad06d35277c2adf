"""What the reviewer drew on the map, as one geometry: streamlit-folium's drawing values read and checked.

With ``folium.plugins.Draw`` on the map, ``st_folium`` returns ``all_drawings`` (every shape still on the map,
each Leaflet.draw's ``layer.toGeoJSON()``: ``{"type": "Feature", "properties": {}, "geometry": {...}}``) and
``last_active_drawing`` (the one last drawn or clicked). A rectangle comes back as a Polygon, a marker as a
Point, a polyline as a LineString. No Streamlit here: the page passes the dict in, so tests can too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import shapely
import shapely.geometry

from gis.crs import transform_geometries
from gis.errors import InputError

__all__ = ["drawing_geometry"]


def _feature_geometry(feature: object) -> dict[str, Any] | None:
    if isinstance(feature, Mapping):
        geometry = feature.get("geometry") if feature.get("type") == "Feature" else feature
        if isinstance(geometry, Mapping) and geometry.get("type") and geometry.get("coordinates") is not None:
            return dict(geometry)
    return None


def drawing_geometry(result: Mapping[str, Any] | None, *, gcj02: bool = False) -> shapely.Geometry | None:
    """The shape the reviewer means: the last one drawn that is still on the map, in EPSG:4326.

    Parameters
    ----------
    result : mapping or None
        ``st_folium``'s return value (``all_drawings`` and/or ``last_active_drawing``).
    gcj02 : bool, keyword-only
        The map showed a GCJ-02 basemap (Gaode), so the drawing is in GCJ-02 degrees: shift it back to WGS 84.

    Returns
    -------
    shapely.Geometry or None
        The geometry in degrees (lon, lat), WGS 84; None when nothing is drawn (or every shape was deleted).
        Checking it as a place (type, validity, extent) is :func:`layers.plan_place.place_geometry`'s job.

    Raises
    ------
    gis.errors.InputError
        A drawing whose GeoJSON cannot be read as a geometry.
    """
    if not result:
        return None
    last = _feature_geometry(result.get("last_active_drawing"))
    drawings = result.get("all_drawings")
    if isinstance(drawings, list):
        shapes = [g for g in (_feature_geometry(d) for d in drawings) if g is not None]
        if not shapes:
            return None  # everything drawn was deleted; last_active_drawing may still name a deleted one
        chosen = last if last in shapes else shapes[-1]
    else:
        chosen = last
    if chosen is None:
        return None
    try:
        geometry = shapely.geometry.shape(chosen)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise InputError("无法读取所绘图形", f"the drawing cannot be read as a geometry ({type(exc).__name__})") from None
    if gcj02 and not geometry.is_empty:
        geometry = transform_geometries([geometry], "gcj02-to-wgs84")[0]
    return geometry
