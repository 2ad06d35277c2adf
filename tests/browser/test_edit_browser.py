"""Two editors in two browsers edit the same road: the later, stale save is refused with the newer value,
who set it and when; the refused change stays on screen and can be applied on top.
"""

from __future__ import annotations

import pytest

from gis import users
from gis.store import open_store

from .conftest import EDITOR, EDITOR_PASSWORD, shot, sign_in, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

COLLEAGUE, COLLEAGUE_PASSWORD = "colleague", "colleague-pass-2020"


def _sign_in(page, name: str, password: str) -> None:
    sign_in(page, name, password)
    wait_idle(page)


def _choose(page, key: str, label: str) -> None:
    combo = page.locator(f".st-key-{key} [role='combobox']")
    option = page.get_by_role("option", name=label, exact=True)
    for _ in range(5):
        combo.click()
        try:
            option.wait_for(timeout=3000)
            break
        except Exception:  # the form was redrawn by a rerun under the click: try again
            page.keyboard.press("Escape")
    option.click()


def _save(page, status_label: str, note: str) -> None:
    wait_idle(page)
    _choose(page, "roads_edit_status", status_label)
    page.locator(".st-key-roads_edit_note input").fill(note)
    page.locator(".st-key-roads_edit_save button").click()


def test_two_editors_a_stale_save_is_refused_and_can_be_applied_on_top(app, browser) -> None:
    users.add_user(app.data_dir / "users.json", COLLEAGUE, COLLEAGUE_PASSWORD, role="editor")
    ctx_a = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    ctx_b = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        a.goto(app.url + "/roads")
        _sign_in(a, EDITOR, EDITOR_PASSWORD)  # A has the form of the first road open
        a.locator(".st-key-roads_edit_save button").wait_for(timeout=30000)
        b.goto(app.url + "/roads")
        _sign_in(b, COLLEAGUE, COLLEAGUE_PASSWORD)
        _save(b, "滞后", "征地未完成")
        b.get_by_text("已保存").wait_for(timeout=30000)

        store = open_store(app.data_dir / "working.gpkg")
        hist = store.history("road_links")
        fid = str(hist[(hist["user"] == COLLEAGUE) & (hist["field"] == "status")]["feature_id"].iloc[-1])
        version_b = int(store.read_layer("road_links").set_index("id").loc[fid, "version"])

        _save(a, "在建", "浏览器 A 的修改")
        refusal = a.get_by_text("未保存")
        refusal.wait_for(timeout=30000)
        text = refusal.inner_text()
        assert COLLEAGUE in text and "滞后" in text and f"第 {version_b} 版" in text, text
        shot(a, "05-edit-conflict")
        row = open_store(app.data_dir / "working.gpkg").read_layer("road_links").set_index("id").loc[fid]
        assert row["status"] == "delayed"  # B's change was not overwritten
        # A's change is still on screen
        assert a.locator(".st-key-roads_edit_note input").input_value() == "浏览器 A 的修改"
        assert "在建" in a.locator(".st-key-roads_edit_status").evaluate("e => e.outerHTML")

        wait_idle(a)
        a.locator(".st-key-roads_edit_override button").click()
        a.get_by_text("已保存").wait_for(timeout=30000)
        row = open_store(app.data_dir / "working.gpkg").read_layer("road_links").set_index("id").loc[fid]
        assert row["status"] == "under_construction" and int(row["version"]) == version_b + 1
    finally:
        ctx_a.close()
        ctx_b.close()
