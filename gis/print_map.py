"""出图: print-ready maps (PNG and PDF, A4/A3 landscape) of frames in a given extent, offline.

The map itself is drawn with Pillow into a raster (the same drawing rules as :mod:`gis.tile_render`), in Web
Mercator so it matches what the browser showed; everything around it — title, legend, scale bar, north
arrow, date, sources and the disclaimer — is laid out once in millimetres and drawn twice: by Pillow for
the PNG and by fpdf2 as real PDF text and vectors (so a PDF's words can be searched, copied and checked).
This module knows no plan: frames, styles and the sheet's texts are passed in (see ``layers.print_map``).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gis import settings
from gis.errors import InputError
from gis.tile_render import colour_rgba as _rgba
from gis.tile_render import draw_part

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "PAPERS", "LegendEntry", "Sheet", "map_png", "map_pdf", "scale_bar_m", "font_path", "package_background", "drawn_extent",
]

#: Paper sizes in millimetres, landscape (width, height).
PAPERS: dict[str, tuple[float, float]] = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
_MARGIN_MM = 10.0
_TITLE_MM = 14.0
_FOOT_MM = 16.0
_PANEL_MM = 62.0
_MM_PER_IN = 25.4
_HALF_WORLD_M = 20037508.342789244


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: a swatch and its label.

    Attributes
    ----------
    label : str
        Plain text (never markup).
    color : str
        CSS ``#rrggbb`` colour of the swatch.
    kind : {"fill", "line", "point"}
        Swatch shape.
    indent : bool
        Drawn indented (a status under its layer).
    """

    label: str
    color: str
    kind: str = "fill"
    indent: bool = False


@dataclass(frozen=True)
class Sheet:
    """The texts and extent of one printed map.

    Attributes
    ----------
    title : str
        Title printed at the top.
    extent : (west, south, east, north)
        Degrees (EPSG:4326); widened to the map frame's proportions, never cut.
    legend : sequence of LegendEntry
        Legend rows, top first.
    date_text : str
        The date line (e.g. ``出图日期 2026-11-29 · 数据截至 2020-12-31``).
    sources : sequence of str
        Data-source lines.
    disclaimer : str, optional
        Printed in red under the map when set (the 示意 notice when illustrative features are shown).
    legend_title : str
        Heading of the legend panel.
    north_label : str
        Letter(s) under the north arrow.
    """

    title: str
    extent: tuple[float, float, float, float]
    legend: Sequence[LegendEntry] = ()
    date_text: str = ""
    sources: Sequence[str] = ()
    disclaimer: str | None = None
    legend_title: str = "图例 Legend"
    north_label: str = "北 N"


@dataclass
class _Layout:
    page_mm: tuple[float, float]
    map_box: tuple[float, float, float, float]  # x, y, w, h in mm from the top-left
    extent_3857: tuple[float, float, float, float]
    scale_m: float
    scale_mm: float
    items: list[tuple[Any, ...]] = field(default_factory=list)


def font_path() -> tuple[str, int]:
    """The first installed font with Chinese glyphs from :data:`gis.settings.PRINT_FONTS`.

    Returns
    -------
    (str, int)
        File path and index in a ``.ttc`` collection.

    Raises
    ------
    gis.errors.InputError
        No such font is installed (Debian: ``apt-get install fonts-noto-cjk``).
    """
    for path, index in settings.PRINT_FONTS:
        if Path(path).is_file():
            return path, index
    raise InputError(
        "出图需要中文字体：请安装 fonts-noto-cjk，或用 SSL_GIS_PRINT_FONT 指定字体文件",
        "printing needs a Chinese font: install fonts-noto-cjk or name a font file in SSL_GIS_PRINT_FONT",
    )


def _to_3857(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0), -85.0)
    x = lon * _HALF_WORLD_M / 180.0
    y = math.log(math.tan((90.0 + lat) * math.pi / 360.0)) * _HALF_WORLD_M / math.pi
    return x, y


def scale_bar_m(ground_width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) close to a quarter of ``ground_width_m``.

    Parameters
    ----------
    ground_width_m : float
        Ground distance across the map frame in metres.

    Returns
    -------
    float
        Bar length in metres.
    """
    target = max(ground_width_m / 4.0, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return float(max(step * power for step in (1, 2, 5) if step * power <= target))


def _layout(sheet: Sheet, paper: str) -> _Layout:
    if paper not in PAPERS:
        raise InputError(f"未知纸张 {paper!r}（可选 A4、A3）", f"unknown paper {paper!r} (A4 or A3)")
    west, south, east, north = (float(v) for v in sheet.extent)
    if not (west < east and south < north) or not all(math.isfinite(v) for v in (west, south, east, north)):
        raise InputError("出图范围无效", "the print extent is not valid")
    pw, ph = PAPERS[paper]
    box = (_MARGIN_MM, _MARGIN_MM + _TITLE_MM, pw - 2 * _MARGIN_MM - _PANEL_MM - 4, ph - 2 * _MARGIN_MM - _TITLE_MM - _FOOT_MM)
    x0, y0 = _to_3857(west, south)
    x1, y1 = _to_3857(east, north)
    # widen the extent to the frame's proportions (never crop what the user saw)
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    if w / h < box[2] / box[3]:
        w = h * box[2] / box[3]
    else:
        h = w * box[3] / box[2]
    ext = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    lat_c = math.degrees(2 * math.atan(math.exp(cy * math.pi / _HALF_WORLD_M)) - math.pi / 2)
    ground_w = w * math.cos(math.radians(lat_c))  # Web Mercator stretches by 1/cos(lat)
    bar = scale_bar_m(ground_w)
    return _Layout((pw, ph), box, ext, bar, bar / ground_w * box[2])


def drawn_extent(extent: Sequence[float], *, paper: str = "A4") -> tuple[float, float, float, float]:
    """The ground a sheet's map frame shows: ``extent`` widened to the frame's proportions on ``paper``.

    Parameters
    ----------
    extent : (west, south, east, north)
        The view asked for, degrees (EPSG:4326).
    paper : {"A4", "A3"}, keyword-only
        Landscape paper (:data:`PAPERS`).

    Returns
    -------
    (west, south, east, north)
        Degrees (EPSG:4326); contains ``extent``. A feature is on the sheet when it intersects this box.

    Raises
    ------
    gis.errors.InputError
        Unknown paper or an extent that is not a box.
    """
    minx, miny, maxx, maxy = _layout(Sheet(title="", extent=tuple(float(v) for v in extent)), paper).extent_3857  # type: ignore[arg-type]

    def lonlat(x: float, y: float) -> tuple[float, float]:
        return x * 180.0 / _HALF_WORLD_M, math.degrees(2 * math.atan(math.exp(y * math.pi / _HALF_WORLD_M)) - math.pi / 2)

    (west, south), (east, north) = lonlat(minx, miny), lonlat(maxx, maxy)
    return west, south, east, north


def package_background(package: Any, extent_3857: tuple[float, float, float, float], size_px: tuple[int, int]) -> Any:
    """A basemap image of ``extent_3857`` mosaicked from a Web Mercator tile package (:mod:`gis.tiles`).

    Parameters
    ----------
    package : gis.tiles.TilePackage
        An open package whose ``info.tiling`` is ``"webmercator"`` (others give None: their tiles would not
        sit under the data without a shift).
    extent_3857 : (minx, miny, maxx, maxy)
        Metres, EPSG:3857.
    size_px : (int, int)
        Width and height of the image wanted.

    Returns
    -------
    PIL.Image.Image or None
        RGBA image of ``size_px``; None when the package has no tile there or another tiling.
    """
    from PIL import Image

    if package is None or getattr(package.info, "tiling", "") != "webmercator":
        return None
    minx, miny, maxx, maxy = extent_3857
    world = 2 * _HALF_WORLD_M
    want = math.log2(world * size_px[0] / (256 * (maxx - minx)))  # zoom whose tiles match the print's pixels
    z = int(max(package.info.minzoom, min(package.info.maxzoom, math.ceil(want))))
    tile_m = world / 2**z
    x0, x1 = int((minx + _HALF_WORLD_M) // tile_m), int((maxx + _HALF_WORLD_M) // tile_m)
    y0, y1 = int((_HALF_WORLD_M - maxy) // tile_m), int((_HALF_WORLD_M - miny) // tile_m)
    if (x1 - x0 + 1) * (y1 - y0 + 1) > 400:  # a guard: a sheet never needs more than a few dozen tiles
        return None
    mosaic = Image.new("RGBA", ((x1 - x0 + 1) * 256, (y1 - y0 + 1) * 256), (0, 0, 0, 0))
    found = False
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            got = package.tile(z, x, y)
            if got is None:
                continue
            try:
                tile = Image.open(io.BytesIO(got[0])).convert("RGBA").resize((256, 256))
            except OSError:
                continue
            mosaic.paste(tile, ((x - x0) * 256, (y - y0) * 256))
            found = True
    if not found:
        return None
    left = (minx + _HALF_WORLD_M - x0 * tile_m) / tile_m * 256
    top = (_HALF_WORLD_M - maxy - y0 * tile_m) / tile_m * 256
    right = left + (maxx - minx) / tile_m * 256
    bottom = top + (maxy - miny) / tile_m * 256
    return mosaic.crop((int(left), int(top), int(math.ceil(right)), int(math.ceil(bottom)))).resize(size_px)


def _map_raster(
    frames: Sequence[tuple[gpd.GeoDataFrame, Mapping[str, Any]]], lay: _Layout, dpi: int, basemap: Any = None
) -> Any:
    """The map frame as a Pillow RGB image (white, with a tile package's basemap under the data if given)."""
    import shapely
    from PIL import Image, ImageDraw

    wpx = max(1, int(round(lay.map_box[2] / _MM_PER_IN * dpi)))
    hpx = max(1, int(round(lay.map_box[3] / _MM_PER_IN * dpi)))
    img = Image.new("RGBA", (wpx, hpx), (255, 255, 255, 255))
    background = package_background(basemap, lay.extent_3857, (wpx, hpx)) if basemap is not None else None
    if background is not None:
        img.alpha_composite(background)
    minx, miny, maxx, maxy = lay.extent_3857
    res = (maxx - minx) / wpx
    px_scale = dpi / 96.0  # Leaflet styles are in CSS pixels (96 per inch)
    clip = shapely.box(minx - 50 * res, miny - 50 * res, maxx + 50 * res, maxy + 50 * res)

    def px(coords: Any) -> list[tuple[float, float]]:
        return [((c[0] - minx) / res, (maxy - c[1]) / res) for c in coords]

    for gdf, raw in frames:
        if gdf is None or len(gdf) == 0:
            continue
        style = {{"fill_color": "fillColor", "fill_opacity": "fillOpacity"}.get(k, k): v for k, v in raw.items()}
        geoms = gdf.to_crs("EPSG:3857").geometry.values
        colour = _rgba(style.get("color"), style.get("opacity", 1.0))
        fill = _rgba(style.get("fillColor", style.get("color")), style.get("fillOpacity", 0.2))
        width = max(1, int(round(float(style.get("weight", 2)) * px_scale)))
        radius = float(style.get("radius", 5)) * px_scale
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for geom in geoms:
            if geom is None or geom.is_empty or not geom.intersects(clip):
                continue
            part = shapely.clip_by_rect(geom, *clip.bounds) if geom.geom_type != "Point" else geom
            for g in getattr(part, "geoms", [part]):
                if not g.is_empty:
                    draw_part(layer, draw, g, px, fill=fill, colour=colour, width=width, radius=radius)
        img = Image.alpha_composite(img, layer)
    return img.convert("RGB")


def _distance_label(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _decorations(sheet: Sheet, lay: _Layout) -> list[tuple[Any, ...]]:
    """Everything around the map as primitives in mm: ("text", x, y, size_pt, str, rgb), ("rect", …), ("line", …), ("poly", …)."""
    pw, ph = lay.page_mm
    mx, my, mw, mh = lay.map_box
    ink, red = (20, 20, 20), (192, 57, 43)
    out: list[tuple[Any, ...]] = [("text", _MARGIN_MM, _MARGIN_MM, 16, sheet.title, ink)]
    out.append(("frame", mx, my, mw, mh))
    # right panel: north arrow, scale bar, legend
    px0 = mx + mw + 4
    out.append(("poly", [(px0 + 10, my + 2), (px0 + 5, my + 16), (px0 + 10, my + 12), (px0 + 15, my + 16)], ink))
    out.append(("text", px0 + 4, my + 17, 9, sheet.north_label, ink))
    sy = my + 28
    seg = lay.scale_mm / 2
    out.append(("rect", px0, sy, seg, 2.0, ink, True))
    out.append(("rect", px0 + seg, sy, seg, 2.0, ink, False))
    out.append(("text", px0, sy + 3, 8, "0", ink))
    out.append(("text", px0 + lay.scale_mm - 4, sy + 3, 8, _distance_label(lay.scale_m), ink))
    ly = sy + 12
    out.append(("text", px0, ly, 11, sheet.legend_title, ink))
    ly += 7
    for entry in sheet.legend:
        if ly > my + mh - 4:
            break
        x = px0 + (4 if entry.indent else 0)
        rgb = _rgba(entry.color)[:3]
        if entry.kind == "line":
            out.append(("rect", x, ly + 1.6, 6, 1.0, rgb, True))
        elif entry.kind == "point":
            out.append(("disc", x + 3, ly + 2, 1.6, rgb))
        else:
            out.append(("rect", x, ly + 0.5, 6, 3.2, rgb, True))
        out.append(("text", x + 8, ly, 8, entry.label, ink))
        ly += 5
    fy = my + mh + 2
    if sheet.disclaimer:
        out.append(("text", _MARGIN_MM, fy, 8, sheet.disclaimer, red))
        fy += 4.5
    out.append(("text", _MARGIN_MM, fy, 7, sheet.date_text, ink))
    fy += 4
    out.append(("text", _MARGIN_MM, fy, 7, " · ".join(sheet.sources), ink))
    return out


def _check_dpi(dpi: int) -> int:
    dpi = int(dpi)
    if not 50 <= dpi <= 600:
        raise InputError(f"分辨率 {dpi} dpi 超出范围（50–600）", f"resolution {dpi} dpi out of range (50–600)")
    return dpi


def map_png(
    frames: Sequence[tuple[gpd.GeoDataFrame, Mapping[str, Any]]],
    sheet: Sheet,
    *,
    paper: str = "A4",
    dpi: int | None = None,
    basemap: Any = None,
) -> bytes:
    """The whole sheet as a PNG: the map with its title, legend, scale bar, north arrow, date and sources.

    Parameters
    ----------
    frames : sequence of (GeoDataFrame, mapping)
        Bottom first, any CRS; Leaflet-like styles (``color``, ``weight`` and ``radius`` in CSS px, …).
    sheet : Sheet
        Texts and extent.
    paper : {"A4", "A3"}, keyword-only
        Landscape paper size.
    dpi : int, optional, keyword-only
        Dots per inch (default :data:`gis.settings.PRINT_DPI`); A4 at 150 dpi is 1754 × 1240 px.
    basemap : gis.tiles.TilePackage, optional, keyword-only
        An intranet tile package (Web Mercator) drawn under the data; nothing is fetched from the internet.

    Returns
    -------
    bytes
        PNG file content.
    """
    from PIL import Image, ImageDraw, ImageFont

    dpi = _check_dpi(dpi or settings.PRINT_DPI)
    lay = _layout(sheet, paper)
    k = dpi / _MM_PER_IN
    page = Image.new("RGB", (int(round(lay.page_mm[0] * k)), int(round(lay.page_mm[1] * k))), "white")
    mx, my = lay.map_box[:2]
    page.paste(_map_raster(frames, lay, dpi, basemap), (int(round(mx * k)), int(round(my * k))))
    draw = ImageDraw.Draw(page)
    path, index = font_path()
    fonts: dict[float, Any] = {}
    for item in _decorations(sheet, lay):
        kind = item[0]
        if kind == "text":
            _, x, y, size, text, rgb = item
            if size not in fonts:
                fonts[size] = ImageFont.truetype(path, max(6, int(round(size / 72 * dpi))), index=index)
            draw.text((x * k, y * k), str(text), fill=rgb, font=fonts[size])
        elif kind == "frame":
            _, x, y, w, h = item
            draw.rectangle((x * k, y * k, (x + w) * k, (y + h) * k), outline=(60, 60, 60), width=max(1, int(k * 0.3)))
        elif kind == "rect":
            _, x, y, w, h, rgb, filled = item
            draw.rectangle((x * k, y * k, (x + w) * k, (y + h) * k), fill=rgb if filled else "white", outline=rgb)
        elif kind == "disc":
            _, x, y, r, rgb = item
            draw.ellipse(((x - r) * k, (y - r) * k, (x + r) * k, (y + r) * k), fill=rgb)
        elif kind == "poly":
            _, pts, rgb = item
            draw.polygon([(a * k, b * k) for a, b in pts], fill=rgb)
    buf = io.BytesIO()
    page.save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def map_pdf(
    frames: Sequence[tuple[gpd.GeoDataFrame, Mapping[str, Any]]],
    sheet: Sheet,
    *,
    paper: str = "A4",
    dpi: int | None = None,
    basemap: Any = None,
) -> bytes:
    """The whole sheet as a one-page PDF; every word (title, legend, sources, disclaimer) is real text.

    Parameters are those of :func:`map_png`; ``dpi`` is the resolution of the embedded map raster.

    Returns
    -------
    bytes
        PDF file content (fonts subset and embedded, so it prints the same anywhere).
    """
    from fpdf import FPDF

    dpi = _check_dpi(dpi or settings.PRINT_DPI)
    lay = _layout(sheet, paper)
    raster = _map_raster(frames, lay, dpi, basemap)
    pdf = FPDF(orientation="L", unit="mm", format=paper)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(sheet.title)
    pdf.set_creator("Songshan Lake Plan GIS")
    pdf.add_page()
    path, index = font_path()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    buf = io.BytesIO()
    raster.save(buf, format="PNG")
    mx, my, mw, mh = lay.map_box
    pdf.image(buf, x=mx, y=my, w=mw, h=mh)
    for item in _decorations(sheet, lay):
        kind = item[0]
        if kind == "text":
            _, x, y, size, text, rgb = item
            pdf.set_font("cjk", size=size)
            pdf.set_text_color(*rgb)
            pdf.text(x, y + size * 0.3528 * 0.85, str(text))  # fpdf's y is the baseline; ours the top
        elif kind == "frame":
            _, x, y, w, h = item
            pdf.set_draw_color(60, 60, 60)
            pdf.set_line_width(0.3)
            pdf.rect(x, y, w, h)
        elif kind == "rect":
            _, x, y, w, h, rgb, filled = item
            pdf.set_draw_color(*rgb)
            pdf.set_fill_color(*(rgb if filled else (255, 255, 255)))
            pdf.set_line_width(0.2)
            pdf.rect(x, y, w, h, style="DF")
        elif kind == "disc":
            _, x, y, r, rgb = item
            pdf.set_fill_color(*rgb)
            pdf.set_draw_color(*rgb)
            pdf.circle(x=x, y=y, radius=r, style="F")
        elif kind == "poly":
            _, pts, rgb = item
            pdf.set_fill_color(*rgb)
            pdf.set_draw_color(*rgb)
            pdf.polygon(pts, style="F")
    return bytes(pdf.output())
