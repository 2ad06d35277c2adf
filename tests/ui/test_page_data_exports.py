"""ui/page_data.py export: the writer format comes from gis.io's export table (``ExportChoice.format``), so a
new variant of a format is one row in gis/io/_formats.py and no mapping in the page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import gis.io
from gis.io import ExportChoice
from tests.ui.conftest import new_app


@pytest.fixture
def app(viewer_store_path: Path) -> AppTest:
    """The app on a fresh store, not run yet (a test may change the export table first)."""
    return new_app()


def _export(at: AppTest, layer: str, choice: str) -> tuple[str, bytes, str]:
    at.switch_page("ui/page_data.py").run()
    at.selectbox(key="data_export_layer").set_value(layer)
    at.selectbox(key="data_export_format").set_value(choice).run()
    if any(c.key == "data_export_allow_illustrative" for c in at.checkbox):  # survey formats ask first
        at.checkbox(key="data_export_allow_illustrative").check().run()
    at.button(key="data_export_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at.session_state["data_export_file"]


def test_a_new_variant_needs_no_mapping_in_the_page(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    table = gis.io.export_choices()
    variant = ExportChoice("geojson-test-variant", "geojson", ".json", "application/geo+json", "EPSG:4326")
    monkeypatch.setattr(gis.io, "export_choices", lambda: [*table, variant])
    app.run()
    name, payload, mime = _export(app, "substations", "geojson-test-variant")
    assert name == "substations.json" and mime == "application/geo+json"
    assert json.loads(payload)["type"] == "FeatureCollection"


def test_surveyor_variant_writes_its_crs(app: AppTest) -> None:
    app.run()
    name, payload, _mime = _export(app, "substations", "geojson-surveyor-4526")
    assert name.endswith(".geojson") and "4526" in json.loads(payload)["crs"]["properties"]["name"]
