"""The authored settings of one peer exchange, as the services see them (built by the block from its fields)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mlcourse.pairing import PartnerRule, Rules

QUESTION_TYPES = ("scale", "text")
SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Question:
    """One rubric question; `id` stays the same when the author edits the label or moves it."""

    id: str
    label: str
    type: str = "scale"
    required: bool = True

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "type": self.type, "required": self.required}

    @classmethod
    def from_dict(cls, data: dict) -> Question:
        return cls(id=str(data["id"]), label=str(data["label"]), type=str(data.get("type", "scale")),
                   required=bool(data.get("required", True)))


@dataclass(frozen=True)
class Weights:
    contribution: float = 0.3
    reviews: float = 0.4
    reflection: float = 0.3


@dataclass(frozen=True)
class ActivityConfig:
    course_key: str
    usage_key: str
    rubric: tuple[Question, ...] = ()
    partner_rule: PartnerRule = PartnerRule.DIFFERENT_COUNTRY_REQUIRED
    allow_triads: bool = False
    fallback_window_hours: float = 48
    review_window_hours: float = 72
    min_words: int = 50
    max_words: int = 800
    submission_due: datetime | None = None
    review_due: datetime | None = None
    anonymous: bool = False
    weights: Weights = field(default_factory=Weights)

    @property
    def rules(self) -> Rules:
        return Rules(partner_rule=PartnerRule(self.partner_rule),
                     fallback_window=timedelta(hours=self.fallback_window_hours),
                     allow_triads=self.allow_triads)

    @property
    def review_window(self) -> timedelta:
        return timedelta(hours=self.review_window_hours)

    def submission_due_for(self, participant=None) -> datetime | None:
        """The learner's own deadline when staff extended it, else the activity's."""
        return getattr(participant, "submission_due", None) or self.submission_due

    def review_due_for(self, participant=None) -> datetime | None:
        return getattr(participant, "review_due", None) or self.review_due

    def submission_closed(self, now: datetime, participant=None) -> bool:
        due = self.submission_due_for(participant)
        return due is not None and now > due

    def review_closed(self, now: datetime, participant=None) -> bool:
        due = self.review_due_for(participant)
        return due is not None and now > due
