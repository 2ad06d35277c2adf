"""Benchmark the app in a real browser: cold start to the first painted map, rerun after a toggle, payload.

Not a test (no assertions on time); run by hand and copy the table into bench/RESULTS.md::

    .venv/bin/python bench/bench_app.py --runs 5

Each run starts ``streamlit run app.py`` on a free loopback port with a fresh data folder (so the first run
also seeds the working store, as a new installation does), opens Debian's Chromium with every
non-loopback request blocked, and measures:

* **cold start → first painted map**: from launching the server process to every plan feature drawn as an
  SVG path in the map's iframe (server start, imports, store seeding, first script run, Leaflet load);
* **first paint after page load**: from ``page.goto`` on the warm server to the same condition
  (what a second user sees);
* **rerun after a toggle**: from clicking a layer pill off to the map showing the remaining features
  (the Streamlit rerun, the feature-group update, Leaflet's redraw);
* both paint moments twice: when Python's polling of the page saw all the paths, and when the map's frame
  itself recorded it (:data:`PAINT_MARK`; the polling answers later by its own round trips);
* **map payload**: bytes of the websocket messages of the first page load (the map's feature groups ride
  in them) and of the map HTML (``gis.render.map_html`` of the same layers);
* **a new session on a settled server**: the same as the warm page load, but opened once the server has
  finished the earlier pages' runs (the first page's first-value rerun and the warm-up's plan figures), as a
  second visitor who arrives later finds it; the warm page load above opens right after the first paint;
* **restart**: the server stopped and started again on the same data folder (the store already seeded, as
  after a reboot or an update), then a new page of the same browser (its cache as the earlier pages left it),
  from the server's launch to the painted map.

``--floor`` measures the same moments for :mod:`bench.floor_app` (Streamlit and streamlit-folium drawing the
app's own map message for its default view, recorded beforehand under AppTest, and nothing else): what the
framework costs before the app does any work, in the same run as the app's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

# the checkout whose app is measured: this one, or another (``SSL_GIS_BENCH_ROOT``, e.g. a "before" branch)
ROOT = Path(os.environ.get("SSL_GIS_BENCH_ROOT") or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))

from _machine import machine  # noqa: E402

from tests.browser.conftest import CHROME_ARGS, CHROMIUM, start_app, stop_app, wait_idle  # noqa: E402

#: The floor's page (``--floor``), relative to the checkout.
FLOOR_SCRIPT = "bench/floor_app.py"


def _count(frame) -> int:
    return frame.locator("path.leaflet-interactive").count()


def _wait_count(page, frame, expected: int, timeout_s: float = 60.0) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        if _count(frame) == expected:
            return time.perf_counter()
        page.wait_for_timeout(10)
    raise TimeoutError(f"map never showed {expected} paths (saw {_count(frame)})")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux ``/proc``), less disturbed by the machine's load than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: Runs in the child frames of the benchmark's pages (the map's iframe; the page itself returns at once).
#: Records (epoch ms, in ``window.__sslPainted``) the first moment the frame's DOM holds all the plan's features
#: as SVG paths, checked by the frame itself every 5 ms. A timer chain, not a MutationObserver or animation-frame
#: callbacks: streamlit-folium's iframe replaces its document after this script has run, and neither of those
#: survived that here.
PAINT_MARK = """
(() => {
  if (window.top === window) { return; }  // the map lives in a child frame: no timer on the page itself
  const want = %d;
  const look = () => {
    if (document.querySelectorAll('path.leaflet-interactive').length === want) {
      window.__sslPainted = performance.timeOrigin + performance.now();
    } else {
      setTimeout(look, 5);
    }
  };
  look();
})();
"""


def _painted_epoch(page) -> float:
    """Epoch seconds at which the map's frame of ``page`` first held every feature (:data:`PAINT_MARK`)."""
    marks = [f.evaluate("window.__sslPainted") for f in page.frames if "streamlit_folium" in f.url]
    return float(next(m for m in marks if m)) / 1000.0


#: With ``--http-cache``: the internet is blocked by Chromium's resolver instead of Playwright's request
#: interception, which turns the browser's HTTP cache off (every file is fetched anew, as on a first visit).
NO_INTERNET_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


def _new_context(browser, expected: int, http_cache: bool):
    """A fresh browser context (an empty HTTP cache) with the paint mark, the internet blocked."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(PAINT_MARK % expected)
    if not http_cache:
        ctx.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url.split("/")[2] else r.abort())
    return ctx


def _paint_from_goto(ctx, url: str, expected: int) -> float:
    """Open a new page of ``ctx`` at ``url``: seconds from its ``goto`` to the map frame's own paint mark."""
    page = ctx.new_page()
    epoch0 = time.time()
    page.goto(url + "/")
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=60000)
    _wait_count(page, page.frame_locator("iframe[title='streamlit_folium.st_folium']").first, expected)
    return _painted_epoch(page) - epoch0


def _settle(app, pages) -> None:
    """Wait until no page's script run is going and the server's CPU is quiet (< 5 % over 0.5 s, at most 20 s)."""
    for page in pages:
        wait_idle(page)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        before = _cpu_s(app.proc.pid)
        time.sleep(0.5)
        if _cpu_s(app.proc.pid) - before < 0.025:
            return


def floor_run(browser, expected: int, args_file: Path, http_cache: bool = False) -> dict[str, float]:
    """The floor's cold start, new session right after, and new session on a settled server (seconds)."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        epoch_launch = time.time()
        app = start_app(Path(tmp), script=FLOOR_SCRIPT, env_extra={"SSL_GIS_FLOOR_ARGS": str(args_file)})
        try:
            ctx = _new_context(browser, expected, http_cache)
            _paint_from_goto(ctx, app.url, expected)
            cold = _painted_epoch(ctx.pages[0]) - epoch_launch  # from the launch, not the goto
            warm = _paint_from_goto(ctx, app.url, expected)
            _settle(app, ctx.pages)
            settled = _paint_from_goto(ctx, app.url, expected)
            ctx.close()
        finally:
            stop_app(app)
    return {"cold_inpage_s": cold, "warm_inpage_s": warm, "settled_inpage_s": settled}


def capture_map_args(path: Path) -> None:
    """Run the app's map page once under AppTest (a fresh store) and write what it hands streamlit-folium (JSON).

    The arguments of streamlit-folium's component call for the page's default view, without its Python
    callback: what :mod:`bench.floor_app` replays.
    """
    import streamlit_folium
    from streamlit.testing.v1 import AppTest

    seen: dict = {}
    real = streamlit_folium._component_func

    def record(**kwargs):  # noqa: ANN202 — streamlit-folium's private call
        seen.update({k: v for k, v in kwargs.items() if k != "on_change"})
        return kwargs.get("default")

    streamlit_folium._component_func = record
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp:
        os.environ.update({"SSL_GIS_STORE": str(Path(tmp) / "working.gpkg"), "SSL_GIS_USERS_FILE": str(Path(tmp) / "users.json")})
        try:
            os.chdir(ROOT)
            AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
        finally:
            os.chdir(cwd)
            streamlit_folium._component_func = real
            for name in ("SSL_GIS_STORE", "SSL_GIS_USERS_FILE"):
                os.environ.pop(name, None)
    if "feature_group" not in seen:
        raise RuntimeError("the map page drew no map under AppTest: nothing to replay")
    path.write_text(json.dumps(seen, ensure_ascii=False), encoding="utf-8")


def one_run(browser, expected_all: int, expected_less: int, http_cache: bool = False) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        t_launch, epoch_launch = time.perf_counter(), time.time()
        app = start_app(Path(tmp))
        t_healthy = time.perf_counter() - t_launch
        try:
            ctx = _new_context(browser, expected_all, http_cache)
            page = ctx.new_page()
            ws_bytes = [0]

            def on_ws(ws) -> None:
                ws.on("framereceived", lambda payload: ws_bytes.__setitem__(0, ws_bytes[0] + len(payload)))

            page.on("websocket", on_ws)
            requests = [0]
            page.on("requestfinished", lambda r: requests.__setitem__(0, requests[0] + 1))
            page.goto(app.url + "/")
            t_loaded = time.perf_counter() - t_launch
            page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=60000)
            t_iframe = time.perf_counter() - t_launch
            frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
            t_cold = _wait_count(page, frame, expected_all) - t_launch
            t_cold_inpage = _painted_epoch(page) - epoch_launch
            cpu_cold = _cpu_s(app.proc.pid)
            payload = ws_bytes[0]

            page2 = ctx.new_page()
            cpu0 = _cpu_s(app.proc.pid)
            t0, epoch0 = time.perf_counter(), time.time()
            page2.goto(app.url + "/")
            t_warm_loaded = time.perf_counter() - t0
            page2.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=60000)
            t_warm_iframe = time.perf_counter() - t0
            frame2 = page2.frame_locator("iframe[title='streamlit_folium.st_folium']").first
            t_warm = _wait_count(page2, frame2, expected_all) - t0
            t_warm_inpage = _painted_epoch(page2) - epoch0
            cpu_warm = _cpu_s(app.proc.pid) - cpu0

            toggles = []
            for _ in range(3):
                pill = page2.locator("[data-testid='stButtonGroup'] button", has_text="水系").first
                t0 = time.perf_counter()
                pill.click()
                toggles.append(_wait_count(page2, frame2, expected_less) - t0)
                page2.wait_for_timeout(300)
                pill.click()
                _wait_count(page2, frame2, expected_all)
                page2.wait_for_timeout(300)
            _settle(app, ctx.pages)
            t_settled_inpage = _paint_from_goto(ctx, app.url, expected_all)
            for open_page in ctx.pages:
                open_page.close()
        finally:
            stop_app(app)
        # a restart: the same data folder (the store seeded), a new server process, and the same browser with
        # its cache as the pages above left it (a planner's browser after the server was restarted)
        try:
            epoch_restart = time.time()
            app = start_app(Path(tmp))
            try:
                _paint_from_goto(ctx, app.url, expected_all)
                t_restart_inpage = _painted_epoch(ctx.pages[0]) - epoch_restart
            finally:
                stop_app(app)
        finally:
            ctx.close()
    return {
        "cold_s": t_cold, "warm_s": t_warm, "toggle_s": statistics.median(toggles), "ws_bytes": payload,
        # the same two moments as the map's frame recorded them (PAINT_MARK), without the polling's delay
        "cold_inpage_s": t_cold_inpage, "warm_inpage_s": t_warm_inpage,
        "settled_inpage_s": t_settled_inpage, "restart_inpage_s": t_restart_inpage,
        # phases (seconds from the launch, resp. from the warm page's goto) and the first page's requests
        "healthy_s": t_healthy, "loaded_s": t_loaded, "iframe_s": t_iframe,
        "warm_loaded_s": t_warm_loaded, "warm_iframe_s": t_warm_iframe, "requests": requests[0],
        # the server process's CPU seconds: from launch to the first painted map, and for the warm page load
        "server_cpu_cold_s": cpu_cold, "server_cpu_warm_s": cpu_warm,
    }


def map_html_bytes() -> int:
    import layers
    from gis import render

    frames = {n: layers.load_baseline(n) for n in layers.names()}
    ml = [render.MapLayer(n, n, g, dict(layers.spec(n).style), popup_fields=[("name_zh", "名称")]) for n, g in frames.items()]
    return len(render.map_html(render.build_map(ml, asset_base="../a/")).encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--http-cache", action="store_true",
        help="keep the browser's HTTP cache on (a second tab of a real browser); the default, as in the browser "
        "tests, blocks the internet by request interception, which fetches every file anew",
    )
    parser.add_argument(
        "--floor", action="store_true",
        help=f"after each run of the app, one run of {FLOOR_SCRIPT} (the framework alone drawing the app's map)",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    import layers

    expected_all = sum(len(layers.load_baseline(n, derived=False)) for n in layers.names())
    expected_less = expected_all - len(layers.load_baseline("water", derived=False))
    results, floors = [], []
    floor_args = Path(tempfile.mkdtemp(prefix="bench-floor-args-")) / "map_args.json"
    if args.floor:
        capture_map_args(floor_args)
    with sync_playwright() as pw:
        extra = NO_INTERNET_ARGS if args.http_cache else []
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS + extra)
        for i in range(args.runs):
            r = one_run(browser, expected_all, expected_less, http_cache=args.http_cache)
            shown = (f"{k}={v:.3f}" if k not in ("ws_bytes", "requests") else f"{k}={v}" for k, v in r.items())
            print(f"run {i + 1}: " + ", ".join(shown) + f"; load {os.getloadavg()[0]:.2f}", flush=True)
            results.append(r)
            if args.floor:
                f = floor_run(browser, expected_all, floor_args, http_cache=args.http_cache)
                print(f"floor {i + 1}: " + ", ".join(f"{k}={v:.3f}" for k, v in f.items()) + f"; load {os.getloadavg()[0]:.2f}", flush=True)
                floors.append(f)
        browser.close()
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    fmed = {k: statistics.median(f[k] for f in floors) for k in floors[0]} if floors else {}
    print()
    print(f"machine: {machine()}; date {date.today()}; app {ROOT}; HTTP cache {'on' if args.http_cache else 'off'}")
    print(f"features drawn: {expected_all}; runs: {len(results)} (medians)")
    print("| measure | median | aim |")
    print("| --- | --- | --- |")
    print(f"| cold start → first painted map | {med['cold_s']:.2f} s | < 3 s |")
    print(f"| page load → painted map (warm server) | {med['warm_s']:.2f} s | |")
    print(
        f"| the same, as the page itself saw the last feature drawn (no polling delay): cold {med['cold_inpage_s']:.2f} s, "
        f"warm {med['warm_inpage_s']:.2f} s | | |"
    )
    print(f"| new session on a settled server → painted map, as the page saw it | {med['settled_inpage_s']:.2f} s | < 1.5 s |")
    print(f"| restart (seeded store, the browser's cache kept) → painted map, as the page saw it | {med['restart_inpage_s']:.2f} s | |")
    if fmed:
        print(
            f"| the floor ({FLOOR_SCRIPT}), as the page saw it: cold {fmed['cold_inpage_s']:.2f} s, new session right after "
            f"{fmed['warm_inpage_s']:.2f} s, on a settled server {fmed['settled_inpage_s']:.2f} s | | |"
        )
    print(f"| rerun after a layer toggle → map redrawn | {med['toggle_s'] * 1000:.0f} ms | < 300 ms |")
    print(f"| websocket bytes of the first page load | {med['ws_bytes'] / 1024:.0f} KiB | < 1 MB |")
    print(
        f"| phases (cold, from launch): server healthy {med['healthy_s']:.2f} s, page loaded {med['loaded_s']:.2f} s, "
        f"map iframe {med['iframe_s']:.2f} s, painted {med['cold_s']:.2f} s; {med['requests']:.0f} requests | | |"
    )
    print(
        f"| phases (warm, from goto): page loaded {med['warm_loaded_s']:.2f} s, map iframe {med['warm_iframe_s']:.2f} s, "
        f"painted {med['warm_s']:.2f} s | | |"
    )
    print(
        f"| server CPU (user + system): launch → first painted map {med['server_cpu_cold_s']:.2f} s, "
        f"warm page load {med['server_cpu_warm_s']:.2f} s | | |"
    )
    print(f"| map HTML (gis.render.map_html, all layers) | {map_html_bytes() / 1024:.0f} KiB | < 1 MB |")


if __name__ == "__main__":
    main()
