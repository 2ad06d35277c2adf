"""Timeline of a warm new session in a real browser: requests, websocket messages, iframe, paint (by hand).

Not a test. ``.venv/bin/python bench/timeline_app.py`` starts the app with a fresh data folder, paints the map
once (cold, not reported), then opens a second page and prints, in milliseconds from its ``goto``, every request
finished, every websocket frame over 1 KiB (with its size) and every frame sent, the map iframe attached and
visible, and every plan feature drawn. The frame sent first is the page's run request and the large frame
received is the map (the script run lies between them); the frame sent after the map's iframe loads is
streamlit-folium's first value, which runs the page once more.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

# the checkout whose app is measured: this one, or another (``SSL_GIS_BENCH_ROOT``, as in bench_app.py)
ROOT = Path(os.environ.get("SSL_GIS_BENCH_ROOT") or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))

from bench_app import NO_INTERNET_ARGS  # noqa: E402

from tests.browser.conftest import CHROME_ARGS, CHROMIUM, start_app, stop_app  # noqa: E402

IFRAME = "iframe[title='streamlit_folium.st_folium']"


def main() -> None:
    from playwright.sync_api import sync_playwright

    import layers

    expected = sum(len(layers.load_baseline(n, derived=False)) for n in layers.names())
    with tempfile.TemporaryDirectory(prefix="bench-tl-") as tmp, sync_playwright() as pw:
        app = start_app(Path(tmp))
        try:
            # the internet blocked by the resolver, not by request interception (which turns the HTTP cache off)
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS + NO_INTERNET_ARGS)
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            page = ctx.new_page()
            page.goto(app.url + "/")
            frame = page.frame_locator(IFRAME).first
            page.wait_for_selector(IFRAME, timeout=60000)
            while frame.locator("path.leaflet-interactive").count() < expected:
                page.wait_for_timeout(20)
            page.wait_for_timeout(1500)
            events: list[tuple[float, str]] = []
            t0 = [0.0]

            def log(what: str) -> None:
                events.append((time.perf_counter() - t0[0], what))

            page2 = ctx.new_page()
            page2.on("requestfinished", lambda r: log(f"request {r.url.replace(app.url, '')[:90]}"))

            def on_ws(ws) -> None:
                ws.on("framereceived", lambda p: log(f"ws ← {len(p)} B") if len(p) > 1024 else None)
                ws.on("framesent", lambda p: log(f"ws → {len(p)} B"))

            page2.on("websocket", on_ws)
            cdp = ctx.new_cdp_session(page2)  # which requests the browser's cache answered
            cdp.send("Network.enable")
            urls: dict[str, str] = {}
            cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
            cdp.on(
                "Network.requestServedFromCache",
                lambda e: log(f"from cache {urls.get(e['requestId'], '?').replace(app.url, '')[:80]}"),
            )
            t0[0] = time.perf_counter()
            page2.goto(app.url + "/")
            log("goto returned (load event)")
            page2.wait_for_selector(IFRAME, state="attached", timeout=60000)
            log("iframe attached")
            page2.wait_for_selector(IFRAME, timeout=60000)
            log("iframe visible")
            frame2 = page2.frame_locator(IFRAME).first
            while frame2.locator("path.leaflet-interactive").count() < expected:
                page2.wait_for_timeout(10)
            log("painted")
            page2.wait_for_timeout(1500)
            for t, what in sorted(events):
                print(f"{t * 1000:7.0f} ms  {what}")
            browser.close()
        finally:
            stop_app(app)


if __name__ == "__main__":
    main()
