"""Is a file a working-store backup, and only that? The restore's gate (private to :mod:`gis.store`).

A restore copies a whole SQLite file into the live store, so everything in the file comes along: a trigger
could undo later edits, a view could hang a reader, an extra table would be carried forward for ever. The
file is therefore compared with the store's own schema before anything is copied:

* every object in ``sqlite_master`` must be one the store itself makes — the GeoPackage tables and
  triggers GDAL writes, the store's three tables, and per layer its table, R-tree, GDAL's R-tree and
  feature-count triggers and the unique id index — with exactly the SQL the store would write (the
  reference is an empty store with one layer, built once per process with the installed GDAL);
  anything else (a trigger, a view, a virtual table, an extra table or index) is refused by name;
* each layer is registered consistently (``ssl_store_layers``, ``gpkg_contents``,
  ``gpkg_geometry_columns`` with ``geom`` in EPSG:4326), its table has ``fid``, ``geom``, ``version`` and
  its id field, and only column types the store reads;
* the values the store relies on hold: ``version`` an integer ≥ 1, ids present and unique, the history's
  columns of their types;
* with ``deep=True`` (the private copy that will be restored): SQLite's ``quick_check`` and every geometry
  — a GeoPackage blob with a finite envelope, WKB that decodes, a type the layer declares, finite
  coordinates.
"""

from __future__ import annotations

import functools
import shutil
import sqlite3
import struct
import tempfile
from pathlib import Path
from typing import Any

from gis.errors import InputError
from gis.store import _create, _gpkg, _layers
from gis.store._gpkg import (
    FID_COLUMN,
    GEOMETRY_COLUMN,
    GPKG_APPLICATION_ID,
    HISTORY_TABLE,
    LAYERS_TABLE,
    META_TABLE,
    STORE_FORMAT,
    VERSION_COLUMN,
    quote,
)

__all__: list[str] = []

_SQLITE_MAGIC = b"SQLite format 3\x00"
_TEMPLATE = "ssltemplatelayer"
_REQUIRED_TABLES = (HISTORY_TABLE, LAYERS_TABLE, META_TABLE, "gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys")
#: Column types a layer may declare (what GDAL writes for the frames the store accepts).
_FIELD_TYPES = frozenset(
    {
        "TEXT",
        "INTEGER",
        "INT",
        "MEDIUMINT",
        "SMALLINT",
        "TINYINT",
        "BIGINT",
        "REAL",
        "FLOAT",
        "DOUBLE",
        "BOOLEAN",
        "DATE",
        "DATETIME",
        "BLOB",
    }
)
#: Declared geometry type → shapely type ids it may hold (0 Point, 1 LineString, 3 Polygon, 4–6 Multi…, 7 collection).
_GEOMETRY_TYPES = {
    "GEOMETRY": frozenset({0, 1, 3, 4, 5, 6, 7}),
    "POINT": frozenset({0}),
    "LINESTRING": frozenset({1}),
    "POLYGON": frozenset({3}),
    "MULTIPOINT": frozenset({4}),
    "MULTILINESTRING": frozenset({5}),
    "MULTIPOLYGON": frozenset({6}),
    "GEOMETRYCOLLECTION": frozenset({4, 5, 6, 7}),
}
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def refusal(name: str, why_zh: str, why_en: str) -> InputError:
    """The InputError of a file that is not a store backup (``name``: the file's name, shown)."""
    return InputError(
        f"{name} 不是本系统的工作库备份（{why_zh}），未恢复", f"{name} is not a working-store backup ({why_en}); nothing was restored"
    )


@functools.lru_cache(maxsize=1)
def _reference() -> tuple[dict[tuple[str, str], str | None], dict[tuple[str, str], str | None]]:
    """The objects an empty store with one layer has: (global objects, per-layer templates), by (type, name)."""
    import geopandas as gpd
    from shapely.geometry import Point

    work = Path(tempfile.mkdtemp(prefix="ssl-gis-reference-"))
    try:
        path = work / "reference.gpkg"
        _create.create_store(path)
        frame = _layers.prepare_frame(_TEMPLATE, gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(0, 0)], crs="EPSG:4326"), "id")
        staging = _layers.write_staging(frame, _TEMPLATE, work)
        conn = _gpkg.connect(path)
        try:
            _layers.swap_in(conn, staging, _TEMPLATE, id_field="id", user="system", note="", kind=_layers.SEEDED, only_if_absent=False)
            rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        finally:
            conn.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    shared: dict[tuple[str, str], str | None] = {}
    per_layer: dict[tuple[str, str], str | None] = {}
    for kind, name, table, sql in rows:
        if _TEMPLATE in table or _TEMPLATE in name:
            if (kind, name) not in (("table", _TEMPLATE), ("index", f"ssl_idx_{_TEMPLATE}")):  # checked by hand below
                per_layer[(kind, name)] = sql
        else:
            shared[(kind, name)] = sql
    return shared, per_layer


def _layer_objects(layer: str, id_field: str) -> dict[tuple[str, str], str | None]:
    """The objects the store makes for ``layer`` (a checked name) besides its table, with their SQL."""
    _, per_layer = _reference()
    out = {(k, n.replace(_TEMPLATE, layer)): None if s is None else s.replace(_TEMPLATE, layer) for (k, n), s in per_layer.items()}
    out[("index", f"ssl_idx_{layer}")] = f"CREATE UNIQUE INDEX {quote('ssl_idx_' + layer)} ON {quote(layer)} ({quote(id_field)})"
    return out


def _layer_table_sql(layer: str, columns: list[tuple[str, str]]) -> str:
    """The CREATE TABLE GDAL writes for a store layer with these (name, type) columns after ``fid``."""
    parts = [f"{quote(FID_COLUMN)} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"] + [f"{quote(c)} {t}" for c, t in columns]
    return f"CREATE TABLE {quote(layer)} ( " + ", ".join(parts) + ")"


def _describe(kind: str, name: str) -> tuple[str, str]:
    zh = {"trigger": "触发器", "view": "视图", "index": "索引", "table": "表"}.get(kind, kind)
    return f"{zh} {name[:60]}", f"{kind} {name[:60]!r}"


def _check_schema(conn: sqlite3.Connection, shown: str) -> dict[str, str]:
    """Compare ``sqlite_master`` with the store's own schema; return layer → id field."""
    objects = {(k, n): (t, s) for k, n, t, s in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()}
    for kind, name in objects:  # the kinds a store never has, refused before anything else is read
        if kind == "view":
            raise refusal(shown, f"含有视图 {name[:60]}", f"it holds a view {name[:60]!r}")
    tables = {n for k, n in objects if k == "table"}
    missing = [t for t in _REQUIRED_TABLES if t not in tables]
    if missing:
        raise refusal(shown, "缺少表 " + ", ".join(missing), "missing tables " + ", ".join(missing))
    fmt = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'format'").fetchone()
    if fmt is None or fmt[0] != STORE_FORMAT:
        value = "?" if fmt is None else str(fmt[0])[:20]
        raise refusal(shown, f"格式版本 {value} 不受支持", f"store format {value} is not supported")
    layers: dict[str, str] = {}
    for layer, id_field in conn.execute(f"SELECT layer, id_field FROM {LAYERS_TABLE}").fetchall():
        try:
            _gpkg.check_new_name(layer, what="layer")
            _gpkg.check_new_name(id_field, what="field")
        except InputError as exc:
            raise refusal(shown, f"图层名或编号字段不可用：{exc.zh}", f"a layer or id field name is not usable: {exc.en}") from None
        if ("table", layer) not in objects:
            raise refusal(shown, f"缺少图层 {layer}", f"missing layer {layer}")
        layers[layer] = id_field
    expected, _ = _reference()
    expected = dict(expected)
    for layer, id_field in layers.items():
        expected.update(_layer_objects(layer, id_field))
    for (kind, name), (_table, sql) in objects.items():
        if kind == "table" and name in layers:
            continue
        if kind == "index" and sql is None and name.startswith("sqlite_autoindex_"):
            continue  # SQLite's own index of a UNIQUE/PRIMARY KEY constraint
        if (kind, name) not in expected:
            zh, en = _describe(kind, name)
            article = "an" if kind[:1] in "aeiou" else "a"
            raise refusal(shown, f"含有工作库没有的{zh}", f"it holds {article} {en} the store does not have")
        if sql != expected[(kind, name)]:
            zh, en = _describe(kind, name)
            raise refusal(shown, f"{zh} 的定义与工作库不同", f"the definition of {en} differs from the store's")
    _check_registration(conn, shown, layers)
    return layers


def _check_registration(conn: sqlite3.Connection, shown: str, layers: dict[str, str]) -> None:
    """Each layer registered once as features with ``geom`` in EPSG:4326; nothing else registered."""
    contents = dict(conn.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    for table, data_type in contents.items():
        if table == HISTORY_TABLE:
            continue
        if table not in layers or data_type != "features":
            raise refusal(
                shown, f"gpkg_contents 登记了未知的表 {str(table)[:60]}", f"gpkg_contents registers an unknown table {str(table)[:60]!r}"
            )
    geometry_columns = {
        r[0]: r[1:] for r in conn.execute("SELECT table_name, column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns")
    }
    for table in geometry_columns:
        if table not in layers:
            raise refusal(
                shown,
                f"gpkg_geometry_columns 登记了未知的表 {str(table)[:60]}",
                f"gpkg_geometry_columns registers an unknown table {str(table)[:60]!r}",
            )
    for layer, id_field in layers.items():
        if contents.get(layer) != "features" or layer not in geometry_columns:
            raise refusal(shown, f"图层 {layer} 未登记为要素表", f"layer {layer} is not registered as a feature table")
        column, type_name, srs_id, z, m = geometry_columns[layer]
        if (
            column != GEOMETRY_COLUMN
            or srs_id != 4326
            or str(type_name).upper() not in _GEOMETRY_TYPES
            or z not in (0, 1, 2)
            or m not in (0, 1, 2)
        ):
            raise refusal(
                shown,
                f"图层 {layer} 的几何列须为 EPSG:4326 的 geom",
                f"layer {layer}: the geometry column must be geom in EPSG:4326 with a plain type",
            )
        info = conn.execute('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)', (layer,)).fetchall()
        names = [r[0] for r in info]
        for needed in (FID_COLUMN, GEOMETRY_COLUMN, VERSION_COLUMN, id_field):
            if needed not in names:
                raise refusal(shown, f"图层 {layer} 缺少字段 {needed}", f"layer {layer} has no column {needed!r}")
        columns: list[tuple[str, str]] = []
        for name, declared, _notnull, _default, _pk, hidden in info:
            if name == FID_COLUMN:
                continue
            declared = str(declared or "")
            if hidden or (name == GEOMETRY_COLUMN and declared.upper() != str(type_name).upper()):
                raise refusal(shown, f"图层 {layer} 的字段 {name[:60]} 不可用", f"layer {layer}: column {name[:60]!r} is not usable")
            if name != GEOMETRY_COLUMN:
                try:
                    _gpkg.check_new_name(name, what="field")
                except InputError:
                    raise refusal(
                        shown, f"图层 {layer} 的字段名 {name[:60]!r} 不可用", f"layer {layer}: column name {name[:60]!r} is not usable"
                    ) from None
                if declared.upper() not in _FIELD_TYPES or (name == VERSION_COLUMN and declared.upper() != "INTEGER"):
                    raise refusal(
                        shown,
                        f"图层 {layer} 的字段 {name[:60]} 类型 {declared[:20]} 不受支持",
                        f"layer {layer}: column {name[:60]!r} has unsupported type {declared[:20]!r}",
                    )
            columns.append((name, declared))
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (layer,)).fetchone()
        if sql != _layer_table_sql(layer, columns):
            raise refusal(shown, f"图层 {layer} 的表定义与工作库不同", f"the table definition of layer {layer} differs from the store's")


def _check_values(conn: sqlite3.Connection, shown: str, layers: dict[str, str]) -> None:
    """Versions, ids and the history hold values the store can work with."""
    for layer, id_field in layers.items():
        t, v, i = quote(layer), quote(VERSION_COLUMN), quote(id_field)
        (bad,) = conn.execute(f"SELECT count(*) FROM {t} WHERE typeof({v}) != 'integer' OR {v} < 1").fetchone()
        if bad:
            raise refusal(
                shown,
                f"图层 {layer} 有 {bad} 个要素的 version 不是正整数",
                f"layer {layer}: {bad} features have no positive integer version",
            )
        (bad,) = conn.execute(f"SELECT count(*) FROM {t} WHERE typeof({i}) NOT IN ('text', 'integer') OR length({i}) = 0").fetchone()
        if bad:
            raise refusal(shown, f"图层 {layer} 有 {bad} 个要素缺少编号 {id_field}", f"layer {layer}: {bad} features have no {id_field}")
        (repeated,) = conn.execute(f"SELECT count(*) - count(DISTINCT {i}) FROM {t}").fetchone()
        if repeated:
            raise refusal(shown, f"图层 {layer} 的编号重复", f"layer {layer}: repeated ids")
    (bad,) = conn.execute(
        f"SELECT count(*) FROM {HISTORY_TABLE} WHERE typeof(version) != 'integer' OR typeof(at) != 'text' OR typeof(user) != 'text' "
        "OR typeof(layer) != 'text' OR typeof(feature_id) != 'text' OR typeof(field) != 'text' "
        "OR typeof(old) NOT IN ('text', 'null') OR typeof(new) NOT IN ('text', 'null') OR typeof(note) != 'text'"
    ).fetchone()
    if bad:
        raise refusal(shown, f"历史表有 {bad} 行的值类型不对", f"the history has {bad} rows with values of the wrong type")


def _blob_problem(blob: Any) -> tuple[str, str] | None:
    """Why (zh, en) a geometry blob is not a GeoPackage geometry in EPSG:4326 with a finite envelope (None if it is)."""
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP" or blob[2] != 0:
        return "不是 GeoPackage 几何", "not a GeoPackage geometry"
    flags = blob[3]
    n = _ENVELOPE_DOUBLES.get((flags >> 1) & 0x07)
    if n is None or len(blob) < 8 + 8 * n + 5:
        return "几何头已损坏", "bad header"
    order = "<" if flags & 0x01 else ">"
    (srs_id,) = struct.unpack_from(order + "i", blob, 4)
    if srs_id != 4326:
        return f"坐标系 {srs_id} 不是 4326", f"SRS {srs_id}, not 4326"
    envelope = struct.unpack_from(order + f"{n}d", blob, 8)
    if not flags & 0x10 and not all(x == x and abs(x) != float("inf") for x in envelope):
        return "外包框不是有限数", "envelope not finite"
    return None


def _check_geometries(conn: sqlite3.Connection, shown: str, layers: dict[str, str]) -> None:
    """Every geometry decodes, has a type its layer declares and finite coordinates."""
    import numpy as np
    import shapely

    for layer in layers:
        (type_name,) = conn.execute("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()
        allowed = _GEOMETRY_TYPES[str(type_name).upper()]
        rows = conn.execute(
            f"SELECT fid, {quote(GEOMETRY_COLUMN)} FROM {quote(layer)} WHERE {quote(GEOMETRY_COLUMN)} IS NOT NULL"
        ).fetchall()
        for fid, blob in rows:
            why = _blob_problem(blob)
            if why:
                raise refusal(
                    shown,
                    f"图层 {layer} 第 {fid} 号要素的几何已损坏：{why[0]}",
                    f"layer {layer}, feature fid {fid}: corrupt geometry ({why[1]})",
                )
        wkb = np.empty(len(rows), dtype=object)
        wkb[:] = [_layers.gpkg_blob_to_wkb(blob) for _, blob in rows]
        for start in range(0, len(rows), 10_000):
            part = wkb[start : start + 10_000]
            try:
                with np.errstate(invalid="ignore"):  # NaN coordinates are reported below, by feature
                    geoms = shapely.from_wkb(part, on_invalid="raise")
            except Exception:  # noqa: BLE001 - shapely raises GEOSException or ValueError; find the feature below
                for k, one in enumerate(part):
                    try:
                        shapely.from_wkb(one, on_invalid="raise")
                    except Exception:  # noqa: BLE001
                        fid = rows[start + k][0]
                        raise refusal(
                            shown,
                            f"图层 {layer} 第 {fid} 号要素的几何无法解码",
                            f"layer {layer}, feature fid {fid}: the geometry does not decode",
                        ) from None
                raise
            types = shapely.get_type_id(geoms)
            wrong = np.flatnonzero(~np.isin(types, list(allowed)))
            if len(wrong):
                fid = rows[start + int(wrong[0])][0]
                raise refusal(
                    shown,
                    f"图层 {layer} 第 {fid} 号要素的几何类型与图层（{type_name}）不符",
                    f"layer {layer}, feature fid {fid}: geometry type does not match the layer's {type_name}",
                )
            xy, index = shapely.get_coordinates(geoms, return_index=True)
            bad = index[~np.isfinite(xy).all(axis=1)]
            with_z = np.flatnonzero(shapely.has_z(geoms))
            if len(with_z):
                xyz, zindex = shapely.get_coordinates(geoms[with_z], include_z=True, return_index=True)
                bad = np.concatenate([bad, with_z[zindex[~np.isfinite(xyz[:, 2])]]])
            if len(bad):
                fid = rows[start + int(bad.min())][0]
                raise refusal(
                    shown, f"图层 {layer} 第 {fid} 号要素的坐标不是有限数", f"layer {layer}, feature fid {fid}: coordinates are not finite"
                )


def check_store_file(path: Path, *, deep: bool, shown: str | None = None) -> None:
    """Raise InputError unless ``path`` is an intact store file holding only the store's own schema.

    Parameters
    ----------
    path : pathlib.Path
        The file (never written to: it is opened read-only).
    deep : bool
        Also check every geometry (for the private copy that is restored).
    shown : str, optional
        The name messages give the file (default its own name; the private copy is named after the original).
    """
    shown = (shown or path.name)[:80]
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise refusal(shown, "无法读取", "cannot be read") from exc
    if head != _SQLITE_MAGIC:
        raise refusal(shown, "不是 SQLite/GeoPackage 文件", "not an SQLite/GeoPackage file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            # Nothing in the file runs: no functions are registered, and triggers and views are never used here.
            conn.execute("PRAGMA trusted_schema = OFF")
            if conn.execute("PRAGMA application_id").fetchone()[0] != GPKG_APPLICATION_ID:
                raise refusal(shown, "不是 GeoPackage", "not a GeoPackage")
            problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise refusal(shown, "文件已损坏", f"damaged: {problems[0][:80]}")
            layers = _check_schema(conn, shown)
            _check_values(conn, shown, layers)
            if deep:
                _check_geometries(conn, shown, layers)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise refusal(shown, "无法作为数据库打开", f"cannot be opened as a database: {str(exc)[:80]}") from exc
