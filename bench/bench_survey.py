"""Benchmark: the surveyor deliverables of one large parcel grow linearly with its vertex count.

Issue 11 measured a 1 M-vertex parcel taking more than 400 s to the surveyor pack: the DXF writer handed
its points to ezdxf one by one, and ezdxf concatenates the LWPOLYLINE's point array on every append
(quadratic). This times each part of the pack on a wavy ring of N vertices in EPSG:4547 and prints the time
per vertex; the last line checks that the largest size costs at most ``--max-ratio`` times the smallest per
vertex (a generous bound: linear work gives about 1, the quadratic DXF gave about 4 from 50 k to 200 k).

Parts: ``rings`` (projection and numbered rings), ``txt`` (勘测定界 TXT), ``table-csv`` (界址点坐标表 as CSV),
``dxf``, ``geojson`` and ``geojson-surveyor``; ``--pack`` adds the whole pack (its ``.xlsx`` table streams
about 1 ms per row through openpyxl, linear but slow: minutes at 200 k).

Usage::

    .venv/bin/python bench/bench_survey.py --sizes 50000 200000 [--pack] [--results bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import Polygon

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import machine  # noqa: E402

from gis.io._survey_parcels import collect_parcels  # noqa: E402
from gis.io.dxf import write_dxf  # noqa: E402
from gis.io.geojson import write_geojson, write_geojson_surveyor  # noqa: E402
from gis.io.survey import write_boundary_points, write_survey_pack, write_survey_txt  # noqa: E402


def parcel(n: int) -> gpd.GeoDataFrame:
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = 500.0 + 20.0 * np.sin(37 * t)
    poly = Polygon(np.c_[489_700.0 + r * np.cos(t), 2_536_800.0 + r * np.sin(t)])
    gdf = gpd.GeoDataFrame({"id": ["big"], "name_zh": ["大地块"], "status": ["planned"], "illustrative": [True]},
                           geometry=[poly], crs="EPSG:4547")
    return gdf.to_crs("EPSG:4326")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000])
    ap.add_argument("--pack", action="store_true", help="also time the whole pack (slow: the xlsx)")
    ap.add_argument("--max-ratio", type=float, default=2.5, help="largest/smallest time per vertex allowed")
    ap.add_argument("--results", type=Path, help="append a Markdown table to this file")
    args = ap.parse_args()
    rows: list[tuple[int, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-survey-") as tmp:
        out = Path(tmp)
        for n in args.sizes:
            gdf = parcel(n)
            parts = {
                "rings": lambda g=gdf: collect_parcels(g, "EPSG:4547"),
                "txt": lambda g=gdf: write_survey_txt(g, out / "a.txt"),
                "table-csv": lambda g=gdf: write_boundary_points(g, out / "a.csv"),
                "dxf": lambda g=gdf: write_dxf(g, out / "a.dxf", crs="EPSG:4547"),
                "geojson": lambda g=gdf: write_geojson(g, out / "a.geojson"),
                "geojson-surveyor": lambda g=gdf: write_geojson_surveyor(g, out / "b.geojson", crs="EPSG:4547"),
            }
            if args.pack:
                parts["pack"] = lambda g=gdf: write_survey_pack(g, out / "p.zip")
            for name, run in parts.items():
                t0 = time.perf_counter()
                run()
                rows.append((n, name, time.perf_counter() - t0))
                print(f"{n:>9} {name:<17} {rows[-1][2]:8.2f} s  {rows[-1][2] / n * 1e6:7.2f} µs/vertex", flush=True)
    small, large = min(args.sizes), max(args.sizes)
    per = {(n, name): s / n for n, name, s in rows}
    ratios = {name: per[(large, name)] / per[(small, name)] for n, name, _ in rows if n == small}
    worst = max(ratios, key=ratios.get)
    verdict = "linear" if ratios[worst] <= args.max_ratio else "NOT linear"
    print(f"time per vertex, {large} vs {small}: worst {worst} × {ratios[worst]:.2f} (bound {args.max_ratio}) → {verdict}")
    if args.results:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [f"\n## Surveyor deliverables of one large parcel (bench_survey.py) — run of {stamp}\n",
                 f"Machine: {machine()}\n", "| vertices | part | s | µs/vertex |", "| ---: | --- | ---: | ---: |"]
        lines += [f"| {n} | {name} | {s:.2f} | {s / n * 1e6:.2f} |" for n, name, s in rows]
        lines.append(f"\nTime per vertex, {large} vs {small}: worst `{worst}` × {ratios[worst]:.2f} → {verdict}.\n")
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    return 0 if verdict == "linear" else 1


if __name__ == "__main__":
    sys.exit(main())
