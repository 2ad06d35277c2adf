"""The common tail of every read and the one switch of every write.

:func:`read_dispatch` checks the file size, picks the reader by extension, runs it, settles the CRS
(:func:`gis.io._crs_settle.settle_crs`: the caller's, the file's, or a sniffed one the user is told
about), and validates. :func:`write_dispatch` writes with the row of
:data:`gis.io._formats.OUTPUT_FORMAT_TABLE` the format names. Neither lets an unexpected exception from a
format module reach the user as a traceback: it becomes a :class:`gis.errors.InputError` naming the file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from gis import settings
from gis import validate as _validate
from gis.crs import WGS84
from gis.errors import CRSError, GisError, InputError, LimitExceeded
from gis.io import _formats
from gis.io._crs_settle import DATUM_NAMES, normalise_crs, settle_crs
from gis.io._results import ReadResult, WriteResult
from gis.report import ValidationReport

__all__ = ["read_dispatch", "write_dispatch"]

log = logging.getLogger(__name__)


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
    fmt = _formats.INPUT_EXTENSIONS.get(path.suffix.lower(), "")
    if datum is not None and datum not in DATUM_NAMES:
        raise InputError(f"未知的坐标偏移 {datum!r}（gcj02 或 bd09）", f"unknown datum {datum!r} (gcj02 or bd09)")
    try:
        gdf = _read_raw(path, report, fmt=fmt, name=name, layer=layer, encoding=encoding)
        _check_limits(gdf, name)
        gdf = settle_crs(gdf, report, crs=crs, datum=datum, name=name)
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
        known = ", ".join(sorted(_formats.INPUT_EXTENSIONS))
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
    reader = _formats.READERS[fmt]
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
        renamed = type(exc)(zh, en)
    except TypeError:  # a subclass with another signature
        renamed = InputError(zh, en)
    for attr in ("feature", "field", "choice"):  # what the caller can act on travels with the new words
        if hasattr(exc, attr):
            setattr(renamed, attr, getattr(exc, attr))
    return renamed


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
    row = _formats.OUTPUT_FORMAT_TABLE.get(fmt)
    if row is None:
        names = ", ".join(_formats.OUTPUT_FORMAT_TABLE)
        raise InputError(f"未知的输出格式 {fmt!r}（可用：{names}）", f"unknown output format {fmt!r} (use one of {names})")
    if gdf.crs is None:
        raise CRSError("要写出的数据没有坐标系", "the features to write have no CRS")
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"输出文件夹不存在：{path.parent}", f"output folder does not exist: {path.parent}")
    default_crs, allowed = row.default_crs, row.allowed_crs
    out_crs = normalise_crs(crs) or default_crs
    if allowed is not None and out_crs not in allowed:
        hint_en = " (use geojson-surveyor for EPSG:4547/4526)" if fmt == "geojson" else ""
        hint_zh = "（EPSG:4547/4526 请用 geojson-surveyor）" if fmt == "geojson" else ""
        raise InputError(
            f"{fmt} 格式只能用 {' 或 '.join(allowed)}，不能用 {out_crs}{hint_zh}",
            f"{fmt} is written in {' or '.join(allowed)} only, not {out_crs}{hint_en}",
        )
    writer = row.writer
    kwargs = dict(row.options)
    if row.takes_crs:
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
