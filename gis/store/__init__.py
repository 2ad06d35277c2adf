"""The working store: the user's copy of the plan layers, where every edit lands with who, when and why.

The bundled ``data/geo`` files are the baseline and are never edited; on first run they are copied
(:meth:`StoreBase.seed`) into the working store — a GeoPackage in the user's data folder, or a PostGIS
schema when a database URL is configured (:func:`default_location` decides which, from
:mod:`gis.settings`). Edits land there, each with author, time, old and new value, and a version check
that refuses a stale edit. The store knows nothing of the plan.

    >>> from gis.store import open_store
    >>> store = open_store()                                   # doctest: +SKIP
    >>> v = store.update_feature("roads", "road-07", {"status": "completed"},
    ...                          expected_version=3, user="zhang")  # doctest: +SKIP

Why it is built this way (a real GeoPackage written through staging files, WAL, versions and history,
backup and restore and what a restore accepts, the PostGIS layout and locks) is in ``docs/store.md``.
"""

from __future__ import annotations

from gis.store._base import StoreBase
from gis.store._create import private_temp_dir
from gis.store._postgis import PostgisStore
from gis.store._store import Store, default_location, existing_store, open_store

__all__ = ["PostgisStore", "Store", "StoreBase", "default_location", "existing_store", "open_store", "private_temp_dir"]
