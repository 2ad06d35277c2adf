"""The common tail of every read and the one switch of every write.

:func:`read_dispatch` checks the file size, picks the format module by extension, runs its raw reader,
settles the CRS (the caller's, the file's, or a sniffed one the user is told about), projects to
EPSG:4326, undoes a declared GCJ-02/BD-09 offset and validates. :func:`write_dispatch` maps the output
formats of :data:`gis.io.OUTPUT_FORMATS` to their writers. Neither lets an unexpected exception from a
format module reach the user as a traceback: it becomes a :class:`gis.errors.InputError` naming the file.
"""

from __future__ import annotations

import importlib
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from gis import settings
from gis import validate as _validate
from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38, DONGGUAN_BBOX, WGS84, CRSGuess, sniff_crs, transform_frame
from gis.errors import CRSError, GisError, InputError, LimitExceeded
from gis.io import INPUT_EXTENSIONS, OUTPUT_FORMATS, ReadResult, WriteResult
from gis.report import ValidationReport

__all__ = ["read_dispatch", "write_dispatch", "normalise_crs", "READERS", "WRITERS"]

log = logging.getLogger(__name__)

#: Format module → name of its raw reader.
READERS: dict[str, str] = {
    "geojson": "read_geojson",
    "gpkg": "read_gpkg",
    "shapefile": "read_shapefile",
    "kml": "read_kml",
    "csv_points": "read_csv_points",
    "dxf": "read_dxf",
    "survey": "read_survey_txt",
}

#: Output format → (module, writer function, fixed keyword arguments, default CRS, allowed CRSes or None for any).
WRITERS: dict[str, tuple[str, str, dict[str, Any], str, tuple[str, ...] | None]] = {
    "geojson": ("geojson", "write_geojson", {}, WGS84, (WGS84,)),
    "geojson-surveyor": ("geojson", "write_geojson_surveyor", {}, CGCS2000_GK_CM114, (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38)),
    "gpkg": ("gpkg", "write_gpkg", {}, WGS84, None),
    "shp": ("shapefile", "write_shapefile_zip", {}, WGS84, None),
    "kml": ("kml", "write_kml", {"kmz": False}, WGS84, (WGS84,)),
    "kmz": ("kml", "write_kml", {"kmz": True}, WGS84, (WGS84,)),
    "dxf": ("dxf", "write_dxf", {}, CGCS2000_GK_CM114, (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38)),
    "boundary-points": ("survey", "write_boundary_points", {}, CGCS2000_GK_CM114, (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38)),
    "survey-txt": ("survey", "write_survey_txt", {}, CGCS2000_GK_ZONE38, (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38)),
    "survey-pack": ("survey", "write_survey_pack", {}, CGCS2000_GK_CM114, (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38)),
}

_DATUM_NAMES = {"gcj02": "GCJ-02", "bd09": "BD-09"}

# Writers that take no ``crs`` keyword (their format fixes it).
_NO_CRS_KEYWORD = {"kml", "kmz", "geojson"}


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
            "请确认坐标系后用 --crs 指定",
            f"{name}: declares {label} (projected, metres) but every coordinate is within ±180, like degrees, and"
            " not around Dongguan; check the CRS and give it with --crs",
        )
    if guess.swap_xy:
        gdf = _swap_xy(gdf)
    zh = f"文件声明 {label}（投影坐标，米），但坐标是经纬度；已按 WGS 84 经纬度读取，请核对"
    en = f"the file declares {label} (projected, metres) but holds degrees; read as WGS 84 degrees, please check"
    report.crs_assumed = f"{WGS84}: {zh}；{guess.note_zh} / {en}; {guess.note_en}"
    report.add_problem(None, "crs_declared_projected_holds_degrees", zh, en)
    _report_outliers(report, outliers, WGS84)
    return gdf, CRS.from_user_input(WGS84)


def _check_limits(gdf: gpd.GeoDataFrame, name: str) -> None:
    if len(gdf) > settings.MAX_FEATURES:
        raise LimitExceeded(
            f"{name} 含 {len(gdf)} 个要素，超过上限 {settings.MAX_FEATURES}",
            f"{name} holds {len(gdf)} features, more than the limit of {settings.MAX_FEATURES}",
        )
    vertices = int(shapely.get_num_coordinates(np.asarray(gdf.geometry.values, dtype=object)).sum()) if len(gdf) else 0
    if vertices > settings.MAX_VERTICES:
        raise LimitExceeded(
            f"{name} 含 {vertices} 个顶点，超过上限 {settings.MAX_VERTICES}",
            f"{name} holds {vertices} vertices, more than the limit of {settings.MAX_VERTICES}",
        )


def _settle_crs(gdf: gpd.GeoDataFrame, report: ValidationReport, *, crs: str | None, datum: str | None, name: str) -> gpd.GeoDataFrame:
    """Label, sniff, swap and project to EPSG:4326; then undo a declared GCJ-02/BD-09 offset."""
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
                f"{name}：{guess.note_zh}；请用 --crs 指定 (例如 EPSG:4547) ",
                f"{name}: {guess.note_en}; give it with --crs (e.g. EPSG:4547)",
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
                f"坐标为投影坐标 ({source.name})，忽略 {_DATUM_NAMES[datum]} 说明",
                f"coordinates are projected ({source.name}); the {_DATUM_NAMES[datum]} declaration was ignored",
            )
        else:
            out = transform_frame(out, "gcj02-to-wgs84" if datum == "gcj02" else "bd09-to-wgs84")
            if not datum_done_in_note:
                note = f"{_DATUM_NAMES[datum]} → WGS 84: 按用户说明已转换 / converted as declared by the user"
                report.crs_assumed = f"{report.crs_assumed}; {note}" if report.crs_assumed else note
    return out


def _empty_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=WGS84)}, geometry="geometry", crs=WGS84)


def read_dispatch(
    path: Path,
    *,
    layer: str | None = None,
    datum: Literal["gcj02", "bd09"] | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    strict: bool = True,
    display_name: str | None = None,
) -> ReadResult:
    """Read any supported file into a validated GeoDataFrame in EPSG:4326 (see :func:`gis.io.read_any`).

    Parameters
    ----------
    path : pathlib.Path
        The file; its extension picks the format module (:data:`gis.io.INPUT_EXTENSIONS`).
    layer, datum, crs, encoding, strict, display_name
        As in :func:`gis.io.read_any`. ``crs`` overrides what the file declares; without either the
        CRS is sniffed from the coordinates (EPSG:4326, 4547, 4526, swapped axes) and
        ``report.crs_assumed`` says what was assumed. A few stray features do not decide it: when the
        bounds of everything fit no case, the case most features agree on wins, the others are named
        in a ``crs_outliers`` problem and validation drops or flags them.

    Returns
    -------
    gis.io.ReadResult
        Frame in EPSG:4326, the validation report and the format module's name.

    Raises
    ------
    gis.errors.InputError
        (With ``strict``.) Unknown extension, missing or too large a file, unreadable content, or
        coordinates whose CRS cannot be told. Without ``strict`` the report carries a fatal file-level
        problem instead and ``report.ok`` is False.
    """
    path = Path(path)
    name = display_name or path.name
    report = ValidationReport()
    fmt = INPUT_EXTENSIONS.get(path.suffix.lower(), "")
    if datum is not None and datum not in _DATUM_NAMES:
        raise InputError(f"未知的坐标偏移 {datum!r}（gcj02 或 bd09）", f"unknown datum {datum!r} (gcj02 or bd09)")
    try:
        gdf = _read_raw(path, report, fmt=fmt, name=name, layer=layer, encoding=encoding)
        _check_limits(gdf, name)
        gdf = _settle_crs(gdf, report, crs=crs, datum=datum, name=name)
    except GisError as exc:
        if strict:
            raise
        code = "limit_exceeded" if isinstance(exc, LimitExceeded) else "unknown_crs" if isinstance(exc, CRSError) else "unreadable"
        report.add_problem(None, code, exc.zh, exc.en, fatal=True)
        report.ok = False
        report.features = 0
        return ReadResult(_empty_frame(), report, fmt or "unknown")
    try:
        gdf, report = _validate.validate_frame(gdf, report=report)
    except Exception as exc:  # validate_frame never raises for bad data; this is the net under GEOS surprises
        log.debug("validation failed on %s", name, exc_info=True)
        error = InputError(
            f"无法检查 {name} 的几何：{type(exc).__name__}: {exc}", f"cannot check the geometry of {name}: {type(exc).__name__}: {exc}"
        )
        if strict:
            raise error from None
        report.add_problem(None, "unreadable", error.zh, error.en, fatal=True)
        report.ok, report.features = False, 0
        return ReadResult(_empty_frame(), report, fmt)
    return ReadResult(gdf, report, fmt)


def _read_raw(path: Path, report: ValidationReport, *, fmt: str, name: str, layer: str | None, encoding: str | None) -> gpd.GeoDataFrame:
    if not fmt:
        known = ", ".join(sorted(INPUT_EXTENSIONS))
        raise InputError(
            f"不支持的文件类型 {path.suffix!r}：{name}（支持 {known}）",
            f"unsupported file type {path.suffix!r}: {name} (supported: {known})",
        )
    if not path.is_file():
        raise InputError(f"找不到文件 {name}", f"file not found: {name}")
    size = path.stat().st_size
    if size > settings.MAX_FILE_BYTES:
        raise LimitExceeded(
            f"{name} 大小 {size} 字节，超过上限 {settings.MAX_FILE_BYTES} 字节",
            f"{name} is {size} bytes, more than the limit of {settings.MAX_FILE_BYTES} bytes",
        )
    reader = _load(fmt, READERS[fmt], name)
    try:
        gdf = reader(path, report, layer=layer, encoding=encoding)
    except GisError as exc:
        raise _renamed(exc, path, name) from None
    except MemoryError:
        raise LimitExceeded(f"{name} 太大，内存不足", f"{name} is too large to read into memory") from None
    except Exception as exc:  # a reader's bug or a library's surprise must not become a traceback
        log.debug("reader %s failed on %s", fmt, name, exc_info=True)
        detail = _hide_path(f"{type(exc).__name__}: {exc}", path, name)
        raise InputError(f"无法读取 {name}：{detail}", f"cannot read {name}: {detail}") from None
    finally:
        for p in report.problems:
            p.message_zh = _hide_path(p.message_zh, path, name)
            p.message_en = _hide_path(p.message_en, path, name)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"无法读取 {name}：没有几何", f"cannot read {name}: no geometry")
    return gdf


def _hide_path(text: str, path: Path, name: str) -> str:
    """Replace the real (possibly temporary) path by the name the user knows."""
    for real in (str(path.resolve()), str(path), path.name):
        text = text.replace(real, name)
    return text


def _renamed(exc: GisError, path: Path, name: str) -> GisError:
    """The same error, naming the file as the user knows it."""
    zh, en = _hide_path(exc.zh, path, name), _hide_path(exc.en, path, name)
    if (zh, en) == (exc.zh, exc.en):
        return exc
    try:
        return type(exc)(zh, en)
    except TypeError:  # a subclass with another signature
        return InputError(zh, en)


def _load(module: str, func: str, name: str) -> Callable[..., Any]:
    try:
        return getattr(importlib.import_module(f"gis.io.{module}"), func)
    except (ImportError, AttributeError):
        log.debug("gis.io.%s.%s unavailable", module, func, exc_info=True)
        raise InputError(f"暂不支持此格式 ({module})：{name}", f"this format is not available ({module}): {name}") from None


def write_dispatch(gdf: gpd.GeoDataFrame, path: Path, *, fmt: str, crs: str | None = None) -> WriteResult:
    """Write a frame in one of :data:`gis.io.OUTPUT_FORMATS` (see :func:`gis.io.write_any`).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS (any).
    path : pathlib.Path
        Output file; its folder must exist.
    fmt : str, keyword-only
        Output format.
    crs : str, optional, keyword-only
        CRS of the written file where the format allows a choice: ``EPSG:4547`` (default) or
        ``EPSG:4526`` for surveyor formats; any CRS for GeoPackage and Shapefile (default EPSG:4326).
        GeoJSON, KML and KMZ are always EPSG:4326.

    Returns
    -------
    gis.io.WriteResult
        Path written, format, number of features and the CRS of the file (``"EPSG:n"``).

    Raises
    ------
    gis.errors.InputError
        Unknown format, a CRS the format does not allow, a frame without a CRS, a missing folder, or
        a writer that failed.
    """
    if fmt not in WRITERS or fmt not in OUTPUT_FORMATS:
        names = ", ".join(OUTPUT_FORMATS)
        raise InputError(f"未知的输出格式 {fmt!r}（可用：{names}）", f"unknown output format {fmt!r} (use one of {names})")
    if gdf.crs is None:
        raise CRSError("要写出的数据没有坐标系", "the features to write have no CRS")
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"输出文件夹不存在：{path.parent}", f"output folder does not exist: {path.parent}")
    module, func_name, fixed, default_crs, allowed = WRITERS[fmt]
    out_crs = normalise_crs(crs) or default_crs
    if allowed is not None and out_crs not in allowed:
        hint_en = " (use geojson-surveyor for EPSG:4547/4526)" if fmt == "geojson" else ""
        hint_zh = "（EPSG:4547/4526 请用 geojson-surveyor）" if fmt == "geojson" else ""
        raise InputError(
            f"{fmt} 格式只能用 {' 或 '.join(allowed)}，不能用 {out_crs}{hint_zh}",
            f"{fmt} is written in {' or '.join(allowed)} only, not {out_crs}{hint_en}",
        )
    writer = _load(module, func_name, path.name)
    kwargs = dict(fixed)
    if fmt not in _NO_CRS_KEYWORD:
        kwargs["crs"] = out_crs
    try:
        written = writer(gdf, path, **kwargs)
    except (GisError, OSError):
        raise
    except Exception as exc:
        log.debug("writer %s failed on %s", fmt, path.name, exc_info=True)
        raise InputError(
            f"无法写出 {path.name} ({fmt})：{type(exc).__name__}: {exc}", f"cannot write {path.name} ({fmt}): {type(exc).__name__}: {exc}"
        ) from None
    return WriteResult(Path(written) if written is not None else path, fmt, len(gdf), out_crs)
