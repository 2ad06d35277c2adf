"""The app under Streamlit's AppTest: every page runs, and each page's widgets do what they say.

The map itself (st_folium) cannot be driven by AppTest; it is tested through its HTML (tests/gis/test_render.py,
test_map_layers_escape_data below) and in the real browser (tests/browser/).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gis import users
from tests.ui.conftest import EDITOR_PASSWORD, PROJECT, new_app, sign_in

PAGES = ["ui/page_map.py", "ui/page_roads.py", "ui/page_land.py", "ui/page_metrics.py", "ui/page_data.py"]


@pytest.fixture
def store_path(viewer_store_path: Path) -> Path:
    """A fresh working store (seeded from the bundled data on first use) and no users file: a viewer's app."""
    return viewer_store_path


@pytest.fixture
def editor(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The editor ``planner`` (password :data:`EDITOR_PASSWORD`) in the users file beside ``store_path``."""
    users.add_user(store_path.parent / "users.json", "planner", EDITOR_PASSWORD, rounds=4)
    monkeypatch.setattr(users, "_LIMITER", users.AttemptLimiter())
    return "planner"


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "text", "success", "warning", "error", "info", "caption", "header", "subheader", "metric"):
        for e in getattr(at, kind):
            parts.append(str(getattr(e, "value", "")))
            if kind == "metric":
                parts.append(str(e.label))
    return "\n".join(parts)


def test_every_page_runs_without_exception(store_path: Path) -> None:
    at = new_app().run()
    assert not at.exception, at.exception
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])


def test_every_page_runs_in_english(store_path: Path) -> None:
    at = new_app().run()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.query_params.get("lang") == ["en"] or at.query_params.get("lang") == "en"
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
    assert "Import and export" in _texts(at)


def test_map_page_widgets_drive_the_url(store_path: Path) -> None:
    at = new_app().run()
    layers_ms = at.pills(key="map_layers")
    assert "road_links" in layers_ms.value and "boundaries" in layers_ms.value
    layers_ms.set_value(["boundaries", "road_links"]).run()
    at.pills(key="map_statuses").set_value(["completed", "planned"]).run()
    at.selectbox(key="map_basemap").set_value("gaode_vector").run()
    assert not at.exception
    qp = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert qp["layers"] == "boundaries,road_links"
    assert set(qp["st"].split(",")) == {"completed", "planned"}
    assert qp["bm"] == "gaode_vector"


def test_map_page_reads_its_state_from_the_url(store_path: Path) -> None:
    at = new_app()
    at.query_params["layers"] = "water,substations"
    at.query_params["bm"] = "osm"
    at.query_params["sel"] = "<script>"  # unsafe characters: ignored, not shown
    at.run()
    assert not at.exception
    assert at.pills(key="map_layers").value == ["water", "substations"]
    assert at.selectbox(key="map_basemap").value == "osm"


def test_tianditu_without_key_says_what_is_missing(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_GIS_TIANDITU_KEY", raising=False)
    at = new_app().run()
    at.selectbox(key="map_basemap").set_value("tianditu_vector").run()
    assert not at.exception
    assert "SSL_GIS_TIANDITU_KEY" in _texts(at)
    at.text_input(key="tianditu_key").input("abc123").run()
    assert "SSL_GIS_TIANDITU_KEY" not in "\n".join(w.value for w in at.warning)


def test_search_selects_a_feature_and_shows_its_details(store_path: Path) -> None:
    at = new_app().run()
    at.text_input(key="map_search").input("sub-0").run()
    assert not at.exception
    pick = at.selectbox(key="map_search_pick")
    assert pick.value and pick.value.startswith("sub-")
    qp = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert qp["sel"] == pick.value
    text = _texts(at)
    assert "规划原文" in text  # the plan's sentence is shown with the details


def test_search_without_hits_says_so(store_path: Path) -> None:
    at = new_app().run()
    at.text_input(key="map_search").input("no-such-feature-xyz").run()
    assert "no-such-feature-xyz" in _texts(at)


def test_roads_page_shows_progress_and_is_read_only_for_viewers(store_path: Path) -> None:
    at = new_app().run()
    at.switch_page("ui/page_roads.py").run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert any(v.endswith("/ 18") for v in labels.values()), labels
    assert any(v.endswith("/ 4") for v in labels.values()), labels
    # the length's unit is in its label, the value is the two figures alone (a value with its unit was cut short)
    assert any(k.endswith("（km）") and re.fullmatch(r"\d+\.\d / \d+\.\d", v) for k, v in labels.items()), labels
    assert not [b for b in at.button if getattr(b, "key", "") == "roads_edit_save"]


def test_editor_changes_a_road_status_and_it_is_stored(store_path: Path, editor: str) -> None:
    at = new_app().run()
    at = sign_in(at)
    at.switch_page("ui/page_roads.py").run()
    assert not at.exception
    road = at.selectbox(key="roads_edit_feature").options[0]
    fid = at.selectbox(key="roads_edit_feature").value
    at.selectbox(key="roads_edit_status").set_value("completed")
    at.text_input(key="roads_edit_note").input("通车仪式")
    at.button(key="roads_edit_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert road
    from gis.store import open_store

    stored = open_store(store_path).read_layer("road_links").set_index("id")
    assert stored.loc[fid, "status"] == "completed"
    hist = open_store(store_path).history("road_links", fid)
    assert hist.iloc[-1]["user"] == "planner" and hist.iloc[-1]["note"] == "通车仪式"
    # the history picker shows it; a fresh session (a reload) still sees the change
    at2 = new_app().run()
    at2.switch_page("ui/page_roads.py").run()
    at2.selectbox(key="roads_history_pick").set_value(fid).run()
    assert not at2.exception
    assert any("通车仪式" in str(df.value.to_csv()) for df in at2.dataframe)
    history = next(df.value for df in at2.dataframe if "通车仪式" in str(df.value.to_csv()))
    assert {"时间（北京时间）", "修改人", "变更", "备注"} <= set(history.columns)  # headed in the UI's language
    # one row per edit (the store's bookkeeping rows folded in), the statuses in the layer's words
    edit_rows = history[history["备注"] == "通车仪式"]
    assert len(edit_rows) == 1 and edit_rows.iloc[0]["变更"].endswith("→ 通车"), edit_rows


def test_edits_land_in_a_shared_postgis_store_when_a_database_url_is_set(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gis import settings
    from gis.store import open_store

    monkeypatch.setenv("SSL_GIS_DATABASE_URL", pg_url)
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.chdir(PROJECT)
    users.add_user(tmp_path / "users.json", "planner", EDITOR_PASSWORD, rounds=4)
    monkeypatch.setattr(users, "_LIMITER", users.AttemptLimiter())
    at = sign_in(new_app().run())
    at.switch_page("ui/page_roads.py").run()
    fid = at.selectbox(key="roads_edit_feature").value
    at.selectbox(key="roads_edit_status").set_value("completed")
    at.text_input(key="roads_edit_note").input("共享库")
    at.button(key="roads_edit_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shared = open_store(pg_url)
    assert shared.read_layer("road_links").set_index("id").loc[fid, "status"] == "completed"
    assert shared.history("road_links", fid).iloc[-1]["note"] == "共享库"
    assert not settings.working_store_path().exists()  # nothing went to a private GeoPackage


def test_as_of_date_replays_history_and_disables_editing(store_path: Path, editor: str) -> None:
    at = sign_in(new_app().run())
    at.switch_page("ui/page_roads.py").run()
    fid = at.selectbox(key="roads_edit_feature").value
    at.selectbox(key="roads_edit_status").set_value("completed")
    at.button(key="roads_edit_save").click().run()
    opened_now = [m.value for m in at.metric][0]
    at.sidebar.date_input(key="as_of").set_value(date(2020, 3, 5)).run()
    assert not at.exception
    opened_then = [m.value for m in at.metric][0]
    assert opened_now != opened_then, (opened_now, opened_then, fid)
    assert "2020-03-05" in "\n".join(i.value for i in at.sidebar.info)
    assert not [b for b in at.button if getattr(b, "key", "") == "roads_edit_save"]


def _land_table(at: AppTest):
    return next(df.value for df in at.dataframe if "area_mu" not in df.value.columns and len(df.value.columns) >= 7)


def test_land_page_ledger_and_filters(store_path: Path) -> None:
    at = new_app().run()
    at.switch_page("ui/page_land.py").run()
    assert not at.exception
    values = " ".join(m.value for m in at.metric)
    assert "亩" in values and ("250" in values or "700" in values or "800" in values)
    before = _land_table(at)
    at.multiselect(key="land_filter_action").set_value(["reserve"]).run()
    after = _land_table(at)
    assert 0 < len(after) < len(before)


def test_metrics_radius_changes_the_covered_share(store_path: Path) -> None:
    at = new_app().run()
    at.switch_page("ui/page_metrics.py").run()
    assert not at.exception
    at.slider(key="metrics_radius").set_value(300).run()
    small = at.metric[0].value
    at.slider(key="metrics_radius").set_value(3000).run()
    big = at.metric[0].value
    assert not at.exception
    assert float(small.split()[0]) <= float(big.split()[0])
    assert small != big


def test_metrics_page_says_the_day_its_progress_figures_are_for(store_path: Path) -> None:
    # a planner who copies 计划进度 into a report needs the day it holds for: today, or the sidebar's earlier date
    at = new_app().run()
    at.switch_page("ui/page_metrics.py").run()
    captions = [c.value for c in at.caption]
    assert f"截至 {date.today().isoformat()}；与地图、联网路、土地各页的数字一致。" in captions, captions
    at.sidebar.date_input(key="as_of").set_value(date(2021, 6, 30)).run()
    assert "截至 2021-06-30；与地图、联网路、土地各页的数字一致。" in [c.value for c in at.caption]


def test_data_page_exports_geojson_that_reads_back(store_path: Path, tmp_path: Path) -> None:
    at = new_app().run()
    at.switch_page("ui/page_data.py").run()
    at.selectbox(key="data_export_layer").set_value("substations")
    at.selectbox(key="data_export_format").set_value("geojson")
    at.button(key="data_export_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    made = at.session_state["data_export_file"]
    out = tmp_path / made[0]
    out.write_bytes(made[1])
    import geopandas as gpd

    back = gpd.read_file(out)
    import layers

    assert sorted(back["id"]) == sorted(layers.load_baseline("substations")["id"])


def test_map_layers_escape_data(store_path: Path) -> None:
    """A store layer whose names carry markup reaches the map's script only as HTML-safe JSON data."""
    import geopandas as gpd
    from shapely.geometry import Point

    from gis.store import open_store

    evil = gpd.GeoDataFrame(
        {"id": ["x-1"], "name_zh": ["<img src=x onerror=alert(1)>"], "status": ["<script>"]},
        geometry=[Point(113.89, 22.93)], crs="EPSG:4326",
    )
    open_store(store_path).write_layer("evil", evil, user="test")
    at = new_app().run()
    assert "evil" in at.pills(key="map_layers").options
    from gis import layer_script
    from ui import mapview

    (layer,) = mapview.map_layers(["evil"])
    script = layer_script.layer_script(layer.geojson, "v")  # what the map's browser receives for the layer
    assert "<" not in script and ">" not in script  # markup only as HTML-safe JSON; drawn as text (browser test)
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in script


def test_map_says_on_screen_which_features_are_illustrative(store_path: Path) -> None:
    import layers

    at = new_app().run()
    assert not at.exception
    captions = "\n".join(c.value for c in at.caption)
    assert "示意位置" in captions and "不是测绘成果" in captions
    # the count on screen is the count in the data of the layers drawn by default
    drawn = [n for n in layers.names() if n in at.session_state["map_layers"]] if "map_layers" in at.session_state else layers.names()
    expected = sum(int(layers.load(n, store=store_path)["illustrative"].astype(bool).sum()) for n in drawn)
    assert f"有 {expected} 个为示意位置" in captions


def test_backup_is_for_editors_and_is_a_whole_store(store_path: Path, editor: str, tmp_path: Path) -> None:
    from gis.store import open_store

    viewer = new_app().run()
    viewer.switch_page("ui/page_data.py").run()
    assert not viewer.exception
    assert not [b for b in viewer.button if getattr(b, "key", "") == "backup_make"]
    at = sign_in(new_app().run())
    at.switch_page("ui/page_data.py").run()
    at.button(key="backup_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    name, payload = at.session_state["backup_file"]
    assert name.endswith(".gpkg")
    copy = tmp_path / "copy.gpkg"
    copy.write_bytes(payload)
    live = open_store(store_path)
    assert open_store(copy).layer_names() == live.layer_names()
    assert len(open_store(copy).history()) == len(live.history())


def test_data_page_exports_the_survey_txt_and_the_surveyor_pack(store_path: Path, tmp_path: Path) -> None:
    import zipfile

    import layers
    from gis.io import read_any

    at = new_app().run()
    at.switch_page("ui/page_data.py").run()
    at.selectbox(key="data_export_layer").set_value("land_actions")
    at.selectbox(key="data_export_format").set_value("survey-txt").run()
    at.checkbox(key="data_export_allow_illustrative").check().run()  # the bundled parcels are illustrative
    at.button(key="data_export_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    name, payload, _mime = at.session_state["data_export_file"]
    txt = tmp_path / name
    txt.write_bytes(payload)
    assert "[地块坐标]" in payload.decode("gb18030")
    parcels = layers.load_baseline("land_actions")
    polygons = parcels[parcels.geom_type.isin(["Polygon", "MultiPolygon"])]
    assert sorted(read_any(txt).gdf["id"]) == sorted(polygons["id"])
    at.selectbox(key="data_export_format").set_value("survey-pack")
    at.button(key="data_export_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    name, payload, _mime = at.session_state["data_export_file"]
    (tmp_path / name).write_bytes(payload)
    members = zipfile.ZipFile(tmp_path / name).namelist()
    assert any(m.endswith(".txt") and "README" not in m for m in members) and any(m.endswith(".dxf") for m in members)
