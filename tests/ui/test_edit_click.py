"""Under AppTest: a 保存 click is never lost to a rerun that interrupts its run, and never made twice.

A map on the page reports a new view when the layout changes, and that value reruns the page. If it comes
while the click's own run is going, Streamlit stops that run and starts the next one without the click. The
form's 保存 records the click (the id of the feature its form showed) in a callback, which Streamlit runs before
the page in the click's run; the editor takes it right before it writes the store.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gis import settings
from gis.store import open_store
from tests.ui.conftest import new_app, open_page, sign_in, stop_the_first_call


def _roads_editor(store_path: Path):  # noqa: ANN202 — AppTest
    at = sign_in(new_app().run())
    at.switch_page("ui/page_roads.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _stored(store_path: Path, fid: str) -> tuple[str, int]:
    row = open_store(store_path).read_layer("road_links").set_index("id").loc[fid]
    return str(row["status"]), int(row["version"])


def test_a_save_whose_run_was_interrupted_is_made_by_the_next_run_once(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _roads_editor(store_path)
    fid = at.selectbox(key="roads_edit_feature").value
    _, version = _stored(store_path, fid)
    # the race, made certain: the click's run is stopped by a new run request before it reaches the editor (as the
    # map's new view does), and the next run carries no click
    from ui import edit

    stops = stop_the_first_call(monkeypatch, edit, "status_editor")
    at.selectbox(key="roads_edit_status").set_value("completed")
    at.button(key="roads_edit_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert stops, "the click's run was not stopped: the test did not make the race"
    assert _stored(store_path, fid) == ("completed", version + 1)
    assert "roads_edit_save_requested" not in at.session_state
    at.run()  # any later run writes nothing again
    assert _stored(store_path, fid) == ("completed", version + 1)


def test_a_request_for_another_feature_than_the_form_shows_is_dropped(store_path: Path) -> None:
    at = _roads_editor(store_path)
    options = at.selectbox(key="roads_edit_feature").options
    fid = at.selectbox(key="roads_edit_feature").value
    other = next(o for o in at.selectbox(key="roads_edit_feature").options if o != fid)
    assert len(options) > 1
    before = _stored(store_path, fid)
    at.selectbox(key="roads_edit_status").set_value("completed")
    at.session_state["roads_edit_save_requested"] = (other, time.monotonic())
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _stored(store_path, fid) == before
    assert "roads_edit_save_requested" not in at.session_state


def test_a_request_left_when_editing_is_off_does_not_outlive_the_form(store_path: Path) -> None:
    # a request left by a stopped run while the page replays history is dropped, not made when editing returns
    at = _roads_editor(store_path)
    fid = at.selectbox(key="roads_edit_feature").value
    before = _stored(store_path, fid)
    at.selectbox(key="roads_edit_status").set_value("completed")
    at.session_state["roads_edit_save_requested"] = (fid, time.monotonic())
    at.sidebar.date_input(key="as_of").set_value(at.sidebar.date_input(key="as_of").min).run()
    assert "roads_edit_save_requested" not in at.session_state
    at.sidebar.date_input(key="as_of").set_value(at.sidebar.date_input(key="as_of").max).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _stored(store_path, fid) == before


def test_an_override_whose_run_was_interrupted_is_made_by_the_next_run(
    store_path: Path, colleague: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 覆盖为我的修改 after a refused edit: its click is recorded the same way, and applied once
    a = _roads_editor(store_path)
    fid = a.selectbox(key="roads_edit_feature").value
    b = open_page("ui/page_roads.py", user="colleague")
    b.selectbox(key="roads_edit_feature").set_value(fid).run()
    b.selectbox(key="roads_edit_status").set_value("delayed")
    b.button(key="roads_edit_save").click().run()
    _, v_b = _stored(store_path, fid)
    a.selectbox(key="roads_edit_status").set_value("completed")
    a = a.button(key="roads_edit_save").click().run()
    assert a.error and _stored(store_path, fid) == ("delayed", v_b)  # refused: the colleague's change is newer
    from ui import edit

    stops = stop_the_first_call(monkeypatch, edit, "status_editor")
    a = a.button(key="roads_edit_override").click().run()
    assert not a.exception, [e.value for e in a.exception]
    assert stops, "the click's run was not stopped: the test did not make the race"
    assert _stored(store_path, fid) == ("completed", v_b + 1)
    a.run()
    assert _stored(store_path, fid) == ("completed", v_b + 1)


def test_a_click_left_behind_longer_than_its_time_is_dropped(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the click's run is stopped and the next run comes after CLICK_RECORD_TTL_S (the planner went to another page
    # mid-click and came back): the old click is not acted on. The clock is moved, not waited for.
    at = _roads_editor(store_path)
    fid = at.selectbox(key="roads_edit_feature").value
    before = _stored(store_path, fid)
    from ui import edit

    class Clock:
        shift = 0.0

        def monotonic(self) -> float:
            return time.monotonic() + self.shift

    clock = Clock()
    monkeypatch.setattr(edit, "_clock", clock)

    def late() -> None:
        clock.shift = settings.CLICK_RECORD_TTL_S + 1

    stops = stop_the_first_call(monkeypatch, edit, "status_editor", before_stop=late)
    at.selectbox(key="roads_edit_status").set_value("completed")
    at.button(key="roads_edit_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert stops
    assert _stored(store_path, fid) == before
    assert "roads_edit_save_requested" not in at.session_state
