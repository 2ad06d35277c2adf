"""A year's plan items: proposing them from the plan's text, accepting them into the store, carrying items over.

``layers/__main__.py`` (the command line's composition root) wires :func:`plan_command` in as the ``plan`` command:

- ``plan propose FILE --year 2021`` reads the plan (:func:`layers.plan_reader.read_plan`) and writes its
  candidate items (:func:`layers.plan_reader.propose`) as JSON (``--json``, or ``--out FILE``) or as a table.
- ``plan accept PROPOSALS.json --user NAME`` writes the accepted ones (:func:`accept_proposals`): a candidate
  with ``link_id`` **carries over** an existing feature (same id; new ``plan_year``, target, deadline, quote,
  section and done status; its history kept in the store), every other accepted candidate becomes a row of
  the ``plan_items`` layer (:data:`SPEC`), with a point when it has ``lon``/``lat`` and no geometry otherwise.

A candidate is accepted unless its ``accept`` is false; the reviewer may edit any of its fields first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from gis import settings
from gis.crs import WGS84
from gis.errors import InputError
from layers.plan_reader import propose, read_plan
from layers.registry import LAYER_NAMES, _resolve_store, add_derived, load, seed_store
from layers.registry import spec as spec_of
from layers.spec import PLAN_YEAR_FIELD, STATUSES, FieldSpec, LayerSpec, validate_frame
from layers.years import MAX_PLAN_YEAR, MIN_PLAN_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from gis.store import Store

__all__ = [
    "PROPOSALS_FORMAT",
    "SPEC",
    "LAYER",
    "accept_proposals",
    "choose_feature",
    "DRAWN_SOURCE",
    "feature_label",
    "load_plan_items",
    "place_geometry",
    "place_item",
    "add_plan_arguments",
    "plan_command",
    "proposals_document",
    "proposals_from_text",
    "proposals_text",
]

#: The store layer of accepted items that are not carried over onto an existing feature.
LAYER: str = "plan_items"

#: Items of any year's plan, with or without a place (issue 16). Not bundled: it exists once a plan is accepted.
SPEC = LayerSpec(
    name=LAYER,
    title_zh="计划事项",
    title_en="Plan items",
    files=(),
    geometry_types=("Point", "LineString", "Polygon"),
    kinds=("item",),
    statuses=STATUSES,
    done_zh="按计划用语：选址、动工或建成；加快/推进类为持续推进，无完成目标",
    done_en="as the plan's verb says: site selected, construction started or completed; 加快/推进 work is ongoing",
    fields=(
        FieldSpec("plan_year", "int", min_value=float(MIN_PLAN_YEAR), description=PLAN_YEAR_FIELD.description),
        FieldSpec("value", "float", required=False, description="the plan's figure, in unit"),
        FieldSpec("value_max", "float", required=False, description="the top of a range (2至3个), in unit"),
        FieldSpec("unit", required=False, description="mu, m2, km, %, 100 million yuan, count …"),
        FieldSpec("comparison", required=False, description="≈, >=, <=, range or ="),
        FieldSpec("plan_source", required=False, description="the plan file the item was read from"),
    ),
    derived=("done",),
    style={"color": "#8e44ad", "fill_color": "#d2b4de", "weight": 2, "fill_opacity": 0.3, "radius": 7},
    geometry_optional=True,
)

#: The ``format`` tag of a proposals document (its version, for the accepting side).
PROPOSALS_FORMAT: str = "ssl-gis-plan-proposals/1"


def proposals_document(path: Path | str, *, year: int) -> dict[str, Any]:
    """The proposals of a plan file as one JSON-ready document.

    Parameters
    ----------
    path : path
        The plan (``.txt`` UTF-8/GB18030 or ``.docx``).
    year : int, keyword-only
        The plan's year (deadlines become codes of it: ``2021-H1``).

    Returns
    -------
    dict
        ``format`` (:data:`PROPOSALS_FORMAT`), ``plan_year``, ``source`` (the file's name) and ``candidates``
        (each :meth:`layers.plan_reader.Candidate.to_dict`).

    Raises
    ------
    gis.errors.InputError
        An unreadable file or a year outside the accepted range.
    """
    if not MIN_PLAN_YEAR <= int(year) <= MAX_PLAN_YEAR:
        raise InputError(f"计划年度应在 {MIN_PLAN_YEAR}–{MAX_PLAN_YEAR} 之间: {year}",
                         f"the plan year must be {MIN_PLAN_YEAR}–{MAX_PLAN_YEAR}: {year}")
    return proposals_from_text(read_plan(path), year=year, source=Path(path).name)


def proposals_from_text(text: str, *, year: int, source: str = "pasted.txt") -> dict[str, Any]:
    """The proposals of a plan's text (see :func:`proposals_document`); ``source`` names where it came from."""
    if not MIN_PLAN_YEAR <= int(year) <= MAX_PLAN_YEAR:
        raise InputError(f"计划年度应在 {MIN_PLAN_YEAR}–{MAX_PLAN_YEAR} 之间: {year}",
                         f"the plan year must be {MIN_PLAN_YEAR}–{MAX_PLAN_YEAR}: {year}")
    return {"format": PROPOSALS_FORMAT, "plan_year": int(year), "source": source,
            "candidates": [c.to_dict() for c in propose(text, year=int(year))]}


def proposals_text(doc: dict[str, Any]) -> str:
    """A plain-text table of the proposals for the terminal."""
    lines = [f"计划 / plan {doc['source']} ({doc['plan_year']}): {len(doc['candidates'])} 项候选 / candidates", ""]
    for c in doc["candidates"]:
        figure = c["quantity"] or "—"
        lines.append(f"{c['n']:>4} {c['section'] or '-':<8} {figure:<14} {c['done_status'] or '持续推进 ongoing':<20} "
                     f"{c['deadline'] or '—':<9} {c['item_zh'][:24]}")
    return "\n".join(lines)


def load_plan_items(*, store: Store | Path | str | None = None, as_of: dt.date | None = None) -> gpd.GeoDataFrame | None:
    """The ``plan_items`` layer of the store, validated, with ``done``; None when the store has none.

    Parameters
    ----------
    store : gis.store.Store or path or URL, optional, keyword-only
        The working store (default: the configured one, if it exists).
    as_of : datetime.date, optional, keyword-only
        Replay the store's history to the end of that day (UTC).
    """
    st = _resolve_store(store)
    if st is None or not st.has_layer(LAYER):
        return None
    gdf = st.read_layer(LAYER) if as_of is None else st.as_of(LAYER, as_of)
    gdf = gdf.drop(columns=[c for c in ("done",) if c in gdf.columns])
    for f in SPEC.all_fields:
        if f.type == "str" and not f.required and f.name in gdf.columns:
            gdf[f.name] = gdf[f.name].where(gdf[f.name].notna(), "")
    if as_of is None:
        validate_frame(gdf, SPEC)
    gdf = add_derived(gdf, SPEC)
    gdf.attrs.update({"source": "store", "layer": LAYER, "as_of": None if as_of is None else as_of.isoformat()})
    return gdf


def _num(value: object) -> float | None:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if out != out else out


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def _find(frames: Mapping[str, gpd.GeoDataFrame], link: str) -> tuple[str, pd.Series]:
    layer, _, fid = link.rpartition(":")
    for name, frame in frames.items():
        if layer and name != layer:
            continue
        hit = frame.loc[frame["id"].astype(str) == fid]
        if len(hit):
            return name, hit.iloc[0]
    raise InputError(f"找不到要关联的要素 {link!r}", f"no feature {link!r} to link to")


def accept_proposals(
    doc: Mapping[str, Any], *, user: str, store: Store | Path | str | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Write a reviewed proposals document into the store: new ``plan_items`` rows and carried-over features.

    Parameters
    ----------
    doc : mapping
        :func:`proposals_document`'s output, edited: each candidate may carry ``accept`` (False drops it),
        ``link_id`` (``layer:id`` or ``id`` of an existing feature to carry over), ``lon``/``lat`` (a point,
        degrees EPSG:4326; illustrative with ``gis.settings.DRAWN_PLACE_ACCURACY_M`` unless ``accuracy_m`` states
        the accuracy in metres), ``status`` (default ``planned``), ``target`` (default: its figure as written, else
        its clause), and edited ``item_zh``, ``deadline``, ``done_status``, ``section``.
    user : str, keyword-only
        Who accepts (recorded in the history).
    store : gis.store.Store or path or URL, optional, keyword-only
        The working store (default: the configured one; seeded with the bundled layers if it lacks them).
    now : datetime.datetime, optional, keyword-only
        The time recorded (default now, UTC).

    Returns
    -------
    dict
        ``plan_year``, ``added`` (new ``plan_items`` ids) and ``carried`` (``layer:id`` of carried features).

    Raises
    ------
    gis.errors.InputError
        A document of another format, a link to no feature, or an item that breaks its layer's spec (the
        message names the item and the field); nothing is written then.
    """
    from gis.store import open_store

    if doc.get("format") != PROPOSALS_FORMAT:
        raise InputError("不是计划候选事项文件", f"not a proposals document ({PROPOSALS_FORMAT})")
    year = int(doc["plan_year"])
    st = _resolve_store(store) if store is not None else _resolve_store(None) or open_store(None)
    seed_store(st, user=user)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    frames = {n: load(n, store=st, source="store", derived=False) for n in LAYER_NAMES}
    existing = load_plan_items(store=st)
    rows: list[dict[str, Any]] = []
    carried: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    taken = set(existing["id"]) if existing is not None else set()
    serial = 0
    for cand in doc.get("candidates", []):
        if cand.get("accept", True) is False:
            continue
        target = _text(cand.get("target")) or _text(cand.get("quantity")) or _text(cand.get("quote"))
        common = {"plan_year": year, "plan_ref": _text(cand.get("section")), "plan_quote": _text(cand.get("quote")),
                  "target": target, "deadline": _text(cand.get("deadline")) or None,
                  "done_status": _text(cand.get("done_status")) or None,
                  "updated_at": stamp, "updated_by": user}
        link = _text(cand.get("link_id"))
        if link:
            layer, _ = _find(frames, link)
            carried.setdefault(layer, []).append((link.rpartition(":")[2], common))
            continue
        serial += 1
        while f"plan-{year}-{serial:03d}" in taken:
            serial += 1
        fid = f"plan-{year}-{serial:03d}"
        taken.add(fid)
        lon, lat = _num(cand.get("lon")), _num(cand.get("lat"))
        placed = lon is not None and lat is not None
        stated = _num(cand.get("accuracy_m"))
        # a point typed at review is illustrative unless the reviewer states its accuracy (never 0 m by default)
        illustrative = placed and stated is None
        accuracy = (settings.DRAWN_PLACE_ACCURACY_M if stated is None else stated) if placed else 0.0
        rows.append({
            "id": fid, "name_zh": _text(cand.get("item_zh")) or common["plan_quote"][:40],
            "name_en": _text(cand.get("item_en")) or f"{year} plan item {serial}", "layer": LAYER, "kind": "item",
            "status": _text(cand.get("status")) or "planned", "role": "plan_item", **common,
            "source": f"{_text(doc.get('source'))}（{year}年计划）" + ("，经纬度录入（示意）" if illustrative else ""),
            "illustrative": illustrative, "accuracy_m": accuracy,
            "version": 1, "value": _num(cand.get("value")), "value_max": _num(cand.get("value_max")),
            "unit": _text(cand.get("unit")), "comparison": _text(cand.get("comparison")),
            "plan_source": _text(doc.get("source")),
            "geometry": shapely.Point(lon, lat) if lon is not None and lat is not None else None,
        })
    # Check everything before writing anything.
    new_items = None
    if rows:
        new_items = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
        if existing is not None:
            keep = existing.drop(columns=["done"], errors="ignore")
            new_items = gpd.GeoDataFrame(pd.concat([keep, new_items], ignore_index=True), geometry="geometry", crs=WGS84)
        validate_frame(new_items, SPEC)
    updated: dict[str, gpd.GeoDataFrame] = {}
    for layer, changes in carried.items():
        frame = frames[layer].copy()
        if "plan_year" not in frame.columns:
            frame["plan_year"] = pd.array([pd.NA] * len(frame), dtype="Int64")
        frame["plan_year"] = frame["plan_year"].astype(object)
        for fid, change in changes:
            i = frame.index[frame["id"].astype(str) == fid][0]
            for key, value in change.items():
                frame.at[i, key] = value
        frame["plan_year"] = pd.to_numeric(frame["plan_year"], errors="coerce").astype("Int64")
        validate_frame(frame, spec_of(layer))
        updated[layer] = frame
    for layer, frame in updated.items():
        st.write_layer(layer, frame, user=user, note=f"{year}年计划结转 / carried into the {year} plan")
    if new_items is not None:
        st.write_layer(LAYER, new_items.drop(columns=["version"], errors="ignore"), user=user,
                       note=f"{year}年计划导入 / {year} plan accepted")
    return {"plan_year": year, "added": [r["id"] for r in rows],
            "carried": [f"{layer}:{fid}" for layer, ch in carried.items() for fid, _ in ch]}


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


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``plan`` command's sub-commands and options."""
    sub = parser.add_subparsers(dest="plan_action", required=True)
    p = sub.add_parser("propose", help="candidate items of a plan text / 从计划文本提出候选事项")
    p.add_argument("file", help="the plan: .txt (UTF-8 or GB18030) or .docx")
    p.add_argument("--year", type=int, required=True, help="the plan's year, e.g. 2021")
    p.add_argument("--json", action="store_true", help="print the proposals as JSON")
    p.add_argument("--out", help="write the proposals JSON to this file")
    a = sub.add_parser("accept", help="write reviewed proposals into the working store / 确认计划事项")
    a.add_argument("proposals", help="the proposals JSON (from plan propose, reviewed)")
    a.add_argument("--user", required=True, help="who accepts (recorded in the history)")
    a.add_argument("--store", help="store path or postgresql:// URL (default: the user's working store)")
    a.add_argument("--json", action="store_true")
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


def plan_command(args: argparse.Namespace) -> int:
    """Run ``python -m layers plan …`` with parsed arguments; returns the exit code (0)."""
    if args.plan_action == "place":
        return _place_command(args)
    if args.plan_action == "accept":
        try:
            reviewed = json.loads(Path(args.proposals).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"无法读取候选事项文件 {args.proposals}", f"cannot read proposals {args.proposals}: {exc}") from None
        if not isinstance(reviewed, dict):
            raise InputError("不是计划候选事项文件", f"not a proposals document ({PROPOSALS_FORMAT})")
        done = accept_proposals(reviewed, user=args.user, store=args.store)
        if args.json:
            sys.stdout.write(json.dumps(done, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(f"{done['plan_year']}年计划 / plan: 新增 added {len(done['added'])}, "
                             f"结转 carried {len(done['carried'])}\n")
        return 0
    doc = proposals_document(args.file, year=args.year)
    payload = json.dumps(doc, ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).write_text(payload + "\n", encoding="utf-8")
    if args.json:
        sys.stdout.write(payload + "\n")
    elif not args.out:
        sys.stdout.write(proposals_text(doc) + "\n")
    return 0


def _place_command(args: argparse.Namespace) -> int:
    """``plan place``: read the place from a file (bounded readers, CRS handling of :func:`gis.io.read_any`) or lon/lat."""
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
