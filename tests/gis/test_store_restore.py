"""Restore takes only the store's own schema and sound geometries; a refused or killed restore changes nothing.

Hostile backups are made here from a real backup: a trigger that undoes an edit, a view, an extra table,
a layer without ``version``, corrupt and non-finite geometries. Each must be refused with an InputError
that names what is wrong, on both backends, with the store's versions and history as they were and no
temporary file left behind.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from gis.errors import InputError
from gis.store import PostgisStore, Store, open_store
from gis.store._gpkg import connect as gpkg_connect

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def roads() -> gpd.GeoDataFrame:
    """Two roads in EPSG:4326 (the seeded ``store`` of tests/gis/conftest.py holds these)."""
    return gpd.GeoDataFrame(
        {"id": ["road-01", "road-02"], "name_zh": ["一号路", "二号路"], "status": ["planned", "planned"]},
        geometry=[LineString([(113.90, 22.90), (113.91, 22.90)]), LineString([(113.90, 22.91), (113.90, 22.92)])],
        crs="EPSG:4326",
    )


def _state(store: Any) -> tuple[list[int], pd.DataFrame, list[str]]:
    return list(store.read_layer("roads")["version"]), store.history(), store.layer_names()


def _leftovers(store: Any) -> list[str]:
    if isinstance(store, Store):
        return sorted(p.name for p in store.path.parent.iterdir() if p.name.startswith(".") or ".bak" in p.name)
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob(f"ssl-gis-pg-restore-{os.getpid()}-*"))


def _edit_sql(sql: str) -> Callable[[sqlite3.Connection], None]:
    def edit(conn: sqlite3.Connection) -> None:
        conn.executescript(sql)

    return edit


def _drop_version(conn: sqlite3.Connection) -> None:
    conn.execute('ALTER TABLE "roads" DROP COLUMN "version"')


def _blob(wkb: bytes, envelope: tuple[float, float, float, float]) -> bytes:
    # GeoPackage header: magic, version 0, flags (little endian, XY envelope), SRS id, envelope; then the WKB.
    return b"GP\x00\x03" + struct.pack("<i4d", 4326, *envelope) + wkb


def _set_geometry(blob: bytes) -> Callable[[sqlite3.Connection], None]:
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE roads SET geom = ? WHERE id = 'road-02'", (blob,))

    return edit


# WKB of LINESTRING (113.9 22.9, NaN 22.9), written by hand (shapely warns when making it).
NAN_LINE = struct.pack("<BII4d", 1, 2, 2, 113.9, 22.9, float("nan"), 22.9)
UNDO_TRIGGER = """
CREATE TRIGGER keep_planned AFTER INSERT ON ssl_store_history WHEN NEW.field = 'status' BEGIN
  UPDATE roads SET status = 'planned' WHERE id = NEW.feature_id;
  DELETE FROM ssl_store_history WHERE seq = NEW.seq;
END;
"""
HOSTILE = {
    "trigger": (_edit_sql(UNDO_TRIGGER), "keep_planned"),
    "view": (_edit_sql("CREATE VIEW everything AS SELECT * FROM roads;"), "view 'everything'"),
    "extra table": (_edit_sql("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('=1+1');"), "table 'notes'"),
    "extra index": (_edit_sql("CREATE INDEX roads_by_name ON roads (name_zh);"), "index 'roads_by_name'"),
    "rewritten R-tree trigger": (
        _edit_sql(
            'DROP TRIGGER "rtree_roads_geom_delete";'
            'CREATE TRIGGER "rtree_roads_geom_delete" AFTER DELETE ON "roads" BEGIN DELETE FROM ssl_store_history; END;'
        ),
        "rtree_roads_geom_delete",
    ),
    "layer without version": (_drop_version, "no column 'version'"),
    "corrupt geometry": (_set_geometry(_blob(b"\x01\x02\x00\x00\x00\xff\xff\xff", (113.9, 113.91, 22.9, 22.92))), "does not decode"),
    "non-finite coordinates": (_set_geometry(_blob(NAN_LINE, (113.9, 113.9, 22.9, 22.9))), "not finite"),
    "wrong geometry type": (_set_geometry(_blob(Point(113.9, 22.9).wkb, (113.9, 113.9, 22.9, 22.9))), "geometry type"),
    "not a geometry": (_set_geometry(b"=HYPERLINK(1)"), "corrupt geometry"),
}


def _hostile(good: Path, dest: Path, edit: Callable[[sqlite3.Connection], None]) -> Path:
    dest.write_bytes(good.read_bytes())
    conn = gpkg_connect(dest)  # the GeoPackage R-tree triggers' functions are registered here
    try:
        edit(conn)
    finally:
        conn.close()
    return dest


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_backup_is_refused_by_name_and_the_store_is_unchanged(store: Any, tmp_path: Path, case: str) -> None:
    good = store.backup(tmp_path / "good.gpkg")
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="zhang")
    before = _state(store)
    edit, named = HOSTILE[case]
    bad = _hostile(good, tmp_path / "bad.gpkg", edit)
    with pytest.raises(InputError, match="not a working-store backup") as err:
        store.restore(bad, user="admin")
    assert named in str(err.value), str(err.value)
    assert err.value.zh and "未恢复" in err.value.zh
    versions, history, layers = _state(store)
    assert versions == before[0] == [2, 1] and layers == before[2]
    pd.testing.assert_frame_equal(history, before[1])
    assert _leftovers(store) == []
    # the good backup still restores, and an edit after it is kept (no trigger came along)
    store.restore(good, user="admin")
    assert store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="zhang") == 2
    assert store.read_layer("roads").set_index("id").loc["road-01", "status"] == "completed"
    assert list(store.history()["field"])[-1] == "status"


def test_the_hostile_trigger_would_have_undone_an_edit(tmp_path: Path, roads: gpd.GeoDataFrame) -> None:
    """The trigger case is real: in a store file it silently undoes an edit and erases its history."""
    s = open_store(tmp_path / "w.gpkg")
    s.seed({"roads": roads})
    evil = _hostile(s.backup(tmp_path / "b.gpkg"), tmp_path / "evil.gpkg", HOSTILE["trigger"][0])
    as_store = open_store(evil)
    assert as_store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="zhang") == 2
    assert as_store.read_layer("roads").set_index("id").loc["road-01", "status"] == "planned"
    assert "status" not in set(as_store.history()["field"])


RESTORE_CHILD = """
import sys, threading
from pathlib import Path
from gis.store import _backup, open_store
check = _backup.check_store_file
def stop_after_copy(path, *, deep=True, shown=None):
    check(path, deep=deep, shown=shown)
    if deep:  # the private copy exists and is checked: the restore is under way
        print("copied", flush=True)
        threading.Event().wait()
_backup.check_store_file = stop_after_copy
open_store(sys.argv[1] if sys.argv[1].startswith("postgresql://") else Path(sys.argv[1])).restore(Path(sys.argv[2]), user="killed")
"""


def test_a_killed_restore_leaves_the_store_and_its_temporary_files_are_swept(
    store: Any, location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg = isinstance(store, PostgisStore)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    good = store.backup(tmp_path / "good.gpkg")
    store.update_feature("roads", "road-01", {"status": "completed"}, expected_version=1, user="zhang")
    before = _state(store)
    env = dict(os.environ, PYTHONPATH=str(PROJECT), TMPDIR=str(temp))
    child = subprocess.Popen(
        [sys.executable, "-c", RESTORE_CHILD, location, str(good)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        line = child.stdout.readline()  # waits for the work to have happened, however slow the machine
        assert line.strip() == "copied", child.stderr.read()[-2000:]
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()
    if pg:
        left = list(temp.glob(f"ssl-gis-pg-restore-{child.pid}-*"))
    else:
        left = list(store.path.parent.glob(f".{store.path.name}.restore-{child.pid}-*"))
    assert left, "the killed restore left no temporary file: the test proved nothing"
    versions, history, layers = _state(store)
    assert versions == before[0] and layers == before[2]
    pd.testing.assert_frame_equal(history, before[1])
    reopened = open_store(location)  # the next open sweeps the left-overs
    assert not any(p.exists() for p in left)
    assert _state(reopened)[0] == before[0]
    if not pg:
        assert not store.previous_path.exists()


def test_a_restore_sweeps_left_overs_of_a_dead_restore_but_not_of_a_live_one(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    folder = temp if isinstance(store, PostgisStore) else store.path.parent
    prefix = "ssl-gis-pg-restore-" if isinstance(store, PostgisStore) else f".{store.path.name}.restore-"
    stale = folder / f"{prefix}{dead_pid}-abc"
    live = folder / f"{prefix}{os.getppid()}-abc"
    for p in (stale, live):
        p.mkdir() if isinstance(store, PostgisStore) else p.write_bytes(b"x")
    good = store.backup(tmp_path / "good.gpkg")
    store.restore(good, user="admin")
    assert not stale.exists() and live.exists()


def test_private_temp_dirs_of_dead_processes_are_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's upload folder for a restore: a killed server's folder goes when the next one is made."""
    from gis.store import private_temp_dir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout)
    stale, live, other = (
        tmp_path / f"ssl-gis-restore-upload-{dead}-x",
        tmp_path / f"ssl-gis-restore-upload-{os.getppid()}-x",
        tmp_path / "mine",
    )
    for folder in (stale, live, other):
        folder.mkdir()
    with private_temp_dir("restore-upload") as work:
        assert work.parent == tmp_path and work.name.startswith(f"ssl-gis-restore-upload-{os.getpid()}-")
        (work / "restore.gpkg").write_bytes(b"x")
        assert not stale.exists() and live.exists() and other.exists()
    assert not work.exists()
