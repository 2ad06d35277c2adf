"""Backup and restore of the working store with SQLite's online backup API (private to :mod:`gis.store`)."""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from pathlib import Path

from gis.errors import InputError
from gis.store import _gpkg
from gis.store._gpkg import GPKG_APPLICATION_ID, HISTORY_TABLE, LAYERS_TABLE, META_TABLE, STORE_FORMAT
from gis.store._layers import RESTORED
from gis.store._values import iso_utc

__all__: list[str] = []

log = logging.getLogger("gis.store")

_SQLITE_MAGIC = b"SQLite format 3\x00"


def copy_database(src: sqlite3.Connection, dest_path: Path) -> Path:
    """A consistent single-file copy of ``src`` at ``dest_path`` (written beside it, then renamed in)."""
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest_path.parent / f".{dest_path.name}.{uuid.uuid4().hex}.tmp"
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
        if tmp.exists():
            tmp.unlink()
    return dest_path


def _not_a_store(name: str, why_zh: str, why_en: str) -> InputError:
    return InputError(
        f"{name} 不是本系统的工作库备份（{why_zh}），未恢复", f"{name} is not a working-store backup ({why_en}); nothing was restored"
    )


def check_store_file(path: Path) -> None:
    """Raise InputError unless ``path`` is an intact GeoPackage written by this store."""
    name = path.name[:80]
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise _not_a_store(name, "无法读取", "cannot be read") from exc
    if head != _SQLITE_MAGIC:
        raise _not_a_store(name, "不是 SQLite/GeoPackage 文件", "not an SQLite/GeoPackage file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            if conn.execute("PRAGMA application_id").fetchone()[0] != GPKG_APPLICATION_ID:
                raise _not_a_store(name, "不是 GeoPackage", "not a GeoPackage")
            problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise _not_a_store(name, "文件已损坏", f"damaged: {problems[0][:80]}")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = {HISTORY_TABLE, LAYERS_TABLE, META_TABLE, "gpkg_contents", "gpkg_geometry_columns"} - tables
            if missing:
                raise _not_a_store(name, "缺少表 " + ", ".join(sorted(missing)), "missing tables " + ", ".join(sorted(missing)))
            fmt = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'format'").fetchone()
            if fmt is None or fmt[0] != STORE_FORMAT:
                shown = "?" if fmt is None else str(fmt[0])[:20]
                raise _not_a_store(name, f"格式版本 {shown} 不受支持", f"store format {shown} is not supported")
            layers = [r[0] for r in conn.execute(f"SELECT layer FROM {LAYERS_TABLE}")]
            absent = [layer for layer in layers if layer not in tables]
            if absent:
                raise _not_a_store(name, "缺少图层 " + ", ".join(absent[:5]), "missing layers " + ", ".join(absent[:5]))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _not_a_store(name, "无法作为数据库打开", f"cannot be opened as a database: {str(exc)[:80]}") from exc


def previous_path(store_path: Path) -> Path:
    """Where a restore keeps the store it replaced: ``working.gpkg`` → ``working.bak.gpkg``.

    (``.bak.gpkg`` rather than ``.gpkg.bak``: GDAL and QGIS open it without complaining about the extension.)
    """
    return store_path.with_name(store_path.stem + ".bak" + store_path.suffix)


def restore_into(store_path: Path, src: Path, *, user: str) -> Path:
    """Replace the store's content with ``src`` in one write transaction; the old store goes to ``.bak``.

    ``src`` is first copied to a private file and checked there (so it cannot change after the check);
    the restore itself is the backup API writing into the live store, which SQLite does as one
    transaction: readers and other writers see the old store or the new one, never a mix.
    """
    src = Path(src)
    if not src.is_file():
        raise InputError(f"找不到备份文件 {src.name[:80]}", f"backup file {src.name[:80]} not found")
    check_store_file(src)
    private = store_path.parent / f".{store_path.name}.restore-{uuid.uuid4().hex}.gpkg"
    bak = previous_path(store_path)
    try:
        s = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            copy_database(s, private)
        finally:
            s.close()
        check_store_file(private)
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
                copy_database(store, bak)
                p.backup(store)
            finally:
                p.close()
            store.execute("PRAGMA journal_mode = WAL")
        finally:
            store.close()
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{private}{suffix}").unlink(missing_ok=True)
    log.info("store %s restored from %s by %s (previous store kept as %s)", store_path, src, user, bak)
    return bak
