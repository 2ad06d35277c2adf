"""Start-up cost of the command line: wall time and CPU of fresh ``python -m layers``/``python -m gis`` processes.

Times, each in a new interpreter, ``python -m layers --help``, ``python -m layers users list`` (a users file of
one account, made here) and ``python -m gis --help``: wall seconds and the child's CPU seconds (user + system,
from ``resource.getrusage(RUSAGE_CHILDREN)`` deltas). With ``--against OTHER`` every run alternates between
the measured checkout and OTHER (e.g. ``/work/main`` for "before"), so both see the same machine load.

Usage (from the checkout)::

    .venv/bin/python bench/bench_cli.py --runs 10 --against /work/main

The measured checkout is this one, or ``SSL_GIS_BENCH_ROOT``. No checkout is written to
(``PYTHONDONTWRITEBYTECODE``): a checkout without ``__pycache__`` (``/work/main``, read-only) compiles its own
modules on every run, so for a fair pair remove this checkout's ``__pycache__`` folders first; the report
says for each checkout whether it had them. The installed packages' bytecode is used by both.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

ROOT = Path(os.environ.get("SSL_GIS_BENCH_ROOT") or Path(__file__).resolve().parents[1]).resolve()

#: label → arguments after the interpreter.
COMMANDS: dict[str, list[str]] = {
    "layers --help": ["-m", "layers", "--help"],
    "layers users list": ["-m", "layers", "users", "list"],
    "gis --help": ["-m", "gis", "--help"],
}


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(root: Path, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``python ARGS`` in ``root``; return (wall s, child CPU s)."""
    cpu0, t0 = _child_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=root, env={**env, "PYTHONPATH": str(root)},
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall, cpu = time.perf_counter() - t0, _child_cpu() - cpu0
    if done.returncode != 0:
        raise SystemExit(f"{root}: python {' '.join(args)} failed: {done.stderr.decode(errors='replace')[-500:]}")
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--against", type=Path, help="a second checkout, alternated run by run (the 'before')")
    args = parser.parse_args()
    roots = [ROOT, *([args.against.resolve()] if args.against else [])]
    with tempfile.TemporaryDirectory() as tmp:
        users = Path(tmp) / "users.json"
        env = {**os.environ, "SSL_GIS_DATA_DIR": tmp, "SSL_GIS_USERS_FILE": str(users),
               "PYTHONDONTWRITEBYTECODE": "1"}
        subprocess.run([sys.executable, "-m", "layers", "users", "add", "planner", "--password-stdin"], cwd=ROOT,
                       env={**env, "PYTHONPATH": str(ROOT)}, input=b"s3cret-Pa55\n", stdout=subprocess.DEVNULL, check=True)
        for root in roots:  # first runs warm the file cache: not counted
            for argv in COMMANDS.values():
                run_once(root, argv, env)
        load0 = os.getloadavg()[0]
        results: dict[tuple[Path, str], list[tuple[float, float]]] = {(r, c): [] for r in roots for c in COMMANDS}
        for i in range(args.runs):
            order = roots if i % 2 == 0 else roots[::-1]
            for label, argv in COMMANDS.items():
                for root in order:
                    results[(root, label)].append(run_once(root, argv, env))
        load1 = os.getloadavg()[0]
    print(machine())
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load (1 min) {load0:.2f} → {load1:.2f}; "
          f"{args.runs} runs each, alternated")
    print("| command | checkout | wall median s | child CPU median s |")
    print("| --- | --- | --- | --- |")
    for label in COMMANDS:
        for root in roots:
            walls, cpus = zip(*results[(root, label)], strict=True)
            print(f"| `python -m {label}` | {root} | {statistics.median(walls):.3f} | {statistics.median(cpus):.3f} |")
    for root in roots:
        cached = [d for d in ("gis", "layers") if (root / d / "__pycache__").is_dir()]
        print(f"{root}: own bytecode cached for {cached or 'none'}")
    if args.against:
        for label in COMMANDS:
            after, before = (statistics.median(c for _, c in results[(r, label)]) for r in roots)
            print(f"{label}: CPU after/before = {after:.3f}/{before:.3f} = {after / before:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
