"""Each learner handler runs the same, bounded number of our own SQL statements at 10 and at 1,000 learners.

Counted, not timed: a statement is ours when it touches an `mlcourse_` table (the workbench's own field
storage is not ours). The counts are written to var/query_counts.json for the issue notes.
"""
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import CONTRIBUTION, USAGE
from mlcourse.models import Activity, Contribution, Exchange, Membership, Participant

pytestmark = pytest.mark.django_db
BOUND = 8  # our statements per learner handler call


def populate(size):
    """`size` learners: a third wait (all from Pakistan, so they stay waiting), the rest are paired."""
    activity, _ = Activity.objects.get_or_create(course_key="workbench", usage_key=USAGE)
    now = timezone.now()
    waiting = size // 3
    people = Participant.objects.bulk_create([
        Participant(activity=activity, learner_id=f"seed{i}", display_name=f"Seed {i}",
                    country="PK" if i < waiting else ("NG" if i % 2 else "CN"), organisation_type="other",
                    waiting_since=now if i < waiting else None)
        for i in range(size)])
    Contribution.objects.bulk_create([Contribution(participant=p, text=CONTRIBUTION, word_count=50, submitted=now)
                                      for p in people])
    paired = people[waiting:]
    exchanges = Exchange.objects.bulk_create([Exchange(activity=activity, reasons=["cross_country"], created=now)
                                              for _ in range(len(paired) // 2)])
    Membership.objects.bulk_create([Membership(exchange=exchanges[i // 2], participant=p, joined=now)
                                    for i, p in enumerate(paired[:2 * len(exchanges)])])


def ours(ctx):
    return sum(1 for q in ctx.captured_queries if "mlcourse_" in q["sql"])


def run_flow(learner):
    """Two new learners (Brazil, Ghana) go through the exchange; returns {step: our statement count}."""
    counts = {}
    ana, kwame = learner("ana"), learner("kwame")

    def count(step, person, handler, payload=None):
        with CaptureQueriesContext(connection) as ctx:
            data = person.ok(handler, payload)
        counts[step] = ours(ctx)
        return data

    count("state (new learner)", ana, "state")
    count("save_context", ana, "save_context", {"country": "BR", "organisation_type": "research"})
    count("state (contribute)", ana, "state")
    count("submit_contribution (paired at once)", ana, "submit_contribution", {"text": CONTRIBUTION})
    learner("sadia").ok("save_context", {"country": "GH", "organisation_type": "parliament"})
    kwame.ok("save_context", {"country": "GH", "organisation_type": "research"})
    # Ghana arrives while only Pakistan waits (Ana took one): paired at once too.
    state = count("state (review)", ana, "state")
    partner = next(m["id"] for m in state["exchange"]["members"] if not m["is_me"])
    review = {"reviewee": partner, "answers": {"q1": 4, "q2": 5}, "learned": "L", "suggestion": "S"}
    count("submit_review", ana, "submit_review", review)
    count("state (feedback)", ana, "state")
    return counts


@pytest.mark.parametrize("size", [10, 1000])
def test_handler_statement_counts_do_not_grow_with_the_cohort(learner, size, request):
    populate(size)
    counts = run_flow(learner)
    request.config.cache_counts = getattr(request.config, "cache_counts", {})
    request.config.cache_counts[size] = counts
    assert max(counts.values()) <= BOUND, counts
    if len(request.config.cache_counts) == 2:
        small, large = request.config.cache_counts[10], request.config.cache_counts[1000]
        assert small == large, (small, large)
        out = Path("var/query_counts.json")
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"10": small, "1000": large}, indent=2))


def test_rating_reflection_and_new_partner_counts_are_bounded(learner):
    for size in (10, 1000):
        Participant.objects.all().delete()
        Exchange.objects.all().delete()
        populate(size)
        ana, sadia = learner("ana"), learner("seed0")
        ana.ok("save_context", {"country": "BR", "organisation_type": "research"})
        state = ana.ok("submit_contribution", {"text": CONTRIBUTION})
        partner = next(m["id"] for m in state["exchange"]["members"] if not m["is_me"])
        me = next(m["id"] for m in state["exchange"]["members"] if m["is_me"])
        ana.ok("submit_review", {"reviewee": partner, "answers": {"q1": 4, "q2": 5}, "learned": "L",
                                 "suggestion": "S"})
        received = sadia.ok("submit_review", {"reviewee": me, "answers": {"q1": 3, "q2": 2}, "learned": "L",
                                              "suggestion": "S"})
        assert received["phase"] == "feedback"
        review_id = ana.ok("state")["reviews_received"][0]["id"]
        with CaptureQueriesContext(connection) as rate:
            ana.ok("rate_review", {"review": review_id, "helpfulness": 5})
        with CaptureQueriesContext(connection) as reflect:
            ana.ok("submit_reflection", {"text": "Bring evidence of who is missing."})
        assert ours(rate) <= BOUND and ours(reflect) <= BOUND, (ours(rate), ours(reflect))
