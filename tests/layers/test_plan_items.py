"""``python -m layers plan propose``: a 2021 plan written here, through the command line."""

from __future__ import annotations

import json

from layers.__main__ import main
from layers.plan_items import PROPOSALS_FORMAT

PLAN_2021 = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力提升城市承载力。推动110千伏北区输变电工程和110千伏花园输变电工程上半年动工,力争全年收储土地约600亩。
二要着力优化交通。力争年底前打通10条联网路；加快推进环湖路建设。
(二)聚焦民生。
一要提供优质教育。确保松山湖未来学校9月份建成投入使用,增加学位2000个。
"""


def test_propose_a_2021_plan_as_json(tmp_path, capsys):
    plan = tmp_path / "计划2021.txt"
    plan.write_bytes(PLAN_2021.encode("gb18030"))
    out = tmp_path / "proposals.json"
    assert main(["plan", "propose", str(plan), "--year", "2021", "--json", "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == PROPOSALS_FORMAT and doc["plan_year"] == 2021
    by_quote = {c["quote"]: c for c in doc["candidates"]}
    started = by_quote["推动110千伏北区输变电工程和110千伏花园输变电工程上半年动工"]
    assert (started["section"], started["done_status"], started["deadline"]) == ("(一)一", "under_construction", "2021-H1")
    land = by_quote["力争全年收储土地约600亩"]
    assert (land["value"], land["unit"], land["comparison"], land["deadline"]) == (600.0, "mu", "≈", "2021")
    roads = by_quote["力争年底前打通10条联网路"]
    assert (roads["value"], roads["deadline"], roads["section"]) == (10.0, "2021-YE", "(一)二")
    ring = by_quote["加快推进环湖路建设"]
    assert ring["item_zh"] == "环湖路" and ring["done_status"] is None and ring["deadline"] is None
    assert by_quote["增加学位2000个"]["deadline"] == "2021-09"


def test_propose_prints_a_table_without_json(tmp_path, capsys):
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN_2021, encoding="utf-8")
    assert main(["plan", "propose", str(plan), "--year", "2021"]) == 0
    text = capsys.readouterr().out
    assert "(2021)" in text and "2021-H1" in text and "环湖路" in text


def test_bad_input_is_a_bilingual_message_not_a_traceback(tmp_path, capsys):
    assert main(["plan", "propose", str(tmp_path / "missing.txt"), "--year", "2021"]) == 1
    err = capsys.readouterr().err
    assert "无法读取" in err and "cannot read" in err and "Traceback" not in err
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN_2021, encoding="utf-8")
    assert main(["plan", "propose", str(plan), "--year", "20211"]) == 1
    assert "2021" in capsys.readouterr().err


def test_metrics_for_one_year(capsys):
    assert main(["metrics", "--json", "--date", "2020-12-31", "--year", "2021"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["year"] == 2021 and doc["targets"] == [] and doc["schedule"]["items"] == 0
    assert main(["metrics", "--json", "--date", "2020-12-31"]) == 0
    assert "year" not in json.loads(capsys.readouterr().out)
