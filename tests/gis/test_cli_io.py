"""``python -m gis validate|area|convert``: no silent zero, and the dropped count always told (issue 11 item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gis.cli import main

LON, LAT = 113.9, 22.9


def _fc(*geometries: dict | None) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"id": f"f{i}"}, "geometry": g} for i, g in enumerate(geometries)],
    }


def _square(d: float = 0.001) -> dict:
    ring = [[LON, LAT], [LON + d, LAT], [LON + d, LAT + d], [LON, LAT + d], [LON, LAT]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "empty": _fc(),
        "all_dropped": _fc(None, {"type": "Polygon", "coordinates": []}),
        "one_dropped": _fc(_square(), None),
    }
    out = {}
    for name, doc in made.items():
        out[name] = tmp_path / f"{name}.geojson"
        out[name].write_text(json.dumps(doc), encoding="utf-8")
    return out


@pytest.mark.parametrize("command", ["validate", "area", "convert"])
@pytest.mark.parametrize(("case", "words"), [("empty", "holds no features"), ("all_dropped", "all 2 features")])
def test_nothing_usable_exits_1_and_says_so(files, tmp_path, capsys, command, case, words) -> None:
    extra = ["-o", str(tmp_path / "out.geojson")] if command == "convert" else []
    code = main([command, str(files[case]), *extra])
    err = capsys.readouterr().err
    assert code == 1
    assert words in err and "错误" in err
    assert not (tmp_path / "out.geojson").exists()  # convert wrote nothing that could pass for a result


def test_area_reports_the_dropped_count(files, capsys) -> None:
    assert main(["area", str(files["one_dropped"]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dropped"] == 1 and len(out["features"]) == 1 and out["total_mu"] > 0
    assert main(["area", str(files["one_dropped"])]) == 0
    assert "dropped: 1" in capsys.readouterr().out


def test_convert_reports_the_dropped_count(files, tmp_path, capsys) -> None:
    assert main(["convert", str(files["one_dropped"]), "-o", str(tmp_path / "o.geojson"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dropped"] == 1 and out["features"] == 1
    assert main(["convert", str(files["one_dropped"]), "-o", str(tmp_path / "p.geojson")]) == 0
    assert "dropped: 1" in capsys.readouterr().out


def test_validate_reports_the_dropped_count(files, capsys) -> None:
    assert main(["validate", str(files["one_dropped"]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dropped"] == 1 and out["features"] == 1
