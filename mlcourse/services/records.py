"""Lookups and the per-activity lock shared by the read and write paths."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery

from mlcourse.models import Activity, Exchange, Membership, Participant, Review

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
    """`lock`, then the activity row (None: no such activity); for the staff actions, which need the row."""
    return find_activity(config) if lock(config) else None


def learner_row(config: ActivityConfig, learner_id: str) -> Participant | None:
    """The learner's participant in one query: with its activity, contribution, reflection, current exchange
    (`current_exchange_id`, `current_joined`) and whether any review involves them (`has_reviews`)."""
    current = Membership.objects.filter(participant=OuterRef("pk"), current=True)
    reviews = Review.objects.filter(Q(reviewer=OuterRef("pk")) | Q(reviewee=OuterRef("pk")))
    return (Participant.objects.select_related("activity", "contribution", "reflection")
            .filter(activity__course_key=config.course_key, activity__usage_key=config.usage_key,
                    learner_id=learner_id)
            .annotate(current_exchange_id=Subquery(current.values("exchange_id")[:1]),
                      current_joined=Subquery(current.values("joined")[:1]), has_reviews=Exists(reviews))
            .first())


def require_learner(config: ActivityConfig, learner_id: str) -> Participant:
    participant = learner_row(config, learner_id)
    if participant is None or not participant.country:
        raise ApiError("no_context", N_("Please tell us about your context first."), 409)
    return participant


def exchange_members(exchange_id) -> tuple[Exchange | None, list[Participant]]:
    """An exchange and its current members (contributions and reflections attached), in one query; member
    order (by id) is the same in every member's view."""
    rows = list(Membership.objects.filter(exchange_id=exchange_id, current=True)
                .select_related("exchange", "participant__contribution", "participant__reflection")
                .order_by("participant_id"))
    return (rows[0].exchange if rows else None), [row.participant for row in rows]


def lock(config: ActivityConfig) -> bool:
    """Take the activity's write lock as the transaction's FIRST statement; False when there is no activity.

    Writing first matters beyond SQLite (which cannot upgrade a read lock): under REPEATABLE READ a plain
    SELECT before the lock would fix the transaction's snapshot, and every read "inside the lock" would be stale.
    """
    rows = Activity.objects.filter(course_key=config.course_key, usage_key=config.usage_key)
    return bool(rows.update(match_clock=F("match_clock") + 1))
