"""An uploaded file whose names hold template syntax previews like any other file (no error, nothing evaluated)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def test_upload_preview_of_names_with_template_syntax(data_page: AppTest) -> None:
    names = ["{{'evil'}}", "{{ lipsum.__globals__.os.getcwd() }}", "北区{% if 1 %}地块"]
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": f"u-{i}", "name": n},
         "geometry": {"type": "Point", "coordinates": [113.89 + i / 1000, 22.93]}} for i, n in enumerate(names)]}
    at = data_page
    at.file_uploader(key="data_upload").set_value(("{{7*7}}.geojson", json.dumps(gj).encode(), "application/geo+json")).run()
    assert not at.exception, [e.value for e in at.exception]
    frame = at.session_state["data_upload_cache"][1].gdf
    assert sorted(frame["name"]) == sorted(names)  # read as written
