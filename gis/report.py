"""The validation report every reader returns: what was wrong, what was repaired, what was assumed."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Problem", "Repair", "ValidationReport"]


@dataclass
class Problem:
    """Something wrong with one feature (or with the whole file when ``feature`` is None).

    Attributes
    ----------
    feature : int or None
        0-based position of the feature in the input, None for the file as a whole.
    problem : str
        A short stable code, e.g. ``"self_intersection"``, ``"null_geometry"``, ``"outside_extent"``.
    message_zh, message_en : str
        What a user reads.
    fatal : bool
        True when the feature was dropped (or, for ``feature=None``, the file cannot be used).
    """

    feature: int | None
    problem: str
    message_zh: str = ""
    message_en: str = ""
    fatal: bool = False

    def to_dict(self) -> dict[str, object]:
        """The JSON form of the CLI contract: ``{"feature": int|null, "problem": str}`` plus detail."""
        text = f"{self.problem}: {self.message_zh} / {self.message_en}" if self.message_en else self.problem
        return {"feature": self.feature, "problem": text, "code": self.problem, "fatal": self.fatal}


@dataclass
class Repair:
    """A change made to one feature so it could be used (``make_valid``, orientation, dropped Z…)."""

    feature: int
    repair: str
    message_zh: str = ""
    message_en: str = ""

    def to_dict(self) -> dict[str, object]:
        """The JSON form: ``{"feature": int, "repair": str}`` plus detail."""
        text = f"{self.repair}: {self.message_zh} / {self.message_en}" if self.message_en else self.repair
        return {"feature": self.feature, "repair": text, "code": self.repair}


@dataclass
class ValidationReport:
    """Everything a reader or :func:`gis.validate.validate_frame` found and did.

    Attributes
    ----------
    features : int
        Features in the returned frame (after fatal ones were dropped).
    crs_assumed : str or None
        A note naming the CRS assumed when the input carried none (None when declared).
    problems, repairs : list
        Per-feature findings, in input order.
    ok : bool
        False when the input cannot be used at all (nothing readable).
    """

    features: int = 0
    crs_assumed: str | None = None
    problems: list[Problem] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    ok: bool = True

    def add_problem(self, feature: int | None, code: str, zh: str, en: str, *, fatal: bool = False) -> None:
        """Record a problem (Chinese and English message)."""
        self.problems.append(Problem(feature, code, zh, en, fatal))

    def add_repair(self, feature: int, code: str, zh: str, en: str) -> None:
        """Record a repair (Chinese and English message)."""
        self.repairs.append(Repair(feature, code, zh, en))

    @property
    def dropped(self) -> int:
        """Features of the input left out of the returned frame (those with a fatal problem)."""
        return len({p.feature for p in self.problems if p.fatal and p.feature is not None})

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``python -m gis validate --json``."""
        return {
            "ok": self.ok,
            "features": self.features,
            "dropped": self.dropped,
            "crs_assumed": self.crs_assumed,
            "problems": [p.to_dict() for p in self.problems],
            "repairs": [r.to_dict() for r in self.repairs],
        }
