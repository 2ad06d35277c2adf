"""``python -m gis``: the command-line face of the library, for scripts and surveyors.

Exit codes: 0 success; 1 bad input (one line, Chinese then English, no traceback); 2 bad usage.
With ``--json`` every command prints one JSON document whose keys are a contract (see README).

This module knows nothing of the plan. Commands that need the plan (``metrics``, ``plan``, ``replace``,
``app``, ``tiles --render-bundled``) are handed in as :class:`Command` rows by the command line's composition
root, ``layers/__main__.py`` (``python -m layers``, the console script ``ssl-gis``), as ``app.py`` composes the
app. ``python -m gis`` (``gis/__main__.py``) runs these commands alone and imports nothing of ``layers``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Command", "main", "build_parser", "error_line"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    """A sub-command of the command line: one of the library's own, or one added from outside (the plan's ``metrics``).

    A command added from outside named like one of the library's own (``tiles``) replaces it. Its
    ``add_arguments`` runs only when the sub-command is parsed, so it may import what the command needs.

    Attributes
    ----------
    name : str
        The sub-command's name on the command line.
    help : str
        One line for ``--help``.
    add_arguments : callable
        ``add_arguments(parser)`` adds the sub-command's own options to its ``argparse`` sub-parser.
    run : callable
        ``run(args) -> int`` runs it with the parsed ``argparse.Namespace``; bad input raises
        :class:`gis.errors.GisError`, which :func:`main` turns into exit code 1.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


#: The command line's own hint for a library error that asks the user to choose (``InputError.choice``) or a
#: file-level problem code of ``validate``; the library's message names no flag (it also reaches the app).
_FLAG_HINTS: dict[str, tuple[str, str]] = {
    "crs": ("用 --crs 指定，例如 --crs EPSG:4547", "give it with --crs, e.g. --crs EPSG:4547"),
    "layer": ("用 --layer 选择图层", "choose it with --layer"),
    "format": ("用 --to 指定格式", "name it with --to"),
    "allow_illustrative": ("确需写入请加 --allow-illustrative", "to write them anyway, add --allow-illustrative"),
}
_PROBLEM_CHOICES = {"unknown_crs": "crs"}


def error_line(zh: str, en: str, choice: str | None = None) -> str:
    """The one stderr line of a refused input: ``错误 / error: zh（hint） / en (hint)``.

    Parameters
    ----------
    zh, en : str
        The library's message in each language.
    choice : str, optional
        What the user can choose (:attr:`gis.errors.InputError.choice`); adds the command-line flag for it.

    Returns
    -------
    str
        One line ending in a newline.
    """
    hint = _FLAG_HINTS.get(choice or "")
    if hint:
        zh, en = f"{zh}（{hint[0]}）", f"{en} ({hint[1]})"
    return f"错误 / error: {zh} / {en}\n".replace("\n", " ").rstrip() + "\n"


def _emit(payload: dict[str, Any], as_json: bool, text: Callable[[dict[str, Any]], str]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        sys.stdout.write(text(payload) + "\n")


def _nothing_usable(report: Any, name: str) -> tuple[str, str] | None:
    """The message (zh, en) for an input that yields no feature, or None when some are usable.

    An empty input and one whose every feature was dropped are told apart, and the count is named:
    a command must never report success (0 亩, an empty file) for input it could not use.
    """
    if report.features:
        return None
    if report.dropped:
        first = next((p for p in report.problems if p.fatal and p.feature is not None), None)
        why_zh = f"（例如第 {first.feature} 个：{first.message_zh}）" if first else ""
        why_en = f" (e.g. feature {first.feature}: {first.message_en})" if first else ""
        return (
            f"{name} 的全部 {report.dropped} 个要素都无法使用，已删除{why_zh}；用 validate 查看全部原因",
            f"all {report.dropped} features of {name} were dropped{why_en}; run validate for every reason",
        )
    return (f"{name} 中没有要素", f"{name} holds no features")


def _cmd_validate(args: argparse.Namespace) -> int:
    from gis.io import read_any

    result = read_any(Path(args.file), layer=args.layer, datum=args.datum, crs=args.crs, strict=False)
    payload = result.report.to_dict()

    def text(p: dict[str, Any]) -> str:
        usable = "OK" if p["ok"] and p["features"] else "不可用 / unusable"
        lines = [f"{usable}: {p['features']} 个要素 / features, 已删除 / dropped: {p['dropped']}"]
        if p["crs_assumed"]:
            lines.append(f"坐标系假定 / CRS assumed: {p['crs_assumed']}")
        lines += [f"  问题 / problem  [{q['feature']}] {q['problem']}" for q in p["problems"]]
        lines += [f"  修复 / repair   [{r['feature']}] {r['repair']}" for r in p["repairs"]]
        return "\n".join(lines)

    _emit(payload, args.json, text)
    fatal = next((q for q in result.report.problems if q.fatal and q.feature is None), None)
    if fatal is not None:
        sys.stderr.write(error_line(fatal.message_zh, fatal.message_en, _PROBLEM_CHOICES.get(fatal.problem)))
        return 1
    empty = _nothing_usable(result.report, Path(args.file).name)
    if empty is not None:
        sys.stderr.write(f"错误 / error: {empty[0]} / {empty[1]}\n".replace("\n", " ").rstrip() + "\n")
        return 1
    return 0 if payload["ok"] else 1


def _cmd_area(args: argparse.Namespace) -> int:
    from gis.area import UNITS, area_m2, m2_to_mu
    from gis.errors import InputError
    from gis.io import read_any

    result = read_any(Path(args.file), layer=args.layer, datum=args.datum, crs=args.crs)
    empty = _nothing_usable(result.report, Path(args.file).name)
    if empty is not None:
        raise InputError(*empty)
    gdf = result.gdf
    m2 = area_m2(gdf)
    ids = gdf["id"].astype("string") if "id" in gdf.columns else None
    features = [
        {
            "index": int(i),
            "id": None if ids is None or ids.iloc[i] is None or str(ids.iloc[i]) == "<NA>" else str(ids.iloc[i]),
            "area_m2": float(m2.iloc[i]),
            "area_mu": float(m2_to_mu(m2.iloc[i])),
        }
        for i in range(len(gdf))
    ]
    total = float(m2.sum())
    payload: dict[str, Any] = {
        "total_m2": total,
        "total_mu": total / UNITS["mu"],
        "total_ha": total / UNITS["ha"],
        "features": features,
        "dropped": result.report.dropped,
    }
    if args.by:
        if args.by not in gdf.columns:
            raise InputError(f"没有字段 {args.by}", f"no field named {args.by!r}")
        grouped = m2.groupby(gdf[args.by].astype("string").fillna("")).sum()
        payload["groups"] = {k: {"area_m2": float(v), "area_mu": float(v / UNITS["mu"])} for k, v in grouped.items()}
    unit = args.unit

    def text(p: dict[str, Any]) -> str:
        f = UNITS[unit]
        lines = [f"{x['index']:>5}  {x['id'] or '-':<16} {x['area_m2'] / f:,.3f} {unit}" for x in p["features"]]
        for key, g in p.get("groups", {}).items():
            lines.append(f"[{args.by}={key}]  {g['area_m2'] / f:,.3f} {unit}")
        lines.append(f"合计 / total: {p['total_m2'] / f:,.3f} {unit}")
        lines.append(f"已删除 / dropped: {p['dropped']} 个要素 / features" + (" (python -m gis validate)" if p["dropped"] else ""))
        return "\n".join(lines)

    _emit(payload, args.json, text)
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from gis.errors import InputError
    from gis.io import guess_output_format, read_any, write_any
    from gis.io.survey import refuse_illustrative

    out = Path(args.output)
    fmt = args.to or guess_output_format(out)
    result = read_any(Path(args.file), layer=args.layer, datum=args.datum, crs=args.crs)
    empty = _nothing_usable(result.report, Path(args.file).name)
    if empty is not None:  # nothing is written: an empty file would look like a success
        raise InputError(*empty)
    refuse_illustrative(result.gdf, fmt, allow=args.allow_illustrative)
    written = write_any(result.gdf, out, fmt=fmt, crs=args.out_crs)
    dropped = result.report.dropped
    payload = {"written": str(written.path), "format": fmt, "features": written.features, "crs": written.crs, "dropped": dropped}
    _emit(
        payload,
        args.json,
        lambda p: f"已写出 / written {p['written']} ({p['format']}, {p['features']} 个要素 / features, {p['crs']}); "
        f"已删除 / dropped: {p['dropped']}",
    )
    return 0


def _cmd_transform(args: argparse.Namespace) -> int:
    import numpy as np

    from gis.crs import TRANSFORMS
    from gis.errors import InputError

    func = TRANSFORMS[args.kind]
    if args.csv:
        import pandas as pd

        try:
            df = pd.read_csv(args.csv)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"无法读取 CSV: {exc}", f"cannot read the CSV: {exc}") from None
        if not {"lon", "lat"} <= set(df.columns):
            raise InputError("CSV 需要 lon 和 lat 两列", "the CSV needs columns 'lon' and 'lat'")
        lon = pd.to_numeric(df["lon"], errors="coerce").to_numpy()
        lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy()
        if np.isnan(lon).any() or np.isnan(lat).any():
            raise InputError("lon/lat 列有非数字的值", "the lon/lat columns hold values that are not numbers")
        df["lon"], df["lat"] = func(lon, lat)
        if not args.output:
            raise InputError("用 --csv 时需要 -o 输出文件", "--csv needs -o OUTPUT")
        from gis.spreadsheet import write_csv

        write_csv(df, args.output, float_format="%.8f")  # text cells neutralised: no formula reaches a spreadsheet
        _emit({"written": args.output, "rows": len(df)}, args.json, lambda p: f"已写出 / written {p['written']} ({p['rows']} 行 / rows)")
        return 0
    lon, lat = func(args.lon, args.lat)
    _emit({"lon": float(lon), "lat": float(lat)}, args.json, lambda p: f"{p['lon']:.8f} {p['lat']:.8f}")
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    from gis.coverage import coverage_report
    from gis.io import read_any

    parcels = read_any(Path(args.parcels)).gdf
    facilities = read_any(Path(args.facilities)).gdf
    payload = coverage_report(parcels, facilities, radius_m=args.radius)

    def text(p: dict[str, Any]) -> str:
        lines = [f"{f['index']:>5} {f['id'] or '-':<16} {f['share'] * 100:6.2f} %" for f in p["features"]]
        lines.append(f"覆盖率 / covered share within {p['radius_m']:.0f} m: {p['covered_share'] * 100:.2f} %")
        return "\n".join(lines)

    _emit(payload, args.json, text)
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from gis.store import open_store

    written = open_store(args.store).backup(Path(args.dest))  # --store: a path or a postgresql:// URL
    _emit({"written": str(written)}, args.json, lambda p: f"已备份 / backed up to {p['written']}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from gis.store import open_store

    store = open_store(args.store)
    store.restore(Path(args.src), user=args.user)
    payload = {"restored": str(args.src), "previous": store.previous_location()}
    _emit(payload, args.json, lambda p: f"已恢复 / restored from {p['restored']} (原库保存为 / previous kept as {p['previous']})")
    return 0


def _add_input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layer", help="GeoPackage layer to read / 图层名")
    p.add_argument("--crs", help="CRS of a file that carries none, e.g. EPSG:4547 / 指定坐标系")
    p.add_argument(
        "--from-gcj02", dest="datum", action="store_const", const="gcj02",
        help="degree coordinates are GCJ-02 (AMap pickers) / 坐标为高德 GCJ-02",
    )
    p.add_argument("--from-bd09", dest="datum", action="store_const", const="bd09", help="degree coordinates are BD-09 / 坐标为百度 BD-09")


def _cmd_tiles(args: argparse.Namespace) -> int:
    from gis.tiles import run_cli

    return int(run_cli(args))  # no renderer: --render-bundled belongs to the plan's command line


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file")
    _add_input_options(p)
    p.add_argument("--json", action="store_true")


def _area_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file")
    _add_input_options(p)
    p.add_argument("--by", help="field to group by / 分组字段")
    p.add_argument("--unit", choices=["mu", "ha", "m2", "km2"], default="mu")
    p.add_argument("--json", action="store_true")


def _convert_arguments(p: argparse.ArgumentParser) -> None:
    from gis.io import OUTPUT_FORMATS

    p.add_argument("file")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--to", choices=OUTPUT_FORMATS)
    p.add_argument("--out-crs", dest="out_crs", help="EPSG:4547 or EPSG:4526 for surveyor outputs")
    p.add_argument(
        "--allow-illustrative", action="store_true",
        help="write illustrative features (illustrative=true) into survey formats anyway; they are marked 示意 / 允许写出示意要素",
    )
    _add_input_options(p)
    p.add_argument("--json", action="store_true")


def _transform_arguments(p: argparse.ArgumentParser) -> None:
    from gis.crs import TRANSFORMS

    p.add_argument("kind", choices=sorted(TRANSFORMS))
    p.add_argument("lon", nargs="?", type=float)
    p.add_argument("lat", nargs="?", type=float)
    p.add_argument("--csv", help="CSV with lon,lat columns")
    p.add_argument("-o", "--output")
    p.add_argument("--json", action="store_true")


def _coverage_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("parcels")
    p.add_argument("facilities")
    p.add_argument("--radius", type=float, default=800.0, help="service distance in metres")
    p.add_argument("--json", action="store_true")


def _backup_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dest")
    p.add_argument("--store", help="store path or postgresql:// URL (default: the user's working store)")
    p.add_argument("--json", action="store_true")


def _restore_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("src")
    p.add_argument("--user", required=True, help="who restores (recorded in the history)")
    p.add_argument("--store", help="store path or postgresql:// URL (default: the user's working store)")
    p.add_argument("--json", action="store_true")


def _users_arguments(p: argparse.ArgumentParser) -> None:
    from gis.users import add_arguments

    add_arguments(p)


def _users(args: argparse.Namespace) -> int:
    from gis.users import run

    return int(run(args))


def _tiles_arguments(p: argparse.ArgumentParser) -> None:
    from gis.tiles import add_cli_arguments

    add_cli_arguments(p)


#: The library's own sub-commands, in ``--help`` order.
_COMMANDS: tuple[Command, ...] = (
    Command("validate", "report what is wrong with a file and what was repaired", _validate_arguments, _cmd_validate),
    Command("area", "areas in m², 亩 and ha (EPSG:4547)", _area_arguments, _cmd_area),
    Command("convert", "convert between formats / 格式转换", _convert_arguments, _cmd_convert),
    Command("transform", "WGS 84 / GCJ-02 / BD-09 conversions", _transform_arguments, _cmd_transform),
    Command("coverage", "share of PARCELS area within RADIUS of FACILITIES", _coverage_arguments, _cmd_coverage),
    Command("backup", "consistent copy of the working store / 备份工作库", _backup_arguments, _cmd_backup),
    Command("restore", "replace the working store with a backup / 从备份恢复", _restore_arguments, _cmd_restore),
    Command("users", "editor accounts: add/remove/list (passwords are prompted) / 编辑账号", _users_arguments, _users),
    Command("tiles", "check a basemap tile package (MBTiles or a tile folder) / 检查底图瓦片包", _tiles_arguments, _cmd_tiles),
)


class _SubParser(argparse.ArgumentParser):
    """A sub-command's parser that adds its options when that sub-command is parsed, not when it is listed.

    ``--help`` and every other sub-command then never import what one sub-command's options need
    (``convert``'s format list loads geopandas; the plan's ``plan`` loads the plan's layers).
    """

    def __init__(self, *args: Any, add_arguments: Callable[[argparse.ArgumentParser], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_arguments = add_arguments

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:  # noqa: D102 - argparse's own
        if self._add_arguments is not None:
            add, self._add_arguments = self._add_arguments, None
            add(self)
        return super().parse_known_args(args, namespace)


def build_parser(
    commands: Sequence[Command] = (), *, prog: str = "python -m gis", epilog: str | None = None
) -> argparse.ArgumentParser:
    """Build the argument parser of the command line.

    A sub-command's options are added when it is parsed (``--help`` lists names and help lines only), so
    the command line imports what a sub-command needs only when that sub-command runs.

    Parameters
    ----------
    commands : sequence of Command, optional
        Sub-commands added by the caller (``layers/__main__.py`` adds the plan's ``metrics``, ``plan`` …);
        one named like a library command replaces it.
    prog : str, keyword-only
        The program name ``--help`` shows.
    epilog : str, optional, keyword-only
        Text after the command list of ``--help``.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each sub-command sets ``func``.
    """
    parser = argparse.ArgumentParser(prog=prog, description="松山湖规划 GIS / Songshan Lake Plan GIS", epilog=epilog)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_SubParser)
    replaced = {command.name for command in commands}
    for command in (*(c for c in _COMMANDS if c.name not in replaced), *commands):
        p = subparsers.add_parser(command.name, help=command.help, add_arguments=command.add_arguments)
        p.set_defaults(func=command.run)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    commands: Sequence[Command] = (),
    prog: str = "python -m gis",
    epilog: str | None = None,
) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.
    commands : sequence of Command, optional, keyword-only
        Sub-commands added by the caller (see :func:`build_parser`).
    prog : str, keyword-only
        The program name ``--help`` and usage errors show.
    epilog : str, optional, keyword-only
        Text after the command list of ``--help``.

    Returns
    -------
    int
        0 on success, 1 on bad input, 2 on bad usage.
    """
    from gis.errors import GisError

    parser = build_parser(commands, prog=prog, epilog=epilog)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    if args.command == "transform" and not args.csv and (args.lon is None or args.lat is None):
        parser.error("transform needs LON LAT or --csv FILE -o OUT")
    try:
        return int(args.func(args))
    except GisError as exc:
        sys.stderr.write(error_line(exc.zh, exc.en, getattr(exc, "choice", None)))
        return 1
    except (OSError, ValueError) as exc:  # last line of defence: never a traceback for bad input
        log.debug("unexpected input error", exc_info=True)
        sys.stderr.write(f"错误 / error: 无法处理输入 / cannot process the input: {type(exc).__name__}: {exc}\n")
        return 1
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback; -v logs it
        log.debug("unexpected error", exc_info=True)
        first = str(exc).splitlines()[0] if str(exc) else ""
        hint = "(用 -v 查看详情 / run with -v for details)"
        sys.stderr.write(f"错误 / error: 意外错误 / unexpected error: {type(exc).__name__}: {first} {hint}\n")
        return 1
