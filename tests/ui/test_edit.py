"""ui.edit under AppTest: a stale edit is refused with the newer value kept on screen; every tracked layer is editable.

Two AppTest sessions on one working store stand for two editors in two browsers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gis.store import open_store
from tests.ui.conftest import assert_no_exception, open_page


def _signed_in(name: str, page: str = "ui/page_roads.py") -> AppTest:
    at = open_page(page, user=name)
    assert_no_exception(at)
    return at


def _save(at: AppTest, prefix: str, status: str, note: str) -> AppTest:
    at.selectbox(key=f"{prefix}_status").set_value(status)
    at.text_input(key=f"{prefix}_note").input(note)
    return at.button(key=f"{prefix}_save").click().run()


def test_stale_edit_is_refused_and_the_users_change_is_kept(store_path: Path, colleague: str) -> None:
    a = _signed_in("planner")
    fid = a.selectbox(key="roads_edit_feature").value  # A opens the form on this road at version 1
    b = _signed_in("colleague")
    b.selectbox(key="roads_edit_feature").set_value(fid).run()
    b = _save(b, "roads_edit", "delayed", "征地未完成")
    assert not b.exception
    store = open_store(store_path)
    v_b = int(store.read_layer("road_links").set_index("id").loc[fid, "version"])

    a = _save(a, "roads_edit", "completed", "通车仪式")
    assert not a.exception, [e.value for e in a.exception]
    row = open_store(store_path).read_layer("road_links").set_index("id").loc[fid]
    assert row["status"] == "delayed" and int(row["version"]) == v_b  # B's change is not lost
    errors = "\n".join(e.value for e in a.error)
    assert "colleague" in errors and "滞后" in errors and f"第 {v_b} 版" in errors, errors
    # A's intended change is still on screen, ready to retry
    assert a.selectbox(key="roads_edit_status").value == "completed"
    assert a.text_input(key="roads_edit_note").value == "通车仪式"
    assert not a.success

    # saving again without choosing is refused again; "apply my change on top" saves it over B's
    a = a.button(key="roads_edit_save").click().run()
    assert open_store(store_path).read_layer("road_links").set_index("id").loc[fid, "status"] == "delayed"
    a = a.button(key="roads_edit_override").click().run()
    assert not a.exception
    row = open_store(store_path).read_layer("road_links").set_index("id").loc[fid]
    assert row["status"] == "completed" and int(row["version"]) == v_b + 1
    hist = open_store(store_path).history("road_links", fid)
    hist = hist[hist["field"] == "status"]
    assert list(hist["user"].iloc[-2:]) == ["colleague", "planner"]
    assert list(hist["new"].iloc[-2:]) == ["delayed", "completed"]
    assert hist.iloc[-1]["note"] == "通车仪式"
    assert a.success and not a.error


def test_discard_reloads_the_newer_version(store_path: Path, colleague: str) -> None:
    a = _signed_in("planner")
    fid = a.selectbox(key="roads_edit_feature").value
    b = _signed_in("colleague")
    b.selectbox(key="roads_edit_feature").set_value(fid).run()
    _save(b, "roads_edit", "delayed", "")
    a = _save(a, "roads_edit", "completed", "")
    assert a.error
    a = a.button(key="roads_edit_discard").click().run()
    assert not a.error and not a.exception
    a = _save(a, "roads_edit", "under_construction", "看过同事的修改")  # now built on the version shown
    assert not a.exception and not a.error
    assert open_store(store_path).read_layer("road_links").set_index("id").loc[fid, "status"] == "under_construction"


def test_land_form_refuses_a_stale_edit_too(store_path: Path, colleague: str) -> None:
    a = _signed_in("planner", "ui/page_land.py")
    fid = a.selectbox(key="land_edit_feature").value
    b = _signed_in("colleague", "ui/page_land.py")
    b.selectbox(key="land_edit_feature").set_value(fid).run()
    _save(b, "land_edit", "delayed", "")
    a = _save(a, "land_edit", "completed", "")
    assert "colleague" in "\n".join(e.value for e in a.error)
    assert open_store(store_path).read_layer("land_actions").set_index("id").loc[fid, "status"] == "delayed"


def _first_id(layer: str, role: str = "plan_item") -> str:
    import layers

    gdf = layers.load_baseline(layer, derived=False)
    return str(gdf.loc[gdf["role"] == role, "id"].iloc[0])


@pytest.mark.parametrize("layer", ["substations", "tod_stations", "facilities", "platforms", "sub_parks"])
def test_every_tracked_layer_is_editable_from_the_map_details(store_path: Path, colleague: str, layer: str) -> None:
    import layers

    fid = _first_id(layer)
    spec = layers.spec(layer)
    a = _signed_in("planner", "ui/page_map.py")
    a.query_params["sel"] = fid
    a.run()
    assert not a.exception, [e.value for e in a.exception]
    status_box = a.selectbox(key="map_edit_status")
    assert list(status_box.options) and len(status_box.options) == len(spec.statuses)  # the layer's own statuses
    target = next(s for s in reversed(spec.statuses) if s != a.selectbox(key="map_edit_status").value)
    a = _save(a, "map_edit", target, "地图上修改")
    assert not a.exception and not a.error, [e.value for e in a.error]
    row = open_store(store_path).read_layer(layer).set_index("id").loc[fid]
    assert row["status"] == target


def test_map_details_editor_refuses_a_stale_edit(store_path: Path, colleague: str) -> None:
    fid = _first_id("substations")
    a = _signed_in("planner", "ui/page_map.py")
    a.query_params["sel"] = fid
    a.run()
    b = _signed_in("colleague", "ui/page_map.py")
    b.query_params["sel"] = fid
    b.run()
    _save(b, "map_edit", "delayed", "")
    a = _save(a, "map_edit", "cancelled", "")
    assert "colleague" in "\n".join(e.value for e in a.error)
    assert open_store(store_path).read_layer("substations").set_index("id").loc[fid, "status"] == "delayed"


@pytest.mark.parametrize("layer", ["boundaries", "water"])
def test_context_features_are_not_editable(store_path: Path, colleague: str, layer: str) -> None:
    a = _signed_in("planner", "ui/page_map.py")
    a.query_params["sel"] = _first_id(layer, role="context")
    a.run()
    assert not a.exception
    assert not [b for b in a.button if getattr(b, "key", "") == "map_edit_save"]
    assert "不可编辑" in "\n".join(c.value for c in a.caption)


def test_role_field_decides_what_is_context() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from ui.edit import editable_features

    gdf = gpd.GeoDataFrame(
        {
            "id": ["a-01", "a-02", "a-03"],
            "status": ["planned"] * 3,
            "version": [1, 1, 1],
            "role": ["plan_item", "context", None],
        },
        geometry=[Point(113.9, 22.9)] * 3,
        crs="EPSG:4326",
    )
    assert list(editable_features("substations", gdf)["id"]) == ["a-01", "a-03"]
    # boundaries and water are context unless a feature says it is a plan item
    assert list(editable_features("water", gdf)["id"]) == ["a-01"]
    assert editable_features("water", gdf.drop(columns="role")).empty
