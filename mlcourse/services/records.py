"""Lookups and the per-activity lock shared by the read and write paths."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from mlcourse.models import Activity, Membership, Participant

from .config import ActivityConfig
from .errors import N_, ApiError


def find_activity(config: ActivityConfig) -> Activity | None:
    return Activity.objects.filter(course_key=config.course_key, usage_key=config.usage_key).first()


def ensure_activity(config: ActivityConfig) -> Activity:
    """Get or create the activity row; safe when two processes create it at once."""
    activity = find_activity(config)
    if activity is not None:
        return activity
    try:
        with transaction.atomic():
            return Activity.objects.create(course_key=config.course_key, usage_key=config.usage_key)
    except IntegrityError:
        return Activity.objects.get(course_key=config.course_key, usage_key=config.usage_key)


def lock_activity_for(config: ActivityConfig) -> Activity | None:
    """Take the activity's write lock as the FIRST statement of the transaction (None: no such activity).

    Writing first matters beyond SQLite: under REPEATABLE READ a plain SELECT before the lock would fix the
    transaction's snapshot, and every read "inside the lock" would then be stale.
    """
    rows = Activity.objects.filter(course_key=config.course_key, usage_key=config.usage_key)
    if not rows.update(match_clock=F("match_clock") + 1):
        return None
    return rows.get()


def lock_activity(activity: Activity) -> None:
    """Serialize writers of one activity: the first statement of their transaction writes its row.

    On MySQL/MariaDB the UPDATE holds the row's exclusive lock until commit; on SQLite the write takes the
    database write lock at once instead of failing later when a read lock cannot be upgraded.
    """
    Activity.objects.filter(pk=activity.pk).update(match_clock=F("match_clock") + 1)


def participant_for(activity: Activity | None, learner_id: str) -> Participant | None:
    if activity is None:
        return None
    return (Participant.objects.select_related("contribution", "reflection")
            .filter(activity=activity, learner_id=learner_id).first())


def require_participant(activity: Activity | None, learner_id: str) -> Participant:
    participant = participant_for(activity, learner_id)
    if participant is None or not participant.country:
        raise ApiError("no_context", N_("Please tell us about your context first."), 409)
    return participant


def current_membership(participant: Participant) -> Membership | None:
    return (Membership.objects.select_related("exchange")
            .filter(participant=participant, current=True).first())
