"""Benchmark: parcel area and coverage at city scale (10 k, 100 k, 1 M parcels × 50 stations, 800 m).

Compares, in one run on one machine:

* ``ours``    — :func:`gis.coverage.coverage` (tiles + prepared predicates + intersections of straddlers only);
* ``naive``   — a straightforward geopandas overlay: buffer, union, ``geopandas.overlay`` every parcel;
* ``strtree`` — a straightforward shapely-vectorised version: STRtree candidates, intersect each with the union;
* ``floor``   — not a method: the area and the box of every parcel on all cores, what any exact method must at
  least read (``--methods … floor``; at 1 M many-vertex parcels it says how low a time is possible here);
* ``duckdb``  — DuckDB's spatial extension on the same query (``ST_Buffer`` with 16 segments per quarter
  circle, ``ST_Union_Agg``, ``ST_Intersection``). The extension cannot be installed into the project's
  DuckDB (2.0.1; ``INSTALL spatial`` needs the extension host, and the PyPI extension wheels stop at
  1.5.5 and crash DuckDB 2.0.1 when force-loaded), so it runs in a side virtualenv holding
  ``duckdb==1.5.5`` and ``duckdb-extension-spatial==1.5.5`` (and numpy); point ``--duckdb-python`` at its interpreter.

Each (method, size) runs in a fresh process so that its peak RSS (``resource.getrusage``) is its own;
the parcels are generated from a fixed seed in every process, and the per-parcel covered areas are
written to ``.npy`` files so the parent checks that all methods agree (to 1e-9 of each parcel's area).
Times are medians over ``--repeat`` runs (≥ 3) of the coverage computation on data already in memory
(buffering and union included, file reading excluded).

Parcel shapes (``--shapes``, see :data:`SHAPES`) are a dimension: convex quadrilaterals, non-convex L
shapes, many-vertex wavy outlines and holed quadrilaterals, all on the same grid of cells.

Usage (the run recorded in RESULTS.md for issue 15)::

    .venv/bin/python bench/bench_coverage.py --sizes 100000 1000000 --shapes quad lshape many holed --repeat 5 \
        --large-methods ours floor --duckdb-python /tmp/duckbench-venv/bin/python --results bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine  # noqa: E402

LAKE_E, LAKE_N = 489_700.0, 2_536_800.0
HALF_EXTENT_M = 10_000.0  # parcels fill a 20 km × 20 km square centred on the lake
STATION_HALF_EXTENT_M = 8_000.0
RADIUS_M = 800.0
STATIONS = 50


#: Parcel shapes of the benchmark (``--shapes``), each on the same jittered grid of cells.
SHAPES = {
    "quad": "convex quadrilaterals (4 vertices)",
    "lshape": "non-convex L shapes (6 vertices)",
    "many": "non-convex wavy outlines, 20–200 vertices (mean ≈ 110)",
    "holed": "quadrilaterals with a square hole (4 + 4 vertices)",
}


def _rings(xs: np.ndarray, ys: np.ndarray, counts: np.ndarray):
    """Closed linear rings from open vertex lists ``xs``, ``ys`` (flat, ``counts`` vertices per ring)."""
    import shapely

    n = len(counts)
    starts = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(n), counts)
    order = np.concatenate([np.arange(len(xs)), starts])  # every ring, then its first vertex again
    ring = np.concatenate([owner, np.arange(n)])
    pos = np.concatenate([np.arange(len(xs)) - starts[owner], counts])
    o = np.lexsort((pos, ring))
    return shapely.linearrings(np.column_stack([xs[order][o], ys[order][o]]), indices=ring[o])


def make_parcels(n: int, *, seed: int = 7, shape: str = "quad"):
    """``n`` parcels of one of :data:`SHAPES` on a jittered grid (EPSG:4547), with gaps between them."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    k = int(np.ceil(np.sqrt(n)))
    side = 2 * HALF_EXTENT_M / k
    i, j = np.meshgrid(np.arange(k), np.arange(k))
    x = LAKE_E - HALF_EXTENT_M + i.ravel()[:n] * side
    y = LAKE_N - HALF_EXTENT_M + j.ravel()[:n] * side

    def u(lo: float, hi: float) -> np.ndarray:
        return rng.uniform(lo, hi, n) * side

    if shape in ("quad", "holed"):
        xs = np.column_stack([x + u(0.02, 0.2), x + side - u(0.02, 0.2), x + side - u(0.02, 0.2), x + u(0.02, 0.2)])
        ys = np.column_stack([y + u(0.02, 0.2), y + u(0.02, 0.2), y + side - u(0.02, 0.2), y + side - u(0.02, 0.2)])
        geoms = shapely.polygons(_rings(xs.ravel(), ys.ravel(), np.full(n, 4)))
        if shape == "holed":
            cx, cy, h = x + side / 2, y + side / 2, u(0.08, 0.2)
            hx = np.column_stack([cx - h, cx - h, cx + h, cx + h])
            hy = np.column_stack([cy - h, cy + h, cy + h, cy - h])
            holes = _rings(hx.ravel(), hy.ravel(), np.full(n, 4))
            geoms = shapely.polygons(shapely.get_exterior_ring(geoms), holes=holes[:, None])
    elif shape == "lshape":
        a, b = x + u(0.02, 0.15), y + u(0.02, 0.15)
        c, d = x + side - u(0.02, 0.15), y + side - u(0.02, 0.15)
        mx, my = x + u(0.35, 0.65), y + u(0.35, 0.65)
        xs = np.column_stack([a, c, c, mx, mx, a])
        ys = np.column_stack([b, b, my, my, d, d])
        geoms = shapely.polygons(_rings(xs.ravel(), ys.ravel(), np.full(n, 6)))
    elif shape == "many":
        chunks = []
        for lo in range(0, n, 100_000):  # in chunks: 1 M parcels hold ~110 M vertices
            cx, cy = x[lo:lo + 100_000], y[lo:lo + 100_000]
            m = len(cx)
            counts = rng.integers(20, 201, m)
            owner = np.repeat(np.arange(m), counts)
            k_ = np.arange(len(owner)) - (np.cumsum(counts) - counts)[owner]
            th = 2 * np.pi * k_ / counts[owner]
            phase = rng.uniform(0, 2 * np.pi, m)[owner]
            r = side * 0.45 * (0.75 + 0.15 * np.sin(3 * th + phase) + 0.1 * rng.uniform(0, 1, len(owner)))
            chunks.append(shapely.polygons(_rings(cx[owner] + side / 2 + r * np.cos(th), cy[owner] + side / 2 + r * np.sin(th), counts)))
        geoms = np.concatenate(chunks)
    else:
        raise ValueError(f"unknown parcel shape {shape!r}; one of {sorted(SHAPES)}")
    return gpd.GeoDataFrame({"id": np.char.add("p", np.arange(n).astype(str))}, geometry=geoms, crs="EPSG:4547")


def make_stations(k: int = STATIONS, *, seed: int = 11):
    """``k`` station points scattered over the central 16 km × 16 km (EPSG:4547)."""
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    x = rng.uniform(LAKE_E - STATION_HALF_EXTENT_M, LAKE_E + STATION_HALF_EXTENT_M, k)
    y = rng.uniform(LAKE_N - STATION_HALF_EXTENT_M, LAKE_N + STATION_HALF_EXTENT_M, k)
    return gpd.GeoDataFrame({"id": [f"s{i}" for i in range(k)]}, geometry=gpd.points_from_xy(x, y), crs="EPSG:4547")


# --- the methods: each returns (area_m2, covered_m2) arrays in parcel order -------------------------


def run_ours(parcels, stations):
    from gis.coverage import coverage

    t = coverage(parcels, stations, radius_m=RADIUS_M)
    return t["area_m2"].to_numpy(), t["covered_m2"].to_numpy()


def run_naive(parcels, stations):
    import geopandas as gpd

    union = stations.buffer(RADIUS_M).union_all()
    catch = gpd.GeoDataFrame(geometry=[union], crs=stations.crs)
    left = gpd.GeoDataFrame({"pid": np.arange(len(parcels))}, geometry=parcels.geometry.to_numpy(), crs=parcels.crs)
    ov = gpd.overlay(left, catch, how="intersection", keep_geom_type=True)
    covered = np.bincount(ov["pid"].to_numpy(), weights=ov.geometry.area.to_numpy(), minlength=len(parcels))
    return parcels.geometry.area.to_numpy(), covered


def run_strtree(parcels, stations):
    import shapely

    geoms = parcels.geometry.to_numpy()
    union = shapely.union_all(shapely.buffer(stations.geometry.to_numpy(), RADIUS_M, quad_segs=16))
    tree = shapely.STRtree(geoms)
    cand = tree.query(union, predicate="intersects")
    covered = np.zeros(len(geoms))
    covered[cand] = shapely.area(shapely.intersection(geoms[cand], union))
    return shapely.area(geoms), covered


def run_floor(parcels, stations):
    """Not a coverage method: the area and the box of every parcel on all cores, the least any exact method reads.

    Every method must visit each vertex at least once (the area of every parcel is part of the answer), so
    this is a floor under any of them on this machine; covered areas are not computed (NaN).
    """
    from concurrent.futures import ThreadPoolExecutor

    import shapely

    geoms = parcels.geometry.to_numpy()
    chunks = np.array_split(geoms, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        area = np.concatenate(list(pool.map(lambda c: shapely.area(c) + 0 * shapely.bounds(c)[:, 0], chunks)))
    return area, np.full(len(geoms), np.nan)


METHODS = {"ours": run_ours, "naive": run_naive, "strtree": run_strtree, "floor": run_floor}

DUCKDB_SCRIPT = r"""
import json, os, resource, statistics, sys, time
import duckdb, duckdb_extension_spatial
parquet, stations, radius, repeat, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
ext = os.path.join(os.path.dirname(duckdb_extension_spatial.__file__), "extensions", "v" + duckdb.__version__, "spatial.duckdb_extension")
con = duckdb.connect()
con.execute(f"LOAD '{ext}'")
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE parcels AS SELECT pid, ST_GeomFromWKB(wkb) AS geom FROM read_parquet(?)", [parquet])
con.execute("CREATE TABLE stations AS SELECT ST_GeomFromWKB(wkb) AS geom FROM read_parquet(?)", [stations])
sql = '''
WITH c AS (SELECT ST_Union_Agg(ST_Buffer(geom, ?, 16)) AS g FROM stations)
SELECT p.pid, ST_Area(ST_Intersection(p.geom, c.g)) AS cov
FROM parcels p, c WHERE ST_Intersects(p.geom, c.g)
'''
times = []
for _ in range(repeat):
    t = time.perf_counter()
    rows = con.execute(sql, [radius]).fetchnumpy()
    times.append(time.perf_counter() - t)
import numpy as np
n = con.execute("SELECT count(*) FROM parcels").fetchone()[0]
cov = np.zeros(n)
cov[rows["pid"]] = rows["cov"]
np.save(out, cov)
print(json.dumps({"times": times, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "duckdb": duckdb.__version__, "threads": con.execute("SELECT current_setting('threads')").fetchone()[0]}))
"""


def _status_kb(key: str) -> int | None:
    """A ``kB`` value of this process from /proc/self/status (``VmHWM``, ``VmRSS``), or None where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _peak_rss_kb() -> int | None:
    """VmHWM of this process (kB) from /proc, or None where there is no /proc."""
    return _status_kb("VmHWM")


def _reset_peak_rss() -> int | None:
    """Reset the peak-RSS mark (Linux: write 5 to /proc/self/clear_refs); return the current RSS in kB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status_kb("VmRSS")


def worker(method: str, n: int, repeat: int, out: str, duckdb_python: str | None, shape: str = "quad") -> dict:
    """Run one method at one size and shape in this process; save covered areas to ``out``; return timings."""
    parcels = make_parcels(n, shape=shape)
    stations = make_stations()
    if method == "duckdb":
        import shapely

        with tempfile.TemporaryDirectory() as tmp:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pp, sp = os.path.join(tmp, "parcels.parquet"), os.path.join(tmp, "stations.parquet")
            pq.write_table(pa.table({"pid": np.arange(n), "wkb": shapely.to_wkb(parcels.geometry.to_numpy())}), pp)
            pq.write_table(pa.table({"wkb": shapely.to_wkb(stations.geometry.to_numpy())}), sp)
            del parcels
            proc = subprocess.run(
                [duckdb_python, "-c", DUCKDB_SCRIPT, pp, sp, str(RADIUS_M), str(repeat), out],
                capture_output=True, text=True, check=False,
            )
            if proc.returncode != 0:
                raise SystemExit(f"duckdb side process failed: {proc.stderr[-2000:]}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        return {"times": res["times"], "maxrss_kb": res["maxrss_kb"], "note": f"duckdb {res['duckdb']}, threads={res['threads']}"}
    func = METHODS[method]
    baseline_kb = _reset_peak_rss()
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        area, covered = func(parcels, stations)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    method_peak_kb = _peak_rss_kb()
    np.save(out, covered)
    t = time.perf_counter()
    from gis.area import area_m2

    area_m2(parcels)
    area_time = time.perf_counter() - t
    return {
        "times": times,
        "cpu": cpu,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "data_rss_kb": baseline_kb,
        "method_peak_kb": method_peak_kb,
        "area_s": area_time,
        "area_sum_m2": float(area.sum()),
        "covered_sum_m2": float(covered.sum()),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--methods", nargs="+", default=["ours", "naive", "strtree", "duckdb"])
    ap.add_argument("--shapes", nargs="+", default=["quad"], choices=sorted(SHAPES))
    ap.add_argument("--large-methods", nargs="+", help="methods to run at 1 M parcels and more (default: --methods)")
    ap.add_argument("--large-repeat", type=int, help="repeats of the baselines (not ours) at 1 M parcels and more (default: --repeat)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--duckdb-python", default=os.environ.get("DUCKDB_SPATIAL_PYTHON"))
    ap.add_argument("--results", help="write the markdown table here")
    ap.add_argument("--rows-json", help="keep the rows measured so far in this JSON file (after every row)")
    ap.add_argument("--render-json", help="only write the table of a --rows-json file to --results")
    ap.add_argument("--worker", nargs=4, metavar=("METHOD", "N", "OUT", "SHAPE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        method, n, out, shape = args.worker
        print(json.dumps(worker(method, int(n), args.repeat, out, args.duckdb_python, shape)))
        return

    if args.render_json:
        saved = json.loads(Path(args.render_json).read_text())
        write_results(Path(args.results), saved["rows"], args.repeat, started=saved["started"], uptime_before=saved["uptime_before"])
        return
    rows = []
    started, uptime_before = datetime.now(UTC).strftime("%H:%M UTC"), _uptime()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            large = n >= 1_000_000
            methods = (args.large_methods or args.methods) if large else args.methods
            for shape in args.shapes:
                covered = {}
                for method in methods:
                    if method == "duckdb" and not args.duckdb_python:
                        continue
                    out = os.path.join(tmp, f"{method}-{n}-{shape}.npy")
                    load_before = os.getloadavg()[0]
                    repeat = args.large_repeat if large and args.large_repeat and method != "ours" else args.repeat
                    cmd = [sys.executable, __file__, "--repeat", str(repeat), "--worker", method, str(n), out, shape]
                    if args.duckdb_python:
                        cmd += ["--duckdb-python", args.duckdb_python]
                    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                    if proc.returncode != 0:
                        sys.stderr.write(proc.stderr)
                        raise SystemExit(f"{method} at {n} failed")
                    res = json.loads(proc.stdout.strip().splitlines()[-1])
                    covered[method] = np.load(out)
                    res.update(method=method, n=n, shape=shape, median_s=statistics.median(res["times"]),
                               load=os.getloadavg()[0], load_before=load_before)
                    rows.append(res)
                    if args.rows_json:
                        Path(args.rows_json).write_text(json.dumps({"started": started, "uptime_before": uptime_before, "rows": rows}))
                    runs = [f"{t:.3f}" for t in res["times"]]
                    sys.stderr.write(f"{n:>9} {shape:<6} {method:<8} median {res['median_s']:.3f} s  runs {runs}  "
                                     f"peak RSS {res['maxrss_kb'] / 1024:.0f} MiB\n")
                area = make_parcels(n, shape=shape).geometry.area.to_numpy()
                for method, cov in covered.items():
                    if "ours" not in covered:
                        break
                    if method == "floor":  # computes no coverage
                        continue
                    err = float(np.max(np.abs(cov - covered["ours"]) / area))
                    for r in rows:
                        if r["n"] == n and r["method"] == method and r["shape"] == shape:
                            r["max_rel_diff_vs_ours"] = err
                    sys.stderr.write(f"{n:>9} {shape:<6} {method:<8} max |covered − ours| / parcel area = {err:.2e}\n")
    print(json.dumps(rows, indent=1))
    if args.results:
        write_results(Path(args.results), rows, args.repeat, started=started, uptime_before=uptime_before)


def _uptime() -> str:
    """``uptime`` output (load averages), or the 1/5/15-minute loads where there is no uptime."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def write_results(path: Path, rows: list[dict], repeat: int, *, started: str = "", uptime_before: str = "") -> None:
    """Write the markdown table of one run (ratios against the baselines of the same run and shape)."""
    lines = [
        "## Run of " + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC") + (f" (started {started})" if started else ""),
        "",
        f"Machine: {machine()}",
        "",
        f"Load: `{uptime_before}` when the run started; `{_uptime()}` when it ended; the 1-minute load before "
        "and after each row is in the table.",
        "",
        f"Query: coverage of N synthetic parcels by {STATIONS} stations within {RADIUS_M:.0f} m; median of the runs listed; "
        "peak RSS of the process that ran the method (data generation included). Shapes: "
        + "; ".join(f"`{k}` {v}" for k, v in SHAPES.items()) + ".",
        "",
        "| parcels | shape | method | median s | runs s | load 1-min before / after | naive ÷ this | strtree ÷ this "
        "| duckdb ÷ this | CPU s (median, all threads) | naive CPU ÷ this CPU "
        "| peak RSS MiB (process) | peak RSS MiB during the method (data alone) | max rel. diff vs ours |",
        "| ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def _during(r: dict) -> str:
        if r.get("method_peak_kb") is None:
            return "—"
        return f"{r['method_peak_kb'] / 1024:.0f} ({r['data_rss_kb'] / 1024:.0f})"

    def ratio(r: dict, k: str) -> str:
        base = {x["method"]: x["median_s"] for x in rows if x["n"] == r["n"] and x.get("shape") == r.get("shape")}
        return f"{base[k] / r['median_s']:.1f} ×" if k in base else "—"

    def cpu(r: dict) -> float | None:
        return statistics.median(r["cpu"]) if r.get("cpu") else None

    def cpu_ratio(r: dict) -> str:
        base = [cpu(x) for x in rows if x["n"] == r["n"] and x.get("shape") == r.get("shape") and x["method"] == "naive"]
        return f"{base[0] / cpu(r):.1f} ×" if base and base[0] and cpu(r) else "—"

    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r.get('shape', 'quad')} | {r['method']} | {r['median_s']:.3f} | "
            f"{', '.join(f'{t:.3f}' for t in r['times'])} | "
            f"{r.get('load_before', float('nan')):.1f} / {r.get('load', float('nan')):.1f} | "
            f"{ratio(r, 'naive')} | {ratio(r, 'strtree')} | {ratio(r, 'duckdb')} | "
            f"{'—' if cpu(r) is None else f'{cpu(r):.3f}'} | {cpu_ratio(r)} | {r['maxrss_kb'] / 1024:.0f} | {_during(r)} | "
            f"{r.get('max_rel_diff_vs_ours', float('nan')):.1e} |"
        )
    text = "\n".join(lines) + "\n"
    path.write_text(path.read_text() + "\n" + text if path.exists() else text)


if __name__ == "__main__":
    main()
