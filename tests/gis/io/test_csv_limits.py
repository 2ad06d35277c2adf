"""CSV point tables bounded while reading, before pandas builds a frame (issue 11 item 3)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import gis.io.csv_points as csv_module
from gis import settings
from gis.errors import LimitExceeded
from gis.io import read_any


@pytest.fixture
def no_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the reader hands the text to pandas: limits must be checked first."""

    def refuse(*args: object, **kwargs: object) -> pd.DataFrame:
        raise AssertionError("pandas was asked to build a frame before the limits were checked")

    monkeypatch.setattr(csv_module.pd, "read_csv", refuse)


def test_very_many_columns_are_refused_before_pandas(tmp_path: Path, no_pandas: None) -> None:
    # The file: ~1.9 MB of very many columns took 1.25 GB and 35 s in pandas. A short row keeps
    # each line under the line limit so that the column limit is the one that speaks.
    width = settings.MAX_CSV_COLUMNS + 1
    header = "lon,lat," + ",".join(f"c{i}" for i in range(width - 2))
    path = tmp_path / "wide.csv"
    path.write_text(header[: settings.MAX_CSV_LINE_CHARS - 1] + "\n113.9,22.9\n", encoding="utf-8")
    with pytest.raises(LimitExceeded) as err:
        read_any(path)
    assert "columns" in err.value.en and str(settings.MAX_CSV_COLUMNS) in err.value.en and "列" in err.value.zh


def test_a_line_too_long_is_refused_naming_the_line(tmp_path: Path, no_pandas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_CSV_LINE_CHARS", 100)
    path = tmp_path / "long.csv"
    path.write_text("lon,lat,note\n113.9,22.9,ok\n113.9,22.9," + "x" * 200 + "\n", encoding="utf-8")
    with pytest.raises(LimitExceeded) as err:
        read_any(path)
    assert "line 3" in err.value.en and "SSL_GIS_MAX_CSV_LINE_CHARS" in err.value.en


def test_rows_and_cells_are_bounded(tmp_path: Path, no_pandas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("lon,lat\n" + "113.9,22.9\n" * 5, encoding="utf-8")
    monkeypatch.setattr(settings, "MAX_FEATURES", 4)
    with pytest.raises(LimitExceeded, match="rows"):
        read_any(path)
    monkeypatch.setattr(settings, "MAX_FEATURES", 100)
    monkeypatch.setattr(settings, "MAX_CSV_CELLS", 9)
    with pytest.raises(LimitExceeded, match="cells"):
        read_any(path)


def test_a_table_within_the_limits_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("名称;经度;纬度\n甲;113.9;22.9\n乙;113.91;22.91\n", encoding="utf-8")
    result = read_any(path)
    assert list(result.gdf["name_zh"]) == ["甲", "乙"]
