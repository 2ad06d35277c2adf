"""Browser-test fixtures: the app on a free loopback port, and Debian's Chromium with the internet blocked.

The app runs as ``streamlit run app.py`` in a subprocess with its own data folder (a fresh working store)
and a users file holding one editor. Every request that is not to the loopback app is aborted and
recorded, so a map that paints proves Leaflet and its plugins came from the app itself.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(os.environ.get("SSL_GIS_TEST_ARTEFACTS", ROOT / "tests" / "browser" / "artefacts"))
EDITOR, EDITOR_PASSWORD = "editor", "songshan-lake-2020"
#: The streamlit-folium component's iframe (every map the app draws).
IFRAME = "iframe[title='streamlit_folium.st_folium']"
CHROME_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class App:
    url: str
    data_dir: Path
    proc: subprocess.Popen
    log: Path


@dataclass
class Blocked:
    urls: list[str] = field(default_factory=list)


def start_app(data_dir: Path, *, env_extra: dict[str, str] | None = None, script: str = "app.py") -> App:
    """Start the app on a free port and wait until its health endpoint answers (60 s at most).

    ``script`` is the Streamlit script, relative to the checkout (the app; ``bench/floor_app.py`` in the
    benchmark). The health endpoint is asked every 50 ms, so a benchmark's start time carries little of the poll.
    """
    port = _free_port()
    env = dict(os.environ)
    env.update({"SSL_GIS_DATA_DIR": str(data_dir), "SSL_GIS_USERS_FILE": str(data_dir / "users.json")})
    env.update(env_extra or {})
    env.pop("SSL_GIS_STORE", None)
    log = data_dir / f"streamlit-{port}.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    with log.open("wb") as out:  # the child keeps its own descriptor; ours is closed at once
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return App(url, data_dir, proc, log)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


def sign_in(page: Any, name: str = EDITOR, password: str = EDITOR_PASSWORD) -> None:
    """Sign in through the sidebar form (Chinese labels, the default language) and wait for the signed-in line."""
    side = page.locator("section[data-testid='stSidebar']")
    side.get_by_label("用户名", exact=True).fill(name)
    side.get_by_label("密码", exact=True).fill(password)
    side.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("已登录").wait_for(timeout=30000)


def stop_app(app: App) -> None:
    """Stop the app's process (only the one this fixture started)."""
    app.proc.terminate()
    try:
        app.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.proc.kill()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); .ci/run installs it as root")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright Python package is not installed")
    return CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))


@contextmanager
def running_app(
    data_dir: Path, *, editor: bool = True, env_extra: dict[str, str] | None = None
) -> Iterator[App]:
    """The app running on ``data_dir`` (with one editor in its users file) for the ``with`` block, then stopped.

    Module fixtures prepare ``data_dir`` (a store, tile packages) first and then ``yield`` from this.
    """
    if editor:
        from gis.users import add_user

        add_user(data_dir / "users.json", EDITOR, EDITOR_PASSWORD, role="editor")
    running = start_app(data_dir, env_extra=env_extra)
    try:
        yield running
    finally:
        stop_app(running)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[App]:
    with running_app(tmp_path_factory.mktemp("appdata")) as running:
        yield running


# Package scope, not session: a live sync_playwright() keeps its event loop running in the main thread, and
# any later test (tests/test_injection.py) that opens its own sync_playwright() would then be refused.
@pytest.fixture(scope="package")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROME_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def blocked() -> Blocked:
    return Blocked()


@pytest.fixture
def page(browser, blocked: Blocked):
    """A fresh 1280×800 page whose every non-loopback request is aborted and recorded."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", accept_downloads=True)

    def guard(route) -> None:
        url = route.request.url
        host = url.split("/")[2] if "://" in url else ""
        if url.startswith(("data:", "blob:", "about:")) or host.startswith(("127.0.0.1", "localhost")):
            route.continue_()
        else:
            blocked.urls.append(url)
            route.abort()

    ctx.route("**/*", guard)
    pg = ctx.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def shot(page, name: str) -> Path:
    """Save a screenshot of the whole page as a test artefact.

    Streamlit scrolls inside its own main container, so the viewport is stretched to the content's height
    (at most 4000 px) for the shot and restored afterwards.
    """
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    size = page.viewport_size or {"width": 1280, "height": 800}
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollHeight : 800; }"
    )
    page.set_viewport_size({"width": size["width"], "height": int(min(max(height, size["height"]), 4000))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def map_frame(page, *, timeout_ms: int = 30000):
    """The streamlit-folium iframe's frame (a frame locator), once Leaflet has drawn into it."""
    page.wait_for_selector(IFRAME, timeout=timeout_ms)
    frame = page.frame_locator(IFRAME).first
    frame.locator(".leaflet-container").wait_for(timeout=timeout_ms)
    return frame


def map_content_frame(page, *, ssl_map: bool = True, timeout_ms: int = 30000):
    """The first map's iframe as a frame (it can ``evaluate``), once Leaflet has drawn into it.

    With ``ssl_map`` it also waits for ``window.sslMap``, the handle the app's map script sets.
    """
    page.wait_for_selector(IFRAME, timeout=timeout_ms)
    frame = page.locator(IFRAME).first.element_handle().content_frame()
    frame.wait_for_selector(".leaflet-container", timeout=timeout_ms)
    if ssl_map:
        frame.wait_for_function("() => window.sslMap !== undefined", timeout=timeout_ms)
    return frame


def wait_until(page, check: Callable[[], Any], timeout_s: float = 30) -> bool:
    """Poll ``check`` every 200 ms (browser time) until it is true or ``timeout_s`` has passed; its last answer."""
    for _ in range(int(timeout_s * 5)):
        if check():
            return True
        page.wait_for_timeout(200)
    return bool(check())


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run (no "Stop" button in the status widget)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget'] button", has_text="Stop").wait_for(state="detached", timeout=60000)
