"""A year's plan items: proposing them from the plan's text, accepting them into the store, carrying items over.

``layers/__main__.py`` (the command line's composition root) wires :func:`plan_command` in as the ``plan`` command:

- ``plan propose FILE --year 2021`` reads the plan (:func:`layers.plan_reader.read_plan`) and writes its
  candidate items (:func:`layers.plan_reader.propose`) as JSON (``--json``, or ``--out FILE``) or as a table.
- ``plan accept PROPOSALS.json --user NAME`` writes the accepted ones (:func:`accept_proposals`): a candidate
  with ``link_id`` **carries over** an existing feature (same id; new ``plan_year``, target, deadline, quote,
  section and done status; its history kept in the store), every other accepted candidate becomes a row of
  the ``plan_items`` layer (:data:`SPEC`), with a point when it has ``lon``/``lat`` and no geometry otherwise.

Giving an accepted item its place (``plan place``, the app's 事项定位) is :mod:`layers.plan_place`.

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
    "load_plan_items",
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


def add_plan_arguments(parser: argparse.ArgumentParser) -> Any:
    """Add the ``plan`` command's sub-commands ``propose`` and ``accept`` and their options.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``plan`` command's parser.

    Returns
    -------
    argparse._SubParsersAction
        Its sub-commands (``dest="plan_action"``), to which :func:`layers.plan_place.add_place_arguments` adds
        ``place``.
    """
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
    return sub


def plan_command(args: argparse.Namespace) -> int:
    """Run ``python -m layers plan propose|accept …`` with parsed arguments; returns the exit code (0).

    ``plan place`` is :func:`layers.plan_place.place_command`.
    """
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
