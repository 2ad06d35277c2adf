"""The registry's read path on odd input: field types (registry._normalise), the stored-layer upgrade and the
store's column decoding. Pins behaviour: these pass on the version that built every column as a Series too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import layers
from gis.store._read import _column
from layers.registry import _normalise
from layers.upgrade import BASELINE_USER, upgrade_stored

SPEC = layers.spec("road_links")


@pytest.fixture
def roads():
    return layers.load_baseline("road_links", derived=False)


def test_normalise_fills_optional_text_converts_types_and_leaves_the_input_alone(roads) -> None:
    raw = roads.copy()
    raw["target"] = raw["target"].astype(object)
    raw.loc[0, "target"] = None
    raw.loc[1, "target"] = np.nan
    raw["deadline"] = raw["deadline"].astype(object)  # no missing value: unchanged
    raw["version"] = raw["version"].astype("float64")  # whole numbers: back to int64
    raw["illustrative"] = raw["illustrative"].astype(object).where(raw.index != 2, 1)
    raw["updated_at"] = pd.to_datetime(raw["updated_at"])
    raw["area_mu"] = 1.0  # a derived column is dropped
    raw.index = raw.index + 10
    before = raw.copy()
    out = _normalise(raw, SPEC)
    pdt.assert_frame_equal(raw, before)  # the input is not changed
    assert list(out.index) == list(range(len(roads)))
    assert "area_mu" not in out.columns
    assert out.loc[0, "target"] == "" and out.loc[1, "target"] == ""
    assert out["deadline"].dtype == object and out["deadline"].tolist() == roads["deadline"].tolist()
    assert out["version"].dtype == "int64"
    assert out["illustrative"].tolist()[2] is True
    assert out.loc[0, "updated_at"] == "2020-03-04T00:00:00Z"
    assert out["target"].dtype == object


def test_normalise_keeps_a_float_that_is_not_whole_and_required_text_as_is(roads) -> None:
    raw = roads.copy()
    raw["version"] = raw["version"].astype("float64")
    raw.loc[0, "version"] = 1.5
    raw["name_en"] = raw["name_en"].astype(object)
    raw.loc[1, "name_en"] = None  # required: left for validation to refuse
    out = _normalise(raw, SPEC)
    assert out["version"].dtype == "float64"
    assert out.loc[1, "name_en"] is None


def test_normalise_on_a_range_index_and_a_categorical_text(roads) -> None:
    raw = roads.copy()
    raw["target"] = raw["target"].astype("category")
    out = _normalise(raw, SPEC)
    assert out is not raw
    assert isinstance(out.index, pd.RangeIndex) and list(out.index) == list(range(len(roads)))
    assert out["target"].tolist() == roads["target"].tolist()


def test_upgrade_overwrites_an_unedited_feature_that_differs_and_keeps_an_edited_one(roads) -> None:
    stored = roads.copy()
    stored["target"] = stored["target"].astype(object)
    stored.loc[0, "target"] = "changed by an old baseline"
    stored.loc[1, ["target", "version", "updated_by"]] = ["edited", 2, "planner"]
    before = stored.copy()
    out = upgrade_stored(stored, SPEC, baseline=roads)
    pdt.assert_frame_equal(stored, before)
    assert out.loc[0, "target"] == roads.loc[0, "target"]
    assert out.loc[1, "target"] == "edited"
    assert out["target"].tolist()[2:] == roads["target"].tolist()[2:]


def test_upgrade_of_a_current_store_changes_nothing(roads) -> None:
    out = upgrade_stored(roads, SPEC, baseline=roads)
    pdt.assert_frame_equal(out, roads)
    assert out is not roads


def test_upgrade_reads_missing_values_and_unknown_ids(roads) -> None:
    stored = roads.copy()
    stored["plan_quote"] = stored["plan_quote"].astype(object)
    stored.loc[0, "plan_quote"] = None
    stored.loc[1, "id"] = "road-99"  # not in the baseline: left as it is
    stored.loc[1, "plan_quote"] = "own"
    stored["version"] = stored["version"].astype(object)
    stored.loc[2, "version"] = "1"  # read as a number
    stored.loc[3, "updated_by"] = None
    out = upgrade_stored(stored, SPEC, baseline=roads)
    assert out.loc[0, "plan_quote"] == roads.loc[0, "plan_quote"]
    assert out.loc[1, "plan_quote"] == "own"
    assert pd.isna(out.loc[3, "updated_by"])
    assert (out["updated_by"] == BASELINE_USER).sum() == len(roads) - 1


def test_upgrade_fills_a_missing_field_by_id(roads) -> None:
    stored = roads.drop(columns=["towns"]).iloc[::-1].reset_index(drop=True)
    out = upgrade_stored(stored, SPEC, baseline=roads)
    assert out.set_index("id")["towns"].to_dict() == roads.set_index("id")["towns"].to_dict()


@pytest.mark.parametrize(
    ("values", "declared", "dtype", "expected"),
    [
        ([1, 2, None], "INTEGER", "float64", [1.0, 2.0, np.nan]),
        ([1, 2, 3], "BIGINT", "int64", [1, 2, 3]),
        ([1.5, None], "REAL", "float64", [1.5, np.nan]),
        ([1, 0], "BOOLEAN", "bool", [True, False]),
        ([1, None], "BOOLEAN", "object", [1, None]),
        (["a", None], "TEXT", "str", ["a", np.nan]),
        (["a", b"\x00"], "TEXT", "object", ["a", b"\x00"]),
        ([b"\x01", None], "BLOB", "object", [b"\x01", None]),
        ([], "TEXT", "object", []),
        ([], "INTEGER", "int64", []),
    ],
)
def test_store_columns_decode_as_before(values, declared, dtype, expected) -> None:
    col = _column(values, declared)
    assert str(col.dtype) == dtype
    got = col.tolist()
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert (g != g and e != e) or g == e


def test_store_dates_decode_as_before() -> None:
    col = _column(["2020-03-04", None], "DATE")
    assert col.iloc[0] == pd.Timestamp("2020-03-04") and pd.isna(col.iloc[1])
    col = _column(["2020-03-04T00:00:00Z", "2020-03-05T00:00:00"], "DATETIME")
    assert str(col.dt.tz) == "UTC"


def test_upgrade_refuses_a_baseline_with_repeated_ids_as_pandas_does(roads) -> None:
    doubled = roads.copy()
    doubled.loc[1, "id"] = doubled.loc[0, "id"]
    with pytest.raises(pd.errors.InvalidIndexError):
        upgrade_stored(roads, SPEC, baseline=doubled)
