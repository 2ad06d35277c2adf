"""data/geo/scripts/build_dataset.py: checks deadlines with the layers' one table of plan words, and
rebuilds the bundled dataset byte for byte.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from layers import status_words
from layers.status_words import periods_in

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "data" / "geo"


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_dataset_under_test", GEO / "scripts" / "build_dataset.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_periods_in_names_every_period_of_a_text() -> None:
    assert periods_in("上半年动工，年底前建成") == {"H1", "YE"}
    assert periods_in("9月份完成选址") == {"09"}
    assert periods_in("年内完成") == {""}
    assert periods_in("加快推进") == set()


def test_builder_has_no_table_of_its_own(builder: ModuleType) -> None:
    assert not hasattr(builder, "DEADLINE_WORDS")
    assert builder.periods_in is status_words.periods_in


def test_builder_checks_deadlines_with_the_layers_words(builder: ModuleType) -> None:
    builder.check_status_rule("上半年完成选址", "site_selected", "2020-H1")
    builder.check_status_rule("9月份动工", "under_construction", "2020-09")
    builder.check_status_rule("年内建成", "completed", "2020")
    with pytest.raises(ValueError, match="no word for that period"):
        builder.check_status_rule("下半年建成", "completed", "2020-H1")
    with pytest.raises(ValueError, match="ongoing"):
        builder.check_status_rule("上半年加快推进", None, "2020-H1")


def test_builder_rebuilds_the_bundled_dataset_byte_for_byte(builder: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(GEO / "dongguan_boundary.geojson", tmp_path)  # an input of the builder (dongguan_boundary.py writes it)
    monkeypatch.setattr(builder, "GEO", tmp_path)
    monkeypatch.setattr(builder, "FEATURES", {})
    builder.main()
    written = sorted(p.name for p in tmp_path.glob("*.geojson") if p.name != "dongguan_boundary.geojson")
    assert len(written) == 9
    for name in written:
        assert (tmp_path / name).read_bytes() == (GEO / name).read_bytes(), name
