"""layers.print_map: the printed plan map of the default view names its layers, statuses and the 示意 notice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

import layers
from layers.print_map import TEXTS, print_map, print_sheet

pypdf = pytest.importorskip("pypdf", reason="pypdf (requirements-dev.txt) reads the PDF's text back")


def _text(pdf: bytes) -> str:
    return "".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\x00", "").split())


def test_default_view_pdf_holds_title_legend_and_disclaimer() -> None:
    names = layers.names()
    text = _text(print_map(names, fmt="pdf", dpi=72, today=dt.date(2026, 11, 29)))
    assert "".join(TEXTS["zh"]["title"].split()) in text
    for name in names:
        assert layers.spec(name).title_zh.replace(" ", "") in text
    assert "在建" in text and "规划" in text  # status entries of the coloured layers
    assert "示意：图中" in text and "不作定界依据" in text
    assert "出图日期2026-11-29" in text


def test_disclaimer_only_when_illustrative_features_are_shown(monkeypatch) -> None:
    import layers.print_map as lpm
    from layers.registry import load

    def official_only(name, **kwargs):  # a view that shows checked places only (松山湖北站 among the stations)
        gdf = load(name, **kwargs)
        return gdf[gdf["illustrative"].astype(str).str.lower().isin(["false", "0"])]

    tod = load("tod_stations")
    n_illustrative = int(tod["illustrative"].astype(bool).sum())
    _, sheet = print_sheet(["tod_stations"], lang="en")
    assert sheet.disclaimer and f"{n_illustrative} features" in sheet.disclaimer  # counts what is illustrative
    monkeypatch.setattr(lpm, "load", official_only)
    _, sheet = print_sheet(["tod_stations"], lang="en")
    assert sheet.disclaimer is None
    monkeypatch.undo()
    _, sheet = print_sheet(["substations"], lang="en")
    assert sheet.disclaimer and "Illustrative" in sheet.disclaimer


def test_status_filter_and_legend_follow_the_view() -> None:
    frames, sheet = print_sheet(["substations"], statuses=["site_selected"], extent=(113.8, 22.8, 114.0, 23.0))
    assert frames and all((f["status"] == "site_selected").all() for f, _ in frames)
    labels = [e.label for e in sheet.legend]
    assert "已选址" in labels and "选址中" not in labels
    assert sheet.extent == (113.8, 22.8, 114.0, 23.0)


def test_a4_png_size_at_150_dpi() -> None:
    img = Image.open(io.BytesIO(print_map(["sub_parks"], fmt="png", paper="A4", dpi=150)))
    assert img.size == (1754, 1240)
