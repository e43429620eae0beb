"""A learner's own data (download) and user retirement (erase personal data, keep exchanges consistent).

Retirement keeps the rows partners depend on — memberships, reviews with their scale answers, ratings — and
removes everything that is personal: ids become `retired:<n>`, names and free text are erased, the learner
leaves the waiting pool. Country and organisation type stay, unlinked from any person, because partners and
the cohort statistics (the country matrix) rest on them. See docs/privacy.md.
"""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from mlcourse.models import BoardItem, BoardVote, BoardVoter, Contribution, EvidenceResponse, Participant, Rating, Reflection, Review, StaffAction

from .config import ActivityConfig
from .errors import not_signed_in
from .records import learner_row
from .state import build_state

RETIRED_TEXT = ""


def my_data(config: ActivityConfig, actor, now: datetime | None = None) -> dict:
    """Everything this activity stores about the learner, as JSON-ready data."""
    if not actor.is_authenticated:
        raise not_signed_in()
    now = now or timezone.now()
    participant = learner_row(config, actor.learner_id)
    if participant is None:
        return {"learner_id": actor.learner_id, "activity": config.usage_key, "participant": None,
                "evidence_checks": _evidence_of(config, actor.learner_id),
                "codesign_boards": _boards_of(config, actor.learner_id)}
    notes = list(Rating.objects.filter(review__reviewee=participant).values("review_id", "helpfulness", "note",
                                                                           "submitted"))
    return {
        "learner_id": participant.learner_id, "activity": config.usage_key, "course": config.course_key,
        "participant": {"display_name": participant.display_name, "country": participant.country,
                        "organisation_type": participant.organisation_type, "languages": participant.languages,
                        "time_zone": participant.time_zone, "joined": participant.created.isoformat(),
                        "waiting_since": participant.waiting_since and participant.waiting_since.isoformat()},
        "ratings_given": [{**row, "submitted": row["submitted"].isoformat()} for row in notes],
        "state": build_state(config, actor, now, participant=participant),
        "evidence_checks": _evidence_of(config, actor.learner_id),
        "codesign_boards": _boards_of(config, actor.learner_id),
    }


def _evidence_of(config: ActivityConfig, learner_id: str) -> list[dict]:
    rows = EvidenceResponse.objects.filter(course_key=config.course_key, learner_id=learner_id).order_by("submitted")
    return [{"key": r.key, "moment": r.moment, "answers": r.answers, "submitted": r.submitted.isoformat()}
            for r in rows]


def _boards_of(config: ActivityConfig, learner_id: str) -> list[dict]:
    """The learner's proposals and votes on every co-design board of the course."""
    voters = BoardVoter.objects.filter(activity__course_key=config.course_key, learner_id=learner_id)
    out = []
    for voter in voters.select_related("activity"):
        items = BoardItem.objects.filter(author=voter).order_by("created")
        votes = BoardVote.objects.filter(voter=voter).select_related("item").order_by("created")
        out.append({"board": voter.activity.usage_key, "country": voter.country,
                    "organisation_type": voter.organisation_type,
                    "proposals": [{"title": i.title, "description": i.description, "kind": i.kind,
                                   "created": i.created.isoformat(), "hidden_reason": i.hidden_reason}
                                  for i in items],
                    "votes": [{"item": v.item.title, "created": v.created.isoformat()} for v in votes]})
    return out


def retire_learner(learner_ids) -> int:
    """Erase the personal data of these learner ids in every activity; returns how many participants."""
    learner_ids = [i for i in learner_ids if i]
    if not learner_ids:
        return 0
    with transaction.atomic():
        people = list(Participant.objects.filter(learner_id__in=learner_ids))
        for person in people:
            Participant.objects.filter(pk=person.pk).update(
                learner_id=f"retired:{person.pk}", display_name="", languages=[], time_zone="",
                utc_offset_minutes=None, waiting_since=None, first_in_line=False, returns_to_pool=False)
        Contribution.objects.filter(participant__in=people).update(text=RETIRED_TEXT, word_count=0)
        for review in Review.objects.filter(reviewer__in=people):
            questions = {q.get("id"): q.get("type") for q in review.questions}
            review.answers = {k: v for k, v in review.answers.items() if questions.get(k) == "scale"}
            review.learned, review.suggestion = RETIRED_TEXT, RETIRED_TEXT
            review.save(update_fields=["answers", "learned", "suggestion"])
        Rating.objects.filter(review__reviewee__in=people).update(note=RETIRED_TEXT)
        Reflection.objects.filter(participant__in=people).update(text=RETIRED_TEXT)
        StaffAction.objects.filter(actor_id__in=learner_ids).update(actor_id="retired")
        # Self-assessments keep their numbers for the cohort's before/after picture, unlinked from the person.
        for row in EvidenceResponse.objects.filter(learner_id__in=learner_ids):
            EvidenceResponse.objects.filter(pk=row.pk).update(learner_id=f"retired:e{row.pk}")
        # Co-design boards: the learner's proposals lose their words; their votes stay, unlinked, so the
        # counts stand.
        # The voter rows first (the order a vote takes its locks: voter, then item).
        voters = list(BoardVoter.objects.filter(learner_id__in=learner_ids).order_by("pk")
                      .values_list("pk", flat=True))  # primary-key order, as every multi-row lock takes them
        for pk in voters:
            BoardVoter.objects.filter(pk=pk).update(learner_id=f"retired:b{pk}", country="", organisation_type="")
        # Proposals lose their words but stay: others' votes, merged duplicates and an adoption note rest on them.
        BoardItem.objects.filter(author_id__in=voters).update(title=RETIRED_TEXT, description=RETIRED_TEXT)
    return len(people)
