"""gis.text.display_safe_frame on odd frames: which columns are escaped, and what stays as it was.

Pins behaviour (passes on the version that read each column as a Series too).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pandas.testing as pdt
from shapely.geometry import Point

from gis.text import display_safe_frame

RLO = "路\u202egpj.exe"


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "text": ["a", RLO, None],
            "obj": pd.Series([RLO, 5, np.nan], dtype=object),
            "cat": pd.Categorical([RLO, "b", "b"]),
            "num": [1.0, np.nan, 3.0],
            "clean": ["x", "y", "z"],
        },
        geometry=[Point(0, 0), None, Point(1, 1)],
        crs="EPSG:4326",
    )


def test_hidden_characters_are_escaped_in_text_columns_only() -> None:
    frame = _frame()
    before = frame.copy()
    out = display_safe_frame(frame)
    pdt.assert_frame_equal(frame, before)  # the input is not changed
    assert out is not frame and isinstance(out, gpd.GeoDataFrame)
    assert out["text"].tolist()[1] == "路\\u202egpj.exe" and pd.isna(out["text"].tolist()[2])
    assert out["obj"].tolist()[0] == "路\\u202egpj.exe" and out["obj"].tolist()[1] == 5
    assert out["cat"].tolist()[0] == RLO  # a categorical column is not text here
    pdt.assert_series_equal(out["num"], frame["num"])
    pdt.assert_series_equal(out["clean"], frame["clean"])
    assert out.geometry.tolist()[1] is None and out.crs == frame.crs


def test_a_clean_frame_comes_back_equal() -> None:
    frame = _frame().drop(columns=["text", "obj", "cat"])
    pdt.assert_frame_equal(display_safe_frame(frame), frame)
    empty = frame.iloc[0:0]
    pdt.assert_frame_equal(display_safe_frame(empty), empty)


def test_repeated_column_names_are_escaped_too() -> None:
    frame = pd.DataFrame([[RLO, "a"], ["b", RLO]], columns=["n", "n"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = display_safe_frame(frame)
    assert out.to_numpy().tolist() == [["路\\u202egpj.exe", "a"], ["b", "路\\u202egpj.exe"]]
