"""What a read and a write hand back: :class:`ReadResult` and :class:`WriteResult`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from gis.report import ValidationReport

__all__ = ["ReadResult", "WriteResult"]


@dataclass
class ReadResult:
    """A file read into the project's shape.

    Attributes
    ----------
    gdf : geopandas.GeoDataFrame
        Validated (and repaired) features in EPSG:4326.
    report : gis.report.ValidationReport
        What was wrong, what was repaired and which CRS was assumed.
    format : str
        The format module that read the file (``"geojson"``, ``"shapefile"``…).
    """

    gdf: gpd.GeoDataFrame
    report: ValidationReport
    format: str


@dataclass
class WriteResult:
    """What a writer wrote: the path, the format, the number of features and the CRS of the file."""

    path: Path
    format: str
    features: int
    crs: str
