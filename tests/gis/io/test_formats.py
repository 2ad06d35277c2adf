"""The table of output formats: one row per format drives the switch, the guess and the export menu (issue 12 step 2)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import geopandas as gpd
import pytest

import gis.io
from gis.crs import WGS84
from gis.io import OUTPUT_FORMATS, _formats, export_choices, guess_output_format, write_any

IO_DIR = Path(gis.io.__file__).parent

# What the four rooms said before the table (the CLI's guess and the data page's export list).
_OLD_GUESS = {
    ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".zip": "shp", ".kml": "kml", ".kmz": "kmz",
    ".dxf": "dxf", ".xlsx": "boundary-points", ".csv": "boundary-points", ".txt": "survey-txt",
}
_OLD_EXPORTS = {
    "geojson": (".geojson", "application/geo+json"),
    "geojson-surveyor": (".geojson", "application/geo+json", "EPSG:4547"),
    "geojson-surveyor-4526": (".geojson", "application/geo+json", "EPSG:4526"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "shp": (".zip", "application/zip"),
    "kml": (".kml", "application/vnd.google-earth.kml+xml"),
    "dxf": (".dxf", "application/dxf", "EPSG:4547"),
    "boundary-points": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "EPSG:4547"),
    "boundary-points-csv": (".csv", "text/csv", "EPSG:4547"),
    "survey-txt": (".txt", "text/plain", "EPSG:4526"),
    "survey-pack": (".zip", "application/zip", "EPSG:4547"),
    "kmz": (".kmz", "application/vnd.google-earth.kmz"),
}


@pytest.mark.parametrize(("suffix", "fmt"), sorted(_OLD_GUESS.items()))
def test_guess_is_what_it_was(suffix: str, fmt: str) -> None:
    assert guess_output_format(f"out{suffix.upper()}") == fmt


def test_export_choices_are_what_the_data_page_listed() -> None:
    choices = {c.key: c for c in export_choices()}
    assert set(choices) == set(_OLD_EXPORTS)
    for key, old in _OLD_EXPORTS.items():
        c = choices[key]
        assert (c.suffix, c.mime) == old[:2], key
        assert c.crs == (old[2] if len(old) > 2 else WGS84), key  # WGS 84 where the page passed None (the default)
        assert c.format in OUTPUT_FORMATS


def test_adding_a_format_is_one_row(tmp_path: Path, parcels_4326: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict] = []

    def write_wkt(gdf: gpd.GeoDataFrame, path: Path, *, crs: str) -> Path:
        seen.append({"crs": crs})
        path.write_text("\n".join(gdf.to_crs(crs).geometry.to_wkt()), encoding="utf-8")
        return path

    row = _formats.OutputFormat("wkt", write_wkt, ".wkt", "text/plain", "EPSG:4547", None, guessed_from=(".wkt",))
    monkeypatch.setitem(_formats.OUTPUT_FORMAT_TABLE, "wkt", row)
    assert guess_output_format("a.wkt") == "wkt"
    result = write_any(parcels_4326, tmp_path / "a.wkt", fmt="wkt")
    assert seen == [{"crs": "EPSG:4547"}] and result.crs == "EPSG:4547" and result.features == 3
    assert "wkt" in {c.key for c in export_choices()}


def test_rows_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        _formats.OUTPUT_FORMAT_TABLE["geojson"].suffix = ".json"  # type: ignore[misc]


def _gis_io_names_imported(path: Path) -> list[str]:
    """Names a module imports from the ``gis.io`` package itself (submodules excepted)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "gis.io":
            names += [a.name for a in node.names if not (IO_DIR / f"{a.name}.py").exists()]
    return names


def test_no_module_of_gis_io_reaches_back_into_the_package() -> None:
    # The old _finish imported ReadResult and the format lists from gis.io, whose functions imported _finish.
    offenders = {p.name: _gis_io_names_imported(p) for p in IO_DIR.glob("*.py") if p.name != "__init__.py"}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_module_is_named_in_a_string_to_be_imported() -> None:
    for path in IO_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "importlib" not in text and "__import__" not in text, path.name
