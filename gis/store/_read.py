"""Reading a layer with Python's sqlite3 (not GDAL) — private to :mod:`gis.store`.

Why not ``pyogrio.read_dataframe``: the GDAL in the pyogrio wheel carries its own copy of SQLite. Two
SQLite libraries in one process do not see each other's POSIX locks, so GDAL closing the file can drop
the locks Python's sqlite3 holds (https://www.sqlite.org/howtocorrupt.html, "multiple copies of SQLite
linked into the same application"); under concurrent writes that shows up as "disk I/O error" and can
corrupt the file. So everything the store does on its own file goes through Python's sqlite3; GDAL
only writes private staging files.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from gis.store._gpkg import FID_COLUMN, VERSION_COLUMN, columns_of, quote
from gis.store._layers import gpkg_blob_to_wkb

__all__: list[str] = []

_INTEGER = ("INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT", "BIGINT")
_REAL = ("REAL", "FLOAT", "DOUBLE")


def geometry_column(conn: sqlite3.Connection, layer: str) -> tuple[str, int]:
    """The geometry column name and SRS id of a layer, from gpkg_geometry_columns."""
    row = conn.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()
    return (row[0], int(row[1])) if row else ("geom", 4326)


def decode_geometries(blobs: list[bytes | None]) -> Any:
    """GeoPackage geometry blobs → a numpy array of shapely geometries (None for NULL)."""
    import numpy as np
    import shapely

    wkb = np.empty(len(blobs), dtype=object)
    wkb[:] = [gpkg_blob_to_wkb(blob) for blob in blobs]
    return shapely.from_wkb(wkb)


def _is_null(value: Any) -> bool:
    """A database NULL as the drivers give it (None; a float NaN counts too, as ``Series.isna`` counted it)."""
    return value is None or (isinstance(value, float) and value != value)


def _column(values: list[Any], declared: str) -> Any:
    import pandas as pd

    kind = declared.upper()
    if kind.startswith("TEXT") and not any(isinstance(v, bytes) for v in values):
        return pd.Series(values)  # pandas' default string dtype, as pyogrio gives
    series = pd.Series(values, dtype=object)
    if kind in _INTEGER:
        return series.astype("float64" if any(_is_null(v) for v in values) else "int64")
    if kind in _REAL:
        return series.astype("float64")
    if kind == "BOOLEAN":
        return series if any(_is_null(v) for v in values) else series.astype(bool)
    if kind == "DATE":
        return pd.to_datetime(series, format="ISO8601", errors="coerce")
    if kind == "DATETIME":
        try:  # naive stays naive (as GDAL reads it), "…Z" becomes UTC
            return pd.to_datetime(series, format="ISO8601", errors="coerce")
        except (TypeError, ValueError):  # a mix of naive and zoned values
            return pd.to_datetime(series, format="ISO8601", errors="coerce", utc=True)
    return series


def read_frame(conn: sqlite3.Connection, layer: str) -> Any:
    """A whole layer (validated name) as a GeoDataFrame in its SRS (EPSG:4326 for the store's layers)."""
    import geopandas as gpd
    import pandas as pd

    geom_col, srs_id = geometry_column(conn, layer)
    declared = columns_of(conn, layer)
    names = [c for c in declared if c not in (FID_COLUMN, geom_col)]
    select = ", ".join(quote(c) for c in [*names, geom_col])
    rows = conn.execute(f"SELECT {select} FROM {quote(layer)} ORDER BY {quote(FID_COLUMN)}").fetchall()
    columns = list(zip(*rows)) if rows else [[] for _ in range(len(names) + 1)]
    data = {name: _column(list(columns[i]), declared[name]) for i, name in enumerate(names)}
    frame = pd.DataFrame(data)
    frame[VERSION_COLUMN] = frame[VERSION_COLUMN].astype("int64")
    crs = f"EPSG:{srs_id}" if srs_id > 0 else None
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(decode_geometries(list(columns[-1])), crs=crs), crs=crs)
