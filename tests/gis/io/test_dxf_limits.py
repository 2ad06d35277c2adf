"""DXF reads bounded before arcs are expanded, and damaged XDATA that sinks one entity only (issue 11)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ezdxf
import geopandas as gpd
import pytest
from shapely.geometry import box

import gis.io._dxf_arcs as arcs_module
from gis import settings
from gis.errors import LimitExceeded
from gis.io import read_any
from gis.io.dxf import read_dxf, write_dxf
from gis.report import ValidationReport

E, N = 489_700.0, 2_536_800.0
ROOT = Path(__file__).resolve().parents[3]


def _bulged(path: Path, *, polylines: int, vertices: int, bulge: float, side: float = 10.0) -> Path:
    """Closed polylines whose every segment is an arc of the given bulge (1e8: nearly a full circle of huge radius)."""
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for k in range(polylines):
        x0, y0 = E + (k % 20) * 50.0, N + (k // 20) * 50.0
        pts = [(x0 + side * i / vertices, y0 + (side if i % 2 else 0.0), bulge) for i in range(vertices)]
        msp.add_lwpolyline(pts, format="xyb", close=True)
    doc.saveas(path)
    return path


def test_vertex_budget_is_checked_before_any_arc_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _bulged(tmp_path / "arcs.dxf", polylines=3, vertices=8, bulge=0.5)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("an arc was expanded before the budget was checked")

    monkeypatch.setattr(settings, "MAX_VERTICES", 50)
    monkeypatch.setattr(arcs_module, "_expand", never)
    with pytest.raises(LimitExceeded) as err:
        read_dxf(path, ValidationReport())
    assert "50" in err.value.en and "SSL_GIS_MAX_VERTICES" in err.value.en and "50" in err.value.zh


def test_planned_count_is_what_flattening_makes(tmp_path: Path) -> None:
    path = _bulged(tmp_path / "arcs.dxf", polylines=2, vertices=6, bulge=0.8)
    doc = ezdxf.readfile(path)
    raws = [arcs_module.raw_polyline(e) for e in doc.modelspace()]
    tolerance, _extent, planned = arcs_module.plan_flattening(raws)
    made = sum(len(arcs_module._expand(*raw, tolerance)) for raw in raws)
    assert planned == made and made > 2 * 6


def test_a_huge_arc_coarsens_the_tolerance_and_says_so(tmp_path: Path) -> None:
    path = _bulged(tmp_path / "huge.dxf", polylines=1, vertices=4, bulge=1e8)
    report = ValidationReport()
    gdf = read_dxf(path, report)
    # radius ≈ 2.5e8 m: at 1 cm this arc alone would be ~10⁶ vertices; sized to the drawing a few hundred
    assert gdf.geometry.iloc[0].exterior.coords.__len__() < 4 * 600
    note = next(p for p in report.problems if p.problem == "dxf_arc_tolerance")
    assert "flattened" in note.message_en


def test_ordinary_arcs_keep_centimetre_precision(tmp_path: Path) -> None:
    doc = ezdxf.new("R2010")
    doc.modelspace().add_lwpolyline([(E, N, 0), (E + 10, N, 1), (E + 10, N + 10, 0), (E, N + 10, 0)], format="xyb", close=True)
    doc.saveas(tmp_path / "arc.dxf")
    report = ValidationReport()
    ring = read_dxf(tmp_path / "arc.dxf", report).geometry.iloc[0].exterior
    assert not [p for p in report.problems if p.problem == "dxf_arc_tolerance"]
    cx, cy = E + 10, N + 5
    arc = [(x, y) for x, y in ring.coords if x >= E + 10]
    radii = [((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 for x, y in arc]
    assert radii == pytest.approx([5.0] * len(arc), abs=1e-9)  # every arc vertex lies on the circle
    mids = [(((a[0] + b[0]) / 2 - cx) ** 2 + ((a[1] + b[1]) / 2 - cy) ** 2) ** 0.5 for a, b in zip(arc, arc[1:])]
    assert min(mids) >= 5.0 - 0.01 - 1e-9  # no chord strays more than 1 cm from the arc
    assert len(arc) > 10


_RSS_PROBE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))  # the machine is shared: never more
from gis.io import read_any
from gis.errors import InputError
try:
    outcome = "read %d" % len(read_any(sys.argv[1], crs="EPSG:4547").gdf)
except InputError as exc:
    outcome = "refused " + exc.en
print(outcome)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_bulge_bomb_is_read_within_a_memory_bound(tmp_path: Path) -> None:
    # ~30 KB: 300 arcs of radius ≈ 2.5e8 m; flattened at 1 cm before the fix this took gigabytes.
    path = _bulged(tmp_path / "bomb.dxf", polylines=1, vertices=300, bulge=1e8)
    assert path.stat().st_size < 100_000
    run = subprocess.run([sys.executable, "-c", _RSS_PROBE, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    outcome, peak_mb = run.stdout.strip().splitlines()
    assert "memory" not in outcome, outcome
    # ~230 MB is the interpreter with the readers loaded; one loaded CI run peaked at 494 MB. Before the fix this
    # file took 2.6 GB (and RLIMIT_AS above turns any such regression into a MemoryError, caught just above).
    assert int(peak_mb) < 800, f"peak RSS {peak_mb} MB ({outcome})"


@pytest.fixture
def written(tmp_path: Path) -> Path:
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name_zh": ["甲", "乙"], "status": ["planned", "completed"]},
        geometry=[box(E, N, E + 100, N + 100), box(E + 200, N, E + 300, N + 100)],
        crs="EPSG:4547",
    )
    return write_dxf(frame, tmp_path / "ours.dxf")


@pytest.mark.parametrize(
    ("find", "replace"),
    [
        ("1071\n0\n1000\nshell", "1071\nabc\n1000\nshell"),  # an integer that is not one: ezdxf refused the whole file
        ("1000\nssl-gis/1\n", "1000\nssl-gis/1\n1004\nZZZ\n"),  # binary chunk that is not hex
    ],
)
def test_one_damaged_xdata_entity_does_not_sink_the_drawing(written: Path, find: str, replace: str) -> None:
    text = written.read_text(encoding="utf-8")
    assert find in text
    written.write_text(text.replace(find, replace, 1), encoding="utf-8")
    result = read_any(written)
    assert len(result.gdf) == 2
    assert "乙" in set(result.gdf["name_zh"])  # the undamaged feature keeps its attributes
    problem = next(p for p in result.report.problems if p.problem == "dxf_xdata")
    assert "XDATA" in problem.message_en and "XDATA" in problem.message_zh


def test_xdata_attributes_that_are_not_an_object_are_a_problem_not_a_crash(written: Path) -> None:
    text = written.read_text(encoding="utf-8")
    attrs = json.dumps({"id": "a", "name_zh": "甲", "status": "planned"}, ensure_ascii=True, separators=(",", ":"))
    assert attrs in text
    written.write_text(text.replace(attrs, "[1,2]", 1), encoding="utf-8")
    result = read_any(written)
    assert len(result.gdf) == 2
    assert any(p.problem == "dxf_xdata" for p in result.report.problems)
