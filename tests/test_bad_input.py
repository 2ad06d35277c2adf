"""Bad input, the whole family (issue 6 item 1): a clear bilingual message or a repair, never a traceback.

Two halves:

- property-based tests (hypothesis) feed random bytes, random JSON and mutated GeoJSON to
  :func:`gis.io.read_any` through files in a temporary folder, and random geometries to
  :func:`gis.validate.validate_frame`: the reader either returns a :class:`gis.io.ReadResult` or raises
  :class:`gis.errors.InputError`; validation always returns a frame and a report.
- a table of named bad inputs (``CASES``), each with the outcome a user sees: an ``InputError`` whose
  message holds given Chinese and English words, or a problem/repair code in the report. docs/bad-input.md
  lists the same table with these tests' node ids.
"""

from __future__ import annotations

import functools
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gis import settings as gis_settings
from gis.errors import InputError, LimitExceeded
from gis.io import ReadResult, read_any
from gis.report import ValidationReport
from gis.validate import validate_frame

# Songshan Lake in degrees (WGS 84) and in EPSG:4547 metres.
LON, LAT = 113.88, 22.93
E, N = 489_700.0, 2_536_800.0

# Hypothesis: few examples so the suite stays fast; a generous deadline that still catches a hang
# (pytest-timeout is the last guard); no fixture reset between examples is needed (each writes its own file).
PROPERTY = settings(
    max_examples=int(os.environ.get("SSL_GIS_HYPOTHESIS_EXAMPLES") or 60),
    deadline=10_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("SSL_GIS_HYPOTHESIS_RANDOM") is None,
)


def _square(lon: float = LON, lat: float = LAT, d: float = 0.002) -> list[list[list[float]]]:
    return [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]


def _fc(*features: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **extra}


def _feature(geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": "f-1", "name_zh": "地块", **props}, "geometry": geometry}


BASE_FC: dict[str, Any] = _fc(
    _feature({"type": "Polygon", "coordinates": _square()}, id="p-1"),
    _feature({"type": "Point", "coordinates": [LON, LAT]}, id="s-1"),
    _feature({"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.01, LAT + 0.01]]}, id="r-1"),
)


def _expect_result_or_input_error(call: Callable[[], ReadResult]) -> ReadResult | InputError:
    """The contract: a ReadResult whose frame is in EPSG:4326, or an InputError with both languages."""
    try:
        result = call()
    except InputError as exc:
        assert exc.zh and exc.en, "an InputError must carry a Chinese and an English message"
        return exc
    assert isinstance(result, ReadResult)
    assert isinstance(result.gdf, gpd.GeoDataFrame)
    assert isinstance(result.report, ValidationReport)
    assert result.report.features == len(result.gdf)
    if len(result.gdf):
        assert result.gdf.crs is not None and result.gdf.crs.to_epsg() == 4326
        coords = shapely.get_coordinates(np.asarray(result.gdf.geometry.values, dtype=object))
        assert np.isfinite(coords).all(), "no NaN/inf coordinate may survive a read"
        assert (np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all()
    return result


# --------------------------------------------------------------------------------------------------
# Property-based tests
# --------------------------------------------------------------------------------------------------

_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-200, max_value=200),
    st.floats(min_value=113.4, max_value=114.4),
    st.floats(min_value=22.5, max_value=23.3),
    st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, E, N, 38_000_000 + E]),
)
_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), _floats, st.text(max_size=20))
_json = st.recursive(
    _json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)
_geometry_types = st.sampled_from(
    [
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
        "LinearRing",
        "Circle",
        "Feature",
        "FeatureCollection",
        "",
        "point",
        None,
        7,
    ]
)
_position = st.lists(_floats, min_size=0, max_size=4)
_coordinates = st.one_of(
    _position,
    st.lists(_position, max_size=6),
    st.lists(st.lists(_position, max_size=6), max_size=3),
    st.lists(st.lists(st.lists(_position, max_size=5), max_size=2), max_size=2),
    _json,
)


@st.composite
def _random_geometry(draw: st.DrawFn) -> Any:
    geometry: dict[str, Any] = {"type": draw(_geometry_types), "coordinates": draw(_coordinates)}
    if draw(st.booleans()):
        geometry["geometries"] = draw(st.lists(st.just({"type": "Point", "coordinates": [LON, LAT]}), max_size=2))
    return draw(st.one_of(st.just(geometry), st.just(geometry), _json))


@st.composite
def _random_geojson(draw: st.DrawFn) -> Any:
    features = draw(
        st.lists(
            st.fixed_dictionaries(
                {"type": st.sampled_from(["Feature", "Feature", "feature", "Point"]), "geometry": _random_geometry()},
                optional={"properties": st.one_of(st.none(), st.dictionaries(st.text(max_size=30), _json_scalars, max_size=4), _json)},
            ),
            max_size=4,
        )
    )
    doc = {
        "type": draw(st.sampled_from(["FeatureCollection", "FeatureCollection", "Feature", "GeometryCollection", "Topology"])),
        "features": features,
    }
    if draw(st.booleans()):
        doc["crs"] = draw(
            st.one_of(
                st.just({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}),
                st.just({"type": "name", "properties": {"name": "EPSG:999999"}}),
                _json,
            )
        )
    return draw(st.one_of(st.just(doc), st.just(doc), st.just(doc), _random_geometry(), _json))


def _dumps(doc: Any) -> bytes:
    # allow_nan: Python writes NaN/Infinity tokens, which other tools also emit; readers must cope.
    return json.dumps(doc, allow_nan=True, ensure_ascii=False).encode("utf-8")


@st.composite
def _mutated_geojson_bytes(draw: st.DrawFn) -> bytes:
    """The valid BASE_FC, then one of: a value replaced, a key deleted, truncation, flipped bytes, re-encoding."""
    doc = json.loads(json.dumps(BASE_FC))
    node: Any = doc
    path_depth = draw(st.integers(min_value=0, max_value=6))
    for _ in range(path_depth):  # walk to a random container
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            child = node[key]
            if not isinstance(child, (dict, list)) or not child:
                break
            node = child
        elif isinstance(node, list) and node:
            child = node[draw(st.integers(min_value=0, max_value=len(node) - 1))]
            if not isinstance(child, (dict, list)) or not child:
                break
            node = child
    action = draw(st.sampled_from(["replace", "delete", "none"]))
    if isinstance(node, dict) and node and action != "none":
        key = draw(st.sampled_from(sorted(node)))
        if action == "replace":
            node[key] = draw(_json)
        else:
            del node[key]
    elif isinstance(node, list) and node and action != "none":
        i = draw(st.integers(min_value=0, max_value=len(node) - 1))
        if action == "replace":
            node[i] = draw(_json)
        else:
            del node[i]
    raw = _dumps(doc)
    byte_op = draw(st.sampled_from(["none", "none", "truncate", "flip", "gbk", "bom", "utf16"]))
    if byte_op == "truncate":
        raw = raw[: draw(st.integers(min_value=0, max_value=len(raw)))]
    elif byte_op == "flip":
        data = bytearray(raw)
        for _ in range(draw(st.integers(min_value=1, max_value=8))):
            data[draw(st.integers(min_value=0, max_value=len(data) - 1))] = draw(st.integers(min_value=0, max_value=255))
        raw = bytes(data)
    elif byte_op == "gbk":
        raw = raw.decode("utf-8").encode("gbk", errors="replace")
    elif byte_op == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif byte_op == "utf16":
        raw = raw.decode("utf-8").encode("utf-16")
    return raw


@PROPERTY
@given(
    raw=st.binary(max_size=2048),
    suffix=st.sampled_from([".geojson", ".json", ".kml", ".kmz", ".zip", ".csv", ".dxf", ".txt", ".shp", ".xlsx"]),
)
def test_random_bytes_never_crash_a_reader(tmp_path: Path, raw: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(raw)
    _expect_result_or_input_error(lambda: read_any(path))


@PROPERTY
@given(doc=_random_geojson())
def test_random_geojson_never_crashes_the_reader(tmp_path: Path, doc: Any) -> None:
    path = tmp_path / "random.geojson"
    path.write_bytes(_dumps(doc))
    _expect_result_or_input_error(lambda: read_any(path))


@PROPERTY
@given(raw=_mutated_geojson_bytes())
def test_mutated_geojson_never_crashes_the_reader(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "mutated.geojson"
    path.write_bytes(raw)
    _expect_result_or_input_error(lambda: read_any(path))
    # the non-strict path (the CLI's validate) never raises at all for a file that exists
    result = read_any(path, strict=False)
    assert isinstance(result, ReadResult)
    assert result.report.ok or any(p.fatal for p in result.report.problems)


@functools.lru_cache(maxsize=1)
def _valid_archives() -> dict[str, bytes]:
    """A valid zipped Shapefile and a valid KML, made once per run."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        members = _shp_members()(Path(tmp))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for member, data in members.items():
                zf.writestr(member, data)
    kml = KML_HEAD + (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>地块</name><Polygon><outerBoundaryIs><LinearRing>'
        "<coordinates>" + " ".join(f"{x},{y},0" for x, y in _square()[0]) + "</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark></Document></kml>"
    )
    return {".zip": buffer.getvalue(), ".kml": kml.encode("utf-8")}


@PROPERTY
@given(suffix=st.sampled_from([".zip", ".kml"]), data=st.data())
def test_mutated_archives_never_crash_a_reader(tmp_path: Path, suffix: str, data: st.DataObject) -> None:
    raw = bytearray(_valid_archives()[suffix])
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[: data.draw(st.integers(min_value=0, max_value=len(raw)), label="cut")]
    for _ in range(data.draw(st.integers(min_value=0, max_value=8), label="flips")):
        if raw:
            raw[data.draw(st.integers(min_value=0, max_value=len(raw) - 1))] = data.draw(st.integers(min_value=0, max_value=255))
    path = tmp_path / f"mutated{suffix}"
    path.write_bytes(bytes(raw))
    _expect_result_or_input_error(lambda: read_any(path))


@PROPERTY
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(_floats.map(repr), st.text(max_size=8)), st.one_of(_floats.map(repr), st.text(max_size=8)), st.text(max_size=10)
        ),
        max_size=6,
    ),
    header=st.sampled_from(["lon,lat,name", "经度,纬度,名称", "x,y,name", "lat,lon,name", "a,b,c", ""]),
)
def test_random_csv_points_never_crash_the_reader(tmp_path: Path, rows: list[tuple[str, str, str]], header: str) -> None:
    path = tmp_path / "points.csv"
    lines = [header] + [",".join(json.dumps(c, ensure_ascii=False) for c in row) for row in rows]
    path.write_text("\n".join(lines), encoding="utf-8")
    _expect_result_or_input_error(lambda: read_any(path))


@st.composite
def _random_shapely(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["none", "empty", "point", "line", "polygon", "multi", "collection"]))
    ndim = draw(st.sampled_from([2, 2, 3]))
    pos = st.lists(_floats, min_size=ndim, max_size=ndim)
    if kind == "none":
        return None
    if kind == "empty":
        return draw(st.sampled_from([shapely.Point(), shapely.Polygon(), shapely.LineString(), shapely.GeometryCollection()]))
    if kind == "point":
        return shapely.points(draw(pos))
    if kind == "line":
        return shapely.linestrings(draw(st.lists(pos, min_size=2, max_size=6)))
    ring = draw(st.lists(pos, min_size=3, max_size=7))
    try:
        polygon = shapely.polygons(ring + [ring[0]])
    except (shapely.errors.GEOSException, ValueError):
        return shapely.Polygon()
    if kind == "polygon":
        return polygon
    if kind == "multi":
        return shapely.multipolygons([polygon, shapely.polygons(_square(d=0.001)[0])])
    return shapely.GeometryCollection([polygon, shapely.Point(LON, LAT)])


@PROPERTY
@given(
    geoms=st.lists(_random_shapely(), max_size=6),
    with_crs=st.booleans(),
    types=st.sampled_from([None, {"Polygon", "MultiPolygon"}, {"Point"}]),
)
def test_validate_frame_always_returns_a_report(geoms: list[Any], with_crs: bool, types: set[str] | None) -> None:
    gdf = gpd.GeoDataFrame({"id": [f"g-{i}" for i in range(len(geoms))]}, geometry=geoms, crs="EPSG:4326" if with_crs else None)
    out, report = validate_frame(gdf, geometry_types=types)
    assert isinstance(out, gpd.GeoDataFrame) and isinstance(report, ValidationReport)
    assert report.features == len(out) <= len(gdf)
    dropped = {p.feature for p in report.problems if p.fatal}
    assert len(out) == len(gdf) - len(dropped), "each dropped feature has exactly one fatal problem"
    if len(out):
        g = np.asarray(out.geometry.values, dtype=object)
        assert not shapely.is_missing(g).any() and not shapely.is_empty(g).any()
        assert shapely.is_valid(g).all()
        assert not shapely.has_z(g).any()
        assert np.isfinite(shapely.get_coordinates(g)).all()
    for problem in report.problems:
        assert problem.message_zh and problem.message_en


# --------------------------------------------------------------------------------------------------
# The table: each kind of bad input and what the user sees
# --------------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One bad input: how to make the file, and what the user must see.

    Either ``error`` (an InputError subclass whose zh/en messages hold ``zh``/``en`` words), or a report
    holding ``problems``/``repairs`` codes, ``crs`` words in ``crs_assumed`` and ``features`` kept.
    """

    make: Callable[[Path], Path]
    error: type[InputError] | None = None
    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    repairs: tuple[str, ...] = ()
    crs: tuple[str, ...] = ()
    features: int | None = None
    check: Callable[[ReadResult], None] | None = None
    limits: dict[str, int] = field(default_factory=dict)
    xfail: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)


def _write(name: str, data: bytes | str | Any) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        elif isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(_dumps(data))
        return path

    return make


def _poly(coords: Any, **props: Any) -> dict[str, Any]:
    return _feature({"type": "Polygon", "coordinates": coords}, **props)


BOWTIE = [[[LON, LAT], [LON + 0.002, LAT + 0.002], [LON + 0.002, LAT], [LON, LAT + 0.002], [LON, LAT]]]
BASE_TEXT = json.dumps(BASE_FC)


def _metres_square(e: float = E, n: float = N) -> list[list[list[float]]]:
    return [[[e, n], [e + 100, n], [e + 100, n + 100], [e, n + 100], [e, n]]]


def _swapped(coords: list[list[list[float]]]) -> list[list[list[float]]]:
    return [[[y, x] for x, y in ring] for ring in coords]


def _deep_json(depth: int) -> str:
    return '{"type": "FeatureCollection", "features": [' + "[" * depth + "]" * depth + "]}"


def _lon_near_lake(result: ReadResult) -> None:
    x, y = result.gdf.geometry.iloc[0].centroid.coords[0]
    assert abs(x - LON) < 0.05 and abs(y - LAT) < 0.05, (x, y)


def _odd_keys_kept(result: ReadResult) -> None:
    assert len(result.gdf) == 1
    cols = set(result.gdf.columns)
    assert "<script>alert(1)</script>" in cols and "名称 with spaces" in cols
    assert result.gdf["名称 with spaces"].iloc[0] == "值"


# Shapefiles -----------------------------------------------------------------------------------------


def _shapefile_parts(folder: Path, *, metres: bool = False, encoding: str = "UTF-8", name: str = "parcels") -> dict[str, bytes]:
    """Write a one-polygon Shapefile with a Chinese attribute; return its sidecar files' bytes."""
    work = folder / f"_build_{name}"
    work.mkdir(exist_ok=True)
    coords = _metres_square() if metres else _square()
    gdf = gpd.GeoDataFrame(
        {"id": ["p-1"], "name_zh": ["松山湖地块"]},
        geometry=[shapely.Polygon(coords[0])],
        crs="EPSG:4547" if metres else "EPSG:4326",
    )
    gdf.to_file(work / f"{name}.shp", encoding=encoding, engine="pyogrio")
    parts = {p.suffix.lower(): p.read_bytes() for p in work.iterdir()}
    if encoding.upper() != "UTF-8":
        dbf = bytearray(parts[".dbf"])
        dbf[29] = 0  # no language driver id: only the bytes can tell GBK from UTF-8
        parts[".dbf"] = bytes(dbf)
    return parts


def _zip(name: str, build: Callable[[Path], dict[str, bytes]]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        members = build(folder)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for member, data in members.items():
                zf.writestr(member, data)
        return path

    return make


def _shp_members(
    *, drop: tuple[str, ...] = (), prefix: str = "", metres: bool = False, encoding: str = "UTF-8"
) -> Callable[[Path], dict[str, bytes]]:
    def build(folder: Path) -> dict[str, bytes]:
        parts = _shapefile_parts(folder, metres=metres, encoding=encoding)
        return {f"{prefix}parcels{suffix}": data for suffix, data in parts.items() if suffix not in drop}

    return build


def _zip_bomb(folder: Path) -> Path:
    path = folder / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("parcels.shp", b"\0" * (8 * 1024 * 1024))  # 8 MB of zeros → ~8 KB: ratio ≈ 1000:1
    return path


def _gbk_name_read(result: ReadResult) -> None:
    assert result.gdf["name_zh"].iloc[0] == "松山湖地块"


# KML -----------------------------------------------------------------------------------------------

KML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
BILLION_LAUGHS = KML_HEAD + (
    '<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&f;</name>'
    f"<Point><coordinates>{LON},{LAT}</coordinates></Point></Placemark></kml>"
)
XXE = KML_HEAD + (
    '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&x;</name>'
    f"<Point><coordinates>{LON},{LAT}</coordinates></Point></Placemark></kml>"
)


def _kmz_traversal(folder: Path) -> Path:
    path = folder / "evil.kmz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../evil.kml", KML_HEAD + '<kml xmlns="http://www.opengis.net/kml/2.2"/>')
    return path


def _gpkg(folder: Path) -> Path:
    path = folder / "parcels.gpkg"
    gdf = gpd.GeoDataFrame({"id": ["p-1"]}, geometry=[shapely.Polygon(_square()[0])], crs="EPSG:4326")
    gdf.to_file(path, layer="parcels", driver="GPKG", engine="pyogrio")
    return path


def _gpkg_still_intact(folder: Path) -> None:
    result = read_any(folder / "parcels.gpkg", layer="parcels")
    assert len(result.gdf) == 1


def _gpkg_recursive_view(folder: Path) -> Path:
    """A GeoPackage whose gpkg_contents names a VIEW made of a recursive CTE: pyogrio ran it for ever."""
    import sqlite3

    path = _gpkg(folder)
    con = sqlite3.connect(path)
    con.execute(
        "CREATE VIEW loop AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT n AS fid, (SELECT geom FROM parcels LIMIT 1) AS geom FROM r"
    )
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('loop', 'features', 'loop', 4326)")
    con.execute("INSERT INTO gpkg_geometry_columns VALUES ('loop', 'geom', 'POLYGON', 4326, 0, 0)")
    con.commit()
    con.close()
    return path


def _dxf_bulged(folder: Path) -> Path:
    """Closed polylines of bulged (arc) segments, many vertices once flattened."""
    import ezdxf

    doc = ezdxf.new("R2010")
    for k in range(5):
        pts = [(E + 10 * i, N + 50 * k + (10 if i % 2 else 0), 0.9) for i in range(20)]
        doc.modelspace().add_lwpolyline(pts, format="xyb", close=True)
    path = folder / "arcs.dxf"
    doc.saveas(path)
    return path


def _dxf_damaged_xdata(folder: Path) -> Path:
    """A drawing written here, then one entity's XDATA integer turned into text (ezdxf refused the file)."""
    from gis.io.dxf import write_dxf

    frame = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name_zh": ["甲", "乙"]},
        geometry=[shapely.box(E, N, E + 100, N + 100), shapely.box(E + 200, N, E + 300, N + 100)],
        crs="EPSG:4547",
    )
    path = write_dxf(frame, folder / "xdata.dxf")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("1071\n0\n1000\nshell", "1071\nabc\n1000\nshell", 1), encoding="utf-8")
    return path


def _zip_symlink(folder: Path) -> Path:
    path = folder / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("parcels.shp")
        info.external_attr = 0o120777 << 16  # a symbolic link to /etc/passwd
        zf.writestr(info, "/etc/passwd")
    return path


def _xlsx(name: str, rows: list[list[Any]]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        from openpyxl import Workbook

        wb = Workbook()
        for row in rows:
            wb.active.append(row)
        path = folder / name
        wb.save(path)
        return path

    return make


def _xlsx_entities(folder: Path) -> Path:
    good = _xlsx("good.xlsx", [["lon", "lat"], [LON, LAT]])(folder)
    path = folder / "laughs.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + data.split(b"?>", 1)[-1]
            dst.writestr(info, data)
    return path


CASES: dict[str, Case] = {
    # --- GeoJSON text -----------------------------------------------------------------------------
    "json_truncated": Case(_write("cut.geojson", BASE_TEXT[: len(BASE_TEXT) // 2]), InputError, ("JSON", "截断"), ("JSON", "truncated")),
    "json_malformed": Case(
        _write("bad.geojson", '{"type": "FeatureCollection", "features": [,]}'), InputError, ("JSON",), ("not valid JSON",)
    ),
    "empty_file": Case(_write("empty.geojson", b""), InputError, ("空文件",), ("empty",)),
    "binary_garbage": Case(_write("garbage.geojson", bytes(range(256)) * 4), InputError, ("UTF-8",), ("UTF-8",)),
    "deep_nesting": Case(_write("deep.geojson", _deep_json(100_000)), InputError, ("嵌套",), ("nested",)),
    "not_utf8_gbk": Case(
        _write("gbk.geojson", json.dumps(_fc(_poly(_square(), name_zh="松山湖")), ensure_ascii=False).encode("gbk")),
        problems=("not_utf8",),
        features=1,
    ),
    "utf8_bom": Case(_write("bom.geojson", b"\xef\xbb\xbf" + BASE_TEXT.encode()), features=3),
    # --- wrong GeoJSON types ----------------------------------------------------------------------
    "top_level_array": Case(_write("array.geojson", [1, 2, 3]), InputError, ("不是 GeoJSON",), ("not GeoJSON",)),
    "wrong_type_topology": Case(
        _write("topo.geojson", {"type": "Topology", "objects": {}}), InputError, ("不是 GeoJSON", "Topology"), ("not GeoJSON", "Topology")
    ),
    "features_not_array": Case(
        _write("fc.geojson", {"type": "FeatureCollection", "features": {}}), InputError, ("features",), ("features", "array")
    ),
    "unknown_geometry_type": Case(
        _write("circle.geojson", _fc(_feature({"type": "Circle", "coordinates": [LON, LAT], "radius": 5}), _poly(_square()))),
        problems=("bad_geometry",),
        features=1,
    ),
    "not_a_feature": Case(
        _write("nf.geojson", _fc({"type": "Point", "coordinates": [LON, LAT]}, _poly(_square()))), problems=("not_a_feature",), features=1
    ),
    "mixed_types": Case(_write("mixed.geojson", BASE_FC), features=3),
    # --- null, empty and invalid geometries -------------------------------------------------------
    "null_geometry": Case(_write("null.geojson", _fc(_feature(None), _poly(_square()))), problems=("null_geometry",), features=1),
    "empty_geometry": Case(
        _write("empty-geom.geojson", _fc(_feature({"type": "MultiPolygon", "coordinates": []}), _poly(_square()))),
        problems=("empty_geometry",),
        features=1,
    ),
    "self_intersection": Case(
        _write("bowtie.geojson", _fc(_poly(BOWTIE))), problems=("self_intersection",), repairs=("make_valid",), features=1
    ),
    "unclosed_ring": Case(
        _write("open.geojson", _fc(_poly([_square()[0][:-1]]))), problems=("unclosed_ring",), repairs=("close_ring",), features=1
    ),
    "too_few_points": Case(
        _write("few.geojson", _fc(_poly([[[LON, LAT], [LON, LAT + 0.001], [LON, LAT]]]), _poly(_square()))),
        problems=("bad_geometry",),
        features=1,
    ),
    "duplicate_vertices": Case(
        _write("dup.geojson", _fc(_poly([[[LON, LAT], [LON, LAT], [LON + 0.002, LAT], [LON + 0.002, LAT + 0.002], [LON, LAT]]]))),
        problems=("duplicate_vertices",),
        repairs=("remove_duplicate_vertices",),
        features=1,
    ),
    # --- NaN, inf and absurd coordinates ----------------------------------------------------------
    "nan_coordinates": Case(
        _write(
            "nan.geojson",
            '{"type":"FeatureCollection","features":['
            + json.dumps(_feature({"type": "Point", "coordinates": [LON, LAT]}))
            + ',{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[NaN, 22.9]}}]}',
        ),
        problems=("nonfinite_coordinates",),
        features=1,
    ),
    "inf_coordinates": Case(
        _write(
            "inf.geojson",
            '{"type":"FeatureCollection","features":['
            + json.dumps(_feature({"type": "Point", "coordinates": [LON, LAT]}))
            + ',{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[Infinity, 22.9]}}]}',
        ),
        problems=("nonfinite_coordinates",),
        features=1,
    ),
    "absurd_coordinates": Case(
        _write(
            "absurd.geojson",
            _fc(
                _feature({"type": "Point", "coordinates": [LON, LAT]}),
                _feature({"type": "Point", "coordinates": [500.0, 95.0]}),
                crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            ),
        ),
        problems=("absurd_coordinates",),
        features=1,
    ),
    "absurd_coordinates_no_crs": Case(
        _write(
            "absurd2.geojson",
            _fc(_feature({"type": "Point", "coordinates": [LON, LAT]}), _feature({"type": "Point", "coordinates": [500.0, 95.0]})),
        ),
        problems=("crs_outliers", "absurd_coordinates"),
        crs=("EPSG:4326",),
        features=1,
    ),
    "huge_coordinates_only": Case(
        _write("huge.geojson", _fc(_feature({"type": "Point", "coordinates": [1e308, -1e308]}))),
        InputError,
        ("坐标系",),
        ("CRS",),
    ),
    "outside_dongguan": Case(_write("beijing.geojson", _fc(_poly(_square(116.4, 39.9)))), problems=("outside_extent",), features=1),
    # --- axis order and CRS -----------------------------------------------------------------------
    "swapped_lat_lon": Case(
        _write("swapped.geojson", _fc(_poly(_swapped(_square())))), crs=("EPSG:4326",), features=1, check=_lon_near_lake
    ),
    "projected_metres_no_crs": Case(
        _write("metres.geojson", _fc(_poly(_metres_square()))), crs=("EPSG:4547",), features=1, check=_lon_near_lake
    ),
    "zone_prefixed_metres_no_crs": Case(
        _write("zone38.geojson", _fc(_poly(_metres_square(38_000_000 + E)))),
        crs=("EPSG:4526",),
        features=1,
        check=_lon_near_lake,
    ),
    "metres_labelled_as_degrees": Case(
        _write(
            "lying.geojson", _fc(_poly(_metres_square()), crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
        ),
        crs=("EPSG:4547", "metres"),
        features=1,
        check=_lon_near_lake,
    ),
    "unknown_crs_member": Case(
        _write("crs.geojson", _fc(_poly(_square()), crs={"type": "name", "properties": {"name": "EPSG:999999"}})),
        problems=("unknown_crs_member",),
        crs=("EPSG:4326",),
        features=1,
    ),
    "unsniffable_coordinates": Case(
        _write("where.geojson", _fc(_poly(_metres_square(5_000, 5_000)))), InputError, ("坐标系", "EPSG:4547"), ("CRS", "EPSG:4547")
    ),
    # --- 3D --------------------------------------------------------------------------------------
    "three_d": Case(
        _write("z.geojson", _fc(_poly([[[x, y, 12.5] for x, y in _square()[0]]]))),
        problems=("three_d",),
        repairs=("drop_z",),
        features=1,
    ),
    # --- names and keys ---------------------------------------------------------------------------
    "odd_property_keys": Case(
        _write(
            "keys.geojson",
            _fc(
                _poly(
                    _square(),
                    **{"<script>alert(1)</script>": 1, "名称 with spaces": "值", "": "blank", "k" * 5000: "long", "a\x00b": "nul"},
                )
            ),
        ),
        features=1,
        check=_odd_keys_kept,
    ),
    "huge_name": Case(_write("x" * 200 + ".geojson", _fc(_poly(_square(), name_zh="名" * 200_000))), features=1),
    "unsupported_extension": Case(_write("parcels.exe", b"MZ"), InputError, ("不支持",), ("unsupported",)),
    # --- limits (settings; tiny values here) ------------------------------------------------------
    "file_too_large": Case(_write("big.geojson", BASE_FC), LimitExceeded, ("上限",), ("limit",), limits={"MAX_FILE_BYTES": 100}),
    "too_many_features": Case(_write("many.geojson", BASE_FC), LimitExceeded, ("上限",), ("limit",), limits={"MAX_FEATURES": 2}),
    "too_many_vertices": Case(
        _write("verts.geojson", BASE_FC),
        LimitExceeded,
        ("verts.geojson", "上限", "顶点"),
        ("verts.geojson", "limit", "vertices"),
        limits={"MAX_VERTICES": 4},
    ),
    # --- Shapefile archives -----------------------------------------------------------------------
    "shp_gbk_without_cpg": Case(
        _zip("gbk.zip", _shp_members(drop=(".cpg",), encoding="GBK")),
        problems=("encoding_detected",),
        features=1,
        check=_gbk_name_read,
    ),
    "shp_missing_shx": Case(_zip("noshx.zip", _shp_members(drop=(".shx",))), problems=("missing_shx",), features=1),
    "shp_missing_prj": Case(
        _zip("noprj.zip", _shp_members(drop=(".prj",), metres=True)),
        problems=("missing_prj",),
        crs=("EPSG:4547",),
        features=1,
        check=_lon_near_lake,
    ),
    "shp_missing_dbf": Case(_zip("nodbf.zip", _shp_members(drop=(".dbf",))), InputError, (".dbf", "属性表"), (".dbf", "attribute table")),
    "shp_nested_folders": Case(_zip("nested.zip", _shp_members(prefix="交付/2020/地块/")), features=1, check=_gbk_name_read),
    "zip_without_shp": Case(_zip("noshp.zip", lambda f: {"readme.txt": b"hello"}), InputError, (".shp",), (".shp",)),
    "zip_parent_traversal": Case(_zip("evil.zip", _shp_members(prefix="../../")), InputError, ("不安全",), ("unsafe",)),
    "zip_absolute_path": Case(_zip("abs.zip", _shp_members(prefix="/tmp/")), InputError, ("不安全",), ("unsafe",)),
    "zip_bomb_ratio": Case(_zip_bomb, LimitExceeded, ("压缩",), ("zip bomb",)),
    "zip_inflates_beyond_limit": Case(
        _zip("big.zip", _shp_members()), LimitExceeded, ("解压",), ("inflates",), limits={"MAX_ARCHIVE_UNCOMPRESSED_BYTES": 300}
    ),
    "zip_not_a_zip": Case(_write("fake.zip", b"PK\x03\x04 not really a zip"), InputError, ("ZIP",), ("ZIP",)),
    "zip_too_many_members": Case(
        _zip("many.zip", _shp_members()), LimitExceeded, ("成员过多",), ("too many archive members",), limits={"MAX_ARCHIVE_MEMBERS": 2}
    ),
    "zip_symlink_member": Case(_zip_symlink, InputError, ("符号链接",), ("symbolic link",)),
    # --- GeoPackage ---------------------------------------------------------------------------------
    "gpkg_not_sqlite": Case(
        _write("fake.gpkg", b"SQLite format 3\x00" + bytes(200)),
        InputError,
        ("不是有效的 GeoPackage", "fake.gpkg"),
        ("not a valid GeoPackage", "fake.gpkg"),
    ),
    "gpkg_recursive_view": Case(_gpkg_recursive_view, InputError, ("视图", "loop"), ("view", "loop"), kwargs={"layer": "loop"}),
    "gpkg_layer_name_injection": Case(
        _gpkg,
        InputError,
        ("没有图层", "parcels"),
        ("no layer", "parcels"),
        kwargs={"layer": "parcels'; DROP TABLE parcels; --"},
        check=None,
    ),
    # --- KML / KMZ ---------------------------------------------------------------------------------
    "kml_billion_laughs": Case(_write("laughs.kml", BILLION_LAUGHS), InputError, ("DTD", "拒绝"), ("DTD", "refused")),
    "kml_external_entity": Case(_write("xxe.kml", XXE), InputError, ("DTD", "拒绝"), ("DTD", "refused")),
    "kml_malformed_xml": Case(_write("bad.kml", KML_HEAD + "<kml><Placemark>"), InputError, ("KML",), ("KML",)),
    "kmz_traversal": Case(_kmz_traversal, InputError, ("不安全",), ("unsafe",)),
    # --- CSV points and DXF -----------------------------------------------------------------------
    "csv_no_coordinate_columns": Case(_write("pts.csv", "a,b\n1,2\n"), InputError, ("列",), ("column",)),
    "csv_text_in_coordinates": Case(
        _write("pts2.csv", f"lon,lat,name\n{LON},{LAT},ok\nabc,{LAT},bad\n"), problems=("non_numeric_coordinates",), features=1
    ),
    "csv_binary": Case(_write("bin.csv", bytes(range(256)) * 8), InputError, ("编码",), ("encoding",)),
    "dxf_garbage": Case(_write("bad.dxf", "0\nSECTION\n2\nENTITIES\n0\nLWPOLYLINE\n10\nnot-a-number\n"), InputError, ("DXF",), ("DXF",)),
    "dxf_binary": Case(_write("bin.dxf", bytes(range(256)) * 8), InputError, ("DXF",), ("DXF",)),
    # --- reader limits and labels that lie (issue 11) ----------------------------------------------
    "csv_too_many_columns": Case(
        _write("wide.csv", "lon,lat," + ",".join(f"c{i}" for i in range(600)) + f"\n{LON},{LAT}\n"),
        LimitExceeded,
        ("列", "SSL_GIS_MAX_CSV_COLUMNS"),
        ("columns", "SSL_GIS_MAX_CSV_COLUMNS"),
    ),
    "csv_line_too_long": Case(
        _write("long.csv", f"lon,lat,note\n{LON},{LAT}," + "x" * 200 + "\n"),
        LimitExceeded,
        ("字符",),
        ("line 2", "characters"),
        limits={"MAX_CSV_LINE_CHARS": 100},
    ),
    "dxf_arc_vertex_budget": Case(
        _dxf_bulged, LimitExceeded, ("顶点", "SSL_GIS_MAX_VERTICES"), ("vertices", "SSL_GIS_MAX_VERTICES"), limits={"MAX_VERTICES": 150}
    ),
    "dxf_damaged_xdata": Case(_dxf_damaged_xdata, problems=("dxf_xdata",), features=2),
    "declared_projected_holds_degrees": Case(
        _write(
            "deg.geojson",
            {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
             "features": [_poly(_square())]},
        ),
        problems=("crs_declared_projected_holds_degrees",),
        crs=("EPSG:4547", "degrees"),
        features=1,
        check=_lon_near_lake,
    ),
    # --- Excel (.xlsx) point tables (issue 13 item 6) ----------------------------------------------
    "xlsx_not_a_workbook": Case(
        _write("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), InputError, (".xls",), ("not a valid Excel",)
    ),
    "xlsx_formula_coordinates": Case(
        _xlsx("formula.xlsx", [["经度", "纬度"], [LON, LAT], ["=113.8+0.08", LAT]]), problems=("xlsx_formula",), features=1
    ),
    "xlsx_entities": Case(_xlsx_entities, InputError, ("DTD", "拒绝"), ("DTD", "refused")),
    "xlsx_too_many_columns": Case(
        _xlsx("wide.xlsx", [["lon", "lat", *[f"c{i}" for i in range(20)]], [LON, LAT]]),
        LimitExceeded,
        ("列", "SSL_GIS_MAX_XLSX_COLUMNS"),
        ("columns", "SSL_GIS_MAX_XLSX_COLUMNS"),
        limits={"MAX_XLSX_COLUMNS": 10},
    ),
    "xlsx_unpacks_too_large": Case(
        _xlsx("bomb.xlsx", [["lon", "lat"], *[[LON, LAT]] * 500]),
        LimitExceeded,
        ("解压", "SSL_GIS_MAX_XLSX_BYTES"),
        ("unpacks", "SSL_GIS_MAX_XLSX_BYTES"),
        limits={"MAX_XLSX_UNCOMPRESSED_BYTES": 10_000},
    ),
}


def _params() -> list[Any]:
    out = []
    for name, case in CASES.items():
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(name, case, id=name, marks=marks))
    return out


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("name", "case"), _params())
def test_bad_input_table(name: str, case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = case.make(tmp_path)
    for setting, value in case.limits.items():
        monkeypatch.setattr(gis_settings, setting, value)
    if case.error is not None:
        with pytest.raises(case.error) as info:
            read_any(path, **case.kwargs)
        exc = info.value
        assert exc.zh and exc.en
        for word in case.zh:
            assert word in exc.zh, f"{word!r} not in {exc.zh!r}"
        for word in case.en:
            assert word.lower() in exc.en.lower(), f"{word!r} not in {exc.en!r}"
        assert "Traceback" not in exc.zh + exc.en
        assert "not available" not in exc.en, f"the reader for {path.suffix} is missing: {exc.en}"
        if path.suffix == ".gpkg" and case.kwargs.get("layer"):
            _gpkg_still_intact(tmp_path)  # the quoted layer name reached no SQL
        # the non-strict path (CLI validate, upload page) reports the same as a fatal file problem
        if isinstance(exc, InputError) and path.suffix.lower() in (".geojson", ".json", ".zip", ".kml", ".kmz", ".csv", ".dxf", ".xlsx"):
            loose = read_any(path, strict=False, **case.kwargs)
            assert not loose.report.ok and any(p.fatal and p.feature is None for p in loose.report.problems)
        return
    result = _expect_result_or_input_error(lambda: read_any(path, **case.kwargs))
    assert isinstance(result, ReadResult), f"expected a result, got {result}"
    problems = {p.problem for p in result.report.problems}
    repairs = {r.repair for r in result.report.repairs}
    for code in case.problems:
        assert code in problems, f"problem {code!r} not in {sorted(problems)}"
    for code in case.repairs:
        assert code in repairs, f"repair {code!r} not in {sorted(repairs)}"
    for word in case.crs:
        assert result.report.crs_assumed and word in result.report.crs_assumed, result.report.crs_assumed
    if case.features is not None:
        assert len(result.gdf) == case.features
    for p in result.report.problems:
        assert p.message_zh and p.message_en, p
    if case.check is not None:
        case.check(result)


def test_every_case_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "bad-input.md").read_text(encoding="utf-8")
    missing = [name for name in CASES if f"test_bad_input_table[{name}]" not in doc]
    assert not missing, f"docs/bad-input.md lacks rows for {missing}"
