"""ui/page_data.py, export section: illustrative features reach a survey format only after an explicit yes."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


@pytest.fixture
def app(data_page: AppTest) -> AppTest:
    """The 数据 page with 土地 (land_actions) chosen for export."""
    at = data_page
    at.selectbox(key="data_export_layer").set_value("land_actions").run()
    return at


def test_survey_export_of_illustrative_parcels_asks_first(app: AppTest) -> None:
    import layers

    parcels = layers.load_baseline("land_actions")
    shown = int(parcels["illustrative"].astype(bool).sum())
    assert shown  # the bundled parcels are illustrative: the case this guards
    app.selectbox(key="data_export_format").set_value("survey-txt").run()
    assert not app.exception, [e.value for e in app.exception]
    warning = " ".join(w.value for w in app.warning)
    assert f"{shown} 个为示意位置" in warning and f"{len(parcels)} 个要素" in warning
    assert app.button(key="data_export_go").disabled
    assert "data_export_file" not in app.session_state

    app.checkbox(key="data_export_allow_illustrative").check().run()
    assert not app.button(key="data_export_go").disabled
    app.button(key="data_export_go").click().run()
    assert not app.exception, [e.value for e in app.exception]
    name, payload, _mime = app.session_state["data_export_file"]
    assert name.endswith(".txt") and "（示意）" in payload.decode("gb18030")


def test_plain_formats_are_not_held_back(app: AppTest) -> None:
    app.selectbox(key="data_export_format").set_value("geojson").run()
    assert not any("示意位置" in w.value for w in app.warning)
    assert not app.button(key="data_export_go").disabled
    app.button(key="data_export_go").click().run()
    assert app.session_state["data_export_file"][0].endswith(".geojson")
