"""An intranet basemap in headless Chromium with every outside request blocked (issue 18).

The app runs with two tile packages made here: one rendered from Songshan Lake alone, filled magenta, in Web
Mercator, and one declared CGCS2000 geographic (EPSG:4490). The map must show the first package's tiles,
served by the app itself, with the lake exactly where the plan's water layer draws it on top; the second
must be refused with its reason on screen.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

import layers
from gis.tile_render import render_mbtiles

from .conftest import IFRAME, App, map_content_frame, running_app, shot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

MAGENTA = (255, 0, 255)


@pytest.fixture(scope="module")
def lake():
    gdf = layers.load_baseline("water", derived=False)
    return gdf[gdf["id"] == "water-songshan-lake"]


@pytest.fixture(scope="module")
def tiles_app(tmp_path_factory: pytest.TempPathFactory, chromium_path: str, lake) -> Iterator[App]:
    """The app with SSL_GIS_TILE_PACKAGES naming a magenta-lake package and a geographic one."""
    data_dir = tmp_path_factory.mktemp("tilesapp")
    good = data_dir / "lake.mbtiles"
    render_mbtiles(
        [(lake, {"color": "#ff00ff", "fillColor": "#ff00ff", "fillOpacity": 1, "weight": 1})], good,
        zoom=(11, 14), name="松山湖测试底图", attribution="测试瓦片 <test>",
    )
    geo = data_dir / "geo.mbtiles"
    con = sqlite3.connect(geo)
    con.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
        "tile_row INTEGER, tile_data BLOB);"
    )
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "天地图经纬度缓存"), ("crs", "EPSG:4490"), ("format", "png")])
    con.execute("INSERT INTO tiles VALUES (12, 3343, 1000, ?)", (b"\x89PNG not drawn",))
    con.commit()
    con.close()
    with running_app(data_dir, editor=False, env_extra={"SSL_GIS_TILE_PACKAGES": f"{good}:{geo}"}) as running:
        yield running


def _iframe_image(page) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(page.locator(IFRAME).first.screenshot())).convert("RGB")).astype(int)


def _is_magenta(px: np.ndarray) -> np.ndarray:
    return (px[..., 0] > 235) & (px[..., 1] < 25) & (px[..., 2] > 235)


def test_package_tiles_under_features_in_the_right_place(tiles_app: App, page, blocked, lake) -> None:
    w, s, e, n = (float(v) for v in lake.total_bounds)
    inside = lake.geometry.iloc[0].representative_point()
    page.goto(f"{tiles_app.url}/?layers=water&bm=tiles:lake&v={inside.y:.5f},{inside.x:.5f},13")
    frame = map_content_frame(page, ssl_map=False)
    assert wait_until(page, lambda: frame.locator("path.leaflet-interactive").count() >= 1)
    assert wait_until(page, lambda: frame.evaluate(
        "() => { const t = [...document.querySelectorAll('img.leaflet-tile')];"
        " return t.length > 0 && t.every(i => i.complete) && t.some(i => i.naturalWidth === 256); }"
    ))
    page.wait_for_timeout(500)
    shot(page, "tiles-01-package-basemap")
    assert blocked.urls == [], blocked.urls[:5]
    srcs = frame.evaluate("() => [...document.querySelectorAll('img.leaflet-tile')].map(i => i.src)")
    assert srcs and all("/_gis/tiles/lake/" in u and u.startswith(tiles_app.url) for u in srcs), srcs[:3]
    # the attribution comes from the package, as text
    assert "测试瓦片 <test>" in frame.locator(".leaflet-control-attribution").inner_text()

    # Where Leaflet puts the lake (container pixels), from its own projection of the plan's coordinates.
    geo = frame.evaluate(
        """([w, s, e, n, lon, lat]) => {
            const m = window.map, r = m.getContainer().getBoundingClientRect();
            const a = m.latLngToContainerPoint([n, w]), b = m.latLngToContainerPoint([s, e]);
            const c = m.latLngToContainerPoint([lat, lon]);
            return {ox: r.left, oy: r.top, x0: a.x, y0: a.y, x1: b.x, y1: b.y, cx: c.x, cy: c.y, zoom: m.getZoom()};
        }""",
        [w, s, e, n, inside.x, inside.y],
    )
    assert geo["zoom"] == 13
    cx, cy = round(geo["ox"] + geo["cx"]), round(geo["oy"] + geo["cy"])

    # 1. The tiles alone (the vector overlay hidden): the known tile pixel inside the lake is the package's
    #    magenta, and the magenta area is the lake's box, to a few pixels.
    frame.evaluate("() => { document.querySelector('.leaflet-overlay-pane').style.visibility = 'hidden'; }")
    page.wait_for_timeout(300)
    tiles_only = _iframe_image(page)
    frame.evaluate("() => { document.querySelector('.leaflet-overlay-pane').style.visibility = 'visible'; }")
    assert tuple(tiles_only[cy, cx]) == MAGENTA, tiles_only[cy, cx]
    ys, xs = np.nonzero(_is_magenta(tiles_only))
    box = (xs.min(), ys.min(), xs.max(), ys.max())
    expected = (geo["ox"] + geo["x0"], geo["oy"] + geo["y0"], geo["ox"] + geo["x1"], geo["oy"] + geo["y1"])
    assert all(abs(a - b) <= 3 for a, b in zip(box, expected)), (box, expected)

    # 2. The features drawn on top: the lake's path has the same box, and it paints over the tile.
    rects = frame.evaluate(
        "() => [...document.querySelectorAll('path.leaflet-interactive')].map(p => { const r = p.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })"
    )
    assert any(all(abs(a - b) <= 3 for a, b in zip(r, expected)) for r in rects), (rects, expected)
    page.wait_for_timeout(300)
    with_features = _iframe_image(page)
    assert tuple(with_features[cy, cx]) != MAGENTA  # the water fill is drawn over the tile there
    # outside the lake's box the tile is empty (nothing drawn) and not magenta
    assert not _is_magenta(tiles_only[int(expected[1]) - 20: int(expected[1]) - 5, cx]).any()


def test_wrong_tiling_package_is_refused_with_its_reason(tiles_app: App, page, blocked) -> None:
    page.goto(f"{tiles_app.url}/?bm=tiles:geo")
    map_content_frame(page, ssl_map=False)
    alert = page.locator("[data-testid='stAlert']", has_text="EPSG:4490").first
    alert.wait_for(timeout=30000)
    text = alert.inner_text()
    assert "天地图经纬度缓存" in text and "Web 墨卡托" in text and "无底图" in text
    shot(page, "tiles-02-refused-package")
    # no tile of the refused package is requested, and it is listed as unusable in the basemap choice
    frame = page.locator(IFRAME).first.element_handle().content_frame()
    assert frame.locator("img.leaflet-tile").count() == 0
    page.locator(".st-key-map_basemap [data-testid='stSelectbox']").click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10000)
    labels = options.all_inner_texts()
    assert any("天地图经纬度缓存" in x and "不可用" in x for x in labels), labels
    assert any("松山湖测试底图" in x and "11–14" in x for x in labels), labels
    page.keyboard.press("Escape")
    assert blocked.urls == [], blocked.urls[:5]
