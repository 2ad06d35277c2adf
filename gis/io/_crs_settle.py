"""Settling the CRS of a frame just read: the caller's word, the file's label, or a sniffed guess.

The common step between a format's raw reader and validation (:func:`settle_crs`): label, sniff (with
:func:`gis.crs.sniff_crs`, robust to a few stray features), swap axes, catch a label that contradicts the
numbers (degrees declared as metres, metres declared as degrees), project to EPSG:4326 and undo a declared
GCJ-02/BD-09 offset. Everything it assumed goes into the report, so the user is told.
"""

from __future__ import annotations

import logging
from collections import Counter

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38, DONGGUAN_BBOX, WGS84, CRSGuess, sniff_crs, transform_frame
from gis.errors import CRSError
from gis.report import ValidationReport

__all__ = ["settle_crs", "normalise_crs", "DATUM_NAMES"]

log = logging.getLogger(__name__)

#: Datum offsets a user may declare for degree coordinates, with their display names.
DATUM_NAMES: dict[str, str] = {"gcj02": "GCJ-02", "bd09": "BD-09"}


def normalise_crs(value: str | int | None) -> str | None:
    """Return ``"EPSG:n"`` for a CRS given as ``"epsg:4547"``, ``"4547"``, ``4547`` or a URN; None stays None.

    Parameters
    ----------
    value : str, int or None
        Anything pyproj accepts.

    Returns
    -------
    str or None
        ``"EPSG:n"`` when the CRS has an EPSG code, else its WKT-free user string.

    Raises
    ------
    gis.errors.CRSError
        When pyproj does not know the CRS.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        crs = CRS.from_user_input(text)
    except (ProjCRSError, TypeError, ValueError):
        raise CRSError(f"未知的坐标系 {text!r}（例如 EPSG:4547）", f"unknown CRS {text!r} (e.g. EPSG:4547)") from None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def _finite_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """Bounds over finite coordinates only (a NaN vertex must not spoil sniffing); None if there are none."""
    coords = shapely.get_coordinates(np.asarray(gdf.geometry.values, dtype=object))
    coords = coords[np.isfinite(coords).all(axis=1)]
    if not len(coords):
        return None
    return (float(coords[:, 0].min()), float(coords[:, 1].min()), float(coords[:, 0].max()), float(coords[:, 1].max()))


def _feature_bounds(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the features with finite coordinates and their (minx, miny, maxx, maxy), one row each."""
    coords, index = shapely.get_coordinates(np.asarray(gdf.geometry.values, dtype=object), return_index=True)
    finite = np.isfinite(coords).all(axis=1)
    coords, index = coords[finite], index[finite]
    if not len(index):
        return np.empty(0, dtype=int), np.empty((0, 4))
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])  # index is non-decreasing: geometry order
    lo = np.minimum.reduceat(coords, starts, axis=0)
    hi = np.maximum.reduceat(coords, starts, axis=0)
    return index[starts], np.column_stack([lo, hi])


def _outside_dongguan(bounds: tuple[float, float, float, float]) -> bool:
    lon0, lat0, lon1, lat1 = DONGGUAN_BBOX
    return not (lon0 <= bounds[0] and bounds[2] <= lon1 and lat0 <= bounds[1] and bounds[3] <= lat1)


def _sniff(
    gdf: gpd.GeoDataFrame, bounds: tuple[float, float, float, float], *, datum: str | None
) -> tuple[CRSGuess, list[int]]:
    """Guess the CRS of a frame from its coordinates, robust to a few stray features.

    The bounds of all coordinates decide when they fit one case of :func:`gis.crs.sniff_crs`. When
    they fit none (one point at (500, 95) among lon/lat features), or only the catch-all "degrees
    outside Dongguan" (one stray point can hide that the rest are (lat, lon)), every feature is sniffed
    on its own and the case at least half of them agree on, with no tie, wins; the features that do
    not fit it are returned (positions) for the report, and validation drops or flags them.

    Returns
    -------
    tuple
        The guess (``crs`` None when nothing fits) and the positions of the features that do not fit it.
    """
    whole = sniff_crs(bounds, declared=datum)  # type: ignore[arg-type]
    if whole.crs is not None and (whole.swap_xy or whole.crs != WGS84 or not _outside_dongguan(bounds)):
        return whole, []
    positions, rows = _feature_bounds(gdf)
    if len(positions) < 2:
        return whole, []
    # A few µs a feature: only files the bounds could not settle pay for it (~1 s per 200 000 features).
    keys = [(g.crs, g.swap_xy) for g in (sniff_crs(tuple(r)) for r in rows)]
    counts = Counter(k for k in keys if k[0] is not None).most_common(2)
    if not counts:
        return whole, []
    best, votes = counts[0]
    if (len(counts) > 1 and counts[1][1] == votes) or 2 * votes < len(positions):
        log.debug("features disagree on the CRS: %s", counts)
        return whole, []
    agree = np.array([k == best for k in keys])
    members = rows[agree]
    guess = sniff_crs(
        (members[:, 0].min(), members[:, 1].min(), members[:, 2].max(), members[:, 3].max()), declared=datum  # type: ignore[arg-type]
    )
    if (guess.crs, guess.swap_xy) != best:  # cannot happen with sniff_crs's boxes; be safe rather than wrong
        return whole, []
    return guess, [int(i) for i in positions[~agree]]


def _report_outliers(report: ValidationReport, outliers: list[int], crs: str) -> None:
    if not outliers:
        return
    shown = ", ".join(str(i) for i in outliers[:10]) + ("…" if len(outliers) > 10 else "")
    report.add_problem(
        None,
        "crs_outliers",
        f"{len(outliers)} 个要素的坐标不符合其余要素一致的坐标系 {crs}（第 {shown} 个），见其后的检查结果",
        f"{len(outliers)} feature(s) do not fit {crs}, which the other features agree on (features {shown}); see the checks below",
    )


def _swap_xy(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out[out.geometry.name] = shapely.transform(np.asarray(gdf.geometry.values, dtype=object), lambda c: c[:, ::-1])
    return out


def _is_geographic_4326_like(crs: CRS) -> bool:
    """WGS 84 or CGCS2000 degrees (read as the same datum, centimetres apart)."""
    return crs.to_epsg() in (4326, 4490, 4258, 4979, 4480) or crs.equals(WGS84, ignore_axis_order=True)


def _looks_like_degrees(bounds: tuple[float, float, float, float]) -> bool:
    """Every coordinate within ±180 (either axis), so possibly degrees in either order."""
    return all(-180.0 <= v <= 180.0 for v in bounds)


def _degrees_under_projected_label(
    gdf: gpd.GeoDataFrame, report: ValidationReport, bounds: tuple[float, float, float, float], *, source: CRS, datum: str | None, name: str
) -> tuple[gpd.GeoDataFrame, CRS]:
    """Re-read degrees declared as a projected CRS as WGS 84 when they lie in Dongguan; refuse otherwise.

    Returns
    -------
    tuple
        The frame (axes swapped when it was (lat, lon)) and EPSG:4326 as its source CRS.

    Raises
    ------
    gis.errors.CRSError
        When the degrees are not around Dongguan: nothing says which CRS they are in.
    """
    label = normalise_crs(source.to_string()) or source.name
    guess, outliers = _sniff(gdf, bounds, datum=None)
    inside = guess.crs == WGS84 and (guess.swap_xy or not _outside_dongguan(bounds))
    if not inside:
        raise CRSError(
            f"{name}：声明的坐标系是 {label}（投影坐标，单位米），但坐标都在 ±180 之内，像是经纬度且不在东莞；"
            "请确认并指定坐标系",
            f"{name}: declares {label} (projected, metres) but every coordinate is within ±180, like degrees, and"
            " not around Dongguan; check and name the CRS",
            choice="crs",
        )
    if guess.swap_xy:
        gdf = _swap_xy(gdf)
    zh = f"文件声明 {label}（投影坐标，米），但坐标是经纬度；已按 WGS 84 经纬度读取，请核对"
    en = f"the file declares {label} (projected, metres) but holds degrees; read as WGS 84 degrees, please check"
    report.crs_assumed = f"{WGS84}: {zh}；{guess.note_zh} / {en}; {guess.note_en}"
    report.add_problem(None, "crs_declared_projected_holds_degrees", zh, en)
    _report_outliers(report, outliers, WGS84)
    return gdf, CRS.from_user_input(WGS84)


def settle_crs(gdf: gpd.GeoDataFrame, report: ValidationReport, *, crs: str | None, datum: str | None, name: str) -> gpd.GeoDataFrame:
    """Label, sniff, swap and project to EPSG:4326; then undo a declared GCJ-02/BD-09 offset.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A raw reader's frame, in the file's CRS or with ``crs=None``.
    report : gis.report.ValidationReport
        Receives ``crs_assumed`` and any CRS problem (outliers, a label contradicting the numbers).
    crs : str, optional, keyword-only
        The caller's CRS; overrides the file's label.
    datum : {"gcj02", "bd09"}, optional, keyword-only
        The caller's word that degree coordinates carry that offset.
    name : str, keyword-only
        The file's name as the user knows it, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4326 (degrees, lon/lat).

    Raises
    ------
    gis.errors.CRSError
        When the CRS cannot be told, or a projected label sits over degrees outside Dongguan.
    """
    declared_by_file = gdf.crs is not None
    source: CRS | None
    if crs is not None:
        source = CRS.from_user_input(normalise_crs(crs))
    elif declared_by_file:
        source = CRS.from_user_input(gdf.crs)
    else:
        source = None
    bounds = _finite_bounds(gdf) if len(gdf) else None

    if source is None:
        if bounds is None:  # nothing to sniff: no usable coordinates at all; validation will say so
            return gdf.set_crs(WGS84, allow_override=True)
        guess, outliers = _sniff(gdf, bounds, datum=datum)
        if guess.crs is None:
            raise CRSError(
                f"{name}：{guess.note_zh}；请指定坐标系（例如 EPSG:4547）",
                f"{name}: {guess.note_en}; name the CRS (e.g. EPSG:4547)",
                choice="crs",
            )
        if guess.swap_xy:
            gdf = _swap_xy(gdf)
        report.crs_assumed = f"{guess.crs}: {guess.note}"
        _report_outliers(report, outliers, guess.crs)
        source = CRS.from_user_input(guess.crs)
        datum_done_in_note = True
    else:
        datum_done_in_note = False
        if source.is_geographic and bounds is not None:
            guess, outliers = _sniff(gdf, bounds, datum=None)
            label = normalise_crs(source.to_string()) or source.name
            if guess.swap_xy and guess.crs == WGS84:
                # Declares degrees but holds (lat, lon): common with legacy URNs of EPSG:4326.
                gdf = _swap_xy(gdf)
                report.crs_assumed = f"{label}: {guess.note}"
                _report_outliers(report, outliers, guess.crs)
            elif guess.crs in (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38):
                # Declares degrees but holds Dongguan metres: the label is wrong, the numbers are not.
                if guess.swap_xy:
                    gdf = _swap_xy(gdf)
                report.crs_assumed = (
                    f"{guess.crs}: 文件声明 {label} 但坐标为米制；{guess.note_zh} / "
                    f"the file declares {label} but holds metres; {guess.note_en}"
                )
                _report_outliers(report, outliers, guess.crs)
                source = CRS.from_user_input(guess.crs)
        elif bounds is not None and _looks_like_degrees(bounds):
            # Declares a projected CRS (metres) but every coordinate is within ±180/±90: degrees under a
            # wrong label. Taken as metres they would land ~100 m from the projection's origin (0°N).
            gdf, source = _degrees_under_projected_label(gdf, report, bounds, source=source, datum=datum, name=name)

    if _is_geographic_4326_like(source):
        out = gdf.set_crs(WGS84, allow_override=True)
    else:
        out = gdf.set_crs(source, allow_override=True).to_crs(WGS84)

    if datum is not None:
        if not source.is_geographic:
            report.add_problem(
                None,
                "datum_ignored",
                f"坐标为投影坐标 ({source.name})，忽略 {DATUM_NAMES[datum]} 说明",
                f"coordinates are projected ({source.name}); the {DATUM_NAMES[datum]} declaration was ignored",
            )
        else:
            out = transform_frame(out, "gcj02-to-wgs84" if datum == "gcj02" else "bd09-to-wgs84")
            if not datum_done_in_note:
                note = f"{DATUM_NAMES[datum]} → WGS 84: 按用户说明已转换 / converted as declared by the user"
                report.crs_assumed = f"{report.crs_assumed}; {note}" if report.crs_assumed else note
    return out
