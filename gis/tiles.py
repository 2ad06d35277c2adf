"""Basemap tile packages for the intranet: open MBTiles files and XYZ/TMS tile folders read-only.

A package is checked when it is opened: its name, attribution, image format, bounds (degrees), zoom range
and *tiling*. Leaflet's map is Web Mercator (EPSG:3857), so

- ``"webmercator"`` packages are used directly;
- ``"gcj02"`` packages (Web Mercator grid, but drawn from GCJ-02-shifted data, as Gaode/AMap tiles are) are
  usable when the features are shifted to GCJ-02 for display, as the Gaode basemaps are;
- ``"geographic"`` packages (CGCS2000 / EPSG:4490 or EPSG:4326 lon/lat tiling, e.g. 天地图 ``_c`` tiles),
  ``"bd09"`` (Baidu) and ``"mismatch"`` (tiles that do not lie where the package's bounds say) are refused
  by :func:`ensure_displayable` with a message that says why.

Tiles are addressed as Leaflet asks for them (XYZ, row 0 at the top); MBTiles' TMS rows are flipped here.
A tile the package does not hold is ``None``. Nothing is loaded into memory: an MBTiles file keeps one
read-only SQLite connection per process (``mode=ro``; serialized by a lock, so concurrent viewers share
it), a folder is read file by file. :func:`configured_packages` opens the packages named in
:func:`gis.settings.tile_packages` once per process.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gis import settings
from gis.errors import InputError

__all__ = [
    "TILINGS",
    "DISPLAYABLE_TILINGS",
    "TileInfo",
    "TilePackage",
    "ConfiguredPackage",
    "open_package",
    "parse_zoom_range",
    "add_cli_arguments",
    "run_cli",
    "describe",
    "ensure_displayable",
    "configured_packages",
    "package_key",
    "media_type",
    "lonlat_to_tile",
    "tile_bounds_3857",
    "MAX_ZOOM",
]

log = logging.getLogger(__name__)

#: Every tiling this module can name.
TILINGS: tuple[str, ...] = ("webmercator", "gcj02", "geographic", "bd09", "mismatch")
#: Tilings the Web Mercator map can show (GCJ-02 with the features shifted for display).
DISPLAYABLE_TILINGS: frozenset[str] = frozenset({"webmercator", "gcj02"})
#: Deepest zoom level accepted in a request or a package.
MAX_ZOOM = 24
#: Half the side of the Web Mercator square, metres (EPSG:3857).
HALF_WORLD_M = 20037508.342789244

_FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
_EXTS = ("png", "jpg", "jpeg", "webp")
# Metadata keys that may declare a tiling or a datum (MBTiles has none in its spec; producers add these).
_CRS_KEYS = (
    "crs", "srs", "projection", "proj", "tiling", "tile_matrix_set", "tilematrixset", "datum", "offset",
    "coordinate_system", "spatial_reference", "profile",
)
_GCJ = re.compile(r"gcj|amap|autonavi|gaode|高德|火星")
_BD = re.compile(r"bd-?09|baidu|百度")
_GEOGRAPHIC = re.compile(r"4490|4326|4610|4214|geodetic|geographic|lon ?lat|lat ?lon|cgcs ?2000|_c\b")
_MERCATOR = re.compile(r"3857|900913|3785|102100|102113|mercator|google")


def media_type(fmt: str) -> str:
    """The HTTP ``Content-Type`` of a tile image format (``png``, ``jpg``/``jpeg``, ``webp``)."""
    return _FORMATS.get(fmt.lower(), "application/octet-stream")


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"\x1f\x8b") or data[:1] in (b"\x1a", b"\x12"):  # gzipped or bare protobuf
        return "pbf"
    return None


def lonlat_to_tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The Web Mercator XYZ tile (row 0 at the top) holding a point.

    Parameters
    ----------
    lon, lat : float
        Degrees (the datum the package's tiles were drawn in).
    zoom : int
        Zoom level (2**zoom tiles a side).

    Returns
    -------
    (int, int)
        Column and row, clamped to the grid.
    """
    n = 2**zoom
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return min(max(int(x), 0), n - 1), min(max(int(y), 0), n - 1)


def tile_bounds_3857(zoom: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Bounds of an XYZ tile in EPSG:3857 metres: ``(minx, miny, maxx, maxy)``."""
    size = 2 * HALF_WORLD_M / 2**zoom
    minx = -HALF_WORLD_M + x * size
    maxy = HALF_WORLD_M - y * size
    return minx, maxy - size, minx + size, maxy


def _tile_lonlat(zoom: int, x: float, y: float) -> tuple[float, float]:
    n = 2**zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


@dataclass(frozen=True)
class TileInfo:
    """What a tile package says about itself and what was found in it.

    Attributes
    ----------
    path : str
        The file or folder.
    kind : {"mbtiles", "folder"}
    name, attribution, description : str
        From the metadata (``name`` falls back to the file name). Plain text: escape before HTML.
    format : str
        ``png``, ``jpg`` or ``webp``.
    bounds : tuple of float
        ``(west, south, east, north)`` in degrees, declared or derived from the tiles at ``minzoom``.
    minzoom, maxzoom : int
        Zoom levels present.
    scheme : {"tms", "xyz"}
        Row order as stored.
    tiling : str
        One of :data:`TILINGS`; ``tiling_reason`` (English) and ``tiling_reason_zh`` say how it was decided.
    size_bytes : int or None
        Size on disk (a folder is only walked when asked).
    tiles : int or None
        Number of tiles (only counted when asked).
    """

    path: str
    kind: str
    name: str
    attribution: str
    description: str
    format: str
    bounds: tuple[float, float, float, float]
    minzoom: int
    maxzoom: int
    scheme: str
    tiling: str
    tiling_reason: str
    tiling_reason_zh: str
    size_bytes: int | None = None
    tiles: int | None = None
    metadata: dict[str, str] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the contract of ``python -m gis tiles --json``)."""
        out = asdict(self)
        out["bounds"] = list(self.bounds)
        out["displayable"] = self.tiling in DISPLAYABLE_TILINGS
        return out


class _Source:
    """Backend of one package: metadata and tiles in storage order."""

    kind = ""
    scheme = "xyz"

    def metadata(self) -> dict[str, str]:
        raise NotImplementedError

    def zooms(self) -> tuple[int, int] | None:
        raise NotImplementedError

    def extent(self, z: int) -> tuple[int, int, int, int]:
        """``(xmin, xmax, ymin, ymax)`` at zoom z, rows in storage order."""
        raise NotImplementedError

    def sample(self, z: int) -> tuple[int, int] | None:
        raise NotImplementedError

    def max_column(self, z: int) -> int:
        """The largest column at zoom z (cheap: an index seek, one folder listing)."""
        raise NotImplementedError

    def read(self, z: int, x: int, row: int) -> tuple[bytes, str | None] | None:
        raise NotImplementedError

    def size(self) -> int:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the source holds."""


class _MBTiles(_Source):
    kind = "mbtiles"
    scheme = "tms"

    def __init__(self, path: Path) -> None:
        self.path = path
        # mode=ro: never writes, never creates. Not ``immutable=1``: an administrator may replace the file
        # while the app runs, and immutable would let SQLite skip the locks that make that safe.
        try:
            self._con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
            names = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
        except sqlite3.Error as exc:
            raise InputError(
                f"{path.name} 不是可读的 MBTiles（SQLite）文件：{exc}", f"{path.name} is not a readable MBTiles (SQLite) file: {exc}"
            ) from None
        if not {"tiles", "metadata"} <= names:
            self._con.close()
            raise InputError(
                f"{path.name} 缺少 MBTiles 的 tiles 或 metadata 表", f"{path.name} lacks the MBTiles tables 'tiles' and 'metadata'"
            )
        self._lock = threading.Lock()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:  # one connection, many viewers: serialized
            return self._con.execute(sql, tuple(params)).fetchall()

    def metadata(self) -> dict[str, str]:
        out = {}
        for name, value in self._query("SELECT name, value FROM metadata"):
            if name is None:
                continue
            out[str(name).strip().lower()] = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        return out

    def zooms(self) -> tuple[int, int] | None:
        row = self._query("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles")[0]
        return None if row[0] is None else (int(row[0]), int(row[1]))

    def extent(self, z: int) -> tuple[int, int, int, int]:
        r = self._query(
            "SELECT MIN(tile_column), MAX(tile_column), MIN(tile_row), MAX(tile_row) FROM tiles WHERE zoom_level = ?", (z,)
        )[0]
        return int(r[0]), int(r[1]), int(r[2]), int(r[3])

    def sample(self, z: int) -> tuple[int, int] | None:
        rows = self._query("SELECT tile_column, tile_row FROM tiles WHERE zoom_level = ? LIMIT 1", (z,))
        return (int(rows[0][0]), int(rows[0][1])) if rows else None

    def max_column(self, z: int) -> int:
        value = self._query("SELECT MAX(tile_column) FROM tiles WHERE zoom_level = ?", (z,))[0][0]
        return -1 if value is None else int(value)

    def read(self, z: int, x: int, row: int) -> tuple[bytes, str | None] | None:
        rows = self._query(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?", (z, x, row)
        )
        return (bytes(rows[0][0]), None) if rows and rows[0][0] is not None else None

    def size(self) -> int:
        return self.path.stat().st_size

    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM tiles")[0][0])

    def close(self) -> None:
        with self._lock:
            self._con.close()


def _int_names(folder: Path, *, files: bool = False) -> dict[int, str]:
    out: dict[int, str] = {}
    try:
        with os.scandir(folder) as it:
            for entry in it:
                stem, _, ext = entry.name.partition(".")
                if not stem.isdigit():
                    continue
                if files and entry.is_file() and ext.lower() in _EXTS:
                    out.setdefault(int(stem), ext)
                elif not files and not ext and entry.is_dir():
                    out[int(stem)] = entry.name
    except OSError:
        return {}
    return out


class _Folder(_Source):
    kind = "folder"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._meta = self._read_metadata()
        scheme = self._meta.get("scheme", "").lower()
        self.scheme = scheme if scheme in {"tms", "xyz"} else ("tms" if self._meta.get("_tilemapresource") else "xyz")
        self._zooms = sorted(z for z in _int_names(path) if z <= MAX_ZOOM)

    def _read_metadata(self) -> dict[str, str]:
        meta: dict[str, str] = {}
        mj = self.path / "metadata.json"
        if mj.is_file():
            try:
                doc = json.loads(mj.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"{mj} 无法读取：{exc}", f"cannot read {mj}: {exc}") from None
            if isinstance(doc, dict):
                meta.update({str(k).lower(): v if isinstance(v, str) else json.dumps(v) for k, v in doc.items()})
                if isinstance(doc.get("bounds"), list):
                    meta["bounds"] = ",".join(str(v) for v in doc["bounds"])
        tmr = self.path / "tilemapresource.xml"  # written by gdal2tiles (TMS rows, SRS, profile)
        if tmr.is_file():
            from defusedxml import ElementTree

            try:
                root = ElementTree.parse(str(tmr)).getroot()
            except Exception as exc:  # noqa: BLE001 - defusedxml raises several types for hostile or broken XML
                raise InputError(f"{tmr} 无法读取：{exc}", f"cannot read {tmr}: {exc}") from None
            meta["_tilemapresource"] = "1"
            srs = root.findtext("SRS")
            if srs:
                meta.setdefault("srs", srs.strip())
            title = root.findtext("Title")
            if title:
                meta.setdefault("name", title.strip())
            sets = root.find("TileSets")
            if sets is not None and sets.get("profile"):
                meta.setdefault("profile", sets.get("profile", ""))
            tf = root.find("TileFormat")
            if tf is not None and tf.get("extension"):
                meta.setdefault("format", tf.get("extension", ""))
        return meta

    def metadata(self) -> dict[str, str]:
        return {k: v for k, v in self._meta.items() if not k.startswith("_")}

    def zooms(self) -> tuple[int, int] | None:
        return (self._zooms[0], self._zooms[-1]) if self._zooms else None

    def _columns(self, z: int) -> dict[int, str]:
        return _int_names(self.path / str(z))

    def extent(self, z: int) -> tuple[int, int, int, int]:
        cols = self._columns(z)
        rows = [r for x in cols for r in _int_names(self.path / str(z) / cols[x], files=True)]
        if not cols or not rows:
            raise InputError(f"{self.path} 第 {z} 级没有瓦片", f"{self.path}: no tiles at zoom {z}")
        return min(cols), max(cols), min(rows), max(rows)

    def sample(self, z: int) -> tuple[int, int] | None:
        cols = self._columns(z)
        for x in sorted(cols):
            rows = _int_names(self.path / str(z) / cols[x], files=True)
            if rows:
                return x, min(rows)
        return None

    def max_column(self, z: int) -> int:
        return max(self._columns(z), default=-1)

    def read(self, z: int, x: int, row: int) -> tuple[bytes, str | None] | None:
        base = self.path / str(z) / str(x)
        for ext in _EXTS:
            p = base / f"{row}.{ext}"
            try:
                return p.read_bytes(), ext
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
        return None

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def count(self) -> int:
        return sum(1 for p in self.path.glob("*/*/*.*") if p.suffix.lower().lstrip(".") in _EXTS)


def _parse_bounds(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        parts = [float(v) for v in str(text).strip("[] ").split(",")]
    except ValueError:
        return None
    if len(parts) != 4 or not all(math.isfinite(v) for v in parts):
        return None
    w, s, e, n = parts
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        return None
    return w, s, e, n


def _within(value: int, lo: int, hi: int, slack: int = 1) -> bool:
    return lo - slack <= value <= hi + slack


def _detect_tiling(
    meta: dict[str, str], zoom: int, sample_xyz: tuple[int, int] | None, max_x: int, bounds: tuple[float, float, float, float] | None,
) -> tuple[str, str, str]:
    """Decide the tiling from declared metadata, then from where the tiles lie: (tiling, reason zh, reason en)."""
    declared = " ".join(meta.get(k, "") for k in _CRS_KEYS).lower().strip()
    words = " ".join(meta.get(k, "") for k in ("name", "description", "attribution")).lower()
    if _BD.search(declared) or _BD.search(words):
        return "bd09", f"元数据标明百度 BD-09：{declared or words}", f"metadata says Baidu / BD-09: {declared or words}"
    if _GCJ.search(declared) or _GCJ.search(words):
        return "gcj02", f"元数据标明 GCJ-02 / 高德：{declared or words}", f"metadata says GCJ-02 / AMap: {declared or words}"
    if declared and _GEOGRAPHIC.search(declared) and not _MERCATOR.search(declared):
        return "geographic", f"元数据声明经纬度切片：{declared}", f"metadata declares a geographic tiling: {declared}"
    if max_x >= 2**zoom:
        return (
            "geographic",
            f"第 {zoom} 级有第 {max_x} 列，超出 Web 墨卡托的 {2**zoom} 列（2:1 经纬度网格）",
            f"zoom {zoom} has column {max_x}, beyond the {2**zoom} columns of Web Mercator (a 2:1 lon/lat grid)",
        )
    if bounds is not None and sample_xyz is not None:
        w, s, e, n = bounds
        x0, y0 = lonlat_to_tile(w, n, zoom)
        x1, y1 = lonlat_to_tile(e, s, zoom)
        x, y = sample_xyz
        if not (_within(x, x0, x1) and _within(y, y0, y1)):
            # where a lon/lat grid (Tianditu "_c": 2**z x 2**(z-1) tiles) would put the bounds
            gy0, gy1 = int((90 - n) / 180 * 2 ** (zoom - 1)), int((90 - s) / 180 * 2 ** (zoom - 1))
            if zoom >= 1 and _within(y, gy0, gy1):
                return (
                    "geographic",
                    f"瓦片 {zoom}/{x}/{y} 位于声明范围在经纬度网格中的位置，而非 Web 墨卡托中的位置",
                    f"tile {zoom}/{x}/{y} lies where the bounds are in a lon/lat grid, not in Web Mercator",
                )
            return (
                "mismatch",
                f"瓦片 {zoom}/{x}/{y} 不在声明范围 {w},{s},{e},{n} 的 Web 墨卡托位置（x {x0}-{x1}，y {y0}-{y1}）",
                f"tile {zoom}/{x}/{y} lies outside the bounds {w},{s},{e},{n} in Web Mercator (x {x0}-{x1}, y {y0}-{y1})",
            )
    if declared and _MERCATOR.search(declared):
        return "webmercator", f"元数据声明 Web 墨卡托：{declared}", f"metadata declares Web Mercator: {declared}"
    if declared:
        return (
            "webmercator", f"无法识别声明的 {declared!r}；瓦片位于 Web 墨卡托网格上",
            f"declared {declared!r} not recognised; tiles lie on the Web Mercator grid",
        )
    return "webmercator", "未声明切片方式；瓦片位于 Web 墨卡托网格上", "no tiling declared; tiles lie on the Web Mercator grid"


class TilePackage:
    """An open tile package: :attr:`info` and :meth:`tile`. Thread-safe; close with :meth:`close`.

    Use :func:`open_package` to make one.
    """

    def __init__(self, source: _Source, info: TileInfo) -> None:
        self._source = source
        self.info = info

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """The tile at XYZ ``z/x/y`` (row 0 at the top, as Leaflet asks), or None if the package lacks it.

        Parameters
        ----------
        z, x, y : int
            Zoom, column, row. Out-of-grid or out-of-range values give None, never an error.

        Returns
        -------
        (bytes, str) or None
            The encoded image and its ``Content-Type``.
        """
        if not (self.info.minzoom <= z <= self.info.maxzoom) or not (0 <= x < 2**z and 0 <= y < 2**z):
            return None
        row = (2**z - 1 - y) if self._source.scheme == "tms" else y
        found = self._source.read(z, x, row)
        if found is None:
            return None
        data, ext = found
        return data, media_type(ext or _sniff(data) or self.info.format)

    def close(self) -> None:
        """Close the package's connection (MBTiles) — tiles can no longer be read."""
        self._source.close()


def open_package(path: str | os.PathLike[str], *, count: bool = False) -> TilePackage:
    """Open an MBTiles file or a tile folder read-only and read what it says about itself.

    Parameters
    ----------
    path : path-like
        An ``.mbtiles`` file, or a folder of ``{z}/{x}/{y}.png|jpg|jpeg|webp`` (XYZ rows; TMS when its
        ``metadata.json`` says ``"scheme": "tms"`` or gdal2tiles' ``tilemapresource.xml`` is present).
    count : bool, keyword-only
        Also measure the size on disk and count the tiles (walks a folder; counts an MBTiles table).

    Returns
    -------
    TilePackage
        Open; its tiling is in ``info.tiling`` (check with :func:`ensure_displayable` before showing it).

    Raises
    ------
    gis.errors.InputError
        Missing, unreadable, empty, or not a raster tile package (vector tiles are refused).
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"瓦片包不存在：{p}", f"no tile package at {p}")
    source: _Source = _Folder(p) if p.is_dir() else _MBTiles(p)
    try:
        info = _read_info(source, p, count=count)
    except sqlite3.Error as exc:
        source.close()
        raise InputError(f"{p.name} 无法读取：{exc}", f"cannot read {p.name}: {exc}") from None
    except InputError:
        source.close()
        raise
    return TilePackage(source, info)


def _read_info(source: _Source, p: Path, *, count: bool) -> TileInfo:
    meta = source.metadata()
    zooms = source.zooms()
    if zooms is None:
        raise InputError(f"{p.name} 中没有瓦片", f"{p.name} holds no tiles")
    minzoom, maxzoom = zooms
    if minzoom < 0 or maxzoom > MAX_ZOOM:
        raise InputError(
            f"{p.name} 的缩放级别 {minzoom}-{maxzoom} 超出 0-{MAX_ZOOM}", f"{p.name}: zoom {minzoom}-{maxzoom} outside 0-{MAX_ZOOM}"
        )
    # The level used to check the tiling: deep enough (>= 5) that grids differ by more than a tile.
    check_zoom = minzoom if minzoom >= 5 else min(maxzoom, 5)
    while source.sample(check_zoom) is None and check_zoom < maxzoom:
        check_zoom += 1
    sample = source.sample(check_zoom)
    fmt = str(meta.get("format", "")).lower().strip()
    if fmt in {"pbf", "mvt"} or (sample is not None and not fmt and _sniff((source.read(check_zoom, *sample) or (b"", None))[0]) == "pbf"):
        raise InputError(
            f"{p.name} 是矢量瓦片（pbf），底图只支持栅格瓦片（PNG/JPG/WebP）",
            f"{p.name} holds vector tiles (pbf); a basemap package must be raster (PNG/JPG/WebP)",
        )
    if fmt not in _FORMATS and sample is not None:
        found = source.read(check_zoom, *sample)
        fmt = (found[1] if found and found[1] else _sniff(found[0]) if found else None) or "png"
    fmt = "jpg" if fmt == "jpeg" else fmt
    xmax = source.max_column(check_zoom)
    sample_xyz = None
    if sample is not None:
        sx, srow = sample
        sample_xyz = (sx, 2**check_zoom - 1 - srow) if source.scheme == "tms" else (sx, srow)
    declared = _parse_bounds(meta.get("bounds"))
    tiling, reason_zh, reason = _detect_tiling(meta, check_zoom, sample_xyz, xmax, declared)
    bounds = declared or _derived_bounds(source, minzoom)
    return TileInfo(
        path=str(p),
        kind=source.kind,
        name=(meta.get("name") or p.stem).strip()[:200],
        attribution=(meta.get("attribution") or "").strip()[:500],
        description=(meta.get("description") or "").strip()[:500],
        format=fmt,
        bounds=bounds,
        minzoom=minzoom,
        maxzoom=maxzoom,
        scheme=source.scheme,
        tiling=tiling,
        tiling_reason=reason,
        tiling_reason_zh=reason_zh,
        size_bytes=source.size() if count or source.kind == "mbtiles" else None,
        tiles=source.count() if count else None,
        metadata=meta,
    )


def _derived_bounds(source: _Source, z: int) -> tuple[float, float, float, float]:
    xmin, xmax, rmin, rmax = source.extent(z)
    if source.scheme == "tms":
        rmin, rmax = 2**z - 1 - rmax, 2**z - 1 - rmin
    xmax, rmax = min(xmax, 2**z - 1), min(rmax, 2**z - 1)
    w, n = _tile_lonlat(z, xmin, rmin)
    e, s = _tile_lonlat(z, xmax + 1, rmax + 1)
    return round(w, 7), round(s, 7), round(e, 7), round(n, 7)


def describe(path: str | os.PathLike[str]) -> TileInfo:
    """Check a package and say what it is, with its size on disk and tile count; closes it again.

    Parameters
    ----------
    path : path-like
        An MBTiles file or a tile folder.

    Returns
    -------
    TileInfo
        With ``size_bytes`` and ``tiles`` filled in.
    """
    pkg = open_package(path, count=True)
    pkg.close()
    return pkg.info


_REFUSALS: dict[str, tuple[str, str]] = {
    "geographic": (
        "是经纬度（CGCS2000 / EPSG:4490 或 EPSG:4326 地理坐标）切片，地图使用 Web 墨卡托（EPSG:3857）切片，"
        "瓦片会错位。请用 Web 墨卡托重新切片（如天地图 _w 瓦片或 gdal2tiles --profile=mercator）",
        "is tiled in longitude/latitude (CGCS2000 / EPSG:4490 or EPSG:4326 geographic); the map uses Web "
        "Mercator (EPSG:3857) tiles, so it would be misplaced. Re-cut it in Web Mercator (e.g. Tianditu _w "
        "tiles, or gdal2tiles --profile=mercator)",
    ),
    "bd09": (
        "是百度（BD-09）瓦片，其投影与网格都与 Web 墨卡托不同，无法对齐",
        "holds Baidu (BD-09) tiles, whose projection and grid differ from Web Mercator; it cannot be aligned",
    ),
    "mismatch": (
        "的瓦片不在其声明范围对应的 Web 墨卡托位置，切片方式无法确认",
        "has tiles that do not lie where its bounds say in Web Mercator; its tiling cannot be confirmed",
    ),
}


def ensure_displayable(info: TileInfo) -> None:
    """Refuse a package the Web Mercator map cannot show, saying why.

    Parameters
    ----------
    info : TileInfo
        From :func:`open_package` or :func:`describe`.

    Raises
    ------
    gis.errors.InputError
        For ``geographic``, ``bd09`` and ``mismatch`` tilings (message names the package and the evidence).
    """
    if info.tiling in DISPLAYABLE_TILINGS:
        return
    zh, en = _REFUSALS[info.tiling]
    raise InputError(f"瓦片包「{info.name}」{zh}。（{info.tiling_reason_zh}）", f"tile package '{info.name}' {en}. ({info.tiling_reason})")


@dataclass
class ConfiguredPackage:
    """One package named in the settings: open and usable, or refused with the reason.

    Attributes
    ----------
    key : str
        URL-safe key (``[a-z0-9_-]``), unique among the configured packages.
    path : pathlib.Path
    package : TilePackage or None
        Open when usable.
    error : gis.errors.InputError or None
        Why the package was refused (missing, unreadable, or a tiling the map cannot show).
    name : str
        The package's name (or file name when it could not be read).
    """

    key: str
    path: Path
    package: TilePackage | None
    error: InputError | None
    name: str


def package_key(path: Path, taken: set[str] | None = None) -> str:
    """A URL-safe key for a package from its file name (``[a-z0-9_-]``), made unique against ``taken``."""
    stem = path.name[: -len(".mbtiles")] if path.name.lower().endswith(".mbtiles") else path.name
    base = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-")[:40] or "tiles"
    key, i = base, 2
    while taken is not None and key in taken:
        key, i = f"{base}-{i}", i + 1
    return key


_REGISTRY: dict[tuple[str, ...], dict[str, ConfiguredPackage]] = {}
_REGISTRY_LOCK = threading.Lock()


def configured_packages(paths: Sequence[str | os.PathLike[str]] | None = None) -> dict[str, ConfiguredPackage]:
    """The configured packages by key, each opened once per process and kept open.

    Parameters
    ----------
    paths : sequence of path-like, optional
        Default :func:`gis.settings.tile_packages` (``$SSL_GIS_TILE_PACKAGES``), read at call time.

    Returns
    -------
    dict
        ``key -> ConfiguredPackage`` in the configured order. Refused packages are kept with their error
        (so the app can say why) and hold no open connection.
    """
    chosen = [Path(p) for p in (settings.tile_packages() if paths is None else paths)]
    ident = tuple(str(p) for p in chosen)
    with _REGISTRY_LOCK:
        if ident in _REGISTRY:
            return _REGISTRY[ident]
        out: dict[str, ConfiguredPackage] = {}
        for path in chosen:
            key = package_key(path, set(out))
            try:
                pkg = open_package(path)
            except InputError as exc:
                log.warning("tile package %s refused: %s", path, exc)
                out[key] = ConfiguredPackage(key, path, None, exc, path.name)
                continue
            try:
                ensure_displayable(pkg.info)
            except InputError as exc:
                pkg.close()
                log.warning("tile package %s refused: %s", path, exc)
                out[key] = ConfiguredPackage(key, path, None, exc, pkg.info.name)
                continue
            out[key] = ConfiguredPackage(key, path, pkg, None, pkg.info.name)
        _REGISTRY[ident] = out
        return out


def _info_text(info: dict[str, Any]) -> str:
    w, s, e, n = info["bounds"]
    size = info.get("size_bytes")
    lines = [
        f"{info['path']}  ({info['kind']}, {info['format']}, {info['scheme'].upper()})",
        f"  名称 / name: {info['name']}",
        f"  切片方式 / tiling: {info['tiling']}  ({info['tiling_reason_zh']} / {info['tiling_reason']})",
        f"  范围 / bounds (°): W {w:.6f}  S {s:.6f}  E {e:.6f}  N {n:.6f}",
        f"  缩放 / zoom: {info['minzoom']}–{info['maxzoom']}",
        f"  大小 / size: {size / 1024**2:,.2f} MB, {info.get('tiles')} 个瓦片 / tiles" if size is not None else "",
        f"  可用作底图 / usable as basemap: {'是 / yes' if info['displayable'] else '否 / no'}",
    ]
    return "\n".join(line for line in lines if line)


def parse_zoom_range(text: str) -> tuple[int, int]:
    """``"10-13"`` or ``"12"`` → ``(10, 13)`` / ``(12, 12)``.

    Raises
    ------
    gis.errors.InputError
        Not a range of integers within 0–22, or reversed.
    """
    parts = str(text).strip().split("-")
    try:
        lo, hi = (int(parts[0]), int(parts[-1])) if len(parts) in (1, 2) else (-1, -1)
    except ValueError:
        lo, hi = -1, -1
    if not (0 <= lo <= hi <= 22):
        raise InputError(f"缩放级别应为 0-22 的范围，如 10-13：{text!r}", f"zoom must be a range within 0-22, e.g. 10-13: {text!r}")
    return lo, hi


def add_cli_arguments(p: Any) -> None:
    """Add the options of ``python -m gis tiles`` to an ``argparse`` sub-parser."""
    p.add_argument("path", nargs="?", help="an MBTiles file or a {z}/{x}/{y} tile folder to check")
    p.add_argument(
        "--render-bundled", dest="render_bundled", metavar="OUT.mbtiles",
        help="write the bundled layers as MBTiles (python -m layers tiles)",
    )
    p.add_argument("--zoom", default="10-13", help="zoom range for --render-bundled, e.g. 10-13")
    p.add_argument("--json", action="store_true")


def run_cli(args: Any, *, render_bundled: Any = None) -> int:
    """``python -m gis tiles``: check a package (``args.path``) or render the bundled layers into one.

    Parameters
    ----------
    args : argparse.Namespace
        ``path`` (str or None), ``render_bundled`` (output path or None), ``zoom`` (``"10-13"``), ``json``.
    render_bundled : callable, optional, keyword-only
        ``render_bundled(out, zoom=(lo, hi)) -> TileInfo``, given by the composition root
        (``layers/__main__.py``, which knows the plan); without it ``--render-bundled`` is refused.

    Returns
    -------
    int
        0 when the package is usable as a basemap (or was written), 1 when it is refused.

    Raises
    ------
    gis.errors.InputError
        Unreadable package, bad zoom range, or neither a path nor ``--render-bundled``.
    """
    import sys

    if args.render_bundled:
        if render_bundled is None:
            raise InputError("--render-bundled 需通过 python -m layers tiles 运行", "--render-bundled runs through python -m layers tiles")
        info = render_bundled(args.render_bundled, zoom=parse_zoom_range(args.zoom))
    elif args.path:
        info = describe(args.path)
    else:
        raise InputError("需要 PATH 或 --render-bundled OUT.mbtiles", "give a PATH or --render-bundled OUT.mbtiles")
    doc = info.to_dict()
    doc.pop("metadata", None)
    if args.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(_info_text(doc) + "\n")
    try:
        ensure_displayable(info)
    except InputError as exc:
        sys.stderr.write(f"不可用 / refused: {exc.zh} / {exc.en}\n")
        return 1
    return 0
