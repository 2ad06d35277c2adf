"""Rows of a small frame as dicts, read column by column (private to :mod:`gis` and :mod:`layers`).

``DataFrame.to_dict("records")`` builds a sub-frame and a tuple per row; on the plan's layers (tens of rows)
that overhead was most of the time of a validation and of a layer's display styles. :func:`records` gives the
same values (numpy scalars as Python scalars, as ``to_dict`` boxes them) from one object array of the frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["records"]

#: Types that ``to_dict`` passes through unchanged (most values): no boxing test for them.
_PLAIN: frozenset[type] = frozenset({str, float, int, bool, type(None)})


def _native(value: object) -> object:
    """A numpy scalar as the Python scalar ``to_dict("records")`` gives (other values as they are; ``pd.NA`` aside)."""
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        import pandas as pd

        return pd.Timestamp(value) if isinstance(value, np.datetime64) else pd.Timedelta(value)
    return value


def records(frame: pd.DataFrame, names: Sequence[str]) -> list[dict[str, Any]]:
    """``frame[list(names)].to_dict("records")``: the same keys, values and order, without the sub-frame.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The table; every name must be one of its columns.
    names : sequence of str
        The columns, in the order of each row's keys.

    Returns
    -------
    list of dict
        One dict per row.
    """
    names = list(names)
    if not frame.columns.is_unique:  # to_dict's own handling of repeated names (a warning, a column left out)
        return frame[names].to_dict("records")
    if not names:
        return [{} for _ in range(len(frame))]
    import pandas as pd

    na = pd.NA  # to_dict gives None for it
    at = [frame.columns.get_loc(name) for name in names]
    plain = _PLAIN
    return [
        dict(zip(names, [v if type(v) in plain else None if v is na else _native(v) for v in row[at]], strict=True))
        for row in frame.to_numpy(dtype=object)
    ]
