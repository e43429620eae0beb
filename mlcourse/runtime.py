"""One place that answers "who is the user, are they staff, which course, which language" for any runtime.

In the LMS the answers come from the `user` service's `opt_attrs` (edx-platform.*); in the xblock-sdk
workbench from `xblock-workbench.user_id`, with staff being the ids in the Django setting
`MLCOURSE_WORKBENCH_STAFF_IDS`. Blocks call `actor_for(block)` and pass the result to the services layer,
which never imports XBlock.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

LMS = "edx-platform."
WORKBENCH_USER_ID = "xblock-workbench.user_id"


@dataclass(frozen=True)
class Actor:
    """The person behind a request, as far as our services need to know."""

    learner_id: str | None  # course-scoped anonymous id (LMS) or workbench id; None when not signed in
    display_name: str = ""
    is_staff: bool = False
    language: str = "en"
    country_hint: str = ""  # ISO alpha-2 from the platform's geolocation, when present
    time_zone_hint: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.learner_id)


def _current_user(block):
    try:
        service = block.runtime.service(block, "user")
    except Exception:  # noqa: BLE001 - a runtime without the service is a runtime without users
        return None
    return service.get_current_user() if service else None


def actor_for(block) -> Actor:
    """Build the Actor for the current request from the block's runtime."""
    user = _current_user(block)
    attrs = dict(getattr(user, "opt_attrs", {}) or {}) if user else {}
    language = (translation.get_language() or settings.LANGUAGE_CODE or "en")
    if LMS + "anonymous_user_id" in attrs or LMS + "user_id" in attrs:
        prefs = attrs.get(LMS + "user_preferences") or {}
        authenticated = attrs.get(LMS + "is_authenticated", True)
        role = attrs.get(LMS + "user_role") or ""
        return Actor(
            learner_id=attrs.get(LMS + "anonymous_user_id") if authenticated else None,
            display_name=attrs.get(LMS + "username") or "",
            is_staff=bool(attrs.get(LMS + "user_is_staff")) or role in {"staff", "instructor", "administrator"},
            language=prefs.get("pref-lang") or language,
            country_hint=(attrs.get(LMS + "request_country_code") or "").upper()[:2],
            time_zone_hint=prefs.get("time_zone") or "",
        )
    workbench_id = attrs.get(WORKBENCH_USER_ID)
    if workbench_id is not None:
        workbench_id = str(workbench_id).strip()[:200]
        staff_ids = set(getattr(settings, "MLCOURSE_WORKBENCH_STAFF_IDS", set()))
        return Actor(
            learner_id=workbench_id or None,
            display_name=workbench_id,
            is_staff=workbench_id in staff_ids,
            language=language,
        )
    return Actor(learner_id=None, language=language)


def course_key_for(block) -> str:
    """The course the block lives in; the workbench has no course, so all its blocks share one."""
    usage = block.scope_ids.usage_id
    context = getattr(usage, "context_key", None) or getattr(usage, "course_key", None)
    return str(context) if context else "workbench"


def usage_key_for(block) -> str:
    return str(block.scope_ids.usage_id)


def anonymous_id_resolver(block):
    """username -> the course-scoped anonymous id, for roster imports (None when the user is unknown)."""
    try:
        service = block.runtime.service(block, "user")
    except Exception:  # noqa: BLE001
        service = None
    user = service.get_current_user() if service else None
    attrs = getattr(user, "opt_attrs", {}) or {}
    if LMS + "anonymous_user_id" in attrs and hasattr(service, "get_anonymous_user_id"):
        course = course_key_for(block)
        return lambda username: service.get_anonymous_user_id(username, course)
    return lambda username: username or None  # the workbench: learners are known by their ids
