"""Sign-in for editors: viewers need no account; editing, uploads into the store and restores need one.

Two ways to sign in, chosen by configuration:

- Streamlit's own OpenID Connect sign-in (``st.login`` / ``st.user``) when ``.streamlit/secrets.toml`` has
  an ``[auth]`` section (needs the ``Authlib`` package). Who is an editor: only those ``SSL_GIS_EDITORS``
  (comma-separated e-mails or names) or ``[gis_auth] editors = [...]`` in the secrets name. With neither,
  no one may edit, and the sign-in box says so.
- Otherwise the local credentials file of bcrypt hashes (:mod:`gis.users`), made with
  ``python -m gis.users add NAME``. Failed attempts are bounded per session, per (name, client) and, far
  higher, per name.

A local sign-in survives reloads, new tabs and bookmarks until it expires or the user signs out: the server
issues a signed, expiring session token (:func:`gis.users.issue_session`) and the browser receives it as an
HttpOnly, SameSite=Strict cookie from the app's own route ``POST /_gis/session`` (served by the
:class:`streamlit.App` in ``app.py``, see :func:`session_routes`), in exchange for a one-time grant that
lives 60 s. Each new browser session reads the cookie from the request that opened it
(``st.context.cookies``). Signing out ends the session on the server (the cookie is then worthless even
if kept) and asks the browser to drop it (``POST /_gis/signout``).

Without either the app is read-only and :func:`sign_in_box` says how to enable editing.

Session-state keys: the widgets ``auth_user``, ``auth_password``, ``auth_submit``, ``auth_signout``; the
session token of a sign-in made in this browser session is kept under ``auth_token``.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from typing import Any, Literal

import streamlit as st

from gis import users as users_mod
from gis.text import markdown_literal
from gis.users import AttemptLimiter, TooManyAttempts, User
from ui.i18n import lang, t

__all__ = [
    "User",
    "current_user",
    "is_editor",
    "sign_in_box",
    "require_editor",
    "sign_out",
    "oidc_configured",
    "session_routes",
    "client_id",
    "ENABLE_EDITING_ZH",
    "ENABLE_EDITING_EN",
]

log = logging.getLogger(__name__)

_STATE_TOKEN = "auth_token"
_STATE_GRANT = "auth_cookie_grant"
_STATE_DROP_COOKIE = "auth_drop_cookie"
_STATE_LIMITER = "auth_session_limiter"
_STATE_FLASH = "auth_flash"
_SESSION_KEY = "session"
#: Seconds a one-time cookie grant may wait for the browser to collect it.
GRANT_TTL_S = 60.0

OIDC_NO_EDITORS = (
    "已配置单点登录，但未指定编辑人员（SSL_GIS_EDITORS 或 [gis_auth] editors），因此任何人都不能编辑。 / "
    "OIDC sign-in is configured but no editors are listed (SSL_GIS_EDITORS or [gis_auth] editors), so no one may edit."
)

ENABLE_EDITING_ZH = (
    "当前为只读模式。启用编辑：在服务器上运行 `python -m gis.users add 用户名`（按提示输入密码），"
    "或在 `.streamlit/secrets.toml` 中配置 `[auth]`（OIDC 单点登录），然后刷新页面。"
)
ENABLE_EDITING_EN = (
    "Read-only mode. To enable editing, run `python -m gis.users add NAME` on the server (it prompts for a "
    "password), or configure `[auth]` (OIDC sign-in) in `.streamlit/secrets.toml`, then reload the page."
)


def _md(text: str) -> str:
    """Escape text from an account or an identity provider before it reaches Markdown."""
    return markdown_literal(text)


def _secrets_section(name: str) -> dict[str, Any] | None:
    try:
        if name in st.secrets:
            section = st.secrets[name]
            return dict(section) if hasattr(section, "keys") else None
    except Exception:  # no secrets.toml, or one that does not parse: treated as not configured
        return None
    return None


def oidc_configured() -> bool:
    """True when ``[auth]`` is configured in the secrets, so Streamlit's OIDC sign-in is used."""
    return bool(_secrets_section("auth"))


def _oidc_editors() -> set[str]:
    """The editors named for OIDC sign-in (lower case); empty when none are listed (then no one edits)."""
    names = os.environ.get("SSL_GIS_EDITORS")
    if names:
        return {n.strip().lower() for n in names.split(",") if n.strip()}
    section = _secrets_section("gis_auth") or {}
    listed = section.get("editors")
    if listed:
        return {str(n).strip().lower() for n in listed if str(n).strip()}
    return set()


def _oidc_user() -> User | None:
    try:
        info = st.user
        if not info.get("is_logged_in"):
            return None
        name = str(info.get("email") or info.get("preferred_username") or info.get("name") or info.get("sub") or "")
    except Exception:  # st.user unavailable (e.g. Authlib missing)
        return None
    if not name:
        return None
    role = "editor" if name.lower() in _oidc_editors() else "viewer"
    return User(name, role)


# --- the session cookie -----------------------------------------------------------------------------------

#: One-time grants: nonce → (session token, expiry on the monotonic clock). Shared by the script runs and the
#: HTTP routes, which live in the same server process.
_GRANTS: dict[str, tuple[str, float]] = {}
_GRANTS_LOCK = threading.Lock()


def _grant(token: str) -> str:
    """A one-time nonce the browser exchanges for the HttpOnly cookie holding ``token``."""
    nonce = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _GRANTS_LOCK:
        for key in [k for k, (_, exp) in _GRANTS.items() if exp <= now]:
            del _GRANTS[key]
        _GRANTS[nonce] = (token, now + GRANT_TTL_S)
    return nonce


def _redeem(nonce: str) -> str | None:
    """The token of a live grant (which is used up), or None."""
    with _GRANTS_LOCK:
        entry = _GRANTS.pop(nonce, None)
    if entry is None or entry[1] <= time.monotonic():
        return None
    return entry[0]


def _request_cookie() -> str | None:
    """The session cookie sent with the request that opened this browser session (None if absent)."""
    try:
        value = st.context.cookies.get(users_mod.SESSION_COOKIE)
    except Exception:  # no request context (bare script, tests)
        return None
    return str(value) if value else None


def client_id() -> str:
    """Who is connecting, as the server sees it: the client's IP address (``"local"`` for localhost).

    Used to key failed sign-ins, so a stranger's failures do not lock the name for its owner.
    """
    try:
        ip = st.context.ip_address
    except Exception:  # no request context
        ip = None
    return str(ip) if ip else "local"


def _same_origin(request: Any) -> bool:
    """False when a browser says the request comes from another site (the Origin header names another host)."""
    origin = request.headers.get("origin")
    if origin is None:  # not sent by a browser's cross-site fetch; SameSite=Strict covers the rest
        return True
    host = request.headers.get("host", "")
    return origin != "null" and origin.split("://", 1)[-1].rstrip("/") == host


def session_routes() -> list[Any]:
    """The HTTP routes that set and clear the HttpOnly session cookie (for :class:`streamlit.App`).

    Returns
    -------
    list of starlette.routing.Route
        ``POST /_gis/session`` (form field ``grant``: a one-time nonce from this module → 204 with
        ``Set-Cookie``; 403 otherwise) and ``POST /_gis/signout`` (ends the session named by the cookie and
        expires the cookie).
    """
    from starlette.responses import Response
    from starlette.routing import Route

    async def set_session(request: Any) -> Any:
        if not _same_origin(request):
            return Response(status_code=403)
        form = await request.form()
        token = _redeem(str(form.get("grant", ""))[:100])
        if token is None:
            return Response(status_code=403)
        resp = Response(status_code=204, headers={"Cache-Control": "no-store"})
        resp.set_cookie(
            users_mod.SESSION_COOKIE, token, max_age=int(users_mod.SESSION_TTL_S), path="/", httponly=True,
            samesite="strict", secure=request.url.scheme == "https",
        )
        return resp

    async def sign_out_route(request: Any) -> Any:
        if not _same_origin(request):
            return Response(status_code=403)
        token = request.cookies.get(users_mod.SESSION_COOKIE)
        if token:
            users_mod.revoke_session(None, token)
        resp = Response(status_code=204, headers={"Cache-Control": "no-store"})
        resp.delete_cookie(users_mod.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return resp

    return [
        Route("/_gis/session", set_session, methods=["POST"]),
        Route("/_gis/signout", sign_out_route, methods=["POST"]),
    ]


def _post_script(path: str, body: str = "") -> str:
    """A tiny same-origin POST from the page (the response's Set-Cookie reaches the browser, not the script)."""
    return (
        "<script>(function(){var u=new URL('" + path + "', document.baseURI);"
        "fetch(u, {method:'POST', credentials:'same-origin', headers:{'Content-Type':'application/x-www-form-urlencoded'},"
        "body:'" + body + "'}).then(function(r){document.documentElement.dataset.gisCookie=String(r.status);});})();</script>"
    )


# --- who is signed in -------------------------------------------------------------------------------------


def current_user() -> User | None:
    """The signed-in user of this browser session, or None for a viewer.

    The session token of a sign-in made in this session, else the cookie the browser sent when the session
    opened, is checked on every call: a session signed out elsewhere, expired, or whose password changed
    gives a viewer from the next rerun on.

    Returns
    -------
    gis.users.User or None
        ``.name`` (recorded as the author of edits) and ``.role``.
    """
    if oidc_configured():
        return _oidc_user()
    token = st.session_state.get(_STATE_TOKEN) or _request_cookie()
    if not token:
        return None
    return users_mod.verify_session(None, token)


def is_editor() -> bool:
    """True when the signed-in user may edit, upload into the store and restore."""
    user = current_user()
    return bool(user and user.is_editor)


def sign_out() -> None:
    """End this sign-in: revoke the session on the server and have the browser drop its cookie.

    For OIDC, Streamlit's own ``st.logout`` ends the identity provider's session.
    """
    for token in {st.session_state.pop(_STATE_TOKEN, None), _request_cookie()} - {None}:
        users_mod.revoke_session(None, token)
    st.session_state[_STATE_DROP_COOKIE] = True
    st.session_state.pop(_STATE_GRANT, None)
    if oidc_configured():
        try:
            st.logout()
        except Exception:  # logout outside a running server (tests): the session state is already cleared
            log.debug("st.logout unavailable", exc_info=True)


def _session_limiter() -> AttemptLimiter:
    lim = st.session_state.get(_STATE_LIMITER)
    if not isinstance(lim, AttemptLimiter):
        lim = AttemptLimiter()
        st.session_state[_STATE_LIMITER] = lim
    return lim


def _try_sign_in(username: str, password: str) -> tuple[User | None, str | None]:
    """Check the typed credentials; return the user or a bilingual message why not."""
    lim = _session_limiter()
    try:
        lim.check(_SESSION_KEY)
        if not username or not password:
            return None, "请输入用户名和密码 / enter a user name and a password"
        user = users_mod.verify(None, username, password, client=client_id())
    except TooManyAttempts as exc:
        return None, f"{exc.zh} / {exc.en}"
    if user is None:
        lim.failure(_SESSION_KEY)
        return None, "用户名或密码错误 / wrong user name or password"
    lim.success(_SESSION_KEY)
    return user, None


def sign_in_box(location: Literal["sidebar", "main"] = "sidebar") -> None:
    """Render the sign-in form, or who is signed in with a sign-out button.

    Parameters
    ----------
    location : {"sidebar", "main"}
        Where to draw it.

    Notes
    -----
    Widget keys: ``auth_user``, ``auth_password``, ``auth_submit`` (sign in), ``auth_signout``. When no
    credentials file and no OIDC configuration exist it explains how to enable editing instead.
    """
    box = st.sidebar if location == "sidebar" else st.container()
    with box:
        flash = st.session_state.pop(_STATE_FLASH, None)
        user = current_user()
        if user is not None:
            role = t("auth_role_editor") if user.is_editor else t("auth_role_viewer")
            st.markdown(t("auth_signed_in", name=_md(user.name), role=role))
            grant = st.session_state.pop(_STATE_GRANT, None)
            if grant:  # hand the browser its HttpOnly cookie (our own constant script; the nonce is URL-safe base64)
                st.html(_post_script("_gis/session", "grant=" + grant), unsafe_allow_javascript=True, width="content")
            if oidc_configured() and not _oidc_editors():
                st.info(OIDC_NO_EDITORS)
            if st.button(t("auth_sign_out"), key="auth_signout"):
                sign_out()
                st.rerun()
            return
        if st.session_state.pop(_STATE_DROP_COOKIE, None) and not oidc_configured():
            st.html(_post_script("_gis/signout"), unsafe_allow_javascript=True, width="content")
        if oidc_configured():
            if not _oidc_editors():
                st.info(OIDC_NO_EDITORS)
            if flash:
                st.error(flash)
            if st.button(t("auth_sign_in"), key="auth_submit"):
                try:
                    st.login()
                except Exception as exc:  # most often Authlib is not installed
                    log.warning("OIDC sign-in failed: %s", exc)
                    st.session_state[_STATE_FLASH] = (
                        "单点登录不可用（需要 Authlib 且 [auth] 配置正确） / "
                        "OIDC sign-in unavailable (needs Authlib and a valid [auth] section)"
                    )
                    st.rerun()
            return
        if not users_mod.users_file_exists():
            st.info(ENABLE_EDITING_EN if lang() == "en" else ENABLE_EDITING_ZH)  # one language per screen (issue 13)
            return
        with st.form("auth_form", clear_on_submit=True, border=False):
            st.caption(t("auth_editors_sign_in"))
            username = st.text_input(t("auth_user_name"), key="auth_user", autocomplete="username")
            password = st.text_input(t("auth_password"), key="auth_password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button(t("auth_sign_in"), key="auth_submit")
        if flash:
            st.error(flash)
        if submitted:
            signed, why = _try_sign_in(username.strip(), password)
            if signed is None:
                st.session_state[_STATE_FLASH] = why
                st.rerun()
            token = users_mod.issue_session(None, signed.name)
            st.session_state[_STATE_TOKEN] = token
            st.session_state[_STATE_GRANT] = _grant(token)
            log.info("%s signed in at %s", signed.name, time.strftime("%Y-%m-%dT%H:%M:%S"))
            st.rerun()


def require_editor(action_zh: str, action_en: str) -> User | None:
    """Return the signed-in editor, or show "需要编辑权限 / editors only" and return None.

    Parameters
    ----------
    action_zh, action_en : str
        What the user tried to do, in Chinese and English (e.g. "修改状态", "change a status").

    Returns
    -------
    gis.users.User or None
        The editor (use ``.name`` as the author of the edit), or None when the action is refused.
    """
    user = current_user()
    if user is not None and user.is_editor:
        return user
    if oidc_configured() and not _oidc_editors():
        st.warning(f"需要编辑权限：{_md(action_zh)}。editors only: {_md(action_en)}.\n\n{OIDC_NO_EDITORS}")
        return None
    how_zh = "请先登录编辑账号。" if (oidc_configured() or users_mod.users_file_exists()) else ENABLE_EDITING_ZH
    how_en = "Sign in as an editor first." if (oidc_configured() or users_mod.users_file_exists()) else ENABLE_EDITING_EN
    if lang() == "en":  # one language per screen (issue 13 item 1)
        st.warning(f"Editors only: {_md(action_en)}. {how_en}")
    else:
        st.warning(f"需要编辑权限：{_md(action_zh)}。{how_zh}")
    return None
