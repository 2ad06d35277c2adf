"""Plan years: year-aware deadlines (2020 unchanged), the optional plan_year field, validation and overdue."""

from __future__ import annotations

import datetime as dt

import pytest

import layers
from gis.errors import InputError
from layers import years
from layers.metrics import schedule
from layers.spec import DEADLINE_LABELS, DEADLINES, validate_frame

LABELS_2020 = {
    "2020-Q1": ("第一季度", "Q1 2020", "2020-03-31"),
    "2020-H1": ("上半年", "H1 2020", "2020-06-30"),
    "2020-09": ("9月份", "September 2020", "2020-09-30"),
    "2020-H2": ("下半年", "H2 2020", "2020-12-31"),
    "2020-YE": ("年底前", "by year end 2020", "2020-12-31"),
    "2020": ("年内/全年", "during 2020", "2020-12-31"),
}


def test_2020_deadlines_and_labels_are_unchanged():
    assert DEADLINES == tuple(LABELS_2020)
    assert dict(DEADLINE_LABELS) == LABELS_2020 and list(DEADLINE_LABELS) == list(LABELS_2020)
    for code, label in LABELS_2020.items():
        assert years.deadline_label(code) == label == DEADLINE_LABELS[code] == DEADLINE_LABELS.get(code)


@pytest.mark.parametrize(
    "code,label",
    [("2021-H1", ("2021年上半年", "H1 2021", "2021-06-30")), ("2021-Q3", ("2021年第三季度", "Q3 2021", "2021-09-30")),
     ("2024-02", ("2024年2月份", "February 2024", "2024-02-29")), ("2021", ("2021年年内/全年", "during 2021", "2021-12-31")),
     ("2021-YE", ("2021年年底前", "by year end 2021", "2021-12-31"))],
)
def test_any_year_parses(code, label):
    assert years.deadline_label(code) == label == DEADLINE_LABELS.get(code)
    assert code in DEADLINE_LABELS and years.deadline_due(code) == dt.date.fromisoformat(label[2])


@pytest.mark.parametrize("code", ["2021-H3", "2021-13", "21-H1", "1999", "2021-", "", None, 2021, "2021-Q1 "[:-1] + "x"])
def test_malformed_codes_are_not_deadlines(code):
    assert not years.is_deadline(code) and DEADLINE_LABELS.get(code) is None and years.deadline_due(code) is None


def test_deadline_code_round_trips():
    for period in years.PERIODS:
        code = years.deadline_code(2021, period)
        assert years.parse_deadline(code) == (2021, period)
    with pytest.raises(ValueError):
        years.deadline_code(2021, "H3")


def _substations():
    return layers.load_baseline("substations", derived=False).head(3).copy()


def test_plan_year_is_optional_and_defaults_to_2020():
    gdf = _substations()
    assert "plan_year" not in gdf.columns
    assert years.plan_year_of(gdf).tolist() == [2020, 2020, 2020]
    validate_frame(gdf, layers.spec("substations"))


def test_a_2021_item_takes_2021_deadlines_and_refuses_2020_ones():
    spec = layers.spec("substations")
    gdf = _substations()
    gdf["plan_year"] = [2020, 2021, None]
    gdf["deadline"] = gdf["deadline"].astype(object)
    gdf.loc[1, "deadline"] = "2021-H1"
    gdf.loc[1, "plan_ref"] = "二(一)3."
    validate_frame(gdf, spec)
    assert years.plan_year_of(gdf).tolist() == [2020, 2021, 2020]
    gdf.loc[1, "deadline"] = "2020-H1"
    with pytest.raises(InputError) as err:
        validate_frame(gdf, spec)
    assert err.value.field == "deadline" and err.value.feature == gdf.loc[1, "id"]
    gdf.loc[1, "deadline"] = "2021-H1"
    gdf["plan_year"] = gdf["plan_year"].astype(object)
    gdf.loc[1, "plan_year"] = "明年"
    with pytest.raises(InputError) as err:
        validate_frame(gdf, spec)
    assert err.value.field == "plan_year"


def test_a_2021_deadline_is_overdue_after_its_own_last_day():
    gdf = _substations()
    gdf["plan_year"] = 2021
    gdf["deadline"] = "2021-H1"
    gdf["done_status"] = "site_selected"
    gdf["status"] = "planned"
    before = schedule({"substations": gdf}, as_of=dt.date(2021, 6, 30))
    after = schedule({"substations": gdf}, as_of=dt.date(2021, 7, 1))
    assert not before["overdue"].any() and after["overdue"].all()
    assert set(after["due"]) == {"2021-06-30"}
