"""Backup and restore of the working store with SQLite's online backup API (private to :mod:`gis.store`)."""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from pathlib import Path

from gis.errors import InputError
from gis.store import _check, _create, _gpkg
from gis.store._gpkg import HISTORY_TABLE
from gis.store._layers import RESTORED
from gis.store._values import iso_utc

__all__: list[str] = []

log = logging.getLogger("gis.store")


def copy_database(src: sqlite3.Connection, dest_path: Path, *, tmp: Path | None = None) -> Path:
    """A consistent single-file copy of ``src`` at ``dest_path`` (written to ``tmp`` beside it, then renamed in)."""
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp or dest_path.parent / f".{dest_path.name}.{uuid.uuid4().hex}.tmp"
    try:
        dest = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            src.backup(dest)  # one step: a read snapshot of src, so the copy is consistent
            # A backup of a WAL database is a WAL database; make the copy one self-contained file.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.replace(tmp, dest_path)
    finally:
        _remove_sqlite_file(tmp)
    return dest_path


def _remove_sqlite_file(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def check_store_file(path: Path, *, deep: bool = True, shown: str | None = None) -> None:
    """Raise InputError unless ``path`` is an intact store file holding only the store's own schema (see :mod:`gis.store._check`)."""
    _check.check_store_file(path, deep=deep, shown=shown)


def private_copy(src: Path, private: Path) -> None:
    """Check ``src``'s schema, copy it to ``private`` and check the copy through (geometries too).

    The copy is what gets restored, so it is checked again: ``src`` cannot change after its check.
    Raises InputError (and leaves no ``private`` file) if either check fails or ``src`` cannot be copied.
    """
    if not src.is_file():
        raise InputError(f"找不到备份文件 {src.name[:80]}", f"backup file {src.name[:80]} not found")
    check_store_file(src, deep=False)  # the schema, before anything is copied
    try:
        s = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            copy_database(s, private, tmp=Path(f"{private}.part"))
        finally:
            s.close()
        check_store_file(private, deep=True, shown=src.name)
    except sqlite3.DatabaseError as exc:
        _remove_sqlite_file(private)
        raise _check.refusal(src.name[:80], "无法复制", f"cannot be copied: {str(exc)[:80]}") from exc
    except BaseException:
        _remove_sqlite_file(private)
        raise


def previous_path(store_path: Path) -> Path:
    """Where a restore keeps the store it replaced: ``working.gpkg`` → ``working.bak.gpkg``.

    (``.bak.gpkg`` rather than ``.gpkg.bak``: GDAL and QGIS open it without complaining about the extension.)
    """
    return store_path.with_name(store_path.stem + ".bak" + store_path.suffix)


def restore_into(store_path: Path, src: Path, *, user: str) -> Path:
    """Replace the store's content with ``src`` in one write transaction; the old store goes to ``.bak``.

    ``src`` is first checked (:mod:`gis.store._check`), copied to a private file and checked there again
    (so it cannot change after the check); the restore itself is the backup API writing into the live
    store, which SQLite does as one transaction: readers and other writers see the old store or the new
    one, never a mix. On any failure the store is untouched and no temporary file is left; the temporary
    files of a killed restore are named with its process id and removed by the next open or restore.
    """
    src = Path(src)
    _create.remove_stale_files(store_path)
    private = _create.restore_temp_path(store_path, "gpkg")
    bak_tmp = _create.restore_temp_path(store_path, "bak.gpkg")
    bak = previous_path(store_path)
    try:
        private_copy(src, private)
        store = _gpkg.connect(store_path)
        try:
            page_size = store.execute("PRAGMA page_size").fetchone()[0]
            p = sqlite3.connect(str(private), isolation_level=None)
            try:
                if p.execute("PRAGMA page_size").fetchone()[0] != page_size:
                    # Backing up into a WAL database needs equal page sizes.
                    p.execute(f"PRAGMA page_size = {int(page_size):d}")
                    p.execute("VACUUM")
                p.execute(
                    f"INSERT INTO {HISTORY_TABLE} (at, user, layer, feature_id, field, old, new, note, version) VALUES (?,?,?,?,?,?,?,?,?)",
                    (iso_utc(), user, "", "", RESTORED, None, None, f"restored from {src.name[:200]}", 0),
                )
                copy_database(store, bak_tmp, tmp=Path(f"{bak_tmp}.part"))
                p.backup(store)
            finally:
                p.close()
            store.execute("PRAGMA journal_mode = WAL")
        finally:
            store.close()
        os.replace(bak_tmp, bak)
    finally:
        for leftover in (private, bak_tmp, Path(f"{private}.part"), Path(f"{bak_tmp}.part")):
            _remove_sqlite_file(leftover)
    log.info("store %s restored from %s by %s (previous store kept as %s)", store_path, src, user, bak)
    return bak
