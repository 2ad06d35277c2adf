"""Under AppTest: a click on 出图's 生成 is never lost to a rerun that interrupts its run.

The map reports a new view (its bounds) when the page's layout changes, and that value reruns the page. If it
comes while the click's own run is going, Streamlit stops that run and starts the next one without the click.
The button records the click in a callback (which Streamlit runs before the page, in the click's run), and the
panel makes the sheet in the first run that reaches it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import new_app, stop_the_first_call


@pytest.fixture
def sheets(viewer_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every sheet format the panel asks ``print_map`` for, in order (the drawing itself is not under test)."""
    from ui import print_panel

    made: list[str] = []

    def fake(names, *, fmt, **options):  # noqa: ANN001, ANN202, ARG001 — print_map's signature
        made.append(fmt)
        return b"%PDF-1.4 test" if fmt == "pdf" else b"\x89PNG test"

    monkeypatch.setattr(print_panel, "print_map", fake)
    return made


def test_a_click_makes_both_files_once(sheets: list[str]) -> None:
    at = new_app().run()
    at = at.button(key="map_print_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert sheets == ["pdf", "png"]
    assert at.session_state["map_print_files"]["paper"] == "A4"
    assert not at.session_state["map_print_requested"]
    at.run()  # a later run (the map moved) makes nothing again
    assert sheets == ["pdf", "png"]


def test_a_click_whose_run_was_interrupted_is_made_by_the_next_run(
    sheets: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the race, made certain: the click's run is stopped by a new run request before it reaches the panel (as the
    # map's new view does), and the next run carries no click
    from ui import print_panel

    stops = stop_the_first_call(monkeypatch, print_panel, "show")
    at = new_app().run()
    at = at.button(key="map_print_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert stops, "the click's run was not stopped: the test did not make the race"
    assert sheets == ["pdf", "png"]
    assert "map_print_files" in at.session_state
    assert not at.session_state["map_print_requested"]
