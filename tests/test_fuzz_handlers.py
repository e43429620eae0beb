"""Fuzzing every handler of the peer exchange block with hypothesis: at least 1,000 generated requests each.

The cohort of tests/test_authorization.py (learners in every phase, in two activities, with hidden items and a
silent partner) is built once; every request then runs in a savepoint that is rolled back, so each one meets
the same cohort and each handler is fuzzed by a caller in the phase where it does real work (kwame may review,
helen may rate, li may reflect, pablo may ask for a new partner, staff may do anything) — plus, now and then, by
a caller who must be refused (anonymous, or a learner at a staff handler).

Requests go through the workbench runtime directly (`runtime.handle(block, name, webob.Request)`: the handler
path of the workbench's view, without HTTP), and about one in 25 through Django's test client and the workbench's
real URL. For every request: status < 500; a 4xx answer is JSON with exactly `error` (non-empty) and `code`
(plus an optional `details` object); a refused request leaves every mlcourse table (and the block's stored
fields) exactly as before; refused callers never get a 200. Run with `-s` to see the request counts.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xblock.fields import String

from mlcourse.blocks.base import MAX_BODY_BYTES
from mlcourse.blocks.peer_exchange_ui import PARTNER_RULES
from mlcourse.models import Activity, Contribution, Exchange, OrganisationType, Participant, Rating, Review
from mlcourse.services.exports import TABLES
from mlcourse.services.staff_overview import STATUSES
from test_authorization import (MATRIX, STUDIO_SETTINGS, Cohort, Reply, check_refusal_shape, rolled_back, snapshot,
                                workbench_caller)
from test_authorization import cohort  # noqa: F401 - the fixture: learners in every phase

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("MLCOURSE_FUZZ_EXAMPLES", "1000"))  # fewer for a quick local look
HTTP_SHARE = 25  # about one request in 25 (drawn) through Django's test client and the workbench's URL
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large, HealthCheck.large_base_example,
                                                HealthCheck.filter_too_much])
# Who fuzzes each handler: callers in the phase where it does real work, then one who must be refused.
FUZZ_AS = {
    "state": (["kwame", "sadia", "omar", "nora"], ""),
    "save_context": (["nora", "carla"], ""),
    "submit_contribution": (["carla", "sadia"], ""),
    "submit_review": (["kwame"], ""),
    "rate_review": (["helen"], ""),
    "submit_reflection": (["li"], ""),
    "request_new_partner": (["pablo"], ""),
    "download_my_data": (["omar", "kwame", "lena"], ""),
    "student_view_user_state": (["kwame", "helen", "sadia"], ""),
    "studio_submit": (["staff"], "kwame"),
    **{name: (["staff"], "kwame") for name in MATRIX if name.startswith("staff_")},
    "export_csv": (["staff"], "kwame"),
}
GET_HANDLERS = {"export_csv", "download_my_data", "student_view_user_state"}

# --- values ------------------------------------------------------------------------------------------------------
ODD = ["", " ", "\u202e", "\u202d", "\u200f", "\u2066", "\u2069", "\u061c", "\ufeff", "\u200b", "\u00a0", "\u3000",
       "e\u0301\u0301\u0301", "Z\u0336\u0335\u0334", "\u0301", "👩🏽‍💻", "🇧🇷", "\U0001f4a9", "𝕳𝖊𝖑𝖑𝖔", "ﬀ", "ß", "ı", "İ",
       "مرحبا بالعالم", "שלום", "日本語の文章", "\x00", "\x01", "\x1f", "\x7f", "\t", "\n", "\r\n", "\u2028", "\u2029",
       "\\", '"', "'", "<script>alert(1)</script>", "</script>", "=1+1", "@SUM(A1)", "-2", "+3", "%s", "%(field)s",
       "{0}", "NaN", "null", "../../etc/passwd", "\U000e0001"]
LONE_SURROGATES = ["\ud800", "\udfff", "\ud83d", "x\udc00y", "\ud83d\ude00"[1:]]
WORDS = ["evidence", "policy", "ministry", "budget", "schools", "prices", "données", "política", "政策", "証拠",
         "سياسة", "न्याय", "évaluation", "co-operation", "don't", "2024", "—"]
MAX_ID = 2**62


def xblock_clean(value):
    """`value` without the characters XBlock's String field strips (control characters, U+FFFE/FFFF), deeply."""
    if isinstance(value, str):
        return String.BAD_REGEX.sub("", value)
    if isinstance(value, list):
        return [xblock_clean(item) for item in value]
    if isinstance(value, dict):
        return {xblock_clean(key): xblock_clean(item) for key, item in value.items()}
    return value


def mostly(plausible, other, share=80):
    """`share`% of the time a plausible value, else something else (hypothesis favours small draws: 0 is
    "plausible", which also makes the shrunk failing examples plausible ones)."""
    @st.composite
    def pick(draw):
        return draw(plausible if draw(st.integers(0, 99)) < share else other)

    return pick()


short_text = st.one_of(st.text(max_size=30), st.sampled_from(ODD),
                       st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=6)), max_size=10).map("".join))
plain_text = st.lists(st.sampled_from(WORDS + ["\u202e", "👩🏽‍💻", "e\u0301"]), min_size=1, max_size=12).map(" ".join)
long_text = st.builds(lambda unit, n: unit * n, st.sampled_from(["x", "é", "日", "👩🏽‍💻", " word", "\u202e", "\u0301"]),
                      st.one_of(st.integers(4_990, 5_010), st.integers(19_990, 20_010), st.integers(30_000, 140_000)))
texts = st.one_of(short_text, short_text, plain_text, long_text)
numbers = st.one_of(st.integers(), st.floats(),
                    st.sampled_from([0, -1, 1, 5, 6, 2**31, 2**53 + 1, MAX_ID, MAX_ID + 1, 2**63, 2**64, -2**64,
                                     10**30, 1e308, -1e308, math.inf, -math.inf, math.nan, 0.5, 3.0, -0.0, 1e-320]))
datetimes = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                         timezones=st.one_of(st.none(), st.timezones(),
                                             st.builds(dt_timezone, st.timedeltas(timedelta(hours=-23, minutes=-59),
                                                                                  timedelta(hours=23, minutes=59)))))
# 38-620 words (the scenario asks for 40-600) with odd characters among them; drawn cheaply from a seed.
contribution_text = st.builds(
    lambda n, seed, odd: " ".join(random.Random(seed).choices(WORDS, k=n) + odd),
    st.integers(38, 620), st.integers(0, 2**32), st.lists(st.sampled_from(ODD), max_size=4))
iso_dates = st.one_of(datetimes.map(datetime.isoformat), datetimes.map(lambda d: d.date().isoformat()),
                      st.sampled_from(["2030-01-01T00:00:00Z", "2030-13-01", "0000-01-01", "2030-01-01T25:00",
                                       "tomorrow", "2030-01-01T00:00:00+24:00", "99999-01-01"]))


@dataclass
class Pools:
    """Ids that exist in the cohort: of this activity, of the other one (course B), and nonsense."""

    participants: list[int]
    exchanges: list[int]
    reviews: list[int]
    contributions: list[int]
    others: list[int] = field(default_factory=list)

    @property
    def ids(self):
        known = self.participants + self.exchanges + self.reviews + self.contributions + self.others
        return st.one_of(st.sampled_from(known), st.sampled_from(known), numbers)


def anything(pools):
    scalars = st.one_of(st.none(), st.booleans(), numbers, short_text, pools.ids)
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(short_text, inner, max_size=4)),
                        max_leaves=8)


def payload(pools, fields, known_keys, missing=10, wrong=10, extra=10, clean=None):
    """A JSON object: each field missing (`missing`%), of any type (`wrong`%) or plausible; extra keys (`extra`%),
    often the keys of other handlers (`known_keys`)."""
    any_value = anything(pools) if clean is None else anything(pools).map(clean)
    percent = st.integers(0, 99)
    extras = st.dictionaries(st.one_of(short_text, st.sampled_from(known_keys)), any_value, min_size=1, max_size=3)

    @st.composite
    def build(draw):
        result = {}
        for key, plausible in fields.items():
            roll = draw(percent)  # hypothesis favours 0 and small values: 0 is "plausible"
            if roll >= 100 - missing:
                continue
            result[key] = draw(any_value if roll >= 100 - missing - wrong else plausible)
        if draw(percent) >= 100 - extra:
            result.update(draw(extras))
        return result

    return build()


def roster_csv():
    ids = mostly(st.sampled_from(["newbie1", "newbie2", "newbie3", "carla", "nora"]),
                 st.one_of(st.sampled_from(["ana", "sadia", "anon-zed", "kwame", "Ana", " ", "x" * 256]), short_text))
    country = mostly(st.sampled_from(["GH", "br", "PK", "NZ"]), st.one_of(st.sampled_from(["XX", "", "ıN"]),
                                                                          short_text))
    org = mostly(st.sampled_from([*OrganisationType.values, "Research"]),
                 st.one_of(st.sampled_from(["", "other ", "gov"]), short_text))
    header = mostly(st.sampled_from([["anonymous_id", "country", "organisation_type"],
                                     ["username", "Country", "Organization Type", "email"]]),
                    st.lists(st.sampled_from(["username", "anonymous_id", "anonymous-user-id", "country",
                                              "organisation_type", "name", "", "Country"]), max_size=5))

    rows = st.lists(st.tuples(ids, country, org), min_size=1, max_size=12)
    delimiters, line_ends = st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"])

    @st.composite
    def build(draw):
        if draw(st.integers(0, 99)) == 7:  # about the row limit (20,000): short rows, to fit in 256 KB
            count = draw(st.integers(19_995, 20_005))
            return "anonymous_id,country,organisation_type\n" + ",GH,other\n" * count
        out = io.StringIO()
        writer = csv.writer(out, delimiter=draw(delimiters), lineterminator=draw(line_ends))
        writer.writerow(draw(header))
        for row in draw(rows):
            writer.writerow(row)
        text = out.getvalue()
        roll = draw(st.integers(0, 9))
        if roll == 9:
            text = "\ufeff" + text
        elif roll == 8:
            text = text.replace(",", ',"', 1)  # an unterminated quote
        return text

    return build()


def payloads(pools: Pools, who: dict) -> dict:
    """Plausible-payload strategies per handler (`who`: the ids a plausible value should often hit)."""
    scale = mostly(st.integers(1, 5), st.one_of(numbers, st.sampled_from([True, "3", 3.0, 2.5, None, ""])))
    answers = mostly(st.fixed_dictionaries({"q1": scale, "q2": scale}, optional={"q3": mostly(plain_text, texts)}),
                     st.fixed_dictionaries({}, optional={"q1": scale, "q2": scale, "q3": texts, "q4": scale}))
    rubric_question = st.fixed_dictionaries(
        {"id": mostly(st.sampled_from(["q1", "q2", "q3", "a", " q1 "]), anything(pools)),
         "label": mostly(plain_text, texts), "type": mostly(st.sampled_from(["scale", "text"]), short_text)},
        optional={"required": mostly(st.booleans(), anything(pools))})
    hours = st.one_of(st.integers(1, 24 * 60), st.floats(1, 24 * 60))
    weight = st.one_of(st.floats(0, 1), st.sampled_from([0, 1, 0.3]))
    safe_dates = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31),
                              timezones=st.one_of(st.none(), st.timezones())).map(datetime.isoformat)
    kinds = mostly(st.sampled_from(["review", "contribution"]), st.sampled_from(["rating", "reflection", "", "Review"]))
    hideable = st.sampled_from(pools.reviews + pools.contributions)
    table = {
        "state": {},
        "save_context": {
            "country": mostly(st.sampled_from(["BR", "GH", "NZ", "IN", "pk", "Br"]),
                              st.one_of(st.sampled_from(["", "XX", "BRA", "B", "ıN", "ßa", "\x00\x00", "🇧🇷"]),
                                        short_text)),
            "organisation_type": mostly(st.sampled_from(OrganisationType.values),
                                        st.one_of(st.sampled_from(["Research", "", "other "]), short_text)),
            "languages": mostly(st.lists(st.sampled_from(["en", "pt", "fr", "ur", "zh"]), max_size=5),
                                st.lists(st.one_of(st.sampled_from(["EN", "xx", "", "eng"]), anything(pools)),
                                         max_size=25)),
            "time_zone": mostly(st.sampled_from(["", "UTC", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham",
                                                 "Etc/GMT+12", None]),
                                st.one_of(st.sampled_from(["Not/AZone", "localtime", "../../etc/passwd", "utc",
                                                           "UTC\x00"]), short_text)),
        },
        "submit_contribution": {
            "text": mostly(contribution_text, texts)},
        "submit_review": {"reviewee": mostly(st.just(who["reviewee"]), pools.ids, share=60), "answers": mostly(answers, texts),
                          "learned": mostly(plain_text, texts), "suggestion": mostly(plain_text, texts)},
        "rate_review": {"review": mostly(st.just(who["review"]), pools.ids, share=60),
                        "helpfulness": mostly(st.integers(1, 5), numbers), "note": mostly(plain_text, texts)},
        "submit_reflection": {"text": mostly(plain_text, texts)},
        "request_new_partner": {},
        "studio_submit": {key: mostly(st.just(STUDIO_SETTINGS[key]), variant, share=60) for key, variant in {
            # Without the characters XBlock's String field strips (see test_studio_text_with_control_characters):
            "display_name": mostly(plain_text, texts.map(xblock_clean)),
            "prompt": mostly(plain_text, texts.map(xblock_clean)),
            "rubric": mostly(st.lists(rubric_question, min_size=1, max_size=13, unique_by=lambda q: str(q["id"])),
                             st.lists(anything(pools))),
            "partner_rule": mostly(st.sampled_from(PARTNER_RULES), short_text),
            "allow_triads": mostly(st.booleans(), anything(pools)), "anonymous": mostly(st.booleans(), numbers),
            "fallback_window_hours": mostly(hours, numbers), "review_window_hours": mostly(hours, numbers),
            "min_words": mostly(st.integers(0, 60), numbers), "max_words": mostly(st.integers(40, 5000), numbers),
            "weight_contribution": mostly(weight, numbers), "weight_reviews": mostly(weight, numbers),
            "weight_reflection": mostly(weight, numbers),
            # Dates within years 2-9998: see test_studio_deadline_keeps_its_utc_offset for the far ends.
            "submission_due": mostly(st.one_of(st.none(), safe_dates), st.one_of(short_text, numbers)),
            "review_due": mostly(st.one_of(st.none(), safe_dates), st.one_of(short_text, numbers)),
        }.items()},
        "staff_overview": {
            "waiting_page": mostly(st.integers(1, 5), numbers), "exchanges_page": mostly(st.integers(1, 5), numbers),
            "page_size": mostly(st.integers(1, 100), numbers), "status": mostly(st.sampled_from(STATUSES), texts),
            "country": mostly(st.sampled_from(["BR", "gh", "", "PK", "ZZ"]), texts)},
        "staff_pair": {"participants": mostly(st.permutations(who["waiting"]), st.one_of(
                           st.lists(st.sampled_from(who["waiting"] + pools.participants), min_size=2, max_size=3,
                                    unique=True), st.lists(pools.ids, max_size=5))),
                       "confirm": mostly(st.just(True), anything(pools))},
        "staff_dissolve": {"exchange": mostly(st.sampled_from(pools.exchanges), pools.ids),
                           "reason": mostly(plain_text, texts)},
        "staff_batch_pair": {"dry_run": mostly(st.booleans(), anything(pools)),
                             "include_same_country": mostly(st.booleans(), anything(pools))},
        "staff_hide": {"kind": kinds, "id": mostly(hideable, pools.ids), "reason": mostly(plain_text, texts)},
        "staff_unhide": {"kind": kinds, "id": mostly(st.sampled_from(who["hidden"]), pools.ids)},
        "staff_extend_deadline": {"participant": mostly(st.sampled_from(pools.participants), pools.ids),
                                  "submission_due": mostly(st.one_of(st.none(), iso_dates), texts),
                                  "review_due": mostly(st.one_of(st.none(), iso_dates), numbers)},
        "staff_import_roster": {"csv": mostly(roster_csv(), texts)},
    }
    return table


# --- requests ----------------------------------------------------------------------------------------------------
@dataclass
class Fuzzed:
    body: bytes
    kind: str  # json, non_object, malformed, maybe, non_utf8, surrogate, huge, deep, empty
    who: str
    intruder: bool
    method: str = "POST"
    query: str = ""
    http: bool = False

    def __repr__(self):
        body = self.body if len(self.body) <= 300 else self.body[:300] + b"...(%d bytes)" % len(self.body)
        return (f"Fuzzed(kind={self.kind!r}, who={self.who!r}, method={self.method!r}, query={self.query!r}, "
                f"http={self.http}, body={body!r})")


MALFORMED = [b"{", b"}", b"{'a': 1}", b'{"a":1,}', b'{"a" 1}', b"{}{}", b'{"a":1}x', b"[1,]", b"nul", b"tru",
             b'"unterminated', b"{\"a\":\x00}", b"\x00", b"{/* c */}", b"+1", b"0x10", b".5", b"{\"a\":01}",
             b'{"\\x41": 1}', b'{"a": "\\ud800"}', b'{"a": "\t"}', b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00"]


def encode(data, ascii_only: bool) -> bytes:
    text = json.dumps(data, ensure_ascii=ascii_only)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate then makes bytes that are not UTF-8


def has_lone_surrogate(data) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def requests(handler, pools, table):
    """Requests to `handler`: mostly JSON objects built from `table[handler]`, else every other kind of body."""
    players, intruder = FUZZ_AS[handler]
    plausible = table.get(handler, {})
    known_keys = sorted({key for fields in table.values() for key in fields})
    # studio_submit needs all 15 settings right at once; request_new_partner ({}) succeeds dearly: more extras.
    tuning = {"studio_submit": {"missing": 2, "wrong": 2, "clean": xblock_clean}, "request_new_partner": {"extra": 70},
              "state": {"extra": 45}}.get(handler, {})
    objects = payload(pools, plausible, known_keys, **tuning)
    non_objects = st.one_of(st.lists(anything(pools), max_size=3), short_text, numbers, st.none(), st.booleans())
    # Strategies are built once here: building them inside `build` would cost more than drawing from them.
    percent, who_plays, http_roll = st.integers(0, 99), st.sampled_from(players), st.integers(0, HTTP_SHARE - 1)
    tables = mostly(st.sampled_from(TABLES), st.one_of(short_text, st.sampled_from(
        ["", "users", "../x", "participants\x00", "REVIEWS"])))
    usernames, keep = st.sampled_from(["1", "0", "", "true", "1\x00"]), st.integers(0, 9)
    get_methods = mostly(st.just("GET"), st.sampled_from(["POST", "PUT", "DELETE"]))
    get_bodies = st.one_of(st.just(b""), st.binary(max_size=50))
    other_methods = st.sampled_from(["GET", "PUT", "DELETE", "PATCH"])
    keys, malformed, lone = st.sampled_from(sorted(plausible) or ["x"]), st.sampled_from(MALFORMED), \
        st.sampled_from(LONE_SURROGATES)
    sizes = st.sampled_from([MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 200_000, 300_000])
    units, depths = st.sampled_from(["x", "é", "\u202e"]), st.sampled_from([10, 500, 990, 5_000, 100_000, 200_000])
    shapes, blanks = st.sampled_from(["list", "object", "field"]), st.sampled_from([b"", b" ", b"\n\t ", b"\r\n"])
    spoil = st.integers(0, 4)

    @st.composite
    def build(draw):
        is_intruder = intruder is not None and draw(percent) >= 92
        who = intruder if is_intruder else draw(who_plays)
        http = draw(http_roll) == HTTP_SHARE - 1
        if handler in GET_HANDLERS:
            params = {"table": draw(tables), "usernames": draw(usernames)}
            params = {k: v for k, v in params.items() if draw(keep) < 9}
            query = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in params.items()})
            return Fuzzed(draw(get_bodies), "query", who, is_intruder, draw(get_methods), query, http)
        method = "POST" if draw(percent) < 97 else draw(other_methods)
        roll = draw(percent)
        if roll < 70:
            data = draw(objects)
            body, kind = encode(data, draw(st.booleans())), "surrogate" if has_lone_surrogate(data) else "json"
        elif roll < 76:
            body, kind = encode(draw(non_objects), draw(st.booleans())), "non_object"
        elif roll < 82:
            if draw(st.booleans()):
                body, kind = draw(malformed), "malformed"
            else:  # a valid request cut short: usually malformed, sometimes still JSON
                whole = encode(draw(objects), True)
                body, kind = whole[:draw(st.integers(0, max(0, len(whole) - 1)))], "maybe"
        elif roll < 86:
            text = json.dumps(draw(objects), ensure_ascii=False)
            body = [lambda: text.encode("latin-1", "replace"), lambda: text.encode("utf-16"),
                    lambda: text.encode("utf-8", "surrogatepass") + b"\xff", lambda: b"\xc3\x28" + b"{}",
                    lambda: text.encode("utf-8", "surrogatepass").replace(b"{", b"{\xed\xa0\x80", 1)][draw(spoil)]()
            kind = "maybe"
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                kind = "non_utf8"
        elif roll < 89:
            data = draw(objects)
            data[draw(keys)] = draw(lone)
            body, kind = json.dumps(data).encode(), "surrogate"
        elif roll < 93:
            size = draw(sizes)
            head, tail = b'{"' + draw(keys).encode() + b'": "', b'"}'
            filler = (draw(units) * size).encode()[:size - len(head) - len(tail)]
            body, kind = head + filler.decode("utf-8", "ignore").encode() + tail, "huge"
        elif roll < 97:
            depth, shape = draw(depths), draw(shapes)
            if shape == "list":
                body = b"[" * depth + b"]" * depth
            elif shape == "object":
                body = b'{"a":' * depth + b"1" + b"}" * depth
            else:
                body = b'{"' + draw(keys).encode() + b'": ' + b"[" * depth + b"]" * depth + b"}"
            kind = "deep" if depth >= 5_000 else "maybe"
        else:
            body, kind = draw(blanks), "empty"
        return Fuzzed(body, kind, who, is_intruder, method, "", http)

    return build()


# --- running and checking ---------------------------------------------------------------------------------------
def total_changes():
    """SQLite's count of rows written on this connection (rolled back or not): a cheap "nothing was written"."""
    raw = getattr(connection, "connection", None)
    return getattr(raw, "total_changes", None)


@dataclass
class Tally:
    requests: int = 0
    http: int = 0
    intruders: int = 0
    seconds: float = 0.0
    outcomes: Counter = field(default_factory=Counter)


class Fuzzer:
    def __init__(self, cohort):
        self.cohort = cohort
        self.baseline = snapshot()
        self.runtime_callers = {}
        self.tallies: dict[str, Tally] = {}

    def caller(self, who, http):
        if http:
            return self.cohort.http(who)
        if who not in self.runtime_callers:
            self.runtime_callers[who] = workbench_caller(who)
        return self.runtime_callers[who]

    def send(self, handler, request: Fuzzed) -> None:
        tally = self.tallies.setdefault(handler, Tally())
        caller = self.caller(request.who, request.http)
        started = time.perf_counter()
        with rolled_back():
            written_before = total_changes()
            try:
                reply = caller(handler, request.body, method=request.method, query=request.query)
            except Exception as exc:  # what the workbench would answer as a 500
                if not request.http:
                    caller.refresh()  # a handler that stopped half-way may have left fields set on the block
                raise AssertionError(f"{handler} raised {exc!r} on {request!r}") from exc
            self.check(handler, request, reply, written_before)
        if reply.status == 200 and handler == "studio_submit" and not request.http:
            caller.refresh()  # the block's cached settings hold what the rolled-back request saved
        tally.requests += 1
        tally.http += request.http
        tally.intruders += request.intruder
        tally.seconds += time.perf_counter() - started
        if reply.status == 200:
            tally.outcomes[200] += 1
        else:  # Django's own 400 page (a body over DATA_UPLOAD_MAX_MEMORY_SIZE) has no code
            code = reply.json()["code"] if reply.content_type.startswith("application/json") else "django"
            tally.outcomes[f"{reply.status} {code}"] += 1

    def check(self, handler, request: Fuzzed, reply: Reply, written_before) -> None:
        where = f"{handler} answered {reply.status} {reply.body[:300]!r} to {request!r}"
        assert reply.status < 500, where
        if request.http and len(request.body) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            # Django refuses it before any view runs (its own 400 page, as in the LMS): nothing reaches us.
            assert reply.status == 400, where
            assert (written_before is not None and total_changes() == written_before) or snapshot() == self.baseline
            return
        if reply.status >= 400:
            try:
                data = check_refusal_shape(reply)
            except (AssertionError, ValueError) as exc:
                raise AssertionError(f"bad refusal shape ({exc}): {where}") from exc
            unchanged = written_before is not None and total_changes() == written_before
            assert unchanged or snapshot() == self.baseline, f"refused, yet the database changed: {where}"
        else:
            assert reply.status == 200, where
            assert not request.intruder, f"a caller who must be refused got in: {where}"
            if handler == "export_csv":
                assert reply.body.startswith("\ufeff".encode()), where
            else:
                assert isinstance(reply.json(), dict), where
        if handler in GET_HANDLERS:
            return
        code = data["code"] if reply.status >= 400 else None
        if request.method != "POST":
            assert (reply.status, code) == (405, "method_not_allowed"), where
        elif len(request.body) > MAX_BODY_BYTES:
            assert (reply.status, code) == (413, "too_large"), where
        elif request.kind in ("malformed", "non_utf8", "surrogate", "deep"):
            assert (reply.status, code) == (400, "invalid_json"), where


def fuzz(handler, fuzzer, strategy) -> Tally:
    @FUZZ_SETTINGS
    @given(strategy)
    def run(request):
        fuzzer.send(handler, request)

    run()
    return fuzzer.tallies[handler]


def pools_of(cohort) -> tuple[Pools, dict]:
    ids = cohort.ids
    activity_b = Activity.objects.get(pk=cohort.activity_b)
    pools = Pools(participants=list(Participant.objects.values_list("pk", flat=True)),
                  exchanges=list(Exchange.objects.values_list("pk", flat=True)),
                  reviews=list(Review.objects.values_list("pk", flat=True)),
                  contributions=list(Contribution.objects.values_list("pk", flat=True)),
                  others=[activity_b.pk, *Rating.objects.values_list("pk", flat=True)])
    hidden = [cohort.review_id("omar", "lena"), Contribution.objects.get(participant_id=ids["lena"]).pk]
    who = {"reviewee": ids["ana"], "review": cohort.review_id("li", "helen"), "waiting": [ids["sadia"], ids["bilal"]],
           "hidden": hidden}
    return pools, who


SUMMARY: dict[str, Tally] = {}


@pytest.fixture(scope="module", autouse=True)
def print_totals():
    yield
    if not SUMMARY:
        return
    width = max(len(name) for name in SUMMARY)
    print(f"\n\nFuzzed requests per handler (hypothesis, {EXAMPLES} examples each; 1 in {HTTP_SHARE} over HTTP):")
    for name, tally in SUMMARY.items():
        outcomes = ", ".join(f"{outcome}: {n}" for outcome, n in tally.outcomes.most_common())
        print(f"  {name:<{width}}  {tally.requests:>5} requests ({tally.http:>3} over HTTP, {tally.intruders:>3} from "
              f"callers to refuse) {tally.seconds:5.1f} s")
        print(f"  {'':<{width}}    {outcomes}")
    total = sum(t.requests for t in SUMMARY.values())
    print(f"  {'total':<{width}}  {total:>5} requests, {sum(t.seconds for t in SUMMARY.values()):.1f} s in handlers\n")


def test_fuzz_every_handler(cohort, subtests):
    """≥ 1,000 generated requests per handler, one cohort for all (each request rolled back)."""
    pools, who = pools_of(cohort)
    plausible = payloads(pools, who)
    fuzzer = Fuzzer(cohort)
    only = os.environ.get("MLCOURSE_FUZZ_HANDLERS", "").split(",")  # e.g. "staff_pair,state" for a quick look
    for handler in [name for name in FUZZ_AS if only == [""] or name in only]:
        with subtests.test(handler=handler):
            tally = fuzz(handler, fuzzer, requests(handler, pools, plausible))
            SUMMARY[handler] = tally
            assert tally.requests >= EXAMPLES, tally
            assert tally.outcomes[200], f"{handler}: no request got through validation: {tally.outcomes}"
    assert set(FUZZ_AS) == set(MATRIX), "every handler of the block is fuzzed"
    assert snapshot() == fuzzer.baseline  # every request was rolled back: the cohort is as it was


def test_studio_deadline_keeps_its_utc_offset(client, scenarios, settings):
    """Found by the fuzzer: "2030-01-01T00:00:00+14:00" is stored as 2030-01-01T00:00 UTC, 14 hours late."""
    settings.MLCOURSE_WORKBENCH_STAFF_IDS = {"staff"}
    cohort = Cohort(client)
    due = "2030-01-01T00:00:00+14:00"  # = 2029-12-31T10:00:00 UTC
    reply = cohort.http("staff")("studio_submit", json.dumps({**STUDIO_SETTINGS, "submission_due": due}).encode())
    assert reply.status == 200, reply.body
    state = cohort.http("ana")("state").json()
    assert datetime.fromisoformat(state["deadlines"]["submission_due"]) == datetime.fromisoformat(due)


def test_studio_text_with_control_characters_is_refused(client, scenarios, settings):
    """Found by the fuzzer: a prompt holding "\\x1f" (or NUL, U+FFFF) should be refused like learner text is."""
    settings.MLCOURSE_WORKBENCH_STAFF_IDS = {"staff"}
    reply = Cohort(client).http("staff")("studio_submit",
                                         json.dumps({**STUDIO_SETTINGS, "prompt": "Write\x1f."}).encode())
    assert reply.status == 400 and reply.json()["code"] == "invalid_settings"
