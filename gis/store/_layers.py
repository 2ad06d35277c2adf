"""Whole-layer writes (imports, replaces, the first-run seed) — private to :mod:`gis.store`."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.store import _gpkg
from gis.store._gpkg import FID_COLUMN, GEOMETRY_COLUMN, HISTORY_TABLE, LAYERS_TABLE, VERSION_COLUMN, quote
from gis.store._values import MAX_ID_CHARS, iso_utc

__all__: list[str] = []

log = logging.getLogger("gis.store")

#: History ``field`` markers of whole-feature events (parentheses never occur in a column name).
CREATED, SEEDED, REPLACED, DELETED, RESTORED = "(created)", "(seeded)", "(replaced)", "(deleted)", "(restored)"


def gpkg_blob_to_wkb(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob (None for NULL or a blob without the ``GP`` magic)."""
    if blob is None or len(blob) < 8 or bytes(blob[:2]) != b"GP":
        return None
    n = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}.get((blob[3] >> 1) & 0x07, 0)
    return bytes(blob[8 + 8 * n :])


def prepare_frame(name: str, gdf: Any, id_field: str) -> Any:
    """Check a frame for a whole-layer write and return the copy that goes to the staging file.

    The copy is in EPSG:4326, has the id as text and a ``version`` column of 1 (set properly later).
    """
    import geopandas as gpd

    _gpkg.check_new_name(name, what="layer")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError("写入图层需要 GeoDataFrame", "a layer is written from a GeoDataFrame")
    if gdf.crs is None:
        raise InputError(f"图层 {name} 没有坐标参考系，不写入工作库", f"layer {name} has no CRS; it was not written to the store")
    if len(gdf) > settings.MAX_FEATURES:
        raise LimitExceeded(
            f"图层 {name} 有 {len(gdf)} 个要素，超过上限 {settings.MAX_FEATURES}",
            f"layer {name} has {len(gdf)} features, more than the limit of {settings.MAX_FEATURES}",
        )
    if id_field not in gdf.columns:
        raise InputError(f"图层 {name} 缺少编号字段 {id_field}", f"layer {name} lacks the id field {id_field!r}")
    geometry_name = gdf.geometry.name
    frame = gdf.to_crs("EPSG:4326").drop(columns=[VERSION_COLUMN], errors="ignore")
    seen: set[str] = set()
    for col in frame.columns:
        if col == geometry_name:
            continue
        _gpkg.check_new_name(col, what="field")
        if col.lower() in (FID_COLUMN, GEOMETRY_COLUMN) or col.lower() in seen:
            raise InputError(
                f"图层 {name} 的字段名 {col} 重复或保留（fid、geom、version 由工作库管理）",
                f"layer {name}: field name {col!r} is repeated or reserved (fid, geom and version belong to the store)",
            )
        seen.add(col.lower())
    ids = frame[id_field]
    if ids.isna().any():
        raise InputError(f"图层 {name} 有要素缺少编号 {id_field}", f"layer {name}: some features have no {id_field}")
    ids = ids.astype(str)
    if (ids.str.len() > MAX_ID_CHARS).any() or (ids.str.len() == 0).any():
        raise InputError(f"图层 {name} 的编号须为 1–{MAX_ID_CHARS} 个字符", f"layer {name}: ids must have 1–{MAX_ID_CHARS} characters")
    duplicated = ids[ids.duplicated()].unique()[:5]
    if len(duplicated):
        shown = ", ".join(duplicated)
        raise InputError(f"图层 {name} 的编号重复：{shown}", f"layer {name}: repeated ids: {shown}")
    frame[id_field] = ids
    frame[VERSION_COLUMN] = 1
    if geometry_name != GEOMETRY_COLUMN:
        frame = frame.rename_geometry(GEOMETRY_COLUMN)
    return frame


def write_staging(frame: Any, name: str, folder: Path, *, staging: Path | None = None) -> Path:
    """Write the frame with GDAL into a new GeoPackage beside the store, under the final layer name.

    With ``staging`` (a file written by an earlier call) the layer is added to that file instead, so that
    several layers can be swapped in by one transaction (:func:`seed_in`).
    """
    import pyogrio

    staging = staging or folder / f".{name}.staging-{uuid.uuid4().hex}.gpkg"
    kwargs: dict[str, Any] = {}
    types = set(frame.geometry.dropna().geom_type)
    # A layer with features still without a place (plan items) takes any type: their place may be a polygon
    # even when every placed one so far is a point.
    if len(types) != 1 or frame.geometry.isna().any():
        kwargs["geometry_type"] = "Unknown"
    with _scratch_writes():
        pyogrio.write_dataframe(
            frame, staging, layer=name, driver="GPKG", layer_options={"FID": FID_COLUMN, "GEOMETRY_NAME": GEOMETRY_COLUMN}, **kwargs
        )
    return staging


_SCRATCH_LOCK = threading.Lock()


@contextmanager
def _scratch_writes() -> Iterator[None]:
    """GDAL writes the staging file without waiting for the disk (``OGR_SQLITE_SYNCHRONOUS=OFF``).

    The staging file is scratch: it is read back by this process through the page cache and deleted, and a
    crash leaves only a stray file that no store reads. What must reach the disk is the store's own commit
    (:func:`swap_in`, ``synchronous = FULL``). GDAL's default made each staging layer wait for the disk, about
    0.1 s each (0.3–1.2 s for the nine layers of the first-run seed, on the path to the first painted map).
    The option is process-wide in GDAL; it is set for the write only and restored after it.
    """
    import pyogrio

    with _SCRATCH_LOCK:
        before = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
        try:
            yield
        finally:
            pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": before})


def _row_state(conn: sqlite3.Connection, layer: str, id_field: str) -> dict[str, dict[str, Any]]:
    cur = conn.execute(f"SELECT * FROM {quote(layer)}")
    names = [d[0] for d in cur.description]
    out: dict[str, dict[str, Any]] = {}
    for row in cur:
        rec = dict(zip(names, row))
        out[str(rec[id_field])] = rec
    return out


def swap_in(
    conn: sqlite3.Connection,
    staging: Path,
    name: str,
    *,
    id_field: str,
    user: str,
    note: str,
    kind: str,
    only_if_absent: bool,
) -> bool:
    """Replace (or create) layer ``name`` from the staging file in ONE transaction; record history.

    Returns False (and changes nothing) if ``only_if_absent`` and the layer already exists.
    """
    conn.execute("ATTACH DATABASE ? AS stg", (str(staging),))
    try:
        with _gpkg.write_transaction(conn):
            return _swap_in_attached(conn, name, id_field=id_field, user=user, note=note, kind=kind, only_if_absent=only_if_absent)
    finally:
        conn.execute("DETACH DATABASE stg")


def seed_in(conn: sqlite3.Connection, staging: Path, names: list[str], *, id_field: str, user: str, kind: str) -> list[str]:
    """Create every layer of ``names`` the store lacks from ONE staging file in ONE transaction (the first-run seed).

    All or nothing: a failure rolls every layer back. A layer already present (written meanwhile by another
    process) is skipped. Returns the names created.
    """
    conn.execute("ATTACH DATABASE ? AS stg", (str(staging),))
    try:
        with _gpkg.write_transaction(conn):
            return [
                name
                for name in names
                if _swap_in_attached(conn, name, id_field=id_field, user=user, note="", kind=kind, only_if_absent=True)
            ]
    finally:
        conn.execute("DETACH DATABASE stg")


def _swap_in_attached(
    conn: sqlite3.Connection, name: str, *, id_field: str, user: str, note: str, kind: str, only_if_absent: bool
) -> bool:
    """The body of :func:`swap_in`, inside an open write transaction with the staging file attached as ``stg``."""
    at = iso_utc()
    exists = conn.execute(f"SELECT id_field FROM {LAYERS_TABLE} WHERE layer = ?", (name,)).fetchone()
    if exists and only_if_absent:
        return False
    old: dict[str, dict[str, Any]] = {}
    if exists and conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone():
        old = _row_state(conn, name, exists[0])
    _gpkg.ensure_gpkg_tables(conn)
    _gpkg.drop_layer_tables(conn, name)
    _gpkg.copy_layer_from_staging(conn, name)
    conn.execute(f"CREATE UNIQUE INDEX {quote('ssl_idx_' + name)} ON {quote(name)} ({quote(id_field)})")
    new_blobs = dict(conn.execute(f"SELECT {quote(id_field)}, {GEOMETRY_COLUMN} FROM {quote(name)}").fetchall())
    new_state = _row_state(conn, name, id_field) if old else {}
    history: list[tuple[Any, ...]] = []
    bumps: list[tuple[int, str]] = []
    for fid, blob in new_blobs.items():
        before = old.get(fid)
        if before is None:
            history.append((at, user, name, fid, kind if not exists else CREATED, None, None, note, 1))
            continue
        if unchanged(before, new_state[str(fid)]):  # rewritten as it was: no edit, no history row
            bumps.append((before[VERSION_COLUMN], fid))
            continue
        bumps.append((before[VERSION_COLUMN] + 1, fid))
        history.append(
            (at, user, name, fid, REPLACED, _old_json(before, geometry=before[GEOMETRY_COLUMN] != blob), None, note, bumps[-1][0])
        )
    for fid, before in old.items():
        if fid not in new_blobs:
            history.append((at, user, name, fid, DELETED, _old_json(before, geometry=True), None, note, before[VERSION_COLUMN] + 1))
    conn.executemany(f"UPDATE {quote(name)} SET {VERSION_COLUMN} = ? WHERE {quote(id_field)} = ?", bumps)
    conn.executemany(
        f"INSERT INTO {HISTORY_TABLE} (at, user, layer, feature_id, field, old, new, note, version) VALUES (?,?,?,?,?,?,?,?,?)",
        history,
    )
    conn.execute(
        f"INSERT INTO {LAYERS_TABLE} (layer, id_field, created_at, created_by) VALUES (?,?,?,?) "
        "ON CONFLICT(layer) DO UPDATE SET id_field = excluded.id_field",
        (name, id_field, at, user),
    )
    log.info("layer %s written: %d features by %s (%s)", name, len(new_blobs), user, kind if not exists else "replace")
    return True


def unchanged(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether a feature rewritten by a whole-layer write is the same feature: every field and the geometry equal.

    A field present on one side only counts as empty on the other (a rewrite that adds an empty column changes
    no feature). The feature id's row number and version are not compared.
    """
    skip = (FID_COLUMN, VERSION_COLUMN)
    for key in set(before) | set(after):
        if key in skip:
            continue
        a, b = before.get(key), after.get(key)
        if a is b or (a is not None and b is not None and type(a) is type(b) and a == b):
            continue
        if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool) and not isinstance(b, bool) and a == b:
            continue
        return False
    return True


def _old_json(rec: dict[str, Any], *, geometry: bool) -> str:
    attrs = {k: (v.hex() if isinstance(v, bytes) else v) for k, v in rec.items() if k not in (FID_COLUMN, GEOMETRY_COLUMN, VERSION_COLUMN)}
    state: dict[str, Any] = {"attrs": attrs, "version": rec[VERSION_COLUMN]}
    if geometry:
        wkb = gpkg_blob_to_wkb(rec[GEOMETRY_COLUMN])
        state["geometry"] = None if wkb is None else wkb.hex()
    return json.dumps(state, ensure_ascii=False)


def remove_staging(staging: Path) -> None:
    """Delete a staging file and its SQLite side files."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(f"{staging}{suffix}")
        except FileNotFoundError:
            pass
