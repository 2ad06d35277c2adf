"""The working store on PostgreSQL + PostGIS: :class:`PostgisStore` (see :mod:`gis.store` for the design)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gis.errors import InputError
from gis.store import _backup, _create, _gpkg, _layers, _pg, _pg_backup, _read, _replay
from gis.store._base import StoreBase
from gis.store._gpkg import FID_COLUMN, GEOMETRY_COLUMN, HISTORY_TABLE, LAYERS_TABLE, META_TABLE, STORE_FORMAT, VERSION_COLUMN
from gis.store._pg import Table, ident
from gis.store._values import iso_utc

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["PostgisStore"]

log = logging.getLogger("gis.store")

_HISTORY_COLUMNS = ["at", "user", "layer", "feature_id", "field", "old", "new", "note", "version"]


class PostgisStore(StoreBase):
    """The working store in a PostgreSQL + PostGIS database: same behaviour as the GeoPackage :class:`~gis.store.Store`.

    Use :func:`gis.store.open_store` with a ``postgresql://`` URL (or ``SSL_GIS_DATABASE_URL``). The store
    lives in one schema (``ssl_gis`` unless the URL says ``?schema=...``): one table per layer (``fid``,
    the attributes, ``version``, ``geom geometry(…, 4326)`` with a GiST index and a unique index on the id
    field) and the tables ``ssl_store_history``, ``ssl_store_layers``, ``ssl_store_meta``. Every call opens
    its own connection, so one object may be shared between threads and app sessions.

    Parameters
    ----------
    url : str
        ``postgresql://user[:password]@host[:port]/database[?schema=name&sslmode=...]``.
    """

    #: A PostGIS store has no file; :attr:`location` says where it is.
    path: Path | None = None

    def __init__(self, url: str) -> None:
        self._target = _pg.parse_url(url)
        self.schema = self._target.schema

    @property
    def location(self) -> str:
        """Where the store is, without the password: ``postgresql://user@host:port/db (schema name)``."""
        return self._target.shown

    @property
    def previous_schema(self) -> str:
        """The schema where :meth:`restore` keeps the store it replaced (``<schema>_bak``)."""
        return self.schema + _pg.PREVIOUS_SUFFIX

    @property
    def previous_path(self) -> None:
        """Always None: a restore keeps the previous store in :attr:`previous_schema`, not in a file."""
        return None

    def previous_location(self) -> str:
        """Where :meth:`restore` kept the store it replaced: the schema :attr:`previous_schema`.

        Returns
        -------
        str
        """
        return self.previous_schema

    def _stamp(self) -> str:
        # Every write records a history row: the newest one's seq and time (a restore adds one too).
        from psycopg import sql

        with self._connect() as conn:
            row = conn.execute(
                sql.SQL("SELECT seq, at FROM {} ORDER BY seq DESC LIMIT 1").format(ident(self.schema, HISTORY_TABLE))
            ).fetchone()
        return "empty" if row is None else f"{row[0]}|{row[1]}"

    def __repr__(self) -> str:
        return f"PostgisStore({self.location!r})"

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        with _pg.connect(self._target) as conn:
            yield conn

    # --- opening ---------------------------------------------------------------------------------------------

    def _create(self) -> None:
        """Create the schema and the store's tables if absent; refuse a schema that is something else."""
        import psycopg

        with self._connect() as conn:
            if conn.execute("SELECT to_regtype('geometry')").fetchone()[0] is None:
                try:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                except psycopg.Error as exc:
                    raise InputError(
                        f"数据库 {self.location} 未安装 PostGIS，且当前用户无权安装：请管理员执行 CREATE EXTENSION postgis",
                        f"the database {self.location} lacks PostGIS and this user cannot add it: "
                        "ask its administrator to run CREATE EXTENSION postgis",
                    ) from exc
            with conn.transaction():
                _pg.lock_store(conn, self.schema, exclusive=True)
                exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)).fetchone() is not None
                if exists and not _pg.table_exists(conn, self.schema, META_TABLE):
                    (n,) = conn.execute(
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = %s", (self.schema,)
                    ).fetchone()
                    if n:
                        raise self._not_a_store()
                from psycopg import sql

                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
                for ddl in _pg.store_ddl(self.schema):
                    conn.execute(ddl)
                conn.execute(
                    sql.SQL("INSERT INTO {} (key, value) VALUES ('format', %s) ON CONFLICT (key) DO NOTHING").format(
                        ident(self.schema, META_TABLE)
                    ),
                    (STORE_FORMAT,),
                )
                (fmt,) = conn.execute(
                    sql.SQL("SELECT value FROM {} WHERE key = 'format'").format(ident(self.schema, META_TABLE))
                ).fetchone()
                if fmt != STORE_FORMAT:
                    raise self._not_a_store()

    def _not_a_store(self) -> InputError:
        return InputError(
            f"{self.location} 已存在但不是工作库，未改动它", f"{self.location} exists but is not a working store; it was left untouched"
        )

    # --- names ----------------------------------------------------------------------------------------------

    def _layer_names(self, conn: Any) -> list[str]:
        from psycopg import sql

        query = sql.SQL(
            "SELECT l.layer FROM {} l WHERE to_regclass(quote_ident(%s) || '.' || quote_ident(l.layer)) IS NOT NULL ORDER BY l.layer"
        ).format(ident(self.schema, LAYERS_TABLE))
        rows = conn.execute(query, (self.schema,)).fetchall()
        return [r[0] for r in rows]

    def _id_field(self, conn: Any, layer: object) -> str:
        from psycopg import sql

        row = None
        if isinstance(layer, str) and len(layer) <= 63:
            row = conn.execute(
                sql.SQL("SELECT id_field FROM {} WHERE layer = %s").format(ident(self.schema, LAYERS_TABLE)), (layer,)
            ).fetchone()
            if row is not None and not _pg.table_exists(conn, self.schema, layer):
                row = None
        if row is None:
            known = ", ".join(self._layer_names(conn)) or "—"
            shown = repr(layer)[:80]
            raise InputError(f"工作库中没有图层 {shown}（现有：{known}）", f"no layer {shown} in the working store (layers: {known})")
        return row[0]

    def _kinds(self, conn: Any, layer: str) -> dict[str, str]:
        return {name: _pg.gpkg_kind(fmt) for name, fmt in _pg.columns(conn, self.schema, layer).items()}

    # --- hooks of StoreBase --------------------------------------------------------------------------------

    def _read_layer(self, name: str) -> gpd.GeoDataFrame:
        from psycopg import sql

        with self._connect() as conn, conn.transaction():
            self._id_field(conn, name)
            # READ COMMITTED and a lock, not a REPEATABLE READ snapshot: a table replaced after a snapshot was
            # taken would look empty (DROP/CREATE is not MVCC-safe). The lock waits for a running replace;
            # each statement after it sees the committed table, which cannot be replaced until we finish.
            conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(ident(self.schema, name)))
            table = _pg.read_table(conn, self.schema, name)
        return _table_frame(table)

    def _history(self, layer: str | None, feature_id: str | None, limit: int | None) -> pd.DataFrame:
        import pandas as pd
        from psycopg import sql

        where, params = [], []
        if layer is not None:
            where.append(sql.SQL("layer = %s"))
            params.append(layer)
        if feature_id is not None:
            where.append(sql.SQL("feature_id = %s"))
            params.append(feature_id)
        query = sql.SQL('SELECT at, "user", layer, feature_id, field, old, new, note, version FROM {}').format(
            ident(self.schema, HISTORY_TABLE)
        )
        if where:
            query += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where)
        query += sql.SQL(" ORDER BY seq DESC")
        if limit is not None:
            query += sql.SQL(" LIMIT %s")
            params.append(int(limit))
        with self._connect() as conn:
            rows = conn.execute(query, params).fetchall()[::-1]
        records = [dict(zip(_HISTORY_COLUMNS, r)) for r in rows]
        for rec in records:
            rec["old"] = _replay._decode_old(rec["field"], rec["old"])
            rec["new"] = _replay.decode(rec["new"])
        frame = pd.DataFrame(
            {c: pd.Series([r[c] for r in records], dtype=object if c in ("old", "new") else None) for c in _HISTORY_COLUMNS}
        )
        return frame.astype({"version": "int64"})

    def _undo_rows(self, conn: Any, layer: str, after_iso: str) -> list[tuple[str, str, str | None, int]]:
        from psycopg import sql

        return conn.execute(
            sql.SQL(
                "SELECT feature_id, field, old, version FROM {} WHERE layer = %s AND at > %s AND field NOT IN (%s, %s) "
                "ORDER BY at DESC, seq DESC"
            ).format(ident(self.schema, HISTORY_TABLE)),
            (layer, after_iso, _layers.SEEDED, _layers.RESTORED),
        ).fetchall()

    # --- whole-layer writes ----------------------------------------------------------------------------------

    def _write_frame(self, name: str, frame: Any, *, user: str, note: str, id_field: str, kind: str, only_if_absent: bool) -> bool:
        _pg.check_pg_name(name, what="layer")
        for col in frame.columns:
            _pg.check_pg_name(str(col), what="field")
        # GDAL writes the frame to a private GeoPackage first: the columns get exactly the types (and the
        # values exactly the form) the GeoPackage store would give them.
        with _create.private_temp_dir("pg-staging") as work:
            staging = _layers.write_staging(frame, name, work)
            conn = _gpkg.connect(staging, readonly=True)
            try:
                table = _pg_backup.read_gpkg_table(conn, name)
            finally:
                conn.close()
        table.zoned |= {str(c) for c in frame.columns if c != frame.geometry.name and getattr(frame[c].dtype, "tz", None) is not None}
        with self._connect() as conn:
            return self._swap_in(conn, name, table, id_field=id_field, user=user, note=note, kind=kind, only_if_absent=only_if_absent)

    def _swap_in(self, conn: Any, name: str, table: Table, *, id_field: str, user: str, note: str, kind: str, only_if_absent: bool) -> bool:
        from psycopg import sql

        at = iso_utc()
        layers_table = ident(self.schema, LAYERS_TABLE)
        with conn.transaction():
            _pg.lock_store(conn, self.schema)
            _pg.lock_layer(conn, self.schema, name)
            # Lock order: the layers table, then the layer table (backup takes them in the same order).
            conn.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(layers_table))
            exists = conn.execute(sql.SQL("SELECT id_field FROM {} WHERE layer = %s").format(layers_table), (name,)).fetchone()
            if exists and only_if_absent:
                return False
            old: dict[str, dict[str, Any]] = {}
            if exists and _pg.table_exists(conn, self.schema, name):
                # The exclusive lock first, then read: an edit committed meanwhile is in `old`, never lost.
                conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(ident(self.schema, name)))
                old = _records(_pg.read_table(conn, self.schema, name), exists[0])
                conn.execute(sql.SQL("DROP TABLE {}").format(ident(self.schema, name)))
            id_at = table.index(id_field)
            version_at = table.index(VERSION_COLUMN)
            names = [c for c, _ in table.columns]
            history: list[tuple[Any, ...]] = []
            new_ids = set()
            for row, wkb in zip(table.rows, table.wkb):
                fid = row[id_at]
                new_ids.add(fid)
                before = old.get(fid)
                if before is None:
                    row[version_at] = 1
                    history.append((at, user, name, fid, kind if not exists else _layers.CREATED, None, None, note, 1))
                    continue
                changed = _canonical_wkb(before[GEOMETRY_COLUMN]) != _canonical_wkb(wkb)
                after = dict(zip(names, row))
                if not changed and _layers.unchanged({k: v for k, v in before.items() if k != GEOMETRY_COLUMN}, after):
                    row[version_at] = before[VERSION_COLUMN]  # rewritten as it was: no edit, no history row
                    continue
                row[version_at] = before[VERSION_COLUMN] + 1
                history.append((at, user, name, fid, _layers.REPLACED, _old_json(before, geometry=changed), None, note, row[version_at]))
            for fid, before in old.items():
                if fid not in new_ids:
                    history.append(
                        (at, user, name, fid, _layers.DELETED, _old_json(before, geometry=True), None, note, before[VERSION_COLUMN] + 1)
                    )
            _pg.create_and_fill(conn, self.schema, name, table, id_field)
            _pg.copy_history(conn, self.schema, history)
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (layer, id_field, created_at, created_by) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (layer) DO UPDATE SET id_field = excluded.id_field"
                ).format(layers_table),
                (name, id_field, at, user),
            )
        how = kind if not exists else "replace"
        log.info("layer %s written to %s: %d features by %s (%s)", name, self.location, len(table.rows), user, how)
        return True

    # --- attribute edits -------------------------------------------------------------------------------------

    @contextmanager
    def _edit(self, layer: str) -> Iterator[tuple[Any, str, dict[str, str]]]:
        from psycopg import sql

        with self._connect() as conn, conn.transaction():
            _pg.lock_store(conn, self.schema)
            self._id_field(conn, layer)
            # Waits for a whole-layer write of this layer; afterwards every statement sees its result.
            conn.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(ident(self.schema, layer)))
            yield conn, self._id_field(conn, layer), self._kinds(conn, layer)

    def _locked_row(self, conn: Any, layer: str, id_field: str, fid: str, columns: Mapping[str, str]) -> dict[str, Any] | None:
        from psycopg import sql

        names = [c for c in columns if c not in (FID_COLUMN, GEOMETRY_COLUMN)]
        row = conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE {} = %s FOR UPDATE").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in names), ident(self.schema, layer), sql.Identifier(id_field)
            ),
            (fid,),
        ).fetchone()
        return None if row is None else {c: _pg.to_gpkg_form(v) for c, v in zip(names, row)}

    def _recent_changes(self, conn: Any, layer: str, fid: str) -> list[Any]:
        from psycopg import sql

        query = sql.SQL(
            'SELECT at, "user", field, new, version FROM {} WHERE layer = %s AND feature_id = %s ORDER BY seq DESC LIMIT 200'
        ).format(ident(self.schema, HISTORY_TABLE))
        return conn.execute(query, (layer, fid)).fetchall()

    def _latest_change_at(self, conn: Any, layer: str, fid: str) -> str | None:
        from psycopg import sql

        (latest,) = conn.execute(
            sql.SQL("SELECT max(at) FROM {} WHERE layer = %s AND feature_id = %s AND field NOT IN (%s, %s)").format(
                ident(self.schema, HISTORY_TABLE)
            ),
            (layer, fid, _layers.SEEDED, _layers.RESTORED),
        ).fetchone()
        return latest

    def _apply_edit(
        self,
        conn: Any,
        layer: str,
        id_field: str,
        fid: str,
        diffs: Mapping[str, Any],
        columns: Mapping[str, str],
        *,
        version: int,
        new_version: int,
        history: list[tuple[Any, ...]],
    ) -> None:
        from psycopg import sql

        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(f)) for f in diffs)
        conn.execute(
            sql.SQL("UPDATE {} SET {}, {} = %s WHERE {} = %s AND {} = %s").format(
                ident(self.schema, layer),
                assignments,
                sql.Identifier(VERSION_COLUMN),
                sql.Identifier(id_field),
                sql.Identifier(VERSION_COLUMN),
            ),
            (*(_pg.to_pg_value(v, columns[f]) for f, v in diffs.items()), new_version, fid, version),
        )
        _pg.copy_history(conn, self.schema, history)

    def _locked_geometry(self, conn: Any, layer: str, id_field: str, fid: str) -> bytes | None:
        from psycopg import sql

        row = conn.execute(
            sql.SQL("SELECT ST_AsBinary({}) FROM {} WHERE {} = %s").format(
                sql.Identifier(GEOMETRY_COLUMN), ident(self.schema, layer), sql.Identifier(id_field)
            ),
            (fid,),
        ).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def _apply_geometry(
        self, conn: Any, layer: str, id_field: str, fid: str, wkb: bytes, *, new_version: int, history: list[tuple[Any, ...]]
    ) -> None:
        from psycopg import sql

        conn.execute(
            sql.SQL("UPDATE {} SET {} = ST_SetSRID(ST_GeomFromWKB(%s), %s), {} = %s WHERE {} = %s").format(
                ident(self.schema, layer), sql.Identifier(GEOMETRY_COLUMN), sql.Identifier(VERSION_COLUMN), sql.Identifier(id_field)
            ),
            (wkb, _pg.SRID, new_version, fid),
        )
        _pg.copy_history(conn, self.schema, history)

    # --- backup and restore ----------------------------------------------------------------------------------

    def _backup(self, dest: Path) -> Path:
        from psycopg import sql

        with self._connect() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            layers_table = ident(self.schema, LAYERS_TABLE)
            # Before the snapshot is taken (LOCK takes none): wait for running imports and hold new ones off,
            # so no layer table is replaced under the snapshot. Attribute edits go on meanwhile.
            conn.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(layers_table))
            query = sql.SQL("SELECT layer, id_field, created_at, created_by FROM {} ORDER BY layer").format(layers_table)
            layers = [tuple(r) for r in conn.execute(query).fetchall() if _pg.table_exists(conn, self.schema, r[0])]
            tables = {r[0]: _pg.read_table(conn, self.schema, r[0]) for r in layers}
            history = [
                tuple(r) for r in conn.execute(sql.SQL(_pg_backup.HISTORY_SELECT).format(ident(self.schema, HISTORY_TABLE))).fetchall()
            ]
        written = _pg_backup.write_gpkg_store(dest, layers, tables, history)  # type: ignore[arg-type]
        log.info("store %s backed up to %s", self.location, dest)
        return written

    def _restore(self, src: Path, *, user: str) -> None:
        from psycopg import sql

        with _create.private_temp_dir("pg-restore") as work:  # a killed restore's folder goes on the next one
            _backup.private_copy(src, work / "restore.gpkg")
            layers, tables, history = _pg_backup.read_gpkg_store(work / "restore.gpkg")
        schema, previous = self.schema, self.previous_schema
        with self._connect() as conn, conn.transaction():
            _pg.lock_store(conn, schema, exclusive=True)  # waits for running edits; later ones wait for this
            # Readers finish first, and wait for the restored tables (same lock order as imports and backup).
            conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(ident(schema, LAYERS_TABLE)))
            conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(ident(schema, HISTORY_TABLE)))
            for name in self._layer_names(conn):
                conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(ident(schema, name)))
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(previous)))
            conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(schema), sql.Identifier(previous)))
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            for ddl in _pg.store_ddl(schema):
                conn.execute(ddl)
            conn.execute(sql.SQL("INSERT INTO {} (key, value) VALUES ('format', %s)").format(ident(schema, META_TABLE)), (STORE_FORMAT,))
            for layer, id_field, created_at, created_by in layers:
                _pg.create_and_fill(conn, schema, layer, tables[layer], id_field)
                conn.execute(
                    sql.SQL("INSERT INTO {} (layer, id_field, created_at, created_by) VALUES (%s, %s, %s, %s)").format(
                        ident(schema, LAYERS_TABLE)
                    ),
                    (layer, id_field, created_at, created_by),
                )
            _pg.copy_history(conn, schema, history, with_seq=True)
            _pg.copy_history(conn, schema, [(iso_utc(), user, "", "", _layers.RESTORED, None, None, f"restored from {src.name[:200]}", 0)])
        log.info("store %s restored from %s by %s (previous store kept in schema %s)", self.location, src, user, previous)


def _canonical_wkb(wkb: bytes | None) -> bytes | None:
    import shapely

    return None if wkb is None else shapely.to_wkb(shapely.from_wkb(wkb))


def _records(table: Table, id_field: str) -> dict[str, dict[str, Any]]:
    names = [c for c, _ in table.columns]
    out = {}
    for row, wkb in zip(table.rows, table.wkb):
        rec = dict(zip(names, row))
        rec[GEOMETRY_COLUMN] = wkb
        out[str(rec[id_field])] = rec
    return out


def _old_json(rec: dict[str, Any], *, geometry: bool) -> str:
    """The history's record of a replaced or deleted feature (the GeoPackage store's format)."""
    attrs = {k: (v.hex() if isinstance(v, bytes) else v) for k, v in rec.items() if k not in (FID_COLUMN, GEOMETRY_COLUMN, VERSION_COLUMN)}
    state: dict[str, Any] = {"attrs": attrs, "version": rec[VERSION_COLUMN]}
    if geometry:
        wkb = _canonical_wkb(rec[GEOMETRY_COLUMN])
        state["geometry"] = None if wkb is None else wkb.hex()
    return json.dumps(state, ensure_ascii=False)


def _table_frame(table: Table) -> Any:
    """A :class:`~gis.store._pg.Table` as the GeoDataFrame :meth:`gis.store.Store.read_layer` would give."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    data = {name: _read._column([r[i] for r in table.rows], kind) for i, (name, kind) in enumerate(table.columns)}
    frame = pd.DataFrame(data, index=range(len(table.rows)))
    frame[VERSION_COLUMN] = frame[VERSION_COLUMN].astype("int64")
    crs = f"EPSG:{_pg.SRID}"
    wkb = np.empty(len(table.wkb), dtype=object)
    wkb[:] = table.wkb
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapely.from_wkb(wkb), crs=crs), crs=crs)


def open_postgis_store(url: str) -> PostgisStore:
    """Open (creating its schema and tables on first use) the PostGIS store at ``url``.

    Raises
    ------
    gis.errors.InputError
        Bad URL, unreachable server, PostGIS missing, or a schema of that name that is not a store.
    """
    store = PostgisStore(url)
    store._create()
    for purpose in ("pg-restore", "pg-staging"):  # folders of a killed restore or import in this machine's temp dir
        _create.sweep_temp_dirs(f"ssl-gis-{purpose}-")
    return store
