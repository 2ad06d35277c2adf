"""plan_progress per plan year and across years: the 2020 figures unchanged, a 2021 item counted in its year."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from layers.progress import frames_of_year, plan_progress, progress_frames

DAY = dt.date(2021, 7, 1)


def _dump(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True, default=str)


@pytest.fixture(scope="module")
def frames():
    return progress_frames(source="baseline", as_of=dt.date(2020, 3, 4))


@pytest.fixture(scope="module")
def with_2021(frames):
    fac = frames["facilities"]
    row = fac.loc[fac["role"].eq("plan_item")].head(1).copy()
    row["id"] = "facility-2021-01"
    row["name_zh"] = "2021年新增学校"
    row["plan_year"] = 2021
    row["deadline"] = "2021-H1"
    row["done_status"] = "completed"
    row["status"] = "under_construction"
    out = dict(frames)
    both = pd.concat([fac, row], ignore_index=True)
    both.attrs = dict(fac.attrs)
    out["facilities"] = both
    return out


def test_one_year_of_the_bundled_data_is_all_of_it(frames):
    all_years = plan_progress(frames=frames, as_of=DAY)
    only_2020 = plan_progress(frames=frames, as_of=DAY, year=2020)
    assert "year" not in all_years and only_2020.pop("year") == 2020
    assert _dump(only_2020) == _dump(all_years)


def test_a_2021_item_counts_in_2021_and_across_years_not_in_2020(frames, with_2021):
    base = plan_progress(frames=frames, as_of=DAY)
    y2020 = plan_progress(frames=with_2021, as_of=DAY, year=2020)
    y2020.pop("year")
    assert _dump(y2020) == _dump(base)  # the 2020 figures are unchanged by a 2021 item
    y2021 = plan_progress(frames=with_2021, as_of=DAY, year=2021)
    assert [o["id"] for o in y2021["overdue"]] == ["facility-2021-01"]
    assert y2021["targets"] == []  # every target row of plan_targets.csv is the 2020 plan's
    every = plan_progress(frames=with_2021, as_of=DAY)
    assert "facility-2021-01" in {o["id"] for o in every["overdue"]}
    assert len(every["overdue"]) == len(base["overdue"]) + 1


def test_context_is_kept_in_every_year(frames):
    f2021 = frames_of_year(frames, 2021)
    assert len(f2021["boundaries"]) == len(frames["boundaries"])
    assert len(f2021["facilities"]) == 0
