"""From a sentence of the plan to the map: which plan items and targets cite a text, and how much is traced.

Every feature and every row of ``plan_targets.csv`` carries the verbatim ``plan_quote`` that created it and
its section (``plan_ref`` / ``section``). :func:`trace` goes the other way: given any text — a pasted
sentence or paragraph of the plan, or nothing but a section — it returns the items and targets that cite it.

Coverage (docs/status-model.md, "From a sentence to the map"): the plan's body is cut into **clauses** at
。 ； ; and , (the plan writes ASCII commas). A clause **has a spatial item** when it names a place or a
physical work the map can show — it holds one of :data:`SPATIAL_MARKERS` (place nouns such as 镇, 站, 湖,
水库, 路网, 片区; works such as 输变电工程, 消防站, 学校, 土地, 地块; named places such as 松山湖科学城 and
天安云谷) — and is not one of the few uses of those words that name no place (:data:`NON_SPATIAL`, e.g.
网上办事大厅 is a website). A clause is **traced** when a ``plan_quote`` of a feature or target overlaps
it (see :func:`quote_overlaps`). :func:`trace_coverage` counts both and lists what is not traced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from layers.registry import load_all, plan_targets, plan_text

__all__ = [
    "Clause",
    "SPATIAL_MARKERS",
    "NON_SPATIAL",
    "MIN_OVERLAP_CHARS",
    "RULE",
    "TRACE_COLUMNS",
    "clauses",
    "spatial_clauses",
    "sections",
    "quote_overlaps",
    "short_name",
    "trace",
    "trace_coverage",
]

#: Words that make a clause spatial: the plan's named places, and the kinds of physical work it asks for.
#: The zone's own name (松山湖 alone, 园区, 高新区) is not a marker: it names the whole zone, not a place in it.
SPATIAL_MARKERS: tuple[str, ...] = (
    # named places: towns, areas, water, stations
    "石龙", "石排", "茶山", "寮步", "大岭山", "大朗", "横沥", "东坑", "企石", "莞城", "南城", "九镇", "试点镇",
    "科学城", "东部工业园", "生态园", "团泊洼", "创意生活城", "湖心岛", "滨湖广场", "中心区", "北部片区",
    "南部城市复合中心", "环松山湖带", "天安云谷", "总部一号", "松科苑", "创新科技园", "华为",
    "松木山水库", "罗田水库", "月荷湖", "东引运河", "南畬塱排渠", "小海湖", "小海河", "樟村断面",
    "北站", "站TOD", "TID", "从莞深高速",
    # kinds of physical work and land
    "输变电工程", "联网路", "拥堵点", "公交站台", "公交廊道", "通道", "路网", "环湖路", "沁园路", "市政道路", "管网",
    "土地整备", "整备连片土地", "收储", "盘活存量土地", "地块", "治违", "集水区", "楼宇载体",
    "分园", "共管区域", "引爆点", "集聚区", "中轴", "产业功能区", "产业服务区", "工业园", "产业园", "特色园区",
    "接壤村", "古村落", "景区", "政务大厅",
    "消防站", "学校", "学位", "社卫中心", "卫生服务中心", "文体中心", "体育公园", "文明实践中心", "指挥中心",
    "社区综合服务中心", "知识产权综合服务中心", "科普服务单元", "少年宫", "艺术馆", "美术馆", "科技馆", "人才房",
    "人才大厦", "大厦", "加速器", "孵化器", "孵化创新中心", "开发者村", "实验室", "交叉科学中心", "校区", "中子源", "光源",
    "机器人产业基地", "青年创新创业基地", "青创基地", "培育基地", "中试基地", "标准厂房", "视频监控", "“慧眼”视频",
)

#: Uses of a marker word that name no place on a map (each says why).
NON_SPATIAL: tuple[str, ...] = (
    "孵化器往专业孵化器、加速器方向发展",  # a policy direction, no 孵化器 in particular
    "科技孵化器新标杆",  # a standard of service, not a building
    "科学城建设领导小组",  # a committee
    "科学城宣传策划",  # publicity
    "国家创新型特色园区",  # a national designation of the whole zone
    "“治违控违”的严打态势",  # an enforcement posture; the 10,000 m² task is the spatial clause
)

#: Shortest overlap, in characters, of a quote's start or end with a text's end or start to count as citing.
MIN_OVERLAP_CHARS: int = 8

#: Columns of :func:`trace`'s table.
TRACE_COLUMNS: list[str] = [
    "source", "layer", "id", "name_zh", "name_en", "plan_ref", "plan_quote", "role", "status", "match",
]

#: How :func:`trace_coverage` counts, in one line (also in the metrics JSON).
RULE: str = (
    "clauses cut at 。；;, ; spatial = names a place or physical work (layers.plan_trace.SPATIAL_MARKERS); "
    "traced = a feature's or target's plan_quote holds it, lies in it or overlaps its end by ≥ 8 characters, "
    "or it names a mapped feature (short_name)"
)
_SPLIT = re.compile(r"[。；;,，]")
_CHAPTERS = "一二三四五"


@dataclass(frozen=True)
class Clause:
    """One clause of the plan.

    Attributes
    ----------
    section : str
        Its ``plan_ref``, e.g. ``(四)二`` (``(四)`` for a chapter's opening paragraph).
    index : int
        Its position among all the plan's clauses (0-based).
    text : str
        The clause, verbatim, without its closing punctuation.
    """

    section: str
    index: int
    text: str


def _normalise(text: str) -> str:
    """Fold full-width commas to the plan's ASCII ones and drop whitespace (pasted text varies)."""
    return re.sub(r"\s+", "", str(text)).replace("，", ",").replace("（", "(").replace("）", ")")


def clauses() -> list[Clause]:
    """The plan's body (from ``(一)`` on) cut into clauses at 。 ； ; and commas.

    Returns
    -------
    list of Clause
        In the order of the text, each with its section.
    """
    out: list[Clause] = []
    chapter = part = ""
    started = False
    for line in plan_text().splitlines():
        if line.startswith("(") and len(line) > 2 and line[1] in _CHAPTERS and line[2] == ")":
            chapter, part, started = f"({line[1]})", "", True
        elif len(line) > 1 and line[0] in _CHAPTERS and line[1] == "要":
            part = line[0]
        if not started:
            continue
        for piece in _SPLIT.split(line):
            piece = piece.strip()
            if len(piece) >= 2:
                out.append(Clause(chapter + part, len(out), piece))
    return out


def _is_spatial(text: str) -> bool:
    cleaned = text
    for word in NON_SPATIAL:
        cleaned = cleaned.replace(word, "")
    return any(m in cleaned for m in SPATIAL_MARKERS)


def spatial_clauses() -> list[Clause]:
    """The clauses that name a place or a physical work (:data:`SPATIAL_MARKERS`, less :data:`NON_SPATIAL`).

    Returns
    -------
    list of Clause
        A subset of :func:`clauses`, in order.
    """
    return [c for c in clauses() if _is_spatial(c.text)]


def sections() -> list[str]:
    """Every ``plan_ref`` of the plan's body in order, e.g. ``["(一)", "(一)一", …, "(五)三"]``."""
    seen: list[str] = []
    for c in clauses():
        if c.section not in seen:
            seen.append(c.section)
    return seen


def _ends_overlap(a: str, b: str, k: int) -> bool:
    """Whether the end of one string is the start of the other over at least ``k`` characters.

    This is how a pasted text meets a quote it cuts through ("…概念设计,规划布局群众" against "规划布局群众艺术馆…"),
    without matching two quotes that only share a template ("年底前完成…站TOD开发策划及概念设计").
    """
    for x, y in ((a, b), (b, a)):
        for n in range(min(len(x), len(y)), k - 1, -1):
            if x[-n:] == y[:n]:
                return True
    return False


def quote_overlaps(quote: str, text: str, *, min_chars: int = MIN_OVERLAP_CHARS) -> str | None:
    """How a ``plan_quote`` and a text cite each other, if they do.

    Parameters
    ----------
    quote : str
        A feature's or target's ``plan_quote``.
    text : str
        Any text: a clause, a sentence, a paragraph.
    min_chars : int, keyword-only
        Shortest shared run of characters that counts as an overlap (default :data:`MIN_OVERLAP_CHARS`).

    Returns
    -------
    str or None
        ``"quote_in_text"`` when the text holds the whole quote, ``"text_in_quote"`` when the quote holds the
        whole text (at least two characters), ``"overlap"`` when the end of one is the start of the other over at
        least ``min_chars`` characters (a paste that cuts through the quote), else None. Whitespace and full-width commas are ignored.
    """
    q, t = _normalise(quote), _normalise(text)
    if not q or len(t) < 2:
        return None
    if q in t:
        return "quote_in_text"
    if t in q:
        return "text_in_quote"
    if _ends_overlap(q, t, min_chars):
        return "overlap"
    return None


def short_name(name_zh: str) -> str:
    """A feature's name as the plan's text writes it: no brackets, no numbering, no 中国/松山湖 prefix, no 镇 suffix.

    Parameters
    ----------
    name_zh : str
        The feature's ``name_zh``, e.g. ``松山湖材料实验室（一期）`` or ``企石镇``.

    Returns
    -------
    str
        E.g. ``材料实验室``, ``企石``; empty when nothing of two characters or more is left.
    """
    name = re.sub(r"[（(][^）)]*[）)]", "", str(name_zh))
    name = re.sub(r"\s*\d+$", "", name).strip()
    for prefix in ("中国", "松山湖高新区", "松山湖"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            name = name[len(prefix):]
    if name.endswith("镇") and len(name) >= 3:
        name = name[:-1]
    # the zone's own name names no place in it (every sentence of the plan says 松山湖)
    return name if len(name) >= 2 and name not in ("松山湖", "松山湖高新区", "高新区") else ""


def _match(quote: str, short: str, text: str) -> str | None:
    how = quote_overlaps(quote, text)
    if how is None and short and short in _normalise(text):
        how = "name"
    return how


def _citing_rows(frames: Mapping[str, gpd.GeoDataFrame], targets: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for layer, gdf in frames.items():
        if gdf is None or "plan_quote" not in gdf.columns:
            continue
        for rec in gdf.drop(columns="geometry", errors="ignore").to_dict("records"):
            rows.append({
                "source": "feature", "layer": layer, "id": str(rec["id"]), "name_zh": str(rec.get("name_zh", "")),
                "name_en": str(rec.get("name_en", "")), "plan_ref": str(rec.get("plan_ref", "")),
                "plan_quote": str(rec.get("plan_quote", "")), "role": str(rec.get("role", "") or ""),
                "status": str(rec.get("status", "")), "short": short_name(str(rec.get("name_zh", ""))),
            })
    for rec in targets.to_dict("records"):
        rows.append({
            "source": "target", "layer": str(rec.get("layer", "") or ""), "id": str(rec["key"]),
            "name_zh": str(rec.get("item_zh", "")), "name_en": str(rec.get("item_en", "")),
            "plan_ref": str(rec.get("section", "")), "plan_quote": str(rec.get("plan_quote", "")), "role": "target",
            "status": "", "short": "",
        })
    return pd.DataFrame(rows, columns=TRACE_COLUMNS[:-1] + ["short"])


def trace(
    text: str = "",
    *,
    section: str | None = None,
    frames: Mapping[str, gpd.GeoDataFrame] | None = None,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The plan items and targets that cite a text (or a section) of the plan.

    Parameters
    ----------
    text : str
        Any text: a pasted sentence or paragraph of the plan. Empty to list a whole ``section``.
    section : str, optional, keyword-only
        A ``plan_ref`` such as ``(四)二``: only items of that section; with an empty ``text``, all of them.
    frames : mapping of str to GeoDataFrame, optional, keyword-only
        Layer name → layer with ``id``, ``name_zh``, ``plan_ref``, ``plan_quote`` (default: every layer from
        the working store or the baseline, :func:`layers.load_all`).
    targets : pandas.DataFrame, optional, keyword-only
        The plan's targets (default :func:`layers.plan_targets`).

    Returns
    -------
    pandas.DataFrame
        One row per citing feature or target, columns :data:`TRACE_COLUMNS`: ``source`` (``feature`` or
        ``target``), ``layer``, ``id``, ``name_zh``, ``name_en``, ``plan_ref``, ``plan_quote``, ``role``
        (``plan_item``, ``context`` or ``target``), ``status`` and ``match`` (see :func:`quote_overlaps`;
        ``name`` when the text names the feature (:func:`short_name`) without sharing its quote; ``section``
        when only the section was given). Features first, in layer order.
    """
    rows = _citing_rows(load_all() if frames is None else frames, plan_targets() if targets is None else targets)
    if section:
        rows = rows[rows["plan_ref"] == section]
    if not _normalise(text):
        if not section:
            return pd.DataFrame(columns=TRACE_COLUMNS)
        return rows.assign(match="section").reset_index(drop=True)[TRACE_COLUMNS]
    matches = [_match(q, sn, text) for q, sn in zip(rows["plan_quote"], rows["short"])]
    out = rows.assign(match=matches)
    return out[out["match"].notna()].reset_index(drop=True)[TRACE_COLUMNS]


def trace_coverage(
    *,
    frames: Mapping[str, gpd.GeoDataFrame] | None = None,
    targets: pd.DataFrame | None = None,
) -> dict:
    """How many of the plan's clauses with a spatial item are traced to a feature or a target.

    Parameters
    ----------
    frames : mapping of str to GeoDataFrame, optional, keyword-only
        As for :func:`trace` (default: every layer, working store or baseline).
    targets : pandas.DataFrame, optional, keyword-only
        As for :func:`trace`.

    Returns
    -------
    dict
        JSON-able: ``clauses`` (all clauses of the plan's body), ``spatial_clauses`` (those with a spatial
        item), ``traced`` (spatial clauses some quote overlaps), ``traced_share`` (traced / spatial, 0–1,
        4 decimals), ``untraced`` (list of ``{"section", "text"}``) and ``rule`` (one line saying how
        clauses are counted).
    """
    rows = _citing_rows(load_all() if frames is None else frames, plan_targets() if targets is None else targets)
    quotes = sorted(set(rows["plan_quote"]))
    shorts = sorted({s for s in rows["short"] if s})
    every = clauses()
    spatial = [c for c in every if _is_spatial(c.text)]
    untraced = []
    for c in spatial:
        text = _normalise(c.text)
        if not any(quote_overlaps(q, c.text) for q in quotes) and not any(s in text for s in shorts):
            untraced.append({"section": c.section, "text": c.text})
    traced = len(spatial) - len(untraced)
    return {
        "clauses": len(every),
        "spatial_clauses": len(spatial),
        "traced": traced,
        "traced_share": round(traced / len(spatial), 4) if spatial else 1.0,
        "untraced": untraced,
        "rule": RULE,
    }
