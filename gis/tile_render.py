"""Render vector layers into a small Web Mercator MBTiles basemap (Pillow), e.g. the bundled plan layers.

The frames are passed in (this module knows no plan): each with a Leaflet-like style. Tiles are 256 px
PNGs in the Web Mercator grid (EPSG:3857), stored with TMS rows as the MBTiles 1.3 spec says; tiles with
nothing drawn are left out (the server answers them as empty). Used by ``python -m layers tiles
--render-bundled`` and as the test fixture of the intranet basemap.
"""

from __future__ import annotations

import io
import logging
import math
import os
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.tiles import HALF_WORLD_M, TileInfo, describe, parse_zoom_range, tile_bounds_3857

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["render_mbtiles", "parse_zoom_range", "colour_rgba", "draw_part", "TILE_PX"]

log = logging.getLogger(__name__)

#: Side of a tile in pixels.
TILE_PX = 256
# The plan's layer specs spell styles in snake case; Leaflet's own names are accepted too.
_SNAKE = {"fill_color": "fillColor", "fill_opacity": "fillOpacity"}


def draw_part(layer: Any, draw: Any, g: Any, px: Any, *, fill: Any, colour: Any, width: int, radius: float) -> None:
    """Draw one single-part geometry on a Pillow RGBA ``layer`` (holes left open), pixels from ``px(coords)``.

    Polygons are filled through a mask and outlined; lines are stroked; points are circles of ``radius`` px.
    Used by the tile renderer and by the printed map (:mod:`gis.print_map`), so both draw a feature alike.
    """
    from PIL import Image, ImageDraw

    if g.geom_type == "Polygon":
        mask = Image.new("L", layer.size, 0)
        md = ImageDraw.Draw(mask)
        md.polygon(px(g.exterior.coords), fill=255)
        for hole in g.interiors:
            md.polygon(px(hole.coords), fill=0)
        layer.paste(Image.new("RGBA", layer.size, fill), (0, 0), mask)
        for ring in [g.exterior, *g.interiors]:
            draw.line(px(ring.coords), fill=colour, width=width)
    elif g.geom_type in ("LineString", "LinearRing"):
        draw.line(px(g.coords), fill=colour, width=width, joint="curve")
    elif g.geom_type == "Point":
        ((cx, cy),) = px(g.coords)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill, outline=colour, width=width)


def colour_rgba(colour: Any, opacity: float = 1.0) -> tuple[int, int, int, int]:
    """A CSS hex colour (``#rgb``/``#rrggbb``; Leaflet's blue when unreadable) and an opacity 0–1 as RGBA 0–255."""
    text = str(colour or "#3388ff").strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        r, g, b = int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        r, g, b = 0x33, 0x88, 0xFF
    return r, g, b, int(round(255 * max(0.0, min(1.0, float(opacity)))))


def _tile_ranges(bounds_3857: tuple[float, float, float, float], z: int) -> tuple[range, range]:
    size = 2 * HALF_WORLD_M / 2**z
    minx, miny, maxx, maxy = bounds_3857
    n = 2**z
    x0 = max(int(math.floor((minx + HALF_WORLD_M) / size)), 0)
    x1 = min(int(math.floor((maxx + HALF_WORLD_M) / size)), n - 1)
    y0 = max(int(math.floor((HALF_WORLD_M - maxy) / size)), 0)
    y1 = min(int(math.floor((HALF_WORLD_M - miny) / size)), n - 1)
    return range(x0, x1 + 1), range(y0, y1 + 1)


def render_mbtiles(
    frames: Sequence[tuple[gpd.GeoDataFrame, Mapping[str, Any]]],
    out: str | os.PathLike[str],
    *,
    zoom: tuple[int, int],
    name: str,
    attribution: str = "",
    description: str = "",
    background: str | None = None,
    max_tiles: int | None = None,
) -> TileInfo:
    """Draw frames into a new MBTiles file of 256 px PNG tiles in Web Mercator.

    Parameters
    ----------
    frames : sequence of (GeoDataFrame, mapping)
        Bottom first. Frames in any CRS (projected to EPSG:3857 here). Style keys as Leaflet's:
        ``color``, ``weight`` (line width, px), ``opacity``, ``fillColor``, ``fillOpacity``, ``radius``
        (point radius, px); ``fill_color`` and ``fill_opacity`` as the layer specs write them. Polygons
        are filled (holes kept) and outlined, lines stroked, points drawn as discs.
    out : path-like
        The ``.mbtiles`` file to write (replaced if it exists; written beside it first).
    zoom : (int, int), keyword-only
        Lowest and highest zoom level, inclusive.
    name, attribution, description : str, keyword-only
        Package metadata.
    background : str, optional, keyword-only
        ``#rrggbb`` painted under the features on every tile within the frames' bounds; default transparent
        (tiles with nothing drawn are then left out).
    max_tiles : int, optional, keyword-only
        Refuse to render more tiles than this (default :data:`gis.settings.MAX_RENDER_TILES`).

    Returns
    -------
    TileInfo
        What :func:`gis.tiles.describe` reads back from the written file.

    Raises
    ------
    gis.errors.LimitExceeded
        More tiles than ``max_tiles``.
    gis.errors.InputError
        No features, or a zoom range outside 0–22.
    """
    import geopandas as gpd
    import shapely
    from PIL import Image, ImageDraw

    lo, hi = zoom
    if not (0 <= lo <= hi <= 22):
        raise InputError(f"缩放级别 {lo}-{hi} 超出 0-22", f"zoom {lo}-{hi} outside 0-22")
    projected = []
    for gdf, style in frames:
        g = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]
        if g.crs is None:
            raise InputError("图层没有坐标系", "a layer has no CRS")
        if len(g):
            geoms = g.to_crs(3857).geometry.values
            projected.append((shapely.STRtree(geoms), geoms, dict(style)))
    if not projected:
        raise InputError("没有可绘制的要素", "no features to draw")
    all_geoms = gpd.GeoSeries([gg for _, geoms, _ in projected for gg in geoms], crs=3857)
    bounds = tuple(float(v) for v in all_geoms.total_bounds)
    limit = settings.MAX_RENDER_TILES if max_tiles is None else max_tiles
    planned = sum(len(xs) * len(ys) for xs, ys in (_tile_ranges(bounds, z) for z in range(lo, hi + 1)))
    if planned > limit:
        raise LimitExceeded(
            f"要渲染 {planned} 个瓦片，超过上限 {limit}（SSL_GIS_MAX_RENDER_TILES）；请缩小缩放级别范围",
            f"{planned} tiles to render exceed the limit of {limit} (SSL_GIS_MAX_RENDER_TILES); narrow the zoom range",
        )
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(
            "CREATE TABLE metadata (name TEXT, value TEXT);"
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
            "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
        )
        written = 0
        for z in range(lo, hi + 1):
            xs, ys = _tile_ranges(bounds, z)
            for x in xs:
                for y in ys:
                    png = _draw_tile(projected, z, x, y, background, Image, ImageDraw, shapely)
                    if png is not None:
                        con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, png))
                        written += 1
            log.info("zoom %d: %d tiles so far", z, written)
        from pyproj import Transformer

        tr = Transformer.from_crs(3857, 4326, always_xy=True)
        w, s = tr.transform(bounds[0], bounds[1])
        e, n = tr.transform(bounds[2], bounds[3])
        meta = {
            "name": name, "format": "png", "type": "baselayer", "version": "1.0", "description": description,
            "attribution": attribution, "minzoom": str(lo), "maxzoom": str(hi), "crs": "EPSG:3857",
            "bounds": f"{w:.6f},{s:.6f},{e:.6f},{n:.6f}", "center": f"{(w + e) / 2:.6f},{(s + n) / 2:.6f},{lo}",
        }
        con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
        con.commit()
    finally:
        con.close()
    os.replace(tmp, out)
    return describe(out)


def _draw_tile(projected, z, x, y, background, Image, ImageDraw, shapely) -> bytes | None:  # noqa: ANN001
    minx, miny, maxx, maxy = tile_bounds_3857(z, x, y)
    res = (maxx - minx) / TILE_PX
    margin = 8 * res  # strokes and discs just outside the tile still reach into it
    box = shapely.box(minx - margin, miny - margin, maxx + margin, maxy + margin)
    img = Image.new("RGBA", (TILE_PX, TILE_PX), colour_rgba(background) if background else (0, 0, 0, 0))
    drawn = False

    def px(coords):  # noqa: ANN001, ANN202
        return [((c[0] - minx) / res, (maxy - c[1]) / res) for c in coords]

    for tree, geoms, raw in projected:
        style = {_SNAKE.get(k, k): v for k, v in raw.items()}
        hits = tree.query(box, predicate="intersects")
        if not len(hits):
            continue
        colour = colour_rgba(style.get("color"), style.get("opacity", 1.0))
        fill = colour_rgba(style.get("fillColor", style.get("color")), style.get("fillOpacity", 0.2))
        width = max(1, int(round(float(style.get("weight", 2)))))
        radius = float(style.get("radius", 4))
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for geom in geoms[hits]:
            part = shapely.clip_by_rect(geom, *box.bounds) if geom.geom_type != "Point" else geom
            for g in getattr(part, "geoms", [part]):
                if g.is_empty:
                    continue
                draw_part(layer, draw, g, px, fill=fill, colour=colour, width=width, radius=radius)
                drawn = True
        img = Image.alpha_composite(img, layer)
    if not drawn and background is None:
        return None
    if img.getchannel("A").getbbox() is None:
        return None
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
