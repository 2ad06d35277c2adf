"""Benchmark: single-machine vs dask coverage and area totals (100 k and 1 M parcels × 50 stations, 800 m).

The same synthetic parcels as ``bench_coverage.py`` (fixed seed, EPSG:4547), stored once as GeoParquet:

* ``single``      — ``geopandas.read_parquet`` of one file, then :func:`gis.coverage.coverage` (threads on
  all cores) and :func:`gis.dask_metrics.area_totals`; the whole set is in one process's memory;
* ``dask``        — :func:`gis.dask_metrics.coverage_dask` and :func:`gis.dask_metrics.area_totals_dask` on
  the Hilbert-partitioned GeoParquet folder (``write_spatial_partitions``) under a ``LocalCluster`` of
  ``--workers`` processes × 1 thread; the per-parcel table is collected on the client;
* ``dask-totals`` — the same, but only the totals come back (``compute=False`` then a sum): the client
  never holds a row per parcel, which is the out-of-core mode.

Every run reads the parcels from disk (both paths), so times are end to end; the catchment is built in
every run. Each method runs in a fresh process; its peak memory is the peak of the summed RSS of that
process and all its children (the dask workers), sampled every 50 ms with psutil. The per-parcel covered
areas of ``single`` and ``dask`` are compared in the parent (max |difference| / parcel area).

Usage::

    .venv/bin/python bench/bench_dask.py --sizes 100000 1000000 --repeat 3 --results bench/RESULTS.md
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
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine  # noqa: E402
from bench_coverage import RADIUS_M, STATIONS, make_parcels, make_stations  # noqa: E402

METHODS = ("single", "dask", "dask-totals")
#: Versions reported in the machine line.
DASK_PACKAGES = ("shapely", "geopandas", "dask", "distributed", "dask_geopandas")


class PeakRSS:
    """Peak of the summed RSS of this process and its descendants, sampled on a thread."""

    def __init__(self, every_s: float = 0.05) -> None:
        import psutil

        self._proc = psutil.Process()
        self._every = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        import psutil

        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def cpu_s(self) -> float:
        """User + system CPU seconds so far of this process and its live descendants."""
        import psutil

        total = 0.0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.peak = max(self.peak, self._sample())

    def __enter__(self) -> PeakRSS:
        self.peak = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def prepare(n: int, folder: Path, npartitions: int) -> dict:
    """Write the parcels as one GeoParquet file and as a Hilbert-partitioned dataset."""
    from gis.dask_metrics import write_spatial_partitions

    parcels = make_parcels(n)
    parcels.to_parquet(folder / "parcels.parquet")
    t = time.perf_counter()
    write_spatial_partitions(parcels, folder / "dataset", npartitions=npartitions)
    return {"write_dataset_s": time.perf_counter() - t}


def worker(method: str, folder: Path, repeat: int, workers: int, out: str) -> dict:
    """Run one method ``repeat`` times in this process; save per-parcel covered areas to ``out``."""
    import geopandas as gpd

    from gis.coverage import coverage
    from gis.dask_metrics import area_totals, area_totals_dask, coverage_dask

    stations = make_stations()
    times: list[float] = []
    cpu: list[float] = []
    extra: dict = {"load_before": os.getloadavg()[0]}
    with PeakRSS() as peak:
        if method == "single":
            for _ in range(repeat + 1):
                t, c0 = time.perf_counter(), peak.cpu_s()
                parcels = gpd.read_parquet(folder / "parcels.parquet")
                table = coverage(parcels, stations, radius_m=RADIUS_M)
                totals = area_totals(parcels)
                times.append(time.perf_counter() - t)
                cpu.append(peak.cpu_s() - c0)
                covered = table["covered_m2"].to_numpy()
                del parcels
        else:
            from distributed import Client, LocalCluster

            t = time.perf_counter()
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                    Client(cluster) as client:
                extra["cluster_start_s"] = time.perf_counter() - t
                for _ in range(repeat + 1):
                    t, c0 = time.perf_counter(), peak.cpu_s()
                    if method == "dask":
                        table = coverage_dask(folder / "dataset", stations, radius_m=RADIUS_M, client=client)
                        totals = area_totals_dask(folder / "dataset", client=client)
                    else:
                        lazy = coverage_dask(folder / "dataset", stations, radius_m=RADIUS_M, client=client, compute=False)
                        sums = client.compute(lazy[["area_m2", "covered_m2"]].sum()).result()
                        totals = area_totals_dask(folder / "dataset", client=client)
                    times.append(time.perf_counter() - t)
                    cpu.append(peak.cpu_s() - c0)
                if method == "dask":
                    covered = table["covered_m2"].sort_index().to_numpy()
                else:
                    extra["covered_sum_m2"] = float(sums["covered_m2"])
                    covered = None
    if covered is not None:
        np.save(out, covered)
        extra["covered_sum_m2"] = float(covered.sum())
    extra["area_sum_m2"] = float(totals.loc["total", "area_m2"])
    # the first run imports and warms up (workers load geopandas and gis): reported apart, not in the median
    extra["load_after"] = os.getloadavg()[0]
    return {"first_s": times[0], "times": times[1:], "cpu_s": statistics.median(cpu[1:]), "peak_rss_mib": peak.peak / 2**20,
            "maxrss_self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2, help="dask worker processes (1 thread each)")
    ap.add_argument("--rows-per-partition", type=int, default=25_000, help="same partition size at every N")
    ap.add_argument("--results", help="append the markdown section to this file")
    ap.add_argument("--worker", nargs=3, metavar=("METHOD", "FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        method, folder, out = args.worker
        print(json.dumps(worker(method, Path(folder), args.repeat, args.workers, out)))
        return

    rows = []
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            npart = max(4, n // args.rows_per_partition)
            prep = prepare(n, folder, npart)
            sys.stderr.write(f"{n:>9} prepared: {npart} partitions, Hilbert dataset written in {prep['write_dataset_s']:.1f} s\n")
            covered = {}
            for method in args.methods:
                out = os.path.join(tmp, f"{method}-{n}.npy")
                cmd = [sys.executable, __file__, "--repeat", str(args.repeat), "--workers", str(args.workers),
                       "--worker", method, str(folder), out]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    sys.stderr.write(proc.stderr[-4000:])
                    raise SystemExit(f"{method} at {n} failed")
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                if os.path.exists(out):
                    covered[method] = np.load(out)
                res.update(method=method, n=n, npartitions=npart, median_s=statistics.median(res["times"]), **prep)
                rows.append(res)
                sys.stderr.write(f"{n:>9} {method:<11} median {res['median_s']:.2f} s  runs {[round(t, 2) for t in res['times']]}  "
                                 f"peak RSS {res['peak_rss_mib']:.0f} MiB\n")
            area = make_parcels(n).geometry.area.to_numpy()
            by_method = {r["method"]: r for r in rows if r["n"] == n}
            for method, cov in covered.items():
                by_method[method]["max_rel_diff_vs_single"] = float(np.max(np.abs(cov - covered["single"]) / area))
            base = by_method.get("single")
            for r in by_method.values():
                if base and "covered_sum_m2" in r:
                    r["sum_rel_diff_vs_single"] = abs(r["covered_sum_m2"] - base["covered_sum_m2"]) / base["covered_sum_m2"]
    print(json.dumps(rows, indent=1))
    if args.results:
        write_results(Path(args.results), rows, args, load)


def write_results(path: Path, rows: list[dict], args: argparse.Namespace, load: tuple[float, float, float]) -> None:
    """Append this run's section to ``path`` (never rewrites what is there)."""
    lines = [
        "## Single machine vs dask (gis.dask_metrics) — run of " + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "",
        f"Machine: {machine(DASK_PACKAGES)}. Load average when the run started: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(the machine is shared with other engineers' jobs; treat times as ± 20 %).",
        "",
        f"Query: coverage of N synthetic parcels (`bench_coverage.make_parcels`) by {STATIONS} stations within {RADIUS_M:.0f} m, "
        "plus total area; end to end from GeoParquet on local disk (read + catchment + coverage + totals). "
        f"Median of {args.repeat} runs per method after one warm-up run (shown apart), each method in a fresh process. "
        f"dask: `LocalCluster` of {args.workers} worker "
        "processes × 1 thread on the Hilbert-partitioned dataset; cluster start-up is excluded from the runs and shown "
        "separately. Peak memory: summed RSS of the process and its dask workers; "
        "CPU s: user + system seconds of the same process tree per run (less sensitive to other jobs than wall time).",
        "",
        "| parcels | method | partitions | median s | runs s | single ÷ this | CPU s (median) | first (warm-up) run s | cluster start s "
        "| peak RSS MiB | load 1-min before/after | max rel. diff vs single |",
        "| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        base = next((x["median_s"] for x in rows if x["n"] == r["n"] and x["method"] == "single"), None)
        diff = r.get("max_rel_diff_vs_single")
        diff_text = f"{diff:.1e}" if diff is not None else (
            f"{r['sum_rel_diff_vs_single']:.1e} (sum)" if "sum_rel_diff_vs_single" in r else "—")
        start = f"{r['cluster_start_s']:.1f}" if "cluster_start_s" in r else "—"
        ratio = f"{base / r['median_s']:.2f} ×" if base else "—"
        parts = r["npartitions"] if r["method"] != "single" else 1
        lines.append(
            f"| {r['n']:,} | {r['method']} | {parts} | {r['median_s']:.2f} | "
            f"{', '.join(f'{t:.2f}' for t in r['times'])} | {ratio} | "
            f"{r['cpu_s']:.1f} | {r['first_s']:.2f} | {start} | {r['peak_rss_mib']:.0f} | "
            f"{r['load_before']:.1f} / {r['load_after']:.1f} | {diff_text} |"
        )
    for n in sorted({r["n"] for r in rows}):
        w = next(r["write_dataset_s"] for r in rows if r["n"] == n)
        lines.append(f"\nWriting the Hilbert-partitioned dataset of {n:,} parcels (one-off, `write_spatial_partitions`): {w:.1f} s.")
    # append only: other engineers' sections in the same file stay as they are
    with path.open("a", encoding="utf-8") as f:
        f.write(("\n" if path.exists() and path.stat().st_size else "") + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
