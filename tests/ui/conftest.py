"""Shared set-up of the app's page tests: a working store in a temporary folder, its editors, the app itself.

:func:`use_store` points the app at a store (and a users file) in the test's folder; the fixtures ``store_path``
(one editor, ``planner``) and ``viewer_store_path`` (no users file: editing not set up) call it. :func:`open_page`
runs the app under AppTest, optionally with URL parameters and signed in, on one page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from streamlit.testing.v1 import AppTest

from gis import users

PROJECT = Path(__file__).resolve().parents[2]
#: The password of every editor made here (``planner`` by :func:`store_path`).
EDITOR_PASSWORD = "s3cret-Pa55"
SESSION_SECRET = "test-only-session-secret-0123456789"


def use_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, editors: Iterable[str] = ()) -> Path:
    """Point the app at ``tmp_path/working.gpkg`` (not yet created) and a users file beside it; cwd = project.

    Parameters
    ----------
    tmp_path : Path
        The test's folder.
    monkeypatch : pytest.MonkeyPatch
        Sets the environment and the working directory for this test only.
    editors : iterable of str
        Editors written to the users file, each with :data:`EDITOR_PASSWORD`; none: no users file at all (the app
        then says how to set editing up, instead of showing the sign-in form).

    Returns
    -------
    Path
        The working store's path.
    """
    path = tmp_path / "working.gpkg"
    monkeypatch.setenv("SSL_GIS_STORE", str(path))
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.setenv("SSL_GIS_SESSION_SECRET", SESSION_SECRET)
    monkeypatch.chdir(PROJECT)
    names = list(editors)
    for name in names:
        users.add_user(tmp_path / "users.json", name, EDITOR_PASSWORD, rounds=4)
    if names:
        monkeypatch.setattr(users, "_LIMITER", users.AttemptLimiter())
    return path


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working store path (not yet created) and a users file holding the editor ``planner``; cwd = project."""
    return use_store(tmp_path, monkeypatch, editors=["planner"])


@pytest.fixture
def viewer_store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working store path (not yet created) and no users file; cwd = project."""
    return use_store(tmp_path, monkeypatch)


def new_app(*, query: Mapping[str, str] | None = None, timeout_s: float = 120) -> AppTest:
    """The app (``app.py``) under AppTest, not run yet, with these URL query parameters."""
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=timeout_s)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at


def sign_in(at: AppTest, name: str = "planner", password: str = EDITOR_PASSWORD) -> AppTest:
    """Sign in through the sidebar form of a run app; the app after the sign-in's run."""
    at.sidebar.text_input(key="auth_user").input(name)
    at.sidebar.text_input(key="auth_password").input(password)
    return at.sidebar.button(key="auth_submit").click().run()


def stop_the_first_call(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, *, before_stop: Callable[[], None] | None = None
) -> list[bool]:
    """Make the first call of ``module.name`` stop its page run with a new run request, as a map's value does.

    The next run goes through, without the click that started the stopped one (``st.rerun`` carries none): the
    race of a click whose run a map's new view interrupts, made certain. ``before_stop`` runs just before the
    stop (e.g. to move a clock). Returns the list that records the stop.
    """
    import streamlit as st

    real, stops = getattr(module, name), []

    def stopped_once(*args: Any, **kwargs: Any) -> Any:
        if not stops:
            stops.append(True)
            if before_stop is not None:
                before_stop()
            st.rerun()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, stopped_once)
    return stops


def assert_no_exception(at: AppTest) -> None:
    """Fail with the exceptions' text if the last run raised."""
    assert not at.exception, [e.value for e in at.exception]


def open_page(
    page: str | None = None, *, query: Mapping[str, str] | None = None, user: str | None = None, timeout_s: float = 120
) -> AppTest:
    """Run the app, sign ``user`` in (if given), then switch to ``page`` (e.g. ``"ui/page_data.py"``, if given).

    The caller asserts on the result (:func:`assert_no_exception` where the test did so before).
    """
    at = new_app(query=query, timeout_s=timeout_s).run()
    if user is not None:
        at = sign_in(at, user)
    if page is not None:
        at.switch_page(page).run()
    return at


@pytest.fixture
def data_page(viewer_store_path: Path) -> AppTest:
    """The 数据 page of a fresh app, for a viewer, with no users file."""
    return open_page("ui/page_data.py")


@pytest.fixture
def colleague(store_path: Path) -> str:
    """A second editor, ``colleague`` (password :data:`EDITOR_PASSWORD`), beside ``store_path``'s ``planner``."""
    users.add_user(store_path.parent / "users.json", "colleague", EDITOR_PASSWORD, rounds=4)
    return "colleague"


def table_with(at: AppTest, column: str):
    """The first dataframe on the page with this column (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def metrics_of(at: AppTest) -> dict[str, str]:
    """Every ``st.metric`` on the page: label → value, as text."""
    return {str(m.label): str(m.value) for m in at.metric}


def asgi_request(
    routes: list[Any], path: str, headers: Mapping[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """One request through the app's extra routes (``ui.tile_routes``) in process: no server, no network.

    ``path`` is what a browser sends (percent-escapes kept in ``raw_path``, decoded in ``path``, as a server does).

    Returns
    -------
    (int, dict, bytes)
        Status, response headers (lower-case names), body.
    """
    from starlette.applications import Starlette

    app = Starlette(routes=routes)
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": unquote(path), "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body
