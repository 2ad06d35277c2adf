"""Zipped Shapefiles in and out, with the attribute encoding Chinese exports need.

Reading: a ``.zip`` is extracted by :func:`gis.io.archive.extracted` (nested folders are fine); a bare
``.shp`` is read next to its sidecars. The attribute encoding comes from the caller, else from a ``.cpg``
file, else from the ``.dbf`` itself: Chinese ArcGIS/SuperMap exports are usually GBK with no ``.cpg``,
and GDAL then falls back to ISO-8859-1 and returns mojibake (pyogrio issues #380 and #138). The
detector reads the raw bytes of the character fields (and of the field names) and tries a strict UTF-8
decode first, then GB18030 (a superset of GBK/CP936). Strict UTF-8 first is deliberate: GBK text is
almost never valid UTF-8, while UTF-8 Chinese text is often valid GB18030 by accident. Statistical
detectors such as charset-normalizer are unreliable on the short strings a ``.dbf`` holds (a two-
character 名称); the strict test needs no statistics.

Writing: :func:`write_shapefile_zip` writes ``.shp .shx .dbf .prj`` and a UTF-8 ``.cpg`` into a ZIP,
field names cut to the DBF's 10 bytes without collisions (the mapping is logged), one shapefile per
geometry family when the frame mixes polygons, lines and points.
"""

from __future__ import annotations

import codecs
import logging
import shutil
import struct
import tempfile
import threading
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.io.archive import extracted
from gis.report import ValidationReport

__all__ = ["read_shapefile", "write_shapefile_zip", "detect_dbf_encoding", "shapefile_field_names"]

logger = logging.getLogger(__name__)

#: Records sampled from a .dbf to detect its encoding, and the most bytes read for them.
_SAMPLE_RECORDS = 20_000
_SAMPLE_BYTES = 8 * 1024 * 1024
#: DBF limits: field names are 10 bytes, character values 254 bytes.
_DBF_NAME_BYTES = 10
_DBF_VALUE_BYTES = 254

#: SHAPE_RESTORE_SHX is a process-wide GDAL setting; serialise the reads that switch it on.
_GDAL_CONFIG_LOCK = threading.Lock()

_UTF8_ALIASES = {"UTF-8", "UTF8", "65001", "UTF_8"}
_GBK_ALIASES = {"GBK", "CP936", "936", "ANSI 936", "GB2312", "GB18030", "54936", "20936", "CP_936", "MS936"}


def _sidecar(shp: Path, suffix: str) -> Path | None:
    """The file next to ``shp`` with the same stem and ``suffix`` in any letter case."""
    for candidate in shp.parent.iterdir():
        if candidate.stem == shp.stem and candidate.suffix.lower() == suffix:
            return candidate
    return None


def _normalise_encoding(name: str) -> str | None:
    """A codec name Python and GDAL both accept for a ``.cpg`` or user value, or None if unknown."""
    text = name.strip().strip("\ufeff").upper()
    if not text:
        return None
    if text in _UTF8_ALIASES:
        return "UTF-8"
    if text in _GBK_ALIASES:
        return "GB18030"
    if text.startswith("ANSI "):
        text = text[5:]
    if text.isdigit():
        text = f"CP{text}"
    try:
        codecs.lookup(text)
    except LookupError:
        return None
    return text


def _dbf_text_samples(dbf: Path) -> list[bytes]:
    """Raw bytes of the field names and character values in the first records of a ``.dbf``."""
    with open(dbf, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            raise InputError("属性表 .dbf 文件已损坏（过短）", "the .dbf attribute table is damaged (too short)")
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        descriptors = fh.read(max(header_len - 32, 0))
        fields: list[tuple[bytes, str, int, int]] = []  # name, type, offset in record, length
        offset = 1  # the deletion flag
        for start in range(0, len(descriptors) - 31, 32):
            desc = descriptors[start : start + 32]
            if desc[0] == 0x0D:
                break
            name = desc[:11].split(b"\x00", 1)[0]
            ftype = chr(desc[11])
            length = desc[16]
            fields.append((name, ftype, offset, length))
            offset += length
        samples = [f[0] for f in fields]
        char_fields = [(o, ln) for _, t, o, ln in fields if t == "C"]
        if not char_fields or record_len <= 0:
            return samples
        count = min(n_records, _SAMPLE_RECORDS, _SAMPLE_BYTES // record_len)
        fh.seek(header_len)
        data = fh.read(count * record_len)
    for r in range(len(data) // record_len):
        record = data[r * record_len : (r + 1) * record_len]
        for o, ln in char_fields:
            value = record[o : o + ln].rstrip(b" \x00")
            if value:
                samples.append(value)
    return samples


def _decodes(samples: list[bytes], encoding: str) -> bool:
    """True when every sample decodes strictly with ``encoding``."""
    try:
        for s in samples:
            s.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def detect_dbf_encoding(dbf: Path) -> str | None:
    """Detect whether a ``.dbf``'s text is UTF-8 or GBK/GB18030 from its raw bytes.

    Parameters
    ----------
    dbf : pathlib.Path
        The attribute table.

    Returns
    -------
    str or None
        ``"UTF-8"`` when every sampled value is valid UTF-8 (also when all are ASCII), ``"GB18030"``
        when not but every value is valid GB18030 (GBK/CP936 files), None when neither decodes.
    """
    samples = [s for s in _dbf_text_samples(dbf) if any(b >= 0x80 for b in s)]
    if _decodes(samples, "utf-8"):
        return "UTF-8"
    if _decodes(samples, "gb18030"):
        return "GB18030"
    return None


def _choose_encoding(dbf: Path, cpg: Path | None, report: ValidationReport, user: str | None) -> tuple[str, bool]:
    """The encoding to read with and whether the sampled bytes all decode with it.

    The caller's encoding wins, then the ``.cpg``'s (unless the bytes contradict it), then detection.
    """
    if user:
        chosen = _normalise_encoding(user)
        if chosen is None:
            raise InputError(f"未知的字符编码：{user!r}", f"unknown character encoding: {user!r}")
        return chosen, True
    detected = detect_dbf_encoding(dbf)
    declared = None
    if cpg is not None:
        declared = _normalise_encoding(cpg.read_bytes()[:64].decode("ascii", "replace"))
        if declared is None:
            report.add_problem(
                None, "unknown_cpg", ".cpg 中的编码无法识别，已自动检测", "the .cpg names an unknown encoding; detected instead"
            )
    if declared is not None:
        samples = [s for s in _dbf_text_samples(dbf) if any(b >= 0x80 for b in s)]
        if _decodes(samples, declared):
            return declared, True
        if detected is None:
            report.add_problem(
                None,
                "encoding_errors",
                f"部分属性不是有效的 {declared} 文本，无法解码的字符已替换",
                f"some attributes are not valid {declared}; undecodable characters were replaced",
            )
            return declared, False
        report.add_problem(
            None,
            "cpg_mismatch",
            f".cpg 声明 {declared}，但属性实际为 {detected}，已按 {detected} 读取",
            f"the .cpg says {declared} but the attributes are {detected}; read as {detected}",
        )
        return detected, True
    if detected is None:
        report.add_problem(
            None,
            "encoding_unknown",
            "无法确定属性编码（既非 UTF-8 也非 GBK），无法解码的字符已替换",
            "attribute encoding is neither UTF-8 nor GBK; undecodable characters were replaced",
        )
        return "GB18030", False
    if detected != "UTF-8":
        report.add_problem(
            None,
            "encoding_detected",
            f"缺少 .cpg，属性编码检测为 {detected}（GBK）",
            f"no .cpg; attribute encoding detected as {detected} (GBK)",
        )
    return detected, True


def _redecode(gdf: gpd.GeoDataFrame, encoding: str) -> gpd.GeoDataFrame:
    """Re-decode a frame read as ISO-8859-1 (every byte kept) with ``encoding``, replacing bad bytes."""

    def fix(value: object) -> object:
        if isinstance(value, str):
            return value.encode("latin-1").decode(encoding, errors="replace")
        return value

    columns = {c: fix(c) for c in gdf.columns if c != gdf.geometry.name}
    out = gdf.copy()
    for col in columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(fix)
    return out.rename(columns=columns)


def _read_one(shp: Path, report: ValidationReport, encoding: str | None) -> gpd.GeoDataFrame:
    """Read one ``.shp`` whose sidecars sit next to it in a private folder."""
    dbf = _sidecar(shp, ".dbf")
    if dbf is None:
        raise InputError(
            f"Shapefile 缺少属性表 {shp.stem}.dbf，无法读取",
            f"the Shapefile has no attribute table {shp.stem}.dbf; it cannot be read",
        )
    restore_shx = _sidecar(shp, ".shx") is None
    if restore_shx:
        report.add_problem(
            None,
            "missing_shx",
            f"缺少索引文件 {shp.stem}.shx，已由 .shp 重建",
            f"the index {shp.stem}.shx was missing; rebuilt from the .shp (SHAPE_RESTORE_SHX)",
        )
    if _sidecar(shp, ".prj") is None:
        report.add_problem(
            None,
            "missing_prj",
            f"缺少坐标系文件 {shp.stem}.prj，坐标系将按坐标范围推断",
            f"no {shp.stem}.prj: the coordinate system will be inferred from the coordinates",
        )
    chosen, clean = _choose_encoding(dbf, _sidecar(shp, ".cpg"), report, encoding)

    with _GDAL_CONFIG_LOCK:
        previous = pyogrio.get_gdal_config_option("SHAPE_RESTORE_SHX")
        if restore_shx:
            pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": True})
        try:
            info = pyogrio.read_info(shp, encoding=chosen)
            if info["features"] > settings.MAX_FEATURES:
                raise LimitExceeded(
                    f"要素过多：{info['features']} 个，上限 {settings.MAX_FEATURES}",
                    f"too many features: {info['features']}, the limit is {settings.MAX_FEATURES}",
                )
            gdf = None
            if clean:
                try:
                    gdf = pyogrio.read_dataframe(shp, encoding=chosen)
                except UnicodeDecodeError:
                    report.add_problem(
                        None,
                        "encoding_errors",
                        f"部分属性不是有效的 {chosen} 文本，无法解码的字符已替换",
                        f"some attributes are not valid {chosen}; undecodable characters were replaced",
                    )
            if gdf is None:
                # GDAL's iconv silently drops what it cannot convert: read every byte as ISO-8859-1
                # (a lossless mapping) and decode here, replacing only the bad bytes.
                gdf = _redecode(pyogrio.read_dataframe(shp, encoding="ISO-8859-1"), chosen)
        except pyogrio.errors.DataSourceError as exc:
            raise InputError(f"无法读取 Shapefile：{exc}", f"cannot read the Shapefile: {exc}") from None
        finally:
            if restore_shx:
                pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": previous})
    vertices = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    if vertices > settings.MAX_VERTICES:
        raise LimitExceeded(
            f"顶点过多：{vertices} 个，上限 {settings.MAX_VERTICES}",
            f"too many vertices: {vertices}, the limit is {settings.MAX_VERTICES}",
        )
    logger.info("read %d features from %s (encoding %s)", len(gdf), shp.name, chosen)
    return gdf


def _pick_shp(folder: Path, layer: str | None) -> Path:
    """The one ``.shp`` in ``folder`` (recursively), or the one named by ``layer``."""
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".shp")
    if not found:
        raise InputError("压缩包中没有 .shp 文件", "the archive holds no .shp file")
    if layer is not None:
        matches = [p for p in found if p.stem.lower() == layer.lower() or p.name.lower() == layer.lower()]
        if len(matches) != 1:
            names = ", ".join(p.stem for p in found)
            raise InputError(
                f"压缩包中没有名为 {layer!r} 的图层；可选：{names}", f"no layer {layer!r} in the archive; choose one of: {names}"
            )
        return matches[0]
    if len(found) > 1:
        names = ", ".join(p.stem for p in found)
        raise InputError(
            f"压缩包中有多个 Shapefile，请指定图层：{names}",
            f"the archive holds several Shapefiles; choose a layer: {names}",
        )
    return found[0]


def read_shapefile(
    path: Path,
    report: ValidationReport,
    *,
    layer: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a zipped Shapefile (``.zip``) or a ``.shp`` with its sidecars, features as found.

    Parameters
    ----------
    path : pathlib.Path
        A ``.zip`` holding one or more Shapefiles (in any folder), or a ``.shp``.
    report : gis.report.ValidationReport
        Receives file-level notes: missing ``.prj`` (CRS to be sniffed), rebuilt ``.shx``, the detected
        encoding, a ``.cpg`` contradicted by the bytes.
    layer : str, optional, keyword-only
        The Shapefile's name (stem) when the archive holds several.
    encoding : str, optional, keyword-only
        Attribute encoding (``"GBK"``, ``"UTF-8"``…); overrides the ``.cpg`` and detection.

    Returns
    -------
    geopandas.GeoDataFrame
        Geometry and attributes as stored; CRS from the ``.prj`` (any CRS), or None without one.

    Raises
    ------
    gis.errors.InputError
        No ``.shp`` in the archive, several without ``layer``, no ``.dbf``, unreadable data.
    gis.errors.LimitExceeded
        Archive, feature or vertex limits of :mod:`gis.settings`.
    """
    path = Path(path)
    if path.suffix.lower() == ".zip":
        with extracted(path) as folder:
            return _read_one(_pick_shp(folder, layer), report, encoding)
    if path.suffix.lower() != ".shp":
        raise InputError(f"不是 Shapefile：{path.suffix}", f"not a Shapefile: {path.suffix}")
    if not path.is_file():
        raise InputError("找不到 .shp 文件", "the .shp file does not exist")
    if _sidecar(path, ".shx") is not None:
        return _read_one(path, report, encoding)
    # Rebuilding the .shx writes a file: do it on private copies, never next to the user's file.
    with tempfile.TemporaryDirectory(prefix="gis-shp-") as tmp:
        for suffix in (".shp", ".dbf", ".prj", ".cpg"):
            source = _sidecar(path, suffix)
            if source is not None:
                shutil.copyfile(source, Path(tmp) / f"data{suffix}")
        return _read_one(Path(tmp) / "data.shp", report, encoding)


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes on a character boundary."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def shapefile_field_names(columns: list[str]) -> dict[str, str]:
    """Map column names to DBF field names of at most 10 UTF-8 bytes, unique ignoring case.

    Parameters
    ----------
    columns : list of str
        Attribute column names (not the geometry).

    Returns
    -------
    dict
        ``{column: field name}`` for every column; names that fit are kept, longer ones are cut and,
        on a clash, end in ``_1``, ``_2``…
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        base = _truncate_utf8(str(column), _DBF_NAME_BYTES) or "field"
        name = base
        n = 1
        while name.upper() in taken:
            suffix = f"_{n}"
            name = _truncate_utf8(base, _DBF_NAME_BYTES - len(suffix)) + suffix
            n += 1
        taken.add(name.upper())
        mapping[column] = name
    return mapping


def _family(geom: object) -> str | None:
    """``polygon``, ``line`` or ``point`` for a geometry (collections by their highest dimension)."""
    if geom is None or shapely.is_empty(geom):
        return None
    dim = shapely.get_dimensions(geom)
    return {2: "polygon", 1: "line", 0: "point"}[int(dim)]


def _only_family(geom: object, family: str) -> object:
    """The parts of a GeometryCollection of the chosen family (Shapefiles hold one type per file)."""
    if isinstance(geom, shapely.GeometryCollection):
        parts = [g for g in shapely.get_parts(geom) if _family(g) == family]
        return shapely.union_all(parts) if parts else None
    return geom


def _prepare_attributes(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Columns renamed for the DBF and values it can hold (strings ≤ 254 bytes, datetimes as text)."""
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    mapping = shapefile_field_names(columns)
    out = gdf.copy()
    for col in columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.map(lambda v: v.isoformat() if pd.notna(v) else None)
        elif pd.api.types.is_bool_dtype(series):
            out[col] = series.astype("int32")
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            texts = series.map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v) else str(v))
            cut = texts.map(lambda v: _truncate_utf8(v, _DBF_VALUE_BYTES) if isinstance(v, str) else v)
            changed = int((cut.notna() & (cut != texts)).sum())
            if changed:
                logger.warning("Shapefile: %d values of %r cut to %d bytes (DBF limit)", changed, col, _DBF_VALUE_BYTES)
            out[col] = cut
    renamed = {c: n for c, n in mapping.items() if c != n}
    if renamed:
        logger.info("Shapefile field names shortened to 10 bytes: %s", renamed)
    return out.rename(columns=mapping), mapping


def write_shapefile_zip(gdf: gpd.GeoDataFrame, path: Path, *, crs: str | None = None) -> Path:
    """Write a frame as a zipped Shapefile (``.shp .shx .dbf .prj`` and a UTF-8 ``.cpg``).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS (any).
    path : pathlib.Path
        The ``.zip`` to write; its stem names the Shapefile(s) inside.
    crs : str, optional, keyword-only
        CRS of the written file (e.g. ``"EPSG:4547"``); default: the frame's own CRS.

    Returns
    -------
    pathlib.Path
        ``path``. A frame mixing polygons, lines and points gives one Shapefile per family
        (``<stem>_polygon``, ``<stem>_line``, ``<stem>_point``); null geometries go with the first.

    Raises
    ------
    gis.errors.InputError
        The frame has no CRS.
    """
    path = Path(path)
    if gdf.crs is None:
        raise InputError("要素没有坐标系，无法写出 Shapefile", "the features have no CRS; cannot write a Shapefile")
    frame = gdf.to_crs(crs) if crs is not None else gdf
    frame, _ = _prepare_attributes(frame)
    families = frame.geometry.map(_family)
    present = [f for f in ("polygon", "line", "point") if (families == f).any()] or ["polygon"]
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in path.stem) or "layer"
    with tempfile.TemporaryDirectory(prefix="gis-shp-out-") as tmp:
        written: list[Path] = []
        for i, family in enumerate(present):
            mask = (families == family) | (families.isna() if i == 0 else False)
            part = frame[mask].copy()
            part[part.geometry.name] = part.geometry.map(lambda g, f=family: _only_family(g, f))
            name = stem if len(present) == 1 else f"{stem}_{family}"
            shp = Path(tmp) / f"{name}.shp"
            pyogrio.write_dataframe(part, shp, driver="ESRI Shapefile", encoding="UTF-8")
            (Path(tmp) / f"{name}.cpg").write_text("UTF-8", encoding="ascii")
            written.extend(sorted(Path(tmp).glob(f"{name}.*")))
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for file in written:
                zf.write(file, arcname=file.name)
    logger.info("wrote %d features to %s", len(frame), path.name)
    return path
