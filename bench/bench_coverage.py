"""Benchmark: parcel area and coverage at city scale (10 k, 100 k, 1 M parcels × 50 stations, 800 m).

Compares, in one run on one machine:

* ``ours``    — :func:`gis.coverage.coverage` (tiles + prepared predicates + intersections of straddlers only);
* ``naive``   — a straightforward geopandas overlay: buffer, union, ``geopandas.overlay`` every parcel;
* ``strtree`` — a straightforward shapely-vectorised version: STRtree candidates, intersect each with the union;
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

Usage::

    .venv/bin/python bench/bench_coverage.py --sizes 10000 100000 1000000 --repeat 3 \
        --duckdb-python /tmp/duckbench-venv/bin/python --results bench/RESULTS.md
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


def make_parcels(n: int, *, seed: int = 7):
    """``n`` irregular quadrilateral parcels on a jittered grid (EPSG:4547), with gaps between them."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    k = int(np.ceil(np.sqrt(n)))
    side = 2 * HALF_EXTENT_M / k
    i, j = np.meshgrid(np.arange(k), np.arange(k))
    x = LAKE_E - HALF_EXTENT_M + i.ravel()[:n] * side
    y = LAKE_N - HALF_EXTENT_M + j.ravel()[:n] * side

    def jitter() -> np.ndarray:
        return rng.uniform(0.02, 0.2, n) * side

    xs = np.column_stack([x + jitter(), x + side - jitter(), x + side - jitter(), x + jitter()])
    ys = np.column_stack([y + jitter(), y + jitter(), y + side - jitter(), y + side - jitter()])
    xs = np.column_stack([xs, xs[:, 0]])
    ys = np.column_stack([ys, ys[:, 0]])
    rings = shapely.linearrings(np.stack([xs, ys], axis=-1).reshape(-1, 2), indices=np.repeat(np.arange(n), 5))
    return gpd.GeoDataFrame({"id": np.char.add("p", np.arange(n).astype(str))}, geometry=shapely.polygons(rings), crs="EPSG:4547")


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


METHODS = {"ours": run_ours, "naive": run_naive, "strtree": run_strtree}

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


def worker(method: str, n: int, repeat: int, out: str, duckdb_python: str | None) -> dict:
    """Run one method at one size in this process; save covered areas to ``out``; return timings."""
    parcels = make_parcels(n)
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
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        area, covered = func(parcels, stations)
        times.append(time.perf_counter() - t)
    method_peak_kb = _peak_rss_kb()
    np.save(out, covered)
    t = time.perf_counter()
    from gis.area import area_m2

    area_m2(parcels)
    area_time = time.perf_counter() - t
    return {
        "times": times,
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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--duckdb-python", default=os.environ.get("DUCKDB_SPATIAL_PYTHON"))
    ap.add_argument("--results", help="write the markdown table here")
    ap.add_argument("--worker", nargs=3, metavar=("METHOD", "N", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        method, n, out = args.worker
        print(json.dumps(worker(method, int(n), args.repeat, out, args.duckdb_python)))
        return

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            covered = {}
            for method in args.methods:
                if method == "duckdb" and not args.duckdb_python:
                    continue
                out = os.path.join(tmp, f"{method}-{n}.npy")
                cmd = [sys.executable, __file__, "--repeat", str(args.repeat), "--worker", method, str(n), out]
                if args.duckdb_python:
                    cmd += ["--duckdb-python", args.duckdb_python]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    sys.stderr.write(proc.stderr)
                    raise SystemExit(f"{method} at {n} failed")
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                covered[method] = np.load(out)
                res.update(method=method, n=n, median_s=statistics.median(res["times"]), load=os.getloadavg()[0])
                rows.append(res)
                sys.stderr.write(f"{n:>9} {method:<8} median {res['median_s']:.3f} s  runs {[f'{t:.3f}' for t in res['times']]}  "
                                 f"peak RSS {res['maxrss_kb'] / 1024:.0f} MiB\n")
            area = make_parcels(n).geometry.area.to_numpy()
            for method, cov in covered.items():
                err = float(np.max(np.abs(cov - covered["ours"]) / area))
                for r in rows:
                    if r["n"] == n and r["method"] == method:
                        r["max_rel_diff_vs_ours"] = err
                sys.stderr.write(f"{n:>9} {method:<8} max |covered − ours| / parcel area = {err:.2e}\n")
    print(json.dumps(rows, indent=1))
    if args.results:
        write_results(Path(args.results), rows, args.repeat)


def write_results(path: Path, rows: list[dict], repeat: int) -> None:
    """Write the markdown table of one run (ratios against the baselines of the same run)."""
    lines = [
        "## Run of " + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "",
        f"Machine: {machine()}",
        "",
        f"Query: coverage of N synthetic parcels by {STATIONS} stations within {RADIUS_M:.0f} m; median of {repeat} runs; "
        "peak RSS of the process that ran the method (data generation included).",
        "",
        "| parcels | method | median s | runs s | load avg (1 min) after | naive ÷ this | duckdb ÷ this "
        "| peak RSS MiB (process) | peak RSS MiB during "
        "the method (data alone) | max rel. diff vs ours |",
        "| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    def _during(r: dict) -> str:
        if r.get("method_peak_kb") is None:
            return "—"
        return f"{r['method_peak_kb'] / 1024:.0f} ({r['data_rss_kb'] / 1024:.0f})"

    def ratio(r: dict, k: str) -> str:
        base = {x["method"]: x["median_s"] for x in rows if x["n"] == r["n"]}
        return f"{base[k] / r['median_s']:.1f} ×" if k in base else "—"

    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['method']} | {r['median_s']:.3f} | {', '.join(f'{t:.3f}' for t in r['times'])} | "
            f"{r.get('load', float('nan')):.1f} | "
            f"{ratio(r, 'naive')} | {ratio(r, 'duckdb')} | {r['maxrss_kb'] / 1024:.0f} | {_during(r)} | "
            f"{r.get('max_rel_diff_vs_ours', float('nan')):.1e} "
            "|"
        )
    for r in rows:
        if "area_s" in r and r["method"] == "ours":
            lines.append(f"\nArea of {r['n']:,} parcels (gis.area.area_m2): {r['area_s']:.3f} s.")
    path.write_text(path.read_text() + "\n" + "\n".join(lines) + "\n" if path.exists() else "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
