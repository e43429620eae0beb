"""Checks of learner payloads: types, sizes and allowed values, each failure a clear ApiError."""
from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import available_timezones

from .errors import N_, ApiError

MAX_TEXT_CHARS = 20_000
MAX_SHORT_TEXT_CHARS = 5_000
MAX_LANGUAGES = 20
# C0 control characters other than tab and newlines, and NUL: never stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def require_dict(payload) -> dict:
    if not isinstance(payload, dict):
        raise ApiError("invalid_payload", N_("The request must be a JSON object."))
    return payload


def only_keys(payload: dict, allowed: set[str]) -> None:
    extra = sorted(set(payload) - allowed)
    if extra:
        raise ApiError("unknown_field", N_("Unknown field: %(field)s."), field=str(extra[0])[:60])


def text(payload: dict, key: str, *, required: bool, max_chars: int = MAX_SHORT_TEXT_CHARS) -> str:
    value = payload.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApiError("invalid_type", N_("The field %(field)s must be text."), field=key)
    if _CONTROL.search(value):
        raise ApiError("invalid_characters", N_("The field %(field)s contains characters that are not allowed."),
                       field=key)
    value = value.strip()
    if len(value) > max_chars:
        raise ApiError("too_long", N_("The field %(field)s is too long (at most %(limit)s characters)."),
                       field=key, limit=max_chars)
    if required and not value:
        raise ApiError("required", N_("Please fill in %(field)s."), field=key)
    return value


def integer(payload: dict, key: str, *, low: int, high: int) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError("invalid_type", N_("The field %(field)s must be a whole number."), field=key)
    if not low <= value <= high:
        raise ApiError("out_of_range", N_("The field %(field)s must be between %(low)s and %(high)s."),
                       field=key, low=low, high=high)
    return value


def word_count(value: str) -> int:
    """Words as a reader counts them: runs of letters, and each CJK character (Chinese has no spaces)."""
    cjk = len(_CJK.findall(value))
    return len(_WORD.findall(_CJK.sub(" ", value))) + cjk


def time_zone(value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 64 or value not in _time_zones():
        raise ApiError("invalid_time_zone", N_("Unknown time zone."))
    return value


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    """The IANA zone names: read-only data of the interpreter, cached once per process."""
    return frozenset(available_timezones())
