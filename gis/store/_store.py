"""The :class:`Store` object and :func:`open_store` (see :mod:`gis.store` for the design)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gis import settings
from gis.errors import InputError
from gis.store import _backup, _create, _gpkg, _layers, _pg, _read, _replay
from gis.store._base import StoreBase
from gis.store._gpkg import FID_COLUMN, GEOMETRY_COLUMN, HISTORY_TABLE, LAYERS_TABLE, VERSION_COLUMN, quote
from gis.store._values import iso_utc

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from gis.store._postgis import PostgisStore

__all__ = ["Store", "default_location", "existing_store", "open_store"]

log = logging.getLogger("gis.store")

#: Environment variable holding the database URL that selects the PostGIS store (read by :func:`gis.settings.database_url`).
DATABASE_URL_ENV = "SSL_GIS_DATABASE_URL"


class Store(StoreBase):
    """The working store: a GeoPackage holding the plan layers, their versions and their history.

    Use :func:`open_store` to get one. A Store holds no open connection: every call opens its own, so
    one object may be shared between threads and several objects (or processes) may use the same file;
    writers take turns (SQLite's write lock with a busy timeout) and stale edits are refused.

    Parameters
    ----------
    path : pathlib.Path
        The GeoPackage file; it must already be a store (``open_store`` creates one).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def previous_path(self) -> Path:
        """Where :meth:`restore` keeps the store it replaced (``working.gpkg`` → ``working.bak.gpkg``)."""
        return _backup.previous_path(self.path)

    @property
    def location(self) -> str:
        """Where the store is: the GeoPackage file's path."""
        return str(self.path)

    def previous_location(self) -> str:
        """Where :meth:`restore` kept the store it replaced: the path of :attr:`previous_path`.

        Returns
        -------
        str
        """
        return str(self.previous_path)

    _STAMP_IS_CHEAP = True

    def _stamp(self) -> str:
        # The file's and its WAL's modification stamps: every commit changes one of them (no query). An empty
        # WAL holds no commit: SQLite creates it when a connection opens and deletes it when the last one
        # closes, so it counts as no WAL; otherwise a read in another thread would change the stamp and make
        # every cache keyed by it miss (the first page run recomputed the layers the warm-up had just loaded).
        try:
            main = self.path.stat()
        except OSError:
            return "none"
        try:
            wal = self.path.with_name(self.path.name + "-wal").stat()
        except OSError:
            extra = "0"
        else:
            extra = f"{wal.st_mtime_ns}-{wal.st_size}" if wal.st_size else "0"
        return f"{main.st_mtime_ns}-{main.st_size}-{extra}"

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = _gpkg.connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    # --- hooks of StoreBase ------------------------------------------------------------------------------

    def _layer_names(self, conn: sqlite3.Connection) -> list[str]:
        return _gpkg.feature_layers(conn)

    def _id_field(self, conn: sqlite3.Connection, name: object) -> str:
        return _gpkg.id_field_of(conn, name)

    def _read_layer(self, name: str) -> gpd.GeoDataFrame:
        with self._connect() as conn, _gpkg.read_transaction(conn):
            _gpkg.id_field_of(conn, name)
            return _read.read_frame(conn, name)

    def _history(self, layer: str | None, feature_id: str | None, limit: int | None) -> pd.DataFrame:
        with self._connect() as conn:
            return _replay.history_frame(conn, layer, feature_id, limit)

    def _undo_rows(self, conn: sqlite3.Connection, layer: str, after_iso: str) -> list[tuple[str, str, str | None, int]]:
        return _replay.undo_rows(conn, layer, after_iso)

    def _write_frame(self, name: str, frame: Any, *, user: str, note: str, id_field: str, kind: str, only_if_absent: bool) -> bool:
        staging = _layers.write_staging(frame, name, self.path.parent)
        try:
            with self._connect() as conn:
                return _layers.swap_in(
                    conn, staging, name, id_field=id_field, user=user, note=note, kind=kind, only_if_absent=only_if_absent
                )
        finally:
            _layers.remove_staging(staging)

    def _seed_frames(self, frames: Mapping[str, Any], *, user: str) -> list[str]:
        # the first run: every layer into one staging file, then one transaction (one commit, one fsync)
        staging = None
        try:
            for name, frame in frames.items():
                staging = _layers.write_staging(frame, name, self.path.parent, staging=staging)
            with self._connect() as conn:
                return _layers.seed_in(conn, staging, list(frames), id_field="id", user=user, kind=_layers.SEEDED)
        finally:
            if staging is not None:
                _layers.remove_staging(staging)

    @contextmanager
    def _edit(self, layer: str) -> Iterator[tuple[sqlite3.Connection, str, dict[str, str]]]:
        with self._connect() as conn, _gpkg.write_transaction(conn):
            yield conn, _gpkg.id_field_of(conn, layer), _gpkg.columns_of(conn, layer)

    def _locked_row(
        self, conn: sqlite3.Connection, layer: str, id_field: str, fid: str, columns: Mapping[str, str]
    ) -> dict[str, Any] | None:
        # BEGIN IMMEDIATE already holds the write lock: the row cannot change before the commit.
        cur = conn.execute(f"SELECT * FROM {quote(layer)} WHERE {quote(id_field)} = ?", (fid,))
        row = cur.fetchone()
        if row is None:
            return None
        return {d[0]: v for d, v in zip(cur.description, row) if d[0] not in (FID_COLUMN, GEOMETRY_COLUMN)}

    def _recent_changes(self, conn: sqlite3.Connection, layer: str, fid: str) -> list[Any]:
        return conn.execute(
            f"SELECT at, user, field, new, version FROM {HISTORY_TABLE} WHERE layer = ? AND feature_id = ? ORDER BY seq DESC LIMIT 200",
            (layer, fid),
        ).fetchall()

    def _latest_change_at(self, conn: sqlite3.Connection, layer: str, fid: str) -> str | None:
        (latest,) = conn.execute(
            f"SELECT max(at) FROM {HISTORY_TABLE} WHERE layer = ? AND feature_id = ? AND field NOT IN (?, ?)",
            (layer, fid, _layers.SEEDED, _layers.RESTORED),
        ).fetchone()
        return latest

    def _apply_edit(
        self,
        conn: sqlite3.Connection,
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
        assignments = ", ".join(f"{quote(f)} = ?" for f in diffs)
        conn.execute(
            f"UPDATE {quote(layer)} SET {assignments}, {VERSION_COLUMN} = ? WHERE {quote(id_field)} = ? AND {VERSION_COLUMN} = ?",
            (*diffs.values(), new_version, fid, version),
        )
        conn.executemany(
            f"INSERT INTO {HISTORY_TABLE} (at, user, layer, feature_id, field, old, new, note, version) VALUES (?,?,?,?,?,?,?,?,?)",
            history,
        )
        conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (iso_utc()[:-4] + "Z", layer))

    def _locked_geometry(self, conn: sqlite3.Connection, layer: str, id_field: str, fid: str) -> bytes | None:
        geom_col, _ = _read.geometry_column(conn, layer)
        row = conn.execute(f"SELECT {quote(geom_col)} FROM {quote(layer)} WHERE {quote(id_field)} = ?", (fid,)).fetchone()
        return None if row is None else _layers.gpkg_blob_to_wkb(row[0])

    def _apply_geometry(
        self,
        conn: sqlite3.Connection,
        layer: str,
        id_field: str,
        fid: str,
        wkb: bytes,
        *,
        new_version: int,
        history: list[tuple[Any, ...]],
    ) -> None:
        geom_col, srs_id = _read.geometry_column(conn, layer)
        conn.execute(
            f"UPDATE {quote(layer)} SET {quote(geom_col)} = ?, {VERSION_COLUMN} = ? WHERE {quote(id_field)} = ?",
            (_gpkg.geometry_blob(wkb, srs_id), new_version, fid),
        )
        conn.executemany(
            f"INSERT INTO {HISTORY_TABLE} (at, user, layer, feature_id, field, old, new, note, version) VALUES (?,?,?,?,?,?,?,?,?)",
            history,
        )
        conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (iso_utc()[:-4] + "Z", layer))

    def _backup(self, dest: Path) -> Path:
        if dest.resolve() == self.path.resolve():
            raise InputError("备份文件不能是工作库本身", "the backup cannot be the working store itself")
        with self._connect() as conn:
            return _backup.copy_database(conn, dest)

    def _restore(self, src: Path, *, user: str) -> None:
        if src.resolve() == self.path.resolve():
            raise InputError("不能用工作库本身恢复", "cannot restore the working store from itself")
        _backup.restore_into(self.path, src, user=user)


def default_location() -> Path | str:
    """Where the working store lives unless told otherwise — the one place this is decided.

    Returns
    -------
    pathlib.Path or str
        The database URL :func:`gis.settings.database_url` (``$SSL_GIS_DATABASE_URL``) if set, else the
        GeoPackage path :func:`gis.settings.working_store_path`.
    """
    url = (settings.database_url() or "").strip()
    return url if url else settings.working_store_path()


def existing_store(path_or_url: Path | str | None = None) -> Store | PostgisStore | None:
    """Open the working store if there is one, without creating a GeoPackage file (for readers).

    Parameters
    ----------
    path_or_url : pathlib.Path or str, optional
        As for :func:`open_store` (default :func:`default_location`).

    Returns
    -------
    Store or PostgisStore or None
        None when the location is a GeoPackage path with no file yet (a database store is always opened).
    """
    location = default_location() if path_or_url is None else path_or_url
    if not _pg.is_database_url(location) and not Path(location).exists():
        return None
    return open_store(location)


def open_store(path_or_url: Path | str | None = None) -> Store | PostgisStore:
    """Open the working store, creating its folder and an empty store on first use.

    Parameters
    ----------
    path_or_url : pathlib.Path or str, optional
        The GeoPackage file (a path or its text), or a ``postgresql://user:password@host:port/database[?schema=name]``
        URL for the PostGIS store. Default: :func:`default_location` (``$SSL_GIS_DATABASE_URL`` if set,
        else the GeoPackage at :func:`gis.settings.working_store_path`).

    Returns
    -------
    Store or PostgisStore
        The same methods and behaviour on either backend.

    Raises
    ------
    gis.errors.InputError
        If ``path`` exists but is not a store (an unrelated file is never overwritten); for a database: a bad
        URL, an unreachable server, no PostGIS, or a schema that is not a store.
    """
    url = (settings.database_url() or "").strip() if path_or_url is None else path_or_url
    if url and path_or_url is None and not _pg.is_database_url(url):
        raise InputError(
            f"环境变量 {DATABASE_URL_ENV} 须为 postgresql:// 开头的数据库地址", f"{DATABASE_URL_ENV} must be a postgresql:// database URL"
        )
    if _pg.is_database_url(url):
        from gis.store._postgis import open_postgis_store

        return open_postgis_store(str(url))
    path = Path(path_or_url) if path_or_url is not None else settings.working_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create.create_store(path)
    else:
        _create.remove_stale_files(path)
        try:
            conn = _gpkg.connect(path)
            try:
                ok = conn.execute("PRAGMA application_id").fetchone()[0] == _gpkg.GPKG_APPLICATION_ID and (
                    conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (LAYERS_TABLE,)).fetchone() is not None
                )
                if ok and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            ok = False
        if not ok:
            raise InputError(
                f"{path.name[:80]} 已存在但不是工作库，未改动它",
                f"{path.name[:80]} exists but is not a working store; it was left untouched",
            )
    return Store(path)
