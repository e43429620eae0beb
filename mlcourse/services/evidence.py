"""The evidence check: a learner's self-assessment before and after the course, and the cohort's change.

Two placements of the block share a `key`; each writes one `EvidenceResponse` per learner for its moment.
Every read is one query (the learner's two rows, the cohort's rows as `values_list`), so the number of
queries does not grow with the cohort. Nothing here imports XBlock: the block passes an `EvidenceConfig`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from django.db import IntegrityError, transaction

from mlcourse.models import EvidenceResponse, Participant

from .audit import require_staff
from .errors import N_, ApiError
from .validation import only_keys, require_dict

MOMENTS = ("before", "after")
LOW, HIGH = 1, 5
CHUNK = 1000


@dataclass(frozen=True)
class EvidenceConfig:
    course_key: str
    key: str
    moment: str
    statements: tuple  # ((id, text), ...) as authored now

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sid for sid, _text in self.statements)


def not_signed_in():
    return ApiError("not_signed_in", N_("Please sign in to answer the self-assessment."), 403)


def _rows(config: EvidenceConfig):
    return EvidenceResponse.objects.filter(course_key=config.course_key, key=config.key)


def state(config: EvidenceConfig, actor) -> dict:
    """The learner's own answers at both moments, and their change per statement (one query)."""
    if not actor.is_authenticated:
        raise not_signed_in()
    mine = dict(_rows(config).filter(learner_id=actor.learner_id).values_list("moment", "answers"))
    before, after = mine.get("before"), mine.get("after")
    return {
        "moment": config.moment,
        "statements": [{"id": sid, "text": text} for sid, text in config.statements],
        "my_before": before, "my_after": after,
        "submitted": config.moment in mine,
        "change": change_rows(config, before, after),
    }


def change_rows(config: EvidenceConfig, before, after) -> list[dict]:
    """Per statement answered at both moments: before, after and the difference."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [{"id": sid, "text": text, "before": before[sid], "after": after[sid], "diff": after[sid] - before[sid]}
            for sid, text in config.statements if _score(before.get(sid)) and _score(after.get(sid))]


def _score(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and LOW <= value <= HIGH


def clean_answers(config: EvidenceConfig, payload) -> dict:
    """{"answers": {statement_id: 1..5}} with every current statement answered, nothing else."""
    payload = require_dict(payload)
    only_keys(payload, {"answers"})
    answers = payload.get("answers")
    if not isinstance(answers, dict):
        raise ApiError("invalid_type", N_("The field %(field)s must be an object."), field="answers")
    unknown = sorted(set(answers) - set(config.ids))
    if unknown:
        raise ApiError("unknown_statement", N_("Unknown statement: %(statement)s."), statement=str(unknown[0])[:60])
    missing = [sid for sid in config.ids if sid not in answers]
    if missing:
        raise ApiError("required", N_("Please answer every statement (%(count)s missing)."), count=len(missing))
    for sid in config.ids:
        value = answers[sid]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError("invalid_type", N_("Each answer must be a whole number from 1 to 5."))
        if not LOW <= value <= HIGH:
            raise ApiError("out_of_range", N_("Each answer must be a whole number from 1 to 5."))
    return {sid: answers[sid] for sid in config.ids}


def submit(config: EvidenceConfig, actor, payload, now: datetime | None = None) -> dict:
    """Store the learner's answers for this moment; a second submission is refused (answers are final)."""
    if not actor.is_authenticated:
        raise not_signed_in()
    answers = clean_answers(config, payload)
    if _rows(config).filter(learner_id=actor.learner_id, moment=config.moment).exists():
        raise _conflict()
    country = (Participant.objects.filter(activity__course_key=config.course_key, learner_id=actor.learner_id)
               .exclude(country="").order_by("-modified").values_list("country", flat=True).first() or "")
    try:
        with transaction.atomic():
            EvidenceResponse.objects.create(course_key=config.course_key, key=config.key, moment=config.moment,
                                            learner_id=actor.learner_id, answers=answers, country=country,
                                            submitted=now or datetime.now(timezone.utc))
    except IntegrityError:  # the same learner submitting twice at once: the database keeps one
        raise _conflict() from None
    return state(config, actor)


def _conflict():
    return ApiError("conflict", N_("You have already answered at this moment; answers are final once sent."), 409)


def _cohort_rows(config: EvidenceConfig) -> dict[str, dict]:
    """learner_id -> {"country", "before", "after"} from one query."""
    learners: dict[str, dict] = {}
    for learner_id, moment, answers, country in _rows(config).values_list("learner_id", "moment", "answers",
                                                                          "country").iterator(chunk_size=CHUNK):
        row = learners.setdefault(learner_id, {"country": "", "before": None, "after": None})
        row[moment] = answers if isinstance(answers, dict) else {}
        row["country"] = row["country"] or country
    return learners


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def cohort(config: EvidenceConfig, actor) -> dict:
    """Staff only: per statement and per country, the mean before and after over paired learners."""
    require_staff(actor)
    learners = _cohort_rows(config)
    paired = [row for row in learners.values() if row["before"] is not None and row["after"] is not None]

    def summary(rows) -> list[dict]:
        out = []
        for sid, text in config.statements:
            pairs = [(r["before"][sid], r["after"][sid]) for r in rows
                     if _score(r["before"].get(sid)) and _score(r["after"].get(sid))]
            before, after = _mean([b for b, _a in pairs]), _mean([a for _b, a in pairs])
            out.append({"id": sid, "text": text, "before": before, "after": after, "n": len(pairs),
                        "diff": round(after - before, 2) if pairs else None})
        return out

    countries = sorted({row["country"] for row in paired})
    by_country = []
    for code in countries:
        rows = [row for row in paired if row["country"] == code]
        by_country.append({"country": code, "n": len(rows), "statements": summary(rows)})
    return {"learners": len(learners), "paired": len(paired),
            "before_only": sum(1 for r in learners.values() if r["after"] is None),
            "statements": summary(paired), "countries": by_country}


def export_rows(config: EvidenceConfig, actor) -> tuple[str, Iterator[list]]:
    """(file name, lazy rows: the header, then one row per learner); refuses non-staff at once."""
    require_staff(actor)
    safe_key = re.sub(r"[^A-Za-z0-9_-]", "_", config.key)[:64]  # OLX is imported unchecked: keep the header clean
    return f"evidence-check-{safe_key}.csv", _export(config)


def _export(config: EvidenceConfig) -> Iterator[list]:
    ids = config.ids
    yield ["learner_id", "country", *(f"{moment}_{sid}" for moment in MOMENTS for sid in ids),
           *(f"{moment}_submitted" for moment in MOMENTS)]
    current, row = None, None
    query = _rows(config).order_by("learner_id", "moment").values_list("learner_id", "moment", "answers",
                                                                       "country", "submitted")
    for learner_id, moment, answers, country, submitted in query.iterator(chunk_size=CHUNK):
        if learner_id != current:
            if row is not None:
                yield _export_row(row, ids)
            current, row = learner_id, {"learner_id": learner_id, "country": ""}
        row[moment] = answers if isinstance(answers, dict) else {}
        row[moment + "_submitted"] = submitted.isoformat() if submitted else ""
        row["country"] = row["country"] or country
    if row is not None:
        yield _export_row(row, ids)


def _export_row(row: dict, ids) -> list:
    cells = [row["learner_id"], row["country"]]
    for moment in MOMENTS:
        answers = row.get(moment) or {}
        cells.extend(answers.get(sid, "") for sid in ids)
    return cells + [row.get(moment + "_submitted", "") for moment in MOMENTS]
