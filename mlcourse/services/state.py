"""The learner's view of the exchange (the `state` handler): a handful of indexed reads, whatever the cohort size."""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mlcourse import pairing
from mlcourse.countries import country_name
from mlcourse.models import Exchange, Participant, Review

from .config import ActivityConfig
from .errors import not_signed_in
from .records import current_membership, find_activity, lock_activity, participant_for

PHASES = ("context", "contribute", "waiting", "review", "feedback", "done")


def members_of(exchange: Exchange) -> list[Participant]:
    """Current members with their contributions, in a stable order (ids are the public member ids)."""
    return list(Participant.objects.filter(memberships__exchange=exchange, memberships__current=True)
                .select_related("contribution").order_by("pk"))


def reviews_pending(participant: Participant, exchange: Exchange) -> list[int]:
    given = set(Review.objects.filter(exchange=exchange, reviewer=participant).values_list("reviewee_id", flat=True))
    return [m.pk for m in members_of(exchange) if m.pk != participant.pk and m.pk not in given]


def get_state(config: ActivityConfig, actor, now: datetime | None = None) -> dict:
    """The learner's state; puts a returning learner back in the pool and retries matching after the window."""
    now = now or timezone.now()
    if not actor.is_authenticated:
        raise not_signed_in()
    activity = find_activity(config)
    participant = participant_for(activity, actor.learner_id)
    if participant is not None and _should_rematch(config, participant, now):
        from .matching import match_or_wait  # noqa: PLC0415 - matching imports this module's helpers

        with transaction.atomic():
            lock_activity(activity)
            participant = participant_for(activity, actor.learner_id)
            if _should_rematch(config, participant, now) and current_membership(participant) is None:
                match_or_wait(config, participant, now)
        participant = None
    return build_state(config, actor, now, participant=participant, activity=activity)


def _should_rematch(config: ActivityConfig, participant: Participant, now: datetime) -> bool:
    if participant.returns_to_pool:
        return hasattr(participant, "contribution")
    if participant.waiting_since is None:
        return False
    rules = config.rules
    time_matters = rules.allow_triads or rules.partner_rule == pairing.PartnerRule.DIFFERENT_COUNTRY_PREFERRED
    return time_matters and now - participant.waiting_since >= rules.fallback_window


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def build_state(config: ActivityConfig, actor, now: datetime, participant: Participant | None = None,
                activity=None) -> dict:
    if participant is None:
        activity = activity or find_activity(config)
        participant = participant_for(activity, actor.learner_id)
    state = {
        "phase": "context",
        "context": None,
        "contribution": None,
        "waiting": None,
        "exchange": None,
        "rubric": [q.as_dict() for q in config.rubric],
        "reviews_given": [],
        "reviews_pending": [],
        "reviews_received": [],
        "reviews_received_locked": False,
        "reviews_received_count": 0,
        "reflection": None,
        "can_request_new_partner": False,
        "limits": {"min_words": config.min_words, "max_words": config.max_words},
        "deadlines": {
            "submission_due": _iso(config.submission_due_for(participant)),
            "review_due": _iso(config.review_due_for(participant)),
            "submission_closed": config.submission_closed(now, participant),
            "review_closed": config.review_closed(now, participant),
        },
        "progress": {"contribution": False, "reviews_given": 0, "reviews_due": 0, "reflection": False},
    }
    if participant is None or not participant.country:
        return state
    lang = actor.language
    state["context"] = {
        "country": participant.country, "country_name": country_name(participant.country, lang),
        "organisation_type": participant.organisation_type, "languages": participant.languages,
        "time_zone": participant.time_zone,
    }
    contribution = getattr(participant, "contribution", None)
    membership = current_membership(participant)
    state["phase"] = "contribute"
    if contribution is not None:
        state["contribution"] = {"text": contribution.text, "word_count": contribution.word_count,
                                 "submitted": _iso(contribution.submitted), "editable": membership is None,
                                 "hidden_reason": contribution.hidden_reason if contribution.hidden_at else None}
        state["progress"]["contribution"] = True
    if contribution is None:
        return state
    reviews = _reviews_of(participant)
    given = [r for r in reviews if r.reviewer_id == participant.pk]
    received = [r for r in reviews if r.reviewee_id == participant.pk and r.hidden_at is None]
    members = members_of(membership.exchange) if membership else []
    if membership is None:
        state["phase"] = "waiting"
        state["waiting"] = _waiting_info(config, participant, now)
    else:
        given_here = {r.reviewee_id for r in given if r.exchange_id == membership.exchange_id}
        pending = [m.pk for m in members if m.pk != participant.pk and m.pk not in given_here]
        state["reviews_pending"] = pending
        state["progress"]["reviews_given"] = len(given_here)
        state["progress"]["reviews_due"] = len(members) - 1
        state["phase"] = "review" if pending else "feedback"
        state["exchange"] = _exchange_info(config, membership.exchange, members, participant, lang)
        state["can_request_new_partner"] = _partner_silent(config, membership, members, participant, received, now)
    reflection = getattr(participant, "reflection", None)
    if reflection is not None:
        state["phase"] = "done"
        state["reflection"] = {"text": reflection.text, "submitted": _iso(reflection.submitted)}
        state["progress"]["reflection"] = True
        state["can_request_new_partner"] = False
    names = {m.pk: m for m in members}
    state["reviews_given"] = [_review_dict(config, r, names, lang, mine=True) for r in given]
    open_gate = state["deadlines"]["review_closed"] or state["phase"] in ("feedback", "done")
    reviewed = {(r.exchange_id, r.reviewee_id) for r in given}
    visible = [r for r in received if open_gate or (r.exchange_id, r.reviewer_id) in reviewed]
    state["reviews_received"] = [_review_dict(config, r, names, lang, mine=False) for r in visible]
    state["reviews_received_count"] = len(received)
    state["reviews_received_locked"] = len(visible) < len(received) or state["phase"] == "review"
    return state


def _reviews_of(participant: Participant) -> list[Review]:
    return list(Review.objects.filter(Q(reviewer=participant) | Q(reviewee=participant))
                .select_related("rating", "reviewer", "reviewee").order_by("submitted", "pk"))


def _waiting_info(config: ActivityConfig, participant: Participant, now: datetime) -> dict:
    others = (Participant.objects.filter(activity_id=participant.activity_id, waiting_since__isnull=False)
              .exclude(pk=participant.pk).count())
    return {"since": _iso(participant.waiting_since), "others_waiting": others,
            "partner_rule": str(config.partner_rule), "returning": participant.returns_to_pool}


def _member_dict(config, member: Participant, me: Participant, lang: str) -> dict:
    contribution = getattr(member, "contribution", None)
    is_me = member.pk == me.pk
    if contribution is None:
        shown = None
    elif contribution.hidden_at and not is_me:
        shown = {"text": None, "hidden": True}
    else:
        shown = {"text": contribution.text, "hidden": bool(contribution.hidden_at)}
    return {
        "id": member.pk,
        "name": member.display_name if (is_me or not config.anonymous) else None,
        "country": member.country,
        "country_name": country_name(member.country, lang),
        "organisation_type": member.organisation_type,
        "is_me": is_me,
        "contribution": shown,
    }


def _exchange_info(config, exchange: Exchange, members, me: Participant, lang: str) -> dict:
    return {"id": exchange.pk, "reason": list(exchange.reasons), "created": _iso(exchange.created),
            "members": [_member_dict(config, m, me, lang) for m in members]}


def _review_dict(config, review: Review, names, lang: str, mine: bool) -> dict:
    other = review.reviewee if mine else review.reviewer
    rating = getattr(review, "rating", None)
    return {
        "id": review.pk,
        "exchange": review.exchange_id,
        "reviewer": review.reviewer_id,
        "reviewee": review.reviewee_id,
        "other_name": None if config.anonymous else other.display_name,
        "other_country_name": country_name(other.country, lang),
        "questions": review.questions,
        "answers": review.answers,
        "learned": review.learned,
        "suggestion": review.suggestion,
        "submitted": _iso(review.submitted),
        "rating": {"helpfulness": rating.helpfulness, "note": rating.note} if rating else None,
        "hidden_reason": review.hidden_reason if (mine and review.hidden_at) else None,
    }


def _partner_silent(config, membership, members, me, received, now) -> bool:
    if now - max(membership.joined, membership.exchange.created) < config.review_window:
        return False
    reviewed_me = {r.reviewer_id for r in received if r.exchange_id == membership.exchange_id}
    return any(m.pk != me.pk and m.pk not in reviewed_me for m in members)
