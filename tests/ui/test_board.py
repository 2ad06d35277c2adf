"""The board (ui.board), the history as planners read it (ui.edit.history_rows) and times in Beijing time.

The frame and the exports are plain functions, tested on small frames made here; the pages are walked with
AppTest (filters, 按分园 with 未归属 that adds up).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

import layers
from tests.ui.conftest import open_page
from ui import board
from ui.edit import history_rows
from ui.i18n import status_label, time_label

ROADS = layers.spec("road_links")


def _items() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["road-01", "road-02", "road-03"],
        "name_zh": ["联网路 01", "=HYPERLINK(\"http://x\",\"y\")", "联网路 <b>03</b>"],
        "name_en": ["Link 01", "Link 02", "Link 03"],
        "status": ["planned", "completed", "under_construction"],
        "deadline": ["2020", "2020-H1", ""],
        "towns": ["松山湖;寮步", "松山湖;大朗", "松山湖;寮步"],
        "length_km": [2.731, 1.5, 3.0],
        "illustrative": [True, False, True],
    })


def _doc() -> dict:
    return {"as_of": "2021-01-10", "overdue": [
        {"layer": "road_links", "id": "road-01", "due": "2020-12-31"},
        {"layer": "land_actions", "id": "road-02", "due": "2020-06-30"},  # another layer's item: not this board's
    ]}


def _history() -> pd.DataFrame:
    rows = [
        ("2020-01-01T00:00:00+00:00", "system", "road-01", "(seeded)", None, None, "", 1),
        ("2020-05-01T04:07:31.123456+00:00", "planner", "road-01", "status", "planned", "under_construction", "开工", 2),
        ("2020-05-01T04:07:31.123456+00:00", "planner", "road-01", "updated_at", "x", "y", "开工", 2),
        ("2020-05-01T04:07:31.123456+00:00", "planner", "road-01", "updated_by", "a", "planner", "开工", 2),
        ("2020-08-02T16:30:00+00:00", "chief", "road-01", "status", "under_construction", "completed", "", 3),
        ("2020-08-02T16:30:00+00:00", "chief", "road-01", "updated_at", "y", "z", "", 3),
    ]
    return pd.DataFrame(rows, columns=["at", "user", "feature_id", "field", "old", "new", "note", "version"]).assign(
        layer="road_links"
    )


def test_time_label_is_beijing_time_to_the_minute() -> None:
    assert time_label("2020-05-01T04:07:31.123456+00:00") == "2020-05-01 12:07"
    assert time_label("2020-08-02T16:30:00") == "2020-08-03 00:30"  # naive is UTC
    assert time_label("") == "" and time_label(None) == ""


def test_status_word_is_the_layers_own_everywhere() -> None:
    assert status_label("completed", "road_links") == status_label("completed", ROADS) == "通车"
    assert status_label("completed", "facilities") == "投用"
    assert status_label("planned", "road_links") == "规划"


def test_history_is_one_row_per_edit_with_statuses_in_words() -> None:
    rows = history_rows("road_links", _history())
    assert len(rows) == 3  # seeding, two edits; the bookkeeping rows folded in
    newest, middle, first = rows.to_dict(orient="records")
    assert newest["变更"] == "状态：在建 → 通车" and newest["时间（北京时间）"] == "2020-08-03 00:30"
    assert middle["变更"] == "状态：规划 → 在建" and middle["备注"] == "开工" and middle["修改人"] == "planner"
    assert first["变更"] == "初始导入" and first["修改人"] == "系统"
    assert "updated_at" not in rows.to_csv()


def test_overdue_days_come_from_the_shared_overdue_list() -> None:
    assert board.overdue_days(_doc(), "road_links") == {"road-01": 10}
    assert board.overdue_days(None, "road_links") == {}


def test_board_frame_columns_and_last_change() -> None:
    edits = board.last_edits(_history())
    assert edits.loc["road-01", "user"] == "chief"  # the last real edit, not the bookkeeping or the seeding
    frame = board.board_frame("road_links", _items(), spec=ROADS, overdue={"road-01": 10}, edits=edits, measure="length_km")
    table = board.shown_table(frame, "length_km")
    assert list(table.columns) == ["名称", "状态", "连接镇街", "长度 (km)", "期限", "逾期天数", "最后变更", "修改人"]
    first = table.iloc[0]
    assert first["状态"] == "规划" and first["连接镇街"] == "松山湖–寮步" and first["长度 (km)"] == 2.73
    assert first["逾期天数"] == 10 and first["最后变更"] == "2020-08-03 00:30" and first["修改人"] == "chief"
    assert table.iloc[1]["状态"] == "通车" and pd.isna(table.iloc[1]["逾期天数"])
    assert table.iloc[2]["期限"] == "无期限"


def test_board_xlsx_is_formatted_and_never_runs_a_formula() -> None:
    from openpyxl import load_workbook

    frame = board.board_frame("road_links", _items(), spec=ROADS, overdue={"road-01": 10}, edits=board.last_edits(_history()),
                              measure="length_km")
    table = board.shown_table(frame, "length_km")
    wb = load_workbook(io.BytesIO(board.board_xlsx(table, title="联网路推进台账", note="示意：2 项为示意位置")))
    ws = wb.active
    assert ws["A1"].value == "联网路推进台账" and "示意" in ws["A2"].value
    assert [c.value for c in ws[3]] == list(table.columns) and ws["A3"].font.bold
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["A"].width >= 10 and ws.page_setup.orientation == "landscape"
    cells = [c.value for c in ws["A"]]
    assert '=HYPERLINK("http://x","y")' in cells
    hyper = next(c for c in ws["A"] if c.value == '=HYPERLINK("http://x","y")')
    assert hyper.data_type == "s" and hyper.quotePrefix  # text, not a formula
    assert ws.max_row == 3 + 3


def test_board_html_prints_a4_landscape_and_escapes_text() -> None:
    frame = board.board_frame("road_links", _items(), spec=ROADS, overdue={"road-01": 10}, edits=board.last_edits(_history()),
                              measure="length_km")
    page = board.board_html(board.shown_table(frame, "length_km"), title="台账 <i>", note="示意 & 说明")
    assert "@page { size: A4 landscape" in page
    assert "<b>03</b>" not in page and "联网路 &lt;b&gt;03&lt;/b&gt;" in page
    assert "台账 &lt;i&gt;" in page and "示意 &amp; 说明" in page
    assert '<td class="overdue">⚠ 10</td>' in page


def _board(at: AppTest, key: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "最后变更" in df.value.columns)


def test_roads_board_filters_by_town_and_status_and_flags_overdue(viewer_store_path: Path) -> None:
    at = open_page("ui/page_roads.py", timeout_s=180)
    assert not at.exception
    rows = _board(at, "roads_board")
    assert len(rows) == 18
    assert rows["逾期天数"].notna().all()  # all 18 read 规划 / 年内 (2020): every one overdue, counted in days
    at.multiselect(key="roads_board_town").set_value(["大朗"]).run()
    dalang = _board(at, "roads_board")
    assert 0 < len(dalang) < 18 and dalang["连接镇街"].str.contains("大朗").all()
    at.multiselect(key="roads_board_status").set_value(["completed"]).run()
    assert len(_board(at, "roads_board")) == 0


def test_land_by_sub_park_adds_up_with_the_unassigned_row(viewer_store_path: Path) -> None:
    at = open_page("ui/page_land.py", timeout_s=180)
    assert not at.exception
    table = next(df.value for df in at.dataframe if "未归属" in map(str, df.value.index))
    parks = table.drop(index=["未归属", "合计"])
    assert (parks.sum() + table.loc["未归属"] - table.loc["合计"]).abs().max() < 0.5  # rounded to 0.1 亩
    assert abs(table.loc["合计", "盘活"] - 800) < 1  # the plan's 800 亩 盘活, all of it accounted for
