"""KML and KMZ: namespaces, geometry kinds, ExtendedData, HTML descriptions, XML bombs, truncation, writing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import defusedxml.ElementTree as DET
import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.io.kml import html_to_text, read_kml, write_kml
from gis.report import ValidationReport

LON, LAT = 113.88, 22.93

DOC = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>松山湖</name>
  <Schema name="s" id="s"><SimpleField name="area_mu" type="double"/><SimpleField name="count" type="int"/></Schema>
  <Folder><name>变电站</name>
    <Placemark>
      <name>110kV 松湖站</name>
      <description><![CDATA[<b>在建</b> &amp; <script>alert(1)</script>110 kV<br/>二期]]></description>
      <ExtendedData><Data name="status"><value>under_construction</value></Data></ExtendedData>
      <Point><coordinates>113.88,22.93,0</coordinates></Point>
    </Placemark>
  </Folder>
  <Folder><name>地块</name>
    <Placemark>
      <name>地块 &lt;A&gt;</name>
      <ExtendedData><SchemaData schemaUrl="#s"><SimpleData name="area_mu">15.5</SimpleData>
        <SimpleData name="count">3</SimpleData></SchemaData></ExtendedData>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        113.88,22.93 113.89,22.93 113.89,22.94 113.88,22.94 113.88,22.93
      </coordinates></LinearRing></outerBoundaryIs>
      <innerBoundaryIs><LinearRing><coordinates>113.882,22.932 113.884,22.932 113.884,22.934</coordinates></LinearRing></innerBoundaryIs>
      </Polygon>
    </Placemark>
    <Placemark>
      <name>两块</name>
      <MultiGeometry>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          113.90,22.93 113.91,22.93 113.91,22.94 113.90,22.93</coordinates></LinearRing></outerBoundaryIs></Polygon>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          113.92,22.93 113.93,22.93 113.93,22.94 113.92,22.93</coordinates></LinearRing></outerBoundaryIs></Polygon>
      </MultiGeometry>
    </Placemark>
  </Folder>
  <Placemark><name>路</name><LineString><coordinates>113.88, 22.93  113.90, 22.95</coordinates></LineString></Placemark>
</Document>
</kml>
"""


def write(tmp_path: Path, text: str, name: str = "x.kml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_every_geometry_kind_and_field(tmp_path: Path) -> None:
    gdf = read_kml(write(tmp_path, DOC), ValidationReport())
    assert gdf.crs.to_epsg() == 4326
    assert gdf["name"].tolist() == ["110kV 松湖站", "地块 <A>", "两块", "路"]
    assert gdf.geometry.geom_type.tolist() == ["Point", "Polygon", "MultiPolygon", "LineString"]
    assert gdf.geometry[0].has_z and gdf.geometry[0].coords[0][:2] == (113.88, 22.93)
    assert len(gdf.geometry[1].interiors) == 1
    assert gdf["kml_folder"].tolist()[:3] == ["变电站", "地块", "地块"] and gdf["kml_folder"].isna()[3]
    assert gdf["status"][0] == "under_construction"
    assert gdf["area_mu"][1] == 15.5 and gdf["count"][1] == 3  # typed from the Schema
    assert gdf.geometry[3].coords[1] == (113.90, 22.95)  # "lon, lat" with spaces


def test_description_is_plain_text(tmp_path: Path) -> None:
    gdf = read_kml(write(tmp_path, DOC), ValidationReport())
    assert gdf["description"][0] == "在建 & 110 kV\n二期"
    assert "<" not in gdf["description"][0] and "alert" not in gdf["description"][0]
    assert html_to_text("a &lt;b&gt; <i>c</i>") == "a <b> c"


def test_unclosed_ring_is_closed_and_reported(tmp_path: Path) -> None:
    report = ValidationReport()
    gdf = read_kml(write(tmp_path, DOC), report)
    assert gdf.geometry[1].interiors[0].is_closed
    assert [(r.feature, r.repair) for r in report.repairs] == [(1, "ring_closed")]


@pytest.mark.parametrize(
    "root",
    [
        '<kml xmlns="http://earth.google.com/kml/2.1">',
        "<kml>",
        '<k:kml xmlns:k="http://www.opengis.net/kml/2.2">',
    ],
)
def test_namespaces(tmp_path: Path, root: str) -> None:
    prefix = "k:" if root.startswith("<k:") else ""
    p = prefix
    body = f"<{p}Placemark><{p}name>点</{p}name><{p}Point><{p}coordinates>113.9,22.9</{p}coordinates></{p}Point></{p}Placemark>"
    end = "</k:kml>" if prefix else "</kml>"
    gdf = read_kml(write(tmp_path, root + body + end), ValidationReport())
    assert gdf["name"].tolist() == ["点"] and gdf.geometry[0].equals(Point(113.9, 22.9))


def test_kmz(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.kmz", "w") as zf:
        zf.writestr("files/icon.png", b"\x89PNG")
        zf.writestr("doc.kml", DOC)
    assert len(read_kml(tmp_path / "x.kmz", ValidationReport())) == 4


def test_kmz_zip_slip(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.kmz", "w") as zf:
        zf.writestr("../doc.kml", DOC)
    with pytest.raises(InputError, match=r"\.\."):
        read_kml(tmp_path / "x.kmz", ValidationReport())


def test_kmz_bomb(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.kmz", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", DOC.encode() + b" " * (30 * 1024 * 1024))
    with pytest.raises(LimitExceeded):
        read_kml(tmp_path / "x.kmz", ValidationReport())


def test_kmz_without_kml(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.kmz", "w") as zf:
        zf.writestr("a.txt", "x")
    with pytest.raises(InputError, match=r"\.kml"):
        read_kml(tmp_path / "x.kmz", ValidationReport())


def test_truncated_kml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="XML"):
        read_kml(write(tmp_path, DOC[: len(DOC) // 2]), ValidationReport())


BOMB = """<?xml version="1.0"?>
<!DOCTYPE kml [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&d;</name><Point><coordinates>113.9,22.9</coordinates></Point></Placemark></kml>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&xxe;</name><Point><coordinates>113.9,22.9</coordinates></Point></Placemark></kml>
"""


@pytest.mark.parametrize("text", [BOMB, EXTERNAL])
def test_entities_and_dtds_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError, match="DTD"):
        read_kml(write(tmp_path, text), ValidationReport())


def test_not_kml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="KML"):
        read_kml(write(tmp_path, "<svg xmlns='http://www.w3.org/2000/svg'/>"), ValidationReport())
    with pytest.raises(InputError):
        read_kml(write(tmp_path, "not xml at all"), ValidationReport())


def test_no_placemarks(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Placemark"):
        read_kml(write(tmp_path, '<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>'), ValidationReport())


def test_bad_coordinates_are_a_feature_problem(tmp_path: Path) -> None:
    text = (
        '<kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Placemark><name>坏</name><Point><coordinates>abc,def</coordinates></Point></Placemark>"
        "<Placemark><name>好</name><Point><coordinates>113.9,22.9</coordinates></Point></Placemark>"
        "<Placemark><name>无几何</name></Placemark>"
        "</kml>"
    )
    report = ValidationReport()
    gdf = read_kml(write(tmp_path, text), report)
    assert len(gdf) == 3 and gdf.geometry[0] is None and gdf.geometry[2] is None
    assert [(p.feature, p.problem) for p in report.problems] == [(0, "bad_coordinates")]


def test_layer_selects_a_folder(tmp_path: Path) -> None:
    path = write(tmp_path, DOC)
    assert read_kml(path, ValidationReport(), layer="地块")["name"].tolist() == ["地块 <A>", "两块"]
    with pytest.raises(InputError, match="变电站"):
        read_kml(path, ValidationReport(), layer="道路")


def test_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, DOC)
    monkeypatch.setattr(settings, "MAX_FEATURES", 3)
    with pytest.raises(LimitExceeded):
        read_kml(path, ValidationReport())
    monkeypatch.setattr(settings, "MAX_FEATURES", 100)
    monkeypatch.setattr(settings, "MAX_VERTICES", 8)
    with pytest.raises(LimitExceeded):
        read_kml(path, ValidationReport())


# --- writing -----------------------------------------------------------------------------------


@pytest.fixture
def plan() -> gpd.GeoDataFrame:
    e, n = 489_700.0, 2_536_800.0
    hole = Polygon(
        [(e, n), (e + 100, n), (e + 100, n + 100), (e, n + 100)],
        [[(e + 20, n + 20), (e + 40, n + 20), (e + 40, n + 40), (e + 20, n + 40)]],
    )
    return gpd.GeoDataFrame(
        {
            "id": ["p-1", "r-1", "s-1", "m-1"],
            "name_zh": ['地块 <一> & "二"', "道路]]>", "变电站", "两块"],
            "status": ["planned", "delayed", "under_construction", "a b/c"],
            "area_mu": [15.0, 0.0, 1.5, 2.25],
            "version": [1, 2, 3, 4],
        },
        geometry=[
            hole,
            LineString([(e, n), (e + 500, n + 300)]),
            Point(e + 10, n + 10),
            MultiPolygon([box(e + 1000, n, e + 1100, n + 100), box(e + 1200, n, e + 1300, n + 100)]),
        ],
        crs="EPSG:4547",
    )


@pytest.mark.parametrize("kmz", [False, True])
def test_write_read_back_with_pyogrio(tmp_path: Path, plan: gpd.GeoDataFrame, kmz: bool) -> None:
    out = write_kml(plan, tmp_path / ("p.kmz" if kmz else "p.kml"), kmz=kmz)
    if kmz:
        with zipfile.ZipFile(out) as zf:
            assert zf.namelist() == ["doc.kml"]
    back = pyogrio.read_dataframe(out)
    assert back.crs.to_epsg() == 4326
    assert back["Name"].tolist() == plan["name_zh"].tolist()
    assert back["id"].tolist() == plan["id"].tolist()  # LIBKML reads the Placemark's id attribute as "id"
    assert back["status"].tolist() == plan["status"].tolist()
    assert back["area_mu"].tolist() == plan["area_mu"].tolist()
    assert back["version"].tolist() == [1, 2, 3, 4]
    expected = plan.to_crs(4326).geometry.values
    got = shapely.force_2d(back.geometry.values)
    assert (shapely.hausdorff_distance(got, expected) < 1e-6).all()
    assert len(got[0].interiors) == 1


def test_write_read_back_with_our_reader(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    out = write_kml(plan, tmp_path / "p.kml")
    back = read_kml(out, ValidationReport())
    assert back["name"].tolist() == plan["name_zh"].tolist()
    assert back["name_zh"].tolist() == plan["name_zh"].tolist()
    assert back["area_mu"].tolist() == plan["area_mu"].tolist() and back["version"].tolist() == [1, 2, 3, 4]
    expected = plan.to_crs(4326).geometry.values
    assert (shapely.hausdorff_distance(back.geometry.values, expected) < 1e-6).all()
    assert back.geometry[0].exterior.is_ccw


def test_write_escapes_and_styles(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    text = write_kml(plan, tmp_path / "p.kml").read_text(encoding="utf-8")
    assert "地块 &lt;一&gt; &amp;" in text and "<一>" not in text
    assert 'id="status-planned"' in text and "#status-delayed" in text and 'id="status-a_b_c"' in text
    assert "ff3c14dc" in text  # delayed is crimson


def test_description_is_written_as_escaped_html(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    gdf = plan.assign(description=["<img src=x onerror=alert(1)> & more", "line 1\nline 2", None, "plain"])
    out = write_kml(gdf, tmp_path / "p.kml")
    root = DET.fromstring(out.read_bytes())
    texts = [el.text or "" for el in root.iter() if el.tag.endswith("}description")]
    assert len(texts) == 3 and not any("<img" in t for t in texts)  # what a viewer renders as HTML
    assert texts[1] == "line 1<br/>line 2"
    back = read_kml(out, ValidationReport())
    assert back["description"].tolist()[:2] == ["<img src=x onerror=alert(1)> & more", "line 1\nline 2"]
    assert back["description"].isna()[2] and back["description"][3] == "plain"


def test_write_needs_a_crs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="CRS"):
        write_kml(gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)]), tmp_path / "x.kml")


def test_read_any_and_write_any_kmz(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    from gis.io import read_any, write_any

    written = write_any(plan, tmp_path / "plan.kmz", fmt="kmz")
    result = read_any(written.path)
    assert result.format == "kml" and result.gdf.crs.to_epsg() == 4326
    assert result.gdf["name_zh"].tolist() == plan["name_zh"].tolist()
    assert result.report.crs_assumed is None  # KML declares EPSG:4326


def test_read_any_xml_bomb_is_a_clear_error(tmp_path: Path) -> None:
    from gis.io import read_any

    with pytest.raises(InputError, match="DTD"):
        read_any(write(tmp_path, BOMB), display_name="bomb.kml")
