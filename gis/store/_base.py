""":class:`StoreBase`: the working store's public methods, written once for both backends.

The GeoPackage :class:`~gis.store.Store` and the PostGIS :class:`~gis.store.PostgisStore` implement the
protected hooks (``_connect``, ``_layer_names``, ``_read_layer``, ``_write_frame``, ``_update_feature``…);
the argument checks, the thin wrappers, the edit rules shared by both (which fields may change, the
``updated_at``/``updated_by`` fill-in, the back-dating rule) and the conflict message live here, so the two
backends cannot drift apart. See :mod:`gis.store` for the design.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gis import settings
from gis.errors import ConflictError, InputError
from gis.store import _layers, _replay
from gis.store._gpkg import FID_COLUMN, GEOMETRY_COLUMN, VERSION_COLUMN
from gis.store._values import MAX_CHANGES, check_feature_id, check_note, check_user, encode, iso_utc, short, to_sql

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["StoreBase"]

#: Fields the store fills on every edit when the layer has them (DESIGN.md: every feature has them).
AUTO_FIELDS = ("updated_at", "updated_by")
#: Columns no attribute edit may change (besides the layer's id field).
_FIXED = (FID_COLUMN, GEOMETRY_COLUMN, VERSION_COLUMN)
#: The key of a new geometry in :meth:`StoreBase.update_features`' changes.
GEOMETRY_KEY = "geometry"


class StoreBase(abc.ABC):
    """The working store's public methods, the same on both backends.

    Use :func:`gis.store.open_store` to get a :class:`~gis.store.Store` (GeoPackage) or a
    :class:`~gis.store.PostgisStore` (PostgreSQL + PostGIS).

    An object holds no open connection: every call opens its own, so one object may be shared between
    threads and several objects (or processes) may use the same store.
    """

    # --- hooks each backend implements -----------------------------------------------------------------

    @abc.abstractmethod
    def _connect(self) -> AbstractContextManager[Any]:
        """A context manager giving a new connection, closed on exit."""

    @abc.abstractmethod
    def _layer_names(self, conn: Any) -> list[str]:
        """The layers' names, sorted."""

    @abc.abstractmethod
    def _id_field(self, conn: Any, name: object) -> str:
        """Layer ``name``'s id field; InputError (naming the layers there are) if there is no such layer."""

    @abc.abstractmethod
    def _read_layer(self, name: str) -> gpd.GeoDataFrame:
        """:meth:`read_layer` after the checks."""

    @abc.abstractmethod
    def _history(self, layer: str | None, feature_id: str | None, limit: int | None) -> pd.DataFrame:
        """:meth:`history` after the checks."""

    @abc.abstractmethod
    def _undo_rows(self, conn: Any, layer: str, after_iso: str) -> list[tuple[str, str, str | None, int]]:
        """History rows of ``layer`` after ``after_iso`` to undo, newest first (``(seeded)``/``(restored)`` left out)."""

    @abc.abstractmethod
    def _write_frame(self, name: str, frame: Any, *, user: str, note: str, id_field: str, kind: str, only_if_absent: bool) -> bool:
        """Write a checked frame (:func:`gis.store._layers.prepare_frame`) as layer ``name`` in one transaction.

        Returns False (writing nothing) if ``only_if_absent`` and the layer exists.
        """

    # The attribute edit (:meth:`_update_feature`) is written once below; a backend supplies its steps.

    @abc.abstractmethod
    def _edit(self, layer: str) -> AbstractContextManager[tuple[Any, str, dict[str, str]]]:
        """One write transaction for an edit of ``layer``: yields (connection, id field, column → GeoPackage type).

        Takes the backend's locks; InputError if there is no such layer. Commits on normal exit, rolls back
        on an exception.
        """

    @abc.abstractmethod
    def _locked_row(self, conn: Any, layer: str, id_field: str, fid: str, columns: Mapping[str, str]) -> dict[str, Any] | None:
        """The feature's attributes (GeoPackage form, with ``version``; no fid or geometry), locked; None if absent."""

    @abc.abstractmethod
    def _recent_changes(self, conn: Any, layer: str, fid: str) -> list[Any]:
        """The feature's newest 200 history rows ``(at, user, field, new, version)``, newest first."""

    @abc.abstractmethod
    def _latest_change_at(self, conn: Any, layer: str, fid: str) -> str | None:
        """Time of the feature's previous change (``(seeded)``/``(restored)`` rows not counted), or None."""

    @abc.abstractmethod
    def _apply_edit(
        self,
        conn: Any,
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
        """Write the changed values and ``new_version`` (where the row still has ``version``) and the history rows."""

    @abc.abstractmethod
    def _locked_geometry(self, conn: Any, layer: str, id_field: str, fid: str) -> bytes | None:
        """The feature's geometry as ISO WKB (None if NULL); the row is already locked by :meth:`_locked_row`."""

    @abc.abstractmethod
    def _apply_geometry(
        self, conn: Any, layer: str, id_field: str, fid: str, wkb: bytes, *, new_version: int, history: list[tuple[Any, ...]]
    ) -> None:
        """Write the feature's new geometry (ISO WKB, EPSG:4326) and ``new_version``, and the history rows."""

    @abc.abstractmethod
    def _backup(self, dest: Path) -> Path:
        """:meth:`backup` after the checks."""

    @abc.abstractmethod
    def _restore(self, src: Path, *, user: str) -> None:
        """:meth:`restore` after the checks."""

    @abc.abstractmethod
    def _stamp(self) -> str:
        """:meth:`stamp`, asked now."""

    @abc.abstractmethod
    def previous_location(self) -> str:
        """Where :meth:`restore` kept the store it replaced (a file path, or a PostGIS schema name).

        Returns
        -------
        str
        """

    #: Whether :meth:`_stamp` costs nothing worth caching (a file stat rather than a database round trip).
    _STAMP_IS_CHEAP = False

    # --- where the store is and when it changed ------------------------------------------------------------

    def stamp(self, *, max_age_s: float = 0.0) -> str:
        """A token that changes whenever the store changes (a cache key for readers).

        Parameters
        ----------
        max_age_s : float, keyword-only
            Seconds an earlier answer may be reused (a database store is asked at most that often; a
            GeoPackage store answers from a file stat every time). Writes made through this object forget
            the earlier answer at once, so its own changes show immediately.

        Returns
        -------
        str
            Opaque text; equal tokens mean nothing changed in between (up to ``max_age_s``).
        """
        cached = getattr(self, "_stamp_cache", None)
        now = time.monotonic()
        if cached is not None and not self._STAMP_IS_CHEAP and max_age_s > 0 and now - cached[0] < max_age_s:
            return cached[1]
        value = self._stamp()
        self._stamp_cache = (now, value)
        return value

    def _changed(self) -> None:
        """Forget the cached :meth:`stamp` after a write through this object."""
        self._stamp_cache = None

    # --- reading -----------------------------------------------------------------------------------------

    def layer_names(self) -> list[str]:
        """Names of the layers in the store, sorted.

        Returns
        -------
        list of str
        """
        with self._connect() as conn:
            return self._layer_names(conn)

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
            return self._id_field(conn, name)

    def read_layer(self, name: str) -> gpd.GeoDataFrame:
        """Read a whole layer.

        Parameters
        ----------
        name : str
            Layer name.

        Returns
        -------
        geopandas.GeoDataFrame
            EPSG:4326; the columns as written plus ``version`` (int64), geometry in ``geometry``; the same
            dtypes on both backends.

        Raises
        ------
        gis.errors.InputError
            If there is no such layer.
        """
        return self._read_layer(name)

    def history(self, layer: str | None = None, feature_id: str | None = None, *, limit: int | None = None) -> pd.DataFrame:
        """The change history, oldest first (newest last); the same rows and columns on both backends.

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
        return self._history(layer, feature_id, limit)

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
            rows = [tuple(r) for r in self._undo_rows(conn, layer, after)]
        return _replay.replay(current, rows, id_field)  # type: ignore[arg-type]

    # --- whole-layer writes ----------------------------------------------------------------------------

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame, *, user: str, note: str = "", id_field: str = "id") -> None:
        """Create or replace a whole layer in one transaction.

        Parameters
        ----------
        name : str
            Layer name (a letter, then letters, digits or ``_``; at most 63 characters, and on PostGIS at
            most 63 bytes of UTF-8).
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
        New features get version 1; a feature whose id was already in the layer gets its old version + 1 when
        any field or its geometry changed. The history gains one row per new, changed or removed feature
        (``(created)``, ``(replaced)`` or ``(deleted)``); a feature written back exactly as it was (a column
        added empty counts as no change) keeps its version and gets no row, so a later plan that carries one
        road does not read as an edit of every road.

        Raises
        ------
        gis.errors.InputError
            Bad name, no CRS, missing/repeated ids, reserved or repeated field names, too many features;
            on PostGIS also layer or field names longer than 63 bytes.
        """
        self._write(name, gdf, user=user, note=note, id_field=id_field, kind=_layers.CREATED, only_if_absent=False)

    def seed(self, layers: Mapping[str, gpd.GeoDataFrame], *, user: str = "system") -> list[str]:
        """Copy the layers that are not yet in the store (first run), in one transaction where the backend can.

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
        user = check_user(user)
        frames = {name: _layers.prepare_frame(name, gdf, "id") for name, gdf in layers.items() if name not in present}
        if not frames:
            return []
        try:
            return self._seed_frames(frames, user=user)
        finally:
            self._changed()

    def _seed_frames(self, frames: Mapping[str, Any], *, user: str) -> list[str]:
        """Create the checked layers ``frames`` (name → prepared frame) the store lacks; return the names created.

        This default writes each layer in its own transaction; a backend that can do it in one overrides it.
        """
        return [
            name
            for name, frame in frames.items()
            if self._write_frame(name, frame, user=user, note="", id_field="id", kind=_layers.SEEDED, only_if_absent=True)
        ]

    def _write(self, name: str, gdf: Any, *, user: str, note: str, id_field: str, kind: str, only_if_absent: bool) -> bool:
        user = check_user(user)
        note = check_note(note)
        frame = _layers.prepare_frame(name, gdf, id_field)
        try:
            return self._write_frame(name, frame, user=user, note=note, id_field=id_field, kind=kind, only_if_absent=only_if_absent)
        finally:
            self._changed()

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

        The feature is re-read (on PostGIS: its row locked with ``SELECT … FOR UPDATE``) and its version
        compared inside the write transaction.

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
        try:
            return self._update_feature(layer, fid, changes, expected_version=expected_version, user=user, note=note, at=at)
        finally:
            self._changed()

    def _update_feature(
        self, layer: str, fid: str, changes: Mapping[str, object], *, expected_version: int, user: str, note: str, at: str
    ) -> int:
        """:meth:`update_feature` after the checks (``at``: the edit's ISO UTC time), in one write transaction."""
        with self._edit(layer) as (conn, id_field, columns):
            fixed = self._fixed(id_field)
            wanted = self._wanted(layer, changes, columns, fixed)
            current = self._locked_row(conn, layer, id_field, fid, columns)
            if current is None:
                raise self._no_such_feature(layer, fid)
            version = current[VERSION_COLUMN]
            if version != expected_version:
                raise self._conflict_error(fid, current, expected_version, list(wanted), self._recent_changes(conn, layer, fid))
            self._check_not_before(at, self._latest_change_at(conn, layer, fid), fid)
            diffs = self._diffs(wanted, current, columns, fixed, at=at, user=user)
            if not diffs:
                return version
            new_version = version + 1
            history = [(at, user, layer, fid, f, encode(current.get(f)), encode(v), note, new_version) for f, v in diffs.items()]
            self._apply_edit(conn, layer, id_field, fid, diffs, columns, version=version, new_version=new_version, history=history)
        return new_version

    # --- several features, geometry included, in one transaction -------------------------------------------

    def update_features(
        self,
        layer: str,
        changes: Mapping[str, Mapping[str, object]],
        *,
        expected_versions: Mapping[str, int],
        user: str,
        note: str = "",
        when: datetime | None = None,
    ) -> dict[str, int]:
        """Change attributes and geometry of several features in ONE transaction, refusing stale versions.

        All or nothing: if one feature is missing, stale or given a bad value, no feature changes.

        Parameters
        ----------
        layer : str
            Layer name.
        changes : mapping of str to mapping
            Feature id → {field → new value}. The key ``geometry`` holds a new shapely geometry in
            EPSG:4326 (lon, lat) of the same geometry type as the stored one; the other fields follow
            :meth:`update_feature`'s rules.
        expected_versions : mapping of str to int
            Feature id → the version the user saw (one for every feature in ``changes``).
        user, note, when
            As in :meth:`update_feature`; ``note`` is recorded on every history row.

        Returns
        -------
        dict of str to int
            Feature id → its new version (unchanged if nothing actually changed).

        Notes
        -----
        Each changed field gets its history row as in :meth:`update_feature`; a changed geometry adds one
        ``(replaced)`` row whose ``old`` holds the earlier geometry (WKB hex) and version, so
        :meth:`as_of` gives the earlier geometry back.

        Raises
        ------
        gis.errors.ConflictError
            A feature's stored version is not its expected version.
        gis.errors.InputError
            Unknown layer, feature or field; a bad value; a geometry that is missing, invalid, empty or of
            another type than the stored one; too many features.
        """
        import shapely

        user = check_user(user)
        note = check_note(note)
        if not isinstance(changes, Mapping) or not changes:
            raise InputError("没有要修改的要素", "no features to change")
        if len(changes) > settings.MAX_FEATURES:
            raise InputError(f"一次最多修改 {settings.MAX_FEATURES} 个要素", f"at most {settings.MAX_FEATURES} features per edit")
        checked: dict[str, tuple[dict[str, object], Any, int]] = {}
        for feature_id, change in changes.items():
            fid = check_feature_id(feature_id)
            if not isinstance(change, Mapping) or not change or len(change) > MAX_CHANGES:
                raise InputError(
                    f"要素 {short(fid, 60)} 的修改须为 1–{MAX_CHANGES} 个字段", f"feature {short(fid, 60)!r}: give 1–{MAX_CHANGES} fields"
                )
            expected = expected_versions.get(feature_id) if isinstance(expected_versions, Mapping) else None
            if isinstance(expected, bool) or not isinstance(expected, int) or expected < 1:
                raise InputError(
                    f"要素 {short(fid, 60)} 缺少预期版本（正整数）",
                    f"feature {short(fid, 60)!r}: expected version must be a positive integer",
                )
            attrs = {k: v for k, v in change.items() if k != GEOMETRY_KEY}
            geom = change.get(GEOMETRY_KEY)
            if GEOMETRY_KEY in change and (
                not isinstance(geom, shapely.Geometry) or geom.is_empty or not shapely.is_valid(geom)
            ):
                raise InputError(
                    f"要素 {short(fid, 60)} 的新几何为空或无效", f"feature {short(fid, 60)!r}: the new geometry is empty or invalid"
                )
            checked[fid] = (attrs, geom, expected)
        at = iso_utc(when)
        try:
            return self._update_features(layer, checked, user=user, note=note, at=at)
        finally:
            self._changed()

    def _update_features(
        self, layer: str, checked: Mapping[str, tuple[dict[str, object], Any, int]], *, user: str, note: str, at: str
    ) -> dict[str, int]:
        """:meth:`update_features` after the checks, in one write transaction."""
        import json

        import shapely

        out: dict[str, int] = {}
        with self._edit(layer) as (conn, id_field, columns):
            fixed = self._fixed(id_field)
            for fid, (attrs, geom, expected) in checked.items():
                wanted = self._wanted(layer, attrs, columns, fixed) if attrs else {}
                current = self._locked_row(conn, layer, id_field, fid, columns)
                if current is None:
                    raise self._no_such_feature(layer, fid)
                version = current[VERSION_COLUMN]
                if version != expected:
                    raise self._conflict_error(fid, current, expected, list(wanted), self._recent_changes(conn, layer, fid))
                self._check_not_before(at, self._latest_change_at(conn, layer, fid), fid)
                old_wkb = self._locked_geometry(conn, layer, id_field, fid) if geom is not None else None
                old_geom = None if old_wkb is None else shapely.from_wkb(old_wkb)
                if geom is not None and old_geom is not None and old_geom.geom_type != geom.geom_type:
                    raise InputError(
                        f"要素 {short(fid, 60)} 的新几何类型 {geom.geom_type} 与原类型 {old_geom.geom_type} 不同",
                        f"feature {short(fid, 60)!r}: the new geometry is a {geom.geom_type}, the stored one a {old_geom.geom_type}",
                    )
                geom_changed = geom is not None and (old_geom is None or not shapely.equals_exact(old_geom, geom, tolerance=0.0))
                diffs = self._diffs(wanted, current, columns, fixed, at=at, user=user, force=geom_changed)
                if not diffs and not geom_changed:
                    out[fid] = version
                    continue
                new_version = version + 1
                if diffs:
                    rows = [(at, user, layer, fid, f, encode(current.get(f)), encode(v), note, new_version) for f, v in diffs.items()]
                    self._apply_edit(conn, layer, id_field, fid, diffs, columns, version=version, new_version=new_version, history=rows)
                if geom_changed:
                    state = {"attrs": {}, "version": version, "geometry": None if old_wkb is None else old_wkb.hex()}
                    row = (at, user, layer, fid, _layers.REPLACED, json.dumps(state), None, note, new_version)
                    wkb = shapely.to_wkb(geom, flavor="iso")
                    self._apply_geometry(conn, layer, id_field, fid, wkb, new_version=new_version, history=[row])
                out[fid] = new_version
        return out

    # Steps of _update_feature (``columns``: field → GeoPackage type).

    @staticmethod
    def _fixed(id_field: str) -> set[str]:
        """Fields an attribute edit may not change."""
        return {*_FIXED, id_field}

    @staticmethod
    def _wanted(layer: str, changes: Mapping[str, object], columns: Mapping[str, str], fixed: set[str]) -> dict[str, Any]:
        """The changes as stored values; InputError for a field that is unknown or not editable."""
        wanted: dict[str, Any] = {}
        for field, value in changes.items():
            if not isinstance(field, str) or field not in columns or field in fixed:
                editable = short(", ".join(c for c in columns if c not in fixed), 300)
                raise InputError(
                    f"图层 {layer} 没有可修改的字段 {short(field, 60)}（可修改：{editable}）",
                    f"layer {layer} has no editable field {short(field, 60)!r} (editable: {editable})",
                )
            wanted[field] = to_sql(field, value, columns[field])
        return wanted

    @staticmethod
    def _no_such_feature(layer: str, fid: str) -> InputError:
        return InputError(f"图层 {layer} 中没有要素 {short(fid, 60)}", f"layer {layer} has no feature {short(fid, 60)!r}")

    @staticmethod
    def _check_not_before(at: str, latest: str | None, fid: str) -> None:
        """Refuse an edit back-dated before the feature's previous change (``latest``; None if none)."""
        if latest is not None and at < latest:
            raise InputError(
                f"修改时间 {at} 早于要素 {short(fid, 60)} 的上一次修改（{latest}）",
                f"the edit's time {at} is earlier than the previous change of feature {short(fid, 60)!r} ({latest})",
            )

    @staticmethod
    def _diffs(
        wanted: Mapping[str, Any],
        current: Mapping[str, Any],
        columns: Mapping[str, str],
        fixed: set[str],
        *,
        at: str,
        user: str,
        force: bool = False,
    ) -> dict[str, Any]:
        """The fields whose value changes, plus ``updated_at``/``updated_by`` if any does (or ``force``: the geometry does)."""
        diffs = {f: v for f, v in wanted.items() if current.get(f) != v}
        if not diffs and not force:
            return diffs
        for auto, value in zip(AUTO_FIELDS, (at, user)):
            if auto in columns and auto not in wanted and auto not in fixed:
                if columns[auto] == "DATE":
                    value = value[:10]
                auto_value = to_sql(auto, value, columns[auto])
                if current.get(auto) != auto_value:
                    diffs[auto] = auto_value
        return diffs

    @staticmethod
    def _conflict_error(fid: str, current: dict[str, Any], expected: int, fields: list[str], rows: list[Any]) -> ConflictError:
        """The refusal of a stale edit; ``rows`` are the feature's newest history rows (at, user, field, new, version)."""
        version = current[VERSION_COLUMN]
        last_at, last_user = (rows[0][0], rows[0][1]) if rows else ("?", "?")
        newer = [r for r in rows if r[4] > expected and not r[2].startswith("(")]
        changed = list(dict.fromkeys(r[2] for r in newer))
        # Fields the user tried to change first, then the other fields changed since their version.
        shown = [f for f in fields if f in current] + [f for f in changed if f not in fields and f not in AUTO_FIELDS]
        pairs = "; ".join(f"{f} = {short(current.get(f), 60)}" for f in shown[:8])
        if len(shown) > 8:
            pairs += "; …"
        return ConflictError(
            f"要素 {short(fid, 60)} 已被 {short(last_user, 40)} 于 {last_at} 修改为第 {version} 版（您编辑的是第 {expected} 版）。"
            f"现值：{pairs}。请刷新后重新编辑。",
            f"feature {short(fid, 60)} was changed by {short(last_user, 40)} at {last_at} to version {version} "
            f"(you edited version {expected}). Now: {pairs}. Reload and edit again.",
            current=current,
            version=version,
            changed_by=last_user,
            changed_at=last_at,
        )

    # --- backup and restore ------------------------------------------------------------------------------

    def backup(self, dest: Path) -> Path:
        """Write a consistent copy of the whole store to ``dest``: one self-contained GeoPackage store file.

        The GeoPackage store copies itself with SQLite's backup API; the PostGIS store writes the same kind
        of file from one ``REPEATABLE READ`` snapshot (imports wait meanwhile, edits go on). Either way QGIS
        opens the copy, ``open_store(dest)`` opens it as a working store, and :meth:`restore` of either
        backend takes it.

        Parameters
        ----------
        dest : pathlib.Path
            Target file (its folder is created), conventionally ``*.gpkg``. Must not be the store itself.

        Returns
        -------
        pathlib.Path
            ``dest``.
        """
        return self._backup(Path(dest))

    def restore(self, src: Path, *, user: str) -> None:
        """Replace the store with a backup, atomically, keeping the replaced store.

        The GeoPackage store keeps the replaced store at :attr:`previous_path`; the PostGIS store renames
        its schema to :attr:`~gis.store.PostgisStore.previous_schema` (an older one there is dropped), in one
        transaction; edits by other sessions wait for the restore and then apply to the restored store.

        Parameters
        ----------
        src : pathlib.Path
            A file written by :meth:`backup` of either backend (or a copy of a GeoPackage store).
        user : str
            Who restores (a ``(restored)`` history row records it).

        Raises
        ------
        gis.errors.InputError
            If ``src`` is missing, not a GeoPackage, damaged, or not a store (nothing is changed then).
        """
        user = check_user(user)
        try:
            self._restore(Path(src), user=user)
        finally:
            self._changed()
