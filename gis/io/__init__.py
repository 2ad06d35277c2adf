"""Reading and writing every format planners and surveyors hand over.

Every reader returns a validated GeoDataFrame in EPSG:4326 plus the :class:`~gis.report.ValidationReport`
(:func:`read_any`); every writer takes a frame in any CRS and writes one file (:func:`write_any`).

Format modules (one per format, each holding its reader and writer):

=====================  =====================================================================
``geojson.py``         GeoJSON in (legacy ``crs`` members too) and out (RFC 7946, surveyor variant)
``gpkg.py``            GeoPackage in (choose a layer) and out
``csv_points.py``      CSV of points (lon/lat, 经度/纬度, GCJ-02 pickers)
``xlsx_points.py``     Excel point tables and the 界址点坐标表 read back (.xlsx; bounded, formulas never run)
``shapefile.py``       zipped Shapefile in (``.cpg`` or GBK/UTF-8 detection) and out (``.prj``, ``.cpg``)
``kml.py``             KML and KMZ in and out
``dxf.py``             DXF closed polylines in (EPSG:4547 metres) and out (layers by status)
``_dxf_arcs.py``       DXF arcs flattened with a tolerance sized to the drawing, vertices counted first
``_dxf_repair.py``     a DXF whose XDATA is damaged: that XDATA removed, the drawing kept
``survey.py``          勘测定界 TXT in and out; 界址点坐标表 (.xlsx, .csv) out; the surveyor pack ZIP
``archive.py``         safe extraction of ZIP/KMZ members into a private temporary folder
``_formats.py``        the table of formats: one row per output format (writer, suffix, MIME, CRS), readers
``_crs_settle.py``     settling the CRS of a frame just read: label, sniff, swap, project, datum shift
``_results.py``        :class:`ReadResult` and :class:`WriteResult`
``_finish.py``         the common tail of a read (size, reader, CRS, validation) and the write switch
=====================  =====================================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd

from gis.io._finish import read_dispatch, write_dispatch
from gis.io._formats import (
    INPUT_EXTENSIONS,
    OUTPUT_FORMAT_TABLE,
    ExportChoice,
    OutputFormat,
    export_choices,
    guess_output_format,
)
from gis.io._results import ReadResult, WriteResult

__all__ = [
    "ReadResult",
    "WriteResult",
    "OutputFormat",
    "ExportChoice",
    "OUTPUT_FORMAT_TABLE",
    "OUTPUT_FORMATS",
    "INPUT_EXTENSIONS",
    "read_any",
    "write_any",
    "guess_output_format",
    "export_choices",
    "list_layers",
]

#: Formats ``write_any`` (and ``python -m gis convert --to``) accepts: the names of :data:`OUTPUT_FORMAT_TABLE`.
OUTPUT_FORMATS: tuple[str, ...] = tuple(OUTPUT_FORMAT_TABLE)


def read_any(
    path: str | Path,
    *,
    layer: str | None = None,
    datum: Literal["gcj02", "bd09"] | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    strict: bool = True,
    display_name: str | None = None,
) -> ReadResult:
    """Read any supported file into a validated GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    path : str or pathlib.Path
        The file. Its extension picks the reader (see :data:`INPUT_EXTENSIONS`).
    layer : str, optional, keyword-only
        Layer of a GeoPackage (default: the only layer, or an error listing the layers).
    datum : {"gcj02", "bd09"}, optional, keyword-only
        The user's word that degree coordinates are GCJ-02 or BD-09; they are converted to WGS 84.
    crs : str, optional, keyword-only
        CRS for a file that carries none (e.g. ``"EPSG:4547"``); overrides sniffing.
    encoding : str, optional, keyword-only
        Attribute encoding of a Shapefile/CSV when known; detected otherwise.
    strict : bool, keyword-only
        When True (default) an unusable file raises :class:`gis.errors.InputError`; when False the
        report says so (``report.ok`` is False) and the frame is empty.
    display_name : str, optional, keyword-only
        The name to use in messages (an upload's original name); never used as a path.

    Returns
    -------
    ReadResult
        The frame in EPSG:4326, the report and the format name.

    Raises
    ------
    gis.errors.InputError
        Unknown extension, file too large, unreadable or unusable (with ``strict``).
    """
    return read_dispatch(
        Path(path), layer=layer, datum=datum, crs=crs, encoding=encoding, strict=strict, display_name=display_name
    )


def write_any(gdf: gpd.GeoDataFrame, path: str | Path, *, fmt: str, crs: str | None = None) -> WriteResult:
    """Write a frame in one of :data:`OUTPUT_FORMATS`.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS (any; converted as the format requires).
    path : str or pathlib.Path
        Output file. Its parent folder must exist.
    fmt : str, keyword-only
        One of :data:`OUTPUT_FORMATS`.
    crs : str, optional, keyword-only
        For surveyor formats: ``"EPSG:4547"`` (default) or ``"EPSG:4526"``.

    Returns
    -------
    WriteResult
        Path, format, feature count and the CRS of the written file.
    """
    return write_dispatch(gdf, Path(path), fmt=fmt, crs=crs)


def list_layers(path: str | Path) -> list[str]:
    """Names of the layers in a GeoPackage (or the single layer of any other file).

    Parameters
    ----------
    path : str or pathlib.Path
        A readable file.

    Returns
    -------
    list of str
        Layer names in file order.
    """
    from gis.io.gpkg import list_gpkg_layers

    return list_gpkg_layers(Path(path))
