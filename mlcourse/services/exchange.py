"""The learner's write operations; each is one transaction that writes everything or nothing."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from mlcourse.countries import is_country, is_language
from mlcourse.models import Contribution, Exchange, Membership, OrganisationType, Participant, Rating, Reflection, \
    Review

from . import validation as v
from .config import SCALE, ActivityConfig
from .errors import N_, ApiError, not_signed_in
from .matching import match_or_wait
from .records import current_membership, ensure_activity, lock_activity_for, require_participant
from .state import build_state, members_of, reviews_pending


def _writer(config: ActivityConfig, actor):
    """Open the write path: a signed-in learner, then the activity lock as the transaction's first statement.

    The activity row must exist already (save_context creates it before its transaction): creating it inside
    the lock would let two first arrivals deadlock on MySQL's gap locks under REPEATABLE READ.
    """
    if not actor.is_authenticated:
        raise not_signed_in()
    activity = lock_activity_for(config)
    if activity is None:
        raise ApiError("no_context", N_("Please tell us about your context first."), 409)
    return activity


def _submission_closed():
    return ApiError("submission_closed", N_("The submission deadline has passed."), 403)


def _conflict(message=N_("This was already saved; the page shows the latest state.")):
    return ApiError("conflict", message, 409)


def _utc_offset(name: str, now: datetime) -> int | None:
    if not name:
        return None
    offset = now.astimezone(ZoneInfo(name)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else None


def save_context(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, {"country", "organisation_type", "languages", "time_zone"})
    country = payload.get("country")
    if not is_country(country):
        raise ApiError("invalid_country", N_("Please choose your country from the list."))
    org = payload.get("organisation_type")
    if org not in OrganisationType.values:
        raise ApiError("invalid_organisation_type", N_("Please choose your type of organisation from the list."))
    languages = payload.get("languages", [])
    if not isinstance(languages, list) or len(languages) > v.MAX_LANGUAGES \
            or not all(is_language(code) for code in languages):
        raise ApiError("invalid_languages", N_("Please choose the languages you read from the list."))
    tz_name = v.time_zone(payload.get("time_zone"))
    if not actor.is_authenticated:
        raise not_signed_in()
    ensure_activity(config)  # in its own statement, before the locked transaction
    with transaction.atomic():
        activity = _writer(config, actor)
        participant, _created = Participant.objects.get_or_create(
            activity=activity, learner_id=actor.learner_id, defaults={"display_name": actor.display_name})
        if config.submission_closed(now, participant):
            raise _submission_closed()
        if participant.waiting_since is not None or current_membership(participant) is not None:
            raise ApiError("context_locked", N_("Your context cannot change once you are in the exchange."), 409)
        participant.country = country.upper()
        participant.organisation_type = org
        participant.languages = list(dict.fromkeys(languages))
        participant.time_zone = tz_name
        participant.utc_offset_minutes = _utc_offset(tz_name, now)
        if actor.display_name:
            participant.display_name = actor.display_name[:255]
        participant.save()
    return build_state(config, actor, now, activity=activity)


def submit_contribution(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, {"text"})
    text = v.text(payload, "text", required=True, max_chars=v.MAX_TEXT_CHARS)
    words = v.word_count(text)
    if words < config.min_words or words > config.max_words:
        raise ApiError("word_count", N_("Please write between %(min)s and %(max)s words (your answer: "
                                        "%(count)s)."), count=words, min=config.min_words, max=config.max_words)
    with transaction.atomic():
        activity = _writer(config, actor)
        participant = require_participant(activity, actor.learner_id)
        if config.submission_closed(now, participant):
            raise _submission_closed()
        if current_membership(participant) is not None:
            raise ApiError("contribution_locked", N_("Your answer is locked: you already have a partner."), 409)
        if hasattr(participant, "contribution"):
            Contribution.objects.filter(participant=participant).update(text=text, word_count=words, submitted=now)
        else:
            Contribution.objects.create(participant=participant, text=text, word_count=words, submitted=now)
        match_or_wait(config, participant, now)
    return build_state(config, actor, now, activity=activity)


def _membership_for_review(config, actor, now):
    activity = _writer(config, actor)
    participant = require_participant(activity, actor.learner_id)
    if config.review_closed(now, participant):
        raise ApiError("review_closed", N_("The review deadline has passed."), 403)
    membership = current_membership(participant)
    if membership is None:
        raise ApiError("not_paired", N_("You do not have a partner yet."), 409)
    return activity, participant, membership


def submit_review(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, {"reviewee", "answers", "learned", "suggestion"})
    reviewee_id = v.integer(payload, "reviewee", low=1, high=2**62)
    answers = _answers(config, payload.get("answers"))
    learned = v.text(payload, "learned", required=True)
    suggestion = v.text(payload, "suggestion", required=True)
    with transaction.atomic():
        activity, participant, membership = _membership_for_review(config, actor, now)
        members = {m.pk: m for m in members_of(membership.exchange)}
        if reviewee_id not in members or reviewee_id == participant.pk:
            raise ApiError("not_your_partner", N_("You can only review the members of your exchange."), 403)
        try:
            with transaction.atomic():
                Review.objects.create(
                    exchange=membership.exchange, reviewer=participant, reviewee=members[reviewee_id],
                    questions=[q.as_dict() for q in config.rubric], answers=answers, learned=learned,
                    suggestion=suggestion, submitted=now)
        except IntegrityError as exc:
            raise _conflict(N_("You have already reviewed this partner.")) from exc
    return build_state(config, actor, now, activity=activity)


def _answers(config: ActivityConfig, answers) -> dict:
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise ApiError("invalid_answers", N_("The answers must be an object keyed by question."))
    known = {q.id: q for q in config.rubric}
    unknown = [key for key in answers if key not in known]
    if unknown:
        raise ApiError("unknown_question", N_("Unknown rubric question: %(field)s."), field=str(unknown[0])[:60])
    clean = {}
    for question in config.rubric:
        value = answers.get(question.id)
        if value in (None, ""):
            if question.required:
                raise ApiError("required", N_("Please answer: %(field)s"), field=question.label)
            continue
        if question.type == "scale":
            if isinstance(value, bool) or value not in SCALE:
                raise ApiError("out_of_range", N_("Please choose a value from 1 to 5 for: %(field)s"),
                               field=question.label)
            clean[question.id] = int(value)
        else:
            clean[question.id] = v.text(answers, question.id, required=question.required)
    return clean


def rate_review(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, {"review", "helpfulness", "note"})
    review_id = v.integer(payload, "review", low=1, high=2**62)
    helpfulness = v.integer(payload, "helpfulness", low=1, high=5)
    note = v.text(payload, "note", required=False)
    with transaction.atomic():
        activity = _writer(config, actor)
        participant = require_participant(activity, actor.learner_id)
        review = Review.objects.filter(pk=review_id, reviewee=participant).first()
        state = build_state(config, actor, now, participant=participant)
        visible = {r["id"] for r in state["reviews_received"]}
        if review is None or review.pk not in visible:
            raise ApiError("not_your_review", N_("You can only rate reviews you have received and can see."), 403)
        try:
            with transaction.atomic():
                Rating.objects.create(review=review, helpfulness=helpfulness, note=note, submitted=now)
        except IntegrityError as exc:
            raise _conflict(N_("You have already rated this review.")) from exc
    return build_state(config, actor, now, activity=activity)


def submit_reflection(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, {"text"})
    text = v.text(payload, "text", required=True)
    with transaction.atomic():
        activity = _writer(config, actor)
        participant = require_participant(activity, actor.learner_id)
        membership = current_membership(participant)
        if membership is None:
            raise ApiError("not_paired", N_("You do not have a partner yet."), 409)
        if reviews_pending(participant, membership.exchange):
            raise ApiError("reviews_pending", N_("Please review your partner's work first."), 409)
        received = Review.objects.filter(reviewee=participant, hidden_at__isnull=True).select_related("rating")
        if not received:
            raise ApiError("no_review_received", N_("Please wait for your partner's review before reflecting."), 409)
        if any(not hasattr(r, "rating") for r in received):
            raise ApiError("ratings_pending", N_("Please rate each review you received first."), 409)
        try:
            with transaction.atomic():
                Reflection.objects.create(participant=participant, exchange=membership.exchange, text=text,
                                          submitted=now)
        except IntegrityError as exc:
            raise _conflict(N_("Your reflection was already saved.")) from exc
        _close_if_finished(membership.exchange, now)
    return build_state(config, actor, now, activity=activity)


def _close_if_finished(exchange: Exchange, now: datetime) -> None:
    current = Membership.objects.filter(exchange=exchange, current=True).values_list("participant_id", flat=True)
    done = Reflection.objects.filter(participant_id__in=list(current)).count()
    if done == len(current):
        Exchange.objects.filter(pk=exchange.pk).update(status=Exchange.Status.CLOSED, closed=now)


def request_new_partner(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    """Leave an exchange whose partner stayed silent past the review window; be matched again first in line."""
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, set())
    with transaction.atomic():
        activity = _writer(config, actor)
        participant = require_participant(activity, actor.learner_id)
        membership = current_membership(participant)
        if membership is None:
            raise ApiError("not_paired", N_("You do not have a partner yet."), 409)
        silent = silent_members(config, participant, membership, now)
        if not silent:
            raise ApiError("partner_not_silent", N_("You can ask for a new partner only when a partner has not "
                                                    "reviewed your work within the review window."), 409)
        leaving = [participant, *silent]
        Membership.objects.filter(exchange=membership.exchange, participant__in=leaving, current=True).update(
            current=None, left=now, left_reason="vanished")
        Membership.objects.filter(pk=membership.pk).update(left_reason="requested_new_partner")
        Participant.objects.filter(pk__in=[s.pk for s in silent]).update(returns_to_pool=True, waiting_since=None)
        remaining = list(Membership.objects.filter(exchange=membership.exchange, current=True)
                         .select_related("participant"))
        if len(remaining) < 2:
            Exchange.objects.filter(pk=membership.exchange_id).update(status=Exchange.Status.CLOSED, closed=now)
            for other in remaining:  # a triad member left alone goes back to the pool, first in line too
                Membership.objects.filter(pk=other.pk).update(current=None, left=now, left_reason="regrouped")
                _requeue(config, other.participant, now)
        _requeue(config, participant, now)
    return build_state(config, actor, now, activity=activity)


def _requeue(config, participant: Participant, now: datetime) -> None:
    participant.first_in_line = True
    participant.returns_to_pool = False
    participant.waiting_since = None
    participant.save(update_fields=["first_in_line", "returns_to_pool", "waiting_since", "modified"])
    match_or_wait(config, participant, now)


def silent_members(config: ActivityConfig, participant: Participant, membership: Membership, now: datetime):
    """Members who have not reviewed `participant` although the review window has passed."""
    since = max(membership.joined, membership.exchange.created)
    if now - since < config.review_window:
        return []
    reviewed_me = set(Review.objects.filter(exchange=membership.exchange, reviewee=participant)
                      .values_list("reviewer_id", flat=True))
    return [m for m in members_of(membership.exchange) if m.pk != participant.pk and m.pk not in reviewed_me]
