"""layers.spec.validate_frame on odd input: the same error (feature, field, text) whatever the column's dtype.

These pin behaviour (they pass on the version that read each row through ``to_dict("records")`` too): a
validation read column by column must refuse the same frames with the same words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import layers
from gis.errors import InputError
from layers.spec import validate_frame

SPEC = layers.spec("road_links")


@pytest.fixture
def roads():
    return layers.load_baseline("road_links", derived=False)


def _error(gdf) -> InputError:
    with pytest.raises(InputError) as err:
        validate_frame(gdf, SPEC)
    return err.value


def test_the_bundled_layer_passes_also_with_object_and_categorical_columns(roads) -> None:
    validate_frame(roads, SPEC)
    odd = roads.copy()
    odd["status"] = odd["status"].astype("category")
    odd["name_en"] = odd["name_en"].astype(object)
    odd["accuracy_m"] = odd["accuracy_m"].astype(object)
    odd["version"] = odd["version"].astype("Int64")
    odd["illustrative"] = odd["illustrative"].astype(object)
    validate_frame(odd, SPEC)


def test_an_empty_layer_passes(roads) -> None:
    validate_frame(roads.iloc[0:0], SPEC)


@pytest.mark.parametrize("blank", [None, np.nan, pd.NA, "  "])
def test_a_blank_required_value_names_the_feature_and_field(roads, blank) -> None:
    gdf = roads.copy()
    gdf["name_zh"] = gdf["name_zh"].astype(object)
    gdf.loc[2, "name_zh"] = blank
    err = _error(gdf)
    assert (err.feature, err.field) == (roads.loc[2, "id"], "name_zh")
    assert "required value is empty" in str(err)


@pytest.mark.parametrize("blank", [None, np.nan, pd.NA, ""])
def test_a_blank_optional_value_passes(roads, blank) -> None:
    gdf = roads.copy()
    gdf["target"] = gdf["target"].astype(object)
    gdf.loc[1, "target"] = blank
    validate_frame(gdf, SPEC)


def test_a_numpy_number_in_a_text_field_is_named_as_a_plain_number(roads) -> None:
    gdf = roads.copy()
    gdf["towns"] = gdf["towns"].astype(object)
    gdf.loc[3, "towns"] = np.int64(5)
    err = _error(gdf)
    assert (err.feature, err.field) == (roads.loc[3, "id"], "towns")
    assert "expected str, found 5" in str(err)  # boxed to 5, not np.int64(5)


def test_a_numpy_float_in_a_float_field_passes_and_a_negative_one_is_refused(roads) -> None:
    gdf = roads.copy()
    gdf["accuracy_m"] = gdf["accuracy_m"].astype(object)
    gdf.loc[0, "accuracy_m"] = np.float32(12.5)
    validate_frame(gdf, SPEC)
    gdf.loc[4, "accuracy_m"] = np.float64(-1.0)
    err = _error(gdf)
    assert (err.feature, err.field) == (roads.loc[4, "id"], "accuracy_m")
    assert "value -1.0 below 0.0" in str(err)


def test_a_status_not_allowed_in_a_categorical_column_is_refused(roads) -> None:
    gdf = roads.copy()
    gdf["status"] = gdf["status"].astype(object)
    gdf.loc[5, "status"] = "built"
    gdf["status"] = gdf["status"].astype("category")
    err = _error(gdf)
    assert (err.feature, err.field) == (roads.loc[5, "id"], "status")


def test_the_first_violation_in_row_order_wins(roads) -> None:
    gdf = roads.copy()
    gdf["kind"] = gdf["kind"].astype(object)
    gdf.loc[6, "kind"] = "lake"  # a later row's wrong kind
    gdf.loc[1, "accuracy_m"] = -5.0  # an earlier row's bad number
    err = _error(gdf)
    assert (err.feature, err.field) == (roads.loc[1, "id"], "accuracy_m")


def test_a_missing_column_and_a_duplicate_id_are_refused(roads) -> None:
    err = _error(roads.drop(columns=["towns"]))
    assert (err.feature, err.field) == ("*", "towns")
    gdf = roads.copy()
    gdf.loc[2, "id"] = gdf.loc[1, "id"]
    err = _error(gdf)
    assert (err.feature, err.field) == (roads.loc[1, "id"], "id")
    assert "duplicate id" in str(err)


def test_a_bool_field_takes_0_and_1_and_refuses_text(roads) -> None:
    gdf = roads.copy()
    gdf["illustrative"] = gdf["illustrative"].astype(object)
    gdf.loc[0, "illustrative"] = 1
    gdf.loc[1, "illustrative"] = np.bool_(False)
    validate_frame(gdf, SPEC)
    gdf.loc[2, "illustrative"] = "yes"
    err = _error(gdf)
    assert (err.feature, err.field) == (roads.loc[2, "id"], "illustrative")
    assert "found 'yes'" in str(err)
