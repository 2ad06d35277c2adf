"""``python -m layers replace``: preview by default, ``--commit`` writes; bad input is one line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from shapely.affinity import translate

from gis.store import open_store
from layers.__main__ import main
from layers.registry import load_baseline


@pytest.fixture
def official(tmp_path: Path) -> Path:
    """Two official roads 20 m from the illustrative ones, named with full-width digits, in EPSG:4547."""
    roads = load_baseline("road_links", derived=False).set_index("id").loc[["road-01", "road-02"]].reset_index().to_crs("EPSG:4547")
    roads["道路名称"] = ["联网路０１号", "联网路０２号"]
    roads = roads[["道路名称", "geometry"]]
    roads["geometry"] = [translate(g, 20.0, 0.0) for g in roads.geometry]
    path = tmp_path / "official.geojson"
    roads.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def test_replace_previews_then_commits(tmp_path: Path, official: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_path = tmp_path / "store.gpkg"
    args = [
        "replace",
        "road_links",
        str(official),
        "--source",
        "交通局 2020",
        "--accuracy-m",
        "1",
        "--user",
        "li",
        "--store",
        str(store_path),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "road-01" in out and "m" in out and "--commit" in out
    assert bool(open_store(store_path).read_layer("road_links").set_index("id").loc["road-01", "illustrative"])
    assert main([*args, "--commit", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["committed"] == {"road-01": 2, "road-02": 2} and {m["how"] for m in doc["matched"]} == {"name"}
    assert 19.0 < doc["matched"][0]["displacement_m"] < 21.0
    row = open_store(store_path).read_layer("road_links").set_index("id").loc["road-01"]
    assert not bool(row["illustrative"]) and row["source"] == "交通局 2020" and row["accuracy_m"] == 1.0
    assert not shapely.equals(row.geometry, load_baseline("road_links", derived=False).set_index("id").loc["road-01"].geometry)


def test_replace_refuses_a_missing_source_in_one_line(tmp_path: Path, official: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["replace", "road_links", str(official), "--source", " ", "--accuracy-m", "1", "--user", "li", "--commit",
                 "--store", str(tmp_path / "s.gpkg")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "source" in err and "Traceback" not in err
