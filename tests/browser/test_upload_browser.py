"""The upload preview in headless Chromium (issue 13 item 5): the map is framed on the uploaded features."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import map_frame, shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

POINTS = [(113.8800, 22.9300), (113.9050, 22.9420)]  # ~2.8 km apart on Songshan Lake

_BOUNDS_JS = """() => {
  if (typeof L === 'undefined') return null;
  for (const k of Object.keys(window)) {
    let v; try { v = window[k]; } catch (e) { continue; }
    if (v instanceof L.Map) {
      const b = v.getBounds();
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), v.getContainer().clientWidth, v.getZoom()];
    }
  }
  return null;
}"""


def _leaflet_bounds(page) -> list[float] | None:
    for frame in page.frames:
        try:
            if frame.locator(".leaflet-container").count():
                got = frame.evaluate(_BOUNDS_JS)
                if got:
                    return got
        except Exception:  # a frame navigated away while asked: try the next one
            continue
    return None


def test_preview_is_framed_on_the_uploaded_points(app, page, tmp_path: Path) -> None:
    path = tmp_path / "站点.csv"
    rows = ["编号,名称,经度,纬度", *(f"S-{k},站点{k},{lon},{lat}" for k, (lon, lat) in enumerate(POINTS, 1))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.goto(app.url + "/data")
    page.locator("input[type='file']").first.set_input_files(str(path))
    page.get_by_text("读取 2 个要素").wait_for(timeout=60000)
    frame = map_frame(page)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30000)
    bounds = None
    for _ in range(100):  # fitBounds runs once Leaflet has drawn; allow a loaded machine time
        bounds = _leaflet_bounds(page)
        if bounds and bounds[4] > 400 and bounds[2] - bounds[0] < 0.1:
            break
        page.wait_for_timeout(200)
    shot(page, "13-data-upload-framed")
    bounds = _leaflet_bounds(page)
    assert bounds is not None, "no Leaflet map found in the preview"
    west, south, east, north, width_px, zoom = bounds
    assert width_px > 400, bounds  # measured on the map at its final width, not a narrow first frame
    for lon, lat in POINTS:
        assert west <= lon <= east and south <= lat <= north, (bounds, lon, lat)
    # framed on the data, not the default view of the whole zone (zoom 11 spans about half a degree)
    assert east - west < 0.1 and north - south < 0.1 and zoom >= 13, bounds
    assert page.get_by_text("GCJ-02").first.is_visible()  # the auto warning about web-map coordinates
