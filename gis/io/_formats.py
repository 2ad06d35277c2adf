"""The table of formats: every input extension with its reader, every output format with its writer.

One frozen :class:`OutputFormat` per output format, the same idiom as ``layers.spec.LayerSpec``:
:data:`OUTPUT_FORMAT_TABLE` is the one place that says what a format is called, which function writes
it, its file suffix and MIME type, and which CRS it is written in. ``gis.io.OUTPUT_FORMATS``,
:func:`guess_output_format`, the write switch (``gis.io._finish.write_dispatch``) and the data page's
export list (:func:`export_choices`) are all built from it. Adding a format is one row here and one writer.

Readers and writers are held by direct reference (no module names in strings).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gis.crs import CGCS2000_GK_CM114, CGCS2000_GK_ZONE38, WGS84
from gis.errors import InputError
from gis.io.csv_points import read_csv_points
from gis.io.dxf import read_dxf, write_dxf
from gis.io.geojson import read_geojson, write_geojson, write_geojson_surveyor
from gis.io.gpkg import read_gpkg, write_gpkg
from gis.io.kml import read_kml, write_kml
from gis.io.shapefile import read_shapefile, write_shapefile_zip
from gis.io.survey import read_survey_txt, write_boundary_points, write_survey_pack, write_survey_txt
from gis.io.xlsx_points import read_xlsx_points

__all__ = [
    "OutputFormat",
    "ExportChoice",
    "OUTPUT_FORMAT_TABLE",
    "READERS",
    "INPUT_EXTENSIONS",
    "guess_output_format",
    "export_choices",
]

_SURVEYOR_CRS = (CGCS2000_GK_CM114, CGCS2000_GK_ZONE38)


@dataclass(frozen=True)
class ExportVariant:
    """A second way the data page offers a format: another suffix (the writer picks by it) or CRS."""

    key: str
    suffix: str
    mime: str
    crs: str


@dataclass(frozen=True)
class OutputFormat:
    """One output format.

    Attributes
    ----------
    name : str
        What ``write_any(fmt=...)`` and ``python -m gis convert --to`` call it.
    writer : callable
        ``writer(gdf, path, **options[, crs=...]) -> path``.
    suffix : str
        The file suffix it is written with by default (``".geojson"``).
    mime : str
        MIME type of a file with that suffix (for downloads).
    default_crs : str
        CRS of the written file when the caller names none (``"EPSG:n"``).
    allowed_crs : tuple of str or None
        CRSes the format may be written in; None for any.
    takes_crs : bool
        Whether the writer takes a ``crs`` keyword (False where the format fixes its CRS).
    options : mapping
        Fixed keyword arguments for the writer (``{"kmz": True}``).
    guessed_from : tuple of str
        File suffixes that name this format when ``--to`` is not given (empty: only by name).
    variants : tuple of ExportVariant
        Further choices the data page offers for it.
    """

    name: str
    writer: Callable[..., Any]
    suffix: str
    mime: str
    default_crs: str
    allowed_crs: tuple[str, ...] | None
    takes_crs: bool = True
    options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    guessed_from: tuple[str, ...] = ()
    variants: tuple[ExportVariant, ...] = ()


_GEOJSON_MIME = "application/geo+json"
_ZIP_MIME = "application/zip"

#: Every output format, in the order menus list them.
OUTPUT_FORMAT_TABLE: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            "geojson", write_geojson, ".geojson", _GEOJSON_MIME, WGS84, (WGS84,), takes_crs=False,
            guessed_from=(".geojson", ".json"),
        ),
        OutputFormat(
            "geojson-surveyor", write_geojson_surveyor, ".geojson", _GEOJSON_MIME, CGCS2000_GK_CM114, _SURVEYOR_CRS,
            variants=(ExportVariant("geojson-surveyor-4526", ".geojson", _GEOJSON_MIME, CGCS2000_GK_ZONE38),),
        ),
        OutputFormat("gpkg", write_gpkg, ".gpkg", "application/geopackage+sqlite3", WGS84, None, guessed_from=(".gpkg",)),
        OutputFormat("shp", write_shapefile_zip, ".zip", _ZIP_MIME, WGS84, None, guessed_from=(".zip",)),
        OutputFormat(
            "kml", write_kml, ".kml", "application/vnd.google-earth.kml+xml", WGS84, (WGS84,), takes_crs=False,
            options=MappingProxyType({"kmz": False}), guessed_from=(".kml",),
        ),
        OutputFormat(
            "kmz", write_kml, ".kmz", "application/vnd.google-earth.kmz", WGS84, (WGS84,), takes_crs=False,
            options=MappingProxyType({"kmz": True}), guessed_from=(".kmz",),
        ),
        OutputFormat("dxf", write_dxf, ".dxf", "application/dxf", CGCS2000_GK_CM114, _SURVEYOR_CRS, guessed_from=(".dxf",)),
        OutputFormat(
            "boundary-points", write_boundary_points, ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", CGCS2000_GK_CM114, _SURVEYOR_CRS,
            guessed_from=(".xlsx", ".csv"),
            variants=(ExportVariant("boundary-points-csv", ".csv", "text/csv", CGCS2000_GK_CM114),),
        ),
        OutputFormat("survey-txt", write_survey_txt, ".txt", "text/plain", CGCS2000_GK_ZONE38, _SURVEYOR_CRS, guessed_from=(".txt",)),
        OutputFormat("survey-pack", write_survey_pack, ".zip", _ZIP_MIME, CGCS2000_GK_CM114, _SURVEYOR_CRS),
    )
}

#: Input format → its raw reader ``reader(path, report, *, layer, encoding) -> GeoDataFrame`` (file's CRS).
READERS: dict[str, Callable[..., Any]] = {
    "geojson": read_geojson,
    "gpkg": read_gpkg,
    "shapefile": read_shapefile,
    "kml": read_kml,
    "csv_points": read_csv_points,
    "xlsx_points": read_xlsx_points,
    "dxf": read_dxf,
    "survey": read_survey_txt,
}

#: File extensions ``read_any`` recognises, with the input format (a key of :data:`READERS`) that reads them.
INPUT_EXTENSIONS: dict[str, str] = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".shp": "shapefile",
    ".kml": "kml",
    ".kmz": "kml",
    ".csv": "csv_points",
    ".xlsx": "xlsx_points",
    ".dxf": "dxf",
    ".txt": "survey",
}


def guess_output_format(path: str | Path) -> str:
    """Pick an output format from a file name (``.geojson`` → ``geojson``, ``.zip`` → ``shp``…).

    Parameters
    ----------
    path : str or pathlib.Path
        The output file's name.

    Returns
    -------
    str
        The name of the first format of :data:`OUTPUT_FORMAT_TABLE` guessed from that suffix.

    Raises
    ------
    gis.errors.InputError
        When the extension names no format (``choice="format"``: name it, ``--to`` on the command line).
    """
    suffix = Path(path).suffix.lower()
    for fmt in OUTPUT_FORMAT_TABLE.values():
        if suffix in fmt.guessed_from:
            return fmt.name
    raise InputError(
        f"无法从扩展名 {suffix!r} 判断输出格式，请指定格式", f"cannot tell the output format from {suffix!r}; name the format",
        choice="format",
    )


@dataclass(frozen=True)
class ExportChoice:
    """One entry of an export menu: the key shown, the output format, the file suffix, MIME type and CRS."""

    key: str
    format: str
    suffix: str
    mime: str
    crs: str


def export_choices() -> list[ExportChoice]:
    """Every export a menu offers: each format at its default CRS, followed by its variants.

    Returns
    -------
    list of ExportChoice
        In table order; ``key`` is unique (the format's name, or the variant's key).
    """
    out: list[ExportChoice] = []
    for fmt in OUTPUT_FORMAT_TABLE.values():
        out.append(ExportChoice(fmt.name, fmt.name, fmt.suffix, fmt.mime, fmt.default_crs))
        out += [ExportChoice(v.key, fmt.name, v.suffix, v.mime, v.crs) for v in fmt.variants]
    return out
