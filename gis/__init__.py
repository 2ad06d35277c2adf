"""Songshan Lake Plan GIS: the library (coordinates, measures, validation, I/O, metrics).

``gis`` knows nothing of the plan or the app. Importing it is cheap: the names below load their module
on first use, so ``import gis`` pulls in neither streamlit nor folium (nor geopandas) until needed.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    # coordinates
    "WGS84",
    "CGCS2000_GK_CM114",
    "CGCS2000_GK_ZONE38",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "transform_frame",
    "sniff_crs",
    # measures
    "M2_PER_MU",
    "area_m2",
    "area_mu",
    "area_ha",
    "length_m",
    "length_km",
    # validation and I/O
    "validate_frame",
    "ValidationReport",
    "read_any",
    "write_any",
    "InputError",
    "GisError",
    "ConflictError",
    # the working store
    "open_store",
    "Store",
    # metrics (``gis.coverage`` is the module; its function is ``gis.coverage.coverage``)
    "coverage_report",
    "covered_share",
    "substation_adequacy",
    "population_within_reach",
    "distance_raster",
]

_WHERE: dict[str, str] = {
    "WGS84": "gis.crs",
    "CGCS2000_GK_CM114": "gis.crs",
    "CGCS2000_GK_ZONE38": "gis.crs",
    "wgs84_to_gcj02": "gis.crs",
    "gcj02_to_wgs84": "gis.crs",
    "wgs84_to_bd09": "gis.crs",
    "bd09_to_wgs84": "gis.crs",
    "transform_frame": "gis.crs",
    "sniff_crs": "gis.crs",
    "M2_PER_MU": "gis.area",
    "area_m2": "gis.area",
    "area_mu": "gis.area",
    "area_ha": "gis.area",
    "length_m": "gis.area",
    "length_km": "gis.area",
    "validate_frame": "gis.validate",
    "ValidationReport": "gis.report",
    "read_any": "gis.io",
    "write_any": "gis.io",
    "InputError": "gis.errors",
    "GisError": "gis.errors",
    "ConflictError": "gis.errors",
    "open_store": "gis.store",
    "Store": "gis.store",
    "coverage_report": "gis.coverage",
    "covered_share": "gis.coverage",
    "substation_adequacy": "gis.load_density",
    "population_within_reach": "gis.raster",
    "distance_raster": "gis.raster",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
