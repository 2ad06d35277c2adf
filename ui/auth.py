"""Sign-in for editors: viewers need no account; editing, uploads into the store and restores need one.

Two ways to sign in, chosen by configuration:

- Streamlit's own OpenID Connect sign-in (``st.login`` / ``st.user``) when ``.streamlit/secrets.toml`` has
  an ``[auth]`` section (needs the ``Authlib`` package). Who is an editor: everyone the identity provider
  lets in, unless ``SSL_GIS_EDITORS`` (comma-separated e-mails or names) or ``[gis_auth] editors = [...]``
  in the secrets names them.
- Otherwise the local credentials file of bcrypt hashes (:mod:`gis.users`), made with
  ``python -m gis.users add NAME``. Failed attempts are bounded per session and per name.

Without either the app is read-only and :func:`sign_in_box` says how to enable editing.

Session-state keys: the widgets ``auth_user``, ``auth_password``, ``auth_submit``, ``auth_signout``; the
signed-in user is kept under ``auth_signed_in`` (a :class:`gis.users.User`).
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any, Literal

import streamlit as st

from gis import users as users_mod
from gis.users import AttemptLimiter, TooManyAttempts, User

__all__ = [
    "User",
    "current_user",
    "is_editor",
    "sign_in_box",
    "require_editor",
    "sign_out",
    "oidc_configured",
    "ENABLE_EDITING_ZH",
    "ENABLE_EDITING_EN",
]

log = logging.getLogger(__name__)

_STATE_USER = "auth_signed_in"
_STATE_LIMITER = "auth_session_limiter"
_STATE_FLASH = "auth_flash"
_SESSION_KEY = "session"

ENABLE_EDITING_ZH = (
    "当前为只读模式。启用编辑：在服务器上运行 `python -m gis.users add 用户名`（按提示输入密码），"
    "或在 `.streamlit/secrets.toml` 中配置 `[auth]`（OIDC 单点登录），然后刷新页面。"
)
ENABLE_EDITING_EN = (
    "Read-only mode. To enable editing, run `python -m gis.users add NAME` on the server (it prompts for a "
    "password), or configure `[auth]` (OIDC sign-in) in `.streamlit/secrets.toml`, then reload the page."
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def _md(text: str) -> str:
    """Escape text from an account or an identity provider before it reaches Markdown."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


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


def _oidc_editors() -> set[str] | None:
    names = os.environ.get("SSL_GIS_EDITORS")
    if names:
        return {n.strip().lower() for n in names.split(",") if n.strip()}
    section = _secrets_section("gis_auth") or {}
    listed = section.get("editors")
    if listed:
        return {str(n).strip().lower() for n in listed}
    return None


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
    editors = _oidc_editors()
    role = "editor" if editors is None or name.lower() in editors else "viewer"
    return User(name, role)


def current_user() -> User | None:
    """The signed-in user of this browser session, or None for a viewer.

    Returns
    -------
    gis.users.User or None
        ``.name`` (recorded as the author of edits) and ``.role``.
    """
    if oidc_configured():
        return _oidc_user()
    user = st.session_state.get(_STATE_USER)
    return user if isinstance(user, User) else None


def is_editor() -> bool:
    """True when the signed-in user may edit, upload into the store and restore."""
    user = current_user()
    return bool(user and user.is_editor)


def sign_out() -> None:
    """Forget the signed-in user of this session (and end the OIDC session when one is used)."""
    st.session_state.pop(_STATE_USER, None)
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
        user = users_mod.verify(None, username, password)
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
            role = "编辑 / editor" if user.is_editor else "只读 / viewer"
            st.markdown(f"已登录 / signed in: **{_md(user.name)}** ({role})")
            if st.button("退出 / Sign out", key="auth_signout"):
                sign_out()
                st.rerun()
            return
        if oidc_configured():
            if flash:
                st.error(flash)
            if st.button("登录 / Sign in", key="auth_submit"):
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
            st.info(f"{ENABLE_EDITING_ZH}\n\n{ENABLE_EDITING_EN}")
            return
        with st.form("auth_form", clear_on_submit=True, border=False):
            st.caption("编辑人员登录 / Editors sign in")
            username = st.text_input("用户名 / User name", key="auth_user", autocomplete="username")
            password = st.text_input("密码 / Password", key="auth_password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("登录 / Sign in", key="auth_submit")
        if flash:
            st.error(flash)
        if submitted:
            signed, why = _try_sign_in(username.strip(), password)
            if signed is None:
                st.session_state[_STATE_FLASH] = why
                st.rerun()
            st.session_state[_STATE_USER] = signed
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
    how_zh = "请先登录编辑账号。" if (oidc_configured() or users_mod.users_file_exists()) else ENABLE_EDITING_ZH
    how_en = "Sign in as an editor first." if (oidc_configured() or users_mod.users_file_exists()) else ENABLE_EDITING_EN
    st.warning(f"需要编辑权限：{_md(action_zh)}。{how_zh}\n\neditors only: {_md(action_en)}. {how_en}")
    return None
