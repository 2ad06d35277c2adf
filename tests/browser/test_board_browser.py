"""The 联网路 board in Chromium at 1280 × 800 (issue 13 item 2): all 18 roads and the 最后变更 column at a glance.

Streamlit draws tables on a canvas (glide-data-grid) and mirrors them in an accessible DOM table; the rows and
headers are read from that mirror, the sizes from the element boxes. The screenshot is the viewport as a
planner sees it, without scrolling (tests/browser/artefacts/08-roads-board.png).
"""

from __future__ import annotations

import pytest

from .conftest import ARTEFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

_BOARD = "[data-testid='stDataFrame']"


def test_roads_board_shows_all_18_and_the_last_change_without_scrolling(app, page) -> None:
    page.goto(app.url + "/roads")
    page.locator(_BOARD).first.wait_for(timeout=90000)
    page.locator(f"{_BOARD} table tbody tr").nth(17).wait_for(state="attached", timeout=30000)
    page.wait_for_timeout(1500)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "08-roads-board.png"))  # the 1280 × 800 viewport, not the full page

    board = page.locator(_BOARD).first
    heads = board.locator("table thead th").all_text_contents()
    assert "最后变更" in heads and "修改人" in heads and "逾期天数" in heads, heads
    assert board.locator("table tbody tr").count() == 18
    box = board.bounding_box()
    assert box is not None
    # the whole board inside the 1280 × 800 viewport, the page not scrolled
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
    assert page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop") == 0
    # and nothing to scroll inside the table: every row and every column is drawn
    sizes = page.evaluate(
        f"() => {{ const s = document.querySelector(\"{_BOARD} .dvn-scroller\");"
        " return [s.scrollHeight, s.clientHeight, s.scrollWidth, s.clientWidth]; }"
    )
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3], sizes
    assert page.locator("[data-testid='stException']").count() == 0


def test_uploader_speaks_chinese(app, page) -> None:
    """Streamlit's own "Upload" and "200MB per file" are replaced by the page's words (ui.uploader_zh)."""
    page.goto(app.url + "/data")
    zone = page.locator("[data-testid='stFileUploaderDropzone']").first
    zone.wait_for(timeout=90000)
    page.wait_for_timeout(1000)
    words = page.evaluate(
        "() => { const b = document.querySelector(\"[data-testid='stFileUploaderDropzone'] button\");"
        " const i = document.querySelector(\"[data-testid='stFileUploaderDropzoneInstructions']\");"
        " return [getComputedStyle(b, '::after').content, getComputedStyle(i, '::after').content,"
        " Array.from(b.children).map(c => getComputedStyle(c).display),"
        " Array.from(i.querySelectorAll('*')).map(c => getComputedStyle(c).display)]; }"
    )
    assert words[0] == '"选择文件"' and words[1] == '"每个文件不超过 200 MB"', words
    assert set(words[2]) == {"none"} and set(words[3]) == {"none"}, words  # the English text is not shown
    zone.screenshot(path=str(ARTEFACTS / "09-uploader-zh.png"))
