"""layers.provenance.illustrative_style reads one feature's ``illustrative`` exactly as is_official reads a column.

(illustrative_style runs once per drawn feature; it reads the value directly instead of through a one-row frame.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.provenance import ILLUSTRATIVE_STYLE, illustrative_style, is_official

VALUES = [True, False, np.True_, np.False_, None, np.nan, pd.NA, 0, 1, 0.0, 2.5, "false", "", np.int64(0), np.float64(1)]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_illustrative_style_agrees_with_is_official(value: object) -> None:
    official = bool(is_official(pd.DataFrame({"illustrative": [value]})).iloc[0])
    style = illustrative_style({"illustrative": value}, {"color": "#123456", "weight": 2})
    expected = {"color": "#123456", "weight": 2} if official else {"color": "#123456", "weight": 2, **ILLUSTRATIVE_STYLE}
    assert style == expected


def test_a_feature_without_the_field_is_illustrative() -> None:
    assert illustrative_style({}, {"color": "#000"}) == {"color": "#000", **ILLUSTRATIVE_STYLE}
