"""The learner's view of the exchange (the `state` handler): two or three indexed reads, whatever the cohort size
(the learner with everything one-to-one attached; the exchange's members; the reviews involving them)."""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mlcourse import pairing
from mlcourse.countries import country_name
from mlcourse.models import Participant, Review

from .config import ActivityConfig
from .errors import not_signed_in
from .records import exchange_members, learner_row, lock

PHASES = ("context", "contribute", "waiting", "review", "feedback", "done")


def get_state(config: ActivityConfig, actor, now: datetime | None = None) -> dict:
    """The learner's state; puts a returning learner back in the pool and retries matching after the window."""
    now = now or timezone.now()
    if not actor.is_authenticated:
        raise not_signed_in()
    participant = learner_row(config, actor.learner_id)
    if participant is not None and _should_rematch(config, participant, now):
        from .matching import match_or_wait  # noqa: PLC0415 - matching imports this module's helpers

        with transaction.atomic():
            lock(config)
            participant = learner_row(config, actor.learner_id)
            if _should_rematch(config, participant, now):
                match_or_wait(config, participant, now)
                participant = learner_row(config, actor.learner_id)
    return build_state(config, actor, now, participant=participant)


def _should_rematch(config: ActivityConfig, participant: Participant, now: datetime) -> bool:
    if participant.current_exchange_id is not None:
        return False
    if participant.returns_to_pool:
        return hasattr(participant, "contribution")
    if participant.waiting_since is None:
        return False
    rules = config.rules
    time_matters = rules.allow_triads or rules.partner_rule == pairing.PartnerRule.DIFFERENT_COUNTRY_PREFERRED
    return time_matters and now - participant.waiting_since >= rules.fallback_window


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_READ = object()  # build_state reads the learner itself unless given one (None: known not to exist)


def build_state(config: ActivityConfig, actor, now: datetime, participant: Participant | None = _READ,
                exchange=None) -> dict:
    """The state of `participant` (a `learner_row`, or the same object kept up to date by a write); a write
    that has just formed the learner's `exchange` passes it with its `current_members` attached."""
    if participant is _READ:
        participant = learner_row(config, actor.learner_id)
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
    paired = participant.current_exchange_id is not None
    state["phase"] = "contribute"
    if contribution is None:
        return state
    state["contribution"] = {"text": contribution.text, "word_count": contribution.word_count,
                             "submitted": _iso(contribution.submitted), "editable": not paired,
                             "hidden_reason": contribution.hidden_reason if contribution.hidden_at else None}
    state["progress"]["contribution"] = True
    reviews = _reviews_of(participant) if participant.has_reviews else []
    given = [r for r in reviews if r.reviewer_id == participant.pk]
    received = [r for r in reviews if r.reviewee_id == participant.pk and r.hidden_at is None]
    if exchange is not None and getattr(exchange, "current_members", None):
        members = exchange.current_members
    else:
        exchange, members = exchange_members(participant.current_exchange_id) if paired else (None, [])
    if exchange is None:
        state["phase"] = "waiting"
        state["waiting"] = _waiting_info(config, participant)
    else:
        given_here = {r.reviewee_id for r in given if r.exchange_id == exchange.pk}
        pending = [m.pk for m in members if m.pk != participant.pk and m.pk not in given_here]
        state["reviews_pending"] = pending
        state["progress"]["reviews_given"] = len(given_here)
        state["progress"]["reviews_due"] = len(members) - 1
        state["phase"] = "review" if pending else "feedback"
        state["exchange"] = {"id": exchange.pk, "reason": list(exchange.reasons), "created": _iso(exchange.created),
                             "members": [_member_dict(config, m, participant, lang) for m in members]}
        state["can_request_new_partner"] = bool(silent_partners(config, exchange, participant, members, received,
                                                                now))
    reflection = getattr(participant, "reflection", None)
    if reflection is not None:
        state["phase"] = "done"
        state["reflection"] = {"text": reflection.text, "submitted": _iso(reflection.submitted)}
        state["progress"]["reflection"] = True
        state["can_request_new_partner"] = False
    state["reviews_given"] = [_review_dict(config, r, lang, mine=True) for r in given]
    visible = visible_received(state, given, received)
    state["reviews_received"] = [_review_dict(config, r, lang, mine=False) for r in visible]
    state["reviews_received_count"] = len(received)
    state["reviews_received_locked"] = len(visible) < len(received) or state["phase"] == "review"
    return state


def visible_received(state: dict, given: list[Review], received: list[Review]) -> list[Review]:
    """The reciprocity gate: a received review shows once the learner has given all their own reviews (or the
    review deadline passed), or when they reviewed that reviewer in the same exchange."""
    open_gate = state["deadlines"]["review_closed"] or state["phase"] in ("feedback", "done")
    reviewed = {(r.exchange_id, r.reviewee_id) for r in given}
    return [r for r in received if open_gate or (r.exchange_id, r.reviewer_id) in reviewed]


def silent_partners(config, exchange, me: Participant, members, received, now) -> list[Participant]:
    """Members who have not reviewed `me` although the review window has passed since the pair was formed."""
    since = max(me.current_joined or exchange.created, exchange.created)
    if now - since < config.review_window:
        return []
    reviewed_me = {r.reviewer_id for r in received if r.exchange_id == exchange.pk}
    return [m for m in members if m.pk != me.pk and m.pk not in reviewed_me]


def _reviews_of(participant: Participant) -> list[Review]:
    return list(Review.objects.filter(Q(reviewer=participant) | Q(reviewee=participant))
                .select_related("rating", "reviewer", "reviewee").order_by("submitted", "pk"))


def _waiting_info(config: ActivityConfig, participant: Participant) -> dict:
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


def _review_dict(config, review: Review, lang: str, mine: bool) -> dict:
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
