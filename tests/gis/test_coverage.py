"""Coverage: exact against a straightforward geopandas overlay, on layouts whose answer is known."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import example, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from gis import coverage as cov
from gis._clip import convex_intersection_area, is_convex_polygon
from gis.errors import CRSError, InputError

E, N = 489_700.0, 2_536_800.0
CRS = "EPSG:4547"


def frame(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols or None, geometry=list(geoms), crs=CRS)


def overlay_covered(parcels: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, radius_m: float) -> np.ndarray:
    """The straightforward reference: buffer, union, geopandas.overlay, sum the pieces per parcel."""
    p = parcels.to_crs(CRS)
    union = facilities.to_crs(CRS).buffer(radius_m).union_all()
    left = gpd.GeoDataFrame({"pid": np.arange(len(p))}, geometry=p.geometry.to_numpy(), crs=CRS)
    ov = gpd.overlay(left, gpd.GeoDataFrame(geometry=[union], crs=CRS), how="intersection", keep_geom_type=True)
    return np.bincount(ov["pid"].to_numpy(), weights=ov.geometry.area.to_numpy(), minlength=len(p))


def random_parcels(n: int, seed: int, *, spread_m: float = 3000.0) -> gpd.GeoDataFrame:
    """Mixed parcels: convex quads, non-convex L shapes, parcels with holes and multipolygons."""
    rng = np.random.default_rng(seed)
    geoms = []
    for i in range(n):
        x, y = E + rng.uniform(-spread_m, spread_m), N + rng.uniform(-spread_m, spread_m)
        w, h = rng.uniform(20, 400), rng.uniform(20, 400)
        kind = i % 4
        if kind == 0:
            j = rng.uniform(0, 0.2, 4)
            geoms.append(Polygon([(x + j[0] * w, y), (x + w, y + j[1] * h), (x + w - j[2] * w, y + h), (x, y + h - j[3] * h)]))
        elif kind == 1:
            geoms.append(Polygon([(x, y), (x + w, y), (x + w, y + h / 3), (x + w / 3, y + h / 3), (x + w / 3, y + h), (x, y + h)]))
        elif kind == 2:
            geoms.append(box(x, y, x + w, y + h).difference(box(x + w / 4, y + h / 4, x + w / 2, y + h / 2)))
        else:
            geoms.append(MultiPolygon([box(x, y, x + w / 3, y + h), box(x + w / 2, y, x + w, y + h / 2)]))
    return frame(geoms, id=[f"p-{i}" for i in range(n)])


def random_points(n: int, seed: int, *, spread_m: float = 2500.0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    return frame([Point(E + a, N + b) for a, b in rng.uniform(-spread_m, spread_m, (n, 2))])


# --- layouts whose answer is known by construction ----------------------------------------------------


def test_one_km_square_half_inside_an_800m_buffer() -> None:
    square = frame([box(E, N, E + 1000, N + 1000)], id=["sq"])
    # a long north-south line 300 m west of the square: its 800 m buffer ends at the square's middle
    line = frame([LineString([(E - 300, N - 5000), (E - 300, N + 6000)])])
    t = cov.coverage(square, line, radius_m=800)
    assert t["area_m2"].iloc[0] == pytest.approx(1_000_000.0, rel=1e-12)
    assert t["covered_m2"].iloc[0] == pytest.approx(500_000.0, rel=1e-9)
    assert t["share"].iloc[0] == pytest.approx(0.5, rel=1e-9)
    assert cov.covered_share(t) == pytest.approx(0.5, rel=1e-9)


def test_wholly_inside_wholly_outside_and_straddling() -> None:
    parcels = frame(
        [box(E - 50, N - 50, E + 50, N + 50), box(E + 2000, N, E + 2100, N + 100), box(E + 750, N - 50, E + 850, N + 50)],
        id=["in", "out", "edge"],
    )
    station = frame([Point(E, N)])
    t = cov.coverage(parcels, station, radius_m=800)
    assert t["covered_m2"].iloc[0] == pytest.approx(10_000.0, rel=1e-12)
    assert t["covered_m2"].iloc[1] == 0.0
    assert 0 < t["covered_m2"].iloc[2] < 10_000
    assert t["covered_m2"].iloc[2] == pytest.approx(overlay_covered(parcels, station, 800)[2], rel=1e-9)
    assert t["reached"].tolist() == [True, False, True]
    assert cov.uncovered(parcels, t)["id"].tolist() == ["out"]


def test_parcel_containing_a_hole_of_the_catchment() -> None:
    # eight stations on a 1 km circle: their 500 m buffers make a ring with an uncovered hole in the middle
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    stations = frame([Point(E + 1000 * np.cos(a), N + 1000 * np.sin(a)) for a in angles])
    parcels = frame([box(E - 300, N - 300, E + 300, N + 300), box(E - 1200, N - 1200, E + 1200, N + 1200)])
    t = cov.coverage(parcels, stations, radius_m=500)
    ref = overlay_covered(parcels, stations, 500)
    assert t["covered_m2"].iloc[0] == 0.0 and ref[0] == 0.0
    np.testing.assert_allclose(t["covered_m2"], ref, rtol=1e-9)


# --- exact against the overlay -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_geopandas_overlay_to_1e9(seed: int) -> None:
    parcels = random_parcels(400, seed)
    stations = random_points(12, seed + 100)
    t = cov.coverage(parcels, stations, radius_m=800)
    ref = overlay_covered(parcels, stations, 800)
    area = t["area_m2"].to_numpy()
    assert np.all(np.abs(t["covered_m2"].to_numpy() - ref) <= 1e-9 * area)
    assert cov.covered_share(t) == pytest.approx(ref.sum() / area.sum(), rel=1e-9)
    # the layout really mixes the three cases
    share = t["share"].to_numpy()
    assert (share == 0).any() and (share == 1).any() and ((share > 0) & (share < 1)).sum() > 20


def test_result_does_not_depend_on_tiles_or_threads() -> None:
    parcels = random_parcels(300, 9)
    stations = random_points(10, 19)
    base = cov.coverage(parcels, stations, radius_m=600, workers=1)
    for tile_m in (7.0, 45.0, 333.0, 5000.0):
        other = cov.coverage(parcels, stations, radius_m=600, tile_m=tile_m, workers=2)
        np.testing.assert_allclose(other["covered_m2"], base["covered_m2"], rtol=1e-9, atol=1e-9 * base["area_m2"].max())
        assert other["reached"].tolist() == base["reached"].tolist()


def test_parcels_on_tile_edges_and_beyond_the_grid() -> None:
    # squares aligned with a 100 m grid, one as large as the whole catchment, one far outside it
    stations = frame([Point(E, N), Point(E + 900, N + 300)])
    geoms = [box(E + i * 100, N + j * 100, E + (i + 1) * 100, N + (j + 1) * 100) for i in range(-10, 12) for j in range(-10, 6)]
    geoms += [box(E - 5000, N - 5000, E + 5000, N + 5000), box(E + 9000, N + 9000, E + 9100, N + 9100)]
    parcels = frame(geoms)
    t = cov.coverage(parcels, stations, radius_m=800, tile_m=100.0)
    ref = overlay_covered(parcels, stations, 800)
    assert np.all(np.abs(t["covered_m2"].to_numpy() - ref) <= 1e-9 * t["area_m2"].to_numpy())
    big = t.iloc[-2]
    assert big["covered_m2"] == pytest.approx(stations.buffer(800).union_all().area, rel=1e-9)


def test_degree_input_is_measured_on_4547() -> None:
    parcels = random_parcels(80, 4)
    stations = random_points(5, 5)
    t_m = cov.coverage(parcels, stations, radius_m=800)
    t_deg = cov.coverage(parcels.to_crs("EPSG:4326"), stations.to_crs("EPSG:4326"), radius_m=800)
    np.testing.assert_allclose(t_deg["covered_m2"], t_m["covered_m2"], rtol=1e-6, atol=1e-3)


def test_chunks_partition_the_work() -> None:
    parcels = random_parcels(200, 6)
    stations = random_points(8, 7)
    whole = cov.coverage(parcels, stations, radius_m=700, workers=1)
    geoms = parcels.geometry.to_numpy()
    index = cov.index_catchment(cov.catchment(stations, radius_m=700), tile_m=80.0)
    parts = [cov.covered_area_chunk(chunk, index) for chunk in np.array_split(geoms, 7)]
    covered = np.concatenate([p[1] for p in parts])
    np.testing.assert_allclose(covered, whole["covered_m2"], rtol=1e-9, atol=1e-6)


def test_points_lines_and_missing_geometry() -> None:
    parcels = frame([Point(E + 10, N), Point(E + 5000, N), LineString([(E + 700, N), (E + 900, N)]), None, Polygon()])
    t = cov.coverage(parcels, frame([Point(E, N)]), radius_m=800)
    assert t["area_m2"].tolist() == [0.0] * 5
    assert t["reached"].tolist() == [True, False, True, False, False]
    assert t["share"].tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]


def test_no_facilities_covers_nothing() -> None:
    parcels = random_parcels(20, 8)
    t = cov.coverage(parcels, frame([]), radius_m=800)
    assert (t["covered_m2"] == 0).all() and not t["reached"].any()
    assert cov.covered_share(t) == 0.0


def test_polygon_facilities_with_radius_zero() -> None:
    park = frame([box(E, N, E + 100, N + 100)])
    parcels = frame([box(E + 50, N, E + 150, N + 100)])
    t = cov.coverage(parcels, park, radius_m=0)
    assert t["covered_m2"].iloc[0] == pytest.approx(5000.0)


@pytest.mark.parametrize("radius", [-1, float("nan"), float("inf"), 1e9, "abc"])
def test_bad_radius_is_an_input_error(radius) -> None:
    with pytest.raises(InputError) as err:
        cov.coverage(random_parcels(3, 1), random_points(2, 1), radius_m=radius)
    assert "服务半径" in str(err.value) and "radius" in str(err.value)


def test_no_crs_is_refused() -> None:
    with pytest.raises(CRSError):
        cov.coverage(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), random_points(2, 1), radius_m=800)


def test_invalid_straddling_parcel_is_repaired_not_raised() -> None:
    bowtie = Polygon([(E + 700, N), (E + 900, N + 200), (E + 900, N), (E + 700, N + 200)])
    t = cov.coverage(frame([bowtie]), frame([Point(E, N)]), radius_m=800)
    assert np.isfinite(t["covered_m2"].iloc[0])


def test_coverage_by_radius_grows_with_the_radius() -> None:
    parcels = random_parcels(100, 11)
    table = cov.coverage_by_radius(parcels, random_points(6, 12), radii_m=(300, 500, 800))
    assert table["radius_m"].tolist() == [300.0, 500.0, 800.0]
    assert table["covered_share"].is_monotonic_increasing
    assert (table["features"] == 100).all()
    assert ((0 <= table["feature_share"]) & (table["feature_share"] <= 1)).all()


def test_report_follows_the_cli_contract() -> None:
    parcels = random_parcels(30, 13)
    parcels.loc[2, "id"] = None
    report = cov.coverage_report(parcels.to_crs("EPSG:4326"), random_points(4, 14), radius_m=800)
    json.dumps(report)  # JSON-ready: no numpy types, no NaN objects
    assert isinstance(report["radius_m"], float) and report["radius_m"] == 800.0
    assert 0.0 <= report["covered_share"] <= 1.0
    assert len(report["features"]) == 30
    first = report["features"][0]
    assert set(first) == {"index", "id", "area_m2", "covered_m2", "share"}
    assert first["index"] == 0 and first["id"] == "p-0"
    assert report["features"][2]["id"] is None
    assert all(isinstance(f[k], float) for f in report["features"] for k in ("area_m2", "covered_m2", "share"))
    assert report["uncovered"] == [f["index"] for f in report["features"] if f["covered_m2"] == 0]
    no_id = cov.coverage_report(parcels.drop(columns="id"), random_points(4, 14), radius_m=800)
    assert all(f["id"] is None for f in no_id["features"])


# --- the vectorised convex clipping ------------------------------------------------------------------

# millimetre coordinates: GEOS itself is not reliable on subnormal floats, which no survey produces
coords = st.integers(-50_000, 50_000).map(lambda v: v / 1000.0)


@settings(max_examples=60, deadline=None)
@given(
    clip=st.lists(st.tuples(coords, coords), min_size=3, max_size=12),
    other=st.lists(st.tuples(coords, coords), min_size=3, max_size=12),
    hole=st.booleans(),
)
# make_valid turns this bow-tie into a GeometryCollection holding a MultiPolygon (nested parts)
@example(clip=[(0.0, 0.0), (0.0, 0.001), (0.002, 0.0)], other=[(0.0, 0.0), (0.0, 0.001), (0.0, -0.001), (0.001, 0.001), (0.001, 0.0)],
         hole=False)
def test_convex_clipping_matches_geos(clip, other, hole) -> None:
    convex = shapely.convex_hull(shapely.MultiPoint(clip))
    if convex.geom_type != "Polygon" or convex.area < 1e-6:
        return
    subject = shapely.make_valid(Polygon(other))
    if hole:
        subject = subject.difference(Point(0, 0).buffer(10, quad_segs=2))
    assert is_convex_polygon(np.array([convex]))[0]
    got = convex_intersection_area(np.array([convex, shapely.reverse(convex)]), np.array([subject, subject]))
    want = shapely.intersection(convex, subject).area
    assert got == pytest.approx([want, want], abs=1e-9 * max(1.0, convex.area))


def test_convexity_check() -> None:
    geoms = np.array([
        box(0, 0, 1, 1),
        Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)]),  # L shape
        box(0, 0, 3, 3).difference(box(1, 1, 2, 2)),  # hole
        MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]),
        Point(0, 0),
        None,
        Polygon([(0, 0), (1, 0), (2, 0), (2, 2), (0, 2)]),  # collinear vertex still convex
    ], dtype=object)
    assert is_convex_polygon(geoms).tolist() == [True, False, False, False, False, False, True]


# --- real parcel shapes: non-convex, many vertices, holes, several parts, slivers (issue 15) -----------


def _wavy(x: float, y: float, size: float, k: int, rng: np.random.Generator) -> Polygon:
    """A non-convex outline of ``k`` vertices around (x, y), about ``size`` across."""
    th = np.linspace(0, 2 * np.pi, k, endpoint=False)
    r = size / 2 * (0.7 + 0.15 * np.sin(3 * th + rng.uniform(0, 6)) + 0.15 * rng.uniform(0, 1, k))
    return Polygon(np.column_stack([x + r * np.cos(th), y + r * np.sin(th)]))


def real_shape_parcels(seed: int) -> gpd.GeoDataFrame:
    """Parcels of the shapes planners have, scattered around the edge of an 800 m catchment of (E, N)."""
    rng = np.random.default_rng(seed)
    geoms = []
    for i in range(240):
        a = rng.uniform(0, 2 * np.pi)
        d = 800 + rng.uniform(-250, 250)
        x, y = E + d * np.cos(a), N + d * np.sin(a)
        w, h = rng.uniform(40, 300), rng.uniform(40, 300)
        kind = i % 8
        if kind == 0:  # L
            geoms.append(Polygon([(x, y), (x + w, y), (x + w, y + h / 3), (x + w / 3, y + h / 3), (x + w / 3, y + h), (x, y + h)]))
        elif kind == 1:  # U
            geoms.append(Polygon([(x, y), (x + w, y), (x + w, y + h), (x + 2 * w / 3, y + h), (x + 2 * w / 3, y + h / 3),
                                  (x + w / 3, y + h / 3), (x + w / 3, y + h), (x, y + h)]))
        elif kind == 2:  # T
            geoms.append(Polygon([(x, y + 2 * h / 3), (x + w / 3, y + 2 * h / 3), (x + w / 3, y), (x + 2 * w / 3, y),
                                  (x + 2 * w / 3, y + 2 * h / 3), (x + w, y + 2 * h / 3), (x + w, y + h), (x, y + h)]))
        elif kind == 3:  # a road notch cut into a quadrilateral
            geoms.append(box(x, y, x + w, y + h).difference(box(x + w / 3, y - 1, x + w / 2, y + h / 2)))
        elif kind == 4:  # many vertices, 20–200
            geoms.append(_wavy(x, y, w, int(rng.integers(20, 201)), rng))
        elif kind == 5:  # holes, one of them wavy
            outer = _wavy(x, y, 2 * w, int(rng.integers(20, 120)), rng)
            geoms.append(outer.difference(box(x - w / 4, y - h / 8, x, y + h / 8)).difference(_wavy(x + w / 3, y, w / 4, 24, rng)))
        elif kind == 6:  # several parts, one holed and non-convex
            geoms.append(MultiPolygon([box(x, y, x + w / 3, y + h), _wavy(x + w, y + h / 2, w / 2, 40, rng),
                                       box(x, y - h, x + w, y - h / 2).difference(box(x + w / 4, y - 0.9 * h, x + w / 2, y - 0.6 * h))]))
        else:  # a sliver along the catchment edge: a thin band just inside/outside the circle
            r0 = 800 + rng.uniform(-2, 2)
            th = np.linspace(a, a + rng.uniform(0.05, 0.4), 30)
            inner = np.column_stack([E + r0 * np.cos(th), N + r0 * np.sin(th)])
            outer = np.column_stack([E + (r0 + rng.uniform(0.05, 3)) * np.cos(th[::-1]), N + (r0 + 1) * np.sin(th[::-1])])
            geoms.append(shapely.make_valid(Polygon(np.vstack([inner, outer]))))
    return frame(geoms, id=[f"r-{i}" for i in range(len(geoms))])


@pytest.mark.parametrize("seed", [21, 22])
def test_real_parcel_shapes_agree_with_an_independent_overlay(seed: int) -> None:
    parcels = real_shape_parcels(seed)
    station = frame([Point(E, N)])
    t = cov.coverage(parcels, station, radius_m=800)
    area = t["area_m2"].to_numpy()
    # independent reference: shapely.intersection with the buffer, parcel by parcel
    union = shapely.buffer(Point(E, N), 800, quad_segs=16)
    ref = shapely.area(shapely.intersection(parcels.geometry.to_numpy(), union))
    assert np.all(np.abs(t["covered_m2"].to_numpy() - ref) <= 1e-9 * area)
    np.testing.assert_allclose(t["covered_m2"], overlay_covered(parcels, station, 800), rtol=0, atol=1e-9 * area.max())
    # every shape straddles the edge somewhere
    share = t["share"].to_numpy()
    kinds = np.arange(len(parcels)) % 8
    for k in range(8):
        assert ((share[kinds == k] > 0) & (share[kinds == k] < 1)).any(), k


def test_straddlers_of_any_shape_need_no_geos_overlay(monkeypatch: pytest.MonkeyPatch) -> None:
    # the fast path (numpy clipping by convex parts of the catchment) covers non-convex, holed and
    # multi-part parcels too; GEOS' overlay is left for parcels larger than 256 blocks only
    parcels = real_shape_parcels(23)
    geoms = parcels.geometry.to_numpy()
    index = cov.index_catchment(cov.catchment(frame([Point(E, N)]), radius_m=800), tile_m=60.0)
    want = shapely.area(shapely.intersection(geoms, index.geometry))

    def refuse(*args, **kwargs):
        raise AssertionError("GEOS overlay called")

    monkeypatch.setattr(shapely, "intersection", refuse)
    area, covered, reached = cov.covered_area_chunk(geoms, index)
    assert np.all(np.abs(covered - want) <= 1e-9 * area)
    assert reached.tolist() == (want > 0).tolist()


def test_convex_parts_tile_each_polygon_exactly() -> None:
    from gis._clip import convex_parts

    rng = np.random.default_rng(5)
    geoms = np.array([
        box(0, 0, 10, 10),
        Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)]),
        box(0, 0, 10, 10).difference(box(2, 2, 4, 4)),
        MultiPolygon([box(0, 0, 1, 1), _wavy(5, 5, 3, 50, rng)]),
        None,
    ], dtype=object)
    parts, source = convex_parts(geoms)
    assert is_convex_polygon(parts, max_edges=None).all()
    for i, g in enumerate(geoms[:4]):
        mine = parts[source == i]
        assert shapely.area(mine).sum() == pytest.approx(g.area, rel=1e-12)
        assert shapely.union_all(mine).symmetric_difference(g).area == pytest.approx(0.0, abs=1e-9 * g.area)
    assert (source == 0).sum() == 1  # a convex polygon stays whole
    assert (source == 4).sum() == 0


def test_clip_areas_by_a_convex_polygon_of_many_edges() -> None:
    from gis._clip import clip_areas, convex_edges, ring_table

    circle = shapely.buffer(Point(0, 0), 100, quad_segs=64)  # 256 edges, convex
    rng = np.random.default_rng(8)
    subjects = np.array([_wavy(x, y, 30, 80, rng) for x, y in rng.uniform(-110, 110, (60, 2))]
                        + [box(-5, -5, 5, 5).difference(box(-1, -1, 1, 1))], dtype=object)
    edges = convex_edges(np.array([circle, shapely.reverse(circle)]), origin=(3.0, -2.0))
    rings = ring_table(subjects, origin=(3.0, -2.0))
    k = np.arange(len(subjects))
    want = shapely.area(shapely.intersection(subjects, circle))
    for c in (0, 1):
        got = clip_areas(edges, np.full(len(k), c), rings, k)
        assert np.all(np.abs(got - want) <= 1e-9 * shapely.area(subjects))
    assert want[-1] == pytest.approx(96.0) and ((want > 0) & (want < shapely.area(subjects))).sum() > 5


@pytest.mark.parametrize("tile_m", [37.0, 120.0, 400.0])
def test_tile_classes_equal_a_test_of_every_tile(tile_m: float) -> None:
    """Free tiles are classified one run per row; every tile must still get the class of its own centre."""
    lake = shapely.Point(E, N).buffer(2_500, quad_segs=16)
    island = shapely.Point(E + 300, N - 200).buffer(900, quad_segs=16)
    far = shapely.box(E + 3_500, N - 600, E + 4_700, N + 1_900)
    geom = shapely.union_all([lake.difference(island), far])  # a hole, a separate part, gaps between them
    index = cov.index_catchment(geom, tile_m=tile_m)
    tiles = np.diff(np.diff(index.inside_sum, axis=0), axis=1).astype(bool)
    outside = np.diff(np.diff(index.outside_sum, axis=0), axis=1).astype(bool)
    jj, ii = np.nonzero(~(tiles | outside))  # boundary tiles: neither class
    boundary = np.zeros_like(tiles)
    boundary[jj, ii] = True
    j, i = np.nonzero(~boundary)
    cx = index.x0 + (i + 0.5) * index.tile_m
    cy = index.y0 + (j + 0.5) * index.tile_m
    expected = shapely.contains_xy(geom, cx, cy)
    assert np.array_equal(tiles[j, i], expected)
    assert np.array_equal(outside[j, i], ~expected)
    assert tiles.any() and outside.any() and boundary.any()


def _cycles(table, n: int) -> list[list[tuple[tuple[float, float], ...]]]:
    """Each geometry's rings as vertex cycles rotated to start at their smallest vertex."""
    out = []
    for g in range(n):
        rings = []
        v = np.arange(table.vstart[g], table.vstart[g + 1])
        for r in np.unique(table.ring[v]):
            pts = [(float(a), float(b)) for a, b in zip(table.x[v][table.ring[v] == r], table.y[v][table.ring[v] == r])]
            k = pts.index(min(pts))
            rings.append(tuple(pts[k:] + pts[:k]))
        out.append(rings)
    return out


def test_ring_table_reads_polygons_like_the_general_path() -> None:
    """Polygons and multipolygons take a fast path (one ragged array); it must give the general path's rings."""
    from gis._clip import ring_table

    cw_square = Polygon([(0, 0), (0, 10), (10, 10), (10, 0)])  # exterior clockwise: must be flipped
    holed_ccw_hole = Polygon([(20, 0), (30, 0), (30, 10), (20, 10)], [[(22, 2), (24, 2), (24, 4), (22, 4)]])
    multi = MultiPolygon([box(40, 0, 45, 5), Polygon([(50, 0), (50, 5), (55, 5)])])
    ell = Polygon([(60, 0), (70, 0), (70, 3), (63, 3), (63, 10), (60, 10)])
    geoms = np.array([cw_square, holed_ccw_hole, Polygon(), multi, ell], dtype=object)
    fast = ring_table(geoms, origin=(5.0, 1.0))
    general = ring_table(np.append(geoms, shapely.GeometryCollection([box(0, 0, 1, 1)])), origin=(5.0, 1.0))
    assert _cycles(fast, len(geoms)) == _cycles(general, len(geoms))
    assert np.array_equal(fast.rstart, general.rstart[: len(geoms) + 1])
    # orientation: exterior counter-clockwise (positive), holes clockwise (negative)
    signed = [shapely.area(shapely.Polygon(np.column_stack([fast.x[fast.ring == r], fast.y[fast.ring == r]])))
              * (1 if shapely.is_ccw(shapely.LinearRing(np.column_stack([fast.x[fast.ring == r], fast.y[fast.ring == r]]))) else -1)
              for r in np.unique(fast.ring)]
    assert [s > 0 for s in signed] == [True, True, False, True, True, True]
