"""The board's 最后变更 / 修改人 of an item nobody has edited read "—", and the note says why (the baseline)."""

from __future__ import annotations

import pandas as pd

import layers
from ui import board
from ui.i18n import STRINGS

ROADS = layers.spec("road_links")


def _items() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["road-01", "road-02"], "name_zh": ["联网路 01", "联网路 02"], "name_en": ["Link 01", "Link 02"],
        "status": ["under_construction", "planned"], "deadline": ["2020-H1", "2020"], "towns": ["松山湖;寮步", "松山湖;大朗"],
        "length_km": [2.0, 3.0], "illustrative": [False, False],
    })


def _history() -> pd.DataFrame:
    return pd.DataFrame({
        "feature_id": ["road-01", "road-02", "road-01"],
        "field": ["(seeded)", "(seeded)", "status"],
        "at": ["2020-03-04T00:00:00Z", "2020-03-04T00:00:00Z", "2020-05-01T02:00:00Z"],
        "user": ["system", "system", "chief"],
        "old": [None, None, "planned"], "new": [None, None, "under_construction"],
    })


def test_unedited_row_reads_a_dash_and_the_note_explains() -> None:
    frame = board.board_frame("road_links", _items(), spec=ROADS, overdue={}, edits=board.last_edits(_history()),
                              measure="length_km")
    table = board.shown_table(frame, "length_km").set_index("名称")
    assert table.loc["联网路 01", "最后变更"] == "2020-05-01 10:00" and table.loc["联网路 01", "修改人"] == "chief"
    assert table.loc["联网路 02", "最后变更"] == "—" and table.loc["联网路 02", "修改人"] == "—"
    assert STRINGS["board_no_edit"][0] in board._note(frame, "2020-06-01")
    assert STRINGS["board_no_edit"][0] not in board._note(frame[frame["id"] == "road-01"], "2020-06-01")


def test_unedited_rows_sort_last_by_last_change() -> None:
    frame = board.board_frame("road_links", _items(), spec=ROADS, overdue={}, edits=board.last_edits(_history()))
    order = frame.sort_values(["last_at", "id"], ascending=[False, True])["id"].tolist()
    assert order == ["road-01", "road-02"]


def test_exports_carry_the_dash_and_the_note() -> None:
    frame = board.board_frame("road_links", _items(), spec=ROADS, overdue={}, edits=board.last_edits(_history()))
    note = board._note(frame, "2020-06-01")
    page = board.board_html(board.shown_table(frame, None), title="台账", note=note)
    assert "<td>—</td>" in page and "未经修改" in page
