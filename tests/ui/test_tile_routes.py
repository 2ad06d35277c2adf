"""The tile route of the app (``GET /_gis/tiles/{key}/{z}/{x}/{y}``) driven as ASGI, and the basemap choice.

httpx (needed by Starlette's TestClient) is not a dependency, so requests go straight through the ASGI
interface with a few lines of asyncio.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from gis import tiles
from tests.ui.conftest import asgi_request
from ui.tile_routes import EMPTY_PNG, tile_routes, tile_url

PROJECT = Path(__file__).resolve().parents[2]
Z, X, Y = 12, 3343, 1779  # Songshan Lake


def _png(colour: tuple[int, int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (256, 256), colour).save(buf, format="PNG")
    return buf.getvalue()


RED = _png((255, 0, 0, 255))


def _mbtiles(path: Path, meta: dict[str, str]) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (Z, X, 2**Z - 1 - Y, RED))
    con.commit()
    con.close()
    return path


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    good = _mbtiles(tmp_path / "intranet.mbtiles", {"name": "内网底图 <b>", "attribution": "© 测绘 <script>", "format": "png"})
    geo = _mbtiles(tmp_path / "geo.mbtiles", {"name": "经纬度", "crs": "EPSG:4490"})
    gcj = _mbtiles(tmp_path / "amap.mbtiles", {"name": "高德缓存", "format": "png"})
    monkeypatch.setenv("SSL_GIS_TILE_PACKAGES", ":".join(str(p) for p in (good, geo, gcj)))
    return {"intranet": good, "geo": geo, "amap": gcj}


def _get(path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    return asgi_request(tile_routes(), path, headers, method)


def test_a_tile_is_served_with_type_and_caching_headers(packages: dict[str, Path]) -> None:
    status, headers, body = _get(f"/_gis/tiles/intranet/{Z}/{X}/{Y}")
    assert status == 200 and body == RED
    assert headers["content-type"] == "image/png"
    assert "max-age=" in headers["cache-control"] and headers["cache-control"].startswith("public")
    etag = headers["etag"]
    assert etag.startswith('"') and len(etag) > 10
    status, headers2, body = _get(f"/_gis/tiles/intranet/{Z}/{X}/{Y}", {"If-None-Match": etag})
    assert status == 304 and body == b"" and headers2["etag"] == etag
    status, _, body = _get(f"/_gis/tiles/intranet/{Z}/{X}/{Y}", {"If-None-Match": '"other"'})
    assert status == 200 and body == RED


def test_a_missing_tile_is_empty_not_an_error(packages: dict[str, Path]) -> None:
    for path in (f"/_gis/tiles/intranet/{Z}/{X + 1}/{Y}", "/_gis/tiles/intranet/3/0/0", f"/_gis/tiles/intranet/{Z}/99999/0"):
        status, headers, body = _get(path)
        assert status == 200 and body == EMPTY_PNG and headers["x-tile-empty"] == "1"
        assert Image.open(io.BytesIO(body)).convert("RGBA").getpixel((0, 0))[3] == 0


def test_unknown_refused_and_malformed_requests_are_404(packages: dict[str, Path]) -> None:
    assert _get(f"/_gis/tiles/nosuch/{Z}/{X}/{Y}")[0] == 404
    assert _get(f"/_gis/tiles/geo/{Z}/{X}/{Y}")[0] == 404  # refused (EPSG:4490): never served
    for bad in (f"/_gis/tiles/intranet/{Z}/{X}/{Y}.png", f"/_gis/tiles/intranet/a/{X}/{Y}", f"/_gis/tiles/intranet/-1/{X}/{Y}",
                "/_gis/tiles/intranet/99/0/0", f"/_gis/tiles/..%2F..%2Fetc/{Z}/{X}/{Y}", f"/_gis/tiles/intranet/{Z}/{X}"):
        assert _get(bad)[0] == 404, bad


def test_head_answers_like_get(packages: dict[str, Path]) -> None:
    # (the HTTP server, uvicorn, drops the body of a HEAD answer; the headers are what a cache needs)
    status, headers, _ = _get(f"/_gis/tiles/intranet/{Z}/{X}/{Y}", method="HEAD")
    assert status == 200 and headers["content-type"] == "image/png" and "etag" in headers
    assert _get(f"/_gis/tiles/intranet/{Z}/{X}/{Y}", method="POST")[0] == 405


def test_tile_url_reaches_the_route_from_the_map_frame() -> None:
    # the map runs in <base>/component/streamlit_folium.st_folium/index.html: two levels up is <base>/
    assert tile_url("k") == "../../_gis/tiles/k/{z}/{x}/{y}"
    assert tile_url("k", from_map_frame=False) == "/_gis/tiles/k/{z}/{x}/{y}"


def test_basemap_choice_lists_packages_with_name_zoom_and_refusal(packages: dict[str, Path]) -> None:
    from ui import mapview

    keys = mapview.basemap_keys()
    assert keys[-3:] == ["tiles:intranet", "tiles:geo", "tiles:amap"]
    options = mapview.basemap_options()
    assert "内网底图 <b>" in options["tiles:intranet"] and f"{Z}–{Z}" in options["tiles:intranet"]
    assert "不可用" in options["tiles:geo"] or "unusable" in options["tiles:geo"]
    assert "GCJ-02" in options["tiles:amap"]
    assert mapview.is_gcj02("tiles:amap") and not mapview.is_gcj02("tiles:intranet") and not mapview.is_gcj02("tiles:geo")
    assert mapview.is_gcj02("gaode_vector") and not mapview.is_gcj02("none")
    assert tiles.configured_packages()["geo"].error is not None


def test_map_page_draws_the_package_or_says_why_it_is_refused(packages: dict[str, Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_GIS_STORE", str(tmp_path / "working.gpkg"))
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.chdir(PROJECT)
    at = AppTest.from_file(str(PROJECT / "ui" / "page_map.py"), default_timeout=120)
    at.query_params["bm"] = "tiles:geo"
    at.run()
    assert not at.exception
    assert at.selectbox(key="map_basemap").value == "tiles:geo"
    errors = "\n".join(str(e.value) for e in at.error).replace("\\", "")  # Markdown escapes, as sent
    assert "EPSG:4490" in errors and "Web 墨卡托" in errors
    at.selectbox(key="map_basemap").set_value("tiles:intranet").run()
    assert not at.exception and not at.error


def test_gcj02_package_shifts_the_features_for_display(packages: dict[str, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from gis.crs import wgs84_to_gcj02
    from ui import mapview

    monkeypatch.setenv("SSL_GIS_STORE", str(tmp_path / "working.gpkg"))
    plain = mapview.map_layers(["substations"], basemap="tiles:intranet")[0].geojson
    shifted = mapview.map_layers(["substations"], basemap="tiles:amap")[0].geojson
    (lon, lat), (slon, slat) = plain["features"][0]["geometry"]["coordinates"], shifted["features"][0]["geometry"]["coordinates"]
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert abs(slon - float(glon)) < 1e-5 and abs(slat - float(glat)) < 1e-5
    assert abs(slon - lon) > 1e-3  # a few hundred metres near Dongguan
