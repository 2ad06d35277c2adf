"""Surveyor deliverables: the 界址点坐标表, the 勘测定界 coordinate TXT (in and out) and the surveyor pack.

Conventions shared by every writer here (DESIGN.md, "Surveyor deliverables"):

* Coordinates are CGCS2000 3-degree Gauss-Krüger, central meridian 114°E (zone 38): EPSG:4547 (eastings
  without the zone prefix, e.g. 489700.000) or EPSG:4526 (eastings with the ``38`` prefix, 38489700.000).
* X is the northing and Y the easting, as Chinese surveying tables put them, in metres to 3 decimals.
* Every ring starts at its north-westernmost vertex — the one farthest towards the north-west, i.e. the
  largest ``northing − easting`` (ties: the more northerly) — and runs **clockwise** seen on a north-up
  map for outer boundaries (the way 界址点 are numbered in Chinese tables), **anticlockwise** for holes.
  Each ring ends by repeating its first point. Points are numbered J1…Jn through all rings of a parcel
  (a hole's points continue the count), and each ring carries its 圈号 (1, 2, … within the parcel; the
  rings of a multipolygon are numbered part by part, each part's holes right after its outer ring).
* Areas are computed with :mod:`gis.area` on EPSG:4547, never read from attributes; 1 亩 = 10000/15 m².

The TXT format is the national 建设用地报批 / 勘测定界 coordinate exchange text: an ``[属性描述]`` block,
then ``[地块坐标]`` with one header line per parcel (界址点数, 地块面积 in **公顷** as that format specifies,
地块编号, 地块名称, 记录图形属性 = 面, 图幅号, 地块用途, 地类编码, ``@``) followed by its points as
``点号,圈号,X,Y``. It is written in GB18030 by default (byte-identical to GBK for the characters GBK has,
which is what the 报盘 tools in the wild read) with CRLF line ends; the reader detects UTF-8 (with or
without BOM), UTF-16 and GB18030/GBK.

This module is the public face and makes the pack; the parts live in private modules by concern:
``_survey_parcels`` (a frame as numbered rings in surveyor metres), ``_survey_table`` (the 界址点坐标表)
and ``_survey_txt`` (the TXT writer and reader).
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd

from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38
from gis.errors import CRSError, InputError, LimitExceeded
from gis.io._survey_parcels import (
    ILLUSTRATIVE_NOTE,
    ILLUSTRATIVE_ZH,
    SURVEYOR_CRS,
    crs_lines,
    illustrative_mask,
    mark_illustrative,
    surveyor_crs,
)
from gis.io._survey_table import write_boundary_points
from gis.io._survey_txt import read_survey_txt, write_survey_txt

__all__ = [
    "SURVEYOR_CRS",
    "SURVEY_FORMATS",
    "ILLUSTRATIVE_ZH",
    "ILLUSTRATIVE_NOTE",
    "illustrative_mask",
    "mark_illustrative",
    "count_illustrative",
    "refuse_illustrative",
    "write_boundary_points",
    "write_survey_txt",
    "read_survey_txt",
    "write_survey_pack",
]

log = logging.getLogger(__name__)

#: Output formats a surveyor takes as survey: illustrative features go into them only when asked for.
SURVEY_FORMATS: tuple[str, ...] = ("survey-txt", "boundary-points", "survey-pack", "dxf", "geojson-surveyor")


def count_illustrative(gdf: gpd.GeoDataFrame) -> int:
    """How many features of ``gdf`` are illustrative (``illustrative`` true; see :func:`illustrative_mask`).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any frame.

    Returns
    -------
    int
        The count (0 without an ``illustrative`` column).
    """
    return int(illustrative_mask(gdf).sum())


def refuse_illustrative(gdf: gpd.GeoDataFrame, fmt: str, *, allow: bool = False) -> None:
    """Refuse to write illustrative features into a survey format unless ``allow`` is set.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The features about to be written.
    fmt : str
        The output format; only :data:`SURVEY_FORMATS` are checked.
    allow : bool, keyword-only
        The user said yes (``--allow-illustrative``, or the app's confirmation box).

    Raises
    ------
    gis.errors.InputError
        ``fmt`` is a survey format, some features are illustrative and ``allow`` is false.
    """
    if allow or fmt not in SURVEY_FORMATS:
        return
    n = count_illustrative(gdf)
    if n:
        raise InputError(
            f"{n} 个要素为示意位置 (illustrative=true)，不是实测坐标；确需写入测量格式 {fmt} 须明确确认",
            f"{n} feature(s) are illustrative (illustrative=true), not surveyed; writing them to the survey format "
            f"{fmt} needs an explicit confirmation",
            choice="allow_illustrative",
        )


# --------------------------------------------------------------------------------------------------------
# Surveyor pack
# --------------------------------------------------------------------------------------------------------
def _slug(stem: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:40]
    return slug or "survey-pack"


def write_survey_pack(
    gdf: gpd.GeoDataFrame,
    path: str | Path,
    *,
    crs: str = CGCS2000_GK_CM114,
    txt_crs: str = CGCS2000_GK_ZONE38,
    produced_on: str | None = None,
) -> Path:
    """Write the surveyor pack: one ZIP with the TXT, the 界址点坐标表, a labelled DXF and the GeoJSON.

    Members (``<slug>`` is made from the ZIP's file name, ASCII letters, digits, ``-`` and ``_`` only, never
    from feature names): ``<slug>_kcdj.txt`` (勘测定界 TXT, :func:`write_survey_txt`, in ``txt_crs``),
    ``<slug>_jzd.xlsx`` (:func:`write_boundary_points`, in ``crs``; ``.csv`` when a sheet cannot hold it), ``<slug>.dxf`` (labelled,
    :func:`gis.io.dxf.write_dxf`, in ``crs``), ``<slug>.geojson`` (RFC 7946, EPSG:4326,
    :func:`gis.io.geojson.write_geojson`), ``<slug>_4547.geojson`` (or ``_4526``: the surveyor GeoJSON in
    ``crs`` naming its CRS, :func:`gis.io.geojson.write_geojson_surveyor`) and ``README.txt`` (UTF-8 with BOM:
    the files, their CRS and the date).
    With no polygon in ``gdf`` the TXT and the table are left out and the README says why.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The selection, with a CRS (any).
    path : str or pathlib.Path
        Output ``.zip``.
    crs : {"EPSG:4547", "EPSG:4526"}, keyword-only
        CRS of the table and the DXF.
    txt_crs : {"EPSG:4526", "EPSG:4547"}, keyword-only
        CRS of the TXT; EPSG:4526 by default because the format's 带号=38 goes with prefixed eastings.
    produced_on : str, optional, keyword-only
        Date written in the files (``YYYY-MM-DD``); today by default.

    Returns
    -------
    pathlib.Path
        The written ZIP.
    """
    from gis.io.dxf import write_dxf  # written alongside; imported when a pack is made
    from gis.io.geojson import write_geojson, write_geojson_surveyor

    path = Path(path)
    crs, txt_crs = surveyor_crs(crs), surveyor_crs(txt_crs)
    if gdf.crs is None:
        raise CRSError("要素没有坐标系，无法输出测量成果", "features have no CRS; cannot write surveyor files")
    produced_on = produced_on or _dt.date.today().isoformat()
    slug = _slug(path.stem)
    geoms = gdf.geometry
    has_polygons = bool((geoms.notna() & ~geoms.is_empty & geoms.geom_type.isin(["Polygon", "MultiPolygon"])).any())
    lines = [
        "松山湖规划 GIS · 测量成果包 / Songshan Lake Plan GIS surveyor pack",
        f"生成日期 / produced: {produced_on}",
        f"要素数 / features: {len(gdf)}",
    ]
    shown = illustrative_mask(gdf)
    if shown.any():
        ids = gdf["id"].astype(str).to_numpy()[shown] if "id" in gdf.columns else (shown.nonzero()[0] + 1).astype(str)
        listed = ", ".join(ids[:50]) + (f", … (+{len(ids) - 50})" if len(ids) > 50 else "")
        lines += [
            "",
            f"!! {ILLUSTRATIVE_ZH} / ILLUSTRATIVE: {int(shown.sum())} 个要素 / feature(s) — {ILLUSTRATIVE_NOTE}",
            f"   {ILLUSTRATIVE_ZH}要素 / illustrative: {listed}",
            f"   (TXT 地块名称标“（{ILLUSTRATIVE_ZH}）”; 界址点坐标表逐块标注; DXF 图层以 “{ILLUSTRATIVE_ZH}_” 开头; "
            f"GeoJSON 属性 “{ILLUSTRATIVE_ZH}”)",
        ]
    lines += [
        "",
        "文件 / files:",
    ]
    with tempfile.TemporaryDirectory(prefix="survey-pack-") as tmp:
        folder = Path(tmp)
        members: list[Path] = []
        if has_polygons:
            members.append(write_survey_txt(gdf, folder / f"{slug}_kcdj.txt", crs=txt_crs, produced_on=produced_on))
            lines.append(f"  {members[-1].name}  勘测定界坐标 TXT (GB18030), {txt_crs}, X=北 Y=东, 面积单位 公顷")
            try:
                members.append(write_boundary_points(gdf, folder / f"{slug}_jzd.xlsx", crs=crs, produced_on=produced_on))
            except LimitExceeded:  # more rows than a sheet holds: the same table as CSV
                members.append(write_boundary_points(gdf, folder / f"{slug}_jzd.csv", crs=crs, produced_on=produced_on))
            lines.append(f"  {members[-1].name}  界址点坐标表, {crs}, X=北 Y=东 (米), 面积 m² 与 亩")
        else:
            lines.append("  (没有面要素，未生成 TXT 与界址点坐标表 / no polygons: no TXT and no boundary point table)")
        members.append(write_dxf(gdf, folder / f"{slug}.dxf", crs=crs))
        lines.append(f"  {members[-1].name}  DXF (CAD), {crs}, 米 / metres, labelled with name_zh")
        members.append(write_geojson(mark_illustrative(gdf), folder / f"{slug}.geojson"))
        lines.append(f"  {members[-1].name}  GeoJSON (RFC 7946), EPSG:4326 WGS 84, 经度,纬度 / lon, lat")
        members.append(write_geojson_surveyor(gdf, folder / f"{slug}_{crs.split(':')[1]}.geojson", crs=crs))
        lines.append(f"  {members[-1].name}  GeoJSON (测量版 / surveyor), {crs}, 东坐标,北坐标 (米), 含 crs 成员")
        zh, en = crs_lines(crs)
        lines += ["", "界址点坐标表、DXF 与测量版 GeoJSON / table, DXF and surveyor GeoJSON:", zh, en]
        if has_polygons and txt_crs != crs:
            lines += ["勘测定界 TXT / the TXT:", *crs_lines(txt_crs)]
        lines += ["", "面积按 EPSG:4547 计算; 1 亩 = 10000/15 m²; 界址点自西北角起顺时针编号, X=北坐标 Y=东坐标", ""]
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            # With a BOM, so that older Windows Notepad shows the Chinese too.
            zf.writestr("README.txt", "\r\n".join(lines).encode("utf-8-sig"))
            for member in members:
                zf.write(member, arcname=member.name)
    log.info("survey: wrote the surveyor pack %s (%d files)", path.name, len(members) + 1)
    return path
