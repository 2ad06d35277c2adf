"""The plan's side of ``python -m gis plan``: proposing a year's plan items from its text.

``gis/__main__.py`` wires :func:`plan_command` in as the ``plan`` command. ``plan propose FILE --year 2021``
reads the plan (:func:`layers.plan_reader.read_plan`) and writes its candidate items
(:func:`layers.plan_reader.propose`) as JSON (``--json``, or ``--out FILE``) or as a table for the terminal.
The JSON is what a planner reviews and accepts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gis.errors import InputError
from layers.plan_reader import propose, read_plan
from layers.years import MAX_PLAN_YEAR, MIN_PLAN_YEAR

__all__ = ["PROPOSALS_FORMAT", "add_plan_arguments", "plan_command", "proposals_document", "proposals_text"]

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
    text = read_plan(path)
    return {"format": PROPOSALS_FORMAT, "plan_year": int(year), "source": Path(path).name,
            "candidates": [c.to_dict() for c in propose(text, year=int(year))]}


def proposals_text(doc: dict[str, Any]) -> str:
    """A plain-text table of the proposals for the terminal."""
    lines = [f"计划 / plan {doc['source']} ({doc['plan_year']}): {len(doc['candidates'])} 项候选 / candidates", ""]
    for c in doc["candidates"]:
        figure = c["quantity"] or "—"
        lines.append(f"{c['n']:>4} {c['section'] or '-':<8} {figure:<14} {c['done_status'] or '持续推进 ongoing':<20} "
                     f"{c['deadline'] or '—':<9} {c['item_zh'][:24]}")
    return "\n".join(lines)


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``plan`` command's sub-commands and options."""
    sub = parser.add_subparsers(dest="plan_action", required=True)
    p = sub.add_parser("propose", help="candidate items of a plan text / 从计划文本提出候选事项")
    p.add_argument("file", help="the plan: .txt (UTF-8 or GB18030) or .docx")
    p.add_argument("--year", type=int, required=True, help="the plan's year, e.g. 2021")
    p.add_argument("--json", action="store_true", help="print the proposals as JSON")
    p.add_argument("--out", help="write the proposals JSON to this file")


def plan_command(args: argparse.Namespace) -> int:
    """Run ``python -m gis plan …`` with parsed arguments; returns the exit code (0)."""
    doc = proposals_document(args.file, year=args.year)
    payload = json.dumps(doc, ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).write_text(payload + "\n", encoding="utf-8")
    if args.json:
        sys.stdout.write(payload + "\n")
    elif not args.out:
        sys.stdout.write(proposals_text(doc) + "\n")
    return 0
