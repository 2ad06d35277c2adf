"""Library messages name no command-line flag; ``python -m gis`` adds its own hint where it catches the error.

The same messages reach the app (the upload page), where ``--crs`` would mean nothing: the library says what
to choose (``InputError.choice``) and each surface says how.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, box

from gis.cli import error_line, main
from gis.errors import CRSError, InputError
from gis.io import guess_output_format, read_any
from gis.io.survey import refuse_illustrative


def _unsniffable(tmp_path: Path) -> Path:
    """Metres far from Dongguan and no CRS: nothing says which coordinate system they are in."""
    ring = [[5_000.0, 5_000.0], [5_100.0, 5_000.0], [5_100.0, 5_100.0], [5_000.0, 5_100.0], [5_000.0, 5_000.0]]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    doc = {"type": "FeatureCollection", "features": [feature]}
    path = tmp_path / "where.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _two_layers(tmp_path: Path) -> Path:
    path = tmp_path / "plan.gpkg"
    a = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(113.88, 22.93, 113.89, 22.94)], crs="EPSG:4326")
    pyogrio.write_dataframe(a, path, layer="地块")
    pyogrio.write_dataframe(a, path, layer="squares")
    return path


def _no_flag(exc: InputError) -> None:
    assert "--" not in exc.zh and "--" not in exc.en, (exc.zh, exc.en)


def test_library_messages_name_the_choice_not_a_flag(tmp_path: Path) -> None:
    with pytest.raises(CRSError) as crs:
        read_any(_unsniffable(tmp_path))
    _no_flag(crs.value)
    assert crs.value.choice == "crs" and "EPSG:4547" in crs.value.en

    with pytest.raises(InputError) as layer:
        read_any(_two_layers(tmp_path))
    _no_flag(layer.value)
    assert layer.value.choice == "layer" and "squares" in layer.value.en

    with pytest.raises(InputError) as fmt:
        guess_output_format(tmp_path / "out.unknown")
    _no_flag(fmt.value)
    assert fmt.value.choice == "format"

    gdf = gpd.GeoDataFrame({"illustrative": [True]}, geometry=[Point(113.9, 22.9)], crs="EPSG:4326")
    with pytest.raises(InputError) as ill:
        refuse_illustrative(gdf, "dxf")
    _no_flag(ill.value)
    assert ill.value.choice == "allow_illustrative"


def test_non_strict_report_names_no_flag(tmp_path: Path) -> None:
    report = read_any(_unsniffable(tmp_path), strict=False).report
    fatal = [p for p in report.problems if p.fatal and p.feature is None]
    assert fatal and fatal[0].problem == "unknown_crs"
    assert "--" not in fatal[0].message_zh and "--" not in fatal[0].message_en


@pytest.mark.parametrize("command", ["area", "validate"])
def test_cli_adds_the_crs_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    assert main([command, str(_unsniffable(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--crs EPSG:4547" in err and "give it with --crs" in err


def test_cli_adds_the_layer_and_format_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["area", str(_two_layers(tmp_path))]) == 1
    assert "--layer" in capsys.readouterr().err
    src = tmp_path / "one.geojson"
    gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(113.88, 22.93, 113.89, 22.94)], crs="EPSG:4326").to_file(src)
    assert main(["convert", str(src), "-o", str(tmp_path / "out.unknown")]) == 1
    assert "--to" in capsys.readouterr().err


def test_error_line_without_a_choice_adds_nothing() -> None:
    assert error_line("坏了", "broken") == "错误 / error: 坏了 / broken\n"
    assert error_line("坏了", "broken", "crs").startswith("错误 / error: 坏了（用 --crs 指定")
