"""Low-level GeoPackage plumbing for the working store: connections, names, layer swap.

Private to :mod:`gis.store`. Only the standard library and (lazily) shapely/pyogrio are used here, so
that the edit path (:meth:`Store.update_feature`) does not pay for importing geopandas.
"""

from __future__ import annotations

import re
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gis.errors import InputError

__all__: list[str] = []

#: Milliseconds a connection waits for another writer before giving up (two app sessions, the CLI).
BUSY_TIMEOUT_MS = 15_000

#: Tables the store adds beside the GeoPackage's own (not registered in gpkg_contents, so GDAL and
#: QGIS list only the plan layers).
HISTORY_TABLE = "ssl_store_history"
LAYERS_TABLE = "ssl_store_layers"
META_TABLE = "ssl_store_meta"
STORE_FORMAT = "1"

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GEOMETRY_COLUMN = "geom"
FID_COLUMN = "fid"
VERSION_COLUMN = "version"

_NAME_RE = re.compile(r"^[^\W\d]\w{0,62}$", re.UNICODE)
_RESERVED_PREFIXES = ("gpkg_", "rtree_", "sqlite_", "ssl_store_", "trigger_", "ssl_idx_")

STORE_DDL = (
    f"""CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        layer TEXT NOT NULL,
        feature_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT,
        new TEXT,
        note TEXT NOT NULL DEFAULT '',
        version INTEGER NOT NULL)""",
    f"CREATE INDEX IF NOT EXISTS {HISTORY_TABLE}_feature ON {HISTORY_TABLE} (layer, feature_id, seq)",
    f"CREATE INDEX IF NOT EXISTS {HISTORY_TABLE}_at ON {HISTORY_TABLE} (layer, at)",
    f"""CREATE TABLE IF NOT EXISTS {LAYERS_TABLE} (
        layer TEXT NOT NULL PRIMARY KEY,
        id_field TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL)""",
    f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
)


def quote(name: str) -> str:
    """Quote an SQL identifier that has already been validated (``"`` doubled)."""
    return '"' + name.replace('"', '""') + '"'


def check_new_name(name: object, *, what: str) -> str:
    """Validate a new layer or column name; raise InputError if it could not be an SQL identifier."""
    if not isinstance(name, str) or not _NAME_RE.match(name) or name.lower().startswith(_RESERVED_PREFIXES):
        shown = repr(name)[:80]
        raise InputError(
            f"{'图层' if what == 'layer' else '字段'}名 {shown} 不可用：须以字母开头，只含字母、数字、下划线，最长 63 个字符",
            f"{what} name {shown} is not usable: start with a letter, use letters, digits and underscores, at most 63 characters",
        )
    return name


# --- geometry functions GDAL's R-tree triggers call ---------------------------------------------------
# GDAL's spatial-index triggers call ST_IsEmpty/ST_MinX/... (SpatiaLite names). A plain sqlite3 connection
# lacks them, and SQLite compiles the ``AFTER UPDATE ON`` triggers for every UPDATE of the table, so they
# are registered on every connection. They read the GeoPackage binary header (and the WKB if the header
# carries no envelope).

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _parse_header(blob: bytes) -> tuple[bool, tuple[float, float, float, float] | None]:
    if not isinstance(blob, bytes | bytearray | memoryview) or len(blob) < 8 or bytes(blob[:2]) != b"GP":
        return True, None
    flags = blob[3]
    empty = bool(flags & 0x10)
    order = "<" if flags & 0x01 else ">"
    n = _ENVELOPE_DOUBLES.get((flags >> 1) & 0x07, 0)
    if empty:
        return True, None
    if n:
        minx, maxx, miny, maxy = struct.unpack_from(order + "4d", blob, 8)
        return False, (minx, maxx, miny, maxy)
    import shapely

    geom = shapely.from_wkb(bytes(blob[8:]))
    if geom is None or geom.is_empty:
        return True, None
    minx, miny, maxx, maxy = geom.bounds
    return False, (minx, maxx, miny, maxy)


def geometry_blob(wkb: bytes, srs_id: int) -> bytes:
    """A GeoPackage geometry blob (little-endian header with an XY envelope) around little-endian ISO ``wkb``."""
    import shapely

    geom = shapely.from_wkb(wkb)
    body = shapely.to_wkb(geom, byte_order=1, flavor="iso")
    if geom.is_empty:
        return b"GP" + bytes([0, 0x11]) + struct.pack("<i", srs_id) + body
    minx, miny, maxx, maxy = geom.bounds
    return b"GP" + bytes([0, 0x03]) + struct.pack("<i", srs_id) + struct.pack("<4d", minx, maxx, miny, maxy) + body


def _st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(_parse_header(blob)[0])


def _bound(i: int):  # noqa: ANN202 - small factory for the four ST_Min/Max functions
    def f(blob: bytes | None) -> float | None:
        if blob is None:
            return None
        env = _parse_header(blob)[1]
        return None if env is None else env[i]

    return f


def _register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, _bound(i), deterministic=True)


# --- connections ------------------------------------------------------------------------------------


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open a connection in autocommit mode (transactions are explicit ``BEGIN IMMEDIATE``)."""
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    if not readonly:
        # FULL: a commit reaches the disk before update_feature returns (survives power loss too).
        conn.execute("PRAGMA synchronous = FULL")
    _register_functions(conn)
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; roll back on any exception.

    IMMEDIATE takes the write lock before the first read, so the version read inside the transaction
    cannot be changed by another writer before this transaction commits.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A read snapshot: all SELECTs inside see the same committed state."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")


# --- schema queries -----------------------------------------------------------------------------------


def feature_layers(conn: sqlite3.Connection, schema: str = "main") -> list[str]:
    """Names of the store's layers (registered in both gpkg_contents and the store's layer table)."""
    rows = conn.execute(
        f"SELECT c.table_name FROM {schema}.gpkg_contents c JOIN {schema}.{LAYERS_TABLE} l ON l.layer = c.table_name "
        "WHERE c.data_type = 'features' ORDER BY c.table_name"
    ).fetchall()
    return [r[0] for r in rows]


def id_field_of(conn: sqlite3.Connection, layer: object) -> str:
    """The id field of an existing layer; InputError naming the known layers otherwise."""
    row = None
    if isinstance(layer, str) and len(layer) <= 63:
        row = conn.execute(
            f"SELECT l.id_field FROM {LAYERS_TABLE} l JOIN gpkg_contents c ON c.table_name = l.layer WHERE l.layer = ?",
            (layer,),
        ).fetchone()
    if row is None:
        known = ", ".join(feature_layers(conn)) or "—"
        shown = repr(layer)[:80]
        raise InputError(f"工作库中没有图层 {shown}（现有：{known}）", f"no layer {shown} in the working store (layers: {known})")
    return row[0]


def columns_of(conn: sqlite3.Connection, layer: str, schema: str = "main") -> dict[str, str]:
    """Column name → declared type (upper case) of a validated layer table, in table order."""
    rows = conn.execute("SELECT name, type FROM pragma_table_info(?, ?)", (layer, schema)).fetchall()
    return {name: (decl or "").upper() for name, decl in rows}


# --- creating the store and swapping a layer in ---------------------------------------------------------


def _has_table(conn: sqlite3.Connection, name: str, schema: str = "main") -> bool:
    return conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def ensure_gpkg_tables(conn: sqlite3.Connection) -> None:
    """Create in ``main`` any gpkg_* table the attached ``stg`` GeoPackage has and ``main`` lacks."""
    rows = conn.execute(
        "SELECT name, sql FROM stg.sqlite_master WHERE type = 'table' AND name LIKE 'gpkg\\_%' ESCAPE '\\' AND sql IS NOT NULL"
    ).fetchall()
    for name, sql in rows:
        if not _has_table(conn, name):
            conn.execute(sql)
            for (tsql,) in conn.execute(
                "SELECT sql FROM stg.sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND sql IS NOT NULL", (name,)
            ).fetchall():
                conn.execute(tsql)
    conn.execute("INSERT OR IGNORE INTO main.gpkg_spatial_ref_sys SELECT * FROM stg.gpkg_spatial_ref_sys")


def drop_layer_tables(conn: sqlite3.Connection, layer: str) -> None:
    """Drop a layer table, its R-tree, triggers and metadata rows (inside the caller's transaction)."""
    for (rtree,) in conn.execute(
        "SELECT 'rtree_' || table_name || '_' || column_name FROM gpkg_extensions "
        "WHERE table_name = ? AND extension_name = 'gpkg_rtree_index'",
        (layer,),
    ).fetchall():
        if _has_table(conn, rtree):
            conn.execute(f"DROP TABLE {quote(rtree)}")
    if _has_table(conn, layer):
        conn.execute(f"DROP TABLE {quote(layer)}")  # its indexes and triggers go with it
    for table in ("gpkg_extensions", "gpkg_ogr_contents", "gpkg_data_columns", "gpkg_metadata_reference"):
        if _has_table(conn, table):
            conn.execute(f"DELETE FROM {table} WHERE table_name = ?", (layer,))
    conn.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (layer,))
    conn.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (layer,))


def copy_layer_from_staging(conn: sqlite3.Connection, layer: str) -> None:
    """Copy one layer from the attached staging GeoPackage ``stg`` into ``main`` under the same name.

    The staging file was written by GDAL under the final table name, so its DDL (table, R-tree, triggers)
    is replayed verbatim: nothing is renamed. Rows are copied before the triggers exist; the R-tree rows
    and the feature count are copied from staging.
    """
    objects = conn.execute(
        "SELECT type, name, tbl_name, sql FROM stg.sqlite_master WHERE sql IS NOT NULL AND (tbl_name = ? OR name = ?)",
        (layer, layer),
    ).fetchall()
    rtrees = (
        [
            r[0]
            for r in conn.execute(
                "SELECT 'rtree_' || table_name || '_' || column_name FROM stg.gpkg_extensions "
                "WHERE table_name = ? AND extension_name = 'gpkg_rtree_index'",
                (layer,),
            ).fetchall()
        ]
        if _has_table(conn, "gpkg_extensions", "stg")
        else []
    )
    tables = [o for o in objects if o[0] == "table" and o[1] == layer]
    if len(tables) != 1:
        raise RuntimeError(f"staging GeoPackage lacks table {layer!r}")
    conn.execute(tables[0][3])
    conn.execute(f"INSERT INTO main.{quote(layer)} SELECT * FROM stg.{quote(layer)}")
    for rtree in rtrees:
        (sql,) = conn.execute("SELECT sql FROM stg.sqlite_master WHERE name = ?", (rtree,)).fetchone()
        conn.execute(sql)
        conn.execute(f"INSERT INTO main.{quote(rtree)} SELECT * FROM stg.{quote(rtree)}")
    for kind in ("index", "trigger"):
        for o in objects:
            if o[0] == kind and o[2] == layer:
                conn.execute(o[3])
    for table in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents", "gpkg_data_columns"):
        if _has_table(conn, table, "stg") and _has_table(conn, table):
            main_cols = columns_of(conn, table)
            cols = ", ".join(quote(c) for c in columns_of(conn, table, "stg") if c in main_cols)
            conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM stg.{table} WHERE table_name = ?", (layer,))
