"""Render every bundled layer on one folium map and screenshot it with headless Chromium.

No tile basemap (offline); Leaflet is inlined from ``ui/assets`` so the page needs no network. Output:
``docs/all-layers.html`` (not committed) and ``docs/all-layers.png``.

Run from the project root::

    .venv/bin/python data/geo/scripts/render_screenshot.py
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import folium  # noqa: E402

import layers  # noqa: E402

__all__ = ["build_map", "main"]

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


def _style(spec: layers.LayerSpec, props: dict) -> dict:
    st = spec.style_for(props.get("kind", ""), action=props.get("action"))
    return {
        "color": st.get("color", "#333"),
        "weight": st.get("weight", 2),
        "fillColor": st.get("fill_color", st.get("color", "#333")),
        "fillOpacity": st.get("fill_opacity", 0.3),
        "dashArray": st.get("dash_array", ""),
    }


def build_map() -> folium.Map:
    """All layers of the baseline on one map, no basemap."""
    fmap = folium.Map(location=[22.962, 113.93], zoom_start=12, tiles=None, control_scale=True, prefer_canvas=False)
    for name in layers.names():
        spec = layers.spec(name)
        gdf = layers.load_baseline(name, derived=False)
        fg = folium.FeatureGroup(name=spec.title_en)
        nonpoint = gdf[~gdf.geom_type.isin(["Point", "MultiPoint"])]
        if len(nonpoint):
            cols = ["id", "name_zh", "kind"] + (["action"] if "action" in gdf.columns else [])
            folium.GeoJson(
                nonpoint[cols + ["geometry"]].to_json(),
                style_function=lambda f, spec=spec: _style(spec, f["properties"]),
                tooltip=folium.GeoJsonTooltip(fields=["name_zh"]),
            ).add_to(fg)
        for _, row in gdf[gdf.geom_type == "Point"].iterrows():
            st = spec.style_for(row["kind"])
            folium.CircleMarker(
                [row.geometry.y, row.geometry.x], radius=st.get("radius", 5), color=st.get("color", "#333"),
                weight=st.get("weight", 1), fill=True, fill_color=st.get("fill_color", "#999"),
                fill_opacity=st.get("fill_opacity", 0.9), tooltip=html.escape(row["name_zh"]),
            ).add_to(fg)
        fg.add_to(fmap)
    b = layers.load_baseline("boundaries", derived=False)
    for _, row in b[b["kind"].isin(["town", "park"])].iterrows():
        p = row.geometry.representative_point()
        if row["kind"] == "park":  # label the park in its north, clear of the lake's label
            p = type(p)(113.89, 22.978)
        label = html.escape(row["short_name"] + ("高新区" if row["kind"] == "park" else ""))
        folium.Marker(
            [p.y, p.x],
            icon=folium.DivIcon(html=f'<div style="font:bold 14px sans-serif;color:#333;white-space:nowrap;'
                                     f'text-shadow:0 0 3px #fff">{label}</div>'),
        ).add_to(fmap)
    lake = layers.load_baseline("water", derived=False)
    lake = lake[lake["id"] == "water-songshan-lake"].geometry.iloc[0].representative_point()
    folium.Marker([lake.y, lake.x], icon=folium.DivIcon(
        html='<div style="font:bold 13px sans-serif;color:#1b4f72;white-space:nowrap">松山湖</div>')).add_to(fmap)
    # centre and zoom chosen so 1400 × 1000 px shows 113.69–114.17E, 22.80–23.12N: the zone, its towns, the border
    return fmap


def _offline_html(fmap: folium.Map) -> str:
    """The map's HTML with every remote script/style removed and Leaflet inlined from ui/assets."""
    page = fmap.get_root().render()
    page = re.sub(r'<script[^>]+src="https?://[^"]+"[^>]*>\s*</script>', "", page)
    page = re.sub(r'<link[^>]+href="https?://[^"]+"[^>]*/?>', "", page)
    assets = ROOT / "ui" / "assets" / "leaflet"
    css = (assets / "leaflet.css").read_text(encoding="utf-8")
    js = (assets / "leaflet.js").read_text(encoding="utf-8")
    inject = f"<style>{css}</style><script>{js}</script>"
    return page.replace("<head>", "<head>" + inject, 1)


def main() -> Path:
    """Write docs/all-layers.png (1400 × 1000 px)."""
    from playwright.sync_api import sync_playwright

    out_html = ROOT / "docs" / "all-layers.html"
    out_png = ROOT / "docs" / "all-layers.png"
    out_html.write_text(_offline_html(build_map()), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", lambda route: route.abort() if route.request.url.startswith("http") else route.continue_())
        page.goto(out_html.as_uri())
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out_png))
        browser.close()
    out_html.unlink()
    return out_png


if __name__ == "__main__":
    main()
