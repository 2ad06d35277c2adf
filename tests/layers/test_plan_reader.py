"""Reading a work plan: encodings, .docx, sections, quantities, verbs, deadlines, and recall on the 2020 plan."""

from __future__ import annotations

import io
import zipfile

import pytest

import layers
from gis.errors import InputError, LimitExceeded
from layers import plan_reader as pr
from layers.status_words import done_status_of, period_of

PLAN_2021 = """松山湖高新区2021年工作计划
一、聚焦创新引领
(一)建设科学城。松山湖材料实验室二期在上半年动工建设,力争全年整备连片土地约300亩。
(二)完善交通。年底前打通12条联网路,完成3个交通拥堵点改造；加快推进环湖路建设。
二、聚焦民生
(一)教育。确保北区学校9月份建成投入使用,增加学位1800个。
1.新建和改造20个公交站台。
2.第三季度完成110千伏北区输变电工程。
"""


def _docx(paragraphs: list[str]) -> bytes:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", xml.encode("utf-8"))
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------- reading
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_text_in_utf8_or_gb18030_reads_the_same(encoding):
    assert pr.decode_plan(PLAN_2021.encode(encoding), filename="plan.txt") == PLAN_2021


def test_docx_paragraphs_become_lines():
    text = pr.decode_plan(_docx(["一、聚焦创新", "(一)力争全年整备连片土地约300亩。"]), filename="计划.docx")
    assert text == "一、聚焦创新\n(一)力争全年整备连片土地约300亩。"
    assert [s.ref for s in pr.split_sections(text)] == ["一", "一(一)"]


def test_bad_docx_and_oversize_files_are_refused(monkeypatch):
    with pytest.raises(InputError):
        pr.decode_plan(b"PK\x03\x04 not a zip", filename="x.docx")
    monkeypatch.setattr(pr.settings, "MAX_PLAN_BYTES", 10)
    with pytest.raises(LimitExceeded):
        pr.decode_plan(b"x" * 11, filename="x.txt")


def test_xml_entity_bombs_are_refused():
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><w:document xmlns:w="{ns}">'
           "<w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", xml)
    with pytest.raises(InputError):
        pr.decode_plan(buf.getvalue(), filename="x.docx")


# ------------------------------------------------------------------------------------------------ sections
def test_sections_of_the_2020_plan_are_its_plan_refs():
    refs = [s.ref for s in pr.split_sections(layers.plan_text())]
    assert refs[:3] == ["", "(一)", "(一)一"]
    assert "(四)二" in refs and refs[-1] == "(五)三" and len(refs) == 27


def test_sections_nest_in_the_order_their_kinds_first_appear():
    refs = [s.ref for s in pr.split_sections(PLAN_2021)]
    assert refs == ["", "一", "一(一)", "一(二)", "二", "二(一)", "二(一)1.", "二(一)2."]


# ---------------------------------------------------------------------------------------- words and figures
@pytest.mark.parametrize(
    "text,verb,status",
    [
        ("争取推动…7个110千伏输变电工程全部完成项目选址", "完成项目选址", "site_selected"),
        ("加快推进金菊福利院土地收储", "收储", "completed"),
        ("加快建设南部文体中心", "加快", None),
        ("力争上半年建成北部体育公园", "建成", "completed"),
        ("确保配建人才房建设项目尽快动工建成", "建成", "completed"),
        ("推动110千伏北区输变电工程和110千伏花园输变电工程年内动工", "动工", "under_construction"),
        ("国际著名高校东莞校区项目在第一季度完成供地", "完成供地", "site_selected"),
    ],
)
def test_the_verb_decides_done_status_as_the_status_model_says(text, verb, status):
    assert done_status_of(text) == (verb, status)


@pytest.mark.parametrize(
    "text,period",
    [("在第一季度完成", "Q1"), ("上半年建成", "H1"), ("9月份建成投入使用", "09"), ("下半年建成开业", "H2"),
     ("年底前完工", "YE"), ("年内动工", ""), ("力争全年打通", ""), ("6月底前完成", "06"), ("尽快动工", None)],
)
def test_period_words(text, period):
    got = period_of(text)
    assert (got[1] if got else None) == period


def test_quantities_with_units_ranges_and_comparisons():
    q = pr.quantities("全年盘活楼宇载体物业面积不少于50万平方米")
    assert [(x["value"], x["unit"], x["comparison"]) for x in q] == [(500000.0, "m2", ">=")]
    q = pr.quantities("规划布局2至3个区域,规划启动1-2条线路,约700亩,63亿元以上,220千伏")
    assert [(x["value"], x["value_max"], x["unit"], x["comparison"]) for x in q] == [
        (2.0, 3.0, "count", "range"), (1.0, 2.0, "count", "range"), (700.0, None, "mu", "≈"),
        (63.0, None, "100 million yuan", ">="), (220.0, None, "kV", "=")]
    assert [(x["value"], x["measure_word"]) for x in pr.quantities("在企石、石排、东坑三镇率先试点")] == [(3.0, "镇")]
    assert pr.quantities("打造一个高水平园区") == []


def test_places_name_the_project_not_the_verb_or_period():
    assert pr.places("年底前完成松山湖站TOD开发策划及概念设计") == ["松山湖站"]
    assert "110千伏北区输变电工程" in pr.places("推动110千伏北区输变电工程和110千伏花园输变电工程年内动工")


def test_a_period_governs_the_clauses_after_it_in_its_sentence_only():
    cands = pr.propose("(一)力争全年打通18条联网路,完成4个交通拥堵点改造。收储土地约700亩。", year=2021)
    assert [(c.value, c.deadline, c.section) for c in cands] == [(18.0, "2021", "(一)"), (4.0, "2021", "(一)"),
                                                                  (700.0, None, "(一)")]
    assert cands[1].quote == "完成4个交通拥堵点改造" and cands[1].deadline_words == "全年"


def test_ongoing_places_get_no_deadline():
    (cand,) = pr.propose("(一)年内加快推进环湖路建设。", year=2021)
    assert cand.item_zh == "环湖路" and cand.done_status is None and cand.deadline is None


def test_a_2021_plan_is_read_with_2021_deadlines():
    cands = pr.propose(PLAN_2021, year=2021)
    by_quote = {c.quote: c for c in cands}
    c = by_quote["松山湖材料实验室二期在上半年动工建设"]
    assert (c.section, c.done_status, c.deadline, c.item_zh) == ("一(一)", "under_construction", "2021-H1", "松山湖材料实验室")
    assert by_quote["年底前打通12条联网路"].deadline == "2021-YE"
    assert by_quote["增加学位1800个"].deadline == "2021-09"
    assert by_quote["第三季度完成110千伏北区输变电工程"].deadline == "2021-Q3"
    assert all(c.to_dict()["quote"] in PLAN_2021 for c in cands)


# ------------------------------------------------------------------------------------- recall on the 2020 plan
def test_the_2020_plan_recovers_its_targets():
    score = pr.score_against_targets(pr.propose(layers.plan_text(), year=2020), layers.plan_targets())
    assert score["stated"] == 37 and score["rows"] == 39
    assert score["recall"] >= 0.90
    assert score["precision"] >= 0.85
    assert score["missed"] == ["substations_110kv_started"]  # "推动…北区…和…花园输变电工程": two names, no figure


def test_recovered_targets_get_the_deadline_of_the_table():
    cands = pr.propose(layers.plan_text(), year=2020)
    for row in layers.plan_targets().to_dict(orient="records"):
        hits = [c for c in cands if pr._matches(c, row)]
        if hits:
            assert (hits[0].deadline or "") == (row["deadline"] or ""), row["key"]
