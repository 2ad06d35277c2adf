"""Entry point of ``python -m gis``: the library's plan-free commands, and nothing of the plan.

``validate``, ``area``, ``convert``, ``transform``, ``coverage``, ``backup``, ``restore``, ``users`` and
``tiles PATH`` run here (:func:`gis.cli.main`). The plan's commands (``metrics``, ``plan``, ``replace``, ``app``,
``tiles --render-bundled``) live in the command line's composition root, ``python -m layers`` (the console
script ``ssl-gis``): ``gis`` never imports ``layers``. Asked for one of them, this entry point says where it
went in one line (Chinese and English) and exits 2, as for any other bad usage.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from gis.cli import main as _gis_main

__all__ = ["MOVED_COMMANDS", "main", "moved_line"]

#: The plan's commands: ``python -m gis NAME`` points to ``python -m layers NAME``.
MOVED_COMMANDS: tuple[str, ...] = ("metrics", "plan", "replace", "app")

_RENDER = "--render-bundled"
_EPILOG = (
    "规划命令（metrics、plan、replace、app、tiles --render-bundled）请用 python -m layers（或 ssl-gis）。 / "
    "The plan's commands (metrics, plan, replace, app, tiles --render-bundled) run as python -m layers (or ssl-gis)."
)


def moved_line(command: str) -> str:
    """The one stderr line for a plan command asked of ``python -m gis``.

    Parameters
    ----------
    command : str
        What the user typed after ``python -m gis``, e.g. ``"metrics"`` or ``"tiles --render-bundled"``.

    Returns
    -------
    str
        One line ending in a newline, Chinese then English, naming ``python -m layers …`` and ``ssl-gis …``.
    """
    return (
        f"错误 / error: {command} 属于规划命令，请用 python -m layers {command}（或 ssl-gis {command}） / "
        f"{command} is a plan command: use python -m layers {command} (or ssl-gis {command})\n"
    )


def _moved(args: Sequence[str]) -> str | None:
    """The plan command in ``args`` (``"metrics"``, ``"tiles --render-bundled"`` …), or None."""
    words = [a for a in args if not a.startswith("-")]
    command = words[0] if words else None  # the library's global options (-v, -h) take no value
    if command in MOVED_COMMANDS:
        return command
    if command == "tiles":
        rest = args[list(args).index("tiles") + 1 :]
        # argparse also takes an unambiguous prefix (--render, --render-bundled=OUT)
        if any(len(o) >= 3 and _RENDER.startswith(o.split("=", 1)[0]) for o in rest if o.startswith("--")):
            return f"tiles {_RENDER}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m gis`` with the library's commands.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success, 1 on bad input, 2 on bad usage (a plan command included: it names ``python -m layers``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    moved = _moved(args)
    if moved is not None:
        sys.stderr.write(moved_line(moved))
        return 2
    return _gis_main(args, epilog=_EPILOG)


if __name__ == "__main__":
    sys.exit(main())
