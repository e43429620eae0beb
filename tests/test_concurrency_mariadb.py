"""Concurrency on MariaDB: many learners and double clicks at the same moment, through the real handler path.

Runs only with `MLCOURSE_TEST_DB=mysql` against the throwaway server `make test` starts (scripts/start-mariadb.sh);
the default SQLite run skips this file (its SQLite counterpart is tests/test_load_sqlite_server.py). Each worker
thread has its own database connection, closed when the thread's work ends. Learners go through the xblock-sdk
workbench runtime (`WorkbenchRuntime(student).handle(block, handler, webob request)`), the code path of the
workbench's handler view; the drop-out scenario drives `mlcourse.services` with a clock.
"""
import json
import os
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import webob
from django.db import connections
from django.utils import timezone

from conftest import CONTRIBUTION, USAGE
from mlcourse.models import Activity, Contribution, Exchange, Membership, Participant, Rating, Reflection, Review, \
    StaffAction
from mlcourse.pairing import Rules, pair_reasons
from mlcourse.runtime import Actor
from mlcourse.services import ActivityConfig, ApiError, get_state, rate_review, request_new_partner, save_context, \
    submit_contribution, submit_reflection, submit_review
from mlcourse.services.matching import as_seeker

pytestmark = [
    pytest.mark.skipif(os.environ.get("MLCOURSE_TEST_DB") != "mysql",
                       reason="MariaDB only: `make test` runs it with MLCOURSE_TEST_DB=mysql"),
    pytest.mark.django_db(transaction=True),
]

LEARNERS = 200
WORKERS = 16
# Five countries, uneven as in a real cohort: Brazil has more learners than all others can take as partners.
COUNTRY_SHARES = {"BR": 110, "PK": 35, "NG": 25, "GH": 20, "CN": 10}
COUNTRY_OF = [country for country, n in COUNTRY_SHARES.items() for _ in range(n)]
ANSWERS = {"q1": 4, "q2": 5, "q3": "Price surveys with traders."}


def in_thread(fn):
    """Run `fn` in a worker thread and close that thread's database connections afterwards."""
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()
    return run


def call(student, handler, payload):
    """One handler request through the workbench runtime, as the workbench's `handler` view makes it."""
    from workbench.runtime import WorkbenchRuntime

    runtime = WorkbenchRuntime(student)
    block = runtime.get_block(USAGE)
    request = webob.Request.blank("/", method="POST", body=json.dumps(payload).encode("utf-8"),
                                  content_type="application/json")
    try:
        response = runtime.handle(block, handler, request)
    except Exception as error:  # noqa: BLE001 - the workbench's view would answer 500: report it as one
        return 500, {"exception": repr(error)}
    return response.status_code, json.loads(response.body or b"null")


def warm_up():
    """One request before the storm: the sdk's field store creates its settings rows with get_or_create and no
    unique constraint (see tooling notes), which parallel first requests would duplicate. Writes nothing of ours."""
    status, _ = call("warm-up", "state", {})
    assert status == 200


def context(i):
    return {"country": COUNTRY_OF[i % len(COUNTRY_OF)], "organisation_type": "research", "languages": ["en"],
            "time_zone": "UTC"}


def assert_cohort_invariants(activity, learners, rules=Rules(), now=None):
    """Every contribution stored once, nobody in two current exchanges or lost, every exchange multi-country,
    and no two learners left waiting who could legally be paired."""
    now = now or timezone.now()
    participants = list(Participant.objects.filter(activity=activity))
    assert len(participants) == learners
    assert Contribution.objects.filter(participant__activity=activity).count() == learners
    current = list(Membership.objects.filter(exchange__activity=activity, current=True)
                   .values_list("participant_id", "exchange_id", "participant__country"))
    per_learner = Counter(participant for participant, _, _ in current)
    assert [p for p, n in per_learner.items() if n > 1] == [], "a learner in two current exchanges"
    groups = defaultdict(list)
    for _, exchange, country in current:
        groups[exchange].append(country)
    for exchange, countries in groups.items():
        assert len(countries) == len(set(countries)) == 2, (exchange, countries)  # cross-country pairs only
    assert Exchange.objects.filter(activity=activity).count() == len(groups)  # no exchange lost its members
    waiting = [p for p in participants if p.waiting_since is not None]
    assert not [p for p in waiting if p.pk in per_learner], "waiting and paired at once"
    assert not [p for p in participants if p.waiting_since is None and p.pk not in per_learner], "learner lost"
    seekers = [as_seeker(p, now) for p in waiting]
    for i, a in enumerate(seekers):
        for b in seekers[i + 1:]:
            assert pair_reasons(a, b, rules, now) is None, (a, b)  # no two waiting could be paired
    return len(groups), len(waiting)


def test_200_learners_submit_at_the_same_moment(scenarios):
    warm_up()
    barrier = threading.Barrier(WORKERS)

    @in_thread
    def worker(w):
        mine = range(w, LEARNERS, WORKERS)
        results = [("save_context", i, *call(f"l{i}", "save_context", context(i))) for i in mine]
        barrier.wait(timeout=120)  # every worker submits its first contribution at the same moment
        results += [("submit_contribution", i, *call(f"l{i}", "submit_contribution", {"text": CONTRIBUTION}))
                    for i in mine]
        return results

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = [r for rs in pool.map(worker, range(WORKERS)) for r in rs]

    assert len(results) == 2 * LEARNERS
    failed = [(handler, i, status, data) for handler, i, status, data in results if status != 200]
    assert failed == []
    phases = Counter(data["phase"] for handler, _, _, data in results if handler == "submit_contribution")
    assert phases.keys() <= {"waiting", "review"} and phases["review"] > 0
    activity = Activity.objects.get(usage_key=USAGE)
    pairs, waiting = assert_cohort_invariants(activity, LEARNERS)
    # Brazil (110) outnumbers the other four countries (90): at least 20 wait, all from one country.
    assert 2 * pairs + waiting == LEARNERS and waiting >= 20


def race(student, handler, payload, times=4):
    """Send the same request `times` times at once (a double click, two tabs); return the answers."""
    barrier = threading.Barrier(times)

    @in_thread
    def send(_):
        barrier.wait(timeout=60)
        return call(student, handler, payload)

    with ThreadPoolExecutor(max_workers=times) as pool:
        answers = list(pool.map(send, range(times)))
    assert not [a for a in answers if a[0] >= 500], answers
    return Counter((status, data.get("code") if status != 200 else "ok") for status, data in answers)


def test_double_submissions_store_one_and_answer_409_to_the_others(scenarios):
    warm_up()
    for student, country in (("ana", "BR"), ("kwame", "GH")):
        assert call(student, "save_context", {**context(0), "country": country})[0] == 200
        status, state = call(student, "submit_contribution", {"text": CONTRIBUTION})
        assert status == 200
    assert state["phase"] == "review"
    ana_id = next(m["id"] for m in state["exchange"]["members"] if not m["is_me"])
    kwame_id = next(m["id"] for m in state["exchange"]["members"] if m["is_me"])
    review = {"answers": ANSWERS, "learned": "Cost reports per child.", "suggestion": "Ask the traders."}

    assert race("ana", "submit_review", {**review, "reviewee": kwame_id}) == {(200, "ok"): 1, (409, "conflict"): 3}
    assert Review.objects.filter(reviewer__learner_id="ana").count() == 1

    status, state = call("kwame", "submit_review", {**review, "reviewee": ana_id})
    assert status == 200 and state["phase"] == "feedback"
    received = state["reviews_received"][0]["id"]
    assert race("kwame", "rate_review", {"review": received, "helpfulness": 5, "note": "Medaase"}) \
        == {(200, "ok"): 1, (409, "conflict"): 3}
    assert Rating.objects.count() == 1

    assert race("kwame", "submit_reflection", {"text": "Ask the users of the evaluation first."}) \
        == {(200, "ok"): 1, (409, "conflict"): 3}
    assert Reflection.objects.count() == 1 and call("kwame", "state", {})[1]["phase"] == "done"

    assert race("staff", "staff_hide", {"kind": "review", "id": received, "reason": "Names a colleague."}) \
        == {(200, "ok"): 1, (409, "conflict"): 3}
    assert Review.objects.filter(hidden_at__isnull=False).count() == 1
    assert StaffAction.objects.filter(action="hide").count() == 1

    for student in ("li", "mei"):  # same country and nobody else waiting: they wait
        assert call(student, "save_context", {**context(0), "country": "CN"})[0] == 200
        assert call(student, "submit_contribution", {"text": CONTRIBUTION})[1]["phase"] == "waiting"
    ids = sorted(Participant.objects.filter(learner_id__in=["li", "mei"]).values_list("pk", flat=True))
    assert race("staff", "staff_pair", {"participants": ids, "confirm": True}) \
        == {(200, "ok"): 1, (409, "not_waiting"): 3}
    assert StaffAction.objects.filter(action="pair").count() == 1
    assert Membership.objects.filter(participant_id__in=ids, current=True).count() == 2
    assert Exchange.objects.count() == 2 and Review.objects.count() == 2


# --- partner drop-out, driven through the services with a clock -----------------------------------------------
CFG = ActivityConfig(course_key="course-v1:IDS+ML+2026", usage_key="dropout", min_words=10, max_words=200)
DROPOUT_COUNTRIES = ["BR", "PK", "NG", "GH", "CN"]


def actor(i):
    return Actor(learner_id=f"d{i}", display_name=f"D{i}")


def step(i, now):
    """What learner `i` does on coming back at `now`: one visit, as many actions as the page offers."""
    me = actor(i)
    state = get_state(CFG, me, now=now)
    if state["phase"] == "review":
        for reviewee in state["reviews_pending"]:
            submit_review(CFG, me, {"reviewee": reviewee, "answers": {}, "learned": "Costs.", "suggestion": "Ask."},
                          now=now)
        return "acted"
    if state["phase"] != "feedback":
        return state["phase"]  # waiting or done
    unrated = [r["id"] for r in state["reviews_received"] if r["rating"] is None]
    for review in unrated:
        rate_review(CFG, me, {"review": review, "helpfulness": 4}, now=now)
    if unrated:
        return "acted"
    if state["can_request_new_partner"]:
        request_new_partner(CFG, me, {}, now=now)
        return "acted"
    if state["reviews_received"]:
        submit_reflection(CFG, me, {"text": "Costs per child."}, now=now)
        return "acted"
    return "feedback"  # waiting for the partner's review


def test_partners_who_vanish_are_replaced_and_everyone_else_finishes():
    learners, t0 = 50, timezone.now()
    for i in range(learners):  # arrivals one by one: pairs (0, 1), (2, 3), ... from different countries
        save_context(CFG, actor(i), {"country": DROPOUT_COUNTRIES[i % 5], "organisation_type": "other"}, now=t0)
        submit_contribution(CFG, actor(i), {"text": CONTRIBUTION}, now=t0)
    assert Exchange.objects.count() == 25
    # 20 % never come back, one member of 10 different pairs; their partners (5 from Pakistan, 5 from Ghana) can
    # all be paired again with each other.
    vanished = {i for block in range(0, learners, 10) for i in (block, block + 9)}
    active = [i for i in range(learners) if i not in vanished]
    clocks = [t0 + timedelta(minutes=1), t0 + CFG.review_window + timedelta(hours=1)]
    errors, rounds, outcome = [], 0, {i: "start" for i in active}

    @in_thread
    def visit(i):
        try:
            return i, step(i, now)
        except ApiError as error:
            errors.append((i, error.code))
            return i, "error"

    with ThreadPoolExecutor(max_workers=8) as pool:
        now = clocks.pop(0)
        while rounds < 30:
            rounds += 1
            outcome.update(pool.map(visit, [i for i in active if outcome[i] != "done"]))
            if set(outcome.values()) == {"done"}:
                break
            if "acted" not in outcome.values() and "error" not in outcome.values():
                assert clocks, f"stuck after the review window: {Counter(outcome.values())}"
                now = clocks.pop(0)  # nothing left to do now: come back after the review window
    assert errors == []
    assert set(outcome.values()) == {"done"}, Counter(outcome.values())
    assert {p.learner_id for p in Participant.objects.filter(reflection__isnull=False)} == {f"d{i}" for i in active}
    left = Membership.objects.filter(participant__learner_id__in=[f"d{i}" for i in vanished])
    assert set(left.values_list("left_reason", flat=True)) == {"vanished"}
    assert not left.filter(current=True).exists()
    assert Participant.objects.filter(returns_to_pool=True).count() == len(vanished)
    assert Exchange.objects.count() == 25 + 5 and not Exchange.objects.filter(status="open").exists()
    # 15 pairs of active learners: 30 reviews; 10 reviews to a partner who then vanished; 5 new pairs: 10 reviews.
    assert Review.objects.count() == 2 * 15 + 10 + 2 * 5


def test_board_votes_merges_and_the_allowance_hold_under_concurrency():
    """The co-design board on MariaDB: 40 learners each fire 6 votes at once (allowance 3) — two of them twice
    for the same item — while the course team merges two items and hides a third. Afterwards: nobody has more
    than 3 counted votes, no (item, voter) pair twice, no vote left on a merged item, every count from rows."""
    from mlcourse.models import BoardItem, BoardVote
    from mlcourse.services import board

    config = board.BoardConfig(course_key="course-v1:IDS+ML+2026", usage_key="board-race",
                               kinds=(("topic", "Topic"),), votes_per_learner=3, max_proposals=20)
    author = Actor(learner_id="author")
    items = [board.propose(config, author, {"title": f"Item {n}", "kind": "topic", "country": "GH",
                                            "organisation_type": "other"})["item"] for n in range(6)]
    staff = Actor(learner_id="coach", is_staff=True)
    start = threading.Barrier(WORKERS)

    @in_thread
    def act(job):
        kind, who, item = job
        try:
            start.wait(timeout=60) if job[1] in {"l0", "l1", "coach"} else None
            if kind == "vote":
                board.vote(config, Actor(learner_id=who), {"item": item})
            elif kind == "merge":
                board.staff_merge(config, staff, {"item": items[0], "into": items[1]})
            else:
                board.staff_hide(config, staff, {"item": items[5], "reason": "Off topic"})
            return "ok"
        except ApiError as error:
            return error.code

    jobs = [("vote", f"l{n}", item) for n in range(40) for item in items] + \
           [("vote", "l0", items[2]), ("vote", "l1", items[2]), ("merge", "coach", None), ("hide", "coach", None)]
    jobs.sort(key=lambda job: (job[1] not in {"l0", "l1", "coach"}, job[1]))  # the barrier's 16 go first
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(act, jobs))
    assert not [o for o in outcomes if o not in {"ok", "already_voted", "no_votes_left", "no_such_item"}], outcomes
    assert BoardItem.objects.get(pk=items[0]).merged_into_id == items[1]
    assert not BoardVote.objects.filter(item_id=items[0]).exists()
    pairs = list(BoardVote.objects.values_list("item_id", "voter_id"))
    assert len(pairs) == len(set(pairs))
    for n in range(40):
        counted = BoardVote.objects.filter(voter__learner_id=f"l{n}", item__hidden=False,
                                           item__merged_into__isnull=True).count()
        assert counted <= 3, (n, counted)


def test_showing_an_item_again_while_its_voters_vote_and_propose():
    """Staff show a hidden item again while its voters vote elsewhere and propose at the same moment: no
    deadlock (each side takes voter rows first), nobody above the allowance afterwards."""
    from mlcourse.models import BoardVote
    from mlcourse.services import board

    config = board.BoardConfig(course_key="course-v1:IDS+ML+2026", usage_key="board-unhide",
                               kinds=(("topic", "Topic"),), votes_per_learner=3, max_proposals=20)
    author = Actor(learner_id="author")
    items = [board.propose(config, author, {"title": f"Item {n}", "kind": "topic", "country": "GH",
                                            "organisation_type": "other"})["item"] for n in range(5)]
    staff = Actor(learner_id="coach", is_staff=True)
    learners = [f"u{n}" for n in range(15)]
    for learner in learners:
        board.vote(config, Actor(learner_id=learner), {"item": items[0]})
    board.staff_hide(config, staff, {"item": items[0], "reason": "Checking"})
    start = threading.Barrier(WORKERS)

    @in_thread
    def act(job):
        kind, who, item = job
        try:
            start.wait(timeout=60)
            if kind == "unhide":
                return board.staff_hide(config, staff, {"item": items[0], "hidden": False})["dropped"]
            if kind == "propose":
                board.propose(config, Actor(learner_id=who), {"title": f"By {who}", "kind": "topic",
                                                             "country": "BR", "organisation_type": "research"})
            else:
                board.vote(config, Actor(learner_id=who), {"item": item})
            return "ok"
        except ApiError as error:
            return error.code

    jobs = [("unhide", "coach", None)] + [("vote" if n % 3 else "propose", learners[n % 15], items[1 + n % 4])
                                          for n in range(WORKERS - 1)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(act, jobs))
    assert all(o in {"ok", "already_voted", "no_votes_left"} or isinstance(o, int) for o in outcomes), outcomes
    # The rest of each learner's votes, one after the other, up to and beyond the allowance.
    for learner in learners:
        for item in items[1:]:
            try:
                board.vote(config, Actor(learner_id=learner), {"item": item})
            except ApiError:
                pass
    for learner in learners:
        counted = BoardVote.objects.filter(voter__learner_id=learner, item__hidden=False,
                                           item__merged_into__isnull=True).count()
        assert counted <= 3, (learner, counted)
