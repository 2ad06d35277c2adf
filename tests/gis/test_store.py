"""The GeoPackage working store's own behaviour: the file GDAL reads, WAL, its backup file, typed columns like GDAL's.

The contract both backends share (seed, writes, edits, conflicts, history, as_of, backup and restore) is
tested on the GeoPackage and on PostGIS in ``test_store_backends.py``.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import test_store_backends as contract
from shapely.geometry import Point, box

from gis.errors import ConflictError, InputError
from gis.store import Store, open_store
from tests.gis.conftest import E, N  # Songshan Lake, EPSG:4547

# The contract tests' helper (pytest puts this folder on sys.path; no package here); ``roads`` is the fixture of
# tests/gis/conftest.py: three roads made in EPSG:4547 metres.
_integrity = contract._integrity


@pytest.fixture
def location(tmp_path: Path) -> str:
    """The GeoPackage alone (this file's tests are about the file): the seeded ``store`` of conftest.py lives here."""
    return str(tmp_path / "data" / "working.gpkg")


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


# --- the file -----------------------------------------------------------------------------------------------


def test_the_store_is_a_geopackage_gdal_reads_with_a_working_spatial_index(store: Store) -> None:
    store.update_feature("roads", "road-02", {"status": "completed"}, expected_version=1, user="zhang")
    info = pyogrio.read_info(store.path, layer="roads")
    assert info["features"] == 3 and info["crs"] == "EPSG:4326" and info["capabilities"]["fast_spatial_filter"]
    near_road_3 = gpd.GeoSeries([Point(E + 600, N + 200)], crs="EPSG:4547").buffer(20).to_crs(4326).total_bounds
    hit = pyogrio.read_dataframe(store.path, layer="roads", bbox=tuple(near_road_3))
    assert list(hit["id"]) == ["road-03"]
    assert _integrity(store.path) == "ok"


# --- attribute edits -----------------------------------------------------------------------------------------


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
