"""Shared set-up of the app's page tests: a working store in a temporary folder and one signed-up editor."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis import users

PROJECT = Path(__file__).resolve().parents[2]
#: The password of the editor ``planner`` made by :func:`store_path`.
EDITOR_PASSWORD = "s3cret-Pa55"


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working store path (not yet created) and a users file holding the editor ``planner``; cwd = project."""
    path = tmp_path / "working.gpkg"
    monkeypatch.setenv("SSL_GIS_STORE", str(path))
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.setenv("SSL_GIS_SESSION_SECRET", "test-only-session-secret-0123456789")
    monkeypatch.chdir(PROJECT)
    users.add_user(tmp_path / "users.json", "planner", EDITOR_PASSWORD, rounds=4)
    monkeypatch.setattr(users, "_LIMITER", users.AttemptLimiter())
    return path
