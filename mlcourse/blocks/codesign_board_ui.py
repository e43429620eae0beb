"""Presentation of the co-design board: default content, translated strings, template contexts, Studio input."""
from __future__ import annotations

import json
import re
from xml.sax.saxutils import quoteattr

from mlcourse.countries import country_choices
from mlcourse.i18n import text_direction
from mlcourse.markup import render_markdown
from mlcourse.runtime import course_key_for, usage_key_for

from .base import AUTHORED_ID, authored_id_list, parse_id_lines, studio_form
from .peer_exchange_ui import N_, NC_, ORGANISATION_TYPES, _authored_text, authored_line, dom_id, translated

EDITABLE_FIELDS = ("display_name", "intro", "kinds", "votes_per_learner", "max_proposals")
DEFAULT_TITLE = N_("Shape this course: propose and vote")
DEFAULT_INTRO = N_("""\
This course is co-designed. Propose a **policy challenge** you face, a **case from your country** that others
could learn from, or a **topic** you want the course to cover, and vote for the proposals you find most useful.
The course team adopts the most wanted ones into the course and tells you how.
""")
DEFAULT_KINDS = [
    {"id": "challenge", "label": "A policy challenge"},
    {"id": "case", "label": "A case from my country"},
    {"id": "topic", "label": "A topic to cover"},
]
# The default labels, marked so that a board that keeps them reads in the learner's language.
_DEFAULT_KIND_LABELS = (N_("A policy challenge"), N_("A case from my country"), N_("A topic to cover"))
MAX_TITLE, MAX_INTRO, MAX_KINDS, MAX_KIND_LABEL = 200, 5000, 10, 80

STRINGS = {
    "sign_in": N_("Please sign in to take part in the co-design board."),
    "propose": N_("Propose an item"),
    "no_proposals_left": N_("You have made all the proposals this board allows."),
    "title": N_("Title"), "title_help": N_("At most 120 characters."),
    "description": N_("Description (optional)"), "description_help": N_("At most 2,000 characters."),
    "kind": N_("Kind"), "choose_kind": N_("Choose a kind"),
    "country": N_("Country"), "choose_country": N_("Choose your country"),
    "organisation_type": N_("Type of organisation"), "choose_organisation": N_("Choose a type of organisation"),
    "context_known": N_("Your country and organisation come from your peer exchange: %(country)s, %(organisation)s."),
    "context_needed": N_("Tell us where you work: proposals are shown with the proposer's country."),
    "send": N_("Send my proposal"),
    "sort": N_("Sort by"), "sort_votes": N_("Most votes"), "sort_newest": N_("Newest"),
    "sort_country": NC_("sort by", "Country"), "filter_kind": N_("Show"), "all_kinds": N_("All kinds"),
    "apply": N_("Show proposals"), "items_heading": N_("Proposals"),
    "showing": N_("Showing %(shown)s of %(total)s proposals."), "more": N_("Show more proposals"),
    "empty": N_("No proposals yet. Be the first to propose one."),
    "yours": N_("Your proposal"), "adopted": N_("Adopted into the course"),
    "hidden": N_("Hidden by the course team"), "hidden_reason": N_("Hidden by the course team: %(reason)s"),
    "merged_from": N_("Also proposed as:"), "my_merged": N_("Your proposal “%(title)s” was merged into “%(into)s”; "
                                                             "its votes count there."),
    "vote": N_("Vote"), "withdraw": N_("Withdraw my vote"),
    "removed": N_("(removed at the author's request)"),
    "my_merged_elsewhere": N_("Your proposal “%(title)s” was merged into another proposal; its votes count there."),
    "needs_js": N_("To propose and vote, please turn JavaScript on."),
}
STAFF_STRINGS = {
    "staff_heading": N_("Course team"), "actions": N_("Course team actions"),
    "adopt_note": N_("Note shown to everyone: how the proposal is used in the course"),
    "adopt": N_("Mark as adopted"), "unadopt": N_("Remove the adopted mark"),
    "hide_reason": N_("Reason (shown to the author)"), "hide": N_("Hide"), "unhide": N_("Show again"),
    "merge_into": N_("Merge into proposal number"), "merge": N_("Merge"),
    "number": N_("Proposal number %(id)s"),
    "summary": N_("%(items)s proposals, %(votes)s votes, %(voters)s participants."),
    "per_country": N_("Proposals per country of the proposer"), "country": N_("Country"),
    "items": N_("Proposals"), "votes": N_("Votes"), "no_country": N_("Country not given"),
    "export_items": N_("Download the proposals (CSV)"), "export_votes": N_("Download the votes (CSV)"),
}
AUTHOR_STRINGS = {
    "kinds": N_("Kinds of proposal"), "votes_per_learner": N_("Votes per learner"),
    "max_proposals": N_("Proposals per learner"), "counts": N_("Proposals so far: %(count)s"),
}
STUDIO_STRINGS = {
    "display_name": N_("Display name"), "intro": N_("Introduction (Markdown)"),
    "list_id": N_("Id"), "move_up": N_("Move up"), "move_down": N_("Move down"), "remove": N_("Remove"),
    "moved": N_("Moved."), "removed": N_("Removed."),
    "list_text": N_("Label"), "list_add": N_("Add a kind"),
    "kinds": N_("Kinds of proposal, one per line: id | label"),
    "kinds_help": N_("Ids are letters, digits, - and _ (at most 40). Keep an id when you reword its label."),
    "votes_per_learner": N_("Votes per learner"), "max_proposals": N_("Proposals per learner"),
    "save": N_("Save"), "cancel": N_("Cancel"), "could_not_save": N_("Could not save"),
    "network_error": N_("The connection failed. Please check your network and try again."),
}


# --- authored data ------------------------------------------------------------------------------------------
def kinds(block) -> tuple:
    """((id, label), ...) of the well-formed authored kinds (OLX is imported unchecked)."""
    return authored_id_list(block.kinds, "label")


def _limit(value, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 50 else default


def config(block):
    from mlcourse.services.board import BoardConfig  # noqa: PLC0415 - Django may not be ready at import

    return BoardConfig(course_key=course_key_for(block), usage_key=usage_key_for(block), kinds=kinds(block),
                       votes_per_learner=_limit(block.votes_per_learner, 3),
                       max_proposals=_limit(block.max_proposals, 3))


# --- contexts -----------------------------------------------------------------------------------------------
def intro_html(block) -> str:
    """The authored introduction; the default one reads in the learner's language."""
    return render_markdown(block.ugettext(DEFAULT_INTRO) if block.intro == DEFAULT_INTRO else block.intro)


def _kind_labels(block) -> dict:
    return {kid: block.ugettext(label) for kid, label in kinds(block)}


def _org_labels(block) -> dict:
    return {key: block.ugettext(label) for key, label in ORGANISATION_TYPES}


def votes_left_text(block, left: int, total: int) -> str:
    return block.ngettext("You have %(left)s of %(total)s vote left.", "You have %(left)s of %(total)s votes left.",
                          left) % {"left": left, "total": total}


def proposals_left_text(block, left: int) -> str:
    if not left:
        return block.ugettext(STRINGS["no_proposals_left"])
    return block.ngettext("You can make %(count)s more proposal.", "You can make %(count)s more proposals.",
                          left) % {"count": left}


def items_context(block, state: dict, staff: bool) -> dict:
    """What the list template needs: the page's items with translated labels, and the paging line."""
    t = translated(block, STRINGS)
    labels, orgs = _kind_labels(block), _org_labels(block)
    items = []
    for item in state["items"]:
        item = dict(item)
        item["title"] = item["title"] or t["removed"]
        item["merged"] = [dict(m, title=m["title"] or t["removed"]) for m in item["merged"]]
        item["kind_label"] = labels.get(item["kind"], item["kind"])
        item["organisation_label"] = orgs.get(item["organisation_type"], "")
        item["votes_text"] = block.ngettext("%(count)s vote", "%(count)s votes", item["votes"]) % {
            "count": item["votes"]}
        item["hidden_text"] = t["hidden_reason"] % {"reason": item["hidden_reason"]} if item["hidden_reason"] \
            else t["hidden"]
        item["can_vote"] = not item["mine"] and not item["hidden"]
        items.append(item)
    shown = min(state["total"], state["offset"] + len(items))
    return {"items": items, "t": t, "staff": staff, "uid": dom_id(block), "offset": state["offset"],
            "start": state["offset"] + 1, "next_offset": state["offset"] + len(items), "s": translated(block, STAFF_STRINGS) if staff else {},
            "showing": t["showing"] % {"shown": shown, "total": state["total"]}, "more": shown < state["total"]}


def student_context(block, actor) -> dict:
    from mlcourse.services import board  # noqa: PLC0415

    lang = actor.language
    t = translated(block, STRINGS)
    context = {"uid": dom_id(block), "title": block.ugettext(block.display_name) if block.display_name ==
               DEFAULT_TITLE else block.display_name, "intro_html": intro_html(block), "t": t,
               "lang": lang, "dir": text_direction(lang), "signed_in": actor.is_authenticated}
    if not actor.is_authenticated:
        return context
    cfg = config(block)
    state = board.state(cfg, actor)
    ctx = state["context"]
    orgs = _org_labels(block)
    context.update(items_context(block, state, actor.is_staff))
    context.update(
        t=t, state=state, kinds=list(_kind_labels(block).items()),
        needs_context=ctx["source"] != "peer_exchange",
        context_known=t["context_known"] % {"country": _country(ctx["country"], lang),
                                            "organisation": orgs.get(ctx["organisation_type"], "")},
        votes_left=votes_left_text(block, state["votes_left"], state["votes_per_learner"]),
        proposals_left=proposals_left_text(block, state["proposals_left"]),
        my_merged=[(t["my_merged"] if row["into"] else t["my_merged_elsewhere"]) % row for row in state["my_merged"]],
        boot={"votes_per_learner": state["votes_per_learner"], "page_size": state["page_size"]},
        took_part=state["votes_left"] < state["votes_per_learner"] or state["proposals_left"] < cfg.max_proposals,
    )
    if context["needs_context"]:  # the lists (~20 KB of HTML) only when the learner must still choose
        context.update(countries=country_choices(lang), org_types=list(orgs.items()),
                       my_country=ctx["country"] or actor.country_hint, my_org=ctx["organisation_type"])
    if actor.is_staff:
        overview = board.overview(cfg, actor, lang)
        s = context["s"]
        s["summary"] %= {"items": overview["items"], "votes": overview["votes"], "voters": overview["voters"]}
        context.update(overview=overview,
                       export_items=block.runtime.handler_url(block, "export_csv", query="table=items"),
                       export_votes=block.runtime.handler_url(block, "export_csv", query="table=votes"))
    return context


def _country(code: str, lang: str) -> str:
    from mlcourse.countries import country_name  # noqa: PLC0415

    return country_name(code, lang) if code else ""


def author_context(block) -> dict:
    from mlcourse.models import BoardItem  # noqa: PLC0415

    lang = block.language
    t = translated(block, AUTHOR_STRINGS)
    cfg = config(block)
    count = BoardItem.objects.filter(activity__course_key=cfg.course_key, activity__usage_key=cfg.usage_key,
                                     merged_into__isnull=True).count()
    t["counts"] %= {"count": count}
    return {"author": True, "a": t, "uid": dom_id(block), "title": block.display_name, "lang": lang,
            "dir": text_direction(lang), "intro_html": intro_html(block),
            "kinds": list(_kind_labels(block).values()), "votes_per_learner": cfg.votes_per_learner,
            "max_proposals": cfg.max_proposals}


def studio_context(block) -> dict:
    lang = block.language
    t = translated(block, STUDIO_STRINGS)
    return {"block": block, "t": t, "uid": dom_id(block), "lang": lang, "dir": text_direction(lang),
            "lines": "\n".join(f"{kid} | {label}" for kid, label in kinds(block)),
            "boot": {"could_not_save": t["could_not_save"], "network_error": t["network_error"]}}


def view_data(block) -> dict:
    """For the Open edX mobile apps: the authored settings; items come from the `state` handler."""
    cfg = config(block)
    return {"display_name": block.display_name, "intro_html": intro_html(block),
            "kinds": [{"id": kid, "label": label} for kid, label in _kind_labels(block).items()],
            "votes_per_learner": cfg.votes_per_learner, "max_proposals": cfg.max_proposals}


# --- Studio input -------------------------------------------------------------------------------------------
def parse_lines(text: str) -> list:
    return parse_id_lines(text, "label")


def clean_studio_payload(payload) -> dict:
    """Validate the Studio form; every problem is a clear message and nothing is saved."""
    fail = studio_form(payload, EDITABLE_FIELDS)
    clean = {}
    name = payload.get("display_name", DEFAULT_TITLE)
    if not authored_line(name, MAX_TITLE):
        fail("Please give a display name of at most 200 characters, on one line.")
    clean["display_name"] = name.strip()
    intro = payload.get("intro", DEFAULT_INTRO)
    if not _authored_text(intro, MAX_INTRO):
        fail("The introduction must be text of at most 5000 characters.")
    clean["intro"] = intro
    items = payload.get("kinds", DEFAULT_KINDS)
    if isinstance(items, str):
        items = parse_lines(items)
    if not isinstance(items, list) or not items or len(items) > MAX_KINDS:
        fail("Please give between 1 and 10 kinds of proposal.")
    clean["kinds"], seen = [], set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) - {"id", "label"}:
            fail("Kind %(index)s is not valid.", index=index)
        kid, label = item.get("id"), item.get("label")
        if not isinstance(kid, str) or not AUTHORED_ID.fullmatch(kid.strip()):
            fail("Kind %(index)s needs an id of 1 to 40 letters, digits, - or _, before a |.", index=index)
        if kid.strip() in seen:
            fail("The id %(value)s appears twice.", value=kid.strip())
        if not authored_line(label, MAX_KIND_LABEL) or not label.strip():
            fail("Kind %(index)s needs a label of at most 80 characters, on one line.", index=index)
        seen.add(kid.strip())
        clean["kinds"].append({"id": kid.strip(), "label": label.strip()})
    for key, label in (("votes_per_learner", STUDIO_STRINGS["votes_per_learner"]),
                       ("max_proposals", STUDIO_STRINGS["max_proposals"])):
        value = payload.get(key, 3)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 50:
            fail("%(field)s must be a whole number between 1 and 50.", field=label)  # the label, translated
        clean[key] = value
    return clean


# --- the workbench ------------------------------------------------------------------------------------------
def board_xml(**attrs) -> str:
    attrs = {"display_name": DEFAULT_TITLE, "kinds": json.dumps(DEFAULT_KINDS), **attrs}
    return "<codesign_board " + " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs.items()) + "/>"


def workbench_scenarios():
    from .demo_course import course_scenario  # noqa: PLC0415

    return [course_scenario(), ("Co-design board: propose and vote", board_xml())]
