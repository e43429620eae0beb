"""The learner's write operations; each is one transaction that writes everything or nothing.

Each starts with the activity lock (the transaction's first statement), reads the learner with everything
attached in one query (`records.learner_row`), writes, and answers the new state from the same objects.
"""
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
from .records import ensure_activity, exchange_members, learner_row, lock, require_learner
from .state import _reviews_of, build_state, silent_partners, visible_received


def _writer(config: ActivityConfig, actor) -> Participant:
    """Open the write path: a signed-in learner, the activity lock as the transaction's first statement, then
    the learner's row.

    The activity row must exist already (save_context creates it before its transaction): creating it inside
    the lock would let two first arrivals deadlock on MySQL's gap locks under REPEATABLE READ.
    """
    if not actor.is_authenticated:
        raise not_signed_in()
    if not lock(config):
        raise ApiError("no_context", N_("Please tell us about your context first."), 409)
    return require_learner(config, actor.learner_id)


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
    activity = ensure_activity(config)  # in its own statement, before the locked transaction
    with transaction.atomic():
        lock(config)
        participant = learner_row(config, actor.learner_id)
        if participant is None:
            participant = Participant(activity=activity, learner_id=actor.learner_id)
            participant.current_exchange_id = participant.current_joined = None
            participant.has_reviews = False
        if config.submission_closed(now, participant):
            raise _submission_closed()
        if participant.waiting_since is not None or participant.current_exchange_id is not None:
            raise ApiError("context_locked", N_("Your context cannot change once you are in the exchange."), 409)
        participant.country = country.upper()
        participant.organisation_type = org
        participant.languages = list(dict.fromkeys(languages))
        participant.time_zone = tz_name
        participant.utc_offset_minutes = _utc_offset(tz_name, now)
        if actor.display_name:
            participant.display_name = actor.display_name[:255]
        participant.save()
    return build_state(config, actor, now, participant=participant)


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
        participant = _writer(config, actor)
        if config.submission_closed(now, participant):
            raise _submission_closed()
        if participant.current_exchange_id is not None:
            raise ApiError("contribution_locked", N_("Your answer is locked: you already have a partner."), 409)
        contribution = getattr(participant, "contribution", None)
        if contribution is not None:
            contribution.text, contribution.word_count, contribution.submitted = text, words, now
            contribution.save(update_fields=["text", "word_count", "submitted", "modified"])
        else:
            participant.contribution = Contribution.objects.create(participant=participant, text=text,
                                                                   word_count=words, submitted=now)
        exchange = match_or_wait(config, participant, now)
        if exchange is not None:
            participant.current_exchange_id, participant.current_joined = exchange.pk, now
            participant.waiting_since, participant.first_in_line = None, False
    return build_state(config, actor, now, participant=participant, exchange=exchange)


def _paired(config, actor, now):
    """The learner, their exchange and its members, for writes that need a partner."""
    participant = _writer(config, actor)
    exchange, members = exchange_members(participant.current_exchange_id)
    if exchange is None:
        raise ApiError("not_paired", N_("You do not have a partner yet."), 409)
    return participant, exchange, members


def submit_review(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, {"reviewee", "answers", "learned", "suggestion"})
    reviewee_id = v.integer(payload, "reviewee", low=1, high=2**62)
    answers = _answers(config, payload.get("answers"))
    learned = v.text(payload, "learned", required=True)
    suggestion = v.text(payload, "suggestion", required=True)
    with transaction.atomic():
        participant, exchange, members = _paired(config, actor, now)
        if config.review_closed(now, participant):
            raise ApiError("review_closed", N_("The review deadline has passed."), 403)
        by_id = {m.pk: m for m in members}
        if reviewee_id not in by_id or reviewee_id == participant.pk:
            raise ApiError("not_your_partner", N_("You can only review the members of your exchange."), 403)
        try:
            with transaction.atomic():
                Review.objects.create(
                    exchange=exchange, reviewer=participant, reviewee=by_id[reviewee_id],
                    questions=[q.as_dict() for q in config.rubric], answers=answers, learned=learned,
                    suggestion=suggestion, submitted=now)
        except IntegrityError as exc:
            raise _conflict(N_("You have already reviewed this partner.")) from exc
        participant.has_reviews = True
    return build_state(config, actor, now, participant=participant)


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
        participant = _writer(config, actor)
        state = build_state(config, actor, now, participant=participant)
        if review_id not in {r["id"] for r in state["reviews_received"]}:
            raise ApiError("not_your_review", N_("You can only rate reviews you have received and can see."), 403)
        try:
            with transaction.atomic():
                Rating.objects.create(review_id=review_id, helpfulness=helpfulness, note=note, submitted=now)
        except IntegrityError as exc:
            raise _conflict(N_("You have already rated this review.")) from exc
    return build_state(config, actor, now, participant=participant)


def submit_reflection(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, {"text"})
    text = v.text(payload, "text", required=True)
    with transaction.atomic():
        participant, exchange, members = _paired(config, actor, now)
        reviews = _reviews_of(participant)
        given = {r.reviewee_id for r in reviews if r.reviewer_id == participant.pk and r.exchange_id == exchange.pk}
        if any(m.pk != participant.pk and m.pk not in given for m in members):
            raise ApiError("reviews_pending", N_("Please review your partner's work first."), 409)
        received = [r for r in reviews if r.reviewee_id == participant.pk and r.hidden_at is None]
        if not received:
            raise ApiError("no_review_received", N_("Please wait for your partner's review before reflecting."), 409)
        if any(not hasattr(r, "rating") for r in received):
            raise ApiError("ratings_pending", N_("Please rate each review you received first."), 409)
        if hasattr(participant, "reflection"):
            raise _conflict(N_("Your reflection was already saved."))
        try:
            with transaction.atomic():
                participant.reflection = Reflection.objects.create(participant=participant, exchange=exchange,
                                                                   text=text, submitted=now)
        except IntegrityError as exc:
            raise _conflict(N_("Your reflection was already saved.")) from exc
        if all(hasattr(m, "reflection") for m in members if m.pk != participant.pk):
            Exchange.objects.filter(pk=exchange.pk).update(status=Exchange.Status.CLOSED, closed=now)
    return build_state(config, actor, now, participant=participant)


def request_new_partner(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    """Leave an exchange whose partner stayed silent past the review window; be matched again first in line."""
    now = now or timezone.now()
    payload = v.require_dict(payload)
    v.only_keys(payload, set())
    with transaction.atomic():
        participant, exchange, members = _paired(config, actor, now)
        received = [r for r in _reviews_of(participant) if r.reviewee_id == participant.pk]
        silent = silent_partners(config, exchange, participant, members, received, now)
        if not silent or hasattr(participant, "reflection"):
            raise ApiError("partner_not_silent", N_("You can ask for a new partner only when a partner has not "
                                                    "reviewed your work within the review window."), 409)
        leaving = [participant, *silent]
        Membership.objects.filter(exchange=exchange, participant__in=leaving, current=True).update(
            current=None, left=now, left_reason="vanished")
        Membership.objects.filter(exchange=exchange, participant=participant).update(
            left_reason="requested_new_partner")
        Participant.objects.filter(pk__in=[s.pk for s in silent]).update(returns_to_pool=True, waiting_since=None)
        remaining = [m for m in members if m not in leaving]
        if len(remaining) < 2:
            Exchange.objects.filter(pk=exchange.pk).update(status=Exchange.Status.CLOSED, closed=now)
            for other in remaining:  # a triad member left alone goes back to the pool, first in line too
                Membership.objects.filter(exchange=exchange, participant=other).update(
                    current=None, left=now, left_reason="regrouped")
                _requeue(config, other, now)
        joined = _requeue(config, participant, now)
        participant.current_exchange_id = joined.pk if joined else None
        participant.current_joined = now if joined else None
        if joined:
            participant.waiting_since, participant.first_in_line = None, False
    return build_state(config, actor, now, participant=participant)


def _requeue(config, participant: Participant, now: datetime):
    participant.first_in_line = True
    participant.returns_to_pool = False
    participant.waiting_since = None
    participant.save(update_fields=["first_in_line", "returns_to_pool", "waiting_since", "modified"])
    return match_or_wait(config, participant, now)
