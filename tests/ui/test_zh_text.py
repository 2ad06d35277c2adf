"""Chinese throughout (issue 13 item 1): every page in zh shows no engineer's word.

One AppTest session walks every page in Chinese and collects the visible text — Markdown, captions, headers,
alerts, metric labels and values, widget labels and their formatted options, buttons, and the headers and
text cells of every table. Each ASCII identifier-like token in it must be an id (``road-01``), a unit, a
number, an EPSG code or a proper noun of the allow-list below; anything else (``land_actions``,
``capacity_mva``, ``planned``, ``orient_rings``) fails the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parents[2]
PAGES = {
    "map": "ui/page_map.py",
    "roads": "ui/page_roads.py",
    "land": "ui/page_land.py",
    "metrics": "ui/page_metrics.py",
    "plan": "ui/page_plan.py",
    "data": "ui/page_data.py",
}

#: An ASCII word not glued to a digit or letter on either side (``4A`` in 4A级景区 is not a word), nor a file
#: extension (``.xlsx``: how a file type is named in Chinese too).
_TOKEN = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z][A-Za-z0-9_]*(?:[-_.:/][A-Za-z0-9]+)*(?![A-Za-z0-9_])")
#: A feature id (DESIGN.md: lower-case words joined by hyphens, ``road-01``, ``sub-03``, ``cogoverned-dalang``).
_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
#: Units shown with figures (SI and the power units of the substation tables).
UNITS = {"m", "km", "ha", "mm", "kV", "MVA", "MW", "W", "kW", "MB", "W/m"}  # W/m: W/m² (² is not ASCII)
#: Codes and proper nouns a Chinese planner reads as they are, each with why:
ALLOWED = {
    "EPSG", "CGCS2000", "WGS",  # coordinate-system names (EPSG:4326, CGCS2000, WGS 84) are how the CRS is named in Chinese too
    "GCJ-02", "BD-09",  # the Chinese web-map datums are named so in Chinese documents
    "TOD", "TID", "TOD/TID",  # the plan's own words (以公共交通为导向的开发 is always written TOD in the plan)
    "GB", "GB/T", "DL/T",  # standard numbers (GB 50180-2018, GB/T 50293-2014, DL/T 5729-2016) are cited as such
    "N-1",  # the grid-reliability criterion, written N-1 in Chinese
    "GeoJSON", "GeoPackage", "Shapefile", "KML", "KMZ", "CSV", "DXF", "Excel", "QGIS", "RFC", "PNG", "PDF", "TXT",
    "OpenStreetMap",  # file formats, programs and a basemap: product names, not translated
    "OIDC",  # the single-sign-on protocol (OIDC 单点登录), named so in Chinese admin guides
    "GIS",  # the app's name, 松山湖规划 GIS
    "GPS",  # GPS 经纬度: the receivers' name, written so in Chinese
    "A3", "A4",  # paper sizes (A4 横向) are named so in Chinese
    "English",  # the language switch names each language in its own words (中文 / English)
}

#: Engineers' words written in Chinese: a planner's page never speaks of the command line (the same figures "as
#: the metrics command" once headed the 指标 page; a planner reads which pages agree, not how it is computed).
ENGINEERS_PHRASES = ("命令行", "同一计算", "每一行均计算")

#: Pages another helper owns now (ui/page_data.py): owned by another helper, fix after merge. They run as xfail
#: (not strict) until then; every other page must be clean. The tokens found there are listed in the report.
OWNED_ELSEWHERE: dict[str, str] = {}


def _token_ok(token: str) -> bool:
    return bool(_ID.match(token)) or token in UNITS or token in ALLOWED or token.upper() == "EPSG" or len(token) == 1


def bad_tokens(text: str) -> set[str]:
    """ASCII identifier-like tokens of ``text`` that are not an id, a unit, a code or an allowed proper noun."""
    text = re.sub(r"EPSG:\d+", " ", text)
    # `code` spans are commands and file names to type as they are (python -m gis.users add 用户名): not words
    text = re.sub(r"`[^`]*`", " ", text)
    # HTML markup of st.markdown(unsafe_allow_html) is not shown; its text content is
    text = re.sub(r"<[^>]*>", " ", text)
    return {tok for tok in _TOKEN.findall(text) if not _token_ok(tok)}


def _frame_texts(df: pd.DataFrame) -> list[str]:
    """A table's headers and the cells of its text (label) columns."""
    out = [str(c) for c in df.columns]
    if pd.api.types.is_object_dtype(df.index) or pd.api.types.is_string_dtype(df.index):
        out += [str(i) for i in df.index]
    for col in df.columns:
        if pd.api.types.is_object_dtype(df[col]) or pd.api.types.is_string_dtype(df[col]):
            out += [str(v) for v in df[col].dropna()]
    return out


def visible_texts(at: AppTest) -> list[str]:
    """What a user reads on the page (main area and sidebar)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "header", "subheader", "title", "info", "warning", "success", "error", "text"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    for m in at.metric:
        parts += [str(m.label), str(m.value)]
    for kind in ("button", "checkbox", "toggle", "text_input", "text_area", "number_input", "slider", "date_input",
                 "select_slider", "color_picker", "time_input"):
        parts += [str(getattr(e, "label", "")) for e in getattr(at, kind, [])]
    for kind in ("selectbox", "multiselect", "radio"):
        for e in getattr(at, kind):
            parts.append(str(e.label))
            parts += [str(o) for o in e.options]  # AppTest gives the options as format_func shows them
    for e in at.expander:
        parts.append(str(getattr(e, "label", "")))
    for e in at.tabs:
        parts.append(str(getattr(e, "label", "")))
    for df in at.dataframe:
        parts += _frame_texts(df.value)
    for tb in at.table:
        parts += _frame_texts(tb.value)
    return parts


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, set[str]]]:
    """Every page walked once in zh on a fresh working store: page -> offending tokens (with where they are)."""
    root = tmp_path_factory.mktemp("zh_walk")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SSL_GIS_DATA_DIR", str(root))
        mp.setenv("SSL_GIS_STORE", str(root / "working.gpkg"))
        mp.setenv("SSL_GIS_USERS_FILE", str(root / "users.json"))
        mp.delenv("SSL_GIS_DATABASE_URL", raising=False)
        mp.chdir(PROJECT)
        at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=240).run()
        found: dict[str, set[str]] = {}
        for name, page in PAGES.items():
            at.switch_page(page).run()
            assert not at.exception, (page, [e.value for e in at.exception])
            bad: set[str] = set()
            for text in visible_texts(at):
                bad |= {f"{tok} ← {text[:80]!r}" for tok in bad_tokens(text)}
                bad |= {f"{word} ← {text[:80]!r}" for word in ENGINEERS_PHRASES if word in text}
            found[name] = bad
        yield found


def test_the_token_rule_flags_engineers_words_and_keeps_ids_units_and_codes() -> None:
    assert bad_tokens("capacity_mva") == {"capacity_mva"}
    assert bad_tokens("done_status completed") == {"done_status", "completed"}
    assert bad_tokens("导出 land_actions 图层") == {"land_actions"}
    assert bad_tokens("状态：planned → under_construction") == {"planned", "under_construction"}
    assert bad_tokens("联网路 01 · road-01，长度 2.7 km，容量 63 MVA，EPSG:4326，松山湖4A级景区，TOD 核心区 500 m") == set()
    assert bad_tokens("GB/T 50293-2014《城市电力规划规范》，N-1 负载率") == set()
    assert bad_tokens("在服务器上运行 `python -m gis.users add 用户名`") == set()
    assert bad_tokens("界址点坐标表 (.xlsx)") == set()
    assert bad_tokens("测量成果包 surveyor pack (.zip)") == {"surveyor", "pack"}


@pytest.mark.parametrize(
    "page",
    [pytest.param(p, marks=pytest.mark.xfail(reason=f"owned by another helper, fix after merge: {OWNED_ELSEWHERE[p]}",
                                             strict=False))
     if p in OWNED_ELSEWHERE else p for p in PAGES],
)
def test_page_in_chinese_shows_no_engineers_words(walked: dict[str, set[str]], page: str) -> None:
    assert not walked[page], "\n".join(sorted(walked[page]))


def test_sign_in_form_in_chinese_shows_no_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gis import users

    monkeypatch.setenv("SSL_GIS_STORE", str(tmp_path / "working.gpkg"))
    monkeypatch.setenv("SSL_GIS_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.chdir(PROJECT)
    users.add_user(tmp_path / "users.json", "planner", "s3cret-Pa55", rounds=4)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=240).run()
    at.switch_page("ui/page_plan.py").run()
    bad = {tok for text in visible_texts(at) for tok in bad_tokens(text)}
    assert not bad, sorted(bad)
