"""The first-run seed of the GeoPackage store: one staging file, one transaction, all or nothing (cold start).

And the store's stamp (the cache key of every page) is not changed by a reader: SQLite creates an empty WAL
file when a connection opens and deletes it when the last one closes, which must not look like a change.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from gis.store import Store, _gpkg, _layers, open_store

E, N = 489700.0, 2536800.0  # Songshan Lake, EPSG:4547


def _layer(prefix: str, n: int, *, polygons: bool = False) -> gpd.GeoDataFrame:
    geoms = [box(E + 100 * i, N, E + 100 * i + 50, N + 50) if polygons else Point(E + 100 * i, N) for i in range(n)]
    return gpd.GeoDataFrame({"id": [f"{prefix}-{i}" for i in range(n)], "name": [f"{prefix} {i}" for i in range(n)]},
                            geometry=geoms, crs="EPSG:4547")


@pytest.fixture
def frames() -> dict[str, gpd.GeoDataFrame]:
    return {"parcels": _layer("p", 4, polygons=True), "stations": _layer("s", 3), "sites": _layer("x", 2)}


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement the store's connections run (sqlite3's trace callback)."""
    seen: list[str] = []
    real = _gpkg.connect

    def traced(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
        conn = real(path, readonly=readonly)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(_gpkg, "connect", traced)
    return seen


def test_seed_writes_every_layer_in_one_transaction_from_one_staging_file(
    tmp_path: Path, frames: dict[str, gpd.GeoDataFrame], statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "working.gpkg")
    staged: list[Path] = []
    real_write = _layers.write_staging

    def spy(frame, name, folder, *, staging=None):  # noqa: ANN001, ANN202
        path = real_write(frame, name, folder, staging=staging)
        staged.append(path)
        return path

    monkeypatch.setattr(_layers, "write_staging", spy)
    statements.clear()
    assert store.seed(frames, user="system") == ["parcels", "stations", "sites"]
    assert sum(s.strip().upper() == "BEGIN IMMEDIATE" for s in statements) == 1
    assert sum(s.strip().upper() == "COMMIT" for s in statements) == 1
    assert len(staged) == 3 and len(set(staged)) == 1  # one staging file holds the three layers
    assert not staged[0].exists()  # and it is removed
    assert sorted(store.layer_names()) == ["parcels", "sites", "stations"]
    for name, gdf in frames.items():
        got = store.read_layer(name)
        assert list(got["id"]) == list(gdf["id"])
        assert got.crs.to_epsg() == 4326
    history = store.history()
    assert len(history) == 9 and set(history["field"]) == {_layers.SEEDED}
    assert store.seed(frames, user="system") == []  # present layers are never written again


def test_seed_is_all_or_nothing(tmp_path: Path, frames: dict[str, gpd.GeoDataFrame], monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(tmp_path / "working.gpkg")
    real_copy = _gpkg.copy_layer_from_staging

    def fail_on_second(conn: sqlite3.Connection, layer: str) -> None:
        if layer == "stations":
            raise RuntimeError("disk full")
        real_copy(conn, layer)

    monkeypatch.setattr(_gpkg, "copy_layer_from_staging", fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        store.seed(frames, user="system")
    assert store.layer_names() == []  # the layer copied before the failure was rolled back too
    assert store.history().empty
    assert not list(tmp_path.glob(".*staging*"))
    monkeypatch.setattr(_gpkg, "copy_layer_from_staging", real_copy)
    assert store.seed(frames, user="system") == ["parcels", "stations", "sites"]


def test_seed_skips_a_layer_another_process_wrote_meanwhile(tmp_path: Path, frames: dict[str, gpd.GeoDataFrame]) -> None:
    store = open_store(tmp_path / "working.gpkg")
    other = Store(store.path)  # another process's object: it writes after this one listed the layers
    real_layer_names = Store.layer_names
    calls = []

    def listed_then_written(self: Store) -> list[str]:
        names = real_layer_names(self)
        if self is store and not calls:
            calls.append(1)
            assert other.seed({"stations": _layer("o", 1)}, user="other") == ["stations"]
        return names

    Store.layer_names = listed_then_written  # type: ignore[method-assign]
    try:
        copied = store.seed(frames, user="system")
    finally:
        Store.layer_names = real_layer_names  # type: ignore[method-assign]
    assert copied == ["parcels", "sites"]
    assert list(store.read_layer("stations")["id"]) == ["o-0"]  # the other writer's layer is kept


def test_a_reader_does_not_change_the_stamp(tmp_path: Path, frames: dict[str, gpd.GeoDataFrame]) -> None:
    store = open_store(tmp_path / "working.gpkg")
    store.seed(frames, user="system")
    before = store.stamp()
    reader = _gpkg.connect(store.path)  # another thread's read: SQLite opens (creates) the WAL file
    try:
        reader.execute("SELECT count(*) FROM parcels").fetchone()
        assert store.path.with_name(store.path.name + "-wal").exists()
        assert store.stamp() == before
        store.read_layer("stations")
        assert store.stamp() == before
    finally:
        reader.close()
    assert store.stamp() == before
    # a write still changes it, while a reader holds the WAL open and after
    reader = _gpkg.connect(store.path)
    try:
        reader.execute("SELECT count(*) FROM parcels").fetchone()
        store.update_feature("parcels", "p-0", {"name": "new"}, expected_version=1, user="planner")
        during = store.stamp()
        assert during != before
    finally:
        reader.close()
    assert store.stamp() != before


def test_the_staging_file_is_written_without_waiting_for_the_disk_and_the_option_is_restored(
    tmp_path: Path, frames: dict[str, gpd.GeoDataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the staging file is scratch (read back and deleted); the store's own commit keeps synchronous = FULL
    import pyogrio

    seen: list[object] = []
    real_write = pyogrio.write_dataframe

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if kwargs.get("layer") in frames:  # a staging write (opening the store writes its own tables first)
            seen.append(pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS"))
        return real_write(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", spy)
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "NORMAL"})  # a value someone else set
    try:
        store = open_store(tmp_path / "working.gpkg")
        assert store.seed(frames, user="system") == ["parcels", "stations", "sites"]
        assert seen == [False, False, False]  # pyogrio reads "OFF" back as False
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") == "NORMAL"
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": None})
    with sqlite3.connect(store.path) as conn:  # the store's data are all there after the scratch writes
        assert conn.execute("SELECT count(*) FROM parcels").fetchone()[0] == 4
