"""Rendered map output is never compiled again as a Jinja template (private to :mod:`gis.render`).

branca (under folium) renders each element's ``header``/``html``/``script`` macro and wraps the *output* in a
new ``branca.element.Element``, whose constructor compiles that text as a Jinja template; the figure then
renders it a second time. Any data inside the output — a feature's name, a layer's title, an uploaded file's
field — is therefore evaluated as template code: a parcel named ``{{ 7*7 }}`` was drawn as ``49``, a name with a
quote raised ``TemplateSyntaxError`` and took the page down, and without a sandbox a crafted name can reach
Python objects. :func:`harden` makes :meth:`branca.element.MacroElement.render` keep the output as plain text
(:class:`RenderedText`), which is what the second pass produced for every output without Jinja syntax.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RenderedText", "harden"]

_DONE: list[bool] = []


def _text_element_class() -> type:
    from branca.element import Element

    class RenderedText(Element):
        """Text already rendered by a macro: written out as it is, never parsed as a template."""

        def __init__(self, text: str) -> None:
            super().__init__()
            # Jinja drops one trailing newline of a template's source; keep the output byte-identical to it
            self._text = text[:-1] if text.endswith("\n") else text

        def render(self, **kwargs: Any) -> str:
            return self._text

    return RenderedText


RenderedText: type = _text_element_class()


def _render(self: Any, **kwargs: Any) -> None:
    """:meth:`branca.element.MacroElement.render`, with each macro's output kept as text."""
    from branca.element import Figure

    figure = self.get_root()
    if not isinstance(figure, Figure):
        raise AssertionError("You cannot render this Element if it is not in a Figure.")
    macros = self._template.module.__dict__
    for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
        macro = macros.get(part)
        if macro is not None:
            target.add_child(RenderedText(str(macro(self, kwargs))), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def harden() -> None:
    """Patch branca's ``MacroElement.render`` once per process (idempotent)."""
    if _DONE:
        return
    from branca.element import MacroElement

    MacroElement.render = _render
    _DONE.append(True)
