"""Creating an empty GeoPackage store and sweeping the left-overs of killed writes (private to :mod:`gis.store`).

Every temporary file the store writes sits beside the store and is named so it can be found again:

* ``.<layer>.staging-<hex>.gpkg`` — GDAL's staging file of a whole-layer write;
* ``.<store>.new-<hex>.gpkg`` — a store being created;
* ``.<store>.restore-<pid>-<hex>.*`` — the private copy of a backup and the copy of the replaced store
  during :meth:`gis.store.Store.restore` (the process id says whether its writer still runs);
* ``.<file>.<hex>.tmp`` — a backup copy being written.

:func:`remove_stale_files` deletes those whose writer is gone: at once for a restore file whose process no
longer runs, after an hour otherwise.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gis.store import _gpkg, _layers
from gis.store._gpkg import HISTORY_TABLE, META_TABLE, STORE_FORMAT
from gis.store._values import iso_utc

__all__: list[str] = []

#: Temporary files older than this (seconds) are left-overs of a killed write and are deleted on open.
STALE_AFTER_S = 3600
#: Infix of a restore's temporary files: ``.<store>.restore-<pid>-<hex>.<what>``.
RESTORE_INFIX = ".restore-"


def create_store(path: Path) -> None:
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


def restore_temp_path(store_path: Path, what: str) -> Path:
    """A restore's private temporary file beside the store, named with this process's id (see the module doc)."""
    return store_path.parent / f".{store_path.name}{RESTORE_INFIX}{os.getpid()}-{uuid.uuid4().hex}.{what}"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (this process counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _writer_pid(name: str) -> int | None:
    """The process id in a restore temporary file's name (None if the name carries none)."""
    rest = name.partition(RESTORE_INFIX)[2]
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def remove_stale_files(path: Path) -> list[Path]:
    """Delete the temporary files killed writes left beside the store at ``path``; return those deleted."""
    now = time.time()
    removed: list[Path] = []
    patterns = (".*.staging-*.gpkg*", f".{path.name}.new-*", f".{path.name}{RESTORE_INFIX}*", f".{path.name}.*.tmp")
    for pattern in patterns:
        for leftover in path.parent.glob(pattern):
            try:
                pid = _writer_pid(leftover.name) if RESTORE_INFIX in leftover.name else None
                if (pid is not None and not pid_alive(pid)) or now - leftover.stat().st_mtime > STALE_AFTER_S:
                    leftover.unlink()
                    removed.append(leftover)
            except OSError:
                pass
    return removed


def sweep_temp_dirs(prefix: str) -> list[Path]:
    """Delete the folders ``$TMPDIR/<prefix><pid>-*`` whose process no longer runs; return those deleted."""
    import shutil
    import tempfile

    removed = []
    for leftover in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        pid = leftover.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)) and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


@contextmanager
def private_temp_dir(purpose: str) -> Iterator[Path]:
    """A new private folder ``$TMPDIR/ssl-gis-<purpose>-<pid>-<random>``, deleted on exit.

    Folders of the same purpose left by a killed process (its id no longer runs) are deleted first, so a
    killed restore or upload leaves nothing behind for long.

    Parameters
    ----------
    purpose : str
        A short word naming the use (letters, digits and ``-``), e.g. ``"restore-upload"``.

    Yields
    ------
    pathlib.Path
        The folder (mode 0700).
    """
    import shutil
    import tempfile

    prefix = f"ssl-gis-{purpose}-"
    sweep_temp_dirs(prefix)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
