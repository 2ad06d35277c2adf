"""规划导入 Load a plan under AppTest: an editor pastes a 2021 plan, reviews the proposals, confirms them."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from layers.plan_items import load_plan_items
from layers.progress import plan_progress
from tests.ui.conftest import open_page

PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力提升城市承载力。力争全年收储土地约600亩。
二要着力优化交通。力争年底前打通10条联网路；加快推进环湖路建设。
"""


def _page(*, sign_in: bool) -> AppTest:
    at = open_page("ui/page_plan_import.py", user="planner" if sign_in else None)  # the editor of store_path
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_viewer_cannot_load_a_plan(store_path: Path) -> None:
    at = _page(sign_in=False)
    assert not [w for w in at.text_area if w.key == "plan_import_text"]


def test_an_editor_loads_a_2021_plan(store_path: Path) -> None:
    at = _page(sign_in=True)
    at.number_input(key="plan_import_year").set_value(2021).run()
    at.text_area(key="plan_import_text").input(PLAN_2021).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("3" in m.value for m in at.markdown)  # "共 3 项候选事项（2 项带数量）"
    at.button(key="plan_import_accept").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.success and "2021" in at.success[0].value
    items = load_plan_items(store=store_path)
    assert items["plan_year"].eq(2021).all() and len(items) == 3
    assert set(items["deadline"].fillna("")) == {"2021", "2021-YE", ""}
    assert items["updated_by"].eq("planner").all()
    # The metrics page counts the 2021 items next to the 2020 ones (the shared computation reads plan_items).
    before = plan_progress(source="baseline")["schedule"]["items"]
    assert plan_progress(store=store_path)["schedule"]["items"] == before + 3
    at.switch_page("ui/page_metrics.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert str(before + 3) in [str(m.value) for m in at.metric]
