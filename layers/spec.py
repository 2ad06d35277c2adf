"""Declarative layer specifications: the fields, statuses, targets and style of every plan layer.

A :class:`LayerSpec` says what a valid feature of a layer looks like. The registry
(:mod:`layers.registry`) loads a layer, checks every feature against its spec with :func:`validate_frame`
and adds the derived columns the spec asks for. Nothing here reads files.

Common fields (DESIGN.md "Layers and their fields") are on every feature of every layer; a layer spec adds
its own fields. Status values are stored in English and shown in Chinese (:data:`STATUS_LABELS`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._records import records
from gis.crs import DONGGUAN_BBOX, WGS84
from gis.errors import InputError
from layers.years import DEFAULT_PLAN_YEAR, MAX_PLAN_YEAR, MIN_PLAN_YEAR, deadline_label, deadline_year, plan_year_of

__all__ = [
    "FieldSpec",
    "LayerSpec",
    "COMMON_FIELDS",
    "STATUSES",
    "STATUS_LABELS",
    "STATUS_LABELS_EN",
    "STATUS_ORDER",
    "DEADLINES",
    "DEADLINE_LABELS",
    "PLAN_YEAR_FIELD",
    "DERIVED_COLUMNS",
    "ROLES",
    "status_reached",
    "validate_frame",
    "CONTEXT_LAYERS",
    "is_plan_item",
    "is_ongoing",
    "is_done",
    "has_place",
]

#: Status values in progress order, then the two that are not progress (DESIGN.md).
STATUSES: tuple[str, ...] = (
    "planned",
    "site_selection",
    "site_selected",
    "under_construction",
    "completed",
    "delayed",
    "cancelled",
)
#: How a status is shown in Chinese (DESIGN.md). ``completed`` reads 建成 / 通车 / 投用 by layer.
STATUS_LABELS: dict[str, str] = {
    "planned": "规划",
    "site_selection": "选址中",
    "site_selected": "已选址",
    "under_construction": "在建",
    "completed": "建成",
    "delayed": "滞后",
    "cancelled": "取消",
}
#: English labels of the statuses.
STATUS_LABELS_EN: dict[str, str] = {
    "planned": "planned",
    "site_selection": "site selection",
    "site_selected": "site selected",
    "under_construction": "under construction",
    "completed": "completed",
    "delayed": "delayed",
    "cancelled": "cancelled",
}
#: Rank of each progress status; ``delayed`` and ``cancelled`` have none (they never count as done).
STATUS_ORDER: dict[str, int] = {s: i for i, s in enumerate(STATUSES[:5])}

#: The plan's periods (DESIGN.md): Q1 第一季度, H1 上半年, 2020-09 9月份, H2 下半年, YE 年底前, 2020 年内/全年.
#: These are the bundled 2020 plan's; any plan year's codes are valid (:mod:`layers.years`: ``2021-H1`` …).
DEADLINES: tuple[str, ...] = ("2020-Q1", "2020-H1", "2020-09", "2020-H2", "2020-YE", "2020")


class _DeadlineLabels(dict[str, tuple[str, str, str]]):
    """The 2020 labels as a dict, answering any year's code too (``2021-H1`` → ("2021年上半年", "H1 2021", …)).

    Iterating, ``len`` and ``items`` give the 2020 entries exactly as before; lookups parse any year.
    """

    def __missing__(self, key: str) -> tuple[str, str, str]:
        label = deadline_label(key)
        if label is None:
            raise KeyError(key)
        return label

    def get(self, key: object, default: object = None) -> object:  # type: ignore[override]
        try:
            return self[key]  # type: ignore[index]
        except (KeyError, TypeError):
            return default

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or deadline_label(key) is not None


#: The plan's own words for each period, and the last day it allows (ISO date); any plan year is looked up.
DEADLINE_LABELS: dict[str, tuple[str, str, str]] = _DeadlineLabels({
    "2020-Q1": ("第一季度", "Q1 2020", "2020-03-31"),
    "2020-H1": ("上半年", "H1 2020", "2020-06-30"),
    "2020-09": ("9月份", "September 2020", "2020-09-30"),
    "2020-H2": ("下半年", "H2 2020", "2020-12-31"),
    "2020-YE": ("年底前", "by year end 2020", "2020-12-31"),
    "2020": ("年内/全年", "during 2020", "2020-12-31"),
})

#: What a feature is to the plan (DESIGN.md "Status is not existence"; docs/status-model.md): a ``plan_item``
#: the plan asks something of, or ``context`` (a boundary, a water body, an existing place the plan only names)
#: that never counts in progress, schedule or overdue.
ROLES: tuple[str, ...] = ("plan_item", "context")

#: Columns the registry computes on load; never stored in the bundled GeoJSON.
DERIVED_COLUMNS: tuple[str, ...] = ("area_mu", "length_km", "town", "done")

_ID_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
#: A section path as :func:`layers.plan_reader.split_sections` writes it: (四)二 in the 2020 plan, 二(一)3. in others.
_PLAN_REF_RE = re.compile(r"^(?:\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}|\d{1,2}\.|\(\d{1,2}\))+$")
_GEOM_FAMILY = {
    "Point": "Point",
    "MultiPoint": "Point",
    "LineString": "LineString",
    "MultiLineString": "LineString",
    "Polygon": "Polygon",
    "MultiPolygon": "Polygon",
}


def status_reached(status: str, done_status: str) -> bool:
    """Whether a feature in ``status`` has met a target that is met at ``done_status``.

    Parameters
    ----------
    status : str
        The feature's current status (one of :data:`STATUSES`).
    done_status : str
        The status at which the plan's target for the feature is met, e.g. ``site_selected`` for
        "完成项目选址", ``under_construction`` for "动工", ``completed`` for "建成/通车/投用".

    Returns
    -------
    bool
        True when ``status`` is at or beyond ``done_status`` in :data:`STATUS_ORDER`; ``delayed`` and
        ``cancelled`` are never done.
    """
    if status not in STATUS_ORDER or done_status not in STATUS_ORDER:
        return False
    return STATUS_ORDER[status] >= STATUS_ORDER[done_status]


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a layer.

    Attributes
    ----------
    name : str
        Column name.
    type : {"str", "int", "float", "bool"}
        Value type. Numbers read from a store may come back as floats; whole floats pass as ``int``.
    required : bool
        A missing or empty value is an error when True.
    allowed : tuple of str, optional
        The only values allowed (for ``str`` fields).
    min_value : float, optional
        Smallest allowed number.
    description : str
        What the field holds, with its unit.
    """

    name: str
    type: str = "str"
    required: bool = True
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    description: str = ""


#: The fields every feature of every layer carries (DESIGN.md), plus ``role``, ``illustrative`` and ``done_status``.
COMMON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", description="stable identifier, e.g. road-07"),
    FieldSpec("name_zh", description="name in Chinese"),
    FieldSpec("name_en", description="name in English"),
    FieldSpec("layer", description="the layer's name"),
    FieldSpec("kind", description="what the feature is within its layer"),
    FieldSpec("status", allowed=STATUSES, description="progress, stored in English (STATUS_LABELS for Chinese)"),
    FieldSpec("role", allowed=ROLES, description="plan_item (the plan asks something of it) or context (never counted)"),
    FieldSpec(
        "done_status", required=False, allowed=STATUSES[:5],
        description="the status at which the plan's target is met; empty for context and for ongoing work "
        "(加快/推进/谋划/研究/争取: no finished state asked)",
    ),
    FieldSpec(
        "deadline", required=False,
        description="the plan's period as a code of the item's plan year (2020-H1, 2021-09 …; layers.years); "
        "empty where the plan's words give none",
    ),
    FieldSpec("plan_ref", description="section of the plan, e.g. (四)二"),
    FieldSpec("plan_quote", description="the sentence or clause of the plan that created the item, verbatim"),
    FieldSpec("target", required=False, description="the plan's words for this item's 2020 target"),
    FieldSpec("source", description="where the geometry comes from and whether it is illustrative"),
    FieldSpec("illustrative", "bool", description="true when the geometry is illustrative, not the real place"),
    FieldSpec("accuracy_m", "float", min_value=0.0, description="honest positional uncertainty in metres"),
    FieldSpec("updated_at", description="ISO 8601 time of the last change (UTC)"),
    FieldSpec("updated_by", description="who made the last change"),
    FieldSpec("version", "int", min_value=1, description="edit counter, 1 for the baseline"),
)


#: The optional ``plan_year`` field (issue 16): the year of the plan that set the item's target and deadline.
#: Absent or empty means the bundled 2020 plan (:data:`layers.years.DEFAULT_PLAN_YEAR`), so stores made before
#: plans had years need no migration; when present it is checked on load, and a deadline must fall in it.
PLAN_YEAR_FIELD = FieldSpec(
    "plan_year", "int", required=False, min_value=float(MIN_PLAN_YEAR),
    description=f"the year of the plan that set the target and deadline; empty means {DEFAULT_PLAN_YEAR}",
)


@dataclass(frozen=True)
class LayerSpec:
    """What a layer is and what a valid feature of it looks like.

    Attributes
    ----------
    name : str
        Registry name (also the value of every feature's ``layer`` field).
    title_zh, title_en : str
        Display names.
    files : tuple of str
        Bundled GeoJSON files under ``data/geo/`` that make up the baseline, in order.
    geometry_types : tuple of str
        Allowed geometry families: ``Point``, ``LineString``, ``Polygon`` (multi-part variants included).
    kinds : tuple of str
        Allowed ``kind`` values.
    statuses : tuple of str
        Statuses that apply to this layer (a subset of :data:`STATUSES`).
    done_zh, done_en : str
        What "done" means for the layer's target.
    fields : tuple of FieldSpec
        Layer fields beyond :data:`COMMON_FIELDS`.
    derived : tuple of str
        Derived columns computed on load (subset of :data:`DERIVED_COLUMNS`).
    style : dict
        Default map style: ``color``, ``fill_color``, ``weight`` (px), ``fill_opacity``, ``radius`` (px),
        and optionally ``by_kind`` overrides.
    completed_zh : str
        How ``completed`` reads for this layer (建成 / 通车 / 投用).
    geometry_optional : bool
        Features may have no geometry (plan items the plan gives no place: issue 16's ``plan_items``).
    """

    name: str
    title_zh: str
    title_en: str
    files: tuple[str, ...]
    geometry_types: tuple[str, ...]
    kinds: tuple[str, ...]
    statuses: tuple[str, ...]
    done_zh: str
    done_en: str
    fields: tuple[FieldSpec, ...] = ()
    derived: tuple[str, ...] = ("town", "done")
    style: Mapping[str, Any] = field(default_factory=dict)
    completed_zh: str = "建成"
    geometry_optional: bool = False

    @property
    def all_fields(self) -> tuple[FieldSpec, ...]:
        """Common fields followed by the layer's own fields."""
        return COMMON_FIELDS + self.fields

    @property
    def field_names(self) -> list[str]:
        """Names of every stored field, in order (no derived columns, no geometry)."""
        return [f.name for f in self.all_fields]

    def status_label(self, status: str, *, lang: str = "zh") -> str:
        """Label of a status for display (``completed`` reads as the layer's 建成/通车/投用)."""
        if lang == "zh":
            return self.completed_zh if status == "completed" else STATUS_LABELS.get(status, status)
        return STATUS_LABELS_EN.get(status, status)

    def style_for(self, kind: str, *, action: str | None = None) -> dict[str, Any]:
        """The map style of a feature: the layer default, then the kind's and the action's overrides.

        Parameters
        ----------
        kind : str
            The feature's ``kind``.
        action : str, optional, keyword-only
            The feature's ``action`` (land parcels are styled by action).

        Returns
        -------
        dict
            Leaflet-style options: ``color``, ``fill_color``, ``weight`` (px), ``radius`` (px), …
        """
        base = {k: v for k, v in self.style.items() if not k.startswith("by_")}
        base.update(dict(self.style.get("by_kind", {})).get(kind, {}))
        if action is not None:
            base.update(dict(self.style.get("by_action", {})).get(action, {}))
        return base


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def _type_ok(value: object, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool) or (hasattr(value, "dtype") and str(getattr(value, "dtype", "")) == "bool") or (
            isinstance(value, int | float) and value in (0, 1)
        )
    if isinstance(value, bool):
        return False
    if kind == "int":
        try:
            return float(value) == int(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    if kind == "float":
        try:
            return math.isfinite(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return True


def _fail(feature: object, field_name: str, zh: str, en: str) -> InputError:
    err = InputError(f"要素 {feature} 的字段 {field_name}：{zh}", f"feature {feature}, field {field_name}: {en}")
    err.feature = feature  # type: ignore[attr-defined]
    err.field = field_name  # type: ignore[attr-defined]
    return err


def validate_frame(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> None:
    """Check every feature of a layer against its spec; raise on the first violation.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer in EPSG:4326, with stored fields (derived columns are ignored).
    spec : LayerSpec
        The layer's specification.

    Raises
    ------
    gis.errors.InputError
        Naming the feature id and the field (also as attributes ``feature`` and ``field``): a missing
        column, an empty required value, a wrong type, a value not allowed, a duplicate or malformed id,
        an invalid, empty or wrongly typed geometry, or a geometry outside Dongguan.
    """
    if gdf.crs is None or not gdf.crs.equals(WGS84):
        raise _fail("*", "geometry", f"图层 {spec.name} 的坐标系必须为 EPSG:4326，实为 {gdf.crs}",
                    f"layer {spec.name} must be in EPSG:4326, found {gdf.crs}")
    for f in spec.all_fields:
        if f.name not in gdf.columns:
            raise _fail("*", f.name, f"图层 {spec.name} 缺少该字段", f"layer {spec.name} lacks this column")
    ids = gdf["id"].tolist()
    seen: set[object] = set()
    for fid in ids:
        if _blank(fid) or not isinstance(fid, str) or not _ID_RE.match(fid):
            raise _fail(fid, "id", "编号为空或格式不对 (应如 road-07)", "id empty or malformed (expected like road-07)")
        if fid in seen:
            raise _fail(fid, "id", "编号重复", "duplicate id")
        seen.add(fid)
    allowed_status = set(spec.statuses)
    years = _plan_years(gdf, ids)
    for fid, rec in zip(ids, records(gdf, spec.field_names)):
        for f in spec.all_fields:
            value = rec[f.name]
            if _blank(value):
                if f.required:
                    raise _fail(fid, f.name, "必填字段为空", "required value is empty")
                continue
            if not _type_ok(value, f.type):
                raise _fail(fid, f.name, f"类型应为 {f.type}，实为 {value!r}", f"expected {f.type}, found {value!r}")
            if f.allowed is not None and value not in f.allowed:
                raise _fail(fid, f.name, f"取值 {value!r} 不在 {list(f.allowed)} 中", f"value {value!r} not in {list(f.allowed)}")
            if f.min_value is not None and float(value) < f.min_value:
                raise _fail(fid, f.name, f"取值 {value!r} 小于 {f.min_value}", f"value {value!r} below {f.min_value}")
        if rec["layer"] != spec.name:
            raise _fail(fid, "layer", f"应为 {spec.name}", f"expected {spec.name}, found {rec['layer']!r}")
        if rec["kind"] not in spec.kinds:
            raise _fail(fid, "kind", f"类别 {rec['kind']!r} 不属于本图层", f"kind {rec['kind']!r} not allowed in {spec.name}")
        if rec["status"] not in allowed_status:
            raise _fail(fid, "status", f"状态 {rec['status']!r} 不适用于本图层", f"status {rec['status']!r} does not apply to {spec.name}")
        if not _PLAN_REF_RE.match(str(rec["plan_ref"])):
            raise _fail(fid, "plan_ref", "章节格式应如 (四)二", "section must look like (四)二")
        done = rec["done_status"]
        if not _blank(done) and done not in allowed_status:
            raise _fail(fid, "done_status", f"目标状态 {done!r} 不适用于本图层", f"done_status {done!r} does not apply to {spec.name}")
        _check_year(fid, rec, years.get(fid) if years is not None else DEFAULT_PLAN_YEAR)
        if rec["role"] == "context" and not (_blank(done) and _blank(rec["deadline"])):
            raise _fail(fid, "role", "背景要素 (context) 不应有目标状态或期限",
                        "a context feature has no done_status and no deadline")
    _validate_geometry(gdf, spec, ids)


def _plan_years(gdf: gpd.GeoDataFrame, ids: list[object]) -> dict[object, int] | None:
    """Each feature's plan year (the optional column, 2020 where absent); refuses a malformed year."""
    if "plan_year" not in gdf.columns:
        return None
    for fid, value in zip(ids, gdf["plan_year"].tolist()):
        if _blank(value):
            continue
        if not _type_ok(value, "int") or not MIN_PLAN_YEAR <= float(value) <= MAX_PLAN_YEAR:
            raise _fail(fid, "plan_year", f"计划年度应为 {MIN_PLAN_YEAR}–{MAX_PLAN_YEAR} 的整数，实为 {value!r}",
                        f"plan year must be a whole year {MIN_PLAN_YEAR}–{MAX_PLAN_YEAR}, found {value!r}")
    return dict(zip(ids, plan_year_of(gdf).tolist()))


def _check_year(fid: object, rec: Mapping[str, Any], year: int | None) -> None:
    """A deadline is a code (layers.years) of the item's plan year: ``2021-H1`` on a 2020 item is refused."""
    deadline = rec["deadline"]
    if _blank(deadline):
        return
    got = deadline_year(deadline)
    if got is None or got != (year or DEFAULT_PLAN_YEAR):
        raise _fail(fid, "deadline", f"期限 {deadline!r} 不是计划年度 {year} 的期限 (应如 {year}-H1)",
                    f"deadline {deadline!r} is not a period of plan year {year} (expected like {year}-H1)")


def _validate_geometry(gdf: gpd.GeoDataFrame, spec: LayerSpec, ids: list[object]) -> None:
    geoms = gdf.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms)
    kinds = shapely.get_type_id(geoms)
    type_names = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}
    lon0, lat0, lon1, lat1 = DONGGUAN_BBOX
    bounds = shapely.bounds(geoms)
    for i, fid in enumerate(ids):
        if missing[i]:
            if spec.geometry_optional:
                continue
            raise _fail(fid, "geometry", "几何为空", "geometry is empty")
        family = _GEOM_FAMILY.get(type_names.get(int(kinds[i]), "?"))
        if family not in spec.geometry_types:
            allowed = list(spec.geometry_types)
            raise _fail(fid, "geometry", f"几何类型应为 {allowed}", f"geometry must be one of {allowed}")
        if not valid[i]:
            reason = shapely.is_valid_reason(geoms[i])
            raise _fail(fid, "geometry", f"几何无效: {reason}", f"invalid geometry: {reason}")
        b = bounds[i]
        if not (lon0 <= b[0] and b[2] <= lon1 and lat0 <= b[1] and b[3] <= lat1):
            raise _fail(fid, "geometry", "几何超出东莞范围", "geometry lies outside Dongguan")


# --- plan items and "done" (issue 10: one rule, read by every figure) ---------------------------------------

#: Layers whose features are context (boundaries, water) when a frame has no ``role`` column yet.
CONTEXT_LAYERS: tuple[str, ...] = ("boundaries", "water")


def _layer_of(frame: pd.DataFrame) -> np.ndarray:
    if "layer" in frame.columns:
        return frame["layer"].to_numpy(dtype=object)
    return np.full(len(frame), frame.attrs.get("layer"), dtype=object)


def _isin(values: np.ndarray, allowed: Collection[str]) -> np.ndarray:
    """``values[i] in allowed`` for each value (bool array); only text can match, missing values never do.

    Set lookups in Python, not pandas operations: the layers are hundreds of rows and these tests run a
    hundred times per computation of the plan's figures, where pandas' per-call overhead (≈ 1–2 ms a Series
    operation) was most of the cost.
    """
    allowed = frozenset(allowed)
    return np.fromiter((isinstance(v, str) and v in allowed for v in values), dtype=bool, count=len(values))


def _ranks(values: np.ndarray) -> np.ndarray:
    """:data:`STATUS_ORDER` rank of each value, NaN for anything else."""
    return np.fromiter((STATUS_ORDER.get(v, np.nan) if isinstance(v, str) else np.nan for v in values), dtype=float, count=len(values))


def is_plan_item(frame: pd.DataFrame) -> pd.Series:
    """Which features are plan items (the plan asks something of them) rather than context.

    Parameters
    ----------
    frame : pandas.DataFrame
        A layer; reads ``role`` (``plan_item`` / ``context``) when present. Without it (or where it is
        empty) features of :data:`CONTEXT_LAYERS` (by the ``layer`` column or ``frame.attrs["layer"]``)
        are context and every other feature is a plan item.

    Returns
    -------
    pandas.Series of bool
        Indexed like ``frame``; context never counts in progress, schedule or overdue.
    """
    return pd.Series(_plan_item_mask(frame), index=frame.index, dtype=bool)


def _plan_item_mask(frame: pd.DataFrame) -> np.ndarray:
    fallback = ~_isin(_layer_of(frame), CONTEXT_LAYERS)
    if "role" not in frame.columns:
        return fallback
    role = frame["role"].to_numpy(dtype=object)
    known = _isin(role, ("plan_item", "context"))
    return (_isin(role, ("plan_item",)) & known) | (fallback & ~known)


def is_ongoing(frame: pd.DataFrame) -> pd.Series:
    """Plan items with no completion target (empty ``done_status``: 加快/推进/谋划/研究/争取): tracked, never done."""
    if "done_status" not in frame.columns:
        return pd.Series(False, index=frame.index)
    dn = frame["done_status"].to_numpy(dtype=object)
    return pd.Series(_plan_item_mask(frame) & ~_isin(dn, STATUS_ORDER), index=frame.index, dtype=bool)


def is_done(frame: pd.DataFrame) -> pd.Series:
    """Plan items whose ``status`` has reached their ``done_status`` (see :func:`status_reached`).

    Context, ongoing items (no ``done_status``), ``delayed`` and ``cancelled`` are never done. A frame with
    a ``done`` column but no ``done_status`` (a hand-made frame) is read through its ``done`` column.

    Returns
    -------
    pandas.Series of bool
        Indexed like ``frame``.
    """
    plan = _plan_item_mask(frame)
    if "done_status" not in frame.columns and "done" in frame.columns:
        return (frame["done"].fillna(False).astype(bool) & pd.Series(plan, index=frame.index)).astype(bool)
    n = len(frame)
    st = _ranks(frame["status"].to_numpy(dtype=object)) if "status" in frame.columns else np.full(n, np.nan)
    if "done_status" in frame.columns:
        dn = _ranks(frame["done_status"].to_numpy(dtype=object))
    else:
        dn = np.full(n, float(STATUS_ORDER["completed"]))
    with np.errstate(invalid="ignore"):
        reached = st >= dn  # NaN on either side compares False: not done
    return pd.Series(plan & reached, index=frame.index, dtype=bool)


def has_place(frame: pd.DataFrame) -> pd.Series:
    """Which features have a place: a geometry that is present and not empty (an accepted plan item may have none).

    Returns
    -------
    pandas.Series of bool
        Indexed like ``frame``; all False for a frame without a geometry column.
    """
    if "geometry" not in frame.columns or not len(frame):
        return pd.Series(False, index=frame.index, dtype=bool)
    geoms = np.asarray(frame["geometry"].array, dtype=object)
    return pd.Series(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)), index=frame.index, dtype=bool)
