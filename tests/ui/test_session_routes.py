"""The two HTTP routes behind the sign-in cookie, called through ASGI without a browser or a network."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from starlette.applications import Starlette

from gis import users
from ui import auth

PASSWORD = "s3cret-Pa55"


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.json"
    users.add_user(path, "planner", PASSWORD, rounds=4)
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(path))
    monkeypatch.delenv("SSL_GIS_SESSION_SECRET", raising=False)
    return path


def _post(path: str, body: bytes = b"", *, origin: str | None = "http://app.test", cookie: str | None = None) -> tuple[int, list[str]]:
    """POST to the routes; return the status and the Set-Cookie headers."""
    headers = [(b"host", b"app.test"), (b"content-type", b"application/x-www-form-urlencoded")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", f"{users.SESSION_COOKIE}={cookie}".encode()))
    scope = {
        "type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": headers, "scheme": "http", "server": ("app.test", 80), "client": ("127.0.0.1", 5000),
        "http_version": "1.1", "root_path": "",
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(Starlette(routes=auth.session_routes())(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    cookies = [v.decode() for k, v in start["headers"] if k.lower() == b"set-cookie"]
    return start["status"], cookies


def test_a_grant_buys_one_httponly_cookie(users_file: Path) -> None:
    token = users.issue_session(users_file, "planner")
    grant = auth._grant(token)
    status, cookies = _post("/_gis/session", f"grant={grant}".encode())
    assert status == 204 and len(cookies) == 1
    cookie = cookies[0]
    assert cookie.startswith(f"{users.SESSION_COOKIE}={token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie and "Max-Age=" in cookie
    assert _post("/_gis/session", f"grant={grant}".encode())[0] == 403  # used up


def test_forged_grants_and_other_sites_are_refused(users_file: Path) -> None:
    assert _post("/_gis/session", b"grant=made-up")[0] == 403
    assert _post("/_gis/session", b"")[0] == 403
    grant = auth._grant(users.issue_session(users_file, "planner"))
    assert _post("/_gis/session", f"grant={grant}".encode(), origin="https://evil.example")[0] == 403
    assert _post("/_gis/session", f"grant={grant}".encode(), origin="null")[0] == 403


def test_signout_route_revokes_and_expires_the_cookie(users_file: Path) -> None:
    token = users.issue_session(users_file, "planner")
    assert _post("/_gis/signout", origin="https://evil.example", cookie=token)[0] == 403
    assert users.verify_session(users_file, token) is not None
    status, cookies = _post("/_gis/signout", cookie=token)
    assert status == 204 and cookies and ("Max-Age=0" in cookies[0] or "expires=" in cookies[0].lower())
    assert users.verify_session(users_file, token) is None
