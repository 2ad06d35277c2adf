"""Times, attribute values and the text kept in the history table (private to :mod:`gis.store`)."""

from __future__ import annotations

import json
import math
import re
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from gis.errors import InputError

__all__: list[str] = []

#: Longest user name, note and text value the store accepts (characters).
MAX_USER_CHARS = 200
MAX_NOTE_CHARS = 2_000
MAX_TEXT_CHARS = 20_000
MAX_ID_CHARS = 200
#: Most fields one update_feature call may change.
MAX_CHANGES = 200

_TEXT_N = re.compile(r"^TEXT\((\d+)\)$")


# --- time ---------------------------------------------------------------------------------------------


def _as_utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def iso_utc(when: datetime | date | None = None, *, end_of_day: bool = False) -> str:
    """Fixed-width ISO 8601 UTC text (``2020-06-30T23:59:59.999999Z``), so text order is time order.

    Naive datetimes are taken as UTC. A date means its start, or with ``end_of_day`` its last microsecond
    (UTC). ``None`` means now.
    """
    if when is None:
        when = datetime.now(UTC)
    elif not isinstance(when, datetime):
        if not isinstance(when, date):
            raise InputError(f"时间 {str(when)[:40]!r} 不是日期或时间", f"{str(when)[:40]!r} is not a date or a datetime")
        when = datetime.combine(when, time.max if end_of_day else time.min)
    if hasattr(when, "to_pydatetime"):  # pandas.Timestamp
        when = when.to_pydatetime()
    return _as_utc(when).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- user text ------------------------------------------------------------------------------------------


def check_user(user: object) -> str:
    """The user name as given, refused if empty or absurdly long."""
    if not isinstance(user, str) or not user.strip() or len(user) > MAX_USER_CHARS or "\x00" in user:
        raise InputError(f"修改人须为 1–{MAX_USER_CHARS} 个字符的文本", f"the user must be a text of 1–{MAX_USER_CHARS} characters")
    return user


def check_note(note: object) -> str:
    """A note (possibly empty), refused if not text or longer than MAX_NOTE_CHARS."""
    if note is None:
        return ""
    if not isinstance(note, str) or len(note) > MAX_NOTE_CHARS or "\x00" in note:
        raise InputError(f"备注须为不超过 {MAX_NOTE_CHARS} 个字符的文本", f"the note must be a text of at most {MAX_NOTE_CHARS} characters")
    return note


def check_feature_id(feature_id: object) -> str:
    """A feature id as text (ints are accepted and turned into text)."""
    if isinstance(feature_id, bool) or not isinstance(feature_id, str | int):
        raise InputError(f"要素编号 {str(feature_id)[:40]!r} 须为文本", f"feature id {str(feature_id)[:40]!r} must be a text")
    text = str(feature_id)
    if not text or len(text) > MAX_ID_CHARS:
        raise InputError(f"要素编号须为 1–{MAX_ID_CHARS} 个字符", f"a feature id must have 1–{MAX_ID_CHARS} characters")
    return text


# --- attribute values -----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """numpy/pandas scalars → Python scalars; NaN, pandas NA/NaT → None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None  # NaN is pandas' "missing"
    pd = sys.modules.get("pandas")  # only if the caller already uses pandas: the edit path stays light
    if pd is not None:
        if value is pd.NaT or (not isinstance(value, str | bytes) and pd.api.types.is_scalar(value) and pd.isna(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def _refuse(field: str, value: Any, want_zh: str, want_en: str) -> InputError:
    shown = repr(value)[:60]
    return InputError(f"字段 {field} 的值 {shown} 无效：应为{want_zh}", f"field {field}: value {shown} is not valid, expected {want_en}")


def to_sql(field: str, value: Any, declared: str) -> Any:
    """Turn an edit's value into what the GeoPackage column of declared type ``declared`` stores.

    Raises
    ------
    gis.errors.InputError
        When the value does not fit the column (a text in an integer column, NaN, a huge text…).
    """
    value = _plain(value)
    if value is None:
        return None
    kind = declared.upper()
    if kind in ("INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT", "BIGINT"):
        if isinstance(value, bool) or not isinstance(value, int | float) or (isinstance(value, float) and not value.is_integer()):
            raise _refuse(field, value, "整数", "an integer")
        if not -(2**63) <= int(value) < 2**63:
            raise _refuse(field, value, "64 位整数", "a 64-bit integer")
        return int(value)
    if kind == "BOOLEAN":
        if isinstance(value, bool) or value in (0, 1):
            return int(bool(value))
        raise _refuse(field, value, "是/否", "true or false")
    if kind in ("REAL", "FLOAT", "DOUBLE"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
            raise _refuse(field, value, "有限的数", "a finite number")
        return float(value)
    if kind == "DATE":
        if isinstance(value, datetime):
            raise _refuse(field, value, "日期 (YYYY-MM-DD)", "a date (YYYY-MM-DD)")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise _refuse(field, value, "日期 (YYYY-MM-DD)", "a date (YYYY-MM-DD)")
    if kind == "DATETIME":
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError as exc:
                raise _refuse(field, value, "日期时间 (ISO 8601)", "a date and time (ISO 8601)") from exc
        if isinstance(value, datetime):  # naive stays naive (GDAL's convention), zoned goes to UTC "…Z"
            if value.tzinfo is None:
                return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
            return _as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        raise _refuse(field, value, "日期时间 (ISO 8601)", "a date and time (ISO 8601)")
    if kind.startswith("TEXT") or kind in ("", "VARCHAR"):
        if isinstance(value, date):
            value = value.isoformat()
        if not isinstance(value, str):
            raise _refuse(field, value, "文本", "a text")
        limit = MAX_TEXT_CHARS
        m = _TEXT_N.match(kind)
        if m and int(m.group(1)) > 0:
            limit = min(limit, int(m.group(1)))
        if len(value) > limit or "\x00" in value:
            raise _refuse(field, value[:40] + "…", f"不超过 {limit} 个字符的文本", f"a text of at most {limit} characters")
        return value
    raise InputError(f"字段 {field} 的类型 {declared} 不能在此修改", f"field {field} of type {declared} cannot be edited here")


def encode(value: Any) -> str | None:
    """History text of a stored value (JSON, so 3 and "3" stay apart); NULL stays NULL."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.hex()
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def decode(text: str | None) -> Any:
    """The stored value back from its history text."""
    return None if text is None else json.loads(text)


def short(value: Any, limit: int = 80) -> str:
    """A value shown inside a message, cut to ``limit`` characters."""
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"
