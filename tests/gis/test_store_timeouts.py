"""The PostGIS store's timeouts are short and come from gis.settings (issue 17: a hung database took 10–12 s)."""

from __future__ import annotations

import pytest

from gis import settings

pytest.importorskip("psycopg")


def test_connection_string_carries_the_settings_timeouts():
    from psycopg import conninfo

    from gis.store._pg import parse_url

    params = conninfo.conninfo_to_dict(parse_url("postgresql://planner@db-host:5432/gis").conninfo)
    assert int(params["connect_timeout"]) == settings.DATABASE_CONNECT_TIMEOUT_S <= 5
    assert f"statement_timeout={settings.DATABASE_STATEMENT_TIMEOUT_S * 1000}" in params["options"]
    assert "lock_timeout=" in params["options"] and "TimeZone=UTC" in params["options"]


def test_a_url_may_still_ask_for_its_own_connect_timeout():
    from psycopg import conninfo

    from gis.store._pg import parse_url

    params = conninfo.conninfo_to_dict(parse_url("postgresql://planner@db-host/gis?connect_timeout=7").conninfo)
    assert params["connect_timeout"] == "7"
