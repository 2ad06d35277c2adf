"""ui.auth under Streamlit's AppTest: sign in, refuse wrong passwords, bound attempts, sign out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gis import users

PROJECT = Path(__file__).resolve().parents[2]

# A small app: the sign-in box, then an editor-only action that records who did it.
SCRIPT = f"""
import sys
sys.path.insert(0, {str(PROJECT)!r})
import streamlit as st
from ui.auth import current_user, is_editor, require_editor, sign_in_box

sign_in_box()
editor = require_editor("修改状态", "change a status")
if editor is not None:
    st.success("allowed:" + editor.name)
st.text("editor=" + str(is_editor()))
"""

PASSWORD = "s3cret-Pa55"


def _app() -> AppTest:
    return AppTest.from_string(SCRIPT, default_timeout=30)


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.text] + [e.value for e in at.success] + [e.value for e in at.warning]
    parts += [e.value for e in at.error] + [e.value for e in at.info] + [e.value for e in at.markdown]
    parts += [e.value for e in at.sidebar.markdown] + [e.value for e in at.sidebar.info] + [e.value for e in at.sidebar.error]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.json"
    users.add_user(path, "planner", PASSWORD, rounds=4)
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(path))
    monkeypatch.delenv("SSL_GIS_SESSION_SECRET", raising=False)
    monkeypatch.setattr(users, "_LIMITER", users.AttemptLimiter())  # fresh per-name bound for each test
    return path


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="auth_user").input(name)
    at.text_input(key="auth_password").input(password)
    return at.button(key="auth_submit").click().run()


def test_no_users_file_is_read_only_and_explains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "none.json"))
    at = _app().run()
    assert not at.exception
    text = _texts(at)
    assert "python -m gis.users add" in text
    assert "editor=False" in text
    assert "需要编辑权限" in text and "editors only" not in text  # one language per screen (issue 13 item 1)
    assert not at.success
    with pytest.raises(KeyError):
        at.text_input(key="auth_password")


def test_wrong_password_refused(users_file: Path) -> None:
    at = _sign_in(_app().run(), "planner", "wrong-password")
    assert not at.exception
    text = _texts(at)
    assert "wrong user name or password" in text
    assert "editor=False" in text
    assert not at.success


def test_editor_signed_in_then_signed_out_is_refused(users_file: Path) -> None:
    at = _sign_in(_app().run(), "planner", PASSWORD)
    assert not at.exception
    assert [s.value for s in at.success] == ["allowed:planner"]
    assert "editor=True" in _texts(at)
    assert users.verify_session(users_file, at.session_state["auth_token"]) == users.User("planner", "editor")
    # the form is gone, its password is not kept in the session, and it is nowhere in the page
    with pytest.raises(KeyError):
        at.text_input(key="auth_password")
    assert "auth_password" not in at.session_state or at.session_state["auth_password"] == ""
    assert PASSWORD not in _texts(at)

    at = at.button(key="auth_signout").click().run()
    assert not at.exception
    assert not at.success
    text = _texts(at)
    assert "editor=False" in text and "需要编辑权限" in text and "Read-only mode" not in text


def test_viewer_account_is_not_an_editor(users_file: Path) -> None:
    users.add_user(users_file, "reader", PASSWORD, role="viewer", rounds=4)
    at = _sign_in(_app().run(), "reader", PASSWORD)
    assert not at.exception
    assert not at.success
    assert "editor=False" in _texts(at)


def test_attempts_bounded_per_session(users_file: Path) -> None:
    at = _app().run()
    for _ in range(users.MAX_FAILED_ATTEMPTS):
        at = _sign_in(at, "planner", "wrong-password")
    # now even the right password is refused until the lock-out passes
    at = _sign_in(at, "planner", PASSWORD)
    assert not at.success
    text = _texts(at)
    assert "too many failed sign-ins" in text and "登录失败次数过多" in text


def test_oidc_configured_uses_streamlit_sign_in(users_file: Path) -> None:
    at = _app()
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-only-not-a-secret",
        "client_id": "x",
        "client_secret": "y",
        "server_metadata_url": "http://localhost:1/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    # the local form is replaced by a single sign-in button; nobody is an editor before the IdP says so
    with pytest.raises(KeyError):
        at.text_input(key="auth_password")
    assert at.button(key="auth_submit")
    assert "editor=False" in _texts(at)


class _FakeOidcUser(dict):
    """Stands in for ``st.user`` after an identity provider signed someone in."""


def _oidc_app() -> AppTest:
    at = _app()
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-only", "client_id": "x"}
    return at


def test_oidc_user_is_the_editor_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit

    monkeypatch.setenv("SSL_GIS_EDITORS", "planner@example.cn")
    monkeypatch.setattr(streamlit, "user", _FakeOidcUser(is_logged_in=True, email="planner@example.cn", name="规划师"))
    at = _oidc_app().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["allowed:planner@example.cn"]
    assert "editor=True" in _texts(at)


def test_oidc_without_an_editor_list_no_one_may_edit_and_the_page_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit

    monkeypatch.delenv("SSL_GIS_EDITORS", raising=False)
    monkeypatch.setattr(streamlit, "user", _FakeOidcUser(is_logged_in=True, email="planner@example.cn", name="规划师"))
    at = _oidc_app().run()
    assert not at.exception
    assert not at.success
    text = _texts(at)
    assert "editor=False" in text
    assert "no one may edit" in text and "任何人都不能编辑" in text


def test_oidc_user_not_on_the_editor_list_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit

    monkeypatch.setenv("SSL_GIS_EDITORS", "chief@example.cn, other@example.cn")
    monkeypatch.setattr(streamlit, "user", _FakeOidcUser(is_logged_in=True, email="visitor@example.cn"))
    at = _oidc_app().run()
    assert not at.exception
    assert not at.success
    text = _texts(at)
    assert "editor=False" in text and "需要编辑权限" in text
    monkeypatch.setenv("SSL_GIS_EDITORS", "Visitor@Example.cn")
    at = _oidc_app().run()
    assert [s.value for s in at.success] == ["allowed:visitor@example.cn"]


def test_sign_in_box_in_main_area(users_file: Path) -> None:
    script = SCRIPT.replace("sign_in_box()", 'sign_in_box("main")')
    at = AppTest.from_string(script, default_timeout=30).run()
    assert not at.exception
    at = _sign_in(at, "planner", PASSWORD)
    assert [s.value for s in at.success] == ["allowed:planner"]
    assert not at.sidebar.button  # nothing was drawn in the sidebar


def test_markup_in_a_name_is_not_rendered(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit

    monkeypatch.setattr(streamlit, "user", _FakeOidcUser(is_logged_in=True, email="<img src=x onerror=alert(1)>@x.cn"))
    at = _oidc_app().run()
    assert not at.exception
    shown = "\n".join(m.value for m in at.sidebar.markdown)
    assert "\\<img" in shown
    assert not re.search(r"(?<!\\)<", shown), "an unescaped '<' from an identity provider reached Markdown"


# --- the session cookie: sign-in that survives a reload, a new tab, a bookmark -----------------------------


def _with_cookie(monkeypatch: pytest.MonkeyPatch, token: str | None) -> AppTest:
    """A new browser session whose opening request carried ``token`` as the session cookie."""
    import ui.auth

    monkeypatch.setattr(ui.auth, "_request_cookie", lambda: token)
    return _app().run()


def test_a_new_session_with_the_cookie_is_still_the_editor(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_app().run(), "planner", PASSWORD)
    token = at.session_state["auth_token"]
    assert "auth_cookie_grant" not in at.session_state  # the one-time grant was handed to the page once
    reloaded = _with_cookie(monkeypatch, token)
    assert not reloaded.exception
    assert [s.value for s in reloaded.success] == ["allowed:planner"]
    assert "editor=True" in _texts(reloaded)
    assert PASSWORD not in _texts(reloaded)


def test_forged_or_expired_cookie_gives_a_viewer(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import base64
    import json
    import time

    good = users.issue_session(users_file, "planner")
    body, sig = good.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["u"] = "chief"  # someone else's name under the planner's signature
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    expired = users.issue_session(users_file, "planner", now=time.time() - users.SESSION_TTL_S - 60)
    for token in (f"{forged_body}.{sig}", good[:-2] + ("AA" if not good.endswith("AA") else "BB"), expired, "x.y", "garbage"):
        at = _with_cookie(monkeypatch, token)
        assert not at.exception
        assert not at.success, token
        assert "editor=False" in _texts(at)
    assert "editor=True" in _texts(_with_cookie(monkeypatch, good))


def test_sign_out_revokes_the_cookie(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_app().run(), "planner", PASSWORD)
    token = at.session_state["auth_token"]
    other_tab = _with_cookie(monkeypatch, token)
    assert "editor=True" in _texts(other_tab)
    at = at.button(key="auth_signout").click().run()
    assert "editor=False" in _texts(at)
    # the page asks the browser to drop the cookie; and even if the browser kept it, it is worthless now
    assert any("_gis/signout" in str(h.proto.body) for h in at.get("html"))
    assert "editor=False" in _texts(_with_cookie(monkeypatch, token))
    assert "editor=False" in _texts(other_tab.run())  # the other tab loses editing at its next rerun


def test_password_change_revokes_every_session(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = users.issue_session(users_file, "planner")
    assert "editor=True" in _texts(_with_cookie(monkeypatch, token))
    users.add_user(users_file, "planner", "a-new-Pa55word", rounds=4)
    assert "editor=False" in _texts(_with_cookie(monkeypatch, token))


def test_failed_sign_ins_from_one_client_do_not_lock_out_another(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.auth

    monkeypatch.setattr(ui.auth, "client_id", lambda: "203.0.113.66")
    for _ in range(users.MAX_FAILED_ATTEMPTS + 1):
        attacker = _sign_in(_app().run(), "planner", "wrong-password")  # a new session each time
    attacker = _sign_in(_app().run(), "planner", PASSWORD)
    assert "too many failed sign-ins" in _texts(attacker)  # the attacker's client is slowed down
    monkeypatch.setattr(ui.auth, "client_id", lambda: "192.0.2.7")
    owner = _sign_in(_app().run(), "planner", PASSWORD)
    assert [s.value for s in owner.success] == ["allowed:planner"]
