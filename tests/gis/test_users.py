"""gis.users: the credentials file (bcrypt, mode 0600), verification, bounded attempts, the CLI."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import bcrypt
import pytest

from gis import users
from gis.errors import InputError
from gis.users import AttemptLimiter, TooManyAttempts, User

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "private" / "users.json"


@pytest.fixture
def limiter() -> AttemptLimiter:
    return AttemptLimiter(max_failures=5, lockout_s=30.0, clock=FakeClock())


def test_file_is_private_and_holds_only_a_bcrypt_hash(path: Path) -> None:
    assert users.add_user(path, "planner", PASSWORD, rounds=4) == User("planner", "editor")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    stored = json.loads(text)["users"]["planner"]["hash"].encode()
    assert stored.startswith(b"$2b$04$")
    assert bcrypt.checkpw(PASSWORD.encode(), stored)
    # a second write (new password) keeps the mode
    users.add_user(path, "planner", PASSWORD + "!", rounds=4)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_verify(path: Path, limiter: AttemptLimiter) -> None:
    assert users.verify(path, "planner", PASSWORD, limiter=limiter) is None  # no file yet
    users.add_user(path, "planner", PASSWORD, rounds=4)
    users.add_user(path, "reader", PASSWORD, role="viewer", rounds=4)
    assert users.verify(path, "planner", PASSWORD, limiter=limiter) == User("planner", "editor")
    assert users.verify(path, "reader", PASSWORD, limiter=limiter) == User("reader", "viewer")
    assert not User("reader", "viewer").is_editor
    assert users.verify(path, "planner", PASSWORD.upper(), limiter=limiter) is None
    assert users.verify(path, "nobody", PASSWORD, limiter=limiter) is None
    assert users.verify(path, "", "", limiter=limiter) is None
    assert users.verify(path, "planner", "x" * 500, limiter=limiter) is None  # over bcrypt's 72 bytes
    assert users.verify(path, "../../etc/passwd", PASSWORD, limiter=limiter) is None
    assert users.list_users(path) == [User("planner", "editor"), User("reader", "viewer")]


def test_unknown_name_costs_a_bcrypt_check_too(path: Path, limiter: AttemptLimiter, monkeypatch: pytest.MonkeyPatch) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    calls: list[bytes] = []
    real = bcrypt.checkpw

    def spy(pw: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(pw, hashed)

    monkeypatch.setattr(users.bcrypt, "checkpw", spy)
    assert users.verify(path, "nobody", PASSWORD, limiter=limiter) is None
    assert len(calls) == 1 and calls[0][:7] == b"$2b$04$"  # a dummy hash of the same cost as the stored ones


@pytest.mark.parametrize(
    ("name", "password", "role", "words"),
    [
        ("", PASSWORD, "editor", ("用户名", "user name")),
        ("a b", PASSWORD, "editor", ("用户名", "user name")),
        ("x" * 65, PASSWORD, "editor", ("用户名", "user name")),
        ("../evil", PASSWORD, "editor", ("用户名", "user name")),
        ("planner", "short", "editor", ("密码", "at least")),
        ("planner", "密" * 30, "editor", ("72", "72 bytes")),
        ("planner", PASSWORD, "admin", ("角色", "unknown role")),
    ],
)
def test_bad_accounts_refused(path: Path, name: str, password: str, role: str, words: tuple[str, str]) -> None:
    with pytest.raises(InputError) as info:
        users.add_user(path, name, password, role=role, rounds=4)
    assert words[0] in info.value.zh and words[1] in info.value.en
    assert not path.exists()


def test_no_replace_and_remove(path: Path, limiter: AttemptLimiter) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    with pytest.raises(InputError, match="already exists"):
        users.add_user(path, "planner", "another-password", replace=False, rounds=4)
    assert users.remove_user(path, "planner") is True
    assert users.remove_user(path, "planner") is False
    assert users.verify(path, "planner", PASSWORD, limiter=limiter) is None
    assert not users.users_file_exists(path)


def test_attempts_are_bounded_then_delayed(path: Path) -> None:
    clock = FakeClock()
    lim = AttemptLimiter(max_failures=5, lockout_s=30.0, clock=clock)
    users.add_user(path, "planner", PASSWORD, rounds=4)
    for _ in range(5):
        assert users.verify(path, "planner", "wrong-password", limiter=lim) is None
    with pytest.raises(TooManyAttempts) as info:
        users.verify(path, "planner", PASSWORD, limiter=lim)  # even the right password waits
    assert info.value.retry_after_s == pytest.approx(30.0)
    assert "30" in info.value.zh and "30 s" in info.value.en
    # other names are not locked
    users.add_user(path, "surveyor", PASSWORD, rounds=4)
    assert users.verify(path, "surveyor", PASSWORD, limiter=lim) == User("surveyor")
    clock.now += 31
    assert users.verify(path, "planner", "wrong-again", limiter=lim) is None  # 6th failure: lock doubles
    assert lim.retry_after_s("planner") == pytest.approx(60.0)
    clock.now += 61
    assert users.verify(path, "planner", PASSWORD, limiter=lim) == User("planner")
    assert lim.retry_after_s("planner") == 0.0
    for _ in range(4):  # a success forgets earlier failures
        users.verify(path, "planner", "wrong-password", limiter=lim)
    assert users.verify(path, "planner", PASSWORD, limiter=lim) == User("planner")


def test_password_never_logged(path: Path, limiter: AttemptLimiter, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    users.add_user(path, "planner", PASSWORD, rounds=4)
    users.verify(path, "planner", PASSWORD, limiter=limiter)
    users.verify(path, "planner", PASSWORD + "x", limiter=limiter)
    assert caplog.records
    assert all(PASSWORD not in r.getMessage() for r in caplog.records)


def test_damaged_file(path: Path, limiter: AttemptLimiter) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert users.verify(path, "planner", PASSWORD, limiter=limiter) is None
    assert not users.users_file_exists(path)
    with pytest.raises(InputError, match="damaged"):
        users.add_user(path, "planner", PASSWORD, rounds=4)
    assert path.read_text(encoding="utf-8") == "{not json"  # not overwritten


def test_concurrent_adds_keep_every_account(path: Path) -> None:
    names = [f"user{i}" for i in range(6)]
    threads = [threading.Thread(target=users.add_user, args=(path, n, PASSWORD), kwargs={"rounds": 4}) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [u.name for u in users.list_users(path)] == names


def test_default_path_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_GIS_USERS_FILE", raising=False)
    monkeypatch.setenv("SSL_GIS_DATA_DIR", str(tmp_path / "data"))
    assert users.users_file_path() == tmp_path / "data" / "users.json"
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "elsewhere.json"))
    assert users.users_file_path() == tmp_path / "elsewhere.json"


def _cli(args: list[str], env_file: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SSL_GIS_USERS_FILE": str(env_file), "PYTHONPATH": str(PROJECT)}
    return subprocess.run(
        [sys.executable, "-m", "gis.users", *args], input=stdin, capture_output=True, text=True, env=env, cwd=PROJECT, timeout=60
    )


def test_cli_add_list_remove(path: Path, limiter: AttemptLimiter) -> None:
    done = _cli(["add", "planner", "--password-stdin"], path, stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert users.verify(path, "planner", PASSWORD, limiter=limiter) == User("planner")
    assert _cli(["list"], path).stdout.split() == ["planner", "editor"]
    bad = _cli(["add", "bad name", "--password-stdin"], path, stdin=PASSWORD + "\n")
    assert bad.returncode == 1 and "user name" in bad.stderr and "Traceback" not in bad.stderr
    assert _cli(["remove", "planner"], path).returncode == 0
    assert _cli(["remove", "planner"], path).returncode == 1


def test_cli_takes_no_password_argument(path: Path) -> None:
    done = _cli(["add", "planner", "--password", PASSWORD], path)
    assert done.returncode == 2
    assert not path.exists()


def test_cli_prompts_twice(path: Path, monkeypatch: pytest.MonkeyPatch, limiter: AttemptLimiter) -> None:
    answers = iter([PASSWORD, PASSWORD + "typo"])
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": next(answers))
    assert users.main(["--file", str(path), "add", "planner"]) == 1  # the two entries differ
    assert not path.exists()
    answers = iter([PASSWORD, PASSWORD])
    assert users.main(["--file", str(path), "add", "planner"]) == 0
    assert users.verify(path, "planner", PASSWORD, limiter=limiter) == User("planner")


def test_users_subcommand_mounts_in_the_gis_parser(path: Path, limiter: AttemptLimiter, monkeypatch: pytest.MonkeyPatch) -> None:
    """The snippet proposed for gis/cli.py: ``python -m gis users add NAME`` runs the same code."""
    import argparse
    import io

    parser = argparse.ArgumentParser(prog="python -m gis")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("users", help="editor accounts")
    users.add_arguments(p)
    p.set_defaults(func=users.run)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    args = parser.parse_args(["users", "--file", str(path), "add", "planner", "--password-stdin"])
    assert args.func(args) == 0
    assert users.verify(path, "planner", PASSWORD, limiter=limiter) == User("planner")


# --- failed sign-ins keyed by (name, client), with a per-name ceiling ------------------------------------


def test_one_client_cannot_lock_the_name_for_another(path: Path) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    clock = FakeClock()
    lim = AttemptLimiter(max_failures=5, lockout_s=30.0, clock=clock)
    ceiling = AttemptLimiter(max_failures=12, lockout_s=30.0, clock=clock, window_s=3600.0)
    for _ in range(5):
        assert users.verify(path, "planner", "wrong", limiter=lim, ceiling=ceiling, client="203.0.113.66") is None
    with pytest.raises(TooManyAttempts):
        users.verify(path, "planner", PASSWORD, limiter=lim, ceiling=ceiling, client="203.0.113.66")
    # the owner, on another client, signs in at once
    assert users.verify(path, "planner", PASSWORD, limiter=lim, ceiling=ceiling, client="192.0.2.7") == User("planner")
    # a guess spread over many clients still meets the per-name ceiling
    for i in range(7):
        users.verify(path, "planner", "wrong", limiter=lim, ceiling=ceiling, client=f"198.51.100.{i}")
    with pytest.raises(TooManyAttempts):
        users.verify(path, "planner", PASSWORD, limiter=lim, ceiling=ceiling, client="192.0.2.7")
    # the ceiling forgets failures older than its window
    clock.now += 3600 + 1000
    assert users.verify(path, "planner", PASSWORD, limiter=lim, ceiling=ceiling, client="192.0.2.7") == User("planner")


def test_default_ceiling_is_far_above_the_per_client_bound() -> None:
    assert users.MAX_FAILED_ATTEMPTS_PER_NAME >= 10 * users.MAX_FAILED_ATTEMPTS


# --- sessions ----------------------------------------------------------------------------------------------


@pytest.fixture
def no_env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_GIS_SESSION_SECRET", raising=False)


def test_session_secret_is_generated_once_and_private(path: Path, no_env_secret: None) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    first = users.session_secret(path)
    secret_file = path.with_name("session_secret")
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(first) >= 64 and users.session_secret(path) == first
    assert first.decode() not in path.read_text()  # not in the users file


def test_session_secret_from_the_environment(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_GIS_SESSION_SECRET", "e" * 40)
    assert users.session_secret(path) == b"e" * 40
    assert not path.with_name("session_secret").exists()
    monkeypatch.setenv("SSL_GIS_SESSION_SECRET", "short")
    with pytest.raises(InputError):
        users.session_secret(path)


def test_session_token_round_trip_expiry_and_revocation(path: Path, no_env_secret: None) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    users.add_user(path, "reader", PASSWORD, role="viewer", rounds=4)
    now = 2_000_000_000.0
    token = users.issue_session(path, "planner", ttl_s=600, now=now)
    assert PASSWORD not in token and "$2b$" not in token
    assert users.verify_session(path, token, now=now + 1) == User("planner", "editor")
    assert users.verify_session(path, token, now=now + 601) is None  # expired
    assert users.verify_session(path, users.issue_session(path, "reader", now=now), now=now) == User("reader", "viewer")
    # a second browser has its own session; signing out one leaves the other
    other = users.issue_session(path, "planner", ttl_s=600, now=now)
    assert users.revoke_session(path, token) is True
    assert users.verify_session(path, token, now=now + 1) is None
    assert users.verify_session(path, other, now=now + 1) == User("planner")
    assert users.revoke_session(path, token) is False
    assert users.revoke_all_sessions(path, "planner") == 1
    assert users.verify_session(path, other, now=now + 1) is None
    with pytest.raises(InputError):
        users.issue_session(path, "nobody")


def test_forged_tokens_are_refused(path: Path, no_env_secret: None) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    token = users.issue_session(path, "planner")
    body, sig = token.split(".")
    for bad in ("", "a.b", "a.b.c", token + "x", f"{body}.{sig[::-1]}", "x" * 10_000, None, 42, f"{body[:-2]}AA.{sig}"):
        assert users.verify_session(path, bad) is None
        assert users.revoke_session(path, bad) is False
    # a token signed with another server's secret is refused
    path.with_name("session_secret").write_text("f" * 64)
    assert users.verify_session(path, token) is None


def test_new_password_or_removal_ends_every_session(path: Path, no_env_secret: None) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    token = users.issue_session(path, "planner")
    users.add_user(path, "planner", "another-Pa55word", rounds=4)
    assert users.verify_session(path, token) is None
    token = users.issue_session(path, "planner")
    users.remove_user(path, "planner")
    assert users.verify_session(path, token) is None


def test_role_comes_from_the_file_not_the_token(path: Path, no_env_secret: None) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    token = users.issue_session(path, "planner")
    doc = json.loads(path.read_text())
    doc["users"]["planner"]["role"] = "viewer"
    path.write_text(json.dumps(doc))
    assert users.verify_session(path, token) == User("planner", "viewer")


def test_cli_signout_ends_sessions(path: Path, no_env_secret: None) -> None:
    users.add_user(path, "planner", PASSWORD, rounds=4)
    token = users.issue_session(path, "planner")
    assert users.main(["--file", str(path), "signout", "planner"]) == 0
    assert users.verify_session(path, token) is None
