"""The working store: the user's copy of the plan layers, where every edit lands with who, when and why.

DESIGN.md ("Data the user owns"): the bundled ``data/geo`` files are the baseline and are never edited;
on first run they are copied (:meth:`Store.seed`) into the working store, a GeoPackage in the user's data
folder (:func:`gis.settings.working_store_path`). Edits land there, each with author, time, old and new
value. The store knows nothing of the plan.

    >>> from gis.store import open_store
    >>> store = open_store()                                   # doctest: +SKIP
    >>> v = store.update_feature("roads", "road-07", {"status": "completed"},
    ...                          expected_version=3, user="zhang")  # doctest: +SKIP

Design decisions
----------------
**A real GeoPackage.** The file is an ordinary GeoPackage (``application_id`` ``GPKG``, gpkg_* tables,
R-tree spatial index, standard geometry blobs) that GDAL, pyogrio and QGIS open. Three extra tables
hold the store's own data: ``ssl_store_history`` (one row per change; registered in ``gpkg_contents`` as an
attribute table, so QGIS can show it), and ``ssl_store_layers`` (each layer's id field) and
``ssl_store_meta``, which are not registered (GDAL lists only registered tables once one attribute table
is registered). Use :meth:`Store.layer_names` for the plan layers, not ``pyogrio.list_layers``. Each
feature carries an integer ``version`` column in its layer table, and the id field has a unique index.

**Geometry is written by GDAL, everything else by SQLite.** A whole-layer write (import, replace, first
run) is written by pyogrio into a *staging* GeoPackage beside the store, under the final layer name. Then,
in ONE ``BEGIN IMMEDIATE`` transaction on the store, the staging file is attached, the old table, its
R-tree and metadata rows are dropped, and the staging DDL (table, R-tree, GDAL's triggers) is replayed
verbatim and its rows copied, the versions set and the history written. Because the staging file uses the
final name nothing is renamed, which is the fragile part of swapping GeoPackage tables. SQLite DDL is
transactional, so a reader or a crash sees the old layer or the new one, never half of either.
Attribute edits are a single ``UPDATE`` plus history ``INSERT`` s in one ``BEGIN IMMEDIATE`` transaction
with Python's :mod:`sqlite3`. GDAL's R-tree triggers call ``ST_IsEmpty``/``ST_MinX``…; every connection
registers those functions (they read the GeoPackage geometry header), so the triggers work unchanged.

**GDAL never touches the live store file.** The GDAL in the pyogrio wheel links its own copy of SQLite;
two SQLite copies in one process do not see each other's POSIX locks, so GDAL closing the file can drop
the locks Python's sqlite3 holds ("multiple copies of SQLite", sqlite.org/howtocorrupt.html) — under
concurrent writes this gave "disk I/O error" in our tests and can corrupt the file. So
:meth:`Store.read_layer` decodes the GeoPackage geometry blobs itself (shapely), and GDAL only writes
private staging files. Callers in the app process must read the store through :class:`Store` (or read a
:meth:`Store.backup` copy), never with ``pyogrio``/``geopandas.read_file`` on the store path. Other
processes (QGIS, a surveyor's GDAL) may open the store normally.

**SQL is bound.** Values are always bound parameters. Table and column names cannot be bound: layer
names are checked against ``ssl_store_layers``/``gpkg_contents`` and field names against the table's own
columns (``PRAGMA table_info``) before use, new names must look like identifiers, and every name is
quoted.

**WAL journal, synchronous=FULL, busy timeout.** SQLite's atomic commit survives SIGKILL of the writing
process in either journal mode (a killed transaction is rolled back by the next opener), and
``tests/gis/test_store_kill.py`` kills writers dozens of times to check it. WAL is chosen because readers
(the app drawing the map through GDAL) are never blocked by a writer and never block one, and a writer
appends instead of rewriting pages. ``synchronous=FULL`` makes each commit durable before
``update_feature`` returns (also across power loss). The cost: the store must be on a local disk (WAL
needs shared memory, so not a network share), and the ``.gpkg`` alone is not the whole store while
``-wal`` exists; copy it with :meth:`Store.backup` (which writes a single-file, non-WAL copy), never with
``cp``. Connections wait up to 15 s for another writer (two app sessions, the CLI), so concurrent writers
take turns; the version check inside the write transaction refuses a stale edit.

**Versions and conflicts.** ``update_feature(..., expected_version=v)`` re-reads the feature inside the
write transaction; if its version is not ``v`` the edit is refused with
:class:`gis.errors.ConflictError`, whose message (Chinese and English) names who changed the feature,
when, its version, and the newer values; ``err.current`` holds the stored attributes.

**History.** One row per changed field for attribute edits (old and new as JSON text, so ``3`` and
``"3"`` stay apart), one row per feature for a whole-layer write: ``(seeded)``/``(created)`` with no
values, ``(replaced)``/``(deleted)`` with the earlier attributes and version (and the earlier geometry as
WKB only if it changed), so imports do not multiply the history. ``user`` is recorded as given (the app
passes the signed-in user); times are ISO 8601 UTC of fixed width (text order is time order). When a
layer has ``updated_at``/``updated_by`` columns the store fills them on each edit (recorded like any field).

**as_of.** :meth:`Store.as_of` replays the history backwards from the current values: every change after
the given time is undone, newest first. ``update_feature(when=...)`` may back-date an edit (a road opened
last week and recorded today) but not before the feature's previous change, so per feature the history
is in time order and the replay is exact. The first-run copy (``(seeded)``) is the plan as published and
is never undone.

**Backup and restore.** :meth:`Store.backup` uses SQLite's online backup API (a consistent snapshot while
others write). :meth:`Store.restore` copies the source to a private file, checks it is an intact store
(SQLite magic, ``GPKG`` application id, ``quick_check``, the store's tables and layers), keeps the current
store as ``<name>.bak.gpkg`` (:attr:`Store.previous_path`; a ``.gpkg.bak`` name makes GDAL warn), then
writes the copy into the live store with the backup API — one SQLite transaction, so other sessions see
the old store or the restored one, never a torn file. (A write committed by another session between the
``.bak`` copy and the restore is in neither; SQLite cannot hold a write lock across both steps.)

PostGIS backend
---------------
``open_store("postgresql://user:password@host:5432/gis?schema=ssl_gis")`` — or ``open_store()`` with the
environment variable ``SSL_GIS_DATABASE_URL`` set to such a URL — returns a :class:`PostgisStore` with the
same methods and behaviour (an explicit file path still means a GeoPackage). ``schema`` (default
``ssl_gis``) is our own URL parameter; the rest is passed to libpq (``sslmode``, ``options``…). Both
classes derive from :class:`StoreBase`, which holds the public methods, their checks and the edit rules
once; each backend implements protected hooks (``_connect``, ``_read_layer``, ``_write_frame``,
``_update_feature``…).

**Layout.** One schema holds the store: a table per layer (``fid``, the attributes, ``version``,
``geom geometry(<type>, 4326)`` with a GiST index, a unique index on the id field) and ``ssl_store_history``,
``ssl_store_layers``, ``ssl_store_meta`` with the GeoPackage store's columns. QGIS and ``ogr2ogr`` read the
layer tables directly. ``open_store`` creates the schema and tables on first use (and ``CREATE EXTENSION
postgis`` if the user may); it refuses a schema of that name holding anything else.

**Same values.** A whole-layer write goes through the same checks and the same GDAL staging GeoPackage as
the GeoPackage store; the staging file's column types are mapped to PostgreSQL types (INTEGER → bigint,
REAL → double precision, BOOLEAN → boolean, DATETIME → timestamp, or timestamptz for zoned values, DATE →
date, TEXT → text) and its rows copied in with ``COPY``. Values read back are turned into the GeoPackage
form (ISO text, 0/1) before they are compared, recorded in the history or typed into the frame, so
``read_layer``, ``history`` and ``as_of`` return the same frames on both backends (tested). A naive
DATETIME is kept naive; an aware one in a naive column is stored as UTC. Names must also fit PostgreSQL's
63 bytes (about 21 Chinese characters).

**Transactions and locks.** Each call is one transaction on its own connection (READ COMMITTED). An
attribute edit locks its row (``SELECT … FOR UPDATE``) and compares the version inside the transaction, so
a stale edit is refused exactly as on the GeoPackage. A whole-layer write replaces the table in one
transaction (DROP, CREATE, COPY, history, all committed together; PostgreSQL DDL is transactional);
advisory locks serialise writes of the same layer and let a restore wait for running writes. Lock order
is always ``ssl_store_layers`` → layer table. Reads lock the layer table in ACCESS SHARE mode rather than
using a REPEATABLE READ snapshot, because a table re-created after a snapshot was taken reads as empty
(DDL is not MVCC-safe). Writers wait at most 15 s (``lock_timeout``) for another writer.

**Backup and restore.** :meth:`PostgisStore.backup` writes a GeoPackage *store file* — the same kind
:meth:`Store.backup` writes — from one REPEATABLE READ snapshot taken after locking ``ssl_store_layers``
(imports wait during a backup; edits do not). The file opens in QGIS, opens with ``open_store(path)`` as a
working store, and either backend restores from it, so a team can move a laptop's GeoPackage store to the
shared database and back. :meth:`PostgisStore.restore` checks the file like the GeoPackage restore, then in
ONE transaction renames the live schema to ``<schema>_bak`` (:attr:`PostgisStore.previous_schema`, an
older one is dropped) and rebuilds the schema from the file with its whole history (``seq`` kept) plus a
``(restored)`` row. Edits by other sessions wait for it and then apply to the restored store. For a
database-level backup, ``pg_dump --schema=ssl_gis`` also works; the GeoPackage file is what the app restores.
"""

from __future__ import annotations

from gis.store._base import StoreBase
from gis.store._postgis import PostgisStore
from gis.store._store import Store, open_store

__all__ = ["PostgisStore", "Store", "StoreBase", "open_store"]
