"""Reading a work plan (工作计划): from its text to numbered sections, sentences and candidate items.

Pure functions, no store and no map. :func:`decode_plan` turns a file's bytes into text (UTF-8 or GB18030
``.txt``; ``.docx`` through a bounded zip + XML reader); :func:`split_sections` cuts the text at its
numbered headings (一、 (一) 一要/一是 1. (1) …); :func:`propose` reads every clause and proposes the
candidate items a planner then confirms:

- a **quantity** with its unit (约700亩, 不少于50万平方米, 18条, 2至3个, 63亿元, 92% …), one candidate per
  quantity (``kV``/千伏 is an attribute of a project, not a target, and makes no candidate by itself);
- otherwise a clause naming a **place or project** (…路, …站, …输变电工程, …学校, …园, …片区 …) with a verb;
- the **verb** and its ``done_status`` (:func:`layers.status_words.done_status_of`, docs/status-model.md);
- the **deadline** words (第一季度, 上半年, 9月份, 年底前, 年内 …) made into a code of the plan's year
  (``2021-H1``). A period written earlier in the same sentence governs the clauses after it ("力争全年打通
  18条联网路,完成4个交通拥堵点改造"); a period never crosses a sentence (。；;).

Each candidate keeps its verbatim ``quote`` (the clause), its ``sentence`` and its ``section``
(``plan_ref``, e.g. ``(四)二``).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gis import settings
from gis.errors import InputError, LimitExceeded
from layers.status_words import DONE_VERBS, ONGOING_VERBS, PERIOD_WORDS, done_status_of, period_of
from layers.years import deadline_code

__all__ = [
    "Section",
    "Candidate",
    "UNITS",
    "PLACE_SUFFIXES",
    "decode_plan",
    "read_plan",
    "split_sections",
    "sentences",
    "clauses",
    "quantities",
    "places",
    "propose",
    "score_against_targets",
]

#: Units a quantity may carry: written form → (unit code, multiplier to the code's unit, kind).
#: ``kind`` is ``measure`` (area, length, money, share), ``count`` (a measure word) or ``attribute`` (kV).
#: Longer forms come first so that 万平方米 is read before 平方米.
UNITS: tuple[tuple[str, str, float, str], ...] = (
    ("万平方米", "m2", 10_000.0, "measure"),
    ("平方公里", "km2", 1.0, "measure"),
    ("平方米", "m2", 1.0, "measure"),
    ("公顷", "ha", 1.0, "measure"),
    ("亩", "mu", 1.0, "measure"),
    ("公里", "km", 1.0, "measure"),
    ("千米", "km", 1.0, "measure"),
    ("亿元", "100 million yuan", 1.0, "measure"),
    ("万元", "10 thousand yuan", 1.0, "measure"),
    ("%", "%", 1.0, "measure"),
    ("％", "%", 1.0, "measure"),
    ("千伏", "kV", 1.0, "attribute"),
    ("kV", "kV", 1.0, "attribute"),
    ("KV", "kV", 1.0, "attribute"),
    ("万个", "count", 10_000.0, "count"),
    ("条", "count", 1.0, "count"),
    ("座", "count", 1.0, "count"),
    ("个", "count", 1.0, "count"),
    ("所", "count", 1.0, "count"),
    ("家", "count", 1.0, "count"),
    ("名", "count", 1.0, "count"),
    ("项", "count", 1.0, "count"),
    ("处", "count", 1.0, "count"),
    ("宗", "count", 1.0, "count"),
    ("栋", "count", 1.0, "count"),
    ("镇", "count", 1.0, "count"),
    ("村", "count", 1.0, "count"),
    ("路", "count", 1.0, "count"),
    ("套", "count", 1.0, "count"),
    ("辆", "count", 1.0, "count"),
    ("人", "count", 1.0, "count"),
)

#: Endings of named places and projects (…路, …站, …输变电工程, …学校, …园, …片区 …), longest first.
PLACE_SUFFIXES: tuple[str, ...] = (
    "输变电工程", "综合体", "服务中心", "文体中心", "体育公园", "实验室", "孵化器", "加速器", "示范区", "集聚区",
    "产业园", "工业园", "生态园", "科学城", "片区", "校区", "学校", "小学", "中学", "幼儿园", "医院", "消防站",
    "公园", "广场", "水库", "湿地", "大厦", "基地", "通道", "路网", "园", "路", "站", "湖", "河", "村", "镇", "馆",
)

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "[一二两三四五六七八九十]"
_CN_COUNT_UNITS = ("个", "条", "座", "所", "家", "名", "项", "处", "镇")
_NUM = r"\d+(?:\.\d+)?"
_UNIT_ALT = "|".join(re.escape(u[0]) for u in UNITS)
_QTY_RE = re.compile(
    rf"(?P<pre>约|不少于|不低于|不超过|不高于|超过|达到|达)?"
    rf"(?P<a>{_NUM})(?:\s*(?P<sep>至|到|-|—|~|～)\s*(?P<b>{_NUM}))?\s*(?P<mult>万|亿)?(?P<unit>{_UNIT_ALT})"
    rf"(?P<post>以上|以下|左右)?"
)
_CN_QTY_RE = re.compile(
    rf"(?<![一二两三四五六七八九十第])(?P<a>{_CN_NUM}{{1,3}})(?:至(?P<b>{_CN_NUM}{{1,3}}))?(?P<unit>{'|'.join(_CN_COUNT_UNITS)})"
)
_UNIT_BY_FORM = {u[0]: u for u in UNITS}
_CN_BLOCK = {"一个", "一条", "一项", "一名", "一家", "一处", "一座", "一所", "一批", "一镇"}  # "一个…" is an article

_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("paren_cn", re.compile(r"^\s*[(（](" + _CN_NUM + r"{1,3})[)）]")),
    ("dun_cn", re.compile(r"^\s*(" + _CN_NUM + r"{1,3})、")),
    ("yao_cn", re.compile(r"^\s*(" + _CN_NUM + r"{1,3})(?:要|是)")),
    ("dot_num", re.compile(r"^\s*(\d{1,2})[.．、](?!\d)")),
    ("paren_num", re.compile(r"^\s*[(（](\d{1,2})[)）]")),
)
_SENTENCE_RE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
_CLAUSE_RE = re.compile(r"[^,，]+")
_PLACE_STOP = "、,，和与及的在将为对把于并等是由从向以至到了“”"
_NAME_BREAKS = tuple(w for w, _ in PERIOD_WORDS + DONE_VERBS) + ONGOING_VERBS + ("通过", "优化", "照", "抓好", "探索")
_PLACE_LEADS = ("力争", "确保", "尽快", "着力", "积极", "大力", "全力", "推进", "推动", "加快", "启动", "建设", "完成", "打造",
                "新建", "建成", "规划", "打通", "优先", "提高", "提升", "加强", "创建", "搭建", "永久", "谋划", "布局")


@dataclass(frozen=True)
class Section:
    """A numbered section of a plan.

    Attributes
    ----------
    ref : str
        Its number path, e.g. ``(四)二`` (chapter (四), part 二) or ``一(二)3.``; ``""`` before the first heading.
    heading : str
        The heading marker as written, e.g. ``二要`` or ``(一)``.
    text : str
        The section's own text (the heading line and the lines up to the next heading), verbatim.
    """

    ref: str
    heading: str
    text: str


@dataclass
class Candidate:
    """A proposed plan item, for a planner to accept, edit or drop.

    Attributes
    ----------
    n : int
        Its number in the proposals (from 1).
    section : str
        The section's ``ref`` (``plan_ref``).
    quote : str
        The clause, verbatim.
    sentence : str
        The sentence holding the clause, verbatim.
    item_zh : str
        A short name: the place or project, else the clause.
    quantity : str
        The quantity as written ("约700亩"), or "".
    value, value_max : float or None
        The figure in ``unit`` (50万平方米 → 500000 m2; 2至3个 → 2 and 3).
    unit : str
        ``mu``, ``m2``, ``km``, ``km2``, ``ha``, ``100 million yuan``, ``10 thousand yuan``, ``%``, ``count``, or "".
    measure_word : str
        The Chinese unit as written (亩, 条, 个 …).
    comparison : str
        ``≈`` (约), ``>=`` (不少于/以上), ``<=`` (不超过/以下), ``range`` (2至3), or ``=``.
    places : list of str
        Named places and projects in the clause.
    verb : str
        The verb that says what must happen ("" when none).
    done_status : str or None
        The status at which the item is done (None: ongoing).
    deadline_words : str
        The period words as written, possibly from earlier in the sentence.
    deadline : str or None
        The deadline code of the plan's year (``2021-H1``), None when no period is given or the item is ongoing.
    """

    n: int
    section: str
    quote: str
    sentence: str
    item_zh: str
    quantity: str = ""
    value: float | None = None
    value_max: float | None = None
    unit: str = ""
    measure_word: str = ""
    comparison: str = ""
    places: list[str] = field(default_factory=list)
    verb: str = ""
    done_status: str | None = None
    deadline_words: str = ""
    deadline: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The candidate as a JSON-ready dict."""
        return asdict(self)


# ------------------------------------------------------------------------------------------------- reading
def decode_plan(data: bytes, *, filename: str = "plan.txt") -> str:
    """The text of a plan file: ``.docx``, or text in UTF-8 or GB18030 (detected with charset-normalizer).

    Parameters
    ----------
    data : bytes
        The file's content, at most ``settings.MAX_PLAN_BYTES``.
    filename : str, keyword-only
        Its name; only the extension is read (``.docx`` or anything else as text).

    Returns
    -------
    str
        The text with CR LF line ends made LF; paragraphs of a ``.docx`` are lines.

    Raises
    ------
    gis.errors.LimitExceeded
        A file or a ``.docx`` document part larger than the limits.
    gis.errors.InputError
        A file that is neither text in a known encoding nor a readable ``.docx``.
    """
    if len(data) > settings.MAX_PLAN_BYTES:
        raise LimitExceeded(f"计划文件超过 {settings.MAX_PLAN_BYTES} 字节", f"plan file larger than {settings.MAX_PLAN_BYTES} bytes")
    if filename.lower().endswith(".docx") or data[:2] == b"PK":
        text = _docx_text(data)
    else:
        text = _decode_text(data)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_plan(path: Path | str) -> str:
    """The text of a plan file on disk (see :func:`decode_plan`)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"无法读取计划文件 {p.name}", f"cannot read plan file {p.name}: {exc.strerror}") from None
    if size > settings.MAX_PLAN_BYTES:
        raise LimitExceeded(f"计划文件超过 {settings.MAX_PLAN_BYTES} 字节", f"plan file larger than {settings.MAX_PLAN_BYTES} bytes")
    return decode_plan(p.read_bytes(), filename=p.name)


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = (best.encoding if best is not None else "gb18030").lower()
    if encoding.replace("_", "").replace("-", "") in ("gb2312", "gbk", "gb18030", "hz", "cp936", "big5", "big5hkscs"):
        encoding = "gb18030"  # the superset: a GBK guess on a GB18030 file must not drop characters
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputError("计划文本的编码无法识别（应为 UTF-8 或 GB18030）",
                         "the plan's text encoding is not recognised (expected UTF-8 or GB18030)") from None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_text(data: bytes) -> str:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    bad = InputError("无法读取 .docx 文件（不是有效的 Word 文档）", "cannot read the .docx file (not a valid Word document)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise bad from None
    with zf:
        infos = zf.infolist()
        if len(infos) > settings.MAX_ARCHIVE_MEMBERS:
            raise LimitExceeded(f".docx 内文件超过 {settings.MAX_ARCHIVE_MEMBERS} 个",
                                f".docx holds more than {settings.MAX_ARCHIVE_MEMBERS} members")
        try:
            info = zf.getinfo("word/document.xml")
        except KeyError:
            raise bad from None
        if info.file_size > settings.MAX_PLAN_BYTES or (
            info.compress_size and info.file_size / info.compress_size > settings.MAX_ARCHIVE_RATIO
        ):
            raise LimitExceeded(".docx 正文过大或压缩比异常", ".docx body too large or compressed suspiciously well")
        with zf.open(info) as fh:
            xml = fh.read(settings.MAX_PLAN_BYTES + 1)
        if len(xml) > settings.MAX_PLAN_BYTES:
            raise LimitExceeded(".docx 正文过大", ".docx body too large")
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, DefusedXmlException):
        raise bad from None
    lines: list[str] = []
    for para in root.iter(f"{_W}p"):
        parts: list[str] = []
        for node in para.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ sections
def split_sections(text: str) -> list[Section]:
    """Cut a plan at its numbered headings.

    A heading opens a line: ``一、``, ``(一)``/``（一）``, ``一要``/``一是``, ``1.``/``1、``, ``(1)``. The order in
    which the kinds first appear gives their depth (一、 above (一) above 1. in most plans; the 2020 plan
    has (一) above 一要), so a section's ``ref`` is the path of markers above it: ``(四)二``.

    Parameters
    ----------
    text : str
        The plan's text.

    Returns
    -------
    list of Section
        In order; the text before the first heading (title, preamble) is a section with ``ref`` "".
    """
    depth_of: dict[str, int] = {}
    path: list[str] = []
    out: list[Section] = []
    ref, heading, lines = "", "", []
    for line in text.split("\n"):
        hit = None
        for kind, pattern in _HEADINGS:
            m = pattern.match(line)
            if m:
                hit = (kind, m)
                break
        if hit is None:
            lines.append(line)
            continue
        if lines and any(s.strip() for s in lines):
            out.append(Section(ref, heading, "\n".join(lines).strip("\n")))
        kind, m = hit
        depth = depth_of.setdefault(kind, len(depth_of))
        label = {"paren_cn": f"({m.group(1)})", "dun_cn": m.group(1), "yao_cn": m.group(1),
                 "dot_num": f"{m.group(1)}.", "paren_num": f"({m.group(1)})"}[kind]
        path = path[:depth] + [""] * max(0, depth - len(path)) + [label]
        ref, heading, lines = "".join(path), m.group(0).strip(), [line]
    if lines and any(s.strip() for s in lines):
        out.append(Section(ref, heading, "\n".join(lines).strip("\n")))
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a text, cut after 。；;！？ and at line ends, verbatim (stripped), empty ones dropped."""
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip(" \t。；;！？!?")]


def clauses(sentence: str) -> list[str]:
    """The clauses of a sentence, cut at commas (the plan writes ASCII ``,``), without the final stop."""
    body = sentence.rstrip("。；;！？!?")
    return [c.strip() for c in _CLAUSE_RE.findall(body) if c.strip()]


def _cn_number(text: str) -> int | None:
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    return None


def quantities(clause: str) -> list[dict[str, Any]]:
    """Every quantity with a unit in a clause.

    Returns
    -------
    list of dict
        ``text`` (as written), ``value``, ``value_max`` (a range's top, else None), ``unit`` (code, see
        :data:`UNITS`), ``measure_word`` (the written unit), ``kind`` (``measure``/``count``/``attribute``)
        and ``comparison`` (``≈``, ``>=``, ``<=``, ``range`` or ``=``), in reading order.
    """
    found: list[tuple[int, dict[str, Any]]] = []
    taken: list[tuple[int, int]] = []
    for m in _QTY_RE.finditer(clause):
        form, code, mult, kind = _UNIT_BY_FORM[m.group("unit")]
        mult *= {"万": 10_000.0, "亿": 100_000_000.0}.get(m.group("mult") or "", 1.0)
        value = float(m.group("a")) * mult
        value_max = float(m.group("b")) * mult if m.group("b") else None
        pre, post = m.group("pre") or "", m.group("post") or ""
        comparison = ("range" if value_max is not None else "≈" if pre == "约" or post == "左右"
                      else ">=" if pre in ("不少于", "不低于", "超过", "达到", "达") and post != "以下" or post == "以上"
                      else "<=" if pre in ("不超过", "不高于") or post == "以下" else "=")
        found.append((m.start(), {"text": m.group(0), "value": value, "value_max": value_max, "unit": code,
                                  "measure_word": form, "kind": kind, "comparison": comparison}))
        taken.append(m.span())
    for m in _CN_QTY_RE.finditer(clause):
        if any(a <= m.start() < b for a, b in taken) or m.group(0) in _CN_BLOCK:
            continue
        a = _cn_number(m.group("a"))
        b = _cn_number(m.group("b")) if m.group("b") else None
        if a is None:
            continue
        found.append((m.start(), {"text": m.group(0), "value": float(a), "value_max": None if b is None else float(b),
                                  "unit": "count", "measure_word": m.group("unit"), "kind": "count",
                                  "comparison": "range" if b is not None else "="}))
    return [q for _, q in sorted(found, key=lambda t: t[0])]


def places(clause: str) -> list[str]:
    """Named places and projects in a clause: a run of characters ending in one of :data:`PLACE_SUFFIXES`.

    The name runs back from the ending to the nearest list mark, conjunction or preposition (、和与及的在 …)
    or verb, at most 16 characters; names shorter than 3 characters ("道路" …) are left out.
    """
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    for suffix in PLACE_SUFFIXES:
        start = 0
        while (at := clause.find(suffix, start)) >= 0:
            end = start = at + len(suffix)
            if any(a <= at and end <= b for a, b in spans):
                continue
            i = at
            while i > 0 and at - i < 16 and clause[i - 1] not in _PLACE_STOP and not clause[i - 1].isspace():
                i -= 1
            name = clause[i:end]
            head = name[: -len(suffix)]
            cut = max((head.rfind(w) + len(w) for w in _NAME_BREAKS if w in head), default=0)
            name = name[cut:]
            while any(name.startswith(lead) for lead in _PLACE_LEADS):
                name = name[2:]
            spans.append((end - len(name), end))
            if len(name) >= 3 and name not in out:
                out.append(name)
    return out


# ---------------------------------------------------------------------------------------------- proposals
def propose(text: str, *, year: int) -> list[Candidate]:
    """Candidate items of a plan's text.

    Parameters
    ----------
    text : str
        The plan (as :func:`decode_plan` returns it).
    year : int, keyword-only
        The plan's year; deadlines become codes of this year (上半年 → ``f"{year}-H1"``).

    Returns
    -------
    list of Candidate
        In reading order: one per quantity (kV excepted), and one per clause without a quantity that names a
        place or project and has a verb.
    """
    out: list[Candidate] = []
    for section in split_sections(text):
        body = section.text.strip()
        if section.heading and not section.heading.endswith(("要", "是")) and body.startswith(section.heading):
            body = body[len(section.heading):]  # a marker, not words of the plan (一要/一是 are words)
        for sentence in sentences(body):
            period: tuple[str, str] | None = None
            for clause in clauses(sentence):
                own = period_of(clause)
                if own is not None:
                    period = own
                verb, done_status = done_status_of(clause)
                named = places(clause)
                qty = [q for q in quantities(clause) if q["kind"] != "attribute"]
                if not qty and not (named and verb):
                    continue
                # A figure is met by a date whatever its verb; a place with no finished state is ongoing (no date).
                deadline = None
                if period is not None and (done_status is not None or qty):
                    deadline = deadline_code(year, period[1])
                base = {"section": section.ref, "quote": clause, "sentence": sentence,
                        "item_zh": named[0] if named else clause, "places": named, "verb": verb,
                        "done_status": done_status, "deadline_words": period[0] if period else "",
                        "deadline": deadline}
                if not qty:
                    out.append(Candidate(n=len(out) + 1, **base))
                for q in qty:
                    out.append(Candidate(
                        n=len(out) + 1, quantity=q["text"], value=q["value"], value_max=q["value_max"], unit=q["unit"],
                        measure_word=q["measure_word"], comparison=q["comparison"], **base,
                    ))
    return out


# ------------------------------------------------------------------------------------- scoring on known targets
_TARGET_UNITS = {"mu": "mu", "m2": "m2", "m2 floor area": "m2", "km": "km", "%": "%", "100 million yuan": "100 million yuan"}
_STATED_RE = re.compile(r"\d|" + _CN_NUM + "(?:" + "|".join(_CN_COUNT_UNITS) + ")")


def _matches(c: Candidate, row: dict[str, Any]) -> bool:
    quote = str(row.get("plan_quote") or "")
    if c.value is None or c.section != str(row.get("section") or "") or not (c.quote in quote or quote in c.quote):
        return False
    value = float(row["value"])
    top = row.get("value_max")
    top = None if top is None or (isinstance(top, float) and top != top) or top == "" else float(top)
    unit = _TARGET_UNITS.get(str(row.get("unit") or ""), "count")
    return c.unit == unit and c.value == value and (top is None or c.value_max == top)


def score_against_targets(candidates: list[Candidate], targets: Any) -> dict[str, Any]:
    """Recall and precision of numeric proposals against a table of known targets (``plan_targets.csv``).

    A target row **states a number** when its ``plan_quote`` holds a digit or a Chinese numeral with a
    measure word (九镇, 三镇); rows whose figure the plan never writes (two TOD designs, the TID's first
    phase) cannot be read from the text and are counted apart. A row is **recovered** when a candidate of
    its section, whose clause lies in the row's quote (or holds it), has the row's figure in the row's unit
    (亩, m², %, 亿元; any measure word for counts) and, for a range, the same top.

    Parameters
    ----------
    candidates : list of Candidate
        :func:`propose`'s output for the plan the table describes.
    targets : pandas.DataFrame
        Rows with ``key``, ``section``, ``plan_quote``, ``value``, ``value_max`` and ``unit``.

    Returns
    -------
    dict
        ``stated`` (rows stating a number), ``recovered`` (of those), ``recall`` (recovered / stated),
        ``recall_all`` (recovered / every row with a value), ``numeric_candidates`` (candidates with a
        figure), ``matching_candidates`` (of those, matching a row), ``precision`` (matching / numeric) and
        ``missed`` (keys of stated rows not recovered).
    """
    rows = [r for r in targets.to_dict(orient="records") if str(r.get("value", "")).strip() not in ("", "nan")]
    stated = [r for r in rows if _STATED_RE.search(str(r.get("plan_quote") or ""))]
    recovered = [r for r in stated if any(_matches(c, r) for c in candidates)]
    numeric = [c for c in candidates if c.value is not None]
    matching = [c for c in numeric if any(_matches(c, r) for r in rows)]
    return {
        "rows": len(rows),
        "stated": len(stated),
        "recovered": len(recovered),
        "recall": len(recovered) / len(stated) if stated else None,
        "recall_all": len(recovered) / len(rows) if rows else None,
        "numeric_candidates": len(numeric),
        "matching_candidates": len(matching),
        "precision": len(matching) / len(numeric) if numeric else None,
        "missed": [str(r["key"]) for r in stated if r not in recovered],
    }
