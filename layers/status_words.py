"""The plan's words for "done" and for "when", as one table shared by the reader and the layers.

docs/status-model.md, rules 2 and 3, in code: the verb a plan uses decides the status at which its item is
done (``done_status``), and the period words decide the deadline. The words are year-free: a period is
``Q1`` … ``Q4``, ``H1``, ``H2``, a month ``01`` … ``12``, ``YE`` (年底前) or ``""`` (年内/全年, the whole
year); :mod:`layers.years` turns a period and a plan year into a deadline code such as ``2021-H1``.

This is the only table of these words: ``data/geo/scripts/build_dataset.py`` checks the bundled dataset's
deadlines against it (:func:`periods_in`).
"""

from __future__ import annotations

import re

__all__ = [
    "SPECIFIC_VERBS",
    "DONE_VERBS",
    "ONGOING_VERBS",
    "PERIOD_WORDS",
    "done_status_of",
    "period_of",
    "periods_in",
]

#: Phrases that name their finished state more precisely than their head verb (完成项目选址 is 选址, not 完成).
SPECIFIC_VERBS: tuple[tuple[str, str], ...] = (
    ("完成项目选址", "site_selected"),
    ("完成选址", "site_selected"),
    ("完成供地", "site_selected"),
    ("启动搬迁", "under_construction"),
    ("启动建设", "under_construction"),
)

#: Verbs with a finished state (status-model rule 2, first rows), each with the status that satisfies it.
DONE_VERBS: tuple[tuple[str, str], ...] = (
    ("选址", "site_selected"),
    ("供地", "site_selected"),
    ("规划布局", "site_selected"),
    ("动工", "under_construction"),
    ("开工", "under_construction"),
    ("启动", "under_construction"),
    ("打通", "completed"),
    ("建成", "completed"),
    ("完工", "completed"),
    ("竣工", "completed"),
    ("投入使用", "completed"),
    ("投用", "completed"),
    ("开业", "completed"),
    ("封顶", "completed"),
    ("改造", "completed"),
    ("设立", "completed"),
    ("挂牌", "completed"),
    ("落户", "completed"),
    ("升级为", "completed"),
    ("收储", "completed"),
    ("整备", "completed"),
    ("盘活", "completed"),
    ("回收", "completed"),
    ("复核", "completed"),
    ("新增", "completed"),
    ("新建", "completed"),
    ("引进", "completed"),
    ("实现", "completed"),
    ("完成", "completed"),
)

#: Verbs that ask for work without a finished state: the item is **ongoing** (no done_status, no deadline).
ONGOING_VERBS: tuple[str, ...] = (
    "加快", "推进", "推动", "谋划", "研究", "争取", "打造", "积极建设", "持续深化", "完善", "提升", "缓解",
    "建设", "开展", "做好", "加强",
)

#: Period words (status-model rule 3) → year-free period; months are read by :func:`period_of` ("9月份").
PERIOD_WORDS: tuple[tuple[str, str], ...] = (
    ("第一季度", "Q1"),
    ("一季度", "Q1"),
    ("第二季度", "Q2"),
    ("二季度", "Q2"),
    ("第三季度", "Q3"),
    ("三季度", "Q3"),
    ("第四季度", "Q4"),
    ("四季度", "Q4"),
    ("上半年", "H1"),
    ("下半年", "H2"),
    ("年底前", "YE"),
    ("年底", "YE"),
    ("年末", "YE"),
    ("今年内", ""),
    ("年内", ""),
    ("全年", ""),
)

_MONTH_RE = re.compile(r"(?<![0-9.])(1[0-2]|[1-9])月(?:份|底前|底|前)")
_STATUS_RANK = {"site_selected": 0, "under_construction": 1, "completed": 2}


def done_status_of(text: str) -> tuple[str, str | None]:
    """The verb of a clause and the status at which it is done.

    A verb with a finished state wins over a softening one in front of it ("加快推进…土地收储" is a land
    action, completed); among several finished-state verbs the furthest state wins ("尽快动工建成" is
    completed), and a specific phrase wins over its head verb ("完成项目选址" is site_selected).

    Parameters
    ----------
    text : str
        A clause or sentence of a plan.

    Returns
    -------
    tuple of (str, str or None)
        The verb as written ("" when none) and the ``done_status``: ``site_selected``,
        ``under_construction``, ``completed``, or None for ongoing work or no verb.
    """
    rest = text
    found: list[tuple[str, str]] = []
    for phrase, status in SPECIFIC_VERBS:
        if phrase in rest:
            found.append((phrase, status))
            rest = rest.replace(phrase, "\0")
    for verb, status in DONE_VERBS:
        if verb in rest:
            found.append((verb, status))
    if found:
        return max(found, key=lambda vs: (_STATUS_RANK[vs[1]], -text.find(vs[0])))
    hits = [(text.find(v), v) for v in ONGOING_VERBS if v in text]
    return (min(hits)[1], None) if hits else ("", None)


def period_of(text: str) -> tuple[str, str] | None:
    """The first period word of a text and its year-free period.

    Parameters
    ----------
    text : str
        A clause or sentence of a plan.

    Returns
    -------
    tuple of (str, str) or None
        The words as written and the period (``Q1`` … ``Q4``, ``H1``, ``H2``, ``01`` … ``12``, ``YE`` or
        ``""`` for the whole year); None when the text gives no period (尽快, 加快 … are not periods).
    """
    best: tuple[int, str, str] | None = None
    for word, period in PERIOD_WORDS:
        at = text.find(word)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, word, period)
    m = _MONTH_RE.search(text)
    if m and (best is None or m.start() < best[0]):
        best = (m.start(), m.group(0), f"{int(m.group(1)):02d}")
    return None if best is None else (best[1], best[2])


def periods_in(text: str) -> set[str]:
    """Every year-free period a text names (all of them, where :func:`period_of` gives the first).

    Parameters
    ----------
    text : str
        A clause or sentence of a plan.

    Returns
    -------
    set of str
        Periods as :func:`period_of` writes them (``Q1`` … ``H2``, ``01`` … ``12``, ``YE``, ``""`` for the
        whole year); empty when the text gives none.
    """
    found = {period for word, period in PERIOD_WORDS if word in text}
    found |= {f"{int(m.group(1)):02d}" for m in _MONTH_RE.finditer(text)}
    return found
