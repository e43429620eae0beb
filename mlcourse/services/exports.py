"""Staff CSV exports of one activity, streamed: rows come lazily from one database cursor per table.

`export_rows` checks the actor and the table at once, then returns a generator that runs its query (with
annotations and joins: no query per row) only when the first data row is asked for, reading in chunks so a
large cohort never sits in memory. `csv_lines` turns the rows into CSV bytes for Excel, with spreadsheet
formulas neutralised.

Learners are identified by their anonymous `learner_id`; their display names appear only with
`usernames=True`, which the block allows or not.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import groupby

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from mlcourse.models import Activity, Exchange, Membership, Participant, Rating, Reflection, Review, StaffAction

from .audit import require_staff
from .config import ActivityConfig
from .errors import N_, ApiError
from .records import find_activity

TABLES = ("participants", "exchanges", "reviews", "ratings", "reflections", "staff_actions")
CHUNK = 1000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def export_rows(config: ActivityConfig, actor, table: str, usernames: bool = False) -> tuple[str, Iterator[list]]:
    """(file name, lazy rows of `table`, the header first); refuses non-staff and unknown tables at once."""
    require_staff(actor)
    if table not in TABLES:
        raise ApiError("unknown_table", N_("Unknown export: %(table)s."), table=str(table)[:60])
    activity = find_activity(config)
    filename = f"peer-exchange-{table.replace('_', '-')}.csv"
    return filename, _ROWS[table](config, activity, bool(usernames))


def csv_lines(rows: Iterable[list]) -> Iterator[bytes]:
    """One UTF-8 CSV line per row (`\\r\\n` ends, a BOM first so Excel reads UTF-8), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    prefix = BOM
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
        yield (prefix + buffer.getvalue()).encode("utf-8")
        prefix = ""
        buffer.seek(0)
        buffer.truncate()
    if prefix:  # no rows at all: still a valid (empty) UTF-8 file
        yield prefix.encode("utf-8")


def _safe(cell):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; other values stay as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _date(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _yes(value) -> str:
    return "yes" if value else "no"


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value not in (None, {}, []) else ""


def _count(model, field: str):
    """Correlated COUNT of `model` rows whose `field` is the outer participant (0 when none)."""
    counted = (model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _participants(config: ActivityConfig, activity: Activity | None, usernames: bool) -> Iterator[list]:
    yield ["learner_id", *(["username"] if usernames else []), "country", "organisation_type", "languages",
           "time_zone", "contributed", "word_count", "waiting_since", "exchange_id", "reviews_given",
           "reviews_received", "reflection", "submission_due", "review_due"]
    if activity is None:
        return
    current = Membership.objects.filter(participant=OuterRef("pk"), current=True).values("exchange_id")[:1]
    query = (Participant.objects.filter(activity=activity).order_by("pk")
             .annotate(current_exchange=Subquery(current),
                       given=_count(Review, "reviewer"),
                       received=_count(Review, "reviewee"),
                       reflected=Exists(Reflection.objects.filter(participant=OuterRef("pk"))))
             .values_list("learner_id", "display_name", "country", "organisation_type", "languages", "time_zone",
                          "contribution__word_count", "waiting_since", "current_exchange", "given", "received",
                          "reflected", "submission_due", "review_due"))
    for (learner_id, name, country, org, languages, tz, words, waiting, exchange_id, given, received, reflected,
         submission_due, review_due) in query.iterator(chunk_size=CHUNK):
        yield [learner_id, *([name] if usernames else []), country, org, " ".join(languages or []), tz,
               _yes(words is not None), words if words is not None else "", _date(waiting),
               exchange_id if exchange_id is not None else "", given, received, _yes(reflected),
               _date(submission_due), _date(review_due)]


def _exchanges(config: ActivityConfig, activity: Activity | None, usernames: bool) -> Iterator[list]:
    """One row per exchange; `members` lists everyone who was ever in it (join order), `left` those who left."""
    yield ["exchange_id", "status", "reasons", "created", "closed", "members", *(["usernames"] if usernames else []),
           "countries", "left"]
    if activity is None:
        return
    # One row per membership (LEFT JOIN: an exchange without members still gives one row), grouped here.
    query = (Exchange.objects.filter(activity=activity)
             .order_by("pk", "memberships__joined", "memberships__pk")
             .values_list("pk", "status", "reasons", "created", "closed", "memberships__participant__learner_id",
                          "memberships__participant__display_name", "memberships__participant__country",
                          "memberships__current"))
    for exchange_id, group in groupby(query.iterator(chunk_size=CHUNK), key=lambda r: r[0]):
        group = list(group)  # the members of one exchange: two or three rows
        _pk, status, reasons, created, closed = group[0][:5]
        members = [r for r in group if r[5] is not None]
        yield [exchange_id, status, " ".join(reasons or []), _date(created), _date(closed),
               " ".join(r[5] for r in members), *([" ".join(r[6] for r in members)] if usernames else []),
               " ".join(r[7] for r in members), " ".join(r[5] for r in members if not r[8])]


def _reviews(config: ActivityConfig, activity: Activity | None, usernames: bool) -> Iterator[list]:
    """One column per question of the current rubric; answers to questions since removed go to `other_answers`."""
    rubric = list(config.rubric)
    yield ["review_id", "exchange_id", "reviewer", "reviewee",
           *(["reviewer_username", "reviewee_username"] if usernames else []),
           "reviewer_country", "reviewee_country", "submitted", *[q.label for q in rubric], "other_answers",
           "learned", "suggestion", "hidden_reason", "helpfulness"]
    if activity is None:
        return
    ids = {q.id for q in rubric}
    query = (Review.objects.filter(exchange__activity=activity).order_by("pk")
             .values_list("pk", "exchange_id", "reviewer__learner_id", "reviewee__learner_id",
                          "reviewer__display_name", "reviewee__display_name", "reviewer__country",
                          "reviewee__country", "submitted", "answers", "learned", "suggestion", "hidden_reason",
                          "rating__helpfulness"))
    for (pk, exchange_id, reviewer, reviewee, reviewer_name, reviewee_name, reviewer_country, reviewee_country,
         submitted, answers, learned, suggestion, hidden_reason, helpfulness) in query.iterator(chunk_size=CHUNK):
        answers = answers if isinstance(answers, dict) else {}
        other = {key: value for key, value in answers.items() if key not in ids}
        yield [pk, exchange_id, reviewer, reviewee, *([reviewer_name, reviewee_name] if usernames else []),
               reviewer_country, reviewee_country, _date(submitted),
               *[_answer(answers.get(q.id)) for q in rubric], _json(other), learned, suggestion, hidden_reason,
               helpfulness if helpfulness is not None else ""]


def _answer(value):
    if value is None:
        return ""
    return value if isinstance(value, (int, str)) else json.dumps(value, ensure_ascii=False)


def _ratings(config: ActivityConfig, activity: Activity | None, usernames: bool) -> Iterator[list]:
    yield ["review_id", "reviewer", "reviewee", *(["reviewer_username", "reviewee_username"] if usernames else []),
           "helpfulness", "note", "submitted"]
    if activity is None:
        return
    query = (Rating.objects.filter(review__exchange__activity=activity).order_by("pk")
             .values_list("review_id", "review__reviewer__learner_id", "review__reviewee__learner_id",
                          "review__reviewer__display_name", "review__reviewee__display_name", "helpfulness", "note",
                          "submitted"))
    for review_id, reviewer, reviewee, reviewer_name, reviewee_name, helpfulness, note, submitted \
            in query.iterator(chunk_size=CHUNK):
        yield [review_id, reviewer, reviewee, *([reviewer_name, reviewee_name] if usernames else []), helpfulness,
               note, _date(submitted)]


def _reflections(config: ActivityConfig, activity: Activity | None, usernames: bool) -> Iterator[list]:
    yield ["learner_id", *(["username"] if usernames else []), "country", "exchange_id", "text", "submitted"]
    if activity is None:
        return
    query = (Reflection.objects.filter(participant__activity=activity).order_by("pk")
             .values_list("participant__learner_id", "participant__display_name", "participant__country",
                          "exchange_id", "text", "submitted"))
    for learner_id, name, country, exchange_id, text, submitted in query.iterator(chunk_size=CHUNK):
        yield [learner_id, *([name] if usernames else []), country, exchange_id, text, _date(submitted)]


def _staff_actions(config: ActivityConfig, activity: Activity | None, usernames: bool) -> Iterator[list]:
    yield ["created", "actor_id", "action", "payload"]
    if activity is None:
        return
    query = (StaffAction.objects.filter(activity=activity).order_by("created", "pk")
             .values_list("created", "actor_id", "action", "payload"))
    for created, actor_id, action, payload in query.iterator(chunk_size=CHUNK):
        yield [_date(created), actor_id, action, json.dumps(payload, ensure_ascii=False, sort_keys=True)]


_ROWS = {
    "participants": _participants,
    "exchanges": _exchanges,
    "reviews": _reviews,
    "ratings": _ratings,
    "reflections": _reflections,
    "staff_actions": _staff_actions,
}
