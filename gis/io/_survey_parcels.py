"""Parcels as rings of surveyed points: the model shared by the 界址点坐标表 and the 勘测定界 TXT writers.

Private to :mod:`gis.io.survey`, whose docstring states the conventions (CRS, X = northing, start vertex,
direction, numbering). Here a frame becomes numbered rings in EPSG:4547 or EPSG:4526 metres.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry import MultiPolygon
from shapely.geometry.polygon import orient

from gis.area import area_m2
from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38
from gis.errors import CRSError, InputError

__all__ = [
    "SURVEYOR_CRS",
    "ILLUSTRATIVE_ZH",
    "ILLUSTRATIVE_NOTE",
    "Ring",
    "Parcel",
    "surveyor_crs",
    "collect_parcels",
    "crs_lines",
    "illustrative_mask",
    "mark_illustrative",
]

# The survey modules log as one: users filter on "gis.io.survey", whichever part of it speaks.
log = logging.getLogger("gis.io.survey")

#: The CRSs a surveyor deliverable may be written in.
SURVEYOR_CRS: tuple[str, ...] = (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: The mark of a feature whose geometry is illustrative (``illustrative == true``), never surveyed: in
#: every surveyor file (TXT 地块名称 and 备注, the table's header and parcel title, the pack's README, the
#: DXF layer name, the GeoJSON property of that name).
ILLUSTRATIVE_ZH: str = "示意"
#: The sentence that goes with the mark.
ILLUSTRATIVE_NOTE: str = "示意，非实测坐标，不得作为勘测定界成果 / illustrative, not surveyed: not for survey use"


@dataclass
class Ring:
    """One ring of a parcel as the deliverables number it."""

    number: int  # 圈号, 1-based within the parcel
    hole: bool
    first_j: int  # J number of the ring's first point
    xy: np.ndarray  # (n, 2) easting, northing in the output CRS, rounded to 1 mm, NOT closed


@dataclass
class Parcel:
    """One polygon row of the frame: its identity, area and numbered rings."""

    position: int  # 0-based row of the input frame
    id: str
    name_zh: str
    area_m2: float
    rings: list[Ring] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    illustrative: bool = False

    @property
    def point_lines(self) -> int:
        """Point lines in the TXT: every ring's points plus its closing point."""
        return sum(len(r.xy) + 1 for r in self.rings)


def surveyor_crs(crs: str | int | None) -> str:
    """Normalise ``crs`` to ``"EPSG:4547"`` or ``"EPSG:4526"``; anything else is refused."""
    try:
        wanted = CRS.from_user_input(crs if crs is not None else CGCS2000_GK_CM114)
    except Exception as exc:  # pyproj raises CRSError subclasses of various kinds
        raise CRSError(f"无法识别的坐标系 {crs!r}", f"unknown CRS {crs!r}") from exc
    for name in SURVEYOR_CRS:
        if wanted.equals(CRS.from_user_input(name)):
            return name
    raise CRSError(
        f"测量成果只能输出为 EPSG:4547 或 EPSG:4526，而不是 {crs}",
        f"surveyor files are written in EPSG:4547 or EPSG:4526, not {crs}",
    )


def _text(value: object) -> str:
    """A cell of the frame as text ('' for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    # Control characters have no place in a name and are illegal in xlsx XML.
    return _CONTROL.sub(" ", str(value)).strip()


def illustrative_mask(gdf: pd.DataFrame) -> np.ndarray:
    """Which rows are illustrative: ``illustrative`` true (bool, 1, or the text true/1/yes/是/示意).

    Parameters
    ----------
    gdf : pandas.DataFrame or geopandas.GeoDataFrame
        Any frame; without an ``illustrative`` column no row is illustrative.

    Returns
    -------
    numpy.ndarray of bool
        One flag per row.
    """
    if "illustrative" not in gdf.columns:
        return np.zeros(len(gdf), dtype=bool)
    values = gdf["illustrative"].astype(object).to_numpy()
    return np.array([_truthy(v) for v in values], dtype=bool)


def _truthy(value: object) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "y", "t", "是", ILLUSTRATIVE_ZH}
    return bool(value)


def mark_illustrative(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` whose illustrative rows carry the property ``示意`` (:data:`ILLUSTRATIVE_NOTE`).

    Used for the GeoJSON deliverables; ``gdf`` itself is returned when no row is illustrative.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in any CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        The frame, with a ``示意`` column (the note on illustrative rows, missing on the others).
    """
    mask = illustrative_mask(gdf)
    if not mask.any():
        return gdf
    out = gdf.copy()
    out[ILLUSTRATIVE_ZH] = pd.Series(np.where(mask, ILLUSTRATIVE_NOTE, None), index=gdf.index, dtype=object)
    return out


def _ring_points(ring: object) -> np.ndarray:
    """Open ring (no closing point) rounded to 1 mm, rotated to start at its north-westernmost vertex."""
    xy = np.round(np.asarray(ring.coords, dtype="float64")[:, :2], 3)  # type: ignore[attr-defined]
    if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
        xy = xy[:-1]
    # Vertices closer than 1 mm collapse when rounded; keep one of them.
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
    xy = xy[keep]
    if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
        xy = xy[:-1]
    if len(xy) < 3:
        return xy
    nw = xy[:, 1] - xy[:, 0]  # northing − easting grows towards the north-west
    best = np.flatnonzero(nw >= nw.max() - 1e-9)
    start = int(best[np.argmax(xy[best, 1])])
    return np.roll(xy, -start, axis=0)


def collect_parcels(gdf: gpd.GeoDataFrame, crs: str) -> list[Parcel]:
    """Project ``gdf`` to ``crs`` and turn its polygon rows into numbered rings."""
    if gdf.crs is None:
        raise CRSError("要素没有坐标系，无法输出测量成果", "features have no CRS; cannot write surveyor files")
    geoms = gdf.geometry
    is_area = geoms.notna() & ~geoms.is_empty & geoms.geom_type.isin(["Polygon", "MultiPolygon"])
    skipped = int((~is_area).sum())
    if skipped:
        log.warning("survey: %d feature(s) are not polygons and have no 界址点; skipped", skipped)
    if not is_area.any():
        raise InputError("没有面要素，无法生成界址点成果", "no polygon features: nothing to write as boundary points")
    mask = is_area.to_numpy()
    illustrative = illustrative_mask(gdf)
    areas = area_m2(gdf.loc[mask]).to_numpy()
    projected = geoms.loc[mask].to_crs(crs).to_numpy()
    parcels: list[Parcel] = []
    for k, position in enumerate(np.flatnonzero(mask)):
        row = gdf.iloc[position]
        ident = _text(row["id"]) if "id" in gdf.columns else ""
        parcel = Parcel(
            position=int(position),
            id=ident or str(position + 1),
            name_zh=_text(row["name_zh"]) if "name_zh" in gdf.columns else "",
            area_m2=float(areas[k]),
            attrs={c: _text(row[c]) for c in ("map_sheet", "land_use", "land_class") if c in gdf.columns},
            illustrative=bool(illustrative[position]),
        )
        geom = projected[k]
        parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
        j = 1
        for part in parts:
            part = orient(part, sign=-1.0)  # exterior clockwise, holes anticlockwise (map view)
            for hole, ring in [(False, part.exterior), *[(True, r) for r in part.interiors]]:
                xy = _ring_points(ring)
                if len(xy) < 3:
                    log.warning("survey: a ring of feature %s has under 3 distinct points at 1 mm; skipped", parcel.id)
                    if not hole:
                        break  # no outer boundary: the part's holes mean nothing
                    continue
                parcel.rings.append(Ring(len(parcel.rings) + 1, hole, j, xy))
                j += len(xy)
        if parcel.rings:
            parcels.append(parcel)
    if not parcels:
        raise InputError("所有面要素都小于 1 毫米，无法生成界址点", "every polygon collapses below 1 mm; no boundary points to write")
    return parcels


def crs_lines(crs: str) -> tuple[str, str]:
    """The CRS statement of every deliverable, in Chinese and English."""
    if crs == CGCS2000_GK_ZONE38:
        prefix_zh, prefix_en = "Y 坐标含带号前缀 38 (如 38489700.000)", "Y carries the zone prefix 38 (e.g. 38489700.000)"
    else:
        prefix_zh, prefix_en = "Y 坐标不加带号前缀 (如 489700.000)", "Y without the zone prefix (e.g. 489700.000)"
    zh = f"坐标系: 2000国家大地坐标系 (CGCS2000), 高斯-克吕格投影, 3度带, 中央经线114° (第38带), {crs}; {prefix_zh}"
    en = f"CRS: CGCS2000 / 3-degree Gauss-Kruger, central meridian 114E (zone 38), {crs}; {prefix_en}"
    return zh, en
