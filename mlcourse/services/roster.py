"""Staff import of learners' context (country, organisation type) from a CSV roster: all rows or nothing.

Every row is checked before anything is written; the errors name the line of the file (the header is line 1)
and carry a stable code. A valid file is written in one transaction under the activity lock, with bulk
statements (the number of statements does not grow with the file, apart from the batches the database
backend imposes on very large bulk inserts), and audited.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from mlcourse.countries import is_country
from mlcourse.models import Membership, OrganisationType, Participant

from .audit import record, require_staff
from .config import ActivityConfig
from .errors import N_, ApiError
from .records import ensure_activity, find_activity, lock

MAX_CHARS = 2_000_000
MAX_ROWS = 20_000
MAX_REPORTED_ERRORS = 200
MAX_ID_CHARS = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Header spellings accepted for each column (compared case-insensitively, spaces and hyphens as "_").
COLUMNS = {
    "username": "username",
    "anonymous_id": "anonymous_id",
    "anonymous_user_id": "anonymous_id",
    "country": "country",
    "organisation_type": "organisation_type",
    "organization_type": "organisation_type",
}


@dataclass
class _Row:
    line: int
    learner_id: str
    username: str
    country: str
    organisation_type: str


def import_roster(config: ActivityConfig, actor, csv_text, resolve_learner_id: Callable[[str], str | None],
                  now: datetime | None = None) -> dict:
    """Create or update the participants named in `csv_text`; returns how many were imported, created, updated.

    `resolve_learner_id(username)` answers the course-scoped anonymous id of a username, or None when the
    platform does not know the user. Learners who are already waiting or in an exchange keep their context:
    a row that would change it is an error (a row repeating it unchanged is accepted and left alone).
    """
    require_staff(actor)
    now = now or timezone.now()
    if not isinstance(csv_text, str):
        raise ApiError("invalid_type", N_("The roster must be CSV text."))
    if len(csv_text) > MAX_CHARS:
        raise ApiError("roster_too_large", N_("The roster is too large (at most %(limit)s characters)."),
                       limit=MAX_CHARS)
    rows, errors = _parse(csv_text, resolve_learner_id)

    activity = find_activity(config)
    if activity is None and errors:
        raise _invalid(errors)
    activity = activity or ensure_activity(config)
    with transaction.atomic():
        lock(config)
        existing = _existing(activity.pk, {row.learner_id for row in rows})
        creates, updates, unchanged = [], [], 0
        modified = timezone.now()  # bulk_update does not apply auto_now
        for row in rows:
            current = existing.get(row.learner_id)
            if current is None:
                creates.append(Participant(activity=activity, learner_id=row.learner_id,
                                           display_name=row.username, country=row.country,
                                           organisation_type=row.organisation_type))
                continue
            pk, display_name, country, org, locked = current
            same = (country, org) == (row.country, row.organisation_type)
            if locked:
                if not same:
                    errors.append(_error(row.line, "context_locked", N_(
                        "This learner is already waiting for or paired with a partner: their context cannot "
                        "change any more.")))
                unchanged += 1
                continue
            name = display_name or row.username
            if same and name == display_name:
                unchanged += 1
                continue
            updates.append(Participant(pk=pk, display_name=name, country=row.country,
                                       organisation_type=row.organisation_type, modified=modified))
        if errors:
            raise _invalid(errors)  # rolls back the lock; nothing was written
        Participant.objects.bulk_create(creates)
        if updates:
            Participant.objects.bulk_update(updates, ["display_name", "country", "organisation_type", "modified"])
        result = {"imported": len(rows), "created": len(creates), "updated": len(updates), "unchanged": unchanged}
        record(activity, actor, "import_roster", {"rows": len(rows), "created": len(creates),
                                                  "updated": len(updates)}, now)
    return result


def _error(line: int, code: str, message: str, **params) -> dict:
    """One bad line; the message stays an msgid with its params so the block can translate it."""
    return {"line": line, "error": message, "params": params, "code": code}


def _invalid(errors: list[dict]) -> ApiError:
    errors = sorted(errors, key=lambda e: e["line"])  # stable: a line's problems keep their column order
    error = ApiError("roster_invalid", N_("The roster has %(count)s problem(s); nothing was imported."), 400,
                     count=len(errors))
    error.details = {"errors": errors[:MAX_REPORTED_ERRORS]}
    return error


def _reader(text: str):
    """A csv.reader for `;`- or `,`-separated text (a UTF-8 BOM and any line ends allowed)."""
    text = text.removeprefix("\ufeff")
    sample = "\n".join(text[:20_000].splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,").delimiter
    except csv.Error:  # e.g. a header alone: the header decides
        header = next((line for line in sample.splitlines() if line.strip()), "")
        delimiter = ";" if header.count(";") > header.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _header(cells: list[str], line: int) -> tuple[dict[str, int], list[dict]]:
    index, errors = {}, []
    for position, cell in enumerate(cells):
        name = COLUMNS.get(cell.strip().lower().replace(" ", "_").replace("-", "_"))
        if name is None:
            continue  # other columns (names, e-mails...) are ignored
        if name in index:
            errors.append(_error(line, "duplicate_column", N_("The column %(column)s appears twice."), column=name))
        index[name] = position
    if "username" not in index and "anonymous_id" not in index:
        errors.append(_error(line, "missing_column", N_("The roster needs a username or anonymous_id column.")))
    for name in ("country", "organisation_type"):
        if name not in index:
            errors.append(_error(line, "missing_column", N_("The roster needs a %(column)s column."), column=name))
    return index, errors


def _parse(text: str, resolve) -> tuple[list[_Row], list[dict]]:
    """Read and check every row: the valid rows and the problems of the others (each with its line)."""
    reader = _reader(text)
    rows, errors, seen = [], [], {}
    index = None
    read = data_rows = 0
    try:
        for cells in reader:
            start, read = read + 1, reader.line_num  # a quoted cell may span lines: report where the row starts
            if not any(cell.strip() for cell in cells):
                continue
            if index is None:
                index, header_errors = _header(cells, start)
                errors.extend(header_errors)
                if header_errors:
                    break
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise ApiError("roster_too_many_rows", N_("The roster has too many rows (at most %(limit)s)."),
                               limit=MAX_ROWS)
            row, row_errors = _row(cells, index, start, resolve)
            if row is not None:
                first = seen.get(row.learner_id)
                if first is not None:
                    row_errors.append(_error(start, "duplicate_learner", N_(
                        "This learner already appears on line %(first)s."), first=first))
                else:
                    seen[row.learner_id] = start
            errors.extend(row_errors)
            if row is not None and not row_errors:
                rows.append(row)
    except csv.Error as exc:
        raise ApiError("roster_unreadable", N_("The roster could not be read as CSV (line %(line)s)."),
                       line=reader.line_num) from exc
    if index is None:
        raise ApiError("roster_empty", N_("The roster is empty: it needs a header row and one row per learner."))
    if not rows and not errors:
        raise ApiError("roster_empty", N_("The roster is empty: it needs a header row and one row per learner."))
    return rows, errors


def _row(cells, index, line, resolve) -> tuple[_Row | None, list[dict]]:
    def cell(name):
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    errors = []
    username, anonymous_id = cell("username"), cell("anonymous_id")
    learner_id = None
    if len(username) > MAX_ID_CHARS or len(anonymous_id) > MAX_ID_CHARS \
            or _CONTROL.search(username) or _CONTROL.search(anonymous_id):
        errors.append(_error(line, "invalid_id", N_("The username or anonymous id is not valid (at most %(limit)s "
                                                    "characters, no control characters)."), limit=MAX_ID_CHARS))
    elif anonymous_id:
        learner_id = anonymous_id
    elif username:
        learner_id = resolve(username)
        if not learner_id:
            errors.append(_error(line, "unknown_user", N_("Unknown user: %(username)s."), username=username[:60]))
            learner_id = None
    else:
        errors.append(_error(line, "missing_id", N_("Each row needs a username or an anonymous id.")))
    country = cell("country")
    if not is_country(country):
        errors.append(_error(line, "invalid_country", N_("Unknown country code: %(value)s (use the two-letter ISO "
                                                         "code, e.g. GH)."), value=country[:60]))
    org = cell("organisation_type").lower()
    if org not in OrganisationType.values:
        errors.append(_error(line, "invalid_organisation_type", N_(
            "Unknown organisation type: %(value)s (use one of: %(choices)s)."), value=org[:60],
            choices=", ".join(OrganisationType.values)))
    if learner_id is None:
        return None, errors
    return _Row(line=line, learner_id=str(learner_id)[:MAX_ID_CHARS], username=username, country=country.upper(),
                organisation_type=org), errors


def _existing(activity_id: int, learner_ids: set[str]) -> dict[str, tuple]:
    """learner_id -> (pk, display_name, country, organisation_type, locked) for the file's learners, one query.

    The whole activity is read (a few short columns) rather than an IN list of up to 20,000 ids, which some
    databases refuse. `locked`: waiting for a partner or in an exchange.
    """
    current = Membership.objects.filter(participant=OuterRef("pk"), current=True)
    found = {}
    for learner_id, *rest in (Participant.objects.filter(activity_id=activity_id)
                              .annotate(paired=Exists(current))
                              .values_list("learner_id", "pk", "display_name", "country", "organisation_type",
                                           "waiting_since", "paired")
                              .iterator(chunk_size=2000)):
        if learner_id in learner_ids:
            pk, display_name, country, org, waiting_since, paired = rest
            found[learner_id] = (pk, display_name, country, org, waiting_since is not None or paired)
    return found
