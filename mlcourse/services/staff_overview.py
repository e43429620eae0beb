"""What staff see of a cohort (`staff_overview`): counts, the waiting list, exchanges, and the mutual-learning
picture. A fixed number of SQL statements whatever the cohort size: aggregates in SQL, pages of rows."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime

from django.db.models import Avg, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from mlcourse import pairing
from mlcourse.countries import country_name
from mlcourse.models import Exchange, Membership, Participant, Rating, Reflection, Review

from . import validation as v
from .audit import require_staff
from .config import ActivityConfig
from .errors import N_, ApiError
from .metrics import cohort_reciprocity, country_flows, exchange_reciprocity
from .records import find_activity

STATUSES = ("all", "open", "closed", "stalled")
MAX_PAGE_SIZE = 100


def _page_args(payload) -> dict:
    payload = v.require_dict(payload)
    v.only_keys(payload, {"waiting_page", "exchanges_page", "page_size", "status", "country"})
    args = {
        "waiting_page": v.integer(payload, "waiting_page", low=1, high=10**6) if "waiting_page" in payload else 1,
        "exchanges_page": v.integer(payload, "exchanges_page", low=1, high=10**6)
        if "exchanges_page" in payload else 1,
        "page_size": v.integer(payload, "page_size", low=1, high=MAX_PAGE_SIZE) if "page_size" in payload else 25,
        "status": payload.get("status", "all"),
        "country": payload.get("country", "") or "",
    }
    if args["status"] not in STATUSES:
        raise ApiError("invalid_status", N_("Unknown status filter."))
    if not isinstance(args["country"], str) or len(args["country"]) > 2:
        raise ApiError("invalid_country", N_("Please choose your country from the list."))
    return args


def _empty(args) -> dict:
    return {"counts": dict.fromkeys(("participants", "context", "contributed", "waiting", "review", "feedback",
                                     "done", "stalled", "waiting_past_window", "exchanges", "reviews"), 0),
            "waiting": {"total": 0, "page": 1, "pages": 1, "by_country": {}, "rows": []},
            "exchanges": {"total": 0, "page": 1, "pages": 1, "rows": []},
            "matrix": {"countries": [], "cells": []}, "flows": country_flows([]),
            "reciprocity": {k: v for k, v in cohort_reciprocity({}, []).items() if k != "per_exchange"},
            "ratings": {str(i): 0 for i in range(1, 6)}, "filters": args}


def staff_overview(config: ActivityConfig, actor, payload, now: datetime | None = None) -> dict:
    require_staff(actor)
    args = _page_args(payload)
    now = now or timezone.now()
    activity = find_activity(config)
    if activity is None:
        return _empty(args)
    lang = actor.language
    result = {"counts": step_counts(config, activity, now), "filters": args}
    result["waiting"] = _waiting_page(config, activity, args, now, lang)
    result["matrix"] = _matrix(activity, lang)
    result["flows"] = country_flows(result["matrix"]["cells"])
    cohort = _reciprocity(activity)
    result["exchanges"] = _exchanges_page(config, activity, args, now, lang, cohort.pop("per_exchange"))
    result["reciprocity"] = cohort
    ratings = dict(Rating.objects.filter(review__exchange__activity=activity, review__hidden_at__isnull=True)
                   .values_list("helpfulness").annotate(n=Count("id")))
    result["ratings"] = {str(i): ratings.get(i, 0) for i in range(1, 6)}
    return result


def _member_steps():
    """Current memberships annotated with exchange size, reviews given there, and whether the learner is done."""
    size = (Membership.objects.filter(exchange=OuterRef("exchange"), current=True).values("exchange")
            .annotate(n=Count("id")).values("n"))
    given = (Review.objects.filter(exchange=OuterRef("exchange"), reviewer=OuterRef("participant"))
             .values("reviewer").annotate(n=Count("id")).values("n"))
    return (Membership.objects.filter(current=True)
            .annotate(size=Subquery(size, output_field=IntegerField()),
                      given=Coalesce(Subquery(given, output_field=IntegerField()), Value(0)),
                      finished=Exists(Reflection.objects.filter(participant=OuterRef("participant")))))


def step_counts(config, activity, now) -> dict:
    cutoff = now - config.rules.fallback_window
    people = Participant.objects.filter(activity=activity).aggregate(
        participants=Count("id"), context=Count("id", filter=~Q(country="")),
        contributed=Count("contribution"), waiting=Count("id", filter=Q(waiting_since__isnull=False)),
        waiting_past_window=Count("id", filter=Q(waiting_since__lte=cutoff)), done=Count("reflection"))
    steps = _member_steps().filter(exchange__activity=activity, finished=False).aggregate(
        review=Count("id", filter=Q(given__lt=F("size") - 1)), feedback=Count("id", filter=Q(given__gte=F("size") - 1)))
    exchanges = _stalled(config, Exchange.objects.filter(activity=activity), now).aggregate(
        exchanges=Count("id"), stalled=Count("id", filter=Q(is_stalled=True)))
    reviews = Review.objects.filter(exchange__activity=activity).count()
    return {**people, **steps, **exchanges, "reviews": reviews}


def _stalled(config, exchanges, now):
    """Annotate `is_stalled`: open, older than the review window, and some member has not reviewed yet."""
    size = (Membership.objects.filter(exchange=OuterRef("pk"), current=True).values("exchange")
            .annotate(n=Count("id")).values("n"))
    given = (Review.objects.filter(exchange=OuterRef("pk")).values("exchange").annotate(n=Count("id")).values("n"))
    return exchanges.annotate(
        size=Coalesce(Subquery(size, output_field=IntegerField()), Value(0)),
        given=Coalesce(Subquery(given, output_field=IntegerField()), Value(0)),
    ).annotate(is_stalled=Q(status=Exchange.Status.OPEN, created__lt=now - config.review_window)
               & Q(given__lt=F("size") * (F("size") - 1)))


def _pages(total: int, size: int, page: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / size))
    return pages, min(page, pages)


def _waiting_page(config, activity, args, now, lang) -> dict:
    pool = Participant.objects.filter(activity=activity, waiting_since__isnull=False)
    by_country = Counter(dict(pool.values_list("country").annotate(n=Count("id"))))
    total = sum(by_country.values())
    pages, page = _pages(total, args["page_size"], args["waiting_page"])
    start = (page - 1) * args["page_size"]
    rows = pool.order_by("-first_in_line", "waiting_since", "pk")[start:start + args["page_size"]]
    return {"total": total, "page": page, "pages": pages, "by_country": dict(by_country),
            "rows": [{"id": p.pk, "name": p.display_name, "learner_id": p.learner_id, "country": p.country,
                      "country_name": country_name(p.country, lang), "organisation_type": p.organisation_type,
                      "since": p.waiting_since.isoformat(), "hours": round((now - p.waiting_since).total_seconds()
                                                                           / 3600, 1),
                      "first_in_line": p.first_in_line, "why": _why_waiting(config, p, by_country, total, now),
                      "submission_due": p.submission_due and p.submission_due.isoformat(),
                      "review_due": p.review_due and p.review_due.isoformat()}
                     for p in rows]}


def _why_waiting(config, participant, by_country, total, now) -> str:
    """Why nobody has been matched with this learner yet (a code the dashboard translates)."""
    if total <= 1:
        return "alone"
    others_elsewhere = total - by_country.get(participant.country, 0)
    rule = config.rules.partner_rule
    if others_elsewhere == 0 and rule != pairing.PartnerRule.ANY:
        if rule == pairing.PartnerRule.DIFFERENT_COUNTRY_PREFERRED:
            if now - participant.waiting_since >= config.rules.fallback_window:
                return "window_passed"  # matched with anyone at their next visit or the next arrival
            return "same_country_within_window"
        return "same_country_only"
    return "past_partners_only"


def _exchanges_page(config, activity, args, now, lang, reciprocity) -> dict:
    exchanges = _stalled(config, Exchange.objects.filter(activity=activity), now)
    if args["status"] == "stalled":
        exchanges = exchanges.filter(is_stalled=True)
    elif args["status"] != "all":
        exchanges = exchanges.filter(status=args["status"])
    if args["country"]:
        exchanges = exchanges.filter(Exists(Membership.objects.filter(
            exchange=OuterRef("pk"), participant__country=args["country"].upper())))
    total = exchanges.count()
    pages, page = _pages(total, args["page_size"], args["exchanges_page"])
    start = (page - 1) * args["page_size"]
    page_rows = list(exchanges.order_by("-created", "-pk")[start:start + args["page_size"]])
    ids = [e.pk for e in page_rows]
    members = defaultdict(list)
    for m in Membership.objects.filter(exchange_id__in=ids).select_related("participant").order_by("pk"):
        members[m.exchange_id].append(m)
    reviews = defaultdict(list)
    for r in Review.objects.filter(exchange_id__in=ids).select_related("rating").order_by("pk"):
        reviews[r.exchange_id].append(r)
    done = set(Reflection.objects.filter(exchange_id__in=ids).values_list("participant_id", flat=True))
    return {"total": total, "page": page, "pages": pages,
            "rows": [_exchange_row(e, members[e.pk], reviews[e.pk], done, reciprocity, lang) for e in page_rows]}


def _exchange_row(exchange, members, reviews, done, reciprocity, lang) -> dict:
    last = max([exchange.created, *(r.submitted for r in reviews)])
    current = [m for m in members if m.current]

    def step(m):
        if m.participant_id in done:
            return "done"
        if not m.current:
            return "left"
        given = sum(1 for r in reviews if r.reviewer_id == m.participant_id)
        return "feedback" if given >= len(current) - 1 else "review"

    return {
        "id": exchange.pk, "status": "stalled" if exchange.is_stalled else exchange.status,
        "reasons": exchange.reasons, "created": exchange.created.isoformat(), "last_activity": last.isoformat(),
        "reciprocity": reciprocity.get(exchange.pk) or exchange_reciprocity(len(members), []),
        "members": [{"id": m.participant_id, "name": m.participant.display_name, "country": m.participant.country,
                     "country_name": country_name(m.participant.country, lang), "step": step(m),
                     "reviews_given": sum(1 for r in reviews if r.reviewer_id == m.participant_id),
                     "reviews_received": sum(1 for r in reviews if r.reviewee_id == m.participant_id),
                     "current": bool(m.current)} for m in members],
        "reviews": [{"id": r.pk, "reviewer": r.reviewer_id, "reviewee": r.reviewee_id,
                     "helpfulness": r.rating.helpfulness if hasattr(r, "rating") else None,
                     "hidden": r.hidden_at is not None} for r in reviews],
    }


def _matrix(activity, lang) -> dict:
    """Reviewer country -> reviewed country: number of visible reviews and their mean helpfulness."""
    rows = (Review.objects.filter(exchange__activity=activity, hidden_at__isnull=True)
            .values("reviewer__country", "reviewee__country")
            .annotate(reviews=Count("id"), mean=Avg("rating__helpfulness")).order_by())
    cells = [{"from": r["reviewer__country"], "to": r["reviewee__country"], "reviews": r["reviews"],
              "mean_helpfulness": round(r["mean"], 2) if r["mean"] is not None else None} for r in rows]
    countries = sorted({c["from"] for c in cells} | {c["to"] for c in cells})
    return {"countries": [{"code": c, "name": country_name(c, lang)} for c in countries], "cells": cells}


def _reciprocity(activity) -> dict:
    sizes = dict(Membership.objects.filter(exchange__activity=activity).values_list("exchange_id")
                 .annotate(n=Count("id")).order_by())
    rows = list(Review.objects.filter(exchange__activity=activity, hidden_at__isnull=True)
                .values_list("exchange_id", "reviewer_id", "reviewee_id", "rating__helpfulness"))
    return cohort_reciprocity(sizes, rows)
