"""The metrics page's CSV and Excel downloads carry no live formula from names in the store (issue 11 item 6)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from gis.store import open_store
from layers import metrics as lm
from ui import page_metrics

HYPERLINK = '=HYPERLINK("http://x","y")'


class _Column:
    def __init__(self, got: dict[str, bytes]) -> None:
        self.got = got

    def download_button(self, label: str, data: bytes, file_name: str, mime: str, **kwargs: Any) -> None:
        self.got[file_name] = data


def test_schedule_downloads_neutralise_a_formula_name_from_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(tmp_path / "working.gpkg")
    store.seed(
        {
            "stations": gpd.GeoDataFrame(
                {"id": ["s-1"], "name_zh": [HYPERLINK], "status": ["planned"], "deadline": ["2020-H1"], "done_status": ["completed"]},
                geometry=[Point(113.9, 22.9)],
                crs="EPSG:4326",
            )
        }
    )
    table = lm.schedule({"stations": store.read_layer("stations")}, as_of=date(2020, 12, 31))
    assert table.loc[0, "name_zh"] == HYPERLINK
    got: dict[str, bytes] = {}
    monkeypatch.setattr(page_metrics.st, "columns", lambda n: [_Column(got) for _ in range(n)])
    page_metrics._downloads(table, "schedule", "k")
    rows = list(csv.DictReader(io.StringIO(got["schedule.csv"].decode("utf-8-sig"))))
    assert rows[0]["name_zh"] == "'" + HYPERLINK
    ws = openpyxl.load_workbook(io.BytesIO(got["schedule.xlsx"])).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    named = next(c for c in cells if c.value == HYPERLINK)
    assert named.data_type == "s" and named.quotePrefix
    assert pd.read_excel(io.BytesIO(got["schedule.xlsx"])).shape == table.shape
