"""Local editor accounts: a credentials file of bcrypt-hashed passwords.

The default sign-in for an intranet deployment. The file is JSON, created with mode 0600 in a folder
with mode 0700; it holds only bcrypt hashes (cost 12 by default), never a password in clear. Its path is
``$SSL_GIS_USERS_FILE`` or ``<data folder>/users.json`` (:func:`users_file_path`).

Manage it from the command line (the password is prompted for, never taken from the command line)::

    python -m gis.users add NAME [--role editor] [--file PATH] [--password-stdin]
    python -m gis.users remove NAME
    python -m gis.users list
    python -m gis.users signout NAME      # end every sign-in session of NAME

Passwords are checked in constant time for known and unknown names alike, and failed attempts are
bounded per name *and client* (:class:`AttemptLimiter`: after ``MAX_FAILED_ATTEMPTS`` failures from one
client the name is locked for that client for a while that doubles with each further failure), so a
stranger cannot lock an editor out by typing wrong passwords under their name; a far higher per-name
ceiling (``MAX_FAILED_ATTEMPTS_PER_NAME`` within ``NAME_WINDOW_S``) still bounds a distributed guess.

Sign-in sessions (:func:`issue_session`, :func:`verify_session`, :func:`revoke_session`) are signed,
expiring tokens for an HttpOnly cookie. They are HMAC-SHA256 signed with a server-side secret
(``$SSL_GIS_SESSION_SECRET``, or ``session_secret`` generated with mode 0600 beside the users file) and
each names a session id kept in the user's entry of the users file: signing out removes it, and setting a
password (or role) or removing the account drops all of that user's sessions.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import getpass
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import bcrypt

from gis.errors import GisError, InputError

__all__ = [
    "ROLES",
    "MAX_FAILED_ATTEMPTS",
    "LOCKOUT_S",
    "MIN_PASSWORD_CHARS",
    "User",
    "TooManyAttempts",
    "AttemptLimiter",
    "MAX_FAILED_ATTEMPTS_PER_NAME",
    "NAME_WINDOW_S",
    "SESSION_TTL_S",
    "SESSION_COOKIE",
    "users_file_path",
    "session_secret",
    "issue_session",
    "verify_session",
    "revoke_session",
    "revoke_all_sessions",
    "users_file_exists",
    "add_user",
    "remove_user",
    "list_users",
    "verify",
    "main",
]

log = logging.getLogger(__name__)

#: Roles a stored account may have. Viewing needs no account; ``editor`` may edit, upload and restore.
ROLES: tuple[str, ...] = ("editor", "viewer")
#: Failed sign-ins for one name before it is locked (``SSL_GIS_MAX_FAILED_ATTEMPTS``).
MAX_FAILED_ATTEMPTS: int = int(os.environ.get("SSL_GIS_MAX_FAILED_ATTEMPTS") or 5)
#: First lock-out in seconds; doubles with each further failure, capped at 15 minutes.
LOCKOUT_S: float = float(os.environ.get("SSL_GIS_LOCKOUT_S") or 30.0)
#: Failed sign-ins for one name from all clients together within :data:`NAME_WINDOW_S` before the name
#: is locked for everyone (``SSL_GIS_MAX_FAILED_PER_NAME``): far above the per-client bound, so one
#: client cannot lock an editor out, yet a guess spread over many clients is still bounded.
MAX_FAILED_ATTEMPTS_PER_NAME: int = int(os.environ.get("SSL_GIS_MAX_FAILED_PER_NAME") or 100)
#: Window of the per-name ceiling in seconds (failures older than this are forgotten).
NAME_WINDOW_S: float = 3600.0
#: Lifetime of a sign-in session in seconds (``SSL_GIS_SESSION_TTL_S``, default 12 hours).
SESSION_TTL_S: float = float(os.environ.get("SSL_GIS_SESSION_TTL_S") or 12 * 3600)
#: Name of the HttpOnly cookie carrying the session token.
SESSION_COOKIE: str = "ssl_gis_session"
#: Sessions kept per user (the oldest are dropped beyond this).
MAX_SESSIONS_PER_USER: int = 20
#: Longest token accepted (characters); anything longer is refused unread.
_MAX_TOKEN_CHARS: int = 512
_TOKEN_CONTEXT = b"ssl-gis-session-v1."
#: Shortest password accepted (characters).
MIN_PASSWORD_CHARS: int = 8
#: bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated.
MAX_PASSWORD_BYTES: int = 72
#: bcrypt cost factor for new hashes (2**12 rounds ≈ 0.2 s on one core).
DEFAULT_ROUNDS: int = 12

_NAME_RE = re.compile(r"^[\w.@+-]{1,64}$")
_FILE_VERSION = 1


@dataclass(frozen=True)
class User:
    """A signed-in person.

    Attributes
    ----------
    name : str
        The account name (or the identity provider's e-mail); recorded as the author of edits.
    role : str
        One of :data:`ROLES`.
    """

    name: str
    role: str = "editor"

    @property
    def is_editor(self) -> bool:
        """True when this user may edit, upload into the store and restore."""
        return self.role == "editor"


class TooManyAttempts(GisError):
    """Too many failed sign-ins for one name; try again after ``retry_after_s`` seconds."""

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = float(retry_after_s)
        wait = max(1, int(retry_after_s + 0.999))
        super().__init__(f"登录失败次数过多，请 {wait} 秒后再试", f"too many failed sign-ins; try again in {wait} s")


class AttemptLimiter:
    """Bound failed attempts per key (a user name, a session): lock out after a number of failures.

    Parameters
    ----------
    max_failures : int, keyword-only
        Failures allowed before the key is locked.
    lockout_s : float, keyword-only
        Seconds of the first lock-out; each further failure doubles it (at most 15 minutes).
    clock : callable, keyword-only
        Returns the time in seconds (``time.monotonic`` by default; tests pass a fake clock).
    window_s : float, optional, keyword-only
        Forget a key's failures once its first counted failure is older than this (None: never).
    """

    def __init__(
        self,
        *,
        max_failures: int = MAX_FAILED_ATTEMPTS,
        lockout_s: float = LOCKOUT_S,
        clock=time.monotonic,
        window_s: float | None = None,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, int] = {}
        self._first: dict[str, float] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def retry_after_s(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may try now)."""
        with self._lock:
            return max(0.0, self._locked_until.get(key, 0.0) - self._clock())

    def check(self, key: str) -> None:
        """Raise :class:`TooManyAttempts` when ``key`` is locked out."""
        wait = self.retry_after_s(key)
        if wait > 0:
            raise TooManyAttempts(wait)

    def failure(self, key: str) -> None:
        """Count a failed attempt; lock the key once it has failed ``max_failures`` times."""
        with self._lock:
            now = self._clock()
            if self.window_s is not None and now - self._first.get(key, now) > self.window_s:
                self._failures.pop(key, None)
            if key not in self._failures:
                self._first[key] = now
            n = self._failures.get(key, 0) + 1
            self._failures[key] = n
            if n >= self.max_failures:
                extra = n - self.max_failures
                self._locked_until[key] = self._clock() + min(self.lockout_s * (2**extra), 900.0)

    def success(self, key: str) -> None:
        """Forget the failures of ``key``."""
        with self._lock:
            self._failures.pop(key, None)
            self._first.pop(key, None)
            self._locked_until.pop(key, None)


#: Process-wide limiter keyed by (user name, client), so opening new browser sessions does not reset the
#: bound, and failures from one client do not lock the name for the others.
_LIMITER = AttemptLimiter()
#: Process-wide ceiling keyed by user name alone (all clients together), far higher than the per-client bound.
_NAME_CEILING = AttemptLimiter(max_failures=MAX_FAILED_ATTEMPTS_PER_NAME, lockout_s=LOCKOUT_S, window_s=NAME_WINDOW_S)


def users_file_path() -> Path:
    """Return the path of the credentials file.

    Returns
    -------
    pathlib.Path
        ``$SSL_GIS_USERS_FILE`` if set, otherwise ``users.json`` in the data folder
        (:func:`gis.settings.data_dir`, read at call time).
    """
    override = os.environ.get("SSL_GIS_USERS_FILE")
    if override:
        return Path(override)
    from gis.settings import data_dir

    return data_dir() / "users.json"


def users_file_exists(path: str | Path | None = None) -> bool:
    """True when the credentials file exists and names at least one account."""
    p = Path(path) if path is not None else users_file_path()
    try:
        return bool(_load(p))
    except (InputError, OSError):
        return False


def _normalise_name(username: str) -> str:
    name = unicodedata.normalize("NFC", str(username)).strip()
    if not _NAME_RE.fullmatch(name):
        raise InputError(
            "用户名须为 1–64 个字母、数字或 _ . @ + - 字符",
            "a user name is 1–64 letters, digits or the characters _ . @ + -",
        )
    return name


def _password_bytes(password: str) -> bytes:
    raw = unicodedata.normalize("NFC", str(password)).encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise InputError(f"密码不能超过 {MAX_PASSWORD_BYTES} 字节", f"a password cannot be longer than {MAX_PASSWORD_BYTES} bytes")
    return raw


def _load(path: Path) -> dict[str, dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        doc = json.loads(text)
        users = doc["users"]
        if not isinstance(users, dict):
            raise TypeError
        return {str(k): dict(v) for k, v in users.items() if isinstance(v, dict) and isinstance(v.get("hash"), str)}
    except (ValueError, KeyError, TypeError):
        raise InputError(f"用户文件 {path.name} 已损坏", f"the users file {path.name} is damaged") from None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the file while it is read, changed and replaced."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _save(path: Path, users: dict[str, dict[str, str]]) -> None:
    """Write atomically: a 0600 temporary file in the same folder, fsync, rename over the old file."""
    doc = {"version": _FILE_VERSION, "users": users}
    fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".tmp", dir=path.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def add_user(
    path: str | Path | None,
    username: str,
    password: str,
    *,
    role: str = "editor",
    replace: bool = True,
    rounds: int = DEFAULT_ROUNDS,
) -> User:
    """Add an account (or set a new password and role for an existing one).

    Parameters
    ----------
    path : str, pathlib.Path or None
        The credentials file; None for :func:`users_file_path`. Created with mode 0600 if missing.
    username : str
        1–64 letters, digits or ``_ . @ + -``.
    password : str
        At least :data:`MIN_PASSWORD_CHARS` characters and at most 72 bytes in UTF-8. Only its bcrypt
        hash is stored.
    role : str, keyword-only
        One of :data:`ROLES`.
    replace : bool, keyword-only
        When False an existing name is refused.
    rounds : int, keyword-only
        bcrypt cost factor (4–31); tests use 4 to stay fast.

    Returns
    -------
    User
        The account as stored.

    Raises
    ------
    gis.errors.InputError
        Bad name, short or long password, unknown role, existing name with ``replace=False``.
    """
    p = Path(path) if path is not None else users_file_path()
    name = _normalise_name(username)
    if role not in ROLES:
        raise InputError(f"未知角色 {role!r}（可选 {', '.join(ROLES)}）", f"unknown role {role!r} (choose {', '.join(ROLES)})")
    if len(str(password)) < MIN_PASSWORD_CHARS:
        raise InputError(f"密码至少 {MIN_PASSWORD_CHARS} 个字符", f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    hashed = bcrypt.hashpw(_password_bytes(password), bcrypt.gensalt(rounds)).decode("ascii")
    with _locked(p):
        users = _load(p)
        if name in users and not replace:
            raise InputError(f"用户 {name} 已存在", f"user {name} already exists")
        # a fresh entry: a new password or role ends every open session of this account
        users[name] = {"hash": hashed, "role": role, "updated_at": datetime.now(UTC).isoformat(timespec="seconds")}
        _save(p, users)
    log.info("account %s saved with role %s", name, role)
    return User(name, role)


def remove_user(path: str | Path | None, username: str) -> bool:
    """Remove an account; return True when it existed."""
    p = Path(path) if path is not None else users_file_path()
    name = _normalise_name(username)
    with _locked(p):
        users = _load(p)
        if name not in users:
            return False
        del users[name]
        _save(p, users)
    log.info("account %s removed", name)
    return True


def list_users(path: str | Path | None = None) -> list[User]:
    """The accounts in the credentials file (names and roles; never hashes)."""
    p = Path(path) if path is not None else users_file_path()
    return [User(name, str(entry.get("role", "editor"))) for name, entry in sorted(_load(p).items())]


_DUMMY_HASHES: dict[bytes, bytes] = {}


def _dummy_hash_like(known: bytes | None) -> bytes:
    """A hash of the same cost as ``known`` so an unknown name costs as much time as a wrong password."""
    prefix = known[:7] if known else b"$2b$%02d" % DEFAULT_ROUNDS
    if prefix not in _DUMMY_HASHES:
        try:
            cost = int(prefix[4:6])
        except ValueError:
            cost = DEFAULT_ROUNDS
        _DUMMY_HASHES[prefix] = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(max(4, min(cost, 31))))
    return _DUMMY_HASHES[prefix]


def verify(
    path: str | Path | None,
    username: str,
    password: str,
    *,
    limiter: AttemptLimiter | None = None,
    client: str | None = None,
    ceiling: AttemptLimiter | None = None,
) -> User | None:
    """Check a name and password against the credentials file.

    The check takes the same time for an unknown name as for a wrong password. Failures are bounded per
    (name, client): after :data:`MAX_FAILED_ATTEMPTS` failures from one client the name is locked *for that
    client* for a while; other clients may still sign in under that name. All clients together are bounded
    by a much higher per-name ceiling (:data:`MAX_FAILED_ATTEMPTS_PER_NAME` within :data:`NAME_WINDOW_S`).

    Parameters
    ----------
    path : str, pathlib.Path or None
        The credentials file; None for :func:`users_file_path`.
    username, password : str
        What the person typed.
    limiter : AttemptLimiter, optional, keyword-only
        The per-(name, client) bound; the process-wide one by default.
    client : str, optional, keyword-only
        Who is trying, as the server sees it (the browser's IP address); None counts as one client.
    ceiling : AttemptLimiter, optional, keyword-only
        The per-name bound over all clients; the process-wide one by default (none when only ``limiter``
        is given, so a test's own limiter stays independent).

    Returns
    -------
    User or None
        The user when the password matches, None otherwise (also when no file exists).

    Raises
    ------
    TooManyAttempts
        While the name is locked out for this client or for everyone (the password is not checked).
    """
    lim = limiter if limiter is not None else _LIMITER
    top = ceiling if ceiling is not None else (_NAME_CEILING if limiter is None else None)
    p = Path(path) if path is not None else users_file_path()
    try:
        name = _normalise_name(username)
    except InputError:
        name = ""
    name_key = name or "<invalid>"
    key = name_key if client is None else f"{name_key}\x00{client}"
    lim.check(key)
    if top is not None:
        top.check(name_key)
    try:
        users = _load(p)
    except InputError:
        log.warning("the users file %s cannot be read; nobody can sign in", p)
        users = {}
    entry = users.get(name) if name else None
    stored = entry["hash"].encode("ascii", "replace") if entry else None
    try:
        candidate = _password_bytes(password)
    except InputError:
        candidate = None
    ok = False
    try:
        if stored is not None and candidate is not None:
            ok = bcrypt.checkpw(candidate, stored)
        else:
            some = next(iter(users.values()), {}).get("hash", "").encode("ascii", "replace") or None
            bcrypt.checkpw(b"not-a-password", _dummy_hash_like(some))
    except ValueError:  # a damaged hash in the file
        log.warning("the stored hash of %s is damaged", name)
        ok = False
    if not ok:
        lim.failure(key)
        if top is not None:
            top.failure(name_key)
        log.info("failed sign-in for %r", name or "<invalid name>")
        return None
    lim.success(key)  # the ceiling is not reset: one good sign-in must not wipe a distributed guess's count
    return User(name, str(entry.get("role", "editor")) if entry else "editor")


# --- sign-in sessions --------------------------------------------------------------------------------------


def _secret_path(path: Path) -> Path:
    return path.with_name("session_secret")


def session_secret(path: str | Path | None = None) -> bytes:
    """The server-side secret that signs session tokens.

    Parameters
    ----------
    path : str, pathlib.Path or None
        The credentials file (the secret lives beside it); None for :func:`users_file_path`.

    Returns
    -------
    bytes
        ``$SSL_GIS_SESSION_SECRET`` when set (at least 32 characters), otherwise the content of
        ``session_secret`` beside the users file, generated on first use (32 random bytes, hex, mode 0600).

    Raises
    ------
    gis.errors.InputError
        The environment variable is set but shorter than 32 characters.
    """
    env = os.environ.get("SSL_GIS_SESSION_SECRET")
    if env:
        if len(env) < 32:
            raise InputError("SSL_GIS_SESSION_SECRET 至少需要 32 个字符", "SSL_GIS_SESSION_SECRET needs at least 32 characters")
        return env.encode("utf-8")
    p = _secret_path(Path(path) if path is not None else users_file_path())
    try:
        value = p.read_text(encoding="ascii").strip()
        if len(value) >= 32:
            return value.encode("ascii")
    except FileNotFoundError:
        pass
    with _locked(p):  # one writer; a second process waits and then reads what the first wrote
        try:
            value = p.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            value = ""
        if len(value) < 32:
            value = secrets.token_hex(32)
            fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=p.parent)
            try:
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write(value + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, 0o600)
                os.replace(tmp, p)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            log.info("generated the session secret %s", p)
    return value.encode("ascii")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, _TOKEN_CONTEXT + body.encode("ascii"), hashlib.sha256).digest())


def _read_token(path: Path, token: object) -> dict[str, object] | None:
    """The payload of a well-formed token with a valid signature (expiry not checked), else None."""
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 1:
        return None
    body, sig = token.split(".")
    try:
        expected = _sign(session_secret(path), body)
    except (InputError, OSError):
        log.warning("no session secret: session cookies cannot be checked")
        return None
    if not hmac.compare_digest(expected, sig):
        return None
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(payload, dict) or not all(k in payload for k in ("u", "s", "e")):
        return None
    return payload


def issue_session(path: str | Path | None, username: str, *, ttl_s: float = SESSION_TTL_S, now: float | None = None) -> str:
    """Open a sign-in session for an account and return its signed token (the cookie's value).

    Parameters
    ----------
    path : str, pathlib.Path or None
        The credentials file; None for :func:`users_file_path`.
    username : str
        An existing account (checked by :func:`verify` first).
    ttl_s : float, keyword-only
        Lifetime in seconds.
    now : float, optional, keyword-only
        The current Unix time (tests); default ``time.time()``.

    Returns
    -------
    str
        ``<base64 payload>.<base64 HMAC-SHA256>``; the payload names the user, a random session id and the
        expiry (Unix seconds). It holds no password or hash.

    Raises
    ------
    gis.errors.InputError
        The account does not exist.
    """
    p = Path(path) if path is not None else users_file_path()
    name = _normalise_name(username)
    t_now = time.time() if now is None else float(now)
    expires = int(t_now + ttl_s)
    sid = secrets.token_urlsafe(18)
    secret = session_secret(p)
    with _locked(p):
        users = _load(p)
        entry = users.get(name)
        if entry is None:
            raise InputError(f"没有用户 {name}", f"no user named {name!r}")
        sessions = {k: int(v) for k, v in dict(entry.get("sessions") or {}).items() if isinstance(v, int | float) and v > t_now}
        sessions[sid] = expires
        if len(sessions) > MAX_SESSIONS_PER_USER:
            sessions = dict(sorted(sessions.items(), key=lambda kv: kv[1])[-MAX_SESSIONS_PER_USER:])
        entry["sessions"] = sessions
        _save(p, users)
    body = _b64(json.dumps({"u": name, "s": sid, "e": expires}, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_sign(secret, body)}"


def verify_session(path: str | Path | None, token: object, *, now: float | None = None) -> User | None:
    """The user a session token stands for, or None if it is forged, expired, revoked or malformed.

    Parameters
    ----------
    path : str, pathlib.Path or None
        The credentials file; None for :func:`users_file_path`.
    token : str
        The cookie's value.
    now : float, optional, keyword-only
        The current Unix time (tests); default ``time.time()``.

    Returns
    -------
    User or None
        The account with its *current* role from the users file.
    """
    p = Path(path) if path is not None else users_file_path()
    payload = _read_token(p, token)
    if payload is None:
        return None
    t_now = time.time() if now is None else float(now)
    try:
        expires = int(payload["e"])  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    if expires <= t_now:
        return None
    try:
        entry = _load(p).get(str(payload["u"]))
    except InputError:
        return None
    if entry is None:
        return None
    live = dict(entry.get("sessions") or {}).get(str(payload["s"]))
    if not isinstance(live, int | float) or live <= t_now:
        return None
    return User(str(payload["u"]), str(entry.get("role", "editor")))


def revoke_session(path: str | Path | None, token: object) -> bool:
    """End the session a token stands for (sign-out); return True when it was open.

    Parameters
    ----------
    path : str, pathlib.Path or None
        The credentials file; None for :func:`users_file_path`.
    token : str
        The cookie's value; a forged or malformed token revokes nothing.
    """
    p = Path(path) if path is not None else users_file_path()
    payload = _read_token(p, token)
    if payload is None:
        return False
    with _locked(p):
        users = _load(p)
        entry = users.get(str(payload["u"]))
        sessions = dict((entry or {}).get("sessions") or {})
        if str(payload["s"]) not in sessions:
            return False
        del sessions[str(payload["s"])]
        entry["sessions"] = sessions  # type: ignore[index]
        _save(p, users)
    return True


def revoke_all_sessions(path: str | Path | None, username: str) -> int:
    """End every session of one account (e.g. a lost laptop); return how many were open."""
    p = Path(path) if path is not None else users_file_path()
    name = _normalise_name(username)
    with _locked(p):
        users = _load(p)
        entry = users.get(name)
        if not entry or not entry.get("sessions"):
            return 0
        n = len(entry["sessions"])
        entry["sessions"] = {}
        _save(p, users)
    return n


def _read_new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码 / password: ")
    second = getpass.getpass("再输一次 / again: ")
    if first != second:
        raise InputError("两次输入的密码不一致", "the two passwords differ")
    return first


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m gis.users`` (also usable as a ``users`` sub-command of ``python -m gis``)."""
    parser = argparse.ArgumentParser(prog="python -m gis.users", description="编辑账号 / editor accounts")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``add`` / ``remove`` / ``list`` sub-commands to ``parser`` (sets ``users_func``)."""
    parser.add_argument("--file", help="credentials file (default $SSL_GIS_USERS_FILE or <data folder>/users.json)")
    sub = parser.add_subparsers(dest="users_command", required=True)
    p = sub.add_parser("add", help="add an account or set its password (prompted, never on the command line)")
    p.add_argument("name")
    p.add_argument("--role", choices=ROLES, default="editor")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.add_argument("--no-replace", action="store_true", help="refuse if the account exists")
    p.set_defaults(users_func=_cmd_add)
    p = sub.add_parser("remove", help="remove an account")
    p.add_argument("name")
    p.set_defaults(users_func=_cmd_remove)
    p = sub.add_parser("list", help="list accounts and roles")
    p.set_defaults(users_func=_cmd_list)
    p = sub.add_parser("signout", help="end every sign-in session of an account (all its browsers)")
    p.add_argument("name")
    p.set_defaults(users_func=_cmd_signout)


def _cmd_add(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else users_file_path()
    user = add_user(path, args.name, _read_new_password(args.password_stdin), role=args.role, replace=not args.no_replace)
    sys.stdout.write(f"已保存 / saved: {user.name} ({user.role}) → {path}\n")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else users_file_path()
    if not remove_user(path, args.name):
        raise InputError(f"没有用户 {args.name}", f"no user named {args.name!r}")
    sys.stdout.write(f"已删除 / removed: {args.name}\n")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else users_file_path()
    for user in list_users(path):
        sys.stdout.write(f"{user.name}\t{user.role}\n")
    return 0


def _cmd_signout(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else users_file_path()
    n = revoke_all_sessions(path, args.name)
    sys.stdout.write(f"已结束 {n} 个会话 / ended {n} sessions: {args.name}\n")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``users`` command; bad input becomes one bilingual line and exit code 1."""
    try:
        return int(args.users_func(args))
    except GisError as exc:
        sys.stderr.write(f"错误 / error: {exc.zh} / {exc.en}\n")
        return 1
    except (EOFError, KeyboardInterrupt):
        sys.stderr.write("已取消 / cancelled\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"错误 / error: 无法写入用户文件 / cannot write the users file: {exc.strerror or exc}\n")
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m gis.users``; returns 0, 1 (bad input) or 2 (bad usage)."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
