"""gis.print_map and layers.print_map: 出图 sheets as PNG of the paper's size and PDF with real text."""

from __future__ import annotations

import io

import geopandas as gpd
import pytest
from PIL import Image
from shapely.geometry import LineString, Point, box

from gis import print_map
from gis.errors import InputError

pypdf = pytest.importorskip("pypdf", reason="pypdf (requirements-dev.txt) reads the PDF's text back")


@pytest.fixture
def frames() -> list[tuple[gpd.GeoDataFrame, dict]]:
    parcels = gpd.GeoDataFrame({"id": ["p-1"]}, geometry=[box(113.88, 22.90, 113.90, 22.92)], crs="EPSG:4326")
    roads = gpd.GeoDataFrame({"id": ["r-1"]}, geometry=[LineString([(113.85, 22.93), (113.95, 22.95)])], crs="EPSG:4326")
    pts = gpd.GeoDataFrame({"id": ["s-1"]}, geometry=[Point(113.89, 22.93)], crs="EPSG:4326")
    return [(parcels, {"color": "#ff0000", "fill_opacity": 0.5}), (roads, {"color": "#0000ff", "weight": 3}), (pts, {"color": "#00aa00"})]


def _sheet(**kw) -> print_map.Sheet:
    return print_map.Sheet(
        title="松山湖测试图", extent=(113.84, 22.89, 113.96, 22.96),
        legend=[print_map.LegendEntry("地块图例", "#ff0000"), print_map.LegendEntry("道路图例", "#0000ff", "line")],
        date_text="出图日期 2026-11-29", sources=["数据来源：测试"], **kw,
    )


def _text(pdf: bytes) -> str:
    return "".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\x00", "").split())


def test_png_has_the_paper_size_at_the_dpi(frames) -> None:
    a4 = Image.open(io.BytesIO(print_map.map_png(frames, _sheet(), paper="A4", dpi=100)))
    assert a4.size == (round(297 / 25.4 * 100), round(210 / 25.4 * 100))  # 1169 × 827 px
    a3 = Image.open(io.BytesIO(print_map.map_png(frames, _sheet(), paper="A3", dpi=100)))
    assert a3.size == (round(420 / 25.4 * 100), round(297 / 25.4 * 100))


def test_png_draws_the_data_in_its_colours(frames) -> None:
    img = Image.open(io.BytesIO(print_map.map_png(frames, _sheet(), dpi=100))).convert("RGB")
    colours = {c for _, c in img.getcolors(1 << 20)}
    assert (0, 0, 255) in colours  # the road's stroke
    assert any(r > 200 and g < 60 and b < 60 for r, g, b in colours)  # the parcel's red


def test_pdf_holds_title_legend_scale_and_disclaimer_as_text(frames) -> None:
    text = _text(print_map.map_pdf(frames, _sheet(disclaimer="示意：2 个要素为示意位置"), paper="A3", dpi=72))
    for words in ("松山湖测试图", "地块图例", "道路图例", "示意：2个要素为示意位置", "出图日期", "数据来源：测试", "北N"):
        assert words in text
    assert "km" in text or "m" in text


def test_no_disclaimer_unless_asked(frames) -> None:
    assert "示意" not in _text(print_map.map_pdf(frames, _sheet(), dpi=72))


@pytest.mark.parametrize("width_m, bar_m", [(10_000, 2000), (40_000, 10_000), (3_000, 500), (900, 200)])
def test_scale_bar_is_a_round_metric_length(width_m: float, bar_m: float) -> None:
    assert print_map.scale_bar_m(width_m) == bar_m


def test_bad_paper_extent_and_dpi_are_input_errors(frames) -> None:
    with pytest.raises(InputError):
        print_map.map_png(frames, _sheet(), paper="Letter")
    with pytest.raises(InputError):
        print_map.map_png(frames, print_map.Sheet(title="x", extent=(114, 23, 113, 22)))
    with pytest.raises(InputError):
        print_map.map_png(frames, _sheet(), dpi=5000)


def test_a_tile_package_is_drawn_under_the_data(tmp_path, frames) -> None:
    from gis.tile_render import render_mbtiles
    from gis.tiles import open_package

    ground = gpd.GeoDataFrame({"id": ["g"]}, geometry=[box(113.80, 22.85, 114.00, 23.00)], crs="EPSG:4326")
    path = tmp_path / "ground.mbtiles"
    render_mbtiles([(ground, {"color": "#ff00ff", "fillColor": "#ff00ff", "fillOpacity": 1})], path, zoom=(10, 12), name="测试")
    package = open_package(path)
    try:
        img = Image.open(io.BytesIO(print_map.map_png(frames, _sheet(), dpi=72, basemap=package))).convert("RGB")
    finally:
        package.close()
    colours = dict((c, n) for n, c in img.getcolors(1 << 20))
    assert colours.get((255, 0, 255), 0) > 10_000  # the package's magenta fills the map frame
    plain = Image.open(io.BytesIO(print_map.map_png(frames, _sheet(), dpi=72))).convert("RGB")
    assert (255, 0, 255) not in {c for _, c in plain.getcolors(1 << 20)}
