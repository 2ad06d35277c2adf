"""The plan's side of ``python -m layers metrics``: every plan metric on the working store or the bundled data.

``layers/__main__.py`` (the command line's composition root) wires :func:`metrics_command` in as the
``metrics`` command and calls it with the parsed arguments (``.json``: bool, ``.date``: ``YYYY-MM-DD`` or None).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from gis.errors import InputError

__all__ = ["metrics_command", "parse_date", "metrics_text"]


def parse_date(text: str | None) -> dt.date:
    """The as-of date: ``YYYY-MM-DD``, or today when None.

    Raises
    ------
    gis.errors.InputError
        When the text is not an ISO date.
    """
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"日期格式应为 YYYY-MM-DD: {text!r}", f"the date must be YYYY-MM-DD: {text!r}") from None


def _fmt_share(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f} %"


def metrics_text(doc: dict[str, Any]) -> str:
    """A plain-text summary of :func:`layers.metrics.plan_metrics` for the terminal (units on every number)."""
    lines = [f"松山湖规划指标 / Songshan Lake plan metrics (截至 / as of {doc['as_of']}, 数据 / data: {doc.get('source', '?')})", ""]
    lines.append("土地 / Land (亩, EPSG:4547)")
    names = {"consolidation": "整备 consolidation", "reserve": "收储 reserve", "revitalisation": "盘活 revitalisation"}
    for key, label in names.items():
        row = doc["land"][key]
        target = row["target_mu"]
        lines.append(f"  {label:<22} 合计 total {row['total_mu']:9.1f} 亩  完成 done {row['done_mu']:9.1f} 亩  目标 target "
                     f"{target if target is not None else float('nan'):7.0f} 亩")
    r = doc["roads"]
    lines += ["", "道路 / Roads",
              f"  联网路 link roads: 通车 opened {r['opened']} / {r['link_roads']} 条 (目标 target {r['target'] or 0:g}), "
              f"{r['opened_km']:.2f} / {r['total_km']:.2f} km",
              f"  拥堵点改造 congestion points fixed: {r['congestion_points']['fixed']} / {r['congestion_points']['total']} 个"]
    lines += ["", "变电站 / Substations"]
    for kv, row in doc["substations"]["by_voltage"].items():
        lines.append(f"  {kv} kV: {row['substations']} 座, 需求 demand {row['demand_mva']:.1f} MVA; 已建或在建 firm "
                     f"{row.get('firm_capacity_mva', 0.0):.0f} MVA ({_fmt_share(row.get('utilisation_firm'))}), 仅规划 planned "
                     f"{row.get('planned_capacity_mva', 0.0):.0f} MVA; 合计可供 all available {row['available_mva']:.1f} MVA "
                     f"({_fmt_share(row['utilisation'])}), 过载 overloaded {row['overloaded']}")
    a = doc["substations"].get("assumptions", {})
    if a:
        lines.append(f"  假设 assumptions: 功率因数 power factor {a.get('power_factor')}, 同时率 simultaneity {a.get('simultaneity')}, "
                     f"负载率 load rate {a.get('load_rate')}; " + "; ".join(
                         f"{u} {v['w_m2']:g} W/m² ({v['source']})" for u, v in a.get("load_density_w_m2", {}).items()))
    for key, row in doc["substations"]["progress"].items():
        if isinstance(row, dict):
            target = "—" if row["target"] is None else f"{row['target']:g}"
            lines.append(f"  {key}: {row['done']} / {target}")
    lines += ["", "覆盖 / Coverage (地块面积占比 share of parcel area)"]
    for ftype, row in doc["coverage"].items():
        parts = [f"{r_}m {_fmt_share(v['covered_share'])}" for r_, v in row["radii"].items()]
        lines.append(f"  {ftype:<18} ({row['facilities']} 处 facilities): " + ", ".join(parts))
    lines += ["", "计划目标 / Targets (已达成 achieved / 目标 target)"]
    for t in doc.get("targets", []):
        target = "—" if t["value"] is None else f"{t['value']:g}" + (f"–{t['value_max']:g}" if t["value_max"] is not None else "")
        got = "未在地图上计量 not measured on the map" if not t["measured"] else (
            f"{t['achieved']:.2f} ({'达成 met' if t['met'] else '未达成 not met'})")
        comp = "" if t["comparison"] == "range" else (t["comparison"] or "")
        lines.append(f"  {t['key']:<28} {comp}{target} {t['unit']}: {got}")
    s = doc.get("schedule", {})
    if s:
        lines += ["", f"计划事项 / Plan items: {s['items']}, 完成 done {s['done']}, 持续推进 ongoing {s['ongoing']}, "
                      f"逾期 overdue {s['overdue']}, 背景要素 context (not counted) {s['context']}"]
    lines += ["", f"逾期 / Overdue on {doc['as_of']}: {len(doc['overdue'])} 项 items"]
    lines += [f"  [{o['layer']}] {o['id']} {o['name_zh']} — {o['deadline']} ({o['status']})" for o in doc["overdue"]]
    return "\n".join(lines)


def metrics_command(args: argparse.Namespace) -> int:
    """Run ``python -m layers metrics [--json] [--date YYYY-MM-DD] [--year YYYY]``.

    Parameters
    ----------
    args : argparse.Namespace
        ``json`` (bool), ``date`` (str or None) and ``year`` (int or None: one plan year, else all).

    Returns
    -------
    int
        0 on success (bad input raises :class:`gis.errors.InputError`, which the CLI turns into exit 1).
    """
    from layers.progress import plan_progress

    as_of = parse_date(getattr(args, "date", None))
    doc = plan_progress(as_of=as_of, year=getattr(args, "year", None))  # a past date replays the store's history to the end of that day
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str, allow_nan=False) + "\n")
    else:
        sys.stdout.write(metrics_text(doc) + "\n")
    return 0
