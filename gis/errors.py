"""Errors the library raises for input a user can fix.

Every message carries Chinese first and English second, because these messages reach users directly
through the command line, the validation report and the app.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GisError", "InputError", "LimitExceeded", "CRSError", "ConflictError"]


class GisError(Exception):
    """Base class for errors with a bilingual message a user can act on.

    Parameters
    ----------
    zh : str
        The message in Chinese.
    en : str
        The same message in English.

    Attributes
    ----------
    zh, en : str
        The message in each language (``str(err)`` is ``"zh / en"``).
    """

    zh: str
    en: str

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


class InputError(GisError):
    """A file or value cannot be used as given (malformed, wrong type, unreadable).

    Parameters
    ----------
    zh, en : str
        The message in Chinese and in English.
    feature : object, optional, keyword-only
        The id of the feature at fault, when there is one (a layer's validation names it).
    field : str, optional, keyword-only
        The field at fault, when there is one.
    choice : str, optional, keyword-only
        The choice the caller can make to resolve it: ``"crs"`` (name the coordinate system), ``"layer"`` (pick
        one layer of several), ``"format"`` (name the output format), ``"allow_illustrative"`` (confirm writing
        illustrative features to a survey format). The message itself names no command-line flag or widget:
        the command line and the app add their own hint from this.

    Attributes
    ----------
    feature : object or None
    field : str or None
    choice : str or None
    """

    feature: object | None
    field: str | None
    choice: str | None

    def __init__(
        self, zh: str, en: str, *, feature: object | None = None, field: str | None = None, choice: str | None = None
    ) -> None:
        super().__init__(zh, en)
        self.feature = feature
        self.field = field
        self.choice = choice


class LimitExceeded(InputError):
    """An input is larger than a configured limit (bytes, features, vertices, archive size)."""


class CRSError(InputError):
    """The coordinate reference system of an input is missing, unknown or not allowed here."""


class ConflictError(GisError):
    """An edit was made against an older version of a feature than the one stored.

    Parameters
    ----------
    zh, en : str
        The message in Chinese and in English (who changed the feature, when, and the newer values).
    current : dict, optional, keyword-only
        The stored attributes now (field → value, with ``version``).
    version : int, optional, keyword-only
        The stored version now.
    changed_by : str, optional, keyword-only
        Who made the newest change.
    changed_at : str, optional, keyword-only
        When (ISO 8601 UTC text).

    Attributes
    ----------
    current : dict
    version : int or None
    changed_by, changed_at : str or None
    """

    current: dict[str, Any]
    version: int | None
    changed_by: str | None
    changed_at: str | None

    def __init__(
        self,
        zh: str,
        en: str,
        *,
        current: dict[str, Any] | None = None,
        version: int | None = None,
        changed_by: str | None = None,
        changed_at: str | None = None,
    ) -> None:
        super().__init__(zh, en)
        self.current = dict(current or {})
        self.version = version
        self.changed_by = changed_by
        self.changed_at = changed_at
