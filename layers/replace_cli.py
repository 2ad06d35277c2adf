"""The plan's side of ``python -m layers replace``: official data onto a plan layer, previewed, then committed.

``layers/__main__.py`` (the command line's composition root) wires :func:`replace_command` in as a plan command.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_replace_arguments", "replace_command", "preview_text"]


def add_replace_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``python -m layers replace LAYER FILE --source TEXT --accuracy-m N [--commit] --user NAME``."""
    p.add_argument("layer", help="plan layer, e.g. road_links / 图层")
    p.add_argument("file", help="official file (any format the readers take) / 正式数据文件")
    p.add_argument("--source", required=True, help="where the official data comes from / 数据来源")
    p.add_argument("--accuracy-m", type=float, required=True, help="stated positional accuracy, metres / 精度（米）")
    p.add_argument("--user", required=True, help="who replaces (recorded in the history) / 操作人")
    p.add_argument("--commit", action="store_true", help="write the matches (default: preview only) / 确认写入")
    p.add_argument("--attributes", default="", help="incoming fields to copy, comma-separated / 同时写入的字段")
    p.add_argument("--id-field", default=None, help="incoming field holding the plan id")
    p.add_argument("--name-field", default=None, help="incoming field holding the name")
    p.add_argument("--crs", default=None, help="CRS of a file that carries none, e.g. EPSG:4547")
    p.add_argument("--store", default=None, help="working store: a .gpkg path or a postgresql:// URL (default: the configured one)")
    p.add_argument("--json", action="store_true")


def _num(x: float, unit: str) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f} {unit}"


def preview_text(preview: Any) -> str:
    """A plain-text preview (matched with 亩 and m, new, items left without official geometry)."""
    lines = [f"图层 / layer {preview.layer}: 匹配 matched {len(preview.matched)}, 新增 new {len(preview.new)}, "
             f"未替换 left illustrative/unmatched {len(preview.unmatched)}", ""]  # fmt: skip
    for r in preview.matched.itertuples(index=False):
        problem = f"  !! {r.problem}" if r.problem else ""
        lines.append(
            f"  {r.feature_id:<16} {r.name_zh or ''} ← {r.incoming_name or '#' + str(r.incoming)} [{r.how}] "
            f"位移 displacement {_num(r.displacement_m, 'm')}, 面积变化 area change {_num(r.area_change_mu, '亩')}{problem}"
        )
    if len(preview.unmatched):
        lines += ["", "未获正式几何 / items left without official geometry: " + ", ".join(preview.unmatched["feature_id"])]
    return "\n".join(lines)


def replace_command(args: argparse.Namespace) -> int:
    """Run ``python -m layers replace``: preview, and with ``--commit`` write in one transaction.

    Returns
    -------
    int
        0 on success (bad input raises :class:`gis.errors.InputError`, which the CLI turns into exit 1).
    """
    from gis.io import read_any
    from gis.store import open_store
    from layers.registry import seed_store
    from layers.replace import commit_replacement, preview_replacement

    store = open_store(args.store)  # a path or a postgresql:// URL; None: the configured store
    seed_store(store)
    incoming = read_any(Path(args.file), crs=args.crs).gdf
    preview = preview_replacement(
        store.read_layer(args.layer), incoming, layer=args.layer, id_column=args.id_field, name_column=args.name_field
    )
    attributes = [a.strip() for a in args.attributes.split(",") if a.strip()]
    versions: dict[str, int] = {}
    if args.commit:
        versions = commit_replacement(store, preview, source=args.source, accuracy_m=args.accuracy_m, user=args.user, attributes=attributes)
    if args.json:
        doc = {
            "layer": args.layer,
            "matched": json.loads(preview.matched.to_json(orient="records", force_ascii=False)),
            "new": [int(i) for i in preview.new["incoming"]],
            "unmatched": list(preview.unmatched["feature_id"]),
            "committed": versions,
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        text = preview_text(preview)
        text += (f"\n\n已写入 / committed {len(versions)} 个要素 features (来源 source: {args.source}, 精度 accuracy {args.accuracy_m:g} m)"
                 if args.commit else "\n\n仅预览；加 --commit 写入 / preview only; add --commit to write")  # fmt: skip
        sys.stdout.write(text + "\n")
    return 0
