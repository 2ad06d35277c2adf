"""Sign-in in a real browser: it survives a reload, a new tab and a bookmark; a forged, expired or signed-out
cookie gives a viewer; the cookie is HttpOnly, so the page's scripts cannot read it.
"""

from __future__ import annotations

import time

import pytest

from gis import users

from .conftest import EDITOR, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

COOKIE = users.SESSION_COOKIE


def _session_cookie(page) -> dict | None:
    for _ in range(50):  # the cookie arrives from a fetch the page makes right after signing in
        found = [c for c in page.context.cookies() if c["name"] == COOKIE]
        if found:
            return found[0]
        page.wait_for_timeout(200)
    return None


def _is_editor(page) -> bool:
    # the refusal is in the page's language: 需要编辑权限 (zh) or Editors only (en)
    page.locator(
        ".st-key-roads_edit_save button, [data-testid='stAlert']:has-text('需要编辑权限'), "
        "[data-testid='stAlert']:has-text('Editors only')"
    ).first.wait_for(timeout=30000)
    return page.locator(".st-key-roads_edit_save button").count() == 1


def test_reload_new_tab_and_bookmark_keep_the_editor_then_sign_out(app, page) -> None:
    page.goto(app.url + "/roads")
    assert not _is_editor(page)
    sign_in(page)
    cookie = _session_cookie(page)
    assert cookie is not None, "no session cookie was set"
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert COOKIE not in page.evaluate("document.cookie")  # scripts cannot read it
    assert cookie["expires"] > time.time() + 3600
    page.reload()
    assert _is_editor(page)
    page.get_by_text("已登录").wait_for(timeout=30000)
    tab = page.context.new_page()  # a new tab, opened on a bookmarked URL with view state
    tab.goto(app.url + "/roads?lang=en")
    assert _is_editor(tab)
    # sign out in the first tab: the reload and the other tab are viewers
    page.locator(".st-key-auth_signout button").click()
    page.get_by_text("需要编辑权限").first.wait_for(timeout=30000)
    page.reload()
    assert not _is_editor(page)
    tab.reload()
    assert not _is_editor(tab)
    tab.close()


def test_forged_and_expired_cookies_give_a_viewer(app, page) -> None:
    good = users.issue_session(app.data_dir / "users.json", EDITOR)
    body, sig = good.split(".")
    expired = users.issue_session(app.data_dir / "users.json", EDITOR, now=time.time() - users.SESSION_TTL_S - 60)
    host = app.url.split("://", 1)[1].split(":")[0]
    for token, editor in ((f"{body}.{'A' * len(sig)}", False), (expired, False), (good, True)):
        page.context.clear_cookies()
        page.context.add_cookies([{"name": COOKIE, "value": token, "domain": host, "path": "/", "httpOnly": True}])
        page.goto(app.url + "/roads")
        assert _is_editor(page) is editor, token
