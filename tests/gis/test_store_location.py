"""Where the store lives is decided once (issue 12 step 1), and the store says when it changed and where
the copy a restore replaced went, so callers need not probe backend details."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import Point

from gis.store import PostgisStore, Store, default_location, existing_store, open_store

PROJECT = Path(__file__).resolve().parents[2]


def _points(n: int = 2) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [f"p-{i}" for i in range(n)], "status": ["planned"] * n}, geometry=[Point(113.9, 22.9)] * n, crs=4326)


def test_default_location_follows_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_GIS_STORE", str(tmp_path / "w.gpkg"))
    assert default_location() == tmp_path / "w.gpkg"
    assert existing_store() is None and not (tmp_path / "w.gpkg").exists()  # a reader never creates the file
    assert isinstance(open_store(), Store) and isinstance(existing_store(), Store)
    assert open_store(str(tmp_path / "w.gpkg")).path == tmp_path / "w.gpkg"  # a path given as text is a path
    monkeypatch.setenv("SSL_GIS_DATABASE_URL", "postgresql://u@h:5/db?schema=s")
    assert default_location() == "postgresql://u@h:5/db?schema=s"


def test_stamp_changes_with_every_write_and_only_then(location: str) -> None:
    store: Any = open_store(location)
    seen = [store.stamp()]
    store.seed({"pts": _points()})
    seen.append(store.stamp())
    assert store.stamp() == seen[-1]  # nothing changed: same token
    store.update_feature("pts", "p-0", {"status": "completed"}, expected_version=1, user="li")
    seen.append(store.stamp(max_age_s=60))  # a write through this object shows at once, even with a cache
    other = open_store(location)  # another session's writes
    other.update_feature("pts", "p-1", {"status": "completed"}, expected_version=1, user="wang")
    seen.append(store.stamp())
    backup = store.backup(Path(location).parent / "b.gpkg" if isinstance(store, Store) else _tmp(store) / "b.gpkg")
    other.write_layer("pts", _points(3), user="wang")
    seen.append(store.stamp())
    store.restore(backup, user="admin")
    seen.append(store.stamp())
    assert len(set(seen)) == len(seen), seen


def _tmp(store: PostgisStore) -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="ssl-test-"))


def test_a_database_stamp_may_be_reused_for_max_age_s(pg_url: str) -> None:
    store = open_store(pg_url)
    store.seed({"pts": _points()})
    first = store.stamp(max_age_s=60)
    open_store(pg_url).update_feature("pts", "p-0", {"status": "completed"}, expected_version=1, user="wang")
    assert store.stamp(max_age_s=60) == first  # asked at most once a minute here
    assert store.stamp() != first


def test_previous_location_says_where_a_restore_kept_the_old_store(location: str, tmp_path: Path) -> None:
    store: Any = open_store(location)
    store.seed({"pts": _points()})
    backup = store.backup(tmp_path / "b.gpkg")
    store.restore(backup, user="admin")
    if isinstance(store, Store):
        assert store.previous_location() == str(store.path.with_name("working.bak.gpkg")) and Path(store.previous_location()).exists()
    else:
        assert store.previous_location() == store.schema + "_bak"
        assert open_store(location.replace(f"schema={store.schema}", f"schema={store.previous_location()}")).layer_names() == ["pts"]


def _sources(*folders: str) -> list[Path]:
    return [p for f in folders for p in (PROJECT / f).rglob("*.py")] + [PROJECT / "app.py"]


def test_only_settings_reads_the_database_url_from_the_environment() -> None:
    readers = [p for p in _sources("gis", "layers", "ui") if re.search(r"environ[^\n]*SSL_GIS_DATABASE_URL", p.read_text(encoding="utf-8"))]
    assert readers == [PROJECT / "gis" / "settings.py"]


def test_callers_do_not_probe_the_store_backend() -> None:
    probes = re.compile(r"previous_schema|st_mtime_ns|isinstance\([^)]*PostgisStore|_store_location\(args|startswith\(\(\"postgresql://\"")
    offenders = [
        str(p.relative_to(PROJECT))
        for p in _sources("layers", "ui") + [PROJECT / "gis" / "cli.py"]
        if probes.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
