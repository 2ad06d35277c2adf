"""Where the app's first page run spends its CPU: a profile of the map page under Streamlit's AppTest.

Not a test (no assertions on time); run by hand and copy the figures into bench/RESULTS.md::

    .venv/bin/python bench/profile_app.py            # two sessions in one fresh process
    .venv/bin/python bench/profile_app.py --top 40   # more rows of the profile

One fresh process, a fresh working store (so the first session seeds it, as a new installation does), then
``--sessions`` AppTest sessions of ``app.py`` (the map page is the default page), one after the other in the
same process (so the second one sees what the first one cached, as a second browser tab does on a running
server). For each session it prints the wall time, the process CPU time (user + system of every thread,
which the machine's load disturbs far less than wall time) and a cProfile of the script thread (cumulative
seconds by function, the project's own modules and the libraries they call). The map itself is not drawn
(AppTest has no browser): the Python side is, up to the component's payload.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

__all__ = ["main"]


def _profile_script_thread(profiles: list[cProfile.Profile]) -> None:
    """Wrap ``ScriptRunner._run_script`` so that each script run is profiled in its own thread."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def wrapped(self, rerun_data):  # noqa: ANN001, ANN202 — Streamlit's private signature
        prof = cProfile.Profile()
        profiles.append(prof)
        prof.enable()
        try:
            return original(self, rerun_data)
        finally:
            prof.disable()

    script_runner.ScriptRunner._run_script = wrapped


def _stats_text(prof: cProfile.Profile, top: int, sort: str) -> str:
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--dump", type=Path, help="write each session's profile to DUMP.N.prof")
    parser.add_argument("--no-profile", action="store_true", help="CPU and wall times only (no profiler overhead)")
    args = parser.parse_args()

    wall0, cpu0 = time.perf_counter(), time.process_time()
    from streamlit.testing.v1 import AppTest

    wall_imp, cpu_imp = time.perf_counter() - wall0, time.process_time() - cpu0
    print(f"import streamlit.testing: wall {wall_imp:.2f} s, cpu {cpu_imp:.2f} s")
    profiles: list[cProfile.Profile] = []
    if not args.no_profile:
        _profile_script_thread(profiles)
    with tempfile.TemporaryDirectory(prefix="profile-app-") as tmp:
        os.environ["SSL_GIS_STORE"] = str(Path(tmp) / "working.gpkg")
        os.environ["SSL_GIS_USERS_FILE"] = str(Path(tmp) / "users.json")
        os.chdir(ROOT)
        for i in range(args.sessions):
            first = len(profiles)
            w, c = time.perf_counter(), time.process_time()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
            w, c = time.perf_counter() - w, time.process_time() - c
            if at.exception:
                print(f"session {i + 1}: exception {at.exception}")
            print(f"session {i + 1}: wall {w:.2f} s, process cpu {c:.2f} s, profiled script runs {len(profiles) - first}")
            if args.dump:
                for j, prof in enumerate(profiles[first:]):
                    prof.dump_stats(f"{args.dump}.{i + 1}.{j}.prof")
            for prof in profiles[first:]:
                print(_stats_text(prof, args.top, args.sort))


if __name__ == "__main__":
    main()
