"""GeoPackage in (choose a layer) and out, through pyogrio (GDAL).

Before GDAL opens a file, SQLite's own catalogue (``sqlite_master``) is read with :mod:`sqlite3`: a layer
or core table that is a VIEW or a VIRTUAL TABLE is refused, since GDAL would run a recursive view for ever
(the upload preview needs no sign-in). The feature read itself is bounded by ``settings.MAX_FEATURES``.
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from gis import settings
from gis.crs import WGS84
from gis.errors import CRSError, InputError, LimitExceeded
from gis.report import ValidationReport

__all__ = ["read_gpkg", "list_gpkg_layers", "write_gpkg"]

log = logging.getLogger(__name__)


_SQLITE_MAGIC = b"SQLite format 3\x00"  # every GeoPackage is an SQLite 3 database (OGC 12-128r18, req. 1)


def _not_a_geopackage(path: Path, detail: str) -> InputError:
    """The error a user sees for a damaged file; GDAL's text (SQL, driver hints) goes to the log only."""
    log.info("%s is not a readable GeoPackage: %s", path.name, detail)
    return InputError(
        f"不是有效的 GeoPackage（文件已损坏、被截断或是其他格式）：{path.name}",
        f"not a valid GeoPackage (damaged, truncated or another format): {path.name}",
    )


@contextmanager
def _gdal(path: Path) -> Iterator[None]:
    """Run a pyogrio call on ``path``; its failures on a broken file become one clear InputError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on a foreign file; the error says it
            yield
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise _not_a_geopackage(path, f"{type(exc).__name__}: {exc}") from None


# The tables GDAL reads to open a GeoPackage: each must be a plain table, or opening it could run a view.
_CORE_TABLES = ("gpkg_contents", "gpkg_spatial_ref_sys", "gpkg_geometry_columns", "gpkg_ogr_contents", "gpkg_extensions")


def _schema_objects(path: Path) -> dict[str, str]:
    """What SQLite's own catalogue says each table-like object is: ``table``, ``virtual`` or ``view``.

    Read with :mod:`sqlite3` in read-only mode before GDAL sees the file, under a budget of
    ``settings.MAX_GPKG_SQLITE_STEPS`` virtual-machine steps (only ``sqlite_master`` is read, which
    runs no view, but a damaged catalogue must not stall either).
    """
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _not_a_geopackage(path, f"sqlite3: {exc}") from None
    steps = 0

    def budget() -> int:
        nonlocal steps
        steps += 1
        return 1 if steps * 1000 > settings.MAX_GPKG_SQLITE_STEPS else 0

    con.set_progress_handler(budget, 1000)
    try:
        rows = con.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
    except sqlite3.Error as exc:
        raise _not_a_geopackage(path, f"sqlite3: {exc}") from None
    finally:
        con.close()
    kinds: dict[str, str] = {}
    for kind, name, sql in rows:
        virtual = kind == "table" and str(sql or "").lstrip().upper().startswith("CREATE VIRTUAL")
        kinds[str(name)] = "virtual" if virtual else str(kind)
    return kinds


def _refused_object(path: Path, name: str, kind: str) -> InputError:
    what_zh = "视图 (VIEW)" if kind == "view" else "虚拟表 (VIRTUAL TABLE)"
    what_en = "a database view" if kind == "view" else "a virtual table"
    return InputError(
        f"{path.name} 的 {name!r} 是{what_zh}，不是普通的要素表；出于安全原因不读取（视图可能无限运行），请导出为普通图层后再上传",
        f"{name!r} in {path.name} is {what_en}, not a plain feature table; refused for safety (a view can run"
        " without end): export it as a plain layer and upload that",
    )


def _layers_with_types(path: Path) -> tuple[list[tuple[str, str | None]], dict[str, str]]:
    """The layers GDAL lists with their geometry types, and what SQLite says each object is."""
    if not path.is_file():
        raise InputError(f"找不到文件 {path.name}", f"file not found: {path.name}")
    with path.open("rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        # Without this GDAL would open any format it knows (GeoJSON text named .gpkg, say) as a "GeoPackage".
        raise _not_a_geopackage(path, f"no SQLite header (starts with {head[:16]!r})")
    kinds = _schema_objects(path)
    for core in _CORE_TABLES:
        if kinds.get(core, "table") != "table":
            raise _refused_object(path, core, kinds[core])
    with _gdal(path):
        rows = pyogrio.list_layers(path)
    layers = [(str(name), None if gtype is None else str(gtype)) for name, gtype in rows]
    return layers, {name: kinds.get(name, "table") for name, _ in layers}


def list_gpkg_layers(path: Path) -> list[str]:
    """Names of the layers of a GeoPackage, in file order.

    Parameters
    ----------
    path : pathlib.Path
        A ``.gpkg`` file; for any other single-layer file the file's stem is its one layer.

    Returns
    -------
    list of str
        Layer names (attribute-only tables included; reading one of them is refused).

    Raises
    ------
    gis.errors.InputError
        When the file is missing or cannot be opened as a GeoPackage (``不是有效的 GeoPackage / not a
        valid GeoPackage: <name>``; GDAL's own text is logged at INFO level, not shown).
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        return [path.stem]
    return [name for name, _ in _layers_with_types(path)[0]]


def read_gpkg(path: Path, report: ValidationReport, *, layer: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a GeoPackage as found.

    Parameters
    ----------
    path : pathlib.Path
        A ``.gpkg`` file.
    report : gis.report.ValidationReport
        Receives a ``gpkg_view_skipped`` note when the one plain layer was chosen past views.
    layer : str, optional, keyword-only
        The layer to read; may be omitted when the file holds exactly one layer with geometry.
    encoding : str, optional, keyword-only
        Ignored: GeoPackage text is UTF-8 by specification.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer's features in the layer's CRS (its ``gpkg_spatial_ref_sys`` entry), or ``crs=None``
        when the layer's SRS is undefined, for the finisher to sniff.

    Raises
    ------
    gis.errors.InputError
        Not a GeoPackage or a damaged one (``不是有效的 GeoPackage / not a valid GeoPackage: <name>``;
        GDAL's own text is logged, not shown), no layer, several layers and none chosen (the message
        lists them), an unknown layer, or a layer without geometry. A layer (or a GeoPackage core table)
        that SQLite's ``sqlite_master`` says is a VIEW or a VIRTUAL TABLE is refused before GDAL opens
        it: a recursive view would make GDAL run for ever.
    gis.errors.LimitExceeded
        More features than ``settings.MAX_FEATURES`` (counted, and bounded again while reading).
    """
    path = Path(path)
    layers, kinds = _layers_with_types(path)
    names = [name for name, _ in layers]
    # Views and virtual tables are never read (a recursive view hangs GDAL); a plain table is the only choice.
    spatial = [name for name, gtype in layers if gtype is not None and kinds[name] == "table"]
    listing = ", ".join(names)
    if not names:
        raise InputError(f"{path.name} 中没有图层", f"{path.name} holds no layers")
    if layer is not None and layer in kinds and kinds[layer] != "table":
        raise _refused_object(path, layer, kinds[layer])
    if layer is None:
        if not spatial and any(k != "table" for k in kinds.values()):
            bad = next(n for n, k in kinds.items() if k != "table")
            raise _refused_object(path, bad, kinds[bad])
        if len(spatial) == 1:
            layer = spatial[0]
            skipped = [n for n, k in kinds.items() if k != "table"]
            if skipped:
                report.add_problem(
                    None,
                    "gpkg_view_skipped",
                    f"未读取视图或虚拟表：{', '.join(skipped)}（出于安全原因）；已读取图层 {layer}",
                    f"views or virtual tables not read (for safety): {', '.join(skipped)}; read layer {layer}",
                )
        elif not spatial:
            raise InputError(f"{path.name} 中没有带几何的图层（{listing}）", f"{path.name} has no layer with geometry ({listing})")
        else:
            raise InputError(
                f"{path.name} 有多个图层，请选择其一：{', '.join(spatial)}",
                f"{path.name} holds several layers; choose one: {', '.join(spatial)}",
                choice="layer",
            )
    elif layer not in names:
        raise InputError(f"{path.name} 中没有图层 {layer!r}（有：{listing}）", f"{path.name} has no layer {layer!r} (layers: {listing})")
    elif layer not in spatial:
        raise InputError(f"图层 {layer!r} 没有几何", f"layer {layer!r} has no geometry")

    with _gdal(path):
        info = pyogrio.read_info(path, layer=layer)
    count = int(info.get("features") or 0)
    if count > settings.MAX_FEATURES:
        raise LimitExceeded(
            f"图层 {layer} 含 {count} 个要素，超过上限 {settings.MAX_FEATURES}",
            f"layer {layer} holds {count} features, more than the limit of {settings.MAX_FEATURES}",
        )
    with _gdal(path):  # a damaged data page shows only now, while the features are read
        # The count above may come from gpkg_ogr_contents, which a file can fake: read one past the limit.
        gdf = pyogrio.read_dataframe(path, layer=layer, max_features=settings.MAX_FEATURES + 1)
    if len(gdf) > settings.MAX_FEATURES:
        raise LimitExceeded(
            f"图层 {layer} 含超过 {settings.MAX_FEATURES} 个要素，超过上限",
            f"layer {layer} holds more than {settings.MAX_FEATURES} features, more than the limit",
        )
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"图层 {layer!r} 没有几何", f"layer {layer!r} has no geometry")
    log.debug("read %d features from %s layer %s (crs %s)", len(gdf), path.name, layer, gdf.crs)
    return gdf.reset_index(drop=True)


def write_gpkg(gdf: gpd.GeoDataFrame, path: Path, *, crs: str | None = None, layer: str | None = None) -> Path:
    """Write a frame as one layer of a GeoPackage.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS (any).
    path : pathlib.Path
        Output ``.gpkg``. An existing GeoPackage keeps its other layers; a layer of the same name is
        replaced.
    crs : str, optional, keyword-only
        CRS of the written layer (default EPSG:4326, the storage CRS).
    layer : str, optional, keyword-only
        Layer name; the file's stem by default.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    gis.errors.CRSError
        When the frame has no CRS.
    """
    if gdf.crs is None:
        raise CRSError("要写出的数据没有坐标系", "the features to write have no CRS")
    path = Path(path)
    out = gdf.to_crs(crs or WGS84)
    # Object columns holding mixed Python values (dicts, lists) cannot be typed by GDAL: write them as text.
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            kinds = {type(v) for v in out[col].dropna()}
            if kinds - {str}:
                out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    pyogrio.write_dataframe(out, path, layer=layer or path.stem, driver="GPKG")
    return path
