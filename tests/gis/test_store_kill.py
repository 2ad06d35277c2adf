"""SIGKILL the process writing to the working store at random moments; the store must stay whole.

A child process loops over ``update_feature`` (or whole-layer ``write_layer``) calls and is killed with
SIGKILL at a random moment, again and again. After every kill the store is opened and checked: SQLite's
``integrity_check`` is ok, GDAL (pyogrio) reads every layer, and every feature is exactly the state after a
whole number of edits — its values, its version and its history rows agree.

The kill window opens only after the child has reported its first committed write (the parent waits for
that line however slow the machine is), so every round proves work was done and survived the kill; no
assertion depends on how much a loaded machine manages in a given time.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, box

from gis.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")]

PROJECT = Path(__file__).resolve().parents[2]
EDIT_IDS = [f"f-{i:02d}" for i in range(30)]
BULK_FEATURES = 150

# Each edit sets n = new version, tag = "<id>@<version>" and a pad of random size ending in the version,
# so every edit changes exactly three fields and a torn edit would show as a disagreement.
EDIT_CHILD = """
import random, sqlite3, sys
from pathlib import Path
from gis.store import open_store
store = open_store(Path(sys.argv[1]))
rng = random.Random(int(sys.argv[2]))
ids = sys.argv[3].split(",")
read = sqlite3.connect(sys.argv[1])
print("ready", flush=True)
first = True
while True:
    fid = rng.choice(ids)
    (v,) = read.execute("SELECT version FROM edits WHERE id = ?", (fid,)).fetchone()
    store.update_feature(
        "edits", fid,
        {"n": v + 1, "tag": f"{fid}@{v + 1}", "pad": "x" * rng.randint(0, 6000) + str(v + 1)},
        expected_version=v, user="child", note=f"edit {v + 1}",
    )
    if first:  # once only: an unread pipe must never block the child
        print("committed", flush=True)
        first = False
"""

# Each whole-layer write sets n = new version on every feature and moves every geometry.
BULK_CHILD = """
import sqlite3, sys
from pathlib import Path
import geopandas as gpd
from shapely.geometry import box
from gis.store import open_store
store = open_store(Path(sys.argv[1]))
count = int(sys.argv[2])
read = sqlite3.connect(sys.argv[1])
print("ready", flush=True)
first = True
while True:
    (v,) = read.execute("SELECT max(version) FROM bulk").fetchone()
    x = 113.8 + (v % 50) * 1e-4
    gdf = gpd.GeoDataFrame(
        {"id": [f"b-{i}" for i in range(count)], "n": [v + 1] * count},
        geometry=[box(x + i * 1e-4, 22.9, x + i * 1e-4 + 5e-5, 22.9001) for i in range(count)],
        crs="EPSG:4326",
    )
    store.write_layer("bulk", gdf, user="child", note=f"import {v + 1}")
    if first:
        print("committed", flush=True)
        first = False
"""


def _start(code: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=PROJECT, text=True
    )
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        pytest.fail(f"child did not start: {proc.stderr.read()[-2000:]}")
    return proc


def _kill_after_a_commit(proc: subprocess.Popen, delay_s: float) -> None:
    """Wait until the child has committed a write, then kill it at a random moment of its next ones."""
    line = proc.stdout.readline()  # blocks until the child's first commit, however loaded the machine
    if line.strip() != "committed":
        proc.kill()
        pytest.fail(f"child committed nothing before it stopped: {proc.stderr.read()[-2000:]}")
    time.sleep(delay_s)  # where in the child's next writes the kill lands; no assertion depends on it
    if proc.poll() is not None:
        pytest.fail(f"child died by itself: {proc.stderr.read()[-2000:]}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def _check_store(path: Path) -> dict[str, int]:
    """Open the store after a kill and check it through and through; return versions per layer (sums)."""
    conn = sqlite3.connect(path)  # opening runs SQLite's recovery of the killed transaction
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        edits = conn.execute("SELECT id, n, tag, version FROM edits").fetchall()
        assert sorted(r[0] for r in edits) == EDIT_IDS
        fields: dict[tuple[str, int], set[str]] = {}
        for fid, field, version in conn.execute(
            "SELECT feature_id, field, version FROM ssl_store_history WHERE layer = 'edits' AND field NOT LIKE '(%'"
        ):
            fields.setdefault((fid, version), set()).add(field)
        for fid, n, tag, version in edits:
            assert n == version and tag == f"{fid}@{version}", (fid, n, tag, version)
            for v in range(2, version + 1):
                assert fields.pop((fid, v), None) == {"n", "tag", "pad"}, (fid, v)
            (last_n,) = conn.execute(
                "SELECT new FROM ssl_store_history WHERE layer = 'edits' AND feature_id = ? AND field = 'n' ORDER BY seq DESC LIMIT 1",
                (fid,),
            ).fetchone() or (str(1),)
            assert int(last_n) == version
        assert not fields, f"history rows of edits that are not in the layer: {sorted(fields)[:5]}"

        bulk = conn.execute("SELECT id, n, version FROM bulk").fetchall()
        assert len(bulk) == BULK_FEATURES
        versions = {r[2] for r in bulk}
        assert len(versions) == 1 and all(r[1] == r[2] for r in bulk), "a whole-layer write was torn"
        (bulk_version,) = versions
        per_feature = conn.execute("SELECT feature_id, count(*) FROM ssl_store_history WHERE layer = 'bulk' GROUP BY feature_id").fetchall()
        assert len(per_feature) == BULK_FEATURES and {c for _, c in per_feature} == {bulk_version}
        assert conn.execute("SELECT count(*) FROM rtree_bulk_geom").fetchone()[0] == BULK_FEATURES
        assert conn.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'bulk'").fetchone()[0] == BULK_FEATURES
        totals = {"edits": sum(r[3] for r in edits), "bulk": bulk_version}
    finally:
        conn.close()
    # GDAL reads every layer (no other connection to the file is open in this process now)
    listed = {row[0] for row in pyogrio.list_layers(path)}
    assert {"edits", "bulk", "ssl_store_history"} <= listed
    for layer in listed:
        pyogrio.read_dataframe(path, layer=layer)
    store = open_store(path)
    assert store.read_layer("edits").set_index("id").loc["f-00", "version"] == dict((r[0], r[3]) for r in edits)["f-00"]
    return totals


def test_sigkill_during_edits_and_imports_never_tears_the_store(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    path = tmp_path / "working.gpkg"
    store = open_store(path)
    edits = gpd.GeoDataFrame(
        {"id": EDIT_IDS, "n": [1] * len(EDIT_IDS), "tag": [f"{i}@1" for i in EDIT_IDS], "pad": [""] * len(EDIT_IDS)},
        geometry=[Point(113.9 + i * 1e-3, 22.9) for i in range(len(EDIT_IDS))],
        crs="EPSG:4326",
    )
    bulk = gpd.GeoDataFrame(
        {"id": [f"b-{i}" for i in range(BULK_FEATURES)], "n": [1] * BULK_FEATURES},
        geometry=[box(113.8 + i * 1e-4, 22.9, 113.8 + i * 1e-4 + 5e-5, 22.9001) for i in range(BULK_FEATURES)],
        crs="EPSG:4326",
    )
    assert store.seed({"edits": edits, "bulk": bulk}) == ["edits", "bulk"]
    totals = _check_store(path)
    start = dict(totals)
    kills = 0
    for _ in range(24):  # attribute edits: many small transactions
        _kill_after_a_commit(_start(EDIT_CHILD, str(path), str(rng.randrange(2**31)), ",".join(EDIT_IDS)), rng.uniform(0.0, 0.12))
        kills += 1
        after = _check_store(path)
        # the child reported a commit before the kill: it must be there (each edit adds 1 to the sum)
        assert after["edits"] > totals["edits"], f"committed edits were lost (seed {seed})"
        totals = after
    for _ in range(4):  # whole-layer imports: table swaps with DDL, R-tree and triggers
        _kill_after_a_commit(_start(BULK_CHILD, str(path), str(BULK_FEATURES)), rng.uniform(0.0, 0.5))
        kills += 1
        after = _check_store(path)
        assert after["bulk"] > totals["bulk"], f"a committed import was lost (seed {seed})"
        totals = after
    assert kills == 28
    # every round committed at least one write before its kill, so the children did real work
    assert totals["edits"] - start["edits"] >= 24 and totals["bulk"] - start["bulk"] >= 4, f"seed {seed}"
