"""Moving a PostGIS store to and from a GeoPackage store file — private to :mod:`gis.store`.

The PostGIS store's backup is a GeoPackage *store* (the same file :meth:`gis.store.Store.backup` writes):
QGIS and GDAL open it, :func:`gis.store.open_store` opens it as a working store, and either backend
restores from it. Attribute types, versions, fids' order and the whole history (with its ``seq``) are kept.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from gis.store import _create, _gpkg, _layers, _pg
from gis.store._gpkg import FID_COLUMN, GEOMETRY_COLUMN, HISTORY_TABLE, LAYERS_TABLE, VERSION_COLUMN, quote
from gis.store._pg import Table

__all__: list[str] = []

HISTORY_SELECT = 'SELECT seq, at, "user", layer, feature_id, field, old, new, note, version FROM {} ORDER BY seq'


def read_gpkg_table(conn: sqlite3.Connection, layer: str) -> Table:
    """A layer of a GeoPackage (store or staging file; validated name) as a :class:`~gis.store._pg.Table`."""
    declared = _gpkg.columns_of(conn, layer)
    row = conn.execute("SELECT column_name, geometry_type_name, z, m FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()
    geom_col, type_name, z, m = row if row else (GEOMETRY_COLUMN, None, None, None)
    names = [c for c in declared if c not in (FID_COLUMN, geom_col)]
    select = ", ".join(quote(c) for c in [*names, geom_col])
    rows = conn.execute(f"SELECT {select} FROM {quote(layer)} ORDER BY {quote(FID_COLUMN)}").fetchall()
    zoned = {c for i, c in enumerate(names) if declared[c] == "DATETIME" and any(_pg.is_zoned_text(r[i]) for r in rows)}
    return Table(
        columns=[(c, declared[c]) for c in names],
        rows=[list(r[:-1]) for r in rows],
        wkb=[_layers.gpkg_blob_to_wkb(r[-1]) for r in rows],
        geometry_type=_pg.geometry_type(type_name, z, m),
        zoned=zoned,
    )


def _frame(table: Table) -> Any:
    """A GeoDataFrame whose dtypes make GDAL declare the table's GeoPackage types again."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    data: dict[str, Any] = {}
    for i, (name, kind) in enumerate(table.columns):
        values = [r[i] for r in table.rows]
        if name == VERSION_COLUMN:
            data[name] = pd.Series(values, dtype="int64")
        elif kind in ("INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT", "BIGINT"):
            data[name] = pd.array(values, dtype="Int64")
        elif kind in ("REAL", "FLOAT", "DOUBLE"):
            data[name] = pd.Series(values, dtype="float64")
        elif kind == "BOOLEAN":
            data[name] = pd.array([None if v is None else bool(v) for v in values], dtype="boolean")
        elif kind in ("DATETIME", "DATE"):  # GDAL has no DATE from pandas: a DATE column comes back as DATETIME
            data[name] = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=name in table.zoned)
        else:
            data[name] = pd.Series(values, dtype=object)
    wkb = np.empty(len(table.wkb), dtype=object)
    wkb[:] = table.wkb
    geometry = gpd.GeoSeries(shapely.from_wkb(wkb), crs=f"EPSG:{_pg.SRID}")
    return gpd.GeoDataFrame(pd.DataFrame(data, index=range(len(table.rows))), geometry=geometry.rename(GEOMETRY_COLUMN))


def write_gpkg_store(dest: Path, layers: list[tuple[str, str, str, str]], tables: dict[str, Table], history: list[tuple[Any, ...]]) -> Path:
    """Write a GeoPackage store file holding ``tables`` and ``history`` at ``dest`` (built beside it, then renamed in).

    ``layers`` rows are (layer, id_field, created_at, created_by); ``history`` rows start with ``seq``.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name[:60]}.", dir=dest.parent))
    try:
        target = work / "store.gpkg"
        _create.create_store(target)
        conn = _gpkg.connect(target)
        try:
            for layer, id_field, created_at, created_by in layers:
                staging = _layers.write_staging(_frame(tables[layer]), layer, work)
                conn.execute("ATTACH DATABASE ? AS stg", (str(staging),))
                try:
                    with _gpkg.write_transaction(conn):
                        _gpkg.ensure_gpkg_tables(conn)
                        _gpkg.copy_layer_from_staging(conn, layer)
                        conn.execute(f"CREATE UNIQUE INDEX {quote('ssl_idx_' + layer)} ON {quote(layer)} ({quote(id_field)})")
                        conn.execute(
                            f"INSERT INTO {LAYERS_TABLE} (layer, id_field, created_at, created_by) VALUES (?,?,?,?)",
                            (layer, id_field, created_at, created_by),
                        )
                finally:
                    conn.execute("DETACH DATABASE stg")
                    _layers.remove_staging(staging)
            with _gpkg.write_transaction(conn):
                conn.executemany(
                    f"INSERT INTO {HISTORY_TABLE} (seq, at, user, layer, feature_id, field, old, new, note, version) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?)",
                    history,
                )
            conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, like Store.backup
        finally:
            conn.close()
        target.replace(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


def read_gpkg_store(path: Path) -> tuple[list[tuple[str, str, str, str]], dict[str, Table], list[tuple[Any, ...]]]:
    """Layers, tables and history (with seq) of a checked GeoPackage store file, in one read snapshot.

    Raises
    ------
    gis.errors.InputError
        If a layer or field name of the file cannot be a PostgreSQL name.
    """
    conn = _gpkg.connect(path, readonly=True)
    try:
        with _gpkg.read_transaction(conn):
            layers = [
                tuple(r)
                for r in conn.execute(f"SELECT layer, id_field, created_at, created_by FROM {LAYERS_TABLE} ORDER BY layer").fetchall()
            ]
            tables: dict[str, Table] = {}
            for layer, _id_field, _at, _by in layers:
                _gpkg.check_new_name(layer, what="layer")
                _pg.check_pg_name(layer, what="layer")
                tables[layer] = read_gpkg_table(conn, layer)
                for name, _kind in tables[layer].columns:
                    _pg.check_pg_name(name, what="field")
            history = [tuple(r) for r in conn.execute(HISTORY_SELECT.format(HISTORY_TABLE)).fetchall()]
    finally:
        conn.close()
    return layers, tables, history  # type: ignore[return-value]
