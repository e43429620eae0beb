"""The co-design board: participants propose items for the course and vote for the ones they want covered.

Rules the database keeps, whatever the number of LMS processes:
- a vote is a `BoardVote` row, unique per (item, voter), and counts are always counted from those rows;
- a learner's writes (propose, vote, withdraw) start by writing their own `BoardVoter` row, so one learner's
  concurrent requests run one after another and the vote limit cannot be overrun, while different learners
  vote in parallel;
- staff actions start by writing the board's `Activity` row (`records.lock`) and then lock the items they
  change, so a vote and a merge of the same item never interleave.
Nothing here imports XBlock: the block passes a `BoardConfig` and an `Actor`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from mlcourse.countries import country_name, is_country, sort_key
from mlcourse.models import Activity, BoardItem, BoardVote, BoardVoter, OrganisationType, Participant

from .audit import record, require_staff
from .errors import N_, ApiError
from .records import ensure_activity, find_activity, lock
from .validation import only_keys, require_dict, text

SORTS = ("votes", "newest", "country")
PAGE = 20
MAX_TITLE, MAX_DESCRIPTION, MAX_NOTE = 120, 2000, 1000
CHUNK = 1000
_NEWLINE = re.compile(r"[\r\n\t]")


@dataclass(frozen=True)
class BoardConfig:
    course_key: str
    usage_key: str
    kinds: tuple = ()  # ((id, label), ...) as authored
    votes_per_learner: int = 3
    max_proposals: int = 3

    @property
    def kind_ids(self) -> tuple[str, ...]:
        return tuple(kid for kid, _label in self.kinds)


def not_signed_in():
    return ApiError("not_signed_in", N_("Please sign in to take part in the co-design board."), 403)


def _no_item():
    return ApiError("no_such_item", N_("This proposal does not exist (any more) on this board."), 404)


# --- reading -------------------------------------------------------------------------------------------------
def _voter(activity, learner_id: str | None) -> BoardVoter | None:
    if activity is None or not learner_id:
        return None
    return BoardVoter.objects.filter(activity=activity, learner_id=learner_id).first()


def ensure_voter(activity, learner_id: str) -> BoardVoter:
    """Get or create the learner's row, outside any transaction (two first requests at once: one row)."""
    voter = _voter(activity, learner_id)
    if voter is not None:
        return voter
    try:
        with transaction.atomic():
            return BoardVoter.objects.create(activity=activity, learner_id=learner_id)
    except IntegrityError:
        return BoardVoter.objects.get(activity=activity, learner_id=learner_id)


def exchange_context(course_key: str, learner_id: str) -> tuple[str, str]:
    """(country, organisation type) from the learner's peer-exchange context in this course, if any."""
    row = (Participant.objects.filter(activity__course_key=course_key, learner_id=learner_id).exclude(country="")
           .order_by("-modified").values_list("country", "organisation_type").first())
    return row or ("", "")


def _context(config: BoardConfig, actor, voter: BoardVoter | None) -> dict:
    country, organisation = exchange_context(config.course_key, actor.learner_id) if actor.learner_id else ("", "")
    if country:
        return {"country": country, "organisation_type": organisation, "source": "peer_exchange"}
    if voter is not None and voter.country:
        return {"country": voter.country, "organisation_type": voter.organisation_type, "source": "board"}
    return {"country": "", "organisation_type": "", "source": ""}


def _votes_used(voter: BoardVoter | None) -> int:
    """Votes that count against the learner's allowance: those on items still shown (not hidden, not merged)."""
    if voter is None:
        return 0
    return BoardVote.objects.filter(voter=voter, item__hidden=False, item__merged_into__isnull=True).count()


def _visible(activity, voter: BoardVoter | None, staff: bool):
    items = BoardItem.objects.filter(activity=activity, merged_into__isnull=True)
    if staff:
        return items
    if voter is not None:
        return items.filter(Q(hidden=False) | Q(author=voter))
    return items.filter(hidden=False)


def _page(activity, voter, staff: bool, sort: str, kind: str, lang: str, offset: int) -> tuple[int, list[int]]:
    """(how many items there are to show, the ids of this page in order).

    "votes" and "newest" are sorted and cut by the database (LIMIT/OFFSET), so only the page's ids travel;
    "country" sorts by the country's name in the learner's language, which only Python knows: there the light
    rows (no text) of every item are fetched and sorted here, the key computed once per country."""
    rows = _visible(activity, voter, staff)
    if kind:
        rows = rows.filter(kind=kind)
    if sort != "country":
        total = rows.count()
        if sort == "newest":
            ordered = rows.order_by("-created", "-id")
        else:
            ordered = rows.annotate(n=Count("votes")).order_by("-n", "-created", "-id")
        return total, list(ordered.values_list("id", flat=True)[offset:offset + PAGE])
    rows = list(rows.annotate(n=Count("votes")).values_list("id", "country", "n"))
    keys = {code: sort_key(country_name(code, lang)) for code in {r[1] for r in rows if r[1]}}  # once each
    rows.sort(key=lambda r: (-r[2], -r[0]))
    rows.sort(key=lambda r: (not r[1], keys.get(r[1], ("", ""))))
    return len(rows), [r[0] for r in rows[offset:offset + PAGE]]


def _item_dicts(ids: list[int], voter, staff: bool, lang: str) -> list[dict]:
    """The page's items with their vote counts, the learner's votes and what was merged into them."""
    if not ids:
        return []
    rows = {item.pk: item for item in BoardItem.objects.filter(pk__in=ids).annotate(n=Count("votes"))}
    mine = set(BoardVote.objects.filter(voter=voter, item_id__in=ids).values_list("item_id", flat=True)) \
        if voter is not None else set()
    merged: dict[int, list[dict]] = {}
    query = BoardItem.objects.filter(merged_into_id__in=ids)
    if not staff:
        query = query.filter(hidden=False)
    for into, title, country in query.order_by("created").values_list("merged_into_id", "title", "country"):
        merged.setdefault(into, []).append({"title": title, "country": country,
                                            "country_name": country_name(country, lang) if country else ""})
    out = []
    for pk in ids:
        item = rows[pk]
        own = voter is not None and item.author_id == voter.pk
        out.append({
            "id": item.pk, "kind": item.kind, "title": item.title, "description": item.description,
            "country": item.country, "country_name": country_name(item.country, lang) if item.country else "",
            "organisation_type": item.organisation_type, "created": item.created.isoformat(),
            "votes": item.n, "voted": pk in mine, "mine": own,
            "adopted": item.adopted, "adopted_note": item.adopted_note if item.adopted else "",
            "hidden": item.hidden, "hidden_reason": item.hidden_reason if item.hidden and (own or staff) else "",
            "merged": merged.get(pk, []),
        })
    return out


def _clean_query(config: BoardConfig, payload) -> tuple[str, str, int]:
    payload = require_dict(payload)
    only_keys(payload, {"sort", "kind", "offset"})
    sort = payload.get("sort", "votes") or "votes"
    if sort not in SORTS:
        raise ApiError("invalid_choice", N_("Unknown choice for %(field)s."), field="sort")
    kind = payload.get("kind", "") or ""
    if kind and kind not in config.kind_ids:
        raise ApiError("invalid_choice", N_("Unknown choice for %(field)s."), field="kind")
    offset = payload.get("offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= 1_000_000:
        raise ApiError("invalid_type", N_("The field %(field)s must be a whole number."), field="offset")
    return sort, kind, offset


def state(config: BoardConfig, actor, payload=None) -> dict:
    """One page of the board as this learner sees it, with their votes and allowance. Readable by anyone
    signed in; staff also see hidden items."""
    if not actor.is_authenticated:
        raise not_signed_in()
    with _labelled():
        sort, kind, offset = _clean_query(config, payload if payload is not None else {})
    lang = actor.language
    activity = find_activity(config)
    voter = _voter(activity, actor.learner_id)
    total, ids = _page(activity, voter, actor.is_staff, sort, kind, lang, offset) if activity is not None else (0, [])
    used = _votes_used(voter)
    proposals = BoardItem.objects.filter(author=voter).count() if voter is not None else 0
    my_merged = []
    if voter is not None:
        for title, into, into_hidden in (BoardItem.objects.filter(author=voter, merged_into__isnull=False)
                                         .values_list("title", "merged_into__title", "merged_into__hidden")):
            my_merged.append({"title": title, "into": "" if into_hidden and not actor.is_staff else into})
    return {
        "sort": sort, "kind": kind, "offset": offset, "total": total, "page_size": PAGE,
        "items": _item_dicts(ids, voter, actor.is_staff, lang),
        "votes_per_learner": config.votes_per_learner,
        "votes_left": max(0, config.votes_per_learner - used),
        "proposals_left": max(0, config.max_proposals - proposals),
        "context": _context(config, actor, voter), "my_merged": my_merged,
    }


# --- learner writes ------------------------------------------------------------------------------------------
def _lock_voter(voter: BoardVoter) -> None:
    """The learner's own write lock: the transaction's first statement (see `records.lock` for why first)."""
    BoardVoter.objects.filter(pk=voter.pk).update(clock=F("clock") + 1)


# Field names in refusals, as the learner reads them in the form (error_response translates `field`).
FIELD_LABELS = {"title": N_("Title"), "description": N_("Description (optional)"), "kind": N_("Kind"),
                "note": N_("Note shown to everyone: how the proposal is used in the course"),
                "reason": N_("Reason (shown to the author)"), "item": N_("Proposal"), "into": N_("Proposal"),
                "sort": N_("Sort by"), "offset": N_("Proposals"), "organisation_type": N_("Type of organisation"),
                "adopted": N_("Mark as adopted"), "hidden": N_("Hide")}


class _labelled:
    """Refusals raised inside name the field by its label, not by its JSON key."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, ApiError) and error.params.get("field") in FIELD_LABELS:
            error.params["field"] = FIELD_LABELS[error.params["field"]]
        return False


def _item_id(payload, key: str = "item") -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError("invalid_type", N_("The field %(field)s must be a whole number."), field=FIELD_LABELS[key])
    return value


def _item_for_update(activity, payload, key: str = "item") -> BoardItem:
    value = _item_id(payload, key)
    item = BoardItem.objects.select_for_update().filter(pk=value, activity=activity).first()
    if item is None:
        raise _no_item()
    return item


def _clean_context(payload: dict) -> tuple[str, str]:
    country = payload.get("country", "")
    organisation = payload.get("organisation_type", "")
    if country not in ("", None) and (not isinstance(country, str) or not is_country(country)):
        raise ApiError("invalid_country", N_("Please choose a country from the list."))
    if organisation not in ("", None) and organisation not in OrganisationType.values:
        raise ApiError("invalid_choice", N_("Unknown choice for %(field)s."), field="organisation_type")
    return (country or "").upper(), organisation or ""


def propose(config: BoardConfig, actor, payload, now: datetime | None = None) -> dict:
    """Add the learner's proposal; their country and organisation come from their peer-exchange context, else
    from this form (then required)."""
    if not actor.is_authenticated:
        raise not_signed_in()
    payload = require_dict(payload)
    only_keys(payload, {"title", "description", "kind", "country", "organisation_type"})
    with _labelled():
        title = text(payload, "title", required=True, max_chars=MAX_TITLE)
        if _NEWLINE.search(title):
            raise ApiError("invalid_characters",
                           N_("The field %(field)s contains characters that are not allowed."), field="title")
        description = text(payload, "description", required=False, max_chars=MAX_DESCRIPTION)
        kind = payload.get("kind")
        if kind not in config.kind_ids:
            raise ApiError("invalid_choice", N_("Unknown choice for %(field)s."), field="kind")
        country, organisation = _clean_context(payload)
    known = _context(config, actor, _voter(find_activity(config), actor.learner_id))
    if known["source"] != "peer_exchange" and not ((country or known["country"])
                                                   and (organisation or known["organisation_type"])):
        raise ApiError("no_context", N_("Please give your country and type of organisation."), 400)
    activity = ensure_activity(config)
    voter = ensure_voter(activity, actor.learner_id)
    with transaction.atomic():
        _lock_voter(voter)
        voter.refresh_from_db()
        context = _context(config, actor, voter)
        if context["source"] != "peer_exchange" and (country or organisation):
            voter.country = country or voter.country
            voter.organisation_type = organisation or voter.organisation_type
            voter.save(update_fields=["country", "organisation_type"])
            context = _context(config, actor, voter)
        if BoardItem.objects.filter(author=voter).count() >= config.max_proposals:
            raise ApiError("no_proposals_left", N_("You have made all the proposals this board allows."), 409)
        item = BoardItem.objects.create(activity=activity, author=voter, kind=kind, title=title,
                                        description=description, country=context["country"],
                                        organisation_type=context["organisation_type"],
                                        created=now or timezone.now())
        left = max(0, config.max_proposals - BoardItem.objects.filter(author=voter).count())
    return {"item": item.pk, "proposals_left": left}


def _vote_reply(config: BoardConfig, voter: BoardVoter, item: BoardItem) -> dict:
    return {"item": item.pk, "votes": BoardVote.objects.filter(item=item).count(),
            "voted": BoardVote.objects.filter(item=item, voter=voter).exists(),
            "votes_left": max(0, config.votes_per_learner - _votes_used(voter))}


def vote(config: BoardConfig, actor, payload, now: datetime | None = None) -> dict:
    """One vote for one item; not for one's own item, not twice, not beyond the allowance."""
    if not actor.is_authenticated:
        raise not_signed_in()
    payload = require_dict(payload)
    only_keys(payload, {"item"})
    activity = find_activity(config)
    value = _item_id(payload)
    if activity is None or not BoardItem.objects.filter(pk=value, activity=activity, hidden=False,
                                                         merged_into__isnull=True).exists():
        raise _no_item()  # checked before the learner's row is created: a refusal writes nothing
    voter = ensure_voter(activity, actor.learner_id)
    try:
        with transaction.atomic():
            _lock_voter(voter)
            item = _item_for_update(activity, payload)
            if item.merged_into_id is not None or item.hidden:
                raise _no_item()
            if item.author_id == voter.pk:
                raise ApiError("own_item", N_("You cannot vote for your own proposal."), 409)
            if BoardVote.objects.filter(item=item, voter=voter).exists():
                raise _already_voted()
            if _votes_used(voter) >= config.votes_per_learner:
                raise ApiError("no_votes_left", N_("You have used all your votes. Withdraw one to vote for "
                                                   "another proposal."), 409)
            BoardVote.objects.create(item=item, voter=voter, created=now or timezone.now())
    except IntegrityError:  # the unique constraint: a second vote for the same item, whatever the timing
        raise _already_voted() from None
    return _vote_reply(config, voter, item)


def _already_voted():
    return ApiError("already_voted", N_("You have already voted for this proposal."), 409)


def withdraw_vote(config: BoardConfig, actor, payload) -> dict:
    """Take back the learner's vote for an item (the vote becomes available again)."""
    if not actor.is_authenticated:
        raise not_signed_in()
    payload = require_dict(payload)
    only_keys(payload, {"item"})
    activity = find_activity(config)
    voter = _voter(activity, actor.learner_id)
    if voter is None:
        raise _not_voted()
    with transaction.atomic():
        _lock_voter(voter)
        item = _item_for_update(activity, payload)
        if not BoardVote.objects.filter(item=item, voter=voter).delete()[0]:
            # A hidden or merged item the learner never voted for is, for them, no item at all.
            raise _no_item() if item.hidden or item.merged_into_id else _not_voted()
    return _vote_reply(config, voter, item)


def _not_voted():
    return ApiError("not_voted", N_("You have not voted for this proposal."), 409)


# --- staff actions -------------------------------------------------------------------------------------------
def _staff_item(config: BoardConfig, actor, payload, keys: set[str]):
    require_staff(actor)
    payload = require_dict(payload)
    only_keys(payload, keys)
    return payload


def _chunks(ids: list, size: int = 500):
    """Long id lists in pieces: one IN list per statement stays below SQLite's variable limit."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _locked_board(config: BoardConfig):
    """The board's lock, then its row by a locking read: under REPEATABLE READ a plain SELECT here would fix the
    transaction's snapshot before the items are locked, and votes committed meanwhile would be invisible."""
    if not lock(config):
        raise _no_item()
    return Activity.objects.select_for_update().get(course_key=config.course_key, usage_key=config.usage_key)


def staff_adopt(config: BoardConfig, actor, payload, now: datetime | None = None) -> dict:
    """Mark an item adopted into the course with a note everyone sees (or take the mark back)."""
    payload = _staff_item(config, actor, payload, {"item", "adopted", "note"})
    with _labelled():
        adopted = payload.get("adopted", True)
        if not isinstance(adopted, bool):
            raise ApiError("invalid_type", N_("The field %(field)s must be true or false."), field="adopted")
        note = text(payload, "note", required=adopted, max_chars=MAX_NOTE)
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_board(config)
        item = _item_for_update(activity, payload)
        if item.merged_into_id is not None:
            raise _no_item()
        item.adopted, item.adopted_note = adopted, note if adopted else ""
        item.save(update_fields=["adopted", "adopted_note"])
        record(activity, actor, "board_adopt" if adopted else "board_unadopt", {"item": item.pk, "note": note}, now)
    return {"item": item.pk, "adopted": item.adopted, "adopted_note": item.adopted_note}


def staff_hide(config: BoardConfig, actor, payload, now: datetime | None = None) -> dict:
    """Hide an item from learners (its author sees the reason), or show it again. Votes on a hidden item stay
    stored but stop counting against the voters' allowance."""
    payload = _staff_item(config, actor, payload, {"item", "hidden", "reason"})
    hidden = payload.get("hidden", True)
    if not isinstance(hidden, bool):
        raise ApiError("invalid_type", N_("The field %(field)s must be true or false."), field=FIELD_LABELS["hidden"])
    with _labelled():
        reason = text(payload, "reason", required=hidden, max_chars=MAX_NOTE)
    now = now or timezone.now()
    dropped = 0
    item_id = _item_id(payload)
    voters = []
    if not hidden:
        # Showing the item again makes its votes count again. Its voters are read before the transaction (no
        # one can vote for a hidden item meanwhile) and locked first in it, in the order a vote or a proposal
        # takes its locks (voter, then board or item); the counts are read only after every lock is held.
        voters = sorted(set(BoardVote.objects.filter(item_id=item_id, item__activity__course_key=config.course_key,
                                                     item__activity__usage_key=config.usage_key)
                            .values_list("voter_id", flat=True)))
    with transaction.atomic():
        for chunk in _chunks(voters):
            BoardVoter.objects.filter(pk__in=chunk).update(clock=F("clock") + 1)
        activity = _locked_board(config)
        item = _item_for_update(activity, payload)
        if item.merged_into_id is not None:
            raise _no_item()
        if not hidden and item.hidden:
            counted: dict[int, int] = {}
            for chunk in _chunks(voters):
                for voter_id in (BoardVote.objects.filter(voter_id__in=chunk, item__hidden=False,
                                                          item__merged_into__isnull=True)
                                 .values_list("voter_id", flat=True)):
                    counted[voter_id] = counted.get(voter_id, 0) + 1
            over = [v for v in voters if counted.get(v, 0) >= config.votes_per_learner]
            for chunk in _chunks(over):
                dropped += BoardVote.objects.filter(item=item, voter_id__in=chunk).delete()[0]
        item.hidden, item.hidden_reason = hidden, reason if hidden else ""
        item.save(update_fields=["hidden", "hidden_reason"])
        record(activity, actor, "board_hide" if hidden else "board_unhide",
               {"item": item.pk, "reason": reason, "dropped": dropped}, now)
    return {"item": item.pk, "hidden": item.hidden, "hidden_reason": item.hidden_reason, "dropped": dropped}


def staff_merge(config: BoardConfig, actor, payload, now: datetime | None = None) -> dict:
    """Merge a duplicate into another item: its votes move there, except where the voter already voted for
    the target or wrote it (no one counts twice); items merged earlier into the duplicate follow it."""
    payload = _staff_item(config, actor, payload, {"item", "into"})
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_board(config)
        item = _item_for_update(activity, payload)
        target = _item_for_update(activity, payload, "into")
        if item.pk == target.pk:
            raise ApiError("same_item", N_("Choose another proposal to merge into."), 400)
        if item.merged_into_id is not None or target.merged_into_id is not None:
            raise _no_item()
        if target.hidden or item.hidden:
            raise ApiError("target_hidden", N_("Show the proposals again before merging them."), 409)
        # Plain reads, then deletes by primary key in chunks: a subquery on the same table made MySQL scan (and
        # under REPEATABLE READ lock) every vote of the site; one big IN list would hit SQLite's variable limit.
        already = set(BoardVote.objects.filter(item=target).values_list("voter_id", flat=True))
        already.add(target.author_id)
        drop = [pk for pk, voter in BoardVote.objects.filter(item=item).values_list("pk", "voter_id")
                if voter in already]
        dropped = sum(BoardVote.objects.filter(pk__in=chunk).delete()[0] for chunk in _chunks(drop))
        moved = BoardVote.objects.filter(item=item).update(item=target)
        BoardItem.objects.filter(merged_into=item).update(merged_into=target)
        item.merged_into = target
        item.save(update_fields=["merged_into"])
        record(activity, actor, "board_merge", {"item": item.pk, "into": target.pk, "moved": moved,
                                                "dropped": dropped}, now)
    return {"item": item.pk, "into": target.pk, "moved": moved, "dropped": dropped,
            "votes": BoardVote.objects.filter(item=target).count()}


def overview(config: BoardConfig, actor, lang: str) -> dict:
    """Staff: how many took part, and proposals and votes per country of the proposer (two queries)."""
    require_staff(actor)
    activity = find_activity(config)
    if activity is None:
        return {"items": 0, "voters": 0, "votes": 0, "countries": []}
    rows = list(BoardItem.objects.filter(activity=activity, merged_into__isnull=True, hidden=False)
                .values("country").annotate(items=Count("id", distinct=True), votes=Count("votes")))
    voters = BoardVoter.objects.filter(activity=activity).aggregate(
        n=Count("id", filter=Q(votes__isnull=False) | Q(items__isnull=False), distinct=True))["n"]
    countries = sorted(({"country": r["country"], "name": country_name(r["country"], lang) if r["country"] else "",
                         "items": r["items"], "votes": r["votes"]} for r in rows), key=lambda r: (-r["items"], r["name"]))
    return {"items": sum(r["items"] for r in rows), "votes": sum(r["votes"] for r in rows), "voters": voters,
            "countries": countries}


# --- export --------------------------------------------------------------------------------------------------
EXPORT_TABLES = ("items", "votes")


def export_rows(config: BoardConfig, actor, table: str) -> tuple[str, Iterator[list]]:
    """(file name, lazy rows: the header, then one row per item or vote); refuses non-staff at once."""
    require_staff(actor)
    if table not in EXPORT_TABLES:
        raise ApiError("unknown_table", N_("Unknown export: %(table)s."), table=str(table)[:60])
    activity = find_activity(config)
    return f"codesign-board-{table}.csv", (_export_items if table == "items" else _export_votes)(activity)


def _export_items(activity) -> Iterator[list]:
    yield ["item_id", "created", "kind", "title", "description", "country", "organisation_type", "author_id",
           "votes", "adopted", "adopted_note", "hidden", "hidden_reason", "merged_into"]
    if activity is None:
        return
    query = (BoardItem.objects.filter(activity=activity).order_by("id").annotate(n=Count("votes"))
             .values_list("id", "created", "kind", "title", "description", "country", "organisation_type",
                          "author__learner_id", "n", "adopted", "adopted_note", "hidden", "hidden_reason",
                          "merged_into_id"))
    for row in query.iterator(chunk_size=CHUNK):
        row = list(row)
        row[1] = row[1].isoformat()
        row[-1] = row[-1] or ""
        yield row


def _export_votes(activity) -> Iterator[list]:
    yield ["item_id", "voter_id", "voter_country", "created"]
    if activity is None:
        return
    query = (BoardVote.objects.filter(item__activity=activity).order_by("item_id", "id")
             .values_list("item_id", "voter__learner_id", "voter__country", "created"))
    for item_id, learner_id, country, created in query.iterator(chunk_size=CHUNK):
        yield [item_id, learner_id, country, created.isoformat()]
