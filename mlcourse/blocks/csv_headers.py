"""Column titles of the staff CSV exports, in the staff member's language.

The services write stable column ids (`learner_id`, `reviewer_country`, ...); the export handlers turn the
header row into titles here, unless `?columns=ids` asks for the ids (for scripts that read the files).
Authored column names (rubric questions, evidence statement ids) are kept as written.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain

from .peer_exchange_ui import N_

COLUMN_TITLES = {
    "learner_id": N_("Learner (anonymous id)"), "username": N_("Username"), "usernames": N_("Usernames"),
    "country": N_("Country"), "countries": N_("Countries"), "organisation_type": N_("Type of organisation"),
    "languages": N_("Languages"), "time_zone": N_("Time zone"), "contributed": N_("Contributed"),
    "word_count": N_("Words"), "waiting_since": N_("Waiting since"), "exchange_id": N_("Exchange"),
    "reviews_given": N_("Reviews given"), "reviews_received": N_("Reviews received"),
    "reflection": N_("Reflection"), "submission_due": N_("Submission due"), "review_due": N_("Review due"),
    "status": N_("Status"), "reasons": N_("Reasons"), "created": N_("Created"), "closed": N_("Closed"),
    "members": N_("Members"), "left": N_("Left the exchange"), "review_id": N_("Review"),
    "reviewer": N_("Reviewer"), "reviewee": N_("Reviewee"), "reviewer_username": N_("Reviewer's username"),
    "reviewee_username": N_("Reviewee's username"), "reviewer_country": N_("Reviewer's country"),
    "reviewee_country": N_("Reviewee's country"), "submitted": N_("Submitted"),
    "other_answers": N_("Answers to removed questions"), "learned": N_("What the reviewer learned"),
    "suggestion": N_("Suggestion"), "hidden_reason": N_("Reason for hiding"), "helpfulness": N_("Helpfulness"),
    "note": N_("Note"), "text": N_("Text"), "actor_id": N_("Staff member"), "action": N_("Action"),
    "payload": N_("Details"), "item_id": N_("Proposal"), "kind": N_("Kind"), "title": N_("Title"),
    "description": N_("Description"), "author_id": N_("Author (anonymous id)"), "votes": N_("Votes"),
    "adopted": N_("Adopted"), "adopted_note": N_("Adoption note"), "hidden": N_("Hidden"),
    "merged_into": N_("Merged into"), "voter_id": N_("Voter (anonymous id)"), "voter_country": N_("Voter's country"),
    "before_submitted": N_("Submitted before the course"), "after_submitted": N_("Submitted after the course"),
}
MOMENTS = {"before": N_("Before"), "after": N_("After")}
_MOMENT_COLUMN = re.compile(r"(before|after)_(.+)")


def column_title(block, column) -> str:
    if not isinstance(column, str):
        return column
    if column in COLUMN_TITLES:
        return block.ugettext(COLUMN_TITLES[column])
    moment = _MOMENT_COLUMN.fullmatch(column)
    if moment:  # an evidence statement's answer at one moment: "Before: research"
        return f"{block.ugettext(MOMENTS[moment.group(1)])}: {moment.group(2)}"
    return column


def titled(block, rows: Iterable[list], request) -> Iterator[list]:
    """The rows, their first one (the header) as titles in the block's language unless `?columns=ids`.

    The header is translated now, while the request's language is active: the body is streamed after the
    view has returned. (The services yield the header before running any query, so nothing else runs early.)"""
    rows = iter(rows)
    if request.GET.get("columns") == "ids":
        return rows
    header = next(rows, None)
    if header is None:
        return iter(())
    return chain([[column_title(block, column) for column in header]], rows)
