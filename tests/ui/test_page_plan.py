"""规划条文 Plan text page under AppTest: a section or pasted text lists the items that cite it, with map links."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from layers import plan_trace
from tests.ui.conftest import new_app


def _plan_page(*, lang: str = "zh") -> AppTest:
    at = new_app(query={} if lang == "zh" else {"lang": lang}).run()
    assert not at.exception, at.exception
    at.switch_page("ui/page_plan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_plan_page_shows_the_traced_count(viewer_store_path: Path) -> None:
    at = _plan_page()
    cov = plan_trace.trace_coverage()
    values = [m.value for m in at.metric]
    assert f"{cov['traced']} / {cov['spatial_clauses']}" in values
    assert cov["spatial_clauses"] > 50  # the rule finds the plan's many places, not a handful


def test_pasted_sentence_lists_the_substations_with_map_links(viewer_store_path: Path) -> None:
    at = _plan_page()
    at.text_area(key="plan_text").input("推动110千伏北区输变电工程和110千伏花园输变电工程年内动工").run()
    assert not at.exception
    table = at.dataframe[0].value
    ids = set(table.iloc[:, 0])
    assert {"sub-10", "sub-11", "substations_110kv_started"} <= ids
    assert "sub-01" not in ids  # the site-selection projects are another clause
    links = [v for v in table.iloc[:, -1] if isinstance(v, str) and v]
    assert "./map?sel=sub-10&layers=substations" in links
    assert len(links) == len(ids) - 1  # every feature links to the map; the target has no place of its own


def test_section_alone_lists_its_items(viewer_store_path: Path) -> None:
    at = _plan_page()
    at.selectbox(key="plan_section").set_value("(四)三").run()
    assert not at.exception
    ids = set(at.dataframe[0].value.iloc[:, 0])
    assert {"road-ring-lake", "road-qinyuan", "illegal-01", "scenic-4a", "illegal_removal_m2"} <= ids
    assert not any(i.startswith("sub-") for i in ids)


def test_text_nobody_cites_says_so_in_english(viewer_store_path: Path) -> None:
    at = _plan_page(lang="en")
    at.text_area(key="plan_text").input("这段文字不在规划里").run()
    assert not at.exception
    assert any("No item or target cites this text." in str(i.value) for i in at.info)
