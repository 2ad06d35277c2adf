"""PostgreSQL plumbing for the PostGIS working store — private to :mod:`gis.store`.

Database URLs and connections, the store's tables in its schema, advisory locks, the mapping between
PostgreSQL column types and the GeoPackage types the store's value rules are written for, and the raw
copy of a layer's rows in and out of a table. Values travel in their *GeoPackage form* (dates and times
as ISO text, booleans as 0/1, geometry as WKB), so the GeoPackage and the PostGIS store compare, record
and return the same values.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from gis import settings
from gis.errors import InputError
from gis.store._gpkg import FID_COLUMN, GEOMETRY_COLUMN, HISTORY_TABLE, LAYERS_TABLE, META_TABLE, VERSION_COLUMN

__all__: list[str] = []

#: Schema the store lives in unless the URL names another (``?schema=...``).
DEFAULT_SCHEMA = "ssl_gis"
#: A restore keeps the schema it replaces under this suffix.
PREVIOUS_SUFFIX = "_bak"
#: URL schemes that select the PostGIS store.
URL_SCHEMES = ("postgresql", "postgres")
#: Seconds to wait for the server when connecting (gis.settings); milliseconds to wait for another writer's lock.
CONNECT_TIMEOUT_S = settings.DATABASE_CONNECT_TIMEOUT_S
LOCK_TIMEOUT_MS = 15_000
#: Milliseconds one statement may run (gis.settings.DATABASE_STATEMENT_TIMEOUT_S).
STATEMENT_TIMEOUT_MS = settings.DATABASE_STATEMENT_TIMEOUT_S * 1000

SRID = 4326
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,47}$")
#: PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).
MAX_IDENTIFIER_BYTES = 63


def is_database_url(text: object) -> bool:
    """Whether ``text`` is a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(text, str) and urlsplit(text.strip()).scheme.lower() in URL_SCHEMES


@dataclass(frozen=True)
class Target:
    """Where a PostGIS store lives: libpq connection string, schema, and a text safe to show (no password)."""

    conninfo: str = field(repr=False)
    schema: str
    shown: str


def parse_url(url: str) -> Target:
    """Split a database URL into the libpq URL (without our ``schema`` parameter) and the schema.

    Raises
    ------
    gis.errors.InputError
        If the URL or the schema name cannot be used.
    """
    from psycopg import conninfo as pq

    parts = urlsplit(url.strip())
    schema = DEFAULT_SCHEMA
    rest = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "schema":
            schema = value
        else:
            rest.append((key, value))
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    shown = f"postgresql://{user}{host}{port}{parts.path}"[:200]
    if not _SCHEMA_RE.match(schema):
        raise InputError(
            f"数据库模式名 {schema[:60]!r} 不可用：须为小写字母、数字、下划线，以字母或下划线开头，最长 48 个字符",
            f"schema name {schema[:60]!r} is not usable: lower-case letters, digits and underscores, "
            "starting with a letter or underscore, at most 48 characters",
        )
    libpq_url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest), ""))
    try:
        params = pq.conninfo_to_dict(libpq_url)
    except Exception as exc:  # psycopg.ProgrammingError: libpq could not parse it
        raise InputError(f"数据库地址 {shown} 无效", f"the database URL {shown} is not valid: {str(exc).splitlines()[0][:120]}") from exc
    # Times are exchanged in UTC; a writer waits at most LOCK_TIMEOUT_MS for another one.
    options = f"{params.get('options', '')} -c TimeZone=UTC -c lock_timeout={LOCK_TIMEOUT_MS:d}"
    options += f" -c statement_timeout={STATEMENT_TIMEOUT_MS:d}"
    options = options.strip()
    params["options"] = options
    params.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
    params.setdefault("application_name", "songshanlake-gis")
    return Target(pq.make_conninfo(**params), schema, f"{shown} (schema {schema})")


@contextmanager
def connect(target: Target) -> Iterator[Any]:
    """An autocommit connection (transactions are explicit ``conn.transaction()`` blocks), closed after use."""
    import psycopg

    try:
        conn = psycopg.connect(target.conninfo, autocommit=True)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"无法连接工作库数据库 {target.shown}", f"cannot connect to the working-store database {target.shown}: {reason}"
        ) from exc
    try:
        yield conn
    finally:
        conn.close()


def ident(*names: str) -> Any:
    """A quoted, schema-qualified identifier (names must already be validated)."""
    from psycopg import sql

    return sql.Identifier(*names)


def check_pg_name(name: str, *, what: str) -> str:
    """Refuse a (GeoPackage-valid) name PostgreSQL would truncate (more than 63 bytes of UTF-8)."""
    if len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
        raise InputError(
            f"{'图层' if what == 'layer' else '字段'}名 {name[:40]} 过长：PostgreSQL 名称最多 63 字节（约 21 个汉字）",
            f"{what} name {name[:40]!r} is too long for PostgreSQL: at most 63 bytes of UTF-8 (about 21 Chinese characters)",
        )
    return name


# --- locks ----------------------------------------------------------------------------------------------


def _key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8")) - 2**31  # an int4


def lock_store(conn: Any, schema: str, *, exclusive: bool = False) -> None:
    """Transaction advisory lock on the whole store: shared for edits and imports, exclusive for a restore."""
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    conn.execute(f"SELECT {fn}(%s, 0)", (_key(f"ssl_store:{schema}"),))


def lock_layer(conn: Any, schema: str, layer: str) -> None:
    """Transaction advisory lock serialising whole-layer writes of one layer (create/replace/seed)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_key(f"ssl_store:{schema}"), _key(f"layer:{layer}") | 1))


# --- the store's own tables ------------------------------------------------------------------------------


def store_ddl(schema: str) -> list[Any]:
    """Statements creating the store's bookkeeping tables in ``schema`` (which must exist)."""
    from psycopg import sql

    h, lt, m = ident(schema, HISTORY_TABLE), ident(schema, LAYERS_TABLE), ident(schema, META_TABLE)
    return [
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at text NOT NULL, "
            '"user" text NOT NULL, layer text NOT NULL, feature_id text NOT NULL, field text NOT NULL, old text, new text, '
            "note text NOT NULL DEFAULT '', version integer NOT NULL)"
        ).format(h),
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (layer, feature_id, seq)").format(sql.Identifier(f"{HISTORY_TABLE}_feature"), h),
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (layer, at)").format(sql.Identifier(f"{HISTORY_TABLE}_at"), h),
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (layer text PRIMARY KEY, id_field text NOT NULL, "
            "created_at text NOT NULL, created_by text NOT NULL)"
        ).format(lt),
        sql.SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)").format(m),
    ]


def table_exists(conn: Any, schema: str, name: str) -> bool:
    """Whether ``schema.name`` is a table (bound parameters; no quoting in Python)."""
    row = conn.execute("SELECT to_regclass(quote_ident(%s) || '.' || quote_ident(%s))", (schema, name)).fetchone()
    return row[0] is not None


# --- column types -----------------------------------------------------------------------------------------

#: GeoPackage declared type → PostgreSQL column type. DATETIME is decided per column (naive or zoned).
_PG_TYPES = {
    "INTEGER": "bigint",
    "INT": "bigint",
    "MEDIUMINT": "bigint",
    "SMALLINT": "bigint",
    "TINYINT": "bigint",
    "BIGINT": "bigint",
    "REAL": "double precision",
    "FLOAT": "double precision",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "BLOB": "bytea",
    "TEXT": "text",
    "": "text",
}
_TEXT_N = re.compile(r"^TEXT\((\d+)\)$")
_GEOMETRY_TYPES = {
    "POINT": "Point",
    "LINESTRING": "LineString",
    "POLYGON": "Polygon",
    "MULTIPOINT": "MultiPoint",
    "MULTILINESTRING": "MultiLineString",
    "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRYCOLLECTION": "GeometryCollection",
}


def pg_type(kind: str, *, zoned: bool) -> str:
    """PostgreSQL column type for a GeoPackage declared type (``zoned``: a DATETIME column holding UTC times)."""
    kind = kind.upper()
    if kind == "DATETIME":
        return "timestamptz" if zoned else "timestamp"
    m = _TEXT_N.match(kind)
    if m:
        return f"varchar({int(m.group(1)):d})" if int(m.group(1)) > 0 else "text"
    return _PG_TYPES.get(kind, "text")


def gpkg_kind(pg_format: str) -> str:
    """The GeoPackage declared type a PostgreSQL column behaves as (``format_type`` text in)."""
    t = pg_format.lower()
    if t in ("bigint", "integer", "smallint"):
        return "INTEGER"
    if t in ("double precision", "real") or t.startswith("numeric"):
        return "REAL"
    if t == "boolean":
        return "BOOLEAN"
    if t == "date":
        return "DATE"
    if t.startswith("timestamp"):
        return "DATETIME"
    if t == "text":
        return "TEXT"
    m = re.match(r"^character varying\((\d+)\)$", t)
    if m:
        return f"TEXT({m.group(1)})"
    if t == "bytea":
        return "BLOB"
    return t.upper()  # other types are read but not edited (to_sql refuses them)


def geometry_type(type_name: str | None, z: int | None, m: int | None) -> str:
    """PostGIS column type for a GeoPackage geometry type: typed when GDAL knew one type, else generic."""
    base = _GEOMETRY_TYPES.get((type_name or "").upper())
    if base is None or z not in (0, 1) or m not in (0, None):
        return f"geometry(Geometry,{SRID:d})"
    return f"geometry({base}{'Z' if z == 1 else ''},{SRID:d})"


def columns(conn: Any, schema: str, table: str) -> dict[str, str]:
    """Column → ``format_type`` text of an existing table, in table order."""
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        (schema, table),
    ).fetchall()
    return {name: fmt for name, fmt in rows}


# --- values: GeoPackage form <-> PostgreSQL ---------------------------------------------------------------


def to_gpkg_form(value: Any) -> Any:
    """A value read from PostgreSQL in the form the GeoPackage store holds it (ISO text, 0/1, float, bytes)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def to_pg_value(value: Any, kind: str) -> Any:
    """A value in GeoPackage form (as :func:`gis.store._values.to_sql` returns it) for a column of ``kind``."""
    if value is None:
        return None
    kind = kind.upper()
    if kind == "BOOLEAN":
        return bool(value)
    if kind == "DATE" and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if kind == "DATETIME" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def is_zoned_text(value: Any) -> bool:
    """Whether a DATETIME text carries a zone (``Z`` or ``±hh:mm``)."""
    return isinstance(value, str) and (value.endswith("Z") or bool(re.search(r"[+-]\d\d:?\d\d$", value[10:])))


# --- a layer's rows in and out ------------------------------------------------------------------------------


@dataclass
class Table:
    """A layer's rows in GeoPackage form: attribute columns (name, declared kind), rows, and WKB geometries.

    ``columns`` include the id field and ``version`` (the store's column order) but not ``fid`` or ``geom``.
    """

    columns: list[tuple[str, str]]
    rows: list[list[Any]]
    wkb: list[bytes | None]
    geometry_type: str = f"geometry(Geometry,{SRID:d})"
    zoned: set[str] = field(default_factory=set)
    meta: dict[str, Any] = field(default_factory=dict)

    def index(self, name: str) -> int:
        """Position of column ``name`` in a row."""
        return [c for c, _ in self.columns].index(name)


def read_table(conn: Any, schema: str, layer: str) -> Table:
    """All rows of a layer table (validated name) in fid order, values in GeoPackage form."""
    from psycopg import sql

    cols = columns(conn, schema, layer)
    names = [c for c in cols if c not in (FID_COLUMN, GEOMETRY_COLUMN)]
    select = sql.SQL(", ").join([*(sql.Identifier(c) for c in names), sql.SQL("ST_AsBinary({})").format(sql.Identifier(GEOMETRY_COLUMN))])
    query = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(select, ident(schema, layer), sql.Identifier(FID_COLUMN))
    rows = conn.execute(query).fetchall()
    kinds = [(c, gpkg_kind(cols[c])) for c in names]
    zoned = {c for c in names if cols[c].startswith("timestamp") and "with time zone" in cols[c]}
    return Table(
        columns=kinds,
        rows=[[to_gpkg_form(v) for v in r[:-1]] for r in rows],
        wkb=[None if r[-1] is None else bytes(r[-1]) for r in rows],
        geometry_type=cols.get(GEOMETRY_COLUMN, f"geometry(Geometry,{SRID:d})"),
        zoned=zoned,
    )


def create_and_fill(conn: Any, schema: str, layer: str, table: Table, id_field: str) -> None:
    """Create the layer table (fid, attributes, version, geom), copy the rows in, index id and geometry."""
    import numpy as np
    import shapely
    from psycopg import sql

    defs = [sql.SQL("{} bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY").format(sql.Identifier(FID_COLUMN))]
    for name, kind in table.columns:
        pgt = "integer NOT NULL" if name == VERSION_COLUMN else pg_type(kind, zoned=name in table.zoned)
        defs.append(sql.SQL("{} " + pgt).format(sql.Identifier(name)))
    defs.append(sql.SQL("{} " + table.geometry_type).format(sql.Identifier(GEOMETRY_COLUMN)))
    target = ident(schema, layer)
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(target, sql.SQL(", ").join(defs)))
    wkb = np.empty(len(table.wkb), dtype=object)
    wkb[:] = table.wkb
    geoms = shapely.set_srid(shapely.from_wkb(wkb), SRID)
    ewkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    kinds = [k for _, k in table.columns]
    names = sql.SQL(", ").join(sql.Identifier(c) for c in [FID_COLUMN, *(c for c, _ in table.columns), GEOMETRY_COLUMN])
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, names)) as copy:
        for fid, (row, geom) in enumerate(zip(table.rows, ewkb), start=1):
            copy.write_row([fid, *(to_pg_value(v, k) for v, k in zip(row, kinds)), geom])
    if table.rows:
        conn.execute(
            "SELECT setval(pg_get_serial_sequence(quote_ident(%s) || '.' || quote_ident(%s), %s), %s)",
            (schema, layer, FID_COLUMN, len(table.rows)),
        )
    conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {} ({})").format(target, sql.Identifier(id_field)))
    conn.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(target, sql.Identifier(GEOMETRY_COLUMN)))


def copy_history(conn: Any, schema: str, rows: list[tuple[Any, ...]], *, with_seq: bool = False) -> None:
    """Append history rows (at, user, layer, feature_id, field, old, new, note, version), optionally with seq."""
    from psycopg import sql

    cols = ["at", "user", "layer", "feature_id", "field", "old", "new", "note", "version"]
    if with_seq:
        cols.insert(0, "seq")
    names = sql.SQL(", ").join(sql.Identifier(c) for c in cols)
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(ident(schema, HISTORY_TABLE), names)) as copy:
        for row in rows:
            copy.write_row(row)
    if with_seq and rows:
        conn.execute(
            "SELECT setval(pg_get_serial_sequence(quote_ident(%s) || '.' || quote_ident(%s), 'seq'), %s)",
            (schema, HISTORY_TABLE, max(int(r[0]) for r in rows)),
        )
