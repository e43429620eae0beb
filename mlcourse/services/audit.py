"""Staff permission check and the audit trail every staff action writes (who, when, what)."""
from __future__ import annotations

from datetime import datetime

from mlcourse.models import Activity, StaffAction

from .errors import N_, ApiError


def require_staff(actor) -> None:
    """Refuse anyone who is not course staff, before anything is read or written."""
    if not actor.is_authenticated or not actor.is_staff:
        raise ApiError("forbidden", N_("Only course staff can do this."), 403)


def record(activity: Activity, actor, action: str, payload: dict, now: datetime) -> StaffAction:
    return StaffAction.objects.create(activity=activity, actor_id=actor.learner_id or "", action=action,
                                      payload=payload, created=now)
