"""Where the app's first page run spends its CPU: a profile of the map page under Streamlit's AppTest.

Not a test (no assertions on time); run by hand and copy the figures into bench/RESULTS.md::

    .venv/bin/python bench/profile_app.py            # two sessions in one fresh process
    .venv/bin/python bench/profile_app.py --top 40   # more rows of the profile
    .venv/bin/python bench/profile_app.py --phases   # CPU seconds of each step of a cold start
    .venv/bin/python bench/profile_app.py --threads  # the real server's CPU by thread, launch → painted map

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
import statistics
import sys
import tempfile
import time
from pathlib import Path

# the checkout whose app is profiled: this one, or another (``SSL_GIS_BENCH_ROOT``, e.g. a "before" branch)
ROOT = Path(os.environ.get("SSL_GIS_BENCH_ROOT") or Path(__file__).resolve().parents[1]).resolve()
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


def phases() -> None:
    """CPU seconds of each step of a cold start, one after the other in this (fresh) process, no profiler.

    The steps are what ``streamlit run app.py`` and the first map page do: import streamlit, import
    ``app.py``'s module face (sign-in and tile routes, the warm-up), import the libraries the warm-up imports,
    the map page's modules, then open and seed a fresh working store, load and validate the layers, build the
    map's display GeoJSON (``ui.mapview.map_layers`` with the page's default arguments) and compute the plan's
    figures (``ui.data.plan_progress``). Process CPU time (``time.process_time``), so the machine's load
    disturbs it far less than wall time; the wall time beside it shows waits (the disk, for the seed).
    """
    import logging

    logging.disable(logging.WARNING)  # no runtime here: Streamlit's "bare mode" warnings are expected
    marks: list[tuple[str, float, float]] = [("start", time.process_time(), time.perf_counter())]

    def mark(label: str) -> None:
        marks.append((label, time.process_time(), time.perf_counter()))

    with tempfile.TemporaryDirectory(prefix="profile-app-") as tmp:
        os.environ["SSL_GIS_STORE"] = str(Path(tmp) / "working.gpkg")
        os.environ["SSL_GIS_USERS_FILE"] = str(Path(tmp) / "users.json")
        os.chdir(ROOT)
        import streamlit  # noqa: F401

        mark("import streamlit")
        import ui.auth
        import ui.tile_routes
        import ui.warmup  # noqa: F401

        mark("import app.py's module face (ui.auth, ui.tile_routes, ui.warmup)")
        ui.warmup._warm()
        mark("the warm-up's libraries (folium, geopandas, gis.render, layers)")
        from ui import data, edit, mapview, print_panel, provenance  # noqa: F401

        mark("the map page's ui modules")
        data.get_store()
        mark("open and seed the working store")
        names = data.layer_names()
        for name in names:
            data.layer_frame(name, None)
        mark(f"load and validate the {len(names)} layers")
        mapview.map_layers(names, statuses=list(mapview.STATUS_COLORS), as_of=None, basemap="none")
        mark("display GeoJSON of every layer (map_layers)")
        data.plan_progress(None)
        mark("the plan's figures (plan_progress)")
    print("  CPU s  wall s")
    for (_, before, wall_before), (label, at, wall_at) in zip(marks, marks[1:], strict=False):
        print(f"{at - before:7.2f} {wall_at - wall_before:7.2f}  {label}")
    print(f"{marks[-1][1] - marks[0][1]:7.2f} {marks[-1][2] - marks[0][2]:7.2f}  in all (process CPU; wall)")


def _wrapped_server(out: Path, streamlit_args: list[str]) -> None:
    """Run ``streamlit`` in this process, keeping each thread's CPU seconds; SIGUSR1 writes them to ``out`` (JSON)."""
    import json
    import signal
    import threading

    names: dict[int, str] = {threading.get_native_id(): "MainThread"}
    ended: list[tuple[str, float]] = []
    real_bootstrap = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]

    def bootstrap(self: threading.Thread) -> None:
        names[threading.get_native_id()] = self.name
        try:
            real_bootstrap(self)
        finally:
            ended.append((self.name, time.thread_time()))

    threading.Thread._bootstrap_inner = bootstrap  # type: ignore[attr-defined]

    def dump(*_: object) -> None:
        per: dict[str, float] = {}
        tick = os.sysconf("SC_CLK_TCK")
        for tid in os.listdir(f"/proc/{os.getpid()}/task"):
            try:
                fields = Path(f"/proc/{os.getpid()}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the thread ended meanwhile (its time is in `ended`)
                continue
            name = names.get(int(tid), "other")
            per[name] = per.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
        for name, cpu in ended:
            per[name] = per.get(name, 0.0) + cpu
        out.write_text(json.dumps(per), encoding="utf-8")

    signal.signal(signal.SIGUSR1, dump)
    from streamlit.web import cli

    sys.argv = ["streamlit", *streamlit_args]
    cli.main()


def threads(runs: int) -> None:
    """The real server's CPU seconds by thread, from launch to the first painted map, over ``runs`` cold starts.

    Each run starts ``streamlit run app.py`` (fresh data folder, as ``bench_app.py`` does) inside this script, so
    that each thread's CPU time is kept, also for threads that ended (the import warm-up, each page run), opens
    Chromium, waits until every plan feature is drawn and then reads the times. Thread names are pooled:
    ``ScriptRunner.scriptThread`` is every page run so far, ``AnyIO worker thread`` every request handler thread.
    """
    import json
    import signal
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_app import _cpu_s, _wait_count

    import layers
    from tests.browser.conftest import CHROME_ARGS, CHROMIUM, _free_port

    expected = sum(len(layers.load_baseline(n, derived=False)) for n in layers.names())
    iframe = "iframe[title='streamlit_folium.st_folium']"
    rows: list[dict[str, float]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="profile-threads-") as tmp:
                out = Path(tmp) / "threads.json"
                port = _free_port()
                env = dict(os.environ, SSL_GIS_DATA_DIR=tmp, SSL_GIS_USERS_FILE=str(Path(tmp) / "users.json"))
                env.pop("SSL_GIS_STORE", None)
                cmd = [
                    sys.executable, str(Path(__file__).resolve()), "--wrapped-server", str(out), "run", str(ROOT / "app.py"),
                    "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                    "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                ]
                t0 = time.perf_counter()
                with (Path(tmp) / "server.log").open("wb") as log:
                    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                try:
                    url = f"http://127.0.0.1:{port}"
                    while True:
                        try:
                            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                                if r.status == 200:
                                    break
                        except OSError:
                            if proc.poll() is not None or time.perf_counter() - t0 > 60:
                                raise RuntimeError("streamlit did not start") from None
                            time.sleep(0.05)
                    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                    ctx.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url.split("/")[2] else r.abort())
                    page = ctx.new_page()
                    page.goto(url + "/")
                    page.wait_for_selector(iframe, timeout=60000)
                    painted = _wait_count(page, page.frame_locator(iframe).first, expected) - t0
                    total = _cpu_s(proc.pid)
                    proc.send_signal(signal.SIGUSR1)
                    while not out.exists() and time.perf_counter() - t0 < 120:
                        time.sleep(0.05)
                    row = {k: float(v) for k, v in json.loads(out.read_text(encoding="utf-8")).items()}
                    row["(process)"], row["(painted s)"] = total, painted
                    rows.append(row)
                    ctx.close()
                finally:
                    proc.terminate()
                    proc.wait(30)
        browser.close()
    names = sorted({k for r in rows for k in r}, key=lambda k: (k.startswith("("), -statistics.median(r.get(k, 0.0) for r in rows)))
    print(f"median of {runs} cold starts (CPU seconds from launch to the painted map; runs in brackets)")
    for k in names:
        vals = [r.get(k, 0.0) for r in rows]
        print(f"{statistics.median(vals):6.2f}  {k}  [{', '.join(f'{v:.2f}' for v in vals)}]")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--wrapped-server":  # the server process of --threads
        _wrapped_server(Path(sys.argv[2]), sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--dump", type=Path, help="write each session's profile to DUMP.N.prof")
    parser.add_argument("--no-profile", action="store_true", help="CPU and wall times only (no profiler overhead)")
    parser.add_argument("--phases", action="store_true", help="CPU seconds of each step of a cold start (no AppTest)")
    parser.add_argument("--threads", action="store_true", help="the real server's CPU by thread, launch → painted map")
    parser.add_argument("--runs", type=int, default=3, help="cold starts for --threads")
    args = parser.parse_args()
    if args.phases:
        phases()
        return
    if args.threads:
        threads(args.runs)
        return

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
