"""Who may call which handler, and what each role reads back: the matrix of docs/security.md, enforced.

One cohort (built through the real handlers) holds learners in every phase, with a unique marker string in
every text anybody wrote: contributions, review answers, rating notes, reflections, staff reasons. Each cell of
the matrix is one request in a savepoint that is rolled back, so every cell sees the same cohort. The expected
answers live in MATRIX and VISIBILITY below; `test_the_doc_tables_match_the_python_tables` keeps
docs/security.md in step with them.

Roles (`ROLES`): anonymous (`?student=` with no id), a learner who has not started, a learner waiting for a
partner, the partner (a member of the exchange the requests target), a learner of another exchange, course
staff, and staff of another course. The workbench has one course for all blocks, so the last role is emulated
with an LMS-like user service (`edx-platform.user_is_staff: True`) on a block whose usage key belongs to another
course (opaque keys), fed the ids of this course's learners, exchanges and reviews.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from opaque_keys.edx.locator import BlockUsageLocator, CourseLocator
from webob import Request
from workbench.models import XBlockState
from workbench.runtime import WorkbenchRuntime
from xblock.field_data import DictFieldData
from xblock.fields import ScopeIds

from conftest import CONTRIBUTION, USAGE
from mlcourse.blocks.peer_exchange import PeerExchangeBlock
from mlcourse.blocks.peer_exchange_ui import DEFAULT_RUBRIC
from mlcourse.models import (Activity, BoardItem, BoardVote, BoardVoter, Contribution, EvidenceResponse, Exchange, Membership, Participant, Rating,
                             Reflection, Review, StaffAction)
from test_runtime_and_grades import LmsUsers

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"
COURSE_B = CourseLocator("MLcourse", "Elsewhere", "2025")
USAGE_B = BlockUsageLocator(COURSE_B, "peer_exchange", "exchange")

# --- the expectations (mirrored in docs/security.md) -------------------------------------------------------
ROLES = ("anonymous", "newcomer", "waiting", "partner", "other_exchange", "staff", "staff_other_course")
# Which cohort member plays each role ("" = anonymous; "staff:B" = staff of course B on course B's block).
ROLE_PLAYER = {"anonymous": "", "newcomer": "nora", "waiting": "sadia", "partner": "kwame",
               "other_exchange": "helen", "staff": "staff", "staff_other_course": "staff:B"}
SIGN_IN, FORBIDDEN = "403 not_signed_in", "403 forbidden"
MATRIX = {  # handler -> the answer of each role in ROLES order: "200" or "<status> <code>"
    "state": (SIGN_IN, "200", "200", "200", "200", "200", "200"),
    "save_context": (SIGN_IN, "200", "409 context_locked", "409 context_locked", "409 context_locked", "200", "200"),
    "submit_contribution": (SIGN_IN, "409 no_context", "200", "409 contribution_locked", "409 contribution_locked",
                            "409 no_context", "409 no_context"),
    "submit_review": (SIGN_IN, "409 no_context", "409 not_paired", "200", "403 not_your_partner", "409 no_context",
                      "409 no_context"),
    "rate_review": (SIGN_IN, "409 no_context", "403 not_your_review", "403 not_your_review", "403 not_your_review",
                    "409 no_context", "409 no_context"),
    "submit_reflection": (SIGN_IN, "409 no_context", "409 not_paired", "409 reviews_pending", "409 ratings_pending",
                          "409 no_context", "409 no_context"),
    "request_new_partner": (SIGN_IN, "409 no_context", "409 not_paired", "409 partner_not_silent",
                            "409 partner_not_silent", "409 no_context", "409 no_context"),
    "studio_submit": (FORBIDDEN,) * 5 + ("200", "200"),
    "staff_overview": (FORBIDDEN,) * 5 + ("200", "200"),
    "staff_pair": (FORBIDDEN,) * 5 + ("200", "409 not_waiting"),
    "staff_dissolve": (FORBIDDEN,) * 5 + ("200", "404 not_found"),
    "staff_batch_pair": (FORBIDDEN,) * 5 + ("200", "200"),
    "staff_hide": (FORBIDDEN,) * 5 + ("200", "404 not_found"),
    "staff_unhide": (FORBIDDEN,) * 5 + ("200", "404 not_found"),
    "staff_extend_deadline": (FORBIDDEN,) * 5 + ("200", "404 not_found"),
    "staff_import_roster": (FORBIDDEN,) * 5 + ("200", "200"),
    "export_csv": (FORBIDDEN,) * 5 + ("200", "200"),
    "download_my_data": (SIGN_IN,) + ("200",) * 6,
    "student_view_user_state": (SIGN_IN,) + ("200",) * 6,
}
GET_HANDLERS = {"export_csv": "table=reviews", "download_my_data": "", "student_view_user_state": ""}
# What the `state` answer of each viewer contains, as kinds of text (everything else must be absent).
OWN_CONTRIBUTION, OWN_REVIEWS, OWN_NOTES, OWN_REFLECTION = ("own contribution", "own reviews", "own notes",
                                                            "own reflection")
HIDDEN_REASON, PARTNER_CONTRIBUTION = "hidden reason", "partner contribution"
REVIEWS_RECEIVED, NOTES_ON_GIVEN = "reviews received", "notes on given"
KINDS = (OWN_CONTRIBUTION, OWN_REVIEWS, OWN_NOTES, OWN_REFLECTION, HIDDEN_REASON, PARTNER_CONTRIBUTION,
         REVIEWS_RECEIVED, NOTES_ON_GIVEN)
VISIBILITY = {
    "ana": {OWN_CONTRIBUTION, OWN_REVIEWS, PARTNER_CONTRIBUTION},
    "kwame": {OWN_CONTRIBUTION, PARTNER_CONTRIBUTION},
    "li": {OWN_CONTRIBUTION, OWN_REVIEWS, OWN_NOTES, PARTNER_CONTRIBUTION, REVIEWS_RECEIVED},
    "helen": {OWN_CONTRIBUTION, OWN_REVIEWS, PARTNER_CONTRIBUTION, REVIEWS_RECEIVED, NOTES_ON_GIVEN},
    "omar": {OWN_CONTRIBUTION, OWN_REVIEWS, OWN_NOTES, OWN_REFLECTION, HIDDEN_REASON, REVIEWS_RECEIVED,
             NOTES_ON_GIVEN},
    "lena": {OWN_CONTRIBUTION, OWN_REVIEWS, OWN_REFLECTION, HIDDEN_REASON, PARTNER_CONTRIBUTION, NOTES_ON_GIVEN},
    "pablo": {OWN_CONTRIBUTION, PARTNER_CONTRIBUTION},
    "yuki": {OWN_CONTRIBUTION, PARTNER_CONTRIBUTION},
    "sadia": {OWN_CONTRIBUTION},
    "bilal": {OWN_CONTRIBUTION},
    "carla": set(),
    "nora": set(),
    "staff": set(),
    "zed": {OWN_CONTRIBUTION, OWN_REVIEWS, PARTNER_CONTRIBUTION},
    "yara": {OWN_CONTRIBUTION, PARTNER_CONTRIBUTION},
    "staff:B": set(),
}
EXCHANGES = {"X": ("ana", "kwame"), "Y": ("li", "helen"), "W": ("omar", "lena"), "V": ("pablo", "yuki"),
             "B": ("zed", "yara")}
COURSE_B_PEOPLE = {"zed", "yara", "staff:B"}
NEW_CONTEXT = {"country": "NZ", "organisation_type": "research", "languages": ["en"], "time_zone": "Pacific/Auckland"}
STUDIO_SETTINGS = {"display_name": "Peer exchange", "prompt": "Write about **one** decision.", "rubric": DEFAULT_RUBRIC,
                   "partner_rule": "different_country_required", "allow_triads": False, "anonymous": False,
                   "fallback_window_hours": 48, "review_window_hours": 72, "min_words": 10, "max_words": 600,
                   "weight_contribution": 0.3, "weight_reviews": 0.4, "weight_reflection": 0.3,
                   "submission_due": None, "review_due": None}


def request_for(handler, cohort):
    """(method, query, payload) of the matrix's request to `handler`: aimed at exchange X (ana and kwame)."""
    ids = cohort.ids
    payloads = {
        "state": {},
        "save_context": NEW_CONTEXT,
        "submit_contribution": {"text": CONTRIBUTION},
        "submit_review": {"reviewee": ids["ana"], "answers": {"q1": 4, "q2": 4, "q3": "Probe."}, "learned": "Probe.",
                          "suggestion": "Probe."},
        "rate_review": {"review": cohort.review_id("ana", "kwame"), "helpfulness": 4, "note": "Probe."},
        "submit_reflection": {"text": "Probe."},
        "request_new_partner": {},
        "studio_submit": STUDIO_SETTINGS,
        "staff_overview": {},
        "staff_pair": {"participants": [ids["sadia"], ids["bilal"]], "confirm": True},
        "staff_dissolve": {"exchange": cohort.exchange_ids["X"], "reason": "Probe."},
        "staff_batch_pair": {"dry_run": True},
        "staff_hide": {"kind": "review", "id": cohort.review_id("ana", "kwame"), "reason": "Probe."},
        "staff_unhide": {"kind": "review", "id": cohort.review_id("omar", "lena")},
        "staff_extend_deadline": {"participant": ids["kwame"], "review_due": "2035-01-01T00:00:00+00:00"},
        "staff_import_roster": {"csv": "anonymous_id,country,organisation_type\nnewbie,GH,research\n"},
    }
    if handler in GET_HANDLERS:
        return "GET", GET_HANDLERS[handler], None
    return "POST", "", payloads[handler]


# --- callers: the workbench over HTTP, or a runtime directly (same handler path, no HTTP) -----------------------
@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str

    def json(self):
        return json.loads(self.body)

    @property
    def cell(self) -> str:
        return "200" if self.status == 200 else f"{self.status} {self.json().get('code')}"


class HttpCaller:
    """`POST /handler/<usage>/<handler>/?student=<id>` through Django's test client and the workbench's view."""

    def __init__(self, client, student, usage=USAGE):
        self.client, self.student, self.usage = client, student, usage

    def __call__(self, handler, body=b"{}", method="POST", query="") -> Reply:
        url = f"/handler/{self.usage}/{handler}/?student={quote(self.student)}" + (f"&{query}" if query else "")
        response = self.client.generic(method, url, data=body, content_type="application/json")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return Reply(response.status_code, content, response.get("Content-Type", ""))


class RuntimeCaller:
    """`runtime.handle(block, handler, webob request)`: what the workbench view does, minus HTTP."""

    def __init__(self, make_block):
        self.make_block = make_block
        self.block = make_block()

    def refresh(self):
        self.block = self.make_block()  # a fresh block: no field values cached from an earlier request

    def __call__(self, handler, body=b"{}", method="POST", query="") -> Reply:
        request = Request.blank("/" + (f"?{query}" if query else ""), method=method, body=body)
        response = self.block.runtime.handle(self.block, handler, request)
        return Reply(response.status_code, response.body, response.content_type or "")


def workbench_caller(student) -> RuntimeCaller:
    def make():
        runtime = WorkbenchRuntime(student)
        return runtime.get_block(USAGE)
    return RuntimeCaller(make)


def lms_caller(attrs, usage=USAGE_B, field_data=None) -> RuntimeCaller:
    """A block seen through an LMS-like user service (`edx-platform.*` attributes), like edx-platform builds it."""
    def make():
        runtime = WorkbenchRuntime("lms")
        runtime._services["user"] = LmsUsers(**attrs)  # noqa: SLF001 - the sdk has no public way to swap it
        if field_data is None:  # a workbench usage: fields from the workbench's store
            return runtime.get_block(usage)
        return runtime.construct_xblock_from_class(PeerExchangeBlock, ScopeIds("lms", "peer_exchange", usage, usage),
                                                   field_data=field_data)
    return RuntimeCaller(make)


def ok(caller, handler, payload=None):
    reply = caller(handler, json.dumps(payload if payload is not None else {}).encode())
    assert reply.status == 200, (handler, reply.status, reply.body[:300])
    return reply.json()


# --- database snapshots ------------------------------------------------------------------------------------------
ACTIVITY_OF = {Activity: "pk", Participant: "activity", Contribution: "participant__activity", Exchange: "activity",
               Membership: "exchange__activity", Review: "exchange__activity", Rating: "review__exchange__activity",
               Reflection: "exchange__activity", StaffAction: "activity",
               BoardVoter: "activity", BoardItem: "activity", BoardVote: "item__activity",
               EvidenceResponse: "course_key"}  # not tied to one activity: excluded by the activity's course


def snapshot(exclude_activity=None) -> str:
    """A digest of every row of every mlcourse table (and of the workbench's stored block fields).

    `exclude_activity`: leave out the rows of that activity (to check that staff of course B changed nothing of
    course A). Workbench rows whose state is still `{}` are left out: the sdk's store creates them when a field
    is merely read.
    """
    digest = hashlib.sha256()
    with connection.cursor() as cursor:  # plain SQL: the fuzzer takes this snapshot thousands of times
        for model in apps.get_app_config("mlcourse").get_models():
            if exclude_activity is None:
                sql, params = f"SELECT * FROM {model._meta.db_table} ORDER BY {model._meta.pk.column}", ()
            else:
                owner = exclude_activity
                if ACTIVITY_OF[model] == "course_key":
                    owner = Activity.objects.get(pk=exclude_activity).course_key
                keep = model.objects.exclude(**{ACTIVITY_OF[model]: owner}).values("pk")
                sql, params = keep.query.sql_with_params()
                sql = (f"SELECT * FROM {model._meta.db_table} WHERE {model._meta.pk.column} IN ({sql}) "
                       f"ORDER BY {model._meta.pk.column}")
            cursor.execute(sql, params)
            digest.update(model.__name__.encode() + repr(cursor.fetchall()).encode())
        cursor.execute(f"SELECT scope, scope_id, user_id, state FROM {XBlockState._meta.db_table} "
                       "WHERE state <> '{}' ORDER BY scope, scope_id, user_id")
        digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


@contextmanager
def rolled_back():
    """Run a block in a savepoint that is always rolled back: every request sees the same cohort."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def check_refusal_shape(reply: Reply):
    """A 4xx answer is `{"error": <non-empty text>, "code": <text>}` plus, optionally, a `details` object."""
    assert 400 <= reply.status < 500, (reply.status, reply.body[:300])
    assert reply.content_type.startswith("application/json"), reply.content_type
    data = json.loads(reply.body.decode("utf-8"))
    assert isinstance(data, dict) and {"error", "code"} <= set(data) <= {"error", "code", "details"}, data
    assert isinstance(data["error"], str) and data["error"].strip(), data
    assert isinstance(data["code"], str) and data["code"], data
    if "details" in data:
        assert isinstance(data["details"], dict), data
    return data


# --- the cohort ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Marker:
    text: str
    kind: str  # contribution, review, note, reflection, hidden_reason
    author: str  # who wrote it (staff for a hidden reason)
    about: str = ""  # reviewee of a review, reviewer of the review a note rates, author of a hidden item


class Cohort:
    """Learners of course A (the workbench scenario) in every phase, plus an exchange in course B.

    X: ana (BR) reviewed kwame (GH); kwame has not reviewed yet, so ana's review is locked for him.
    Y: li (CN) and helen (GB) reviewed each other; li rated helen's review; helen has not rated li's.
    W: omar (EG) and lena (DE) reviewed, rated and reflected (done); staff hid omar's review of lena and lena's
       contribution.
    V: pablo (AR) and yuki (JP), paired 80 hours ago, neither reviewed: each may ask for a new partner.
    Waiting: sadia and bilal (both PK: the rule requires another country). carla has only saved her context;
    nora has done nothing. B (another course): zed (FR) reviewed yara (MX).
    """

    def __init__(self, client):
        self.client = client
        self.markers: list[Marker] = []
        self.ids: dict[str, int] = {}
        self.field_data_b = DictFieldData({"min_words": 10})
        self.callers: dict[str, RuntimeCaller | HttpCaller] = {}

    # who is who
    def http(self, who) -> HttpCaller:
        return HttpCaller(self.client, who)

    def caller(self, who):
        """The HTTP caller of a course-A learner, or an LMS runtime caller for course B's people."""
        if who not in self.callers:
            if who in COURSE_B_PEOPLE:
                attrs = {"edx-platform.anonymous_user_id": f"anon-{who}", "edx-platform.username": who,
                         "edx-platform.user_is_staff": who == "staff:B", "edx-platform.is_authenticated": True,
                         "edx-platform.user_role": "staff" if who == "staff:B" else "student"}
                self.callers[who] = lms_caller(attrs, field_data=self.field_data_b)
            else:
                self.callers[who] = self.http(who)
        return self.callers[who]

    def partners(self, who) -> set[str]:
        return next((set(group) - {who} for group in EXCHANGES.values() if who in group), set())

    def mark(self, kind, author, about="", part=""):
        marker = Marker(f"mk_{kind}_{author}_{about}_{part}_".replace(":", ""), kind, author, about)
        self.markers.append(marker)
        return marker.text

    def review_id(self, reviewer, reviewee) -> int:
        return Review.objects.get(reviewer_id=self.ids[reviewer], reviewee_id=self.ids[reviewee]).pk

    # steps, through the handlers
    def join(self, who, country, contribute=True):
        caller = self.caller(who)
        state = ok(caller, "save_context", {"country": country, "organisation_type": "research"})
        if contribute:
            state = ok(caller, "submit_contribution",
                       {"text": f"{CONTRIBUTION} {self.mark('contribution', who)}"})
        return state

    def review(self, who, partner):
        state = ok(self.caller(who), "state")
        reviewee = next(m["id"] for m in state["exchange"]["members"] if not m["is_me"])
        ok(self.caller(who), "submit_review", {
            "reviewee": reviewee, "answers": {"q1": 4, "q2": 3, "q3": self.mark("review", who, partner, "q3")},
            "learned": self.mark("review", who, partner, "learned"),
            "suggestion": self.mark("review", who, partner, "suggestion")})

    def rate(self, who, reviewer):
        state = ok(self.caller(who), "state")
        review = next(r for r in state["reviews_received"] if r["reviewer"] == self.ids[reviewer])
        ok(self.caller(who), "rate_review", {"review": review["id"], "helpfulness": 4,
                                             "note": self.mark("note", who, reviewer)})

    def reflect(self, who):
        ok(self.caller(who), "submit_reflection", {"text": self.mark("reflection", who)})

    def build(self):
        for who, country in (("kwame", "GH"), ("ana", "BR"), ("li", "CN"), ("helen", "GB"), ("omar", "EG"),
                             ("lena", "DE"), ("pablo", "AR"), ("yuki", "JP"), ("sadia", "PK"), ("bilal", "PK"),
                             ("zed", "FR"), ("yara", "MX")):
            self.join(who, country)
        self.join("carla", "KE", contribute=False)
        self.ids = dict(Participant.objects.values_list("learner_id", "pk"))
        self.ids.update({who: self.ids[f"anon-{who}"] for who in ("zed", "yara")})
        self.review("ana", "kwame")
        self.review("li", "helen")
        self.review("helen", "li")
        self.rate("li", "helen")
        for who, partner in (("omar", "lena"), ("lena", "omar")):
            self.review(who, partner)
        for who, partner in (("omar", "lena"), ("lena", "omar")):
            self.rate(who, partner)
            self.reflect(who)
        self.review("zed", "yara")
        staff = self.caller("staff")
        ok(staff, "staff_hide", {"kind": "review", "id": self.review_id("omar", "lena"),
                                 "reason": self.mark("hidden_reason", "staff", "omar")})
        contribution = Contribution.objects.get(participant_id=self.ids["lena"]).pk
        ok(staff, "staff_hide", {"kind": "contribution", "id": contribution,
                                 "reason": self.mark("hidden_reason", "staff", "lena")})
        silent = Membership.objects.get(participant_id=self.ids["pablo"], current=True).exchange_id
        long_ago = timezone.now() - timedelta(hours=80)
        Exchange.objects.filter(pk=silent).update(created=long_ago)
        Membership.objects.filter(exchange_id=silent).update(joined=long_ago)
        self.exchange_ids = {name: Membership.objects.get(participant_id=self.ids[group[0]]).exchange_id
                             for name, group in EXCHANGES.items()}
        self.activity_b = Activity.objects.get(course_key=str(COURSE_B)).pk
        return self

    # what each person may read
    def expected_markers(self, viewer) -> set[str]:
        kinds = VISIBILITY[viewer]
        partners = self.partners(viewer)
        rules = {
            OWN_CONTRIBUTION: lambda m: m.kind == "contribution" and m.author == viewer,
            OWN_REVIEWS: lambda m: m.kind == "review" and m.author == viewer,
            OWN_NOTES: lambda m: m.kind == "note" and m.author == viewer,
            OWN_REFLECTION: lambda m: m.kind == "reflection" and m.author == viewer,
            HIDDEN_REASON: lambda m: m.kind == "hidden_reason" and m.about == viewer,
            PARTNER_CONTRIBUTION: lambda m: m.kind == "contribution" and m.author in partners,
            REVIEWS_RECEIVED: lambda m: m.kind == "review" and m.about == viewer,
            NOTES_ON_GIVEN: lambda m: m.kind == "note" and m.about == viewer,
        }
        expected = set()
        for kind in kinds:
            found = {m.text for m in self.markers if rules[kind](m)}
            assert found, f"the cohort has no {kind!r} text for {viewer}: the table would test nothing"
            expected |= found
        return expected

    def reachable_markers(self, role_player) -> set[str]:
        """Texts a caller may ever receive from any handler: their exchange's for a learner, their course's for
        staff (the CSV exports), nothing for anybody else."""
        if role_player == "staff":
            return {m.text for m in self.markers if m.author not in COURSE_B_PEOPLE and m.about not in COURSE_B_PEOPLE}
        if role_player == "staff:B":
            return {m.text for m in self.markers if m.author in COURSE_B_PEOPLE or m.about in COURSE_B_PEOPLE}
        group = {role_player} | self.partners(role_player)
        return {m.text for m in self.markers if (m.author in group or m.kind == "hidden_reason")
                and (not m.about or m.about in group)}

    def markers_in(self, body: bytes) -> set[str]:
        text = body.decode("utf-8", "replace")
        return {m.text for m in self.markers if m.text in text}


@pytest.fixture
def cohort(client, scenarios, settings):
    settings.MLCOURSE_WORKBENCH_STAFF_IDS = {"staff"}
    return Cohort(client).build()


def role_caller(cohort, role):
    player = ROLE_PLAYER[role]
    return cohort.caller(player) if player else cohort.http("")


# --- the tests ---------------------------------------------------------------------------------------------------
def test_every_handler_for_every_role(cohort):
    """Each cell: the documented status and code, the error shape, nothing written when refused, no text from
    outside the caller's exchange (or course) in any answer, and staff of course B never touching course A."""
    before, before_a = snapshot(), snapshot(exclude_activity=cohort.activity_b)
    actual, problems = {}, []
    for handler in MATRIX:
        method, query, payload = request_for(handler, cohort)
        body = json.dumps(payload).encode() if payload is not None else b""
        for role in ROLES:
            with rolled_back():
                reply = role_caller(cohort, role)(handler, body, method=method, query=query)
                assert reply.status < 500, (handler, role, reply.body[:500])
                if reply.status >= 400:
                    check_refusal_shape(reply)
                    if snapshot() != before:
                        problems.append(f"{handler} as {role}: refused ({reply.cell}) but wrote to the database")
                actual[handler, role] = reply.cell
                leaked = cohort.markers_in(reply.body) - cohort.reachable_markers(ROLE_PLAYER[role])
                if leaked:
                    problems.append(f"{handler} as {role}: answer carries {sorted(leaked)}")
                if role == "staff_other_course" and snapshot(exclude_activity=cohort.activity_b) != before_a:
                    problems.append(f"{handler} as staff of course B changed course A's data")
                if handler == "staff_overview" and reply.status == 200 and cohort.markers_in(reply.body):
                    problems.append(f"staff_overview as {role} carries learner text")
    expected = {(handler, role): cell for handler, cells in MATRIX.items() for role, cell in zip(ROLES, cells)}
    wrong = {key: (actual[key], expected[key]) for key in expected if actual[key] != expected[key]}
    assert not wrong, "cells that differ (actual, expected):\n" + "\n".join(f"{k}: {v}" for k, v in wrong.items())
    assert not problems, "\n".join(problems)


def test_what_each_learner_reads_in_state(cohort):
    """Every cohort member's `state` (and its GET twin for the mobile apps, `student_view_user_state`) holds
    exactly the texts VISIBILITY allows them, and no one else's."""
    problems = []
    for viewer in VISIBILITY:
        for handler, method in (("state", "POST"), ("student_view_user_state", "GET")):
            reply = cohort.caller(viewer)(handler, b"{}" if method == "POST" else b"", method=method)
            assert reply.status == 200, (viewer, handler, reply.body[:300])
            seen, expected = cohort.markers_in(reply.body), cohort.expected_markers(viewer)
            if seen != expected:
                problems.append(f"{viewer} ({handler}): unexpected {sorted(seen - expected)}, "
                                f"missing {sorted(expected - seen)}")
    assert not problems, "\n".join(problems)
    kwame = cohort.caller("kwame")("state").json()
    assert kwame["reviews_received"] == [] and kwame["reviews_received_locked"] and \
        kwame["reviews_received_count"] == 1  # the gate: he knows a review arrived, not what it says
    anonymous = cohort.http("")("state")
    assert anonymous.cell == SIGN_IN and not cohort.markers_in(anonymous.body)


def test_staff_exports_carry_only_their_course(cohort):
    """The CSV exports: all of course A's texts for A's staff, none of B's (and the other way round)."""
    a_texts, b_texts = cohort.reachable_markers("staff"), cohort.reachable_markers("staff:B")
    seen = {"staff": set(), "staff:B": set()}
    for who in seen:
        for table in ("participants", "exchanges", "reviews", "ratings", "reflections", "staff_actions"):
            reply = cohort.caller(who)("export_csv", b"", method="GET", query=f"table={table}")
            assert reply.status == 200 and reply.body.startswith("\ufeff".encode()), (who, table, reply.body[:200])
            seen[who] |= cohort.markers_in(reply.body)
    assert seen["staff"] == {m for m in a_texts if not m.startswith("mk_contribution_")}  # no contribution table
    assert seen["staff:B"] == {m for m in b_texts if not m.startswith("mk_contribution_")}


def test_exports_neutralise_spreadsheet_formulas(cohort):
    """A text that a spreadsheet would run as a formula is exported with a leading apostrophe."""
    ok(cohort.caller("staff"), "staff_import_roster", {
        "csv": "username,country,organisation_type\n\"=HYPERLINK(\"\"http://x\"\")\",KE,other\n+1,KE,other\n"})
    reply = cohort.caller("staff")("export_csv", b"", method="GET", query="table=participants&usernames=1")
    rows = list(csv.reader(io.StringIO(reply.body.decode("utf-8-sig"))))
    names = {cell for row in rows for cell in row}
    assert "'=HYPERLINK(\"http://x\")" in names and "'+1" in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in names)


def test_anonymous_lms_user_gets_the_anonymous_column(cohort):
    """In the LMS, a visitor who is not signed in (`edx-platform.is_authenticated: False`): same answers."""
    caller = lms_caller({"edx-platform.anonymous_user_id": "anon-visitor", "edx-platform.is_authenticated": False},
                        usage=USAGE)
    before = snapshot()
    for handler, cells in MATRIX.items():
        method, query, payload = request_for(handler, cohort)
        body = json.dumps(payload).encode() if payload is not None else b""
        with rolled_back():
            reply = caller(handler, body, method=method, query=query)
            assert reply.cell == cells[ROLES.index("anonymous")], (handler, reply.body[:300])
            check_refusal_shape(reply)
            assert snapshot() == before, handler


def test_staff_of_another_course_on_this_course_is_a_newcomer(cohort):
    """The LMS computes `user_is_staff` for the course of the block: on course A's block, staff of course B
    arrive as a learner who has not started (a course-A anonymous id, not staff), never as staff."""
    caller = lms_caller({"edx-platform.anonymous_user_id": "anon-a-coach-b", "edx-platform.username": "coach_b",
                         "edx-platform.user_is_staff": False, "edx-platform.user_role": "student"}, usage=USAGE)
    for handler, cells in MATRIX.items():
        method, query, payload = request_for(handler, cohort)
        body = json.dumps(payload).encode() if payload is not None else b""
        with rolled_back():
            reply = caller(handler, body, method=method, query=query)
            assert reply.cell == cells[ROLES.index("newcomer")], (handler, reply.body[:300])
            assert not cohort.markers_in(reply.body), handler


def test_what_each_learner_downloads_is_their_state_and_their_notes(cohort):
    """`download_my_data`: the learner's `state` plus the rating notes they wrote (even on a review that staff
    hid since), nothing of anyone else's."""
    for viewer in VISIBILITY:
        reply = cohort.caller(viewer)("download_my_data", b"", method="GET")
        assert reply.status == 200, (viewer, reply.body[:300])
        own_notes = {m.text for m in cohort.markers if m.kind == "note" and m.author == viewer}
        assert cohort.markers_in(reply.body) == cohort.expected_markers(viewer) | own_notes, viewer


def test_every_handler_of_the_block_is_in_the_matrix():
    handlers = {name for name in dir(PeerExchangeBlock)
                if getattr(getattr(PeerExchangeBlock, name, None), "_is_xblock_handler", False)}
    assert handlers == set(MATRIX), "add the new handler to MATRIX and to docs/security.md"


def test_every_mlcourse_table_is_in_the_snapshot():
    assert set(apps.get_app_config("mlcourse").get_models()) == set(ACTIVITY_OF)


# --- the doc and the Python tables agree ---------------------------------------------------------------------------
def _doc_table(name) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {name} -->\n(.*?)\n<!-- /{name} -->", text, re.S)
    assert block, f"docs/security.md has no <!-- {name} --> table"
    rows = [line.strip().strip("|").split("|") for line in block.group(1).splitlines() if line.startswith("|")]
    rows = [[cell.strip().replace("`", "").replace("**", "") for cell in row] for row in rows]
    return [row for row in rows if not set("".join(row)) <= set("-: ")]  # drop the |---| line


def _codes(cell: str) -> str:
    """'deny 403 forbidden' -> '403 forbidden'; 'allow 200' -> '200' (the words are for readers)."""
    match = re.search(r"(\d{3})(?: (\w+))?", cell)
    assert match, cell
    return match.group(1) if match.group(1) == "200" else f"{match.group(1)} {match.group(2)}"


def test_the_doc_tables_match_the_python_tables():
    matrix = _doc_table("authz-matrix")
    header, rows = matrix[0], matrix[1:]
    assert [h.split(" (")[0] for h in header[1:]] == list(ROLES), header
    doc = {row[0].split(" ")[0]: tuple(_codes(cell) for cell in row[1:]) for row in rows if row[0] != "state shows"}
    assert doc == MATRIX
    shows = next(row for row in rows if row[0] == "state shows")
    for role, cell in zip(ROLES, shows[1:]):
        kinds = set() if cell in ("nothing", "nothing (403)") else {k.strip() for k in cell.split(",")}
        assert kinds == VISIBILITY.get(ROLE_PLAYER[role], set()), (role, cell)
    visibility = _doc_table("visibility")
    assert tuple(visibility[0][1:]) == KINDS, visibility[0]
    doc = {row[0].split(" ")[0]: {kind for kind, cell in zip(KINDS, row[1:]) if cell == "yes"}
           for row in visibility[1:]}
    assert doc == VISIBILITY
