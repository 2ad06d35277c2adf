"""gis.tiles and gis.tile_render on small packages made here: MBTiles and folders, Web Mercator, geographic
(CGCS2000 / EPSG:4490) tiling refused with its reason, GCJ-02-labelled packages shown with shifted data."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from PIL import Image

from gis import tiles
from gis.__main__ import main as gis_main
from gis.errors import InputError, LimitExceeded
from gis.tile_render import parse_zoom_range, render_mbtiles
from layers.__main__ import main as cli_main  # the plan's command line: tiles --render-bundled

# A point in Songshan Lake and its Web Mercator tile at zoom 12 (checked independently below).
LON, LAT, Z = 113.89, 22.92, 12


def png(colour: tuple[int, int, int, int], fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGBA", (256, 256), colour)
    (img.convert("RGB") if fmt == "JPEG" else img).save(buf, format=fmt)
    return buf.getvalue()


def make_mbtiles(path: Path, tiles_xyz: dict[tuple[int, int, int], bytes], meta: dict[str, str]) -> Path:
    """An MBTiles file as the spec says: TMS rows, a metadata table."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    for (z, x, y), data in tiles_xyz.items():
        con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, data))
    con.commit()
    con.close()
    return path


def make_folder(root: Path, tiles_rows: dict[tuple[int, int, int], bytes], ext: str = "png", meta: dict | None = None) -> Path:
    for (z, x, y), data in tiles_rows.items():
        (root / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
        (root / str(z) / str(x) / f"{y}.{ext}").write_bytes(data)
    if meta is not None:
        (root / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return root


def test_lonlat_to_tile_matches_the_web_mercator_formula() -> None:
    from pyproj import Transformer

    mx, my = Transformer.from_crs(4326, 3857, always_xy=True).transform(LON, LAT)
    size = 2 * tiles.HALF_WORLD_M / 2**Z
    expected = (int((mx + tiles.HALF_WORLD_M) // size), int((tiles.HALF_WORLD_M - my) // size))
    assert tiles.lonlat_to_tile(LON, LAT, Z) == expected == (3343, 1779)
    assert tiles.lonlat_to_tile(-180, 85.06, 0) == (0, 0)


def test_mbtiles_tile_read_with_tms_rows_flipped(tmp_path: Path) -> None:
    x, y = tiles.lonlat_to_tile(LON, LAT, Z)
    red, blue = png((255, 0, 0, 255)), png((0, 0, 255, 255))
    path = make_mbtiles(
        tmp_path / "a.mbtiles", {(Z, x, y): red, (Z, x + 1, y): blue},
        {"name": "测试底图", "attribution": "© 测绘院", "format": "png", "bounds": "113.8,22.8,114.0,23.0"},
    )
    pkg = tiles.open_package(path)
    info = pkg.info
    assert (info.name, info.attribution, info.format, info.kind, info.scheme) == ("测试底图", "© 测绘院", "png", "mbtiles", "tms")
    assert (info.minzoom, info.maxzoom) == (Z, Z)
    assert info.bounds == (113.8, 22.8, 114.0, 23.0)
    assert info.tiling == "webmercator"
    tiles.ensure_displayable(info)
    data, ctype = pkg.tile(Z, x, y)
    assert ctype == "image/png" and data == red
    assert pkg.tile(Z, x + 1, y)[0] == blue
    # the TMS row of the same tile, asked as if it were XYZ, is not there; outside the package is None
    assert pkg.tile(Z, x, 2**Z - 1 - y) is None
    assert pkg.tile(Z + 1, 2 * x, 2 * y) is None
    assert pkg.tile(Z, 2**Z, 0) is None and pkg.tile(Z, -1, 0) is None
    pkg.close()


def test_mbtiles_is_opened_read_only_and_left_unchanged(tmp_path: Path) -> None:
    path = make_mbtiles(tmp_path / "ro.mbtiles", {(Z, 3343, 1779): png((1, 2, 3, 255))}, {"name": "ro", "format": "png"})
    before = path.read_bytes()
    pkg = tiles.open_package(path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        pkg._source._con.execute("DELETE FROM tiles")
    pkg.close()
    assert path.read_bytes() == before
    assert not (tmp_path / "ro.mbtiles-journal").exists() and not (tmp_path / "ro.mbtiles-wal").exists()


def test_one_connection_serves_concurrent_readers(tmp_path: Path) -> None:
    colours = {(Z, 3340 + i, 1779): png((i * 20, 0, 0, 255)) for i in range(8)}
    pkg = tiles.open_package(make_mbtiles(tmp_path / "c.mbtiles", colours, {"name": "c", "format": "png"}))
    errors: list[BaseException] = []

    def read(i: int) -> None:
        try:
            for _ in range(200):
                assert pkg.tile(Z, 3340 + i, 1779)[0] == colours[(Z, 3340 + i, 1779)]
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    pkg.close()
    assert errors == []


def test_xyz_folder_with_metadata_json_and_formats(tmp_path: Path) -> None:
    x, y = tiles.lonlat_to_tile(LON, LAT, Z)
    green = png((0, 255, 0, 255), "WEBP")
    root = make_folder(tmp_path / "xyz", {(Z, x, y): green, (Z + 1, 2 * x, 2 * y): png((0, 0, 0, 255), "WEBP")}, "webp",
                       {"name": "文件夹底图", "attribution": "内网"})
    pkg = tiles.open_package(root)
    info = pkg.info
    assert (info.kind, info.format, info.scheme, info.minzoom, info.maxzoom) == ("folder", "webp", "xyz", Z, Z + 1)
    assert info.name == "文件夹底图" and info.tiling == "webmercator"
    # bounds derived from the tiles at the lowest zoom: the tile holding the point
    w, s, e, n = info.bounds
    assert w <= LON <= e and s <= LAT <= n and e - w < 0.1
    assert pkg.tile(Z, x, y) == (green, "image/webp")
    assert pkg.tile(Z, x + 1, y) is None


def test_tms_folder_rows_are_flipped(tmp_path: Path) -> None:
    x, y = tiles.lonlat_to_tile(LON, LAT, Z)
    jpg = png((10, 20, 30, 255), "JPEG")
    root = make_folder(tmp_path / "tms", {(Z, x, 2**Z - 1 - y): jpg}, "jpg", {"scheme": "tms"})
    pkg = tiles.open_package(root)
    assert pkg.info.scheme == "tms" and pkg.info.format == "jpg"
    assert pkg.tile(Z, x, y) == (jpg, "image/jpeg")
    w, s, e, n = pkg.info.bounds
    assert w <= LON <= e and s <= LAT <= n


def test_gdal2tiles_folder_reads_tilemapresource(tmp_path: Path) -> None:
    x, y = tiles.lonlat_to_tile(LON, LAT, Z)
    root = make_folder(tmp_path / "g2t", {(Z, x, 2**Z - 1 - y): png((5, 5, 5, 255))})
    (root / "tilemapresource.xml").write_text(
        '<?xml version="1.0"?><TileMap version="1.0.0"><Title>dg.tif</Title><SRS>EPSG:3857</SRS>'
        '<TileFormat width="256" height="256" extension="png"/><TileSets profile="mercator"/></TileMap>'
    )
    pkg = tiles.open_package(root)
    assert (pkg.info.name, pkg.info.scheme, pkg.info.tiling) == ("dg.tif", "tms", "webmercator")
    assert pkg.tile(Z, x, y) is not None


@pytest.mark.parametrize("key,value", [("crs", "EPSG:4490"), ("srs", "CGCS2000"), ("profile", "geodetic")])
def test_declared_geographic_tiling_is_refused_with_its_reason(tmp_path: Path, key: str, value: str) -> None:
    path = make_mbtiles(tmp_path / "geo.mbtiles", {(Z, 3343, 1779): png((0, 0, 0, 255))}, {"name": "天地图经纬度", key: value})
    info = tiles.open_package(path).info
    assert info.tiling == "geographic"
    with pytest.raises(InputError) as err:
        tiles.ensure_displayable(info)
    assert "EPSG:4490" in err.value.zh and "Web 墨卡托" in err.value.zh
    assert "geographic" in err.value.en and "Web Mercator" in err.value.en and "天地图经纬度" in err.value.en


def test_geographic_grid_is_recognised_from_where_its_tiles_lie(tmp_path: Path) -> None:
    # gdal2tiles geodetic: 2**(z+1) columns, so Dongguan sits in column (113.89+180)/360*8192 = 6686 > 4096
    root = make_folder(tmp_path / "geodetic", {(Z, 6686, 3054): png((0, 0, 0, 255))})
    info = tiles.open_package(root).info
    assert info.tiling == "geographic" and "beyond" in info.tiling_reason
    # Tianditu "_c": 2**z x 2**(z-1) grid; the column matches Web Mercator, the row gives it away given the bounds
    row_c = int((90 - LAT) / 180 * 2 ** (Z - 1))
    path = make_mbtiles(tmp_path / "c.mbtiles", {(Z, 3343, row_c): png((0, 0, 0, 255))},
                        {"name": "vec_c cache", "bounds": "113.8,22.8,114.0,23.0"})
    info = tiles.open_package(path).info
    assert info.tiling == "geographic"
    with pytest.raises(InputError):
        tiles.ensure_displayable(info)


def test_tiles_elsewhere_than_the_bounds_are_refused(tmp_path: Path) -> None:
    # tiles at Songshan Lake, bounds around Beijing: the tiling cannot be confirmed
    path = make_mbtiles(tmp_path / "m.mbtiles", {(Z, 3343, 1779): png((0, 0, 0, 255))}, {"name": "m", "bounds": "116.2,39.8,116.6,40.1"})
    info = tiles.open_package(path).info
    assert info.tiling == "mismatch"
    with pytest.raises(InputError, match="bounds"):
        tiles.ensure_displayable(info)


@pytest.mark.parametrize("meta", [{"name": "高德矢量缓存"}, {"name": "x", "offset": "gcj02"}, {"name": "x", "crs": "AMap GCJ-02"}])
def test_gcj02_packages_are_displayable_with_the_data_shifted(tmp_path: Path, meta: dict[str, str]) -> None:
    path = make_mbtiles(tmp_path / "gcj.mbtiles", {(Z, 3343, 1779): png((0, 0, 0, 255))}, meta)
    info = tiles.open_package(path).info
    assert info.tiling == "gcj02"
    tiles.ensure_displayable(info)  # usable: the app shifts the features to GCJ-02, as for the Gaode basemaps


def test_baidu_tiles_are_refused(tmp_path: Path) -> None:
    info = tiles.open_package(make_mbtiles(tmp_path / "bd.mbtiles", {(Z, 3343, 1779): png((0, 0, 0, 255))}, {"name": "百度地图"})).info
    assert info.tiling == "bd09"
    with pytest.raises(InputError, match="BD-09"):
        tiles.ensure_displayable(info)


def test_bad_packages_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no tile package"):
        tiles.open_package(tmp_path / "missing.mbtiles")
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="MBTiles"):
        tiles.open_package(junk)
    with pytest.raises(InputError, match="no tiles"):
        tiles.open_package(make_mbtiles(tmp_path / "empty.mbtiles", {}, {"name": "e"}))
    with pytest.raises(InputError, match="vector tiles"):
        tiles.open_package(make_mbtiles(tmp_path / "v.mbtiles", {(Z, 3343, 1779): b"\x1f\x8b\x08\x00"}, {"format": "pbf"}))
    other = sqlite3.connect(tmp_path / "other.sqlite")
    other.execute("CREATE TABLE t (a)")
    other.close()
    with pytest.raises(InputError, match="tables"):
        tiles.open_package(tmp_path / "other.sqlite")


def test_render_writes_a_known_colour_at_a_known_tile(tmp_path: Path) -> None:
    x, y = tiles.lonlat_to_tile(LON, LAT, Z)
    w, s = tiles._tile_lonlat(Z, x, y + 1)
    e, n = tiles._tile_lonlat(Z, x + 1, y)
    # a red square covering the whole tile and a bit more, in EPSG:4326
    square = gpd.GeoDataFrame(geometry=[shapely.box(w - 0.01, s - 0.01, e + 0.01, n + 0.01)], crs=4326)
    info = render_mbtiles([(square, {"color": "#ff0000", "fill_color": "#ff0000", "fill_opacity": 1})],
                          tmp_path / "r.mbtiles", zoom=(Z, Z + 1), name="red")
    assert (info.tiling, info.minzoom, info.maxzoom, info.format) == ("webmercator", Z, Z + 1, "png")
    pkg = tiles.open_package(tmp_path / "r.mbtiles")
    img = Image.open(io.BytesIO(pkg.tile(Z, x, y)[0])).convert("RGBA")
    assert img.getpixel((128, 128)) == (255, 0, 0, 255) and img.getpixel((0, 0)) == (255, 0, 0, 255)
    # nothing drawn far away: the tile is left out
    assert pkg.tile(Z, x + 5, y) is None


def test_render_keeps_holes_and_refuses_too_many_tiles(tmp_path: Path) -> None:
    x, y = tiles.lonlat_to_tile(LON, LAT, Z)
    w, s = tiles._tile_lonlat(Z, x, y + 1)
    e, n = tiles._tile_lonlat(Z, x + 1, y)
    cx, cy = (w + e) / 2, (s + n) / 2
    ring = shapely.box(w - 1, s - 1, e + 1, n + 1).difference(shapely.box(cx - 0.005, cy - 0.005, cx + 0.005, cy + 0.005))
    frame = gpd.GeoDataFrame(geometry=[ring], crs=4326)
    render_mbtiles([(frame, {"color": "#0000ff", "fillColor": "#0000ff", "fillOpacity": 1})], tmp_path / "h.mbtiles", zoom=(Z, Z), name="h")
    img = Image.open(io.BytesIO(tiles.open_package(tmp_path / "h.mbtiles").tile(Z, x, y)[0])).convert("RGBA")
    assert img.getpixel((128, 128))[3] == 0  # the hole
    assert img.getpixel((3, 3)) == (0, 0, 255, 255)
    with pytest.raises(LimitExceeded):
        render_mbtiles([(frame, {})], tmp_path / "big.mbtiles", zoom=(10, 14), name="big", max_tiles=50)
    assert not (tmp_path / "big.mbtiles").exists()


def test_parse_zoom_range() -> None:
    assert parse_zoom_range("10-13") == (10, 13) and parse_zoom_range("12") == (12, 12)
    for bad in ("13-10", "a-b", "0-30", "1-2-3", ""):
        with pytest.raises(InputError):
            parse_zoom_range(bad)


def test_configured_packages_open_once_and_keep_refusals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = make_mbtiles(tmp_path / "Dongguan 2020.mbtiles", {(Z, 3343, 1779): png((0, 0, 0, 255))}, {"name": "东莞"})
    geo = make_mbtiles(tmp_path / "geo.mbtiles", {(Z, 3343, 1779): png((0, 0, 0, 255))}, {"name": "经纬度", "crs": "EPSG:4490"})
    monkeypatch.setenv("SSL_GIS_TILE_PACKAGES", f"{good}:{geo}::{tmp_path / 'gone.mbtiles'}")
    found = tiles.configured_packages()
    assert list(found) == ["dongguan-2020", "geo", "gone"]
    assert found["dongguan-2020"].package is not None and found["dongguan-2020"].error is None
    assert found["geo"].package is None and "EPSG:4490" in found["geo"].error.zh
    assert found["gone"].package is None and found["gone"].error is not None
    assert tiles.configured_packages() is found  # one set of connections per process
    assert found["dongguan-2020"].package is tiles.configured_packages()["dongguan-2020"].package


def test_package_keys_are_url_safe_and_unique() -> None:
    assert tiles.package_key(Path("/x/东莞 底图.mbtiles")) == "tiles"
    assert tiles.package_key(Path("/x/A b.mbtiles"), {"a-b"}) == "a-b-2"
    assert tiles.package_key(Path("/x/../etc")) == "etc"


def test_cli_checks_a_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = make_mbtiles(tmp_path / "g.mbtiles", {(Z, 3343, 1779): png((0, 0, 0, 255))}, {"name": "好", "format": "png"})
    assert gis_main(["tiles", str(good), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tiling"] == "webmercator" and doc["displayable"] is True
    assert (doc["minzoom"], doc["maxzoom"], doc["tiles"], doc["format"]) == (Z, Z, 1, "png")
    assert doc["size_bytes"] == good.stat().st_size and len(doc["bounds"]) == 4
    geo = make_mbtiles(tmp_path / "geo.mbtiles", {(Z, 3343, 1779): png((0, 0, 0, 255))}, {"name": "geo", "crs": "EPSG:4490"})
    assert gis_main(["tiles", str(geo)]) == 1
    out = capsys.readouterr()
    assert "geographic" in out.out and "EPSG:4490" in out.err
    assert gis_main(["tiles", str(tmp_path / "none.mbtiles")]) == 1
    assert "no tile package" in capsys.readouterr().err


def test_cli_renders_the_bundled_layers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bundled.mbtiles"
    assert cli_main(["tiles", "--render-bundled", str(out), "--zoom", "10-11", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tiling"] == "webmercator" and (doc["minzoom"], doc["maxzoom"]) == (10, 11) and doc["tiles"] > 0
    w, s, e, n = doc["bounds"]
    assert w < LON < e and s < LAT < n  # the bundled layers cover Songshan Lake
    pkg = tiles.open_package(out)
    x, y = tiles.lonlat_to_tile(LON, LAT, 11)
    assert pkg.tile(11, x, y) is not None
    assert cli_main(["tiles", "--render-bundled", str(out), "--zoom", "13-10"]) == 1
