"""Errors the library raises for input a user can fix.

Every message carries Chinese first and English second, because these messages reach users directly
through the command line, the validation report and the app.
"""

from __future__ import annotations

__all__ = ["GisError", "InputError", "LimitExceeded", "CRSError", "ConflictError"]


class GisError(Exception):
    """Base class for errors with a bilingual message a user can act on.

    Parameters
    ----------
    zh : str
        The message in Chinese.
    en : str
        The same message in English.
    """

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


class InputError(GisError):
    """A file or value cannot be used as given (malformed, wrong type, unreadable)."""


class LimitExceeded(InputError):
    """An input is larger than a configured limit (bytes, features, vertices, archive size)."""


class CRSError(InputError):
    """The coordinate reference system of an input is missing, unknown or not allowed here."""


class ConflictError(GisError):
    """An edit was made against an older version of a feature than the one stored."""
