"""The plan's side of ``python -m layers tiles --render-bundled``: the bundled layers as a small MBTiles basemap.

The renderer (:func:`gis.tile_render.render_mbtiles`) knows no plan; this module hands it the bundled
layers, bottom to top in the registry's order, each kind with its spec's map style.
"""

from __future__ import annotations

import os
from typing import Any

import geopandas as gpd

from gis.tile_render import render_mbtiles
from gis.tiles import TileInfo

__all__ = ["bundled_frames", "render_bundled"]


def bundled_frames() -> list[tuple[gpd.GeoDataFrame, dict[str, Any]]]:
    """Every bundled plan layer (the baseline, EPSG:4326), split by ``kind``, with that kind's map style.

    Returns
    -------
    list of (GeoDataFrame, dict)
        Bottom first, as :func:`gis.tile_render.render_mbtiles` takes them.
    """
    import layers

    out = []
    for name in layers.names():
        gdf = layers.load_baseline(name, derived=False)
        spec = layers.spec(name)
        if "kind" not in gdf.columns:
            out.append((gdf, spec.style_for("")))
            continue
        for kind, part in gdf.groupby(gdf["kind"].astype(str), sort=False):
            out.append((part, spec.style_for(str(kind))))
    return out


def render_bundled(out: str | os.PathLike[str], *, zoom: tuple[int, int]) -> TileInfo:
    """Write the bundled layers as an MBTiles basemap (256 px PNG, Web Mercator) and read it back.

    Parameters
    ----------
    out : path-like
        The ``.mbtiles`` file to write.
    zoom : (int, int), keyword-only
        Lowest and highest zoom level, inclusive.

    Returns
    -------
    gis.tiles.TileInfo
        What the written package says about itself.
    """
    return render_mbtiles(
        bundled_frames(), out, zoom=zoom, name="松山湖规划图层 Songshan Lake plan layers",
        attribution="松山湖规划 GIS (illustrative geometry)",
        description="The bundled plan layers rendered by python -m layers tiles --render-bundled",
        background="#f4f1ea",
    )
