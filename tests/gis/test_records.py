"""gis._records.records gives exactly what ``DataFrame.to_dict("records")`` gives, for every kind of column."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from gis._records import records


def _same(a: object, b: object) -> bool:
    if a is pd.NA or b is pd.NA or a is pd.NaT or b is pd.NaT:
        return a is b
    if isinstance(a, float) and a != a:
        return isinstance(b, float) and b != b
    return type(a) is type(b) and a == b


@pytest.fixture
def odd() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "text": ["a", None, "c"],
            "obj": pd.Series(["x", np.nan, pd.NA], dtype=object),
            "mixed": pd.Series([np.int64(3), np.float64(2.5), np.bool_(True)], dtype=object),
            "i64": np.array([1, 2, 3], dtype="int64"),
            "i32": np.array([1, 2, 3], dtype="int32"),
            "f64": [1.5, np.nan, 3.0],
            "b": [True, False, True],
            "masked": pd.array([1, None, 3], dtype="Int64"),
            "cat": pd.Categorical(["planned", None, "completed"]),
            "cat_int": pd.Categorical([1, 2, 1]),
            "when": pd.to_datetime(["2020-03-04", None, "2020-12-31"]),
            "when_utc": pd.to_datetime(["2020-03-04T00:00:00Z", None, "2020-12-31T12:00:00Z"], utc=True),
            "lists": [[1, 2], [], ["a"]],
        },
        geometry=[Point(113.9, 22.9), None, Point(113.8, 22.8)],
        crs="EPSG:4326",
    )


def test_the_same_rows_as_to_dict_records(odd: gpd.GeoDataFrame) -> None:
    names = [c for c in odd.columns if c != "geometry"]
    expected = odd[names].to_dict("records")
    got = records(odd, names)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert list(g) == list(e)
        for key in e:
            assert _same(g[key], e[key]), (key, g[key], e[key])


def test_a_subset_in_another_order_and_the_geometry(odd: gpd.GeoDataFrame) -> None:
    names = ["f64", "text", "geometry", "i64"]
    expected = odd[names].to_dict("records")
    got = records(odd, names)
    for g, e in zip(got, expected, strict=True):
        assert list(g) == names
        assert all(_same(g[k], e[k]) or (k == "geometry" and g[k] is e[k]) for k in names)


def test_empty_frames_and_no_columns(odd: gpd.GeoDataFrame) -> None:
    assert records(odd.iloc[0:0], ["text", "i64"]) == []
    assert records(odd, []) == [{}, {}, {}]


def test_repeated_column_names_are_left_to_pandas() -> None:
    frame = pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # to_dict warns that a column is left out
        expected = frame[["a"]].to_dict("records")
        assert records(frame, ["a"]) == expected
