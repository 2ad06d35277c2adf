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
"""

from __future__ import annotations

from gis.store._postgis import PostgisStore
from gis.store._store import Store, open_store

__all__ = ["PostgisStore", "Store", "open_store"]
