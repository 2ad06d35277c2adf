"""Entry point of ``python -m layers`` (and of the console script ``ssl-gis``): the command line's composition root.

Like ``app.py`` for the app, this file puts the parts together: the library's plan-free commands
(:func:`gis.cli.main`: ``validate``, ``area``, ``convert``, ``transform``, ``coverage``, ``backup``, ``restore``,
``users``, ``tiles PATH``) plus the plan's own (``metrics`` from :mod:`layers.cli`, ``plan`` from
:mod:`layers.plan_items` and :mod:`layers.plan_place`, ``replace`` from :mod:`layers.replace_cli`, ``tiles --render-bundled`` from
:mod:`layers.basemap`, and ``app``). It sits in ``layers`` because ``layers`` may import ``gis`` and ``gis``
may not import ``layers``; nothing imports this module.

A command imports what it needs only when it runs: ``gis.cli`` adds a sub-command's options when that
sub-command is parsed, and every import below sits in the function of its command, so ``--help``, ``users``
and ``backup`` load neither geopandas nor the plan's layers (``tests/test_layers_lazy.py``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gis.cli import Command
from gis.cli import main as _gis_main

__all__ = ["PLAN_COMMANDS", "PROG", "main"]

#: The name ``--help`` shows; ``ssl-gis`` runs the same :func:`main`.
PROG: str = "python -m layers"


def _metrics_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")
    p.add_argument("--date", help="as-of date YYYY-MM-DD")
    p.add_argument("--year", type=int, help="one plan year (default: all years) / 只看某一年度的计划")


def _metrics(args: argparse.Namespace) -> int:
    # Imported when the command runs: the library's commands never pay for loading the plan.
    from layers.cli import metrics_command

    return int(metrics_command(args))


def _tiles_arguments(p: argparse.ArgumentParser) -> None:
    from gis.tiles import add_cli_arguments

    add_cli_arguments(p)


def _tiles(args: argparse.Namespace) -> int:
    from gis.tiles import run_cli

    render = None
    if args.render_bundled:  # only this option needs the plan's layers
        from layers.basemap import render_bundled as render

    return int(run_cli(args, render_bundled=render))


def _app_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="options passed to `streamlit run` (e.g. --server.port 8502)")


def _app(args: argparse.Namespace) -> int:
    return _run_app(list(args.streamlit_args))


def _run_app(streamlit_args: list[str]) -> int:
    # app.py sits beside the layers package both in the checkout and in an installed wheel (a top-level module)
    import subprocess
    from pathlib import Path

    app_file = Path(__file__).resolve().parent.parent / "app.py"
    return subprocess.call([sys.executable, "-m", "streamlit", "run", str(app_file), *streamlit_args])


def _plan_arguments(p: argparse.ArgumentParser) -> None:
    from layers.plan_items import add_plan_arguments
    from layers.plan_place import add_place_arguments

    add_place_arguments(add_plan_arguments(p))  # propose, accept (plan_items), then place (plan_place)


def _plan(args: argparse.Namespace) -> int:
    if args.plan_action == "place":
        from layers.plan_place import place_command

        return int(place_command(args))
    from layers.plan_items import plan_command

    return int(plan_command(args))


def _replace_arguments(p: argparse.ArgumentParser) -> None:
    from layers.replace_cli import add_replace_arguments

    add_replace_arguments(p)


def _replace(args: argparse.Namespace) -> int:
    from layers.replace_cli import replace_command

    return int(replace_command(args))


#: The plan's commands, added to the library's own. ``tiles`` replaces the library's ``tiles`` (which only
#: checks a package) with one that can also ``--render-bundled`` the plan's layers.
PLAN_COMMANDS: tuple[Command, ...] = (
    Command("metrics", "every plan metric on the working store or the bundled data", _metrics_arguments, _metrics),
    Command("app", "run the Streamlit app (streamlit run app.py) / 启动应用", _app_arguments, _app),
    Command("plan", "propose a year's plan items from its text / 从工作计划文本提出事项", _plan_arguments, _plan),
    Command("replace", "official data replaces illustrative features of a plan layer / 导入正式数据", _replace_arguments, _replace),
    Command("tiles", "check a basemap tile package, or render the bundled layers into one / 底图瓦片包", _tiles_arguments, _tiles),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m layers`` (``ssl-gis``): the library's commands and the plan's.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success, 1 on bad input, 2 on bad usage.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["app"] and args[1:2] not in (["-h"], ["--help"]):
        return _run_app(args[1:])  # streamlit's own --options pass through untouched (argparse would take them)
    return _gis_main(args, commands=PLAN_COMMANDS, prog=PROG)


if __name__ == "__main__":
    sys.exit(main())
