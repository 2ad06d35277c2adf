"""One computation, the same numbers everywhere: CLI JSON, the API and the pages, at past dates, after back-dated edits.

A working store is seeded from the bundled plan, then random (seeded, so repeatable) back-dated status edits
are made — link roads opened, land parcels completed, substations sited or started, bus stops built, a TOD
station cancelled. For several dates, ``python -m layers metrics --json --date D`` (a subprocess reading the store
through the environment, as a user runs it), :func:`layers.progress.plan_progress` and the figures the app's
metrics, roads and land pages show (AppTest, with the sidebar's as-of date) must agree; and the figures must
reflect exactly the edits made on or before D.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

import layers
from layers.progress import plan_progress

PROJECT = Path(__file__).resolve().parents[2]
DATES = [date(2020, 3, 4), date(2020, 6, 1), date(2020, 9, 15), date(2021, 1, 1)]


def _edits(store: Any, seed: int = 20200304) -> list[dict]:
    """Random back-dated edits of features that were not done at baseline; returns what was done when."""
    rng = random.Random(seed)
    plan: list[tuple[str, str, str]] = []  # (layer, id, new status)
    roads = store.read_layer("road_links")
    links = roads.loc[(roads["kind"] == "link_road") & (roads["status"] != "completed"), "id"].tolist()
    plan += [("road_links", i, "completed") for i in rng.sample(links, 6)]
    land = store.read_layer("land_actions")
    parcels = land.loc[land["action"].isin(["reserve", "consolidation"]) & (land["status"] != "completed"), "id"].tolist()
    plan += [("land_actions", i, "completed") for i in rng.sample(parcels, 3)]
    subs = store.read_layer("substations")
    sited = subs.loc[subs["stage"] == "site_selection", "id"].tolist()
    plan += [("substations", i, "site_selected") for i in rng.sample(sited, 3)]
    plan += [("substations", i, "under_construction") for i in subs.loc[subs["stage"] == "construction_start", "id"].tolist()[:1]]
    fac = store.read_layer("facilities")
    stops = fac.loc[(fac["kind"] == "bus_stop") & (fac["status"] != "completed"), "id"].tolist()
    plan += [("facilities", i, "completed") for i in rng.sample(stops, 4)]
    tod = store.read_layer("tod_stations")
    plan.append(("tod_stations", str(tod.loc[tod["kind"] == "tod", "id"].iloc[0]), "cancelled"))
    start = date(2020, 3, 5).toordinal()
    span = date(2020, 12, 20).toordinal() - start
    done = []
    for layer, fid, status in plan:
        day = date.fromordinal(start + rng.randrange(span))
        version = int(store.read_layer(layer).set_index("id").loc[fid, "version"])
        store.update_feature(layer, fid, {"status": status}, expected_version=version, user="tester",
                             note="回溯测试", when=datetime.combine(day, time(12, 0), tzinfo=UTC))
        done.append({"layer": layer, "id": fid, "status": status, "day": day})
    return done


def _cli(env: dict[str, str], day: date) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "layers", "metrics", "--json", "--date", day.isoformat()],
        cwd=PROJECT, env={**os.environ, **env}, capture_output=True, text=True, timeout=600, check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def _roundtrip(doc: dict) -> dict:
    return json.loads(json.dumps(doc, ensure_ascii=False, default=str, allow_nan=False))


@pytest.fixture(params=["gpkg", "postgis"])
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Any, dict[str, str], list[dict]]:
    """A seeded store with back-dated edits, and the environment that points the CLI at it."""
    from gis.store import open_store

    if request.param == "gpkg":
        location: str = str(tmp_path / "working.gpkg")
        env = {"SSL_GIS_STORE": location, "SSL_GIS_DATA_DIR": str(tmp_path)}
        store = open_store(Path(location))
    else:
        location = request.getfixturevalue("pg_url")
        env = {"SSL_GIS_DATABASE_URL": location, "SSL_GIS_DATA_DIR": str(tmp_path)}
        store = open_store(location)
    layers.seed_store(store)
    return store, env, _edits(store)


def _expected_count(edits: list[dict], layer: str, status: str, day: date) -> int:
    return sum(1 for e in edits if e["layer"] == layer and e["status"] == status and e["day"] <= day)


def test_cli_json_equals_the_api_at_every_date_and_replays_the_edits(seeded) -> None:
    store, env, edits = seeded
    base = plan_progress(store=store, as_of=date(2020, 3, 4))
    base_opened = base["roads"]["opened"]
    base_targets = {t["key"]: t["achieved"] for t in base["targets"]}
    for day in DATES:
        api = plan_progress(store=store, as_of=day)
        cli = _cli(env, day)
        assert cli == _roundtrip(api), day
        assert cli["source"] == "store" and cli["as_of"] == day.isoformat()
        # the figures hold exactly the edits made on or before the day
        assert cli["roads"]["opened"] == base_opened + _expected_count(edits, "road_links", "completed", day), day
        targets = {t["key"]: t for t in cli["targets"]}
        sited = _expected_count(edits, "substations", "site_selected", day)
        assert (targets["substations_110kv_sited"]["achieved"] + targets["substations_220kv_sited"]["achieved"]
                == base_targets["substations_110kv_sited"] + base_targets["substations_220kv_sited"] + sited), day
        assert cli["substations"]["progress"]["substations_110kv_sited"]["done"] == targets["substations_110kv_sited"]["achieved"]
        assert targets["bus_stops"]["achieved"] == base_targets["bus_stops"] + _expected_count(edits, "facilities", "completed", day)
        tod = [e for e in edits if e["layer"] == "tod_stations"][0]
        stations = cli["coverage"]["tod_station"]["facilities"]
        assert stations == (2 if tod["day"] <= day else 3), (day, tod)  # a cancelled station serves no one


def _metric(at: Any, label: str) -> str:
    hits = [m.value for m in at.metric if str(m.label).startswith(label)]
    assert hits, (label, [m.label for m in at.metric])
    return str(hits[0])


def test_pages_show_the_shared_numbers_at_past_dates(seeded, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params.get("seeded") != "gpkg":
        pytest.skip("the pages are checked on the GeoPackage store; the CLI/API parity covers PostGIS")
    from streamlit.testing.v1 import AppTest

    store, env, _edits_made = seeded
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(Path(env["SSL_GIS_DATA_DIR"]) / "users.json"))
    monkeypatch.chdir(PROJECT)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=180).run()
    for day in (date(2020, 6, 1), date(2021, 1, 1)):
        cli = _cli(env, day)
        at.sidebar.date_input(key="as_of").set_value(day).run()
        at.switch_page("ui/page_metrics.py").run()
        assert not at.exception, [e.value for e in at.exception]
        s = cli["schedule"]
        assert [_metric(at, lab) for lab in ("计划事项", "已完成", "持续推进", "逾期事项", "背景要素")] == [
            str(s["items"]), str(s["done"]), str(s["ongoing"]), str(s["overdue"]), str(s["context"])]
        for key, row in cli["substations"]["progress"].items():
            label = {"substations_220kv_sited": "220 kV 完成选址", "substations_110kv_sited": "110 kV 完成选址",
                     "substations_110kv_started": "110 kV 动工"}[key]
            assert _metric(at, label) == f"{row['done']} / {row['target'] or 0:.0f}"
        table = next(df.value for df in at.dataframe if "已达成" in df.value.columns)
        shown = [None if v != v else v for v in table["已达成"].tolist()]  # NaN → None
        assert shown == [round(t["achieved"], 2) if t["measured"] else None for t in cli["targets"]]
        at.slider(key="metrics_radius").set_value(800).run()  # a TOD distance the CLI computes too
        radius = 800
        assert _metric(at, "覆盖面积比例") == f"{cli['coverage']['tod_station']['radii'][f'{radius:g}']['covered_share'] * 100:.1f} %"
        at.switch_page("ui/page_roads.py").run()
        r = cli["roads"]
        assert at.metric[0].value == f"{r['opened']} / {r['target'] or 18:.0f}"
        assert at.metric[1].value == f"{r['opened_km']:.1f} / {r['total_km']:.1f}"
        assert at.metric[1].label.endswith("（km）")
        at.switch_page("ui/page_land.py").run()
        land = cli["land"]
        assert [m.value for m in at.metric[:3]] == [
            f"{land[a]['done_mu']:,.1f} / {land[a]['target_mu']:,.0f} 亩" for a in ("consolidation", "reserve", "revitalisation")]
