"""Every CSV and XLSX the project writes neutralises text a spreadsheet would run (issue 11 item 6)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gis.cli import main
from gis.spreadsheet import csv_bytes, is_formula_like, neutral_text, write_csv, xlsx_bytes
from gis.store import open_store

HYPERLINK = '=HYPERLINK("http://x","y")'
RISKY = [HYPERLINK, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", RISKY)
def test_formula_like_text_gets_a_leading_quote(text: str) -> None:
    assert is_formula_like(text) and neutral_text(text) == "'" + text


@pytest.mark.parametrize("text", ["松山湖", "a=b", "-12.5", "+3", "1e-3", "", "'=already"])
def test_plain_text_and_numbers_written_as_text_stay_as_they_are(text: str) -> None:
    assert not is_formula_like(text) and neutral_text(text) == text


def _store_frame(tmp_path: Path) -> pd.DataFrame:
    """A table read from a working store in which a feature is named like a formula."""
    store = open_store(tmp_path / "working.gpkg")
    store.seed(
        {
            "roads": gpd.GeoDataFrame(
                {"id": ["r-1", "r-2"], "name_zh": [HYPERLINK, "联网路"], "delta_m": [-3.5, 2.0], "lanes": [-1, 4]},
                geometry=[box(113.9, 22.9, 113.91, 22.91), Point(113.9, 22.9)],
                crs="EPSG:4326",
            )
        }
    )
    return pd.DataFrame(store.read_layer("roads").drop(columns="geometry"))


def test_csv_of_a_store_table_has_no_live_formula_and_numbers_stay_numbers(tmp_path: Path) -> None:
    frame = _store_frame(tmp_path)
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["name_zh"] == "'" + HYPERLINK and rows[1]["name_zh"] == "联网路"
    assert rows[0]["delta_m"] == "-3.5" and rows[0]["lanes"] == "-1"
    assert frame.loc[0, "name_zh"] == HYPERLINK  # the caller's frame is not changed
    assert write_csv(frame, tmp_path / "t.csv").read_bytes() == data[3:]  # files are plain UTF-8 by default


def test_xlsx_of_a_store_table_holds_text_cells_not_formulas(tmp_path: Path) -> None:
    frame = _store_frame(tmp_path)
    frame[HYPERLINK] = 1  # a column name from data too
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    header = [c.value for c in ws[1]]
    names = {c.value: c for c in ws["B"][1:]}
    cell = names[HYPERLINK]
    assert cell.data_type == "s" and cell.quotePrefix  # shown as the text, never run
    assert ws.cell(row=1, column=header.index(HYPERLINK) + 1).data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    delta = ws.cell(row=2, column=header.index("delta_m") + 1)
    assert delta.value == -3.5 and delta.data_type == "n"


def test_transform_csv_neutralises_formula_cells_of_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"name": [HYPERLINK, "@SUM(1)"], "lon": [113.9, 113.91], "lat": [22.9, 22.91], "dz": [-1.5, 0.0]}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    assert main(["transform", "wgs84-to-gcj02", "--csv", str(src), "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["name"] for r in rows] == ["'" + HYPERLINK, "'@SUM(1)"]
    assert float(rows[0]["dz"]) == -1.5 and float(rows[0]["lon"]) != 113.9
