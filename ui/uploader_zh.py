"""The file uploader in the page's language: Streamlit's drop zone says "Upload" and "200MB per file" in English.

Streamlit (1.67) offers no locale for its uploader: the button text and the size line are fixed English in
its front end (``FileUploader`` in the bundled JavaScript); ``st.file_uploader`` only takes the label above
the zone and a ``help`` tooltip. So the words are replaced with CSS on the uploader's stable ``data-testid``
hooks (``stFileUploaderDropzone``, ``stFileUploaderDropzoneInstructions``): the English text is hidden and the
Chinese (or English) text drawn in its place. The size shown is Streamlit's own limit
(``server.maxUploadSize``, MB), so it cannot disagree with what the server enforces.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

__all__ = ["uploader_css", "localise_uploaders"]


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes, backslashes and line breaks escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def uploader_css(*, max_mb: int) -> str:
    """The style sheet that words every file uploader in the current language.

    Parameters
    ----------
    max_mb : int
        The upload limit shown, in MB (Streamlit's ``server.maxUploadSize``).

    Returns
    -------
    str
        A ``<style>`` element.
    """
    button = _css_string(t("uploader_button"))
    limit = _css_string(t("upload_help", mb=max_mb))
    return (
        "<style>\n"
        '[data-testid="stFileUploaderDropzone"] button > * { display: none; }\n'
        f'[data-testid="stFileUploaderDropzone"] button::after {{ content: {button}; font-size: 0.875rem; }}\n'
        '[data-testid="stFileUploaderDropzoneInstructions"] * { display: none; }\n'
        f'[data-testid="stFileUploaderDropzoneInstructions"]::after {{ content: {limit}; font-size: 0.875rem; opacity: 0.7; }}\n'
        "</style>"
    )


def localise_uploaders() -> None:
    """Put :func:`uploader_css` on the page (no visible element)."""
    st.html(uploader_css(max_mb=int(st.get_option("server.maxUploadSize"))))
