"""What staff can do to a cohort. Each action is staff-only, validated first, one transaction under the
activity lock, and audited (who, when, what)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from datetime import timezone as dt_timezone

from django.db import transaction
from django.utils import timezone

from mlcourse import pairing
from mlcourse.countries import country_name
from mlcourse.models import Contribution, Exchange, Membership, Participant, Review

from . import validation as v
from .audit import record, require_staff
from .config import ActivityConfig
from .errors import N_, ApiError
from .matching import as_seeker, form_exchange, match_or_wait, past_partner_ids
from .records import lock_activity_for

MAX_REASON = 500


def _locked_activity(config):
    activity = lock_activity_for(config)
    if activity is None:
        raise ApiError("no_activity", N_("Nobody has taken part in this activity yet."), 409)
    return activity


def _ids(payload, key, *, low=1, high=3) -> list[int]:
    value = payload.get(key)
    if not isinstance(value, list) or not low <= len(value) <= high \
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i <= 2**62 for i in value) \
            or len(set(value)) != len(value):
        raise ApiError("invalid_type", N_("The field %(field)s must be a list of %(low)s to %(high)s learners."),
                       field=key, low=low, high=high)
    return value


def staff_pair(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    """Pair chosen waiting learners by hand; same country or a repeat partner needs `"confirm": true`."""
    require_staff(actor)
    payload = v.require_dict(payload)
    v.only_keys(payload, {"participants", "confirm"})
    ids = _ids(payload, "participants", low=2, high=3)
    confirm = payload.get("confirm", False)
    if not isinstance(confirm, bool):
        raise ApiError("invalid_type", N_("The field %(field)s must be true or false."), field="confirm")
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_activity(config)
        people = list(Participant.objects.filter(activity=activity, pk__in=ids, waiting_since__isnull=False))
        if len(people) != len(ids):
            raise ApiError("not_waiting", N_("Only learners who are waiting can be paired."), 409)
        warnings = []
        if len({p.country for p in people}) == 1:
            warnings.append("same_country")
        met = any(b.learner_id in past_partner_ids(a, config.course_key) for a in people for b in people if a != b)
        if met:
            warnings.append("met_before")
        if warnings and not confirm:
            error = ApiError("confirm_needed", N_("Please confirm: these learners share a country or have met "
                                                  "before."), 409)
            error.details = {"warnings": warnings}
            raise error
        reasons = [pairing.Reason.STAFF,
                   pairing.Reason.SAME_COUNTRY if "same_country" in warnings else pairing.Reason.CROSS_COUNTRY]
        if met:
            reasons.append(pairing.Reason.REPEAT_ALLOWED)
        exchange = form_exchange(activity.pk, people, reasons, now)
        record(activity, actor, "pair", {"exchange": exchange.pk, "participants": ids, "warnings": warnings}, now)
    return {"exchange": exchange.pk, "reasons": [str(r) for r in reasons], "warnings": warnings}


def staff_dissolve(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    """Dissolve an open exchange: members not yet done go back to waiting, first in line; reviews are kept."""
    require_staff(actor)
    payload = v.require_dict(payload)
    v.only_keys(payload, {"exchange", "reason"})
    exchange_id = v.integer(payload, "exchange", low=1, high=2**62)
    reason = v.text(payload, "reason", required=False, max_chars=MAX_REASON)
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_activity(config)
        exchange = Exchange.objects.filter(activity=activity, pk=exchange_id, status=Exchange.Status.OPEN).first()
        if exchange is None:
            raise ApiError("not_found", N_("No such open exchange."), 404)
        members = list(Participant.objects.filter(memberships__exchange=exchange, memberships__current=True)
                       .select_related("reflection"))
        Membership.objects.filter(exchange=exchange, current=True).update(current=None, left=now,
                                                                           left_reason="dissolved")
        Exchange.objects.filter(pk=exchange.pk).update(status=Exchange.Status.CLOSED, closed=now)
        requeued = []
        for member in members:
            if hasattr(member, "reflection"):
                continue
            member.first_in_line, member.waiting_since, member.returns_to_pool = True, None, False
            member.save(update_fields=["first_in_line", "waiting_since", "returns_to_pool", "modified"])
            match_or_wait(config, member, now)
            requeued.append(member.pk)
        record(activity, actor, "dissolve", {"exchange": exchange.pk, "reason": reason, "requeued": requeued}, now)
    return {"exchange": exchange.pk, "requeued": requeued}


def staff_batch_pair(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    """Pair everyone waiting now with the most cross-country pairs possible; `dry_run` shows the plan only."""
    require_staff(actor)
    payload = v.require_dict(payload)
    v.only_keys(payload, {"dry_run", "include_same_country"})
    dry_run = payload.get("dry_run", False)
    same_country = payload.get("include_same_country", False)
    for key, value in (("dry_run", dry_run), ("include_same_country", same_country)):
        if not isinstance(value, bool):
            raise ApiError("invalid_type", N_("The field %(field)s must be true or false."), field=key)
    # After the most cross-country pairs, staff may also pair those left over within their country
    # (the end of a cohort): the same matching under the rule "any".
    rules = replace(config.rules, partner_rule=pairing.PartnerRule.ANY) if same_country else config.rules
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_activity(config)
        waiting = list(Participant.objects.filter(activity=activity, waiting_since__isnull=False).order_by("pk"))
        met = _past_partners(config, waiting)
        seekers = [as_seeker(p, now, frozenset(met.get(p.learner_id, ()))) for p in waiting]
        groups = pairing.batch_match(seekers, rules, now)
        by_key = {p.learner_id: p for p in waiting}
        plan = [{"members": [_brief(by_key[k], actor.language) for k in keys], "reasons": [str(r) for r in reasons]}
                for keys, reasons in groups]
        result = {"dry_run": dry_run, "include_same_country": same_country, "groups": plan, "waiting": len(waiting),
                  "paired": sum(len(g["members"]) for g in plan),
                  "upper_bound_cross_country_pairs": pairing.upper_bound_cross_country_pairs(
                      [p.country for p in waiting]),
                  "cross_country_pairs": sum(1 for g in plan if "cross_country" in g["reasons"]
                                             and len(g["members"]) == 2)}
        if dry_run:
            return result
        exchanges = [form_exchange(activity.pk, [by_key[k] for k in keys], [pairing.Reason.STAFF, *reasons], now)
                     for keys, reasons in groups]
        result["exchanges"] = [e.pk for e in exchanges]
        record(activity, actor, "batch_pair", {"exchanges": result["exchanges"], "waiting": len(waiting)}, now)
    return result


def _brief(participant, lang) -> dict:
    return {"id": participant.pk, "name": participant.display_name, "country": participant.country,
            "country_name": country_name(participant.country, lang)}


def _past_partners(config, waiting) -> dict[str, set[str]]:
    """Everyone each waiting learner has met in this course, in one query."""
    ids = [p.learner_id for p in waiting]
    rows = (Membership.objects.filter(participant__learner_id__in=ids,
                                      exchange__activity__course_key=config.course_key)
            .values_list("participant__learner_id", "exchange__memberships__participant__learner_id"))
    met = defaultdict(set)
    for me, other in rows:
        if other and other != me:
            met[me].add(other)
    return met


KINDS = {"review": Review, "contribution": Contribution}


def _hidden_target(config, activity, payload):
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:  # `[] in KINDS` raises TypeError: unhashable
        raise ApiError("invalid_kind", N_("Choose what to hide: a review or a contribution."))
    target_id = v.integer(payload, "id", low=1, high=2**62)
    scope = {"exchange__activity": activity} if kind == "review" else {"participant__activity": activity}
    target = KINDS[kind].objects.filter(pk=target_id, **scope).first()
    if target is None:
        raise ApiError("not_found", N_("Nothing to hide or show with this id."), 404)
    return kind, target


def staff_hide(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    """Hide a review or contribution that breaks the rules; its author sees the reason."""
    require_staff(actor)
    payload = v.require_dict(payload)
    v.only_keys(payload, {"kind", "id", "reason"})
    reason = v.text(payload, "reason", required=True, max_chars=MAX_REASON)
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_activity(config)
        kind, target = _hidden_target(config, activity, payload)
        if target.hidden_at is not None:
            raise ApiError("conflict", N_("This is already hidden."), 409)
        type(target).objects.filter(pk=target.pk).update(hidden_reason=reason, hidden_at=now,
                                                          hidden_by=actor.learner_id or "")
        record(activity, actor, "hide", {"kind": kind, "id": target.pk, "reason": reason}, now)
    return {"kind": kind, "id": target.pk, "hidden": True}


def staff_unhide(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    require_staff(actor)
    payload = v.require_dict(payload)
    v.only_keys(payload, {"kind", "id"})
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_activity(config)
        kind, target = _hidden_target(config, activity, payload)
        if target.hidden_at is None:
            raise ApiError("conflict", N_("This is not hidden."), 409)
        type(target).objects.filter(pk=target.pk).update(hidden_reason="", hidden_at=None, hidden_by="")
        record(activity, actor, "unhide", {"kind": kind, "id": target.pk}, now)
    return {"kind": kind, "id": target.pk, "hidden": False}


def _due(payload, key):
    value = payload.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise ApiError("invalid_date", N_("Please give %(field)s as a date and time."), field=key)
    try:
        parsed = datetime.fromisoformat(value)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt_timezone.utc)
        parsed.astimezone(dt_timezone.utc)  # stored in UTC: "0001-01-01T00:00+05:00" has no UTC date
    except (ValueError, OverflowError) as exc:
        raise ApiError("invalid_date", N_("Please give %(field)s as a date and time."), field=key) from exc
    return parsed


def staff_extend_deadline(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    """Give one learner their own submission and/or review deadline. Only the keys sent change; null returns
    that deadline to the activity's."""
    require_staff(actor)
    payload = v.require_dict(payload)
    v.only_keys(payload, {"participant", "submission_due", "review_due"})
    participant_id = v.integer(payload, "participant", low=1, high=2**62)
    changes = {key: _due(payload, key) for key in ("submission_due", "review_due") if key in payload}
    if not changes:
        raise ApiError("required", N_("Please fill in %(field)s."), field="submission_due")
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_activity(config)
        updated = Participant.objects.filter(activity=activity, pk=participant_id).update(**changes)
        if not updated:
            raise ApiError("not_found", N_("No such learner in this activity."), 404)
        participant = Participant.objects.get(pk=participant_id)
        result = {"participant": participant_id,
                  "submission_due": participant.submission_due and participant.submission_due.isoformat(),
                  "review_due": participant.review_due and participant.review_due.isoformat()}
        record(activity, actor, "extend_deadline", result, now)
    return result
