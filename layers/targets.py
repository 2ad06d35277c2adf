"""Every row of ``plan_targets.csv`` measured on the layers, by one generic evaluator.

A target row names a ``layer``, a ``selector`` (``field=value`` terms joined by ``;``, all of which must
hold; ``a|b`` means any of the values) and a ``measure``:

- ``none``: the plan gives the target no place; it is listed with its value and "not measured on the map";
- ``count``: the features selected (context included: the nine towns are context the plan counts);
- ``count_done``: the selected plan items whose status reached their ``done_status``, and the total;
- ``sum_area_mu`` / ``sum_area_m2``: area of the selected features on EPSG:4547, total and done;
- ``sum_length_km``: length on EPSG:4547, total and done;
- ``sum_field:<column>``: the sum of a numeric attribute, total and done.

The comparison (``>=``, ``≈``, ``<=``, ``=``, ``range`` with ``value_max``) decides whether the achieved
figure meets the target. The achieved figure is the done one for every measure except ``count``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.area import M2_PER_MU, area_m2, to_measuring_crs
from gis.errors import InputError
from layers.spec import is_done, is_ongoing, is_plan_item

__all__ = ["APPROX_TOLERANCE", "MEASURES", "parse_selector", "select", "evaluate_target", "target_progress"]

#: How close "约 N" (comparison ``≈``) must come to count as met: within 5 % below the figure. An
#: assumption: the plan says "约" without a tolerance; a planner may pass another one.
APPROX_TOLERANCE: float = 0.05

#: The measures a target row may declare (``sum_field:<column>`` takes a column name after the colon).
MEASURES: tuple[str, ...] = ("none", "count", "count_done", "sum_area_mu", "sum_area_m2", "sum_length_km", "sum_field")


def parse_selector(text: str | None) -> list[tuple[str, tuple[str, ...]]]:
    """``"kind=substation_110kv;stage=site_selection|construction_start"`` → [(field, (values…)), …].

    Raises
    ------
    gis.errors.InputError
        A term without ``=`` or with an empty field.
    """
    terms: list[tuple[str, tuple[str, ...]]] = []
    for raw in str(text or "").split(";"):
        raw = raw.strip()
        if not raw:
            continue
        field, sep, values = raw.partition("=")
        if not sep or not field.strip():
            raise InputError(f"选择条件 {raw!r} 应为 字段=值", f"selector term {raw!r} must be field=value")
        terms.append((field.strip(), tuple(v.strip() for v in values.split("|"))))
    return terms


def select(frame: pd.DataFrame, selector: str | None) -> pd.Series:
    """Which features of ``frame`` a selector picks (a field the frame lacks selects nothing).

    Returns
    -------
    pandas.Series of bool
        Indexed like ``frame``.
    """
    mask = pd.Series(True, index=frame.index)
    for field, values in parse_selector(selector):
        if field not in frame.columns:
            return pd.Series(False, index=frame.index)
        mask &= frame[field].astype("object").map(lambda v: str(v) if v is not None else "").isin(values)
    return mask


def _met(achieved: float, comparison: str, value: float | None, value_max: float | None, tolerance: float) -> bool | None:
    if value is None:
        return None
    if comparison == "<=":
        return achieved <= value
    if comparison == "≈":
        return achieved >= value * (1.0 - tolerance)
    if comparison == "range":
        return achieved >= value and (value_max is None or achieved <= value_max)
    return achieved >= value  # ">=" and "=" (a count the plan asks to reach)


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def evaluate_target(
    row: Mapping[str, Any], frames: Mapping[str, gpd.GeoDataFrame], *, tolerance: float = APPROX_TOLERANCE
) -> dict[str, Any]:
    """Measure one target row on the layers.

    Parameters
    ----------
    row : mapping
        A row of :func:`layers.plan_targets` (``key``, ``value``, ``value_max``, ``unit``, ``comparison``,
        ``layer``, ``selector``, ``measure`` …).
    frames : mapping
        Layer name → frame (EPSG:4326, as :func:`layers.load_all` returns).
    tolerance : float, keyword-only
        Share below the figure that still meets a ``≈`` target.

    Returns
    -------
    dict
        ``key``, ``item_zh``, ``item_en``, ``section``, ``deadline``, ``unit``, ``comparison``, ``value``,
        ``value_max``, ``measure``, ``layer``, ``selector``, ``measured`` (False for ``none`` or a missing
        layer), ``selected`` (features), ``total`` and ``done`` (in the measure's unit: count, 亩, m², km or
        the column's unit), ``ongoing`` (selected plan items with no completion target), ``achieved`` (the
        figure compared: ``total`` for ``count``, else ``done``), ``share`` (achieved / value) and ``met``.

    Raises
    ------
    gis.errors.InputError
        An unknown measure, or ``sum_field`` on a column that is missing or not numeric.
    """
    measure = str(row.get("measure") or "none").strip()
    name, _, column = measure.partition(":")
    if name not in MEASURES:
        raise InputError(f"目标 {row.get('key')} 的度量 {measure!r} 未知", f"target {row.get('key')}: unknown measure {measure!r}")
    value, value_max = _num(row.get("value")), _num(row.get("value_max"))
    out: dict[str, Any] = {
        k: (None if (isinstance(row.get(k), float) and math.isnan(row.get(k))) else row.get(k))
        for k in ("key", "item_zh", "item_en", "section", "deadline", "unit", "comparison", "layer", "selector", "plan_quote")
    }
    out.update({"value": value, "value_max": value_max, "measure": measure, "measured": False, "selected": None,
                "total": None, "done": None, "ongoing": None, "achieved": None, "share": None, "met": None})
    layer = str(row.get("layer") or "")
    if name == "none" or not layer or layer not in frames or frames[layer] is None:
        return out
    frame = frames[layer]
    picked = frame.loc[select(frame, row.get("selector")).to_numpy()]
    done = is_done(picked).to_numpy()
    if name in ("count", "count_done"):
        per = np.ones(len(picked))
    elif name == "sum_area_mu":
        per = area_m2(picked).to_numpy() / M2_PER_MU if len(picked) else np.zeros(0)
    elif name == "sum_area_m2":
        per = area_m2(picked).to_numpy() if len(picked) else np.zeros(0)
    elif name == "sum_length_km":
        per = to_measuring_crs(picked).length.to_numpy() / 1000.0 if len(picked) else np.zeros(0)
    else:
        if not column or column not in frame.columns:
            raise InputError(f"目标 {row.get('key')} 求和的字段 {column!r} 不存在", f"target {row.get('key')}: no column {column!r} to sum")
        per = pd.to_numeric(picked[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    total = float(per.sum())
    done_sum = float(per[done].sum())
    achieved = total if name == "count" else done_sum
    out.update({
        "measured": True,
        "selected": int(len(picked)),
        "total": total,
        "done": done_sum,
        "ongoing": int((is_ongoing(picked) & is_plan_item(picked)).sum()),
        "achieved": achieved,
        "share": achieved / value if value else None,
        "met": _met(achieved, str(row.get("comparison") or ">="), value, value_max, tolerance),
    })
    return out


def target_progress(
    frames: Mapping[str, gpd.GeoDataFrame], targets: pd.DataFrame, *, tolerance: float = APPROX_TOLERANCE
) -> list[dict[str, Any]]:
    """Every target row measured (:func:`evaluate_target`), in the table's order; JSON-ready."""
    return [evaluate_target(r, frames, tolerance=tolerance) for r in targets.to_dict(orient="records")]
