"""GeoPackage in (choose a layer) and out, through pyogrio (GDAL)."""

from __future__ import annotations

import logging
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


def _layers_with_types(path: Path) -> list[tuple[str, str | None]]:
    if not path.is_file():
        raise InputError(f"找不到文件 {path.name}", f"file not found: {path.name}")
    with path.open("rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        # Without this GDAL would open any format it knows (GeoJSON text named .gpkg, say) as a "GeoPackage".
        raise _not_a_geopackage(path, f"no SQLite header (starts with {head[:16]!r})")
    with _gdal(path):
        rows = pyogrio.list_layers(path)
    return [(str(name), None if gtype is None else str(gtype)) for name, gtype in rows]


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
    return [name for name, _ in _layers_with_types(path)]


def read_gpkg(path: Path, report: ValidationReport, *, layer: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a GeoPackage as found.

    Parameters
    ----------
    path : pathlib.Path
        A ``.gpkg`` file.
    report : gis.report.ValidationReport
        Not written to by this reader (GDAL reports no per-feature problems); kept for the contract.
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
        lists them), an unknown layer, or a layer without geometry.
    gis.errors.LimitExceeded
        More features than ``settings.MAX_FEATURES``.
    """
    path = Path(path)
    layers = _layers_with_types(path)
    names = [name for name, _ in layers]
    spatial = [name for name, gtype in layers if gtype is not None]
    listing = ", ".join(names)
    if not names:
        raise InputError(f"{path.name} 中没有图层", f"{path.name} holds no layers")
    if layer is None:
        if len(spatial) == 1:
            layer = spatial[0]
        elif not spatial:
            raise InputError(f"{path.name} 中没有带几何的图层（{listing}）", f"{path.name} has no layer with geometry ({listing})")
        else:
            raise InputError(
                f"{path.name} 有多个图层，请用 --layer 选择其一：{', '.join(spatial)}",
                f"{path.name} holds several layers; choose one with --layer: {', '.join(spatial)}",
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
        gdf = pyogrio.read_dataframe(path, layer=layer)
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
