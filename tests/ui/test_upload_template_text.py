"""An uploaded file whose names hold template syntax previews like any other file (no error, nothing evaluated)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parents[2]


def test_upload_preview_of_names_with_template_syntax(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_GIS_STORE", str(tmp_path / "working.gpkg"))
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.chdir(PROJECT)
    names = ["{{'evil'}}", "{{ lipsum.__globals__.os.getcwd() }}", "北区{% if 1 %}地块"]
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": f"u-{i}", "name": n},
         "geometry": {"type": "Point", "coordinates": [113.89 + i / 1000, 22.93]}} for i, n in enumerate(names)]}
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120).run()
    at.switch_page("ui/page_data.py").run()
    at.file_uploader(key="data_upload").set_value(("{{7*7}}.geojson", json.dumps(gj).encode(), "application/geo+json")).run()
    assert not at.exception, [e.value for e in at.exception]
    frame = at.session_state["data_upload_cache"][1].gdf
    assert sorted(frame["name"]) == sorted(names)  # read as written
