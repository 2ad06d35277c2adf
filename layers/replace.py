"""Official data replaces illustrative data, item by item (issue 14, item 2).

An editor brings an official file (the 交通 department's roads, 自然资源分局's parcels, the power company's
substation sites) onto a plan layer. :func:`preview_replacement` matches the incoming features to the
layer's items — by id, by name (:func:`normalise_name`), then by geometry — and says what would change;
:func:`commit_replacement` writes the matched geometries and the chosen attributes in ONE store transaction
(:meth:`gis.store.StoreBase.update_features`) with history rows, so ``as_of`` before the commit gives the
illustrative geometry back. ``plan_ref``, ``plan_quote``, ``target``, ``deadline`` and the status history
stay with the item; ``illustrative``, ``source`` and ``accuracy_m`` come from what the user states.

Measuring is done in EPSG:4547 through :func:`gis.area.to_measuring_crs`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.area import M2_PER_MU, to_measuring_crs
from gis.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from gis.store import StoreBase

__all__ = [
    "POLYGON_MIN_IOU",
    "LINE_MAX_HAUSDORFF_M",
    "POINT_MAX_DISTANCE_M",
    "KEPT_FIELDS",
    "ReplacePreview",
    "normalise_name",
    "preview_replacement",
    "commit_replacement",
]

#: Least intersection-over-union for two polygons to be the same parcel. 0.5 is the overlap criterion of
#: the PASCAL VOC benchmark for "the same object" (Everingham et al., IJCV 88, 2010, §4.4); an official
#: parcel redrawn from an illustrative one usually overlaps far more, a neighbour far less.
POLYGON_MIN_IOU: float = 0.5
#: Largest Hausdorff distance (m, EPSG:4547) for two lines to be the same road: about two red-line widths
#: of an urban arterial (40–60 m, 《城市道路工程设计规范》CJJ 37-2012 / GB 50220-95 §7.2). Lines further
#: apart, everywhere, are different roads; an assumption, not a standard.
LINE_MAX_HAUSDORFF_M: float = 100.0
#: Largest distance (m) for two points to be the same site: a substation or station site spans tens of
#: metres (a 110 kV indoor substation occupies roughly 50 m × 60 m, DL/T 5495-2015 land indicators); an
#: assumption.
POINT_MAX_DISTANCE_M: float = 60.0

#: Fields that belong to the plan item and are never taken from an official file.
KEPT_FIELDS: tuple[str, ...] = (
    "id", "layer", "kind", "role", "status", "done_status", "deadline", "plan_ref", "plan_quote", "target",
    "version", "updated_at", "updated_by", "illustrative", "source", "accuracy_m",
)  # fmt: skip

#: Incoming columns read as a feature's id / name, in order of preference.
_ID_COLUMNS = ("id", "ID", "编号", "要素编号")
_NAME_COLUMNS = ("name_zh", "名称", "道路名称", "地块名称", "项目名称", "站名", "站点名称", "name", "NAME", "Name")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十]+")
_BRACKETS = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")
_DROP = re.compile(r"[\s·.\-_—–―~～、,，:：;；'\"“”‘’/\\]+")
_SUFFIXES = ("大道", "路", "道", "线", "街")


def _cn_to_int(text: str) -> str:
    """A Chinese numeral of at most 99 (一, 十二, 二十, 二十三) as digits; other runs are left alone."""
    if "十" not in text:
        return "".join(str(_CN_DIGITS[c]) for c in text) if all(c in _CN_DIGITS for c in text) else text
    head, _, tail = text.partition("十")
    if len(head) > 1 or len(tail) > 1 or "十" in tail:
        return text
    tens = _CN_DIGITS.get(head, 1) if head else 1
    ones = _CN_DIGITS.get(tail, 0) if tail else 0
    return str(tens * 10 + ones)


def normalise_name(text: object, *, keep_brackets: bool = False) -> str:
    """A name reduced to what identifies it, so an official name finds the plan's name.

    Full-width characters become half-width (NFKC: ``１２`` → ``12``), Chinese numerals become digits
    (``十二`` → ``12``), leading zeros go (``01`` → ``1``), 号/期 and spaces and punctuation go, a bracketed
    part goes unless ``keep_brackets`` (``联网路 01（松山湖—寮步）`` → ``联网路1``), Latin letters are
    lower-cased, and one trailing 大道/路/道/线/街 goes (``工业西路`` → ``工业西``).

    Parameters
    ----------
    text : object
        The name; anything not text (None, NaN) gives ``""``.
    keep_brackets : bool, keyword-only
        Keep the text inside brackets (still without the bracket characters).

    Returns
    -------
    str
        The normalised name (``""`` when nothing is left).
    """
    if not isinstance(text, str):
        return ""
    s = unicodedata.normalize("NFKC", text).strip()
    s = s.replace("(", "（").replace(")", "）").replace("[", "【").replace("]", "】")
    s = re.sub(r"[（【]", "(", s)
    s = re.sub(r"[）】]", ")", s)
    s = re.sub(r"[()]", "", s) if keep_brackets else _BRACKETS.sub("", s)
    s = _CN_NUMBER.sub(lambda m: _cn_to_int(m.group(0)), s)
    s = re.sub(r"[号期]", "", s)
    s = _DROP.sub("", s).lower()
    s = re.sub(r"\d+", lambda m: str(int(m.group(0))), s)
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    return s


@dataclass(frozen=True)
class ReplacePreview:
    """What a replacement would do; nothing is written until :func:`commit_replacement`.

    Attributes
    ----------
    layer : str
        The target layer.
    matched : pandas.DataFrame
        One row per matched pair: ``feature_id``, ``name_zh`` (the item's), ``incoming`` (row position in
        ``incoming``), ``incoming_name``, ``how`` (``id`` | ``name`` | ``overlap`` | ``distance``),
        ``iou`` (polygons, else NaN), ``displacement_m`` (Hausdorff distance between the old and the new
        geometry, m, EPSG:4547), ``area_change_mu`` (new − old area in 亩; NaN for lines and points),
        ``version`` (the item's version seen), ``problem`` (why it cannot be written, or ``""``).
    new : geopandas.GeoDataFrame
        Incoming features that match no item (EPSG:4326), with their row position in ``incoming``.
    unmatched : pandas.DataFrame
        The layer's items left without official geometry: ``feature_id``, ``name_zh``, ``illustrative``.
    incoming : geopandas.GeoDataFrame
        The incoming features, EPSG:4326, as read.
    """

    layer: str
    matched: pd.DataFrame
    new: gpd.GeoDataFrame
    unmatched: pd.DataFrame
    incoming: gpd.GeoDataFrame

    @property
    def writable(self) -> pd.DataFrame:
        """The matched rows without a problem: what :func:`commit_replacement` writes."""
        return self.matched[self.matched["problem"] == ""]


def _column(frame: pd.DataFrame, candidates: Sequence[str], chosen: str | None) -> str | None:
    if chosen is not None:
        if chosen not in frame.columns:
            raise InputError(f"导入文件没有字段 {chosen}", f"the incoming file has no field {chosen!r}")
        return chosen
    return next((c for c in candidates if c in frame.columns), None)


def _family(geom_type: str) -> str:
    return {"MultiPolygon": "Polygon", "MultiLineString": "LineString", "MultiPoint": "Point"}.get(geom_type, geom_type)


def _coerce(geom: shapely.Geometry, like: str) -> shapely.Geometry | None:
    """``geom`` (2D) as the geometry type ``like`` (the stored one), or None if it cannot be without loss."""
    geom = shapely.force_2d(geom)
    if geom.geom_type == like:
        return geom
    if like.startswith("Multi") and _family(like) == geom.geom_type:
        return {"MultiPolygon": shapely.MultiPolygon, "MultiLineString": shapely.MultiLineString, "MultiPoint": shapely.MultiPoint}[like](
            [geom]
        )
    if geom.geom_type.startswith("Multi") and _family(geom.geom_type) == like:
        if len(geom.geoms) == 1:
            return geom.geoms[0]
        if like == "LineString":
            merged = shapely.line_merge(geom)
            return merged if merged.geom_type == "LineString" else None
    return None


def _pair_measures(old: shapely.Geometry, new: shapely.Geometry) -> tuple[float, float, float]:
    """(IoU or NaN, Hausdorff m, area change m² or NaN) of two geometries in EPSG:4547."""
    haus = float(shapely.hausdorff_distance(old, new))
    if _family(old.geom_type) == "Polygon" and _family(new.geom_type) == "Polygon":
        union = float(shapely.union(old, new).area)
        iou = float(shapely.intersection(old, new).area) / union if union > 0 else float("nan")
        return iou, haus, float(new.area - old.area)
    return float("nan"), haus, float("nan")


def _geometry_matches(
    items_m: gpd.GeoSeries, incoming_m: gpd.GeoSeries, free_items: list[int], free_in: list[int]
) -> list[tuple[int, int, str]]:
    """Mutual best geometric matches between free items and free incoming features (positions)."""
    if not free_items or not free_in:
        return []
    score = np.full((len(free_items), len(free_in)), np.nan)
    kind = np.empty((len(free_items), len(free_in)), dtype=object)
    for a, i in enumerate(free_items):
        old = items_m.iloc[i]
        if old is None or old.is_empty:
            continue
        fam = _family(old.geom_type)
        for b, j in enumerate(free_in):
            new = incoming_m.iloc[j]
            if new is None or new.is_empty or _family(new.geom_type) != fam:
                continue
            if fam == "Polygon":
                iou = _pair_measures(old, new)[0]
                if iou >= POLYGON_MIN_IOU:
                    score[a, b], kind[a, b] = 1.0 - iou, "overlap"
            else:
                d = float(shapely.hausdorff_distance(old, new))
                limit = LINE_MAX_HAUSDORFF_M if fam == "LineString" else POINT_MAX_DISTANCE_M
                if d <= limit:
                    score[a, b], kind[a, b] = d, "distance"
    pairs = []
    for a in range(len(free_items)):
        row = score[a]
        if np.isnan(row).all():
            continue
        b = int(np.nanargmin(row))
        if int(np.nanargmin(score[:, b])) == a:  # mutual best: no item takes a feature another fits better
            pairs.append((free_items[a], free_in[b], str(kind[a, b])))
    return pairs


def preview_replacement(
    items: gpd.GeoDataFrame,
    incoming: gpd.GeoDataFrame,
    *,
    layer: str,
    id_column: str | None = None,
    name_column: str | None = None,
) -> ReplacePreview:
    """Match official features to a layer's items and say what replacing them would change.

    Matching, in order, each feature used once: the incoming id equals the item's ``id``; the normalised
    name (:func:`normalise_name`, with the bracketed part, else without it) is the same and unique on both
    sides; then geometry, mutual best pairs only — polygons with IoU ≥ :data:`POLYGON_MIN_IOU`, lines with
    Hausdorff distance ≤ :data:`LINE_MAX_HAUSDORFF_M` m, points within :data:`POINT_MAX_DISTANCE_M` m.

    Parameters
    ----------
    items : geopandas.GeoDataFrame
        The layer as stored (``id``, ``name_zh``, ``version``, geometry), any CRS.
    incoming : geopandas.GeoDataFrame
        The official features, any CRS (as :func:`gis.io.read_any` returns them: EPSG:4326).
    layer : str, keyword-only
        The layer's name (carried to the commit).
    id_column, name_column : str, optional, keyword-only
        The incoming columns holding the id and the name (default: the first of ``id``/``编号``… and of
        ``name_zh``/``名称``/``道路名称``… present).

    Returns
    -------
    ReplacePreview

    Raises
    ------
    gis.errors.InputError
        No CRS on either frame, or a named column that does not exist.
    """
    if items.crs is None or incoming.crs is None:
        raise InputError("图层或导入文件没有坐标系", "the layer or the incoming file has no CRS")
    items = items.reset_index(drop=True)
    incoming = incoming.to_crs("EPSG:4326").reset_index(drop=True)
    items_m = to_measuring_crs(items).reset_index(drop=True)
    incoming_m = to_measuring_crs(incoming).reset_index(drop=True)
    id_col = _column(incoming, _ID_COLUMNS, id_column)
    name_col = _column(incoming, _NAME_COLUMNS, name_column)

    pairs: list[tuple[int, int, str]] = []
    used_items: set[int] = set()
    used_in: set[int] = set()
    if id_col is not None:
        by_id = {str(v).strip(): i for i, v in enumerate(items["id"])}
        for j, value in enumerate(incoming[id_col]):
            i = by_id.get(str(value).strip()) if pd.notna(value) else None
            if i is not None and i not in used_items:
                pairs.append((i, j, "id"))
                used_items.add(i)
                used_in.add(j)
    if name_col is not None and "name_zh" in items.columns:
        for keep in (True, False):
            left = {i: normalise_name(v, keep_brackets=keep) for i, v in enumerate(items["name_zh"]) if i not in used_items}
            right = {j: normalise_name(v, keep_brackets=keep) for j, v in enumerate(incoming[name_col]) if j not in used_in}
            lcount = pd.Series(list(left.values()), dtype=object).value_counts()
            rcount = pd.Series(list(right.values()), dtype=object).value_counts()
            by_name = {n: i for i, n in left.items() if n and lcount[n] == 1}
            for j, n in right.items():
                if n in by_name and rcount[n] == 1:
                    i = by_name[n]
                    pairs.append((i, j, "name"))
                    used_items.add(i)
                    used_in.add(j)
    free_items = [i for i in range(len(items)) if i not in used_items]
    free_in = [j for j in range(len(incoming)) if j not in used_in]
    for i, j, how in _geometry_matches(items_m, incoming_m, free_items, free_in):
        pairs.append((i, j, how))
        used_items.add(i)
        used_in.add(j)

    records = []
    for i, j, how in sorted(pairs):
        old, new = items_m.iloc[i], incoming_m.iloc[j]
        iou, haus, d_area = (float("nan"),) * 3
        problem = ""
        if old is None or new is None or new.is_empty:
            problem = "no geometry / 无几何"
        else:
            iou, haus, d_area = _pair_measures(old, new)
            if _coerce(incoming.geometry.iloc[j], items.geometry.iloc[i].geom_type) is None:
                problem = f"{new.geom_type} ≠ {old.geom_type} / 几何类型不同"
        records.append(
            {
                "feature_id": str(items["id"].iloc[i]),
                "name_zh": items["name_zh"].iloc[i] if "name_zh" in items.columns else None,
                "incoming": j,
                "incoming_name": incoming[name_col].iloc[j] if name_col is not None else None,
                "how": how,
                "iou": iou,
                "displacement_m": haus,
                "area_change_mu": d_area / M2_PER_MU if not np.isnan(d_area) else float("nan"),
                "version": int(items["version"].iloc[i]) if "version" in items.columns else 1,
                "problem": problem,
            }
        )
    matched = pd.DataFrame.from_records(
        records,
        columns=[
            "feature_id",
            "name_zh",
            "incoming",
            "incoming_name",
            "how",
            "iou",
            "displacement_m",
            "area_change_mu",
            "version",
            "problem",
        ],
    )
    new_frame = incoming.iloc[[j for j in range(len(incoming)) if j not in used_in]].copy()
    new_frame.insert(0, "incoming", new_frame.index.to_numpy())
    left_items = items.iloc[[i for i in range(len(items)) if i not in used_items]]
    unmatched = pd.DataFrame(
        {
            "feature_id": left_items["id"].astype(str).to_numpy(),
            "name_zh": left_items["name_zh"].to_numpy() if "name_zh" in items.columns else None,
            "illustrative": left_items["illustrative"].to_numpy() if "illustrative" in items.columns else None,
        }
    )
    return ReplacePreview(layer=layer, matched=matched, new=new_frame, unmatched=unmatched, incoming=incoming)


def commit_replacement(
    store: StoreBase,
    preview: ReplacePreview,
    *,
    source: str,
    accuracy_m: float,
    user: str,
    attributes: Sequence[str] = (),
    note: str = "",
) -> dict[str, int]:
    """Write the preview's matched geometries (and chosen attributes) in ONE store transaction.

    Parameters
    ----------
    store : gis.store.StoreBase
        The working store holding ``preview.layer``.
    preview : ReplacePreview
        From :func:`preview_replacement` on the layer as stored; each item's version then is the expected
        version now, so a colleague's edit in between refuses the whole commit
        (:class:`gis.errors.ConflictError`).
    source : str, keyword-only
        Where the official geometry comes from (e.g. ``东莞市交通运输局 2020-06 道路中线``); stored in ``source``.
    accuracy_m : float, keyword-only
        The stated positional uncertainty of the official data, metres (≥ 0); stored in ``accuracy_m``.
    user : str, keyword-only
        Who commits (recorded in the history).
    attributes : sequence of str, keyword-only
        Incoming fields to copy onto the items; each must be a field of the layer and not one of
        :data:`KEPT_FIELDS` (the plan's own fields stay with the item).
    note : str, keyword-only
        Why; recorded on every history row (default names the source).

    Returns
    -------
    dict of str to int
        Feature id → its new version.

    Raises
    ------
    gis.errors.InputError
        Nothing to write, an empty source, a bad accuracy, or an attribute the item keeps.
    gis.errors.ConflictError
        An item changed since the preview; nothing is written.
    """
    if not isinstance(source, str) or not source.strip():
        raise InputError("请说明正式数据的来源", "state where the official data comes from (source)")
    if isinstance(accuracy_m, bool) or not isinstance(accuracy_m, int | float) or not np.isfinite(accuracy_m) or accuracy_m < 0:
        raise InputError("精度须为非负米数", "accuracy_m must be a non-negative number of metres")
    kept = [a for a in attributes if a in KEPT_FIELDS or a in ("geometry", "geom")]
    if kept:
        raise InputError(
            f"这些字段属于规划条目，不从正式数据取：{', '.join(kept)}", f"these fields stay with the plan item: {', '.join(kept)}"
        )
    missing = [a for a in attributes if a not in preview.incoming.columns]
    if missing:
        raise InputError(f"导入文件没有字段：{', '.join(missing)}", f"the incoming file has no field: {', '.join(missing)}")
    rows = preview.writable
    if rows.empty:
        raise InputError("没有可写入的匹配要素", "no matched feature to write")
    stored = store.read_layer(preview.layer).set_index("id")
    changes: dict[str, dict[str, Any]] = {}
    expected: dict[str, int] = {}
    for row in rows.itertuples(index=False):
        like = stored.geometry.loc[row.feature_id].geom_type if row.feature_id in stored.index else None
        geom = preview.incoming.geometry.iloc[row.incoming]
        change: dict[str, Any] = {
            "geometry": _coerce(geom, like) if like else shapely.force_2d(geom),
            "illustrative": False,
            "source": source.strip(),
            "accuracy_m": float(accuracy_m),
        }
        for a in attributes:
            value = preview.incoming[a].iloc[row.incoming]
            change[a] = None if pd.isna(value) else value
        changes[row.feature_id] = change
        expected[row.feature_id] = int(row.version)
    return store.update_features(
        preview.layer,
        changes,
        expected_versions=expected,
        user=user,
        note=note or f"正式数据替换示意 / official data: {source.strip()}"[:500],
    )
