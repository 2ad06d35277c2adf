"""The history table read back, and a layer replayed to an earlier time (private to :mod:`gis.store`)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from gis.store._gpkg import FID_COLUMN, HISTORY_TABLE, VERSION_COLUMN
from gis.store._layers import CREATED, DELETED, REPLACED, RESTORED, SEEDED
from gis.store._values import decode

__all__: list[str] = []

HISTORY_COLUMNS = ["at", "user", "layer", "feature_id", "field", "old", "new", "note", "version"]


def _decode_old(field: str, text: str | None) -> Any:
    if field in (REPLACED, DELETED) and text is not None:
        return json.loads(text)
    return decode(text)


def history_frame(conn: sqlite3.Connection, layer: str | None, feature_id: str | None, limit: int | None) -> Any:
    """History rows as a DataFrame (newest last); ``limit`` keeps only the newest rows."""
    import pandas as pd

    where, params = [], []
    if layer is not None:
        where.append("layer = ?")
        params.append(layer)
    if feature_id is not None:
        where.append("feature_id = ?")
        params.append(feature_id)
    sql = f"SELECT seq, {', '.join(HISTORY_COLUMNS)} FROM {HISTORY_TABLE}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    rows = conn.execute(sql, params).fetchall()[::-1]
    records = [
        {
            "at": r[1],
            "user": r[2],
            "layer": r[3],
            "feature_id": r[4],
            "field": r[5],
            "old": _decode_old(r[5], r[6]),
            "new": decode(r[7]),
            "note": r[8],
            "version": r[9],
        }
        for r in rows
    ]
    frame = pd.DataFrame(
        {col: pd.Series([r[col] for r in records], dtype=object if col in ("old", "new") else None) for col in HISTORY_COLUMNS}
    )
    return frame.astype({"version": "int64"})


def undo_rows(conn: sqlite3.Connection, layer: str, after_iso: str) -> list[tuple[str, str, str | None, int]]:
    """Rows to undo to go back to ``after_iso``: newest first; the first-run baseline is never undone."""
    return conn.execute(
        f"SELECT feature_id, field, old, version FROM {HISTORY_TABLE} "
        "WHERE layer = ? AND at > ? AND field NOT IN (?, ?) ORDER BY at DESC, seq DESC",
        (layer, after_iso, SEEDED, RESTORED),
    ).fetchall()


def replay(current: Any, rows: list[tuple[str, str, str | None, int]], id_field: str) -> Any:
    """Undo ``rows`` (newest first) on the current layer frame and return the frame as it was.

    Every undo sets an absolute earlier state (the old value, the old version), so replaying an edit that
    the frame does not show yet changes nothing wrong.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    geometry_name = current.geometry.name
    columns = list(current.columns)
    records: dict[str, dict[str, Any]] = {str(r[id_field]): r for r in current.to_dict("records")}
    order: list[str] = list(records)
    for feature_id, field, old_text, version in rows:
        rec = records.get(feature_id)
        if field == CREATED:
            records.pop(feature_id, None)
        elif field in (REPLACED, DELETED):
            state = json.loads(old_text) if old_text else {"attrs": {}, "version": version - 1}
            if rec is None:
                rec = {c: None for c in columns}
                rec[id_field] = feature_id
                records[feature_id] = rec
                order.append(feature_id)
            for key, value in state["attrs"].items():
                if key in rec and key != geometry_name:
                    rec[key] = value
            if state["attrs"]:  # the state lists every column the feature had: one it lacked was added later
                for key in rec.keys() - state["attrs"].keys() - {id_field, geometry_name, VERSION_COLUMN, FID_COLUMN}:
                    rec[key] = None
            rec[VERSION_COLUMN] = state["version"]
            if "geometry" in state:
                rec[geometry_name] = None if state["geometry"] is None else shapely.from_wkb(bytes.fromhex(state["geometry"]))
        elif rec is not None:
            if field in rec:
                rec[field] = decode(old_text)
            rec[VERSION_COLUMN] = version - 1
    kept = [records[i] for i in dict.fromkeys(order) if i in records]
    frame = pd.DataFrame.from_records(kept, columns=columns) if kept else current.iloc[0:0].copy()
    for col in columns:
        if col == geometry_name or col not in frame:
            continue
        frame[col] = _as_dtype(frame[col], current[col].dtype)
    return gpd.GeoDataFrame(frame, geometry=geometry_name, crs=current.crs)


def _as_dtype(values: Any, dtype: Any) -> Any:
    """Bring replayed values (stored SQL values mixed with frame values) back to the column's dtype."""
    import pandas as pd

    try:
        if isinstance(dtype, pd.DatetimeTZDtype):
            return pd.to_datetime(values, format="ISO8601", utc=True).dt.tz_convert(dtype.tz)
        if pd.api.types.is_datetime64_dtype(dtype):
            return pd.to_datetime(values, format="ISO8601", utc=True).dt.tz_localize(None).astype(dtype)
        if pd.api.types.is_bool_dtype(dtype):
            return values.map(lambda v: None if v is None else bool(v)).astype(dtype if not values.isna().any() else "object")
        return values.astype(dtype)
    except (TypeError, ValueError):
        return values
