"""The working-store contract on both backends: GeoPackage (default) and PostgreSQL + PostGIS.

Every test taking ``location`` or ``store`` (tests/gis/conftest.py) runs twice. The PostGIS runs use a throwaway
cluster (tests/pg_cluster.py) with a fresh schema per test; they are skipped with the reason where Debian's
postgresql/postgis packages are missing, and fail instead in CI.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

from gis.errors import ConflictError, InputError
from gis.store import PostgisStore, Store, open_store
from tests.gis.conftest import E, N  # Songshan Lake, EPSG:4547


@pytest.fixture
def typed() -> gpd.GeoDataFrame:
    """Every column type the store keeps, with missing values and a missing geometry."""
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "flag": [True, False, True],
            "maybe": pd.array([True, None, False], dtype="boolean"),
            "count": pd.array([3, None, 7], dtype="Int64"),
            "due": pd.to_datetime(["2020-06-30 08:00", "2020-12-31 00:00", None]),
            "seen": pd.to_datetime(["2020-06-30T08:00:00.250Z", None, "2021-01-01T00:00:00Z"], utc=True, format="ISO8601"),
            "capacity_mva": [100.5, float("nan"), 3.0],
            "name_zh": ["松山湖", None, "大朗"],
        },
        geometry=[box(113.88, 22.9, 113.89, 22.91), None, box(113.9, 22.9, 113.91, 22.92)],
        crs="EPSG:4326",
    )


def _is_pg(s: object) -> bool:
    return isinstance(s, PostgisStore)


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# --- opening, seed, read -----------------------------------------------------------------------------------


def test_a_new_store_is_empty_and_opens_again(location: str) -> None:
    s = open_store(location)
    assert s.layer_names() == [] and s.history().empty
    assert open_store(location).layer_names() == []


def test_seed_copies_absent_layers_once_in_epsg4326_with_version_1(store: Any, roads: gpd.GeoDataFrame) -> None:
    assert store.layer_names() == ["roads"] and store.has_layer("roads") and not store.has_layer("parcels")
    got = store.read_layer("roads")
    assert got.crs.to_epsg() == 4326
    assert list(got["id"]) == ["road-01", "road-02", "road-03"]
    assert list(got["version"]) == [1, 1, 1] and got["version"].dtype == "int64"
    assert list(got["lanes"]) == [4, 6, 2] and got["lanes"].dtype == "int64"
    assert list(got.columns) == ["id", "name_zh", "status", "length_km", "lanes", "updated_at", "updated_by", "version", "geometry"]
    assert got.geometry.iloc[0].coords[0] == pytest.approx(roads.to_crs(4326).geometry.iloc[0].coords[0], abs=1e-9)
    parcels = gpd.GeoDataFrame({"id": ["p-1"]}, geometry=[box(E, N, E + 100, N + 100)], crs="EPSG:4547")
    assert store.seed({"roads": roads, "parcels": parcels}) == ["parcels"]
    assert store.layer_names() == ["parcels", "roads"]
    h = store.history()
    assert list(h["field"]) == ["(seeded)"] * 4 and set(h["user"]) == {"system"}


def test_write_layer_replace_bumps_versions_and_records_one_row_per_feature(store: Any, roads: gpd.GeoDataFrame) -> None:
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="zhang")
    new = roads.iloc[[0, 1]].copy()
    new.loc[1, "geometry"] = LineString([(E, N + 500), (E + 10, N + 3000)])
    extra = gpd.GeoDataFrame({"id": ["road-09"], "status": ["planned"]}, geometry=[LineString([(E, N), (E, N + 9)])], crs="EPSG:4547")
    new = pd.concat([new, extra], ignore_index=True)
    new["version"] = 99  # ignored: the store sets versions
    store.write_layer("roads", new, user="li", note="resurvey")
    got = store.read_layer("roads").set_index("id")
    assert got.loc["road-01", "version"] == 3 and got.loc["road-02", "version"] == 2 and got.loc["road-09", "version"] == 1
    assert "road-03" not in got.index
    assert got.loc["road-01", "status"] == "planned"  # the import's values win
    rows = store.history("roads").query("user == 'li'").set_index("feature_id")
    assert rows["field"].to_dict() == {"road-01": "(replaced)", "road-02": "(replaced)", "road-09": "(created)", "road-03": "(deleted)"}
    assert set(rows["note"]) == {"resurvey"}
    assert rows.loc["road-01", "old"]["attrs"]["status"] == "completed" and "geometry" not in rows.loc["road-01", "old"]
    assert "geometry" in rows.loc["road-02", "old"]  # only a changed geometry is kept
    assert rows.loc["road-03", "version"] == 2
    if not _is_pg(store):  # the GeoPackage's R-tree and GDAL's feature count follow the swap
        conn = sqlite3.connect(store.path)
        assert conn.execute("SELECT count(*) FROM rtree_roads_geom").fetchone()[0] == 3
        assert conn.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'roads'").fetchone()[0] == 3
        conn.close()
        assert _integrity(store.path) == "ok"
        assert len(pyogrio.read_dataframe(store.path, layer="roads")) == 3


@pytest.mark.parametrize(
    "name", ["gpkg_contents", "1road", "roads; DROP TABLE x", 'r"; DROP SCHEMA x; --', "ssl_store_history", "rtree_x", "", "a" * 64]
)
def test_write_layer_refuses_unusable_layer_names(store: Any, roads: gpd.GeoDataFrame, name: str) -> None:
    with pytest.raises(InputError, match="name"):
        store.write_layer(name, roads, user="li")
    assert store.layer_names() == ["roads"]


def test_write_layer_refuses_bad_frames(store: Any, roads: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="no CRS"):
        store.write_layer("x", roads.set_crs(None, allow_override=True), user="li")
    with pytest.raises(InputError, match="repeated ids"):
        store.write_layer("x", pd.concat([roads, roads.iloc[[0]]]), user="li")
    with pytest.raises(InputError, match="lacks the id field"):
        store.write_layer("x", roads.drop(columns="id"), user="li")
    with pytest.raises(InputError, match="reserved"):
        store.write_layer("x", roads.assign(fid=1), user="li")
    with pytest.raises(InputError, match="field name"):
        store.write_layer("x", roads.assign(**{'a" = 1; --': 1}), user="li")
    with pytest.raises(InputError, match="user"):
        store.write_layer("x", roads, user="")
    assert store.layer_names() == ["roads"]
    assert list(store.read_layer("roads")["version"]) == [1, 1, 1]


# --- attribute edits -----------------------------------------------------------------------------------------


def test_update_feature_changes_values_bumps_version_and_records_each_field(store: Any) -> None:
    # an edit that changes nothing (the seeded value) keeps the version and writes no history
    before = len(store.history())
    assert store.update_feature("roads", "road-01", {"status": "planned"}, expected_version=1, user="zhang") == 1
    assert len(store.history()) == before
    v = store.update_feature("roads", "road-01", {"status": "completed", "lanes": 6}, expected_version=1, user="张工", note="通车")
    assert v == 2
    got = store.read_layer("roads").set_index("id")
    assert got.loc["road-01", "status"] == "completed" and got.loc["road-01", "lanes"] == 6 and got.loc["road-01", "version"] == 2
    assert got.loc["road-01", "updated_by"] == "张工"
    assert got.loc["road-02", "version"] == 1
    h = store.history("roads", "road-01").query("not field.str.startswith('(')")
    assert list(h.columns) == ["at", "user", "layer", "feature_id", "field", "old", "new", "note", "version"]
    by_field = h.set_index("field")
    assert by_field.loc["status", "old"] == "planned" and by_field.loc["status", "new"] == "completed"
    assert by_field.loc["lanes", "old"] == 4 and by_field.loc["lanes", "new"] == 6  # numbers stay numbers
    assert set(h["user"]) == {"张工"} and set(h["note"]) == {"通车"} and set(h["version"]) == {2}
    at = datetime.fromisoformat(h["at"].iloc[0])
    assert at.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - at) < timedelta(minutes=5)
    assert by_field.loc["updated_at", "new"] == h["at"].iloc[0]
    # an edit that changes nothing keeps the version and writes no history
    before = len(store.history())
    assert store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=2, user="zhang") == 2
    assert len(store.history()) == before


def test_two_planners_stale_edit_is_refused_with_the_newer_value(location: str, store: Any) -> None:
    a, b = store, open_store(location)  # two app sessions on the same store
    a.update_feature("roads", "road-02", {"status": "completed"}, expected_version=1, user="zhang", note="opened")
    rows_before = len(a.history())
    with pytest.raises(ConflictError) as caught:
        b.update_feature("roads", "road-02", {"status": "delayed"}, expected_version=1, user="li")
    err = caught.value
    assert "completed" in err.zh and "completed" in err.en
    assert "zhang" in err.en and "status" in err.en and "version 2" in err.en
    assert err.current["status"] == "completed" and err.current["version"] == 2
    assert b.read_layer("roads").set_index("id").loc["road-02", "status"] == "completed"
    assert len(b.history()) == rows_before
    assert b.update_feature("roads", "road-02", {"status": "delayed"}, expected_version=err.current["version"], user="li") == 3


def test_concurrent_edits_and_imports_take_turns_and_lose_nothing(location: str, store: Any, roads: gpd.GeoDataFrame) -> None:
    """Two editors (own store objects and connections) retry on conflict while a third re-imports the layer."""
    edits, imports = 8, 3
    errors: list[BaseException] = []

    def edit(user: str) -> None:
        s = open_store(location)
        done = 0
        try:
            while done < edits:
                v = int(s.read_layer("roads").set_index("id").loc["road-03", "version"])
                try:
                    s.update_feature("roads", "road-03", {"lanes": 100 + v + 1}, expected_version=v, user=user)
                    done += 1
                except ConflictError:
                    continue
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    def reimport() -> None:
        s = open_store(location)
        try:
            for _ in range(imports):
                s.write_layer("roads", roads, user="importer")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=edit, args=(u,)) for u in ("a", "b")] + [threading.Thread(target=reimport)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = store.read_layer("roads").set_index("id").loc["road-03"]
    rows = store.history("roads", "road-03")
    # an import that finds road-03 as the file has it (no edit since the last import) is no change: no row, no bump
    replaced = int((rows["field"] == "(replaced)").sum())
    assert 0 <= replaced <= imports and (rows["field"] == "lanes").sum() == 2 * edits
    assert got["version"] == 1 + 2 * edits + replaced
    assert list(rows["version"].drop_duplicates()) == list(range(1, 2 + 2 * edits + replaced))  # an unbroken chain


@pytest.mark.parametrize(
    ("layer", "fid", "changes", "match"),
    [
        ("nope", "road-01", {"status": "x"}, "no layer"),
        ('roads"; DROP TABLE roads; --', "road-01", {"status": "x"}, "no layer"),
        ("roads", "road-99", {"status": "x"}, "no feature"),
        ("roads", "road-01' OR '1'='1", {"status": "x"}, "no feature"),
        ("roads", "road-01", {"colour": "red"}, "no editable field"),
        ("roads", "road-01", {'status" = 1 --': "x"}, "no editable field"),
        ("roads", "road-01", {"version": 5}, "no editable field"),
        ("roads", "road-01", {"id": "road-77"}, "no editable field"),
        ("roads", "road-01", {"geom": None}, "no editable field"),
        ("roads", "road-01", {"lanes": "four"}, "expected an integer"),
        ("roads", "road-01", {"lanes": 2.5}, "expected an integer"),
        ("roads", "road-01", {"length_km": float("inf")}, "finite number"),
        ("roads", "road-01", {"status": 7}, "expected a text"),
        ("roads", "road-01", {}, "no fields"),
    ],
)
def test_update_feature_refuses_what_a_user_can_fix(store: Any, layer: str, fid: str, changes: dict, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        store.update_feature(layer, fid, changes, expected_version=1, user="zhang")
    assert caught.value.zh and caught.value.en
    assert list(store.read_layer("roads")["version"]) == [1, 1, 1]
    assert store.layer_names() == ["roads"]


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"user": ""}, "user"), ({"user": "x" * 500}, "user"), ({"expected_version": True}, "expected_version")]
)
def test_update_feature_checks_user_and_version_arguments(store: Any, kwargs: dict, match: str) -> None:
    args = {"expected_version": 1, "user": "zhang"} | kwargs
    with pytest.raises(InputError, match=match):
        store.update_feature("roads", "road-01", {"status": "x"}, **args)


def test_nan_means_missing(store: Any) -> None:
    store.update_feature("roads", "road-01", {"length_km": float("nan")}, expected_version=1, user="zhang")
    assert pd.isna(store.read_layer("roads").set_index("id").loc["road-01", "length_km"])
    assert store.history("roads", "road-01").query("field == 'length_km'")["new"].iloc[0] is None


# --- as_of and history ---------------------------------------------------------------------------------------


def test_as_of_replays_back_dated_edits(store: Any) -> None:
    def at(y: int, m: int, d: int) -> datetime:
        return datetime(y, m, d, 9, tzinfo=UTC)

    store.update_feature("roads", "road-01", {"status": "under_construction"}, expected_version=1, user="a", when=at(2020, 3, 1))
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=2, user="b", when=at(2020, 6, 28))
    store.update_feature("roads", "road-02", {"status": "delayed"}, expected_version=1, user="c", when=at(2020, 7, 2))

    def status(day: date) -> dict:
        return store.as_of("roads", day).set_index("id")["status"].to_dict()

    assert status(date(2019, 12, 31)) == {"road-01": "planned", "road-02": "planned", "road-03": "under_construction"}
    assert status(date(2020, 5, 1))["road-01"] == "under_construction"
    june = store.as_of("roads", date(2020, 6, 30)).set_index("id")
    assert june.loc["road-01", "status"] == "completed" and june.loc["road-01", "version"] == 3
    assert june.loc["road-02", "status"] == "planned" and june.loc["road-02", "version"] == 1
    assert status(date.today()) == store.read_layer("roads").set_index("id")["status"].to_dict()
    earlier = store.as_of("roads", date(2020, 1, 1))
    assert earlier.crs.to_epsg() == 4326 and earlier["lanes"].dtype == "int64"
    with pytest.raises(InputError, match="earlier than the previous change"):
        store.update_feature("roads", "road-01", {"status": "delayed"}, expected_version=3, user="d", when=at(2020, 4, 1))


def test_as_of_undoes_imports_and_brings_deleted_features_back(store: Any, roads: gpd.GeoDataFrame) -> None:
    before = datetime.now(UTC)
    moved = roads.iloc[[0]].copy()
    moved["geometry"] = [LineString([(E, N), (E + 10, N + 3000)])]
    store.write_layer("roads", moved, user="li")
    assert store.read_layer("roads")["id"].tolist() == ["road-01"]
    past = store.as_of("roads", before).set_index("id")
    assert sorted(past.index) == ["road-01", "road-02", "road-03"]
    original = roads.to_crs(4326).set_index("id")
    for fid in past.index:
        assert past.loc[fid, "geometry"].equals_exact(original.loc[fid, "geometry"], 1e-9)
        assert past.loc[fid, "version"] == 1
    assert past.loc["road-03", "status"] == "under_construction"
    store.write_layer("stations", gpd.GeoDataFrame({"id": ["s1"]}, geometry=[Point(113.9, 22.9)], crs=4326), user="li")
    assert len(store.as_of("stations", before)) == 0
    assert len(store.as_of("stations", datetime.now(UTC) + timedelta(seconds=1))) == 1


def test_history_filters_and_limit(store: Any) -> None:
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="a")
    store.update_feature("roads", "road-02", {"status": "delayed"}, expected_version=1, user="b")
    assert set(store.history("roads", "road-02")["feature_id"]) == {"road-02"}
    last = store.history(limit=1)
    assert len(last) == 1 and last["user"].iloc[0] == "b"
    assert store.history("nope").empty
    with pytest.raises(InputError, match="limit"):
        store.history(limit=-1)


# --- backup and restore ----------------------------------------------------------------------------------------


def _same_layer(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert a.crs == b.crs and all(x.equals_exact(y, 0) if x is not None else y is None for x, y in zip(a.geometry, b.geometry))


def test_backup_is_a_geopackage_store_and_restore_round_trips(location: str, store: Any, tmp_path: Path, typed: gpd.GeoDataFrame) -> None:
    store.write_layer("sites", typed, user="li")
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="zhang")
    copy = store.backup(tmp_path / "backups" / "2020-06-30.gpkg")
    assert copy.is_file() and not Path(f"{copy}-wal").exists()
    assert len(pyogrio.read_dataframe(copy, layer="roads")) == 3  # GDAL/QGIS open it
    as_file = open_store(copy)  # and it is a working store in its own right, holding the same
    for layer in ("roads", "sites"):
        _same_layer(as_file.read_layer(layer), store.read_layer(layer))
    pd.testing.assert_frame_equal(as_file.history(), store.history())
    store.update_feature("roads", "road-01", {"status": "delayed"}, expected_version=2, user="li")
    store.write_layer("late", gpd.GeoDataFrame({"id": ["x"]}, geometry=[Point(113.9, 22.9)], crs=4326), user="li")
    store.restore(copy, user="admin")
    assert store.layer_names() == ["roads", "sites"]
    got = store.read_layer("roads").set_index("id")
    assert got.loc["road-01", "status"] == "completed" and got.loc["road-01", "version"] == 2
    _same_layer(store.read_layer("sites"), as_file.read_layer("sites"))
    h = store.history()
    assert h["field"].iloc[-1] == "(restored)" and h["user"].iloc[-1] == "admin" and "li" in set(h["user"])
    assert "delayed" not in set(h["new"].dropna())
    previous = open_store(location + "_bak") if _is_pg(store) else open_store(store.previous_path)  # pg: schema <name>_bak
    assert previous.read_layer("roads").set_index("id").loc["road-01", "status"] == "delayed"
    assert "late" in previous.layer_names()
    # the restored store keeps working, and its history goes on
    assert store.update_feature("roads", "road-01", {"status": "delayed"}, expected_version=2, user="li") == 3
    assert store.history().iloc[-1]["user"] == "li"


def test_restore_refuses_files_that_are_not_a_store(store: Any, tmp_path: Path, roads: gpd.GeoDataFrame) -> None:
    text = tmp_path / "x.gpkg"
    text.write_text("not a database", encoding="utf-8")
    plain = tmp_path / "plain.gpkg"
    pyogrio.write_dataframe(roads.to_crs(4326), plain, layer="roads", driver="GPKG")
    good = store.backup(tmp_path / "good.gpkg")
    truncated = tmp_path / "truncated.gpkg"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    future = tmp_path / "future.gpkg"
    future.write_bytes(good.read_bytes())
    conn = sqlite3.connect(future)
    conn.execute("UPDATE ssl_store_meta SET value = '99' WHERE key = 'format'")
    conn.commit()
    conn.close()
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="zhang")
    for bad in (text, plain, truncated, future, tmp_path / "missing.gpkg"):
        with pytest.raises(InputError, match="restore|backup|not found"):
            store.restore(bad, user="admin")
    assert list(store.read_layer("roads")["version"]) == [2, 1, 1]
    assert "(restored)" not in set(store.history()["field"])
    if not _is_pg(store):
        assert not store.previous_path.exists()
        with pytest.raises(InputError):
            store.backup(store.path)


# --- the same values on both backends ---------------------------------------------------------------------------


def test_postgis_reads_and_edits_every_type_exactly_as_the_geopackage_store(pg_url: str, tmp_path: Path, typed: gpd.GeoDataFrame) -> None:
    stores = [open_store(tmp_path / "w.gpkg"), open_store(pg_url)]
    for s in stores:
        s.write_layer("sites", typed, user="li")
    gpkg, pg = (s.read_layer("sites") for s in stores)
    _same_layer(pg, gpkg)
    assert str(pg["seen"].dtype) == "datetime64[ms, UTC]" or str(pg["seen"].dtype).endswith("UTC]")
    before_edit = datetime.now(UTC)
    edits: list[dict[str, Any]] = [
        {"flag": False, "due": datetime(2021, 1, 5, 12), "capacity_mva": 80, "count": None, "maybe": True},
        {"name_zh": "松山湖 · 新", "seen": datetime(2022, 3, 4, 5, 6, 7, tzinfo=UTC), "count": 9},
    ]
    for version, change in enumerate(edits, start=1):
        assert [s.update_feature("sites", "a", change, expected_version=version, user="li") for s in stores] == [version + 1] * 2
    gpkg, pg = (s.read_layer("sites") for s in stores)
    _same_layer(pg, gpkg)
    for bad, match in (({"flag": "yes"}, "true or false"), ({"due": "next week"}, "date and time"), ({"count": 1.5}, "integer")):
        for s in stores:
            with pytest.raises(InputError, match=match):
                s.update_feature("sites", "a", bad, expected_version=3, user="li")
    _same_layer(*(s.as_of("sites", before_edit) for s in stores))
    assert stores[1].as_of("sites", before_edit).set_index("id").loc["a", "flag"]
    cols = ["user", "layer", "feature_id", "field", "old", "new", "note", "version"]
    hg, hp = (s.history()[cols] for s in stores)
    pd.testing.assert_frame_equal(hp.query("field != 'due'"), hg.query("field != 'due'"))
    # a DATETIME value GDAL wrote without milliseconds is recorded with them on PostGIS; the instant is the same
    due_old = [pd.Timestamp(h.query("field == 'due'")["old"].iloc[0]) for h in (hg, hp)]
    assert due_old[0] == due_old[1] == pd.Timestamp("2020-06-30 08:00")


def test_backups_move_a_store_between_backends(pg_url: str, tmp_path: Path, roads: gpd.GeoDataFrame, typed: gpd.GeoDataFrame) -> None:
    laptop = open_store(tmp_path / "laptop.gpkg")
    laptop.seed({"roads": roads, "sites": typed})
    laptop.update_feature("roads", "road-02", {"status": "completed"}, expected_version=1, user="zhang")
    team = open_store(pg_url)
    team.restore(laptop.backup(tmp_path / "to-team.gpkg"), user="admin")
    for layer in ("roads", "sites"):
        _same_layer(team.read_layer(layer), laptop.read_layer(layer))
    assert team.update_feature("roads", "road-02", {"status": "delayed"}, expected_version=2, user="li") == 3
    back = open_store(tmp_path / "back.gpkg")
    back.restore(team.backup(tmp_path / "to-laptop.gpkg"), user="admin")
    _same_layer(back.read_layer("roads"), team.read_layer("roads"))
    pd.testing.assert_frame_equal(back.history().iloc[:-1], team.history())


# --- PostGIS specifics ---------------------------------------------------------------------------------------------


def test_open_store_selects_postgis_from_a_url_or_the_environment(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_GIS_STORE", str(tmp_path / "w.gpkg"))
    assert isinstance(open_store(), Store) and (tmp_path / "w.gpkg").is_file()  # no URL: the GeoPackage
    monkeypatch.setenv("SSL_GIS_DATABASE_URL", pg_url)
    s = open_store()
    assert isinstance(s, PostgisStore) and s.path is None and s.schema == pg_url.rsplit("=", 1)[1]
    assert "postgresql://postgres@127.0.0.1" in s.location
    assert isinstance(open_store(tmp_path / "other.gpkg"), Store)  # an explicit path still means a GeoPackage
    monkeypatch.setenv("SSL_GIS_DATABASE_URL", "mysql://x@y/z")
    with pytest.raises(InputError, match="SSL_GIS_DATABASE_URL"):
        open_store()


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("postgresql://planner:s3cret@127.0.0.1:1/gis", "cannot connect"),
        ("postgresql://planner:s3cret@127.0.0.1:5432/gis?schema=Bad-Name", "schema name"),
        ("postgresql://planner:s3cret@127.0.0.1:5432/gis?nonsense=1", "not valid"),
    ],
)
def test_database_problems_are_one_line_errors_without_the_password(url: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        open_store(url)
    assert "s3cret" not in caught.value.en and "s3cret" not in caught.value.zh


def test_a_schema_that_is_not_a_store_is_left_alone(pg_cluster: Any) -> None:
    import psycopg

    with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS someone_else")
        conn.execute("CREATE TABLE IF NOT EXISTS someone_else.notes (t text)")
    with pytest.raises(InputError, match="not a working store"):
        open_store(pg_cluster.url + "?schema=someone_else")
    with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'someone_else'").fetchall()
    assert tables == [("notes",)]


def test_layers_are_real_postgis_tables_with_spatial_and_id_indexes(pg_url: str, pg_cluster: Any, roads: gpd.GeoDataFrame) -> None:
    import psycopg

    s = open_store(pg_url)
    s.seed({"roads": roads})
    with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT type, srid FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = 'roads'", (s.schema,)
        ).fetchone()
        assert row == ("LINESTRING", 4326)
        indexes = [r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = 'roads'", (s.schema,))]
        assert any("USING gist (geom)" in d for d in indexes) and any("UNIQUE" in d and "(id)" in d for d in indexes)
        near_road_3 = gpd.GeoSeries([Point(E + 600, N + 220)], crs="EPSG:4547").to_crs(4326).iloc[0]
        hits = conn.execute(
            f'SELECT id FROM "{s.schema}".roads WHERE ST_DWithin(geom::geography, ST_GeomFromText(%s, 4326)::geography, 50)',
            (near_road_3.wkt,),
        ).fetchall()
    assert hits == [("road-03",)]


def test_postgis_refuses_names_longer_than_63_bytes(pg_url: str, roads: gpd.GeoDataFrame) -> None:
    s = open_store(pg_url)
    with pytest.raises(InputError, match="63 bytes"):
        s.write_layer("松山湖" * 8, roads, user="li")  # 24 characters, 72 bytes
    with pytest.raises(InputError, match="63 bytes"):
        s.write_layer("roads", roads.rename(columns={"status": "状态" * 11}), user="li")
    s.write_layer("松山湖道路", roads, user="li")
    assert s.layer_names() == ["松山湖道路"] and len(s.read_layer("松山湖道路")) == 3


def test_a_rewrite_records_only_the_features_it_changes(location: str, store: Any, roads: gpd.GeoDataFrame) -> None:
    """A whole-layer write that changes one road (and adds a column empty elsewhere) is an edit of that road only."""
    before = store.read_layer("roads").set_index("id")
    rows_before = len(store.history("roads"))
    moment = datetime.now(UTC)
    changed = roads.copy()
    changed.loc[1, "status"] = "completed"
    changed["plan_year"] = pd.array([None, 2021, None], dtype="Int64")
    store.write_layer("roads", changed, user="planner", note="2021年计划结转")
    after = store.read_layer("roads").set_index("id")
    new = store.history("roads").iloc[rows_before:]
    assert new["feature_id"].tolist() == ["road-02"] and new["field"].tolist() == ["(replaced)"]
    assert after["version"].to_dict() == {"road-01": before.loc["road-01", "version"],
                                          "road-02": before.loc["road-02", "version"] + 1,
                                          "road-03": before.loc["road-03", "version"]}
    assert after.loc["road-02", "status"] == "completed" and after.loc["road-02", "plan_year"] == 2021
    past = store.as_of("roads", moment).set_index("id")
    assert past.loc["road-02", "status"] == "planned" and pd.isna(past.loc["road-02", "plan_year"])
    store.write_layer("roads", changed, user="planner", note="again, as it is")
    assert len(store.history("roads")) == rows_before + 1  # written back as it is: nothing recorded
    assert store.read_layer("roads").set_index("id")["version"].to_dict() == after["version"].to_dict()
