"""Under AppTest: 出图 on the map page prints the sidebar's plan year (issue 16), as the map shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_2021 import accept_2021, seeded_store

from tests.ui.conftest import new_app

PLAN_2021 = "松山湖高新区2021年工作计划\n(一)聚焦产城融合。\n一要着力优化交通。上半年建成松湖智谷公交首末站。\n"


@pytest.fixture
def made(viewer_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """A store with one placed 2021 item; the keyword options of every sheet the panel asks for."""
    picks = {"上半年建成松湖智谷公交首末站": {"lon": 113.885, "lat": 22.915}}
    assert accept_2021(seeded_store(viewer_store_path), PLAN_2021, picks)["added"] == ["plan-2021-001"]
    from layers.print_map import print_frames
    from ui import print_panel

    calls: list[dict] = []

    def spy(names, **options):
        calls.append({"names": list(names), **options})
        frames, *_ = print_frames(names, statuses=options["statuses"], as_of=options["as_of"], year=options["year"])
        calls[-1]["ids"] = {str(i) for gdf, _ in frames for i in gdf["id"]}
        return b"%PDF-1.4 test" if options.get("fmt") == "pdf" else b"\x89PNG test"

    monkeypatch.setattr(print_panel, "print_map", spy)
    return calls


@pytest.mark.parametrize(("year", "printed"), [("2020", False), ("2021", True), ("all", True)])
def test_the_sheet_prints_the_chosen_years_items(made: list[dict], year: str, printed: bool) -> None:
    at = new_app(query={} if year == "all" else {"year": year}).run()
    assert not at.exception, [e.value for e in at.exception]
    at = at.button(key="map_print_make").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert made and made[-1]["year"] == (None if year == "all" else int(year))
    assert "plan_items" in made[-1]["names"]  # the layer is shown; its 2021 item is printed only with 2021 or all
    assert ("plan-2021-001" in made[-1]["ids"]) is printed
