"""Placing a year's plan item: the place of an accepted ``plan_items`` row, from a surveyor's file, lon/lat or a drawing.

:func:`place_item` sets the geometry of an accepted item (:mod:`layers.plan_items` proposes and accepts them) with
its provenance (``source``, ``accuracy_m``, ``illustrative``) through :meth:`gis.store.Store.update_features`,
after :func:`place_geometry` checked it (one part, valid, inside Dongguan). The app's 事项定位
(``ui/page_plan_import.py``) and the command ``plan place`` (:func:`add_place_arguments`, :func:`place_command`,
wired in by the command line's composition root ``layers/__main__.py``) both call it:

- ``plan place ITEM --file F [--feature N | --name NAME] --user U [--accuracy M] [--source TEXT]`` reads the
  place with :func:`gis.io.read_any` and picks one feature (:func:`choose_feature`);
- ``plan place ITEM --lon X --lat Y --user U`` places a point. Without ``--accuracy`` the place is recorded as
  illustrative with :data:`gis.settings.DRAWN_PLACE_ACCURACY_M`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import shapely

from gis import settings
from gis.crs import WGS84
from gis.errors import InputError
from layers.plan_items import LAYER, SPEC, _num, _text
from layers.registry import LAYER_NAMES, _resolve_store

if TYPE_CHECKING:  # pragma: no cover
    from gis.store import Store

__all__ = [
    "DRAWN_SOURCE",
    "add_place_arguments",
    "choose_feature",
    "feature_label",
    "place_command",
    "place_geometry",
    "place_item",
]

#: ``source`` of a place drawn by hand on the map (stored in both languages, whatever the page's language).
DRAWN_SOURCE: str = "地图上手绘（示意） / drawn by hand on the map (illustrative)"

#: Geometry types a place may have, and the multi-part type whose one part is taken as it.
_SINGLE_OF_MULTI: dict[str, str] = {"MultiPoint": "Point", "MultiLineString": "LineString", "MultiPolygon": "Polygon"}


def place_geometry(geometry: object) -> shapely.Geometry:
    """The geometry checked as a plan item's place: one Point, LineString or Polygon, valid, inside Dongguan.

    Parameters
    ----------
    geometry : shapely.Geometry
        In EPSG:4326 (lon, lat degrees). A Multi* of one part is taken as that part; a Z value is dropped,
        repeated vertices removed and polygon rings oriented (RFC 7946), as every import does
        (:func:`gis.validate.validate_frame`).

    Returns
    -------
    shapely.Geometry
        The single-part geometry, ready to store.

    Raises
    ------
    gis.errors.InputError
        Not a geometry, empty, several parts, another type, invalid (self-intersecting …), or not entirely
        inside :data:`gis.crs.DONGGUAN_BBOX`.
    """
    from gis.validate import validate_frame as validate_geometries

    if not isinstance(geometry, shapely.Geometry) or geometry.is_empty:
        raise InputError("位置为空：请给出点、线或面", "the place is empty: give a point, a line or a polygon")
    kind = geometry.geom_type
    if kind in _SINGLE_OF_MULTI:
        parts = shapely.get_num_geometries(geometry)
        if parts != 1:
            raise InputError(f"位置须为一个要素，此{kind}有 {parts} 个部分", f"the place must be one part; this {kind} has {parts}")
        geometry, kind = shapely.get_geometry(geometry, 0), _SINGLE_OF_MULTI[kind]
    if kind not in SPEC.geometry_types:
        raise InputError(f"位置须为点、线或面，不能是 {kind}", f"the place must be a Point, LineString or Polygon, not a {kind}")
    if not shapely.is_valid(geometry):
        reason = shapely.is_valid_reason(geometry)
        raise InputError(f"位置几何无效（{reason}），请修正后再保存", f"the place is not a valid geometry ({reason}); fix it first")
    frame = gpd.GeoDataFrame(geometry=[geometry], crs=WGS84)
    checked, report = validate_geometries(frame, geometry_types=SPEC.geometry_types)
    refusals = [p for p in report.problems if p.fatal or p.problem == "outside_extent"]
    if refusals or checked.empty:
        first = refusals[0] if refusals else None
        zh = first.message_zh if first else "位置无法使用"
        en = first.message_en if first else "the place cannot be used"
        raise InputError(f"位置不在东莞范围内或无法使用：{zh}", f"the place is outside Dongguan or unusable: {en}")
    return checked.geometry.iloc[0]


def _carried_layer(st: Store, fid: str) -> str | None:
    """The plan layer (not ``plan_items``) holding a feature ``fid``, or None."""
    for name in LAYER_NAMES:
        if st.has_layer(name) and (st.read_layer(name)["id"].astype(str) == fid).any():
            return name
    return None


def place_item(
    item_id: str,
    geometry: object,
    *,
    user: str,
    store: Store | Path | str | None,
    source: str,
    accuracy_m: float,
    expected_version: int,
    illustrative: bool = False,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Give an accepted plan item its place: set the geometry of a ``plan_items`` row, with its provenance.

    Parameters
    ----------
    item_id : str
        The item's id (``plan-2021-003``; ``plan_items:plan-2021-003`` is accepted too).
    geometry : shapely.Geometry
        The place in EPSG:4326 (lon, lat degrees), checked by :func:`place_geometry`. A place already set may be
        replaced by one of the same type (the store keeps a feature's geometry type).
    user : str, keyword-only
        Who places it (recorded in the history).
    store : gis.store.Store or path or URL or None, keyword-only
        The working store (None: the configured one).
    source : str, keyword-only
        Where the geometry comes from: the surveyor's file name, or that it was drawn by hand.
    accuracy_m : float, keyword-only
        Honest positional uncertainty in metres (0 … :data:`gis.settings.MAX_PLACE_ACCURACY_M`).
    expected_version : int, keyword-only
        The item's version the caller saw; a newer stored version refuses the edit (ConflictError).
    illustrative : bool, keyword-only
        True for a place drawn by hand or not surveyed (shown dashed on the map).
    note : str, optional, keyword-only
        Why (recorded in the history); default ``事项定位 / item placed``.
    now : datetime.datetime, optional, keyword-only
        The time recorded (default now, UTC).

    Returns
    -------
    dict
        ``id``, ``version`` (the new one), ``geometry_type``.

    Raises
    ------
    gis.errors.InputError
        No ``plan_items`` layer, an unknown id, a carried feature (its place is edited in its own layer), a
        bad geometry, source or accuracy.
    gis.errors.ConflictError
        The item changed since ``expected_version``.
    """
    st = _resolve_store(store)
    fid = _text(item_id)
    layer, _, bare = fid.rpartition(":")
    if layer and layer != LAYER:
        raise InputError(f"{fid} 是结转事项，请在其图层 {layer} 中修改位置",
                         f"{fid} is a carried feature: edit its place in its layer {layer}")
    fid = bare
    if st is None or not st.has_layer(LAYER):
        raise InputError("工作库中还没有计划事项：请先确认一份计划", "the store has no plan items yet: accept a plan first")
    items = st.read_layer(LAYER)
    if not (items["id"].astype(str) == fid).any():
        carried = _carried_layer(st, fid)
        if carried:
            raise InputError(f"{fid} 是结转事项，位于图层 {carried}，请在该图层中修改位置",
                             f"{fid} is a carried feature in layer {carried}: edit its place there")
        raise InputError(f"没有计划事项 {fid}", f"no plan item {fid!r}")
    src = _text(source)
    if not src or len(src) > 200:
        raise InputError("请说明位置来源（1–200 字）", "say where the place comes from (1–200 characters)")
    acc = _num(accuracy_m)
    if acc is None or not 0.0 <= acc <= settings.MAX_PLACE_ACCURACY_M:
        raise InputError(f"精度须在 0–{settings.MAX_PLACE_ACCURACY_M:g} 米之间: {accuracy_m}",
                         f"accuracy must be 0–{settings.MAX_PLACE_ACCURACY_M:g} m: {accuracy_m}")
    place = place_geometry(geometry)
    versions = st.update_features(
        LAYER, {fid: {"geometry": place, "source": src, "accuracy_m": acc, "illustrative": bool(illustrative)}},
        expected_versions={fid: expected_version}, user=user, note=note or "事项定位 / item placed", when=now,
    )
    return {"id": fid, "version": versions[fid], "geometry_type": place.geom_type}


def feature_label(gdf: gpd.GeoDataFrame, position: int) -> str:
    """``3: Polygon 北区变电站 · J-03``: a feature of a file as a reviewer recognises it.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The file's features.
    position : int
        0-based position; the label counts from 1 and shows the geometry type and the first two texts.
    """
    row = gdf.iloc[position]
    texts = list(dict.fromkeys(_text(row[c]) for c in gdf.columns
                               if c != gdf.geometry.name and isinstance(row[c], str) and _text(row[c])))
    geom = row[gdf.geometry.name]
    kind = geom.geom_type if isinstance(geom, shapely.Geometry) else "—"
    return f"{position + 1}: {kind} {' · '.join(t[:30] for t in texts[:2])}".rstrip()


def choose_feature(gdf: gpd.GeoDataFrame, *, number: int | None = None, name: str | None = None) -> tuple[int, shapely.Geometry]:
    """The one feature of a file to use as a place: the only one, the ``number``-th, or the one named ``name``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A file as read by :func:`gis.io.read_any` (EPSG:4326).
    number : int, optional, keyword-only
        1-based position of the feature.
    name : str, optional, keyword-only
        A text that exactly equals one attribute value of exactly one feature (its name or number).

    Returns
    -------
    tuple
        The 0-based position and the geometry (EPSG:4326).

    Raises
    ------
    gis.errors.InputError
        An empty file; several features and neither ``number`` nor ``name``; a number out of range; a name
        that matches no feature or several. The message lists the first features (``1: Polygon 名称``).
    """
    n = len(gdf)
    listed = "; ".join(feature_label(gdf, i) for i in range(min(n, 5))) + ("; …" if n > 5 else "")
    if n == 0:
        raise InputError("文件中没有可用的要素", "the file has no usable feature")
    if number is not None:
        if not 1 <= int(number) <= n:
            raise InputError(f"要素编号须在 1–{n} 之间: {number}（{listed}）", f"feature number must be 1–{n}: {number} ({listed})")
        position = int(number) - 1
    elif name is not None:
        wanted = _text(name)
        texts = gdf.drop(columns=gdf.geometry.name).astype(str).apply(lambda col: col.str.strip())
        hits = [i for i in range(n) if (texts.iloc[i] == wanted).any()]
        if len(hits) != 1:
            zh = "没有" if not hits else f"有 {len(hits)} 个"
            en = "no feature" if not hits else f"{len(hits)} features"
            raise InputError(f"{zh}要素的属性等于 {wanted!r}（{listed}）", f"{en} with an attribute equal to {wanted!r} ({listed})")
        position = hits[0]
    elif n == 1:
        position = 0
    else:
        raise InputError(f"文件有 {n} 个要素，请用 --feature 编号或 --name 名称选一个：{listed}",
                         f"the file has {n} features; choose one with --feature N or --name NAME: {listed}")
    return position, gdf.geometry.iloc[position]


def add_place_arguments(sub: Any) -> argparse.ArgumentParser:
    """Add the ``plan place`` sub-command and its options.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``plan`` command's sub-commands (:func:`layers.plan_items.add_plan_arguments` returns them).

    Returns
    -------
    argparse.ArgumentParser
        The ``place`` parser.
    """
    from gis.cli import _add_input_options

    pl = sub.add_parser("place", help="give an accepted item its place / 事项定位")
    pl.add_argument("item_id", help="the item, e.g. plan-2021-003")
    pl.add_argument("--file", help="GeoJSON, zipped shapefile, KML, DXF, GPKG or CSV holding the place")
    which = pl.add_mutually_exclusive_group()
    which.add_argument("--feature", type=int, help="which feature of a multi-feature file (1 = the first) / 第几个要素")
    which.add_argument("--name", help="the feature whose name (or any attribute) equals this / 按名称选要素")
    pl.add_argument("--lon", type=float, help="a point's longitude, degrees WGS 84 / 经度")
    pl.add_argument("--lat", type=float, help="a point's latitude, degrees WGS 84 / 纬度")
    _add_input_options(pl)
    pl.add_argument("--user", required=True, help="who places it (recorded in the history)")
    pl.add_argument("--accuracy", type=float, help="positional uncertainty in metres, as you know it / 精度（米）; "
                    "without it the place is recorded as illustrative with the default accuracy")
    pl.add_argument("--source", help="where the place comes from (default: the file's name)")
    pl.add_argument("--store", help="store path or postgresql:// URL (default: the user's working store)")
    pl.add_argument("--json", action="store_true")
    return pl


def place_command(args: argparse.Namespace) -> int:
    """Run ``python -m layers plan place …``: the place read from a file or typed as lon/lat.

    Parameters
    ----------
    args : argparse.Namespace
        As :func:`add_place_arguments` parses them. The file is read by :func:`gis.io.read_any` (its size bounds,
        ``--crs``, ``--from-gcj02``/``--from-bd09`` or the sniffer).

    Returns
    -------
    int
        0; bad input raises :class:`gis.errors.InputError` (exit 1 on the command line).
    """
    from gis.io import read_any

    has_point = args.lon is not None or args.lat is not None
    if bool(args.file) == has_point or (has_point and (args.lon is None or args.lat is None)):
        raise InputError("请给出 --file 文件，或同时给出 --lon 与 --lat", "give either --file, or both --lon and --lat")
    if args.file:
        result = read_any(Path(args.file), layer=args.layer, datum=args.datum, crs=args.crs)
        position, geometry = choose_feature(result.gdf, number=args.feature, name=args.name)
        source = args.source or Path(args.file).name
        assumed = result.report.crs_assumed
    else:
        position, geometry, assumed = None, shapely.Point(args.lon, args.lat), ""
        if args.datum:
            from gis.crs import transform_geometries

            geometry = transform_geometries([geometry], f"{args.datum}-to-wgs84")[0]
        source = args.source or "经纬度录入 / typed lon/lat"
    st = _resolve_store(args.store)
    if st is None or not st.has_layer(LAYER):
        raise InputError("工作库中还没有计划事项：请先确认一份计划", "the store has no plan items yet: accept a plan first")
    items = st.read_layer(LAYER)
    fid = str(args.item_id).rpartition(":")[2]
    seen = items.loc[items["id"].astype(str) == fid, "version"]
    stated = args.accuracy is not None
    done = place_item(args.item_id, geometry, user=args.user, store=st, source=source,
                      accuracy_m=args.accuracy if stated else settings.DRAWN_PLACE_ACCURACY_M,
                      expected_version=int(seen.iloc[0]) if len(seen) else 1, illustrative=not stated)
    done.update({"feature": None if position is None else position + 1, "source": source, "crs_assumed": assumed or None,
                 "illustrative": not stated})
    if args.json:
        sys.stdout.write(json.dumps(done, ensure_ascii=False, indent=2) + "\n")
    else:
        which = "" if position is None else f"（第 {position + 1} 个要素 / feature {position + 1}）"
        sys.stdout.write(f"{done['id']} 已定位 / placed: {done['geometry_type']}{which}, 第 {done['version']} 版 / version "
                         f"{done['version']}, 来源 / source {source}\n")
        if assumed:
            sys.stdout.write(f"坐标系 / CRS: {assumed}\n")
    return 0
