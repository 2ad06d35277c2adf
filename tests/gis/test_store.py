"""The working store: real GeoPackage files, versions, conflicts, history, as_of, backup and restore."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

from gis.errors import ConflictError, InputError
from gis.store import Store, open_store

E, N = 489_700.0, 2_536_800.0  # Songshan Lake, EPSG:4547


@pytest.fixture
def roads() -> gpd.GeoDataFrame:
    """Three roads made in EPSG:4547 metres (the store keeps EPSG:4326)."""
    return gpd.GeoDataFrame(
        {
            "id": ["road-01", "road-02", "road-03"],
            "name_zh": ["一号路", "二号路", "三号路"],
            "status": ["planned", "planned", "under_construction"],
            "length_km": [1.5, 2.0, 0.8],
            "lanes": [4, 6, 2],
            "updated_at": [None, None, None],
            "updated_by": [None, None, None],
        },
        geometry=[
            LineString([(E, N), (E + 1500, N)]),
            LineString([(E, N + 500), (E, N + 2500)]),
            LineString([(E + 200, N + 200), (E + 1000, N + 200)]),
        ],
        crs="EPSG:4547",
    )


@pytest.fixture
def store(tmp_path: Path, roads: gpd.GeoDataFrame) -> Store:
    s = open_store(tmp_path / "data" / "working.gpkg")
    assert s.seed({"roads": roads}) == ["roads"]
    return s


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# --- opening -----------------------------------------------------------------------------------------------


def test_open_store_default_path_creates_folder_and_an_empty_geopackage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "deep" / "folder" / "w.gpkg"
    monkeypatch.setenv("SSL_GIS_STORE", str(target))
    s = open_store()
    assert s.path == target and target.is_file()
    assert s.layer_names() == []
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    # GDAL sees a GeoPackage whose only registered table is the history
    assert [row[0] for row in pyogrio.list_layers(target)] == ["ssl_store_history"]
    assert open_store(target).layer_names() == []  # opening again keeps it


def test_open_store_refuses_an_unrelated_file_and_leaves_it_alone(tmp_path: Path) -> None:
    other = tmp_path / "notes.gpkg"
    other.write_text("my notes", encoding="utf-8")
    with pytest.raises(InputError, match="not a working store"):
        open_store(other)
    assert other.read_text(encoding="utf-8") == "my notes"


# --- seed, read, whole-layer writes ------------------------------------------------------------------------


def test_seed_copies_absent_layers_once_in_epsg4326_with_version_1(store: Store, roads: gpd.GeoDataFrame) -> None:
    assert store.layer_names() == ["roads"] and store.has_layer("roads") and not store.has_layer("parcels")
    got = store.read_layer("roads")
    assert got.crs.to_epsg() == 4326
    assert list(got["id"]) == ["road-01", "road-02", "road-03"]
    assert list(got["version"]) == [1, 1, 1] and got["version"].dtype == "int64"
    assert list(got["lanes"]) == [4, 6, 2]
    assert got.geometry.iloc[0].coords[0] == pytest.approx(roads.to_crs(4326).geometry.iloc[0].coords[0], abs=1e-9)
    parcels = gpd.GeoDataFrame({"id": ["p-1"]}, geometry=[box(E, N, E + 100, N + 100)], crs="EPSG:4547")
    assert store.seed({"roads": roads, "parcels": parcels}) == ["parcels"]
    assert store.layer_names() == ["parcels", "roads"]
    h = store.history()
    assert list(h["field"]) == ["(seeded)"] * 4 and set(h["user"]) == {"system"}


def test_the_store_is_a_geopackage_gdal_reads_with_a_working_spatial_index(store: Store) -> None:
    store.update_feature("roads", "road-02", {"status": "completed"}, expected_version=1, user="zhang")
    info = pyogrio.read_info(store.path, layer="roads")
    assert info["features"] == 3 and info["crs"] == "EPSG:4326" and info["capabilities"]["fast_spatial_filter"]
    near_road_3 = gpd.GeoSeries([Point(E + 600, N + 200)], crs="EPSG:4547").buffer(20).to_crs(4326).total_bounds
    hit = pyogrio.read_dataframe(store.path, layer="roads", bbox=tuple(near_road_3))
    assert list(hit["id"]) == ["road-03"]
    assert _integrity(store.path) == "ok"


def test_write_layer_replace_bumps_versions_and_records_one_row_per_feature(store: Store, roads: gpd.GeoDataFrame) -> None:
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
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT count(*) FROM rtree_roads_geom").fetchone()[0] == 3
    assert conn.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'roads'").fetchone()[0] == 3
    conn.close()
    assert _integrity(store.path) == "ok"
    assert len(pyogrio.read_dataframe(store.path, layer="roads")) == 3


@pytest.mark.parametrize("name", ["gpkg_contents", "1road", "roads; DROP TABLE x", "rtree_x", "", "a" * 64])
def test_write_layer_refuses_unusable_layer_names(store: Store, roads: gpd.GeoDataFrame, name: str) -> None:
    with pytest.raises(InputError, match="name"):
        store.write_layer(name, roads, user="li")
    assert store.layer_names() == ["roads"]


def test_write_layer_refuses_bad_frames(store: Store, roads: gpd.GeoDataFrame) -> None:
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


def test_update_feature_changes_values_bumps_version_and_records_each_field(store: Store) -> None:
    v = store.update_feature("roads", "road-01", {"status": "completed", "lanes": 6}, expected_version=1, user="张工", note="通车")
    assert v == 2
    got = store.read_layer("roads").set_index("id")
    assert got.loc["road-01", "status"] == "completed" and got.loc["road-01", "lanes"] == 6 and got.loc["road-01", "version"] == 2
    assert got.loc["road-01", "updated_by"] == "张工"
    assert got.loc["road-02", "version"] == 1  # others untouched
    h = store.history("roads", "road-01").query("not field.str.startswith('(')")
    assert list(h.columns) == ["at", "user", "layer", "feature_id", "field", "old", "new", "note", "version"]
    by_field = h.set_index("field")
    assert by_field.loc["status", "old"] == "planned" and by_field.loc["status", "new"] == "completed"
    assert by_field.loc["lanes", "old"] == 4 and by_field.loc["lanes", "new"] == 6  # numbers stay numbers
    assert set(h["user"]) == {"张工"} and set(h["note"]) == {"通车"} and set(h["version"]) == {2}
    at = datetime.fromisoformat(h["at"].iloc[0])
    assert at.tzinfo is not None and at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)
    assert by_field.loc["updated_at", "new"] == h["at"].iloc[0]


def test_an_edit_that_changes_nothing_keeps_the_version_and_writes_no_history(store: Store) -> None:
    before = len(store.history())
    assert store.update_feature("roads", "road-01", {"status": "planned"}, expected_version=1, user="zhang") == 1
    assert len(store.history()) == before


def test_two_planners_stale_edit_is_refused_with_the_newer_value(store: Store) -> None:
    a, b = Store(store.path), open_store(store.path)  # two app sessions on the same file
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
    # after reloading, li's edit goes through
    assert b.update_feature("roads", "road-02", {"status": "delayed"}, expected_version=err.current["version"], user="li") == 3


def test_concurrent_writers_take_turns_and_lose_no_edit(store: Store) -> None:
    """Two threads (own Store objects, own connections) edit the same feature, retrying on conflict."""
    per_thread = 15
    errors: list[BaseException] = []

    def work(user: str) -> None:
        s = Store(store.path)
        done = 0
        try:
            while done < per_thread:
                v = int(s.read_layer("roads").set_index("id").loc["road-03", "version"])
                try:
                    assert s.update_feature("roads", "road-03", {"lanes": 100 + v + 1}, expected_version=v, user=user) == v + 1
                    done += 1
                except ConflictError:
                    continue
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u,)) for u in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = store.read_layer("roads").set_index("id").loc["road-03"]
    assert got["version"] == 1 + 2 * per_thread and got["lanes"] == 100 + got["version"]
    lanes = store.history("roads", "road-03").query("field == 'lanes'")
    assert list(lanes["version"]) == list(range(2, 2 + 2 * per_thread))
    assert (lanes["old"].to_numpy()[1:] == lanes["new"].to_numpy()[:-1]).all()  # an unbroken chain


@pytest.mark.parametrize(
    ("layer", "fid", "changes", "match"),
    [
        ("nope", "road-01", {"status": "x"}, "no layer"),
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
def test_update_feature_refuses_what_a_user_can_fix(store: Store, layer: str, fid: str, changes: dict, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        store.update_feature(layer, fid, changes, expected_version=1, user="zhang")
    assert caught.value.zh and caught.value.en
    assert list(store.read_layer("roads")["version"]) == [1, 1, 1]


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"user": ""}, "user"), ({"user": "x" * 500}, "user"), ({"expected_version": True}, "expected_version")]
)
def test_update_feature_checks_user_and_version_arguments(store: Store, kwargs: dict, match: str) -> None:
    args = {"expected_version": 1, "user": "zhang"} | kwargs
    with pytest.raises(InputError, match=match):
        store.update_feature("roads", "road-01", {"status": "x"}, **args)


def test_nan_means_missing(store: Store) -> None:
    store.update_feature("roads", "road-01", {"length_km": float("nan")}, expected_version=1, user="zhang")
    assert pd.isna(store.read_layer("roads").set_index("id").loc["road-01", "length_km"])
    assert store.history("roads", "road-01").query("field == 'length_km'")["new"].iloc[0] is None


# --- as_of ---------------------------------------------------------------------------------------------------


def test_as_of_replays_back_dated_edits(store: Store, roads: gpd.GeoDataFrame) -> None:
    def at(y: int, m: int, d: int) -> datetime:
        return datetime(y, m, d, 9, tzinfo=UTC)

    store.update_feature("roads", "road-01", {"status": "under_construction"}, expected_version=1, user="a", when=at(2020, 3, 1))
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=2, user="b", when=at(2020, 6, 28))
    store.update_feature("roads", "road-02", {"status": "delayed"}, expected_version=1, user="c", when=at(2020, 7, 2))

    def status(day: date) -> dict:
        return store.as_of("roads", day).set_index("id")["status"].to_dict()

    assert status(date(2019, 12, 31)) == {"road-01": "planned", "road-02": "planned", "road-03": "under_construction"}
    assert status(date(2020, 5, 1))["road-01"] == "under_construction"
    opened_by_june = store.as_of("roads", date(2020, 6, 30)).set_index("id")
    assert opened_by_june.loc["road-01", "status"] == "completed" and opened_by_june.loc["road-01", "version"] == 3
    assert opened_by_june.loc["road-02", "status"] == "planned" and opened_by_june.loc["road-02", "version"] == 1
    assert status(date.today()) == store.read_layer("roads").set_index("id")["status"].to_dict()
    earlier = store.as_of("roads", date(2020, 1, 1))
    assert earlier.crs.to_epsg() == 4326 and earlier["lanes"].dtype == "int64"
    # an edit may not be dated before the feature's previous change
    with pytest.raises(InputError, match="earlier than the previous change"):
        store.update_feature("roads", "road-01", {"status": "delayed"}, expected_version=3, user="d", when=at(2020, 4, 1))


def test_as_of_undoes_imports_and_brings_deleted_features_back(store: Store, roads: gpd.GeoDataFrame) -> None:
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
    # a layer created (not seeded) later is empty before its import
    store.write_layer("stations", gpd.GeoDataFrame({"id": ["s1"]}, geometry=[Point(113.9, 22.9)], crs=4326), user="li")
    assert len(store.as_of("stations", before)) == 0
    assert len(store.as_of("stations", datetime.now(UTC) + timedelta(seconds=1))) == 1


def test_history_filters_and_limit(store: Store) -> None:
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="a")
    store.update_feature("roads", "road-02", {"status": "delayed"}, expected_version=1, user="b")
    assert set(store.history("roads", "road-02")["feature_id"]) == {"road-02"}
    last = store.history(limit=1)
    assert len(last) == 1 and last["user"].iloc[0] == "b"
    assert store.history("nope").empty


# --- backup and restore ----------------------------------------------------------------------------------------


def test_backup_and_restore_round_trip(store: Store, tmp_path: Path) -> None:
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="zhang")
    copy = store.backup(tmp_path / "backups" / "2020-06-30.gpkg")
    assert copy.is_file() and not Path(f"{copy}-wal").exists()
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()
    assert len(pyogrio.read_dataframe(copy, layer="roads")) == 3
    store.update_feature("roads", "road-01", {"status": "delayed"}, expected_version=2, user="li")
    store.restore(copy, user="admin")
    got = store.read_layer("roads").set_index("id")
    assert got.loc["road-01", "status"] == "completed" and got.loc["road-01", "version"] == 2
    h = store.history()
    assert h["field"].iloc[-1] == "(restored)" and h["user"].iloc[-1] == "admin" and "li" not in set(h["user"])
    bak = store.previous_path
    assert bak.name == "working.bak.gpkg"
    assert pyogrio.read_dataframe(bak, layer="roads").set_index("id").loc["road-01", "status"] == "delayed"
    assert _integrity(store.path) == "ok"
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    # the restored store keeps working
    assert store.update_feature("roads", "road-01", {"status": "delayed"}, expected_version=2, user="li") == 3


def test_restore_refuses_files_that_are_not_a_store(store: Store, tmp_path: Path, roads: gpd.GeoDataFrame) -> None:
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
    for bad in (text, plain, truncated, future, tmp_path / "missing.gpkg"):
        with pytest.raises(InputError, match="restore|backup|not found"):
            store.restore(bad, user="admin")
    assert not store.previous_path.exists()
    assert list(store.read_layer("roads")["version"]) == [1, 1, 1]
    with pytest.raises(InputError):
        store.backup(store.path)


def test_typed_columns_read_like_gdal_and_edit_in_their_type(tmp_path: Path) -> None:
    s = open_store(tmp_path / "w.gpkg")
    frame = gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "flag": [True, False],
            "due": pd.to_datetime(["2020-06-30 08:00", "2020-12-31 00:00"]),
            "capacity_mva": [100.5, float("nan")],
            "name_zh": ["松山湖", None],
        },
        geometry=[box(113.88, 22.9, 113.89, 22.91), None],
        crs="EPSG:4326",
    )
    s.write_layer("sites", frame, user="li")
    mine = s.read_layer("sites")
    gdal = pyogrio.read_dataframe(s.path, layer="sites")
    for col in ("id", "flag", "due", "capacity_mva", "name_zh", "version"):
        pd.testing.assert_series_equal(mine[col], gdal[col], check_dtype=False, check_exact=True, check_names=False)
    assert mine.geometry.iloc[0].equals(gdal.geometry.iloc[0]) and mine.geometry.iloc[1] is None
    before_edit = datetime.now(UTC)
    v = s.update_feature("sites", "a", {"flag": False, "due": datetime(2021, 1, 5, 12), "capacity_mva": 80}, expected_version=1, user="li")
    got = s.read_layer("sites").set_index("id").loc["a"]
    assert v == 2 and not got["flag"] and got["due"] == pd.Timestamp("2021-01-05 12:00") and got["capacity_mva"] == 80.0
    with pytest.raises(InputError, match="true or false"):
        s.update_feature("sites", "a", {"flag": "yes"}, expected_version=2, user="li")
    with pytest.raises(InputError, match="date and time"):
        s.update_feature("sites", "a", {"due": "next week"}, expected_version=2, user="li")
    back = s.as_of("sites", before_edit).set_index("id").loc["a"]
    assert back["flag"] and back["due"] == pd.Timestamp("2020-06-30 08:00") and back["version"] == 1
