"""The :class:`Store` object and :func:`open_store` (see :mod:`gis.store` for the design)."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gis import settings
from gis.errors import ConflictError, InputError
from gis.store import _backup, _gpkg, _layers, _pg, _read, _replay
from gis.store._gpkg import FID_COLUMN, GEOMETRY_COLUMN, HISTORY_TABLE, LAYERS_TABLE, META_TABLE, STORE_FORMAT, VERSION_COLUMN, quote
from gis.store._values import MAX_CHANGES, check_feature_id, check_note, check_user, encode, iso_utc, short, to_sql

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from gis.store._postgis import PostgisStore

__all__ = ["Store", "open_store"]

log = logging.getLogger("gis.store")

#: Environment variable holding the database URL that selects the PostGIS store (see :func:`open_store`).
DATABASE_URL_ENV = "SSL_GIS_DATABASE_URL"
#: Staging files older than this (seconds) are left-overs of a killed write and are deleted on open.
_STALE_STAGING_S = 3600
#: Fields the store fills on every edit when the layer has them (DESIGN.md: every feature has them).
_AUTO_FIELDS = ("updated_at", "updated_by")


class Store:
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

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = _gpkg.connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    # --- reading -----------------------------------------------------------------------------------------

    def layer_names(self) -> list[str]:
        """Names of the layers in the store, sorted.

        Returns
        -------
        list of str
        """
        with self._connect() as conn:
            return _gpkg.feature_layers(conn)

    def has_layer(self, name: str) -> bool:
        """Whether the store holds layer ``name``.

        Returns
        -------
        bool
        """
        return name in self.layer_names()

    def id_field(self, name: str) -> str:
        """The id field layer ``name`` was written with (``id`` unless told otherwise).

        Raises
        ------
        gis.errors.InputError
            If there is no such layer.
        """
        with self._connect() as conn:
            return _gpkg.id_field_of(conn, name)

    def read_layer(self, name: str) -> gpd.GeoDataFrame:
        """Read a whole layer.

        Parameters
        ----------
        name : str
            Layer name.

        Returns
        -------
        geopandas.GeoDataFrame
            EPSG:4326; the columns as written plus ``version`` (int64), geometry in ``geometry``.

        Raises
        ------
        gis.errors.InputError
            If there is no such layer.
        """
        with self._connect() as conn, _gpkg.read_transaction(conn):
            _gpkg.id_field_of(conn, name)
            return _read.read_frame(conn, name)

    def history(self, layer: str | None = None, feature_id: str | None = None, *, limit: int | None = None) -> pd.DataFrame:
        """The change history, oldest first (newest last).

        Parameters
        ----------
        layer, feature_id : str, optional
            Keep only rows of this layer / feature.
        limit : int, optional
            Keep only the newest ``limit`` rows.

        Returns
        -------
        pandas.DataFrame
            Columns ``at`` (ISO 8601 UTC text), ``user``, ``layer``, ``feature_id``, ``field``, ``old``,
            ``new``, ``note``, ``version`` (the feature's version after the change). Attribute edits have
            one row per field with the old and new value. Whole-feature events have ``field``
            ``(seeded)`` (first-run copy of the bundled data), ``(created)``, ``(replaced)`` or
            ``(deleted)`` (``old`` is then a dict of the earlier attributes, version and, if it changed,
            geometry as WKB hex); a restore adds one ``(restored)`` row.
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise InputError("limit 须为非负整数", "limit must be a non-negative integer")
        with self._connect() as conn:
            return _replay.history_frame(conn, layer, feature_id, limit)

    def as_of(self, layer: str, when: datetime | date) -> gpd.GeoDataFrame:
        """The layer as it was at ``when``, replayed backwards from the current values through the history.

        Parameters
        ----------
        layer : str
            Layer name.
        when : datetime.datetime or datetime.date
            A date means the end of that day (UTC); a naive datetime is taken as UTC. Pass an aware
            datetime (e.g. ``+08:00``) for another time zone.

        Returns
        -------
        geopandas.GeoDataFrame
            EPSG:4326, the current layer's columns (plus ``version``) with the values they had at ``when``.
            Features imported after ``when`` are left out, features deleted after it come back. The
            first-run copy of the bundled data counts as always there (it is the plan as published).
        """
        after = iso_utc(when, end_of_day=not isinstance(when, datetime))
        id_field = self.id_field(layer)
        # The frame is read before the history: an edit committed in between is then undone too, and
        # every undo sets an absolute earlier value, so the result is still right.
        current = self.read_layer(layer)
        with self._connect() as conn:
            rows = _replay.undo_rows(conn, layer, after)
        return _replay.replay(current, rows, id_field)

    # --- whole-layer writes ----------------------------------------------------------------------------

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame, *, user: str, note: str = "", id_field: str = "id") -> None:
        """Create or replace a whole layer in one transaction.

        Parameters
        ----------
        name : str
            Layer name (a letter, then letters, digits or ``_``; at most 63 characters).
        gdf : geopandas.GeoDataFrame
            The features, in any CRS (stored in EPSG:4326). A ``version`` column is ignored.
        user : str
            Who writes (recorded in the history as given).
        note : str
            Why (recorded in the history).
        id_field : str
            The column holding each feature's stable id (unique, not empty).

        Notes
        -----
        New features get version 1; a feature whose id was already in the layer gets its old version + 1.
        The history gains one row per feature (``(created)``, ``(replaced)`` or ``(deleted)``).

        Raises
        ------
        gis.errors.InputError
            Bad name, no CRS, missing/repeated ids, reserved or repeated field names, too many features.
        """
        self._write(name, gdf, user=user, note=note, id_field=id_field, kind=_layers.CREATED, only_if_absent=False)

    def seed(self, layers: Mapping[str, gpd.GeoDataFrame], *, user: str = "system") -> list[str]:
        """Copy the layers that are not yet in the store (first run); each layer in its own transaction.

        Parameters
        ----------
        layers : mapping of str to geopandas.GeoDataFrame
            Layer name → features (id field ``id``), in any CRS.
        user : str
            Recorded in the history.

        Returns
        -------
        list of str
            Names copied now (layers already present, even if written meanwhile by another process, are skipped).
        """
        present = set(self.layer_names())
        copied = []
        for name, gdf in layers.items():
            if name not in present and self._write(name, gdf, user=user, note="", id_field="id", kind=_layers.SEEDED, only_if_absent=True):
                copied.append(name)
        return copied

    def _write(self, name: str, gdf: Any, *, user: str, note: str, id_field: str, kind: str, only_if_absent: bool) -> bool:
        user = check_user(user)
        note = check_note(note)
        frame = _layers.prepare_frame(name, gdf, id_field)
        staging = _layers.write_staging(frame, name, self.path.parent)
        try:
            with self._connect() as conn:
                return _layers.swap_in(
                    conn, staging, name, id_field=id_field, user=user, note=note, kind=kind, only_if_absent=only_if_absent
                )
        finally:
            _layers.remove_staging(staging)

    # --- attribute edits ---------------------------------------------------------------------------------

    def update_feature(
        self,
        layer: str,
        feature_id: str,
        changes: Mapping[str, object],
        *,
        expected_version: int,
        user: str,
        note: str = "",
        when: datetime | None = None,
    ) -> int:
        """Change attributes of one feature in one transaction, refusing an edit of an old version.

        Parameters
        ----------
        layer : str
            Layer name.
        feature_id : str
            The feature's id (value of the layer's id field).
        changes : mapping of str to object
            Field → new value (text, number, bool, date/datetime or None, matching the field's type).
            Geometry, ``fid``, ``version`` and the id cannot be changed here (geometry edits are whole-layer
            writes). ``updated_at``/``updated_by``, when the layer has them, are set from ``when``/``user``
            unless given.
        expected_version : int
            The version the user saw and edited.
        user : str
            Who edits (the signed-in user), recorded as given.
        note : str
            Why; recorded on every history row of this edit.
        when : datetime.datetime, optional
            When the change took effect (default now; naive means UTC). It may be earlier than now, but not
            earlier than the feature's previous change.

        Returns
        -------
        int
            The feature's new version (unchanged if no value actually changed).

        Raises
        ------
        gis.errors.ConflictError
            ``expected_version`` is not the stored version. The message names who changed the feature,
            when, and the newer values; the attribute ``current`` holds the stored attributes (with
            ``version``).
        gis.errors.InputError
            Unknown layer, feature or field; a value that does not fit its field.
        """
        user = check_user(user)
        note = check_note(note)
        fid = check_feature_id(feature_id)
        if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 1:
            raise InputError("expected_version 须为正整数", "expected_version must be a positive integer")
        if not isinstance(changes, Mapping) or not changes:
            raise InputError("没有要修改的字段", "no fields to change")
        if len(changes) > MAX_CHANGES:
            raise InputError(f"一次最多修改 {MAX_CHANGES} 个字段", f"at most {MAX_CHANGES} fields per edit")
        at = iso_utc(when)
        with self._connect() as conn, _gpkg.write_transaction(conn):
            id_field = _gpkg.id_field_of(conn, layer)
            columns = _gpkg.columns_of(conn, layer)
            fixed = {FID_COLUMN, GEOMETRY_COLUMN, VERSION_COLUMN, id_field}
            wanted: dict[str, Any] = {}
            for field, value in changes.items():
                if not isinstance(field, str) or field not in columns or field in fixed:
                    editable = ", ".join(c for c in columns if c not in fixed)
                    editable = short(editable, 300)
                    raise InputError(
                        f"图层 {layer} 没有可修改的字段 {short(field, 60)}（可修改：{editable}）",
                        f"layer {layer} has no editable field {short(field, 60)!r} (editable: {editable})",
                    )
                wanted[field] = to_sql(field, value, columns[field])
            cur = conn.execute(f"SELECT * FROM {quote(layer)} WHERE {quote(id_field)} = ?", (fid,))
            row = cur.fetchone()
            if row is None:
                raise InputError(f"图层 {layer} 中没有要素 {short(fid, 60)}", f"layer {layer} has no feature {short(fid, 60)!r}")
            current = {d[0]: v for d, v in zip(cur.description, row) if d[0] not in (FID_COLUMN, GEOMETRY_COLUMN)}
            version = current[VERSION_COLUMN]
            if version != expected_version:
                raise self._conflict(conn, layer, fid, current, expected_version, list(wanted))
            (latest,) = conn.execute(
                f"SELECT max(at) FROM {HISTORY_TABLE} WHERE layer = ? AND feature_id = ? AND field NOT IN (?, ?)",
                (layer, fid, _layers.SEEDED, _layers.RESTORED),
            ).fetchone()
            if latest is not None and at < latest:
                raise InputError(
                    f"修改时间 {at} 早于要素 {short(fid, 60)} 的上一次修改（{latest}）",
                    f"the edit's time {at} is earlier than the previous change of feature {short(fid, 60)!r} ({latest})",
                )
            diffs = {f: v for f, v in wanted.items() if current.get(f) != v}
            if not diffs:
                return version
            for auto, value in zip(_AUTO_FIELDS, (at, user)):
                if auto in columns and auto not in wanted and auto not in fixed:
                    if columns[auto] == "DATE":
                        value = value[:10]
                    auto_value = to_sql(auto, value, columns[auto])
                    if current.get(auto) != auto_value:
                        diffs[auto] = auto_value
            new_version = version + 1
            assignments = ", ".join(f"{quote(f)} = ?" for f in diffs)
            conn.execute(
                f"UPDATE {quote(layer)} SET {assignments}, {VERSION_COLUMN} = ? WHERE {quote(id_field)} = ? AND {VERSION_COLUMN} = ?",
                (*diffs.values(), new_version, fid, version),
            )
            conn.executemany(
                f"INSERT INTO {HISTORY_TABLE} (at, user, layer, feature_id, field, old, new, note, version) VALUES (?,?,?,?,?,?,?,?,?)",
                [(at, user, layer, fid, f, encode(current.get(f)), encode(v), note, new_version) for f, v in diffs.items()],
            )
            conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (iso_utc()[:-4] + "Z", layer))
        return new_version

    @staticmethod
    def _conflict(
        conn: sqlite3.Connection, layer: str, fid: str, current: dict[str, Any], expected: int, fields: list[str]
    ) -> ConflictError:
        version = current[VERSION_COLUMN]
        rows = conn.execute(
            f"SELECT at, user, field, new, version FROM {HISTORY_TABLE} WHERE layer = ? AND feature_id = ? ORDER BY seq DESC LIMIT 200",
            (layer, fid),
        ).fetchall()
        last_at, last_user = (rows[0][0], rows[0][1]) if rows else ("?", "?")
        newer = [r for r in rows if r[4] > expected and not r[2].startswith("(")]
        changed = list(dict.fromkeys(r[2] for r in newer))
        # Fields the user tried to change first, then the other fields changed since their version.
        shown = [f for f in fields if f in current] + [f for f in changed if f not in fields and f not in _AUTO_FIELDS]
        pairs = "; ".join(f"{f} = {short(current.get(f), 60)}" for f in shown[:8])
        if len(shown) > 8:
            pairs += "; …"
        err = ConflictError(
            f"要素 {short(fid, 60)} 已被 {short(last_user, 40)} 于 {last_at} 修改为第 {version} 版（您编辑的是第 {expected} 版）。"
            f"现值：{pairs}。请刷新后重新编辑。",
            f"feature {short(fid, 60)} was changed by {short(last_user, 40)} at {last_at} to version {version} "
            f"(you edited version {expected}). Now: {pairs}. Reload and edit again.",
        )
        err.current = dict(current)  # type: ignore[attr-defined]
        err.version = version  # type: ignore[attr-defined]
        err.changed_by = last_user  # type: ignore[attr-defined]
        err.changed_at = last_at  # type: ignore[attr-defined]
        return err

    # --- backup and restore ------------------------------------------------------------------------------

    def backup(self, dest: Path) -> Path:
        """Write a consistent copy of the whole store to ``dest`` (SQLite backup API; one self-contained file).

        Parameters
        ----------
        dest : pathlib.Path
            Target file (its folder is created). Must not be the store itself.

        Returns
        -------
        pathlib.Path
            ``dest``.
        """
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise InputError("备份文件不能是工作库本身", "the backup cannot be the working store itself")
        with self._connect() as conn:
            return _backup.copy_database(conn, dest)

    def restore(self, src: Path, *, user: str) -> None:
        """Replace the store with a backup, atomically; the previous store is kept at :attr:`previous_path`.

        Parameters
        ----------
        src : pathlib.Path
            A file written by :meth:`backup` (or a copy of a store).
        user : str
            Who restores (a ``(restored)`` history row records it).

        Raises
        ------
        gis.errors.InputError
            If ``src`` is missing, not a GeoPackage, damaged, or not a store (nothing is changed then).
        """
        user = check_user(user)
        if Path(src).resolve() == self.path.resolve():
            raise InputError("不能用工作库本身恢复", "cannot restore the working store from itself")
        _backup.restore_into(self.path, Path(src), user=user)


def _create_store(path: Path) -> None:
    """Create an empty store at ``path`` atomically (built beside it, then linked into place)."""
    import geopandas as gpd
    import pyogrio

    tmp = path.parent / f".{path.name}.new-{uuid.uuid4().hex}.gpkg"
    try:
        empty = gpd.GeoDataFrame({"x": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
        pyogrio.write_dataframe(empty, tmp, layer="ssl_init", driver="GPKG", geometry_type="Point")
        conn = _gpkg.connect(tmp)
        try:
            with _gpkg.write_transaction(conn):
                _gpkg.drop_layer_tables(conn, "ssl_init")
                for ddl in _gpkg.STORE_DDL:
                    conn.execute(ddl)
                conn.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES ('format', ?)", (STORE_FORMAT,))
                # Registered as an attribute table: QGIS shows the history, and GDAL then lists only the
                # registered tables (not the store's two bookkeeping tables).
                conn.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) VALUES (?, ?, ?, ?, ?)",
                    (HISTORY_TABLE, "attributes", HISTORY_TABLE, "change history of the working store", iso_utc()[:-4] + "Z"),
                )
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        try:
            os.link(tmp, path)  # fails if another process created the store meanwhile: keep theirs
        except FileExistsError:
            pass
        except OSError:
            if not path.exists():
                os.replace(tmp, path)
    finally:
        _layers.remove_staging(tmp)


def _remove_stale_files(path: Path) -> None:
    now = time.time()
    for pattern in (".*.staging-*.gpkg*", f".{path.name}.new-*", f".{path.name}.restore-*", f".{path.name}.*.tmp"):
        for leftover in path.parent.glob(pattern):
            try:
                if now - leftover.stat().st_mtime > _STALE_STAGING_S:
                    leftover.unlink()
            except OSError:
                pass


def open_store(path_or_url: Path | str | None = None) -> Store | PostgisStore:
    """Open the working store, creating its folder and an empty store on first use.

    Parameters
    ----------
    path_or_url : pathlib.Path or str, optional
        The GeoPackage file, or a ``postgresql://user:password@host:port/database[?schema=name]`` URL for
        the PostGIS store. Default: ``$SSL_GIS_DATABASE_URL`` if set (PostGIS), else the GeoPackage at
        :func:`gis.settings.working_store_path`.

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
    url = os.environ.get(DATABASE_URL_ENV, "").strip() if path_or_url is None else path_or_url
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
        _create_store(path)
    else:
        _remove_stale_files(path)
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
