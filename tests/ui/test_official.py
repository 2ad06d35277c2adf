"""ui/official.py (data page: 导入正式数据) and ui/provenance.py (official / illustrative counts and filter)."""

from __future__ import annotations

import io
from pathlib import Path

from shapely.affinity import translate

from gis.store import open_store
from layers.registry import load_baseline
from tests.ui.conftest import open_page, sign_in, table_with


def _official_geojson() -> bytes:
    roads = load_baseline("road_links", derived=False).set_index("id").loc[["road-05", "road-06"]].reset_index().to_crs("EPSG:4547")
    roads = roads[["geometry"]].assign(道路名称=["联网路５号", "联网路６号"])
    roads["geometry"] = [translate(g, 0.0, 25.0) for g in roads.geometry]
    buf = io.BytesIO()
    roads.to_crs("EPSG:4326").to_file(buf, driver="GeoJSON")
    return buf.getvalue()


def test_a_viewer_is_asked_to_sign_in_and_sees_no_uploader(store_path: Path) -> None:
    at = open_page()
    at.switch_page("ui/page_data.py").run()
    assert not at.exception
    assert not [u for u in at.get("file_uploader") if u.key == "official_upload"]


def test_an_editor_previews_and_confirms_official_roads(store_path: Path) -> None:
    at = sign_in(open_page())
    at.switch_page("ui/page_data.py").run()
    at.file_uploader(key="official_upload").upload("联网路.geojson", _official_geojson(), "application/geo+json").run()
    at.selectbox(key="official_layer").set_value("road_links").run()
    assert not at.exception, [e.value for e in at.exception]
    table = table_with(at, "匹配方式")
    assert len(table) == 2 and set(table.iloc[:, 0]) == {"road-05", "road-06"}
    assert [m.value for m in at.metric][-3:] == ["2", "0", "36"]
    at.button(key="official_commit").click().run()  # no source stated: refused, nothing written
    assert any("source" in e.value or "来源" in e.value for e in at.error)
    assert bool(open_store(store_path).read_layer("road_links").set_index("id").loc["road-05", "illustrative"])
    at.file_uploader(key="official_upload").upload("联网路.geojson", _official_geojson(), "application/geo+json").run()
    at.text_input(key="official_source").input("东莞市交通运输局 2020-06").run()
    at.button(key="official_commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("2" in s.value for s in at.success)
    row = open_store(store_path).read_layer("road_links").set_index("id").loc["road-05"]
    assert not bool(row["illustrative"]) and row["source"] == "东莞市交通运输局 2020-06" and row["updated_by"] == "planner"


def test_roads_page_counts_and_filters_official_and_illustrative(store_path: Path) -> None:
    at = open_page()
    at.switch_page("ui/page_roads.py").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "正式 0 · 示意 38" in captions
    assert len(table_with(at, "长度 (km)")) == 18
    at.sidebar.radio(key="roads_provenance").set_value("official").run()
    assert not at.exception and len(table_with(at, "长度 (km)")) == 0
    at.sidebar.radio(key="roads_provenance").set_value("illustrative").run()
    assert len(table_with(at, "长度 (km)")) == 18


def test_map_and_land_pages_show_the_counts_of_their_layers(store_path: Path) -> None:
    at = open_page()
    at.switch_page("ui/page_map.py").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.sidebar.caption)
    tod = load_baseline("tod_stations", derived=False)
    official = int((tod["illustrative"] == False).sum())  # noqa: E712 - the checked real places (松山湖北站)
    assert official >= 1 and f"TOD/TID 站点：正式 {official} · 示意 {len(tod) - official}" in captions and "本页合计" in captions
    at.sidebar.radio(key="map_provenance").set_value("official").run()
    assert not at.exception
    at.switch_page("ui/page_land.py").run()
    at.sidebar.radio(key="land_provenance").set_value("official").run()
    assert not at.exception
    # every bundled parcel is illustrative: filtered to official, no table on the page lists one of them (the
    # board names parcels by name; unfiltered it lists all of them)
    parcels = set(load_baseline("land_actions", derived=False)["name_zh"].astype(str))
    shown = {str(v) for df in at.dataframe for col in df.value.columns for v in df.value[col].tolist()}
    assert not parcels & shown
