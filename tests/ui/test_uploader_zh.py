"""ui.uploader_zh: the uploader's words in the page's language, as CSS that cannot be broken out of."""

from __future__ import annotations

from ui import uploader_zh


def test_css_words_the_button_and_the_limit_in_chinese() -> None:
    css = uploader_zh.uploader_css(max_mb=200)
    assert 'content: "选择文件"' in css and 'content: "每个文件不超过 200 MB"' in css
    assert '[data-testid="stFileUploaderDropzoneInstructions"] * { display: none; }' in css


def test_css_string_escapes_quotes_and_markup() -> None:
    assert uploader_zh._css_string('a"b\\c</style>') == '"a\\"b\\\\c\\3c /style>"'
