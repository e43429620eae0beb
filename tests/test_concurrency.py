"""Many learners submit at the same moment from parallel threads (each with its own DB connection).

On SQLite the writers queue on the database lock (IMMEDIATE transactions with a timeout) instead of failing
with "database is locked"; the matching invariants hold afterwards.
"""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone

from conftest import CONTRIBUTION
from mlcourse.models import Contribution, Membership, Participant, Review
from mlcourse.pairing import Rules, Seeker, pair_reasons
from mlcourse.runtime import Actor
from mlcourse.services import ActivityConfig, ApiError, get_state, save_context, submit_contribution, submit_review

pytestmark = pytest.mark.django_db(transaction=True)
CFG = ActivityConfig(course_key="course-v1:IDS+ML+2026", usage_key="concurrent", min_words=10, max_words=200)
COUNTRIES = ["BR", "PK", "NG", "GH", "CN"]


def in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()
    return run


@in_thread
def arrive(index):
    actor = Actor(learner_id=f"l{index}", display_name=f"L{index}")
    save_context(CFG, actor, {"country": COUNTRIES[index % len(COUNTRIES) if index % 3 else 0],
                              "organisation_type": "other"})
    return submit_contribution(CFG, actor, {"text": CONTRIBUTION})["phase"]


def test_simultaneous_arrivals_keep_every_invariant():
    learners = 60
    with ThreadPoolExecutor(max_workers=8) as pool:
        phases = list(pool.map(arrive, range(learners)))
    assert Counter(phases).keys() <= {"waiting", "review"}
    assert Contribution.objects.count() == learners == Participant.objects.count()
    current = Membership.objects.filter(current=True)
    assert len(set(current.values_list("participant_id", flat=True))) == current.count()
    for exchange_countries in _exchange_countries().values():
        assert len(set(exchange_countries)) == len(exchange_countries) == 2  # pairs, never one country
    waiting = list(Participant.objects.filter(waiting_since__isnull=False))
    now = timezone.now()
    seekers = [Seeker(p.learner_id, p.country, p.waiting_since) for p in waiting]
    for i, a in enumerate(seekers):
        for b in seekers[i + 1:]:
            assert pair_reasons(a, b, Rules(), now) is None, (a, b)  # no two waiting could be paired


def _exchange_countries():
    groups = {}
    for exchange_id, country in Membership.objects.filter(current=True).values_list("exchange_id",
                                                                                     "participant__country"):
        groups.setdefault(exchange_id, []).append(country)
    return groups


def test_the_same_review_sent_twice_at_once_is_stored_once():
    arrive(0)  # Brazil
    arrive(1)  # Pakistan: paired with l0
    state = get_state(CFG, Actor(learner_id="l1"))
    partner = next(m["id"] for m in state["exchange"]["members"] if not m["is_me"])
    payload = {"reviewee": partner, "answers": {}, "learned": "A lot.", "suggestion": "More data."}
    barrier = threading.Barrier(4)

    @in_thread
    def send(_):
        barrier.wait()
        try:
            submit_review(CFG, Actor(learner_id="l1"), payload)
            return "ok"
        except ApiError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = Counter(pool.map(send, range(4)))
    assert results == {"ok": 1, "conflict": 3}
    assert Review.objects.count() == 1
