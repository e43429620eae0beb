"""The waiting pool in the database: find a partner for one learner, under the activity lock.

The pure rules live in `mlcourse.pairing`; this module only fetches a small, indexed candidate list for it
(never the whole pool), so the cost of matching does not grow with the size of the cohort.
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q

from mlcourse import pairing
from mlcourse.models import Exchange, Membership, Participant

from .config import ActivityConfig

CANDIDATES = 25  # enough for the time-zone tie-break among the longest waiting


def past_partners(participant: Participant, course_key: str) -> tuple[frozenset[str], frozenset[str]]:
    """Learner ids of everyone this learner has shared an exchange with in the course, in one query:
    (met in this activity — never matched again automatically, met in another activity — only when no one
    else is available)."""
    mine = Membership.objects.filter(participant__learner_id=participant.learner_id,
                                     exchange__activity__course_key=course_key).values("exchange_id")
    rows = (Membership.objects.filter(exchange_id__in=mine)
            .exclude(participant__learner_id=participant.learner_id)
            .values_list("participant__learner_id", "exchange__activity_id"))
    here = frozenset(learner for learner, activity in rows if activity == participant.activity_id)
    elsewhere = frozenset(learner for learner, activity in rows if activity != participant.activity_id)
    return here, elsewhere - here


def past_partner_ids(participant: Participant, course_key: str) -> frozenset[str]:
    here, elsewhere = past_partners(participant, course_key)
    return here | elsewhere


def as_seeker(participant: Participant, now: datetime, past: frozenset[str] = frozenset()) -> pairing.Seeker:
    return pairing.Seeker(key=participant.learner_id, country=participant.country,
                          waiting_since=participant.waiting_since or now,
                          utc_offset_minutes=participant.utc_offset_minutes, past_partners=past)


def _waiting(activity_id, seeker: Participant):
    return (Participant.objects.filter(activity_id=activity_id, waiting_since__isnull=False)
            .exclude(pk=seeker.pk).select_related("contribution", "reflection")
            .order_by("-first_in_line", "waiting_since", "pk"))


def _country_filter(config: ActivityConfig, seeker: pairing.Seeker, now: datetime) -> Q:
    """A superset of the legal partners for `seeker` that the database can apply with its indexes."""
    rules = config.rules
    if rules.partner_rule == pairing.PartnerRule.ANY:
        return Q()
    other_country = ~Q(country=seeker.country)
    if rules.partner_rule == pairing.PartnerRule.DIFFERENT_COUNTRY_REQUIRED:
        return other_country
    if pairing.waited_past_window(seeker, rules, now):
        return Q()
    return other_country | Q(waiting_since__lte=now - rules.fallback_window)


def _choose(config, participant, seeker, now, past, never) -> tuple[Participant, tuple] | None:
    """Best waiting partner: non-repeat partners first, then (only if none) someone met in another activity.
    Partners met in this activity (a dissolved or vanished exchange) are never chosen automatically."""
    base = _waiting(participant.activity_id, participant).filter(_country_filter(config, seeker, now))
    if never:
        base = base.exclude(learner_id__in=never)
    for pool in (base.exclude(learner_id__in=past), base.filter(learner_id__in=past) if past else None):
        if pool is None:
            continue
        candidates = list(pool[:CANDIDATES])
        by_key = {c.learner_id: c for c in candidates}
        first = [as_seeker(c, now) for c in candidates if c.first_in_line]
        rest = [as_seeker(c, now) for c in candidates if not c.first_in_line]
        match = (pairing.choose_partner(seeker, first, config.rules, now) if first else None) \
            or pairing.choose_partner(seeker, rest, config.rules, now)
        if match is not None:
            return by_key[match.partner], match.reasons
    return None


def _choose_group(config, participant, seeker, now) -> tuple[Exchange, tuple] | None:
    rules = config.rules
    if not rules.allow_triads or not pairing.waited_past_window(seeker, rules, now):
        return None
    exchanges = list(Exchange.objects.filter(activity_id=participant.activity_id, status=Exchange.Status.OPEN)
                     .annotate(size=Count("memberships", filter=Q(memberships__current=True)))
                     .filter(size=2).order_by("created", "pk")[:CANDIDATES])
    if not exchanges:
        return None
    members = (Membership.objects.filter(exchange__in=exchanges, current=True)
               .values_list("exchange_id", "participant__learner_id", "participant__country"))
    grouped: dict[int, list[tuple[str, str]]] = {}
    for exchange_id, learner_id, country in members:
        grouped.setdefault(exchange_id, []).append((learner_id, country))
    groups = [pairing.OpenGroup(key=str(e.pk), member_keys=tuple(m[0] for m in grouped.get(e.pk, ())),
                                countries=tuple(m[1] for m in grouped.get(e.pk, ())), formed_at=e.created)
              for e in exchanges]
    match = pairing.choose_group(seeker, groups, rules, now)
    if match is None:
        return None
    return next(e for e in exchanges if str(e.pk) == match.group), match.reasons


def form_exchange(activity_id, members: list[Participant], reasons, now: datetime) -> Exchange:
    exchange = Exchange.objects.create(activity_id=activity_id, reasons=[str(r) for r in reasons], created=now)
    Membership.objects.bulk_create(
        [Membership(exchange=exchange, participant=m, current=True, joined=now) for m in members])
    Participant.objects.filter(pk__in=[m.pk for m in members]).update(
        waiting_since=None, first_in_line=False, returns_to_pool=False)
    return exchange


def match_or_wait(config: ActivityConfig, participant: Participant, now: datetime) -> Exchange | None:
    """Pair `participant` with the best waiting learner (or an open pair, as a third member), else queue them.

    Must run inside the activity lock (see records.lock).
    """
    never, past = past_partners(participant, config.course_key)
    seeker = as_seeker(participant, now, past | never)
    chosen = _choose(config, participant, seeker, now, past, never)
    if chosen is not None:
        partner, reasons = chosen
        exchange = form_exchange(participant.activity_id, [participant, partner], reasons, now)
        # What the new pair's state needs, known already: no need to read it back.
        exchange.current_members = sorted([participant, partner], key=lambda m: m.pk)
        return exchange
    grouped = _choose_group(config, participant, seeker, now)
    if grouped is not None:
        exchange, reasons = grouped
        exchange.reasons = list(dict.fromkeys([*exchange.reasons, *[str(r) for r in reasons]]))
        exchange.save(update_fields=["reasons"])
        Membership.objects.create(exchange=exchange, participant=participant, current=True, joined=now)
        Participant.objects.filter(pk=participant.pk).update(waiting_since=None, first_in_line=False,
                                                             returns_to_pool=False)
        return exchange
    if participant.waiting_since is None or participant.returns_to_pool:
        participant.waiting_since = participant.waiting_since or now
        participant.returns_to_pool = False
        participant.save(update_fields=["waiting_since", "returns_to_pool", "modified"])
    return None
