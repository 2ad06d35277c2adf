"""Status and deadline labels have one source (layers.spec); errors are shown in the user's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis.errors import InputError
from layers.spec import DEADLINE_LABELS, DEADLINES, STATUS_LABELS, STATUS_LABELS_EN, STATUSES
from ui import i18n

SOURCE = Path(i18n.__file__).read_text(encoding="utf-8")


@pytest.fixture
def lang(monkeypatch: pytest.MonkeyPatch):
    def set_lang(value: str) -> None:
        monkeypatch.setattr(i18n, "lang", lambda: value)

    return set_lang


def test_status_labels_come_from_layers_spec(lang) -> None:
    lang("zh")
    assert [i18n.status_label(s) for s in STATUSES] == [STATUS_LABELS[s] for s in STATUSES]
    lang("en")
    assert [i18n.status_label(s) for s in STATUSES] == [STATUS_LABELS_EN[s] for s in STATUSES]
    assert "选址中" not in SOURCE  # no second table of status labels in the UI


def test_deadline_labels_come_from_layers_spec_and_an_empty_deadline_says_so(lang) -> None:
    lang("zh")
    assert [i18n.deadline_label(d) for d in DEADLINES] == [
        "2020 年第一季度", "2020 年上半年", "2020 年9月份", "2020 年下半年", "2020 年底前", "2020 年内/全年"
    ]  # the plan's words after the year, no code (2020-H1) on a zh screen (issue 13 item 1)
    assert all(DEADLINE_LABELS[d][0] in i18n.deadline_label(d) for d in DEADLINES)
    assert i18n.deadline_label("") == "无期限" and i18n.deadline_label(None) == "无期限"  # type: ignore[arg-type]
    lang("en")
    assert i18n.deadline_label("2020-H1") == DEADLINE_LABELS["2020-H1"][1]
    assert i18n.deadline_label("") == "no deadline"
    assert "第一季度" not in SOURCE


def test_error_text_speaks_the_users_language(lang) -> None:
    err = InputError("日期格式不对", "bad date")
    lang("zh")
    assert i18n.error_text(err) == "日期格式不对"
    lang("en")
    assert i18n.error_text(err) == "bad date"
    assert i18n.error_text(ValueError("x")) == "x"
