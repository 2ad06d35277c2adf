"""validate_frame: every problem kind, every repair, and never an exception for bad data."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon

from gis.report import ValidationReport
from gis.validate import PROBLEM_CODES, REPAIR_CODES, validate_frame

# A small square near Songshan Lake in degrees, counter-clockwise.
E, N = 113.88, 22.92
D = 0.001
CCW = Polygon([(E, N), (E + D, N), (E + D, N + D), (E, N + D)])


def frame(geoms: list, **cols) -> gpd.GeoDataFrame:
    data = {"id": [f"f-{i}" for i in range(len(geoms))], **cols}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms), crs="EPSG:4326")


def codes(report: ValidationReport, feature: int | None = None) -> set[str]:
    return {p.problem for p in report.problems if feature is None or p.feature == feature}


def repair_codes(report: ValidationReport, feature: int | None = None) -> set[str]:
    return {r.repair for r in report.repairs if feature is None or r.feature == feature}


def test_clean_frame_passes_untouched() -> None:
    gdf = frame([CCW, Point(E, N), LineString([(E, N), (E + D, N + D)])], name_zh=["甲", "乙", "丙"])
    out, report = validate_frame(gdf)
    assert report.ok and report.features == 3
    assert report.problems == [] and report.repairs == []
    assert list(out["name_zh"]) == ["甲", "乙", "丙"]
    assert out.crs.to_epsg() == 4326
    assert shapely.equals_identical(out.geometry.values, gdf.geometry.values).all()


def test_null_and_empty_geometry_are_dropped_fatal() -> None:
    gdf = frame([None, Polygon(), CCW])
    out, report = validate_frame(gdf)
    assert list(out["id"]) == ["f-2"]
    assert codes(report, 0) == {"null_geometry"} and codes(report, 1) == {"empty_geometry"}
    assert all(p.fatal for p in report.problems)
    assert report.features == 1 and report.ok


def test_nonfinite_and_absurd_coordinates_dropped() -> None:
    gdf = frame([
        Point(math.nan, N),
        Polygon([(E, N), (math.inf, N), (E, N + D)]),
        Point(500000.0, 2536800.0),  # metres in a frame that claims degrees
        Point(E, 95.0),
        CCW,
    ])
    out, report = validate_frame(gdf)
    assert list(out["id"]) == ["f-4"]
    assert codes(report, 0) == {"nonfinite_coordinates"}
    assert codes(report, 1) == {"nonfinite_coordinates"}
    assert codes(report, 2) == {"absurd_coordinates"} and codes(report, 3) == {"absurd_coordinates"}
    assert all(p.fatal for p in report.problems)


def test_self_intersection_repaired_with_make_valid() -> None:
    bowtie = Polygon([(E, N), (E + D, N + D), (E + D, N), (E, N + D)])
    assert not bowtie.is_valid
    out, report = validate_frame(frame([bowtie]))
    assert codes(report) == {"self_intersection"}
    assert "make_valid" in repair_codes(report, 0)
    geom = out.geometry.iloc[0]
    assert geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(D * D / 2, rel=1e-9)


def test_hole_outside_shell_reported_and_repaired() -> None:
    hole = [(E + 2 * D, N + 2 * D), (E + 3 * D, N + 2 * D), (E + 3 * D, N + 3 * D), (E + 2 * D, N + 3 * D)]
    out, report = validate_frame(frame([Polygon(CCW.exterior.coords, [hole])]))
    assert "hole_outside_shell" in codes(report, 0)
    assert "make_valid" in repair_codes(report, 0)
    assert out.geometry.iloc[0].is_valid


def test_duplicate_vertices_removed() -> None:
    dup = Polygon([(E, N), (E, N), (E + D, N), (E + D, N + D), (E + D, N + D), (E, N + D)])
    out, report = validate_frame(frame([dup]))
    assert codes(report) == {"duplicate_vertices"}
    assert repair_codes(report) == {"remove_duplicate_vertices"}
    assert shapely.get_num_coordinates(out.geometry.iloc[0]) == 5


def test_ring_collapsing_to_nothing_is_dropped_not_raised() -> None:
    degenerate = Polygon([(E, N), (E, N), (E + D, N), (E, N)])
    out, report = validate_frame(frame([degenerate, CCW]))
    assert list(out["id"]) == ["f-1"]
    assert any(p.fatal and p.feature == 0 for p in report.problems)


def test_z_dropped() -> None:
    z = Polygon([(E, N, 10), (E + D, N, 11), (E + D, N + D, 12), (E, N + D, 13)])
    out, report = validate_frame(frame([z, Point(E, N, 5)]))
    assert codes(report) == {"three_d"}
    assert repair_codes(report) == {"drop_z"}
    assert not shapely.has_z(out.geometry.values).any()


def test_orientation_made_counter_clockwise() -> None:
    cw = Polygon(list(CCW.exterior.coords)[::-1])
    hole_ccw = [(E + 0.2 * D, N + 0.2 * D), (E + 0.8 * D, N + 0.2 * D), (E + 0.8 * D, N + 0.8 * D), (E + 0.2 * D, N + 0.8 * D)]
    with_hole = Polygon(CCW.exterior.coords, [hole_ccw])  # hole must be clockwise
    multi = MultiPolygon([cw])
    out, report = validate_frame(frame([cw, with_hole, multi, CCW]))
    assert repair_codes(report) == {"orient_rings"}
    assert {r.feature for r in report.repairs} == {0, 1, 2}
    for geom in out.geometry:
        polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        for poly in polys:
            assert poly.exterior.is_ccw
            assert all(not ring.is_ccw for ring in poly.interiors)


def test_outside_extent_reported_but_kept() -> None:
    beijing = Point(116.4, 39.9)
    out, report = validate_frame(frame([beijing, CCW]))
    assert len(out) == 2
    [p] = report.problems
    assert p.problem == "outside_extent" and p.feature == 0 and not p.fatal
    # A custom extent moves the line.
    _, report2 = validate_frame(frame([beijing]), extent=(116.0, 39.0, 117.0, 41.0))
    assert report2.problems == []


def test_wrong_type_dropped_when_types_restricted() -> None:
    gdf = frame([Point(E, N), CCW, MultiPolygon([CCW]), LineString([(E, N), (E + D, N)])])
    out, report = validate_frame(gdf, geometry_types={"Polygon", "MultiPolygon"})
    assert list(out["id"]) == ["f-1", "f-2"]
    assert codes(report, 0) == {"wrong_type"} and codes(report, 3) == {"wrong_type"}
    assert "Point" in report.problems[0].message_en


def test_all_unusable_is_not_ok_and_empty_input_is_ok() -> None:
    out, report = validate_frame(frame([None, Point(math.nan, math.nan)]))
    assert len(out) == 0 and not report.ok and report.features == 0
    out, report = validate_frame(frame([]))
    assert len(out) == 0 and report.ok


def test_feature_numbers_are_input_positions_and_index_is_reset() -> None:
    gdf = frame([None, CCW, None, Point(E, N)])
    gdf.index = [10, 20, 30, 40]
    out, report = validate_frame(gdf)
    assert list(out.index) == [0, 1]
    assert [p.feature for p in report.problems] == [0, 2]


def test_reader_fatal_problem_not_reported_twice() -> None:
    report = ValidationReport()
    report.add_problem(0, "bad_geometry_json", "坏", "bad", fatal=True)
    out, report = validate_frame(frame([None, CCW]), report=report)
    assert [p.problem for p in report.problems] == ["bad_geometry_json"]
    assert len(out) == 1


def test_messages_are_bilingual_and_codes_stable() -> None:
    bowtie = Polygon([(E, N), (E + D, N + D), (E + D, N), (E, N + D)])
    _, report = validate_frame(frame([None, bowtie, Point(116.4, 39.9)]))
    for p in report.problems:
        assert p.problem in PROBLEM_CODES
        assert any("\u4e00" <= ch <= "\u9fff" for ch in p.message_zh)
        assert p.message_en.isascii()
        d = p.to_dict()
        assert d["feature"] == p.feature and p.problem in d["problem"]
    for r in report.repairs:
        assert r.repair in REPAIR_CODES


def test_geometry_collection_and_mixed_frame_does_not_raise() -> None:
    gc = GeometryCollection([Point(E, N), LineString([(E, N), (E, N)])])
    weird = [gc, LineString([(E, N), (E, N)]), Polygon([(E, N), (E + D, N), (E + D, N), (E, N)])]
    out, report = validate_frame(frame(weird + [CCW]))
    assert out.geometry.iloc[-1].equals(CCW)
    assert shapely.is_valid(out.geometry.values).all()
    assert report.features == len(out)


def test_vectorised_on_thousands_of_features() -> None:
    rng = np.random.default_rng(7)
    xs = E + rng.random(5000) * 0.1
    ys = N + rng.random(5000) * 0.1
    polys = shapely.box(xs, ys, xs + 0.0005, ys + 0.0005, ccw=False)  # all clockwise
    out, report = validate_frame(frame(list(polys)))
    assert len(out) == 5000 and len(report.repairs) == 5000
    assert shapely.is_ccw(shapely.get_exterior_ring(out.geometry.values)).all()


def test_frame_without_crs_is_labelled_4326() -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[CCW])
    out, _ = validate_frame(gdf)
    assert out.crs.to_epsg() == 4326


def test_projected_frame_is_projected_first(square_100m: gpd.GeoDataFrame) -> None:
    out, report = validate_frame(square_100m)
    assert out.crs.to_epsg() == 4326 and report.problems == []
    assert out.to_crs(4547).area.iloc[0] == pytest.approx(10_000.0, rel=1e-9)
