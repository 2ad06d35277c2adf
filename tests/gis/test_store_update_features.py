"""``StoreBase.update_features``: several features, geometry included, in one transaction — on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point

from gis.errors import ConflictError, InputError
from tests.gis.conftest import E, N, road_lines  # Songshan Lake, EPSG:4547


@pytest.fixture
def roads() -> gpd.GeoDataFrame:
    """Three roads in EPSG:4547 metres, with provenance (the seeded ``store`` of tests/gis/conftest.py holds these)."""
    return gpd.GeoDataFrame(
        {
            "id": ["road-01", "road-02", "road-03"],
            "name_zh": ["一号路", "二号路", "三号路"],
            "source": ["示意", "示意", "示意"],
            "illustrative": [True, True, True],
            "updated_at": [None, None, None],
            "updated_by": [None, None, None],
        },
        geometry=road_lines(),
        crs="EPSG:4547",
    )


def _official(dx: float) -> shapely.Geometry:
    line = gpd.GeoSeries([LineString([(E, N + dx), (E + 1500, N + dx)])], crs="EPSG:4547").to_crs("EPSG:4326")
    return line.iloc[0]


def test_geometry_and_attributes_change_together_with_history_and_as_of_undo(store: Any) -> None:
    before = store.read_layer("roads").set_index("id")
    t0 = datetime.now(UTC) - timedelta(seconds=1)
    new = _official(12.0)
    versions = store.update_features(
        "roads",
        {"road-01": {"geometry": new, "illustrative": False, "source": "交通局 2020"}, "road-02": {"source": "交通局 2020"}},
        expected_versions={"road-01": 1, "road-02": 1},
        user="li",
        note="official",
    )
    assert versions == {"road-01": 2, "road-02": 2}
    after = store.read_layer("roads").set_index("id")
    assert shapely.equals_exact(after.loc["road-01", "geometry"], new, tolerance=1e-9)
    assert not bool(after.loc["road-01", "illustrative"]) and after.loc["road-01", "source"] == "交通局 2020"
    assert after.loc["road-01", "updated_by"] == "li" and after.loc["road-03", "version"] == 1
    rows = store.history("roads", "road-01")
    assert set(rows["field"]) >= {"(seeded)", "(replaced)", "illustrative", "source"}
    assert (rows.loc[rows["field"] != "(seeded)", "note"] == "official").all()
    undone = store.as_of("roads", t0).set_index("id")
    assert shapely.equals_exact(undone.loc["road-01", "geometry"], before.loc["road-01", "geometry"], tolerance=1e-9)
    assert bool(undone.loc["road-01", "illustrative"]) and undone.loc["road-01", "source"] == "示意"
    assert undone.loc["road-01", "version"] == 1 and undone.loc["road-02", "source"] == "示意"


def test_geometry_only_change_bumps_version_and_stamps_the_editor(store: Any) -> None:
    assert store.update_features("roads", {"road-03": {"geometry": _official(300.0)}}, expected_versions={"road-03": 1}, user="wang") == {
        "road-03": 2
    }
    row = store.read_layer("roads").set_index("id").loc["road-03"]
    assert row["version"] == 2 and row["updated_by"] == "wang"


def test_all_or_nothing_when_one_feature_is_stale(store: Any) -> None:
    store.update_feature("roads", "road-02", {"source": "x"}, expected_version=1, user="a")
    with pytest.raises(ConflictError):
        store.update_features(
            "roads",
            {"road-01": {"geometry": _official(5.0)}, "road-02": {"source": "y"}},
            expected_versions={"road-01": 1, "road-02": 1},
            user="b",
        )
    now = store.read_layer("roads").set_index("id")
    assert now.loc["road-01", "version"] == 1 and now.loc["road-02", "source"] == "x"
    assert "(replaced)" not in set(store.history("roads", "road-01")["field"])


@pytest.mark.parametrize(
    ("changes", "expected", "match"),
    [
        ({"road-09": {"source": "x"}}, {"road-09": 1}, "no feature"),
        ({"road-01": {"geometry": Point(113.9, 22.9)}}, {"road-01": 1}, "stored one a LineString"),
        ({"road-01": {"geometry": LineString()}}, {"road-01": 1}, "empty or invalid"),
        ({"road-01": {"source": "x"}}, {}, "expected version"),
        ({"road-01": {"nope": 1}}, {"road-01": 1}, "no editable field"),
        ({}, {}, "no features"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(store: Any, changes: dict, expected: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        store.update_features("roads", changes, expected_versions=expected, user="a")
    assert (store.read_layer("roads")["version"] == 1).all()
