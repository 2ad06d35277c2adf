"""DXF: CAD polylines in (closed/open, bulges, texts as names, layers, damaged files), labelled layers out."""

from __future__ import annotations

from pathlib import Path

import ezdxf
import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.io.dxf import TEXT_FONT, TEXT_STYLE, XDATA_APPID, read_dxf, write_dxf
from gis.report import ValidationReport

E, N = 489_700.0, 2_536_800.0


def cad_drawing(path: Path, *, version: str = "R2010") -> Path:
    """A drawing as a CAD user makes it: polylines, a text in a parcel, a block with attributes."""
    doc = ezdxf.new(version)
    msp = doc.modelspace()
    doc.layers.add("用地红线")
    doc.layers.add("道路")
    msp.add_lwpolyline([(E, N), (E + 100, N), (E + 100, N + 100), (E, N + 100)], close=True, dxfattribs={"layer": "用地红线"})
    # closed by repeating the first point, not by the flag
    msp.add_lwpolyline([(E + 200, N), (E + 300, N), (E + 300, N + 50), (E + 200, N)], dxfattribs={"layer": "用地红线"})
    msp.add_lwpolyline([(E, N + 200), (E + 500, N + 260)], dxfattribs={"layer": "道路"})
    msp.add_polyline2d([(E + 400, N), (E + 450, N), (E + 450, N + 40)], close=True, dxfattribs={"layer": "用地红线"})
    msp.add_point((E + 50, N + 500), dxfattribs={"layer": "0"})
    msp.add_line((E, N + 600), (E + 10, N + 600), dxfattribs={"layer": "道路"})
    msp.add_text("松山湖一号地块", dxfattribs={"layer": "注记", "height": 3}).set_placement((E + 40, N + 50))
    msp.add_mtext("二号\\P地块", dxfattribs={"layer": "注记", "insert": (E + 270, N + 10)})
    msp.add_text("outside", dxfattribs={"layer": "注记"}).set_placement((E + 5000, N + 5000))
    block = doc.blocks.new("变电站")
    block.add_circle((0, 0), 2)
    block.add_attdef("NAME", (0, 0))
    insert = msp.add_blockref("变电站", (E + 60, N + 700), dxfattribs={"layer": "设施"})
    insert.add_auto_attribs({"NAME": "110kV 松湖站"})
    msp.add_circle((E, N), 5)
    doc.saveas(path)
    return path


def test_reads_cad_entities(tmp_path: Path) -> None:
    report = ValidationReport()
    gdf = read_dxf(cad_drawing(tmp_path / "cad.dxf"), report)
    assert gdf.crs is None
    types = gdf.geometry.geom_type.tolist()
    assert types == ["Polygon", "Polygon", "LineString", "Polygon", "Point", "LineString", "Point"]
    assert gdf["dxf_layer"].tolist()[:3] == ["用地红线", "用地红线", "道路"]
    assert gdf.geometry[0].area == pytest.approx(10_000.0)
    assert gdf.geometry[1].area == pytest.approx(2_500.0)
    assert gdf.geometry[3].area == pytest.approx(1_000.0)
    assert gdf["name_zh"][0] == "松山湖一号地块" and gdf["name_zh"][1] == "二号 地块"
    assert gdf["name_zh"][3] is None or gdf["name_zh"].isna()[3]
    assert gdf["dxf_block"][6] == "变电站" and gdf["NAME"][6] == "110kV 松湖站"
    assert gdf.geometry[6].equals(Point(E + 60, N + 700))
    assert "CIRCLE × 1" in next(p.message_en for p in report.problems if p.problem == "dxf_skipped")


def test_caller_crs_and_layer_filter(tmp_path: Path) -> None:
    path = cad_drawing(tmp_path / "cad.dxf")
    gdf = read_dxf(path, ValidationReport(), crs="EPSG:4547", layer="道路")
    assert gdf.crs.to_epsg() == 4547 and set(gdf["dxf_layer"]) == {"道路"} and len(gdf) == 2
    with pytest.raises(InputError, match="用地红线"):
        read_dxf(path, ValidationReport(), layer="nope")


def test_old_gbk_dxf(tmp_path: Path) -> None:
    # R2000 files store text in the $DWGCODEPAGE code page: ANSI_936 (GBK) on Chinese CAD.
    path = tmp_path / "old.dxf"
    doc = ezdxf.new("R2000")
    doc.encoding = "gbk"  # ezdxf writes $DWGCODEPAGE = ANSI_936 and GBK bytes
    msp = doc.modelspace()
    msp.add_lwpolyline([(E, N), (E + 10, N), (E + 10, N + 10), (E, N + 10)], close=True, dxfattribs={"layer": "地块"})
    msp.add_text("东莞", dxfattribs={"height": 1}).set_placement((E + 5, N + 5))
    doc.saveas(path)
    assert "东莞".encode("gbk") in path.read_bytes()
    gdf = read_dxf(path, ValidationReport())
    assert gdf["dxf_layer"][0] == "地块" and gdf["name_zh"][0] == "东莞"


def test_bulges_are_flattened(tmp_path: Path) -> None:
    doc = ezdxf.new("R2010")
    # a 10 m square whose right side is a half-circle (bulge 1 = 180°)
    doc.modelspace().add_lwpolyline([(E, N, 0), (E + 10, N, 1), (E + 10, N + 10, 0), (E, N + 10, 0)], format="xyb", close=True)
    doc.saveas(tmp_path / "arc.dxf")
    gdf = read_dxf(tmp_path / "arc.dxf", ValidationReport())
    expected = 100 + 3.141592653589793 * 25 / 2
    assert gdf.geometry[0].area == pytest.approx(expected, rel=1e-3)


def test_not_a_dxf(tmp_path: Path) -> None:
    path = tmp_path / "x.dxf"
    path.write_text("this is a text file, not a drawing\n")
    with pytest.raises(InputError, match="DXF"):
        read_dxf(path, ValidationReport())
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(InputError, match="DXF"):
        read_dxf(path, ValidationReport())


def test_truncated_dxf_is_recovered(tmp_path: Path) -> None:
    path = cad_drawing(tmp_path / "cad.dxf")
    text = path.read_text(encoding="utf-8")
    cut = text.index("  2\nOBJECTS") + 200  # cut inside the OBJECTS section, after the entities
    path.write_text(text[:cut], encoding="utf-8")
    report = ValidationReport()
    gdf = read_dxf(path, report)
    assert len(gdf) == 7 and gdf.geometry[0].area == pytest.approx(10_000.0)
    assert "dxf_recovered" in [p.problem for p in report.problems]


def test_dxf_cut_inside_entities_is_refused_clearly(tmp_path: Path) -> None:
    path = cad_drawing(tmp_path / "cad.dxf")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  2\nENTITIES") + 200], encoding="utf-8")
    with pytest.raises(InputError, match="not a valid DXF"):
        read_dxf(path, ValidationReport())


@pytest.mark.parametrize("cut", [0, 20, 500])
def test_dxf_cut_short_is_refused(tmp_path: Path, cut: int) -> None:
    path = cad_drawing(tmp_path / "cad.dxf")
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(InputError, match="DXF"):
        read_dxf(path, ValidationReport())


def test_empty_drawing(tmp_path: Path) -> None:
    ezdxf.new("R2010").saveas(tmp_path / "empty.dxf")
    with pytest.raises(InputError, match="polyline"):
        read_dxf(tmp_path / "empty.dxf", ValidationReport())


def test_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cad_drawing(tmp_path / "cad.dxf")
    monkeypatch.setattr(settings, "MAX_VERTICES", 5)
    with pytest.raises(LimitExceeded):
        read_dxf(path, ValidationReport())


# --- writing -----------------------------------------------------------------------------------


@pytest.fixture
def plan() -> gpd.GeoDataFrame:
    hole = Polygon(
        [(E, N), (E + 100, N), (E + 100, N + 100), (E, N + 100)],
        [[(E + 20, N + 20), (E + 40, N + 20), (E + 40, N + 40), (E + 20, N + 40)]],
    )
    gdf = gpd.GeoDataFrame(
        {
            "id": ["p-1", "r-1", "s-1", "m-1", "n-1"],
            "name_zh": ["地块一", "环湖路", "110kV 变电站", "两块地", None],
            "status": ["planned", "delayed", "under_construction", "planned", "a/b"],
            "area_mu": [15.0, None, 1.5, 2.25, 0.5],
        },
        geometry=[
            hole,
            LineString([(E, N + 300), (E + 500, N + 400)]),
            Point(E + 10, N + 700),
            MultiPolygon([box(E + 1000, N, E + 1100, N + 100), box(E + 1200, N, E + 1300, N + 100)]),
            box(E + 2000, N, E + 2010, N + 10),
        ],
        crs="EPSG:4547",
    )
    return gdf.to_crs("EPSG:4326")


def test_write_dxf_layers_labels_units(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    out = write_dxf(plan, tmp_path / "plan.dxf")
    doc = ezdxf.readfile(out)
    assert doc.dxfversion >= "AC1024"  # R2010: UTF-8 text
    assert doc.header["$INSUNITS"] == 6
    assert {layer.dxf.name for layer in doc.layers} >= {"planned", "delayed", "under_construction", "a_b"}
    assert doc.layers.get("delayed").color == 1
    style = doc.styles.get(TEXT_STYLE)
    assert style.dxf.font == TEXT_FONT
    msp = doc.modelspace()
    texts = {t.dxf.text: t for t in msp.query("TEXT")}
    assert set(texts) == {"地块一", "环湖路", "110kV 变电站", "两块地"}
    assert all(t.dxf.style == TEXT_STYLE for t in texts.values())
    assert texts["环湖路"].dxf.layer == "delayed"
    # every ring a closed LWPOLYLINE: 2 for the parcel with a hole, 2 for the multipolygon, 1 for the last
    closed = [e for e in msp.query("LWPOLYLINE") if e.closed]
    assert len(closed) == 5
    assert len(msp.query("POINT")) == 1
    first = closed[0]
    assert first.has_xdata(XDATA_APPID) and first.dxf.layer == "planned"
    metres = plan.to_crs(4547)
    xs = [p[0] for p in first.get_points("xy")]
    assert min(xs) == pytest.approx(E, abs=1e-3) and max(xs) == pytest.approx(metres.geometry[0].bounds[2], abs=1e-3)


def test_write_read_back_with_our_reader(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    out = write_dxf(plan, tmp_path / "plan.dxf")
    back = read_dxf(out, ValidationReport())
    assert back.crs.to_epsg() == 4547  # declared in the header's custom properties
    metres = plan.to_crs(4547)
    assert back["id"].tolist() == metres["id"].tolist()
    assert back["name_zh"].tolist()[:4] == metres["name_zh"].tolist()[:4]
    assert back["area_mu"].tolist()[0] == 15.0
    assert (shapely.hausdorff_distance(back.geometry.values, metres.geometry.values) < 1e-6).all()
    assert len(back.geometry[0].interiors) == 1
    assert back.geometry.geom_type.tolist() == ["Polygon", "LineString", "Point", "MultiPolygon", "Polygon"]


def test_write_read_back_with_gdal(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    out = write_dxf(plan, tmp_path / "plan.dxf", crs="EPSG:4526")
    # GDAL decodes DXF text by $DWGCODEPAGE even for R2007+ files, which are UTF-8 by definition.
    pyogrio.set_gdal_config_options({"DXF_ENCODING": "UTF-8"})
    try:
        back = pyogrio.read_dataframe(out)
    finally:
        pyogrio.set_gdal_config_options({"DXF_ENCODING": None})
    assert set(back["Layer"]) >= {"planned", "delayed"}
    labels = back[back["Text"].notna()]
    assert sorted(labels["Text"]) == sorted(["地块一", "环湖路", "110kV 变电站", "两块地"])
    polys = back[back["Layer"].eq("planned") & back.geometry.geom_type.eq("LineString") & back["Text"].isna()]
    assert len(polys) >= 3
    assert polys.total_bounds[0] > 38_000_000  # zone-38 prefix on the eastings


def test_layer_field_fallback(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    gdf = plan.drop(columns=["status"]).assign(layer=["parcels", "roads", "substations", "parcels", "parcels"])
    doc = ezdxf.readfile(write_dxf(gdf, tmp_path / "p.dxf"))
    assert {layer.dxf.name for layer in doc.layers} >= {"parcels", "roads", "substations"}
    doc = ezdxf.readfile(write_dxf(gdf, tmp_path / "p2.dxf", layer_field="id"))
    assert {layer.dxf.name for layer in doc.layers} >= {"p-1", "r-1"}


def test_write_refuses_other_crs_and_missing_crs(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="4547"):
        write_dxf(plan, tmp_path / "x.dxf", crs="EPSG:3857")
    with pytest.raises(InputError, match="CRS"):
        write_dxf(gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)]), tmp_path / "x.dxf")


def test_read_any_sniffs_cad_metres(tmp_path: Path) -> None:
    from gis.io import read_any

    result = read_any(cad_drawing(tmp_path / "cad.dxf"))
    assert result.format == "dxf" and result.gdf.crs.to_epsg() == 4326
    assert "4547" in (result.report.crs_assumed or "")
    parcel = result.gdf[result.gdf["name_zh"] == "松山湖一号地块"].to_crs(4547)
    assert parcel.geometry.iloc[0].area == pytest.approx(10_000.0, rel=1e-6)


def test_write_any_dxf_round_trip(tmp_path: Path, plan: gpd.GeoDataFrame) -> None:
    from gis.io import read_any, write_any

    written = write_any(plan, tmp_path / "plan.dxf", fmt="dxf", crs="EPSG:4526")
    assert written.crs == "EPSG:4526"
    result = read_any(written.path)
    assert result.report.crs_assumed is None  # declared by the file's CRS property
    assert result.gdf["id"].tolist() == plan["id"].tolist()
    assert (shapely.hausdorff_distance(result.gdf.geometry.values, plan.geometry.values) < 1e-7).all()


def test_read_any_not_a_dxf(tmp_path: Path) -> None:
    from gis.io import read_any

    (tmp_path / "x.dxf").write_text("hello")
    with pytest.raises(InputError, match="x.dxf|DXF"):
        read_any(tmp_path / "x.dxf")
