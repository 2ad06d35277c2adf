"""The errors' attributes are declared (issue 12 step 5): every instance has them, set or None."""

from __future__ import annotations

import pytest

from gis.errors import ConflictError, CRSError, GisError, InputError, LimitExceeded


def test_input_errors_carry_feature_and_field_or_none() -> None:
    err = InputError("错", "wrong", feature="road-07", field="status")
    assert (err.zh, err.en, err.feature, err.field) == ("错", "wrong", "road-07", "status") and str(err) == "错 / wrong"
    for cls in (InputError, LimitExceeded, CRSError):
        plain = cls("错", "wrong")
        assert isinstance(plain, GisError) and plain.feature is None and plain.field is None


def test_conflict_errors_carry_the_stored_state() -> None:
    current = {"status": "delayed", "version": 2}
    err = ConflictError("冲突", "conflict", current=current, version=2, changed_by="li", changed_at="2020-06-30T08:00:00.000Z")
    current["status"] = "x"  # the error keeps its own copy
    assert err.current == {"status": "delayed", "version": 2} and err.version == 2
    assert (err.changed_by, err.changed_at) == ("li", "2020-06-30T08:00:00.000Z")
    bare = ConflictError("冲突", "conflict")
    assert bare.current == {} and bare.version is None and bare.changed_by is None


def test_attributes_are_declared_on_the_classes() -> None:
    assert {"feature", "field"} <= set(InputError.__annotations__)
    assert {"current", "version", "changed_by", "changed_at"} <= set(ConflictError.__annotations__)
    with pytest.raises(TypeError):
        InputError("错", "wrong", "extra")  # type: ignore[misc]
