"""Presentation of the peer exchange: default content, translated UI strings, template contexts, Studio input."""
from __future__ import annotations

import hashlib
import re
import json
from datetime import datetime, timezone

from mlcourse.countries import country_choices, language_choices
from mlcourse.i18n import text_direction
from mlcourse.markup import render_markdown
from mlcourse.runtime import usage_key_for
from .base import studio_form


def N_(text: str) -> str:  # noqa: N802 - gettext-style marker, translated where the language is known
    return text


def NC_(context: str, text: str) -> tuple[str, str]:  # noqa: N802 - marker with a msgctxt for ambiguous words
    return context, text


PARTNER_RULES = ("different_country_required", "different_country_preferred", "any")
EDITABLE_FIELDS = ("display_name", "prompt", "rubric", "partner_rule", "allow_triads", "fallback_window_hours",
                   "review_window_hours", "min_words", "max_words", "submission_due", "review_due", "anonymous",
                   "weight_contribution", "weight_reviews", "weight_reflection")
DEFAULT_TITLE = "Evidence in policymaking: peer exchange"
DEFAULT_PROMPT = """\
Think of **one policy decision** in your own context — national, regional or local — that you took part in
or watched closely in the last few years.

1. What was decided, by whom, and for whom?
2. Which **evidence** informed the decision (research, statistics, evaluations, citizens' voices, the
   experience of other countries)?
3. Which evidence was **missing**, ignored or contested, and what difference would it have made?

You will be paired with a colleague from **another country**. Mutual learning goes in every direction:
write so that someone who does not know your context can learn from it — and be ready to learn from theirs.
"""
DEFAULT_RUBRIC = [
    {"id": "q1", "label": "How clearly does your partner describe the decision and its context?",
     "type": "scale", "required": True},
    {"id": "q2", "label": "How well does your partner show which evidence was used and which was missing?",
     "type": "scale", "required": True},
    {"id": "q3", "label": "Which practice from your partner's context could travel to yours, and what would "
                          "have to change?", "type": "text", "required": False},
]
ORGANISATION_TYPES = (
    ("national_government", N_("National government")),
    ("subnational_government", N_("Sub-national government")),
    ("parliament", N_("Parliament")),
    ("civil_society", N_("Civil society")),
    ("research", N_("Research or academia")),
    ("international", N_("International organisation")),
    ("other", NC_("organisation type", "Other")),
)
REASONS = {
    "cross_country": N_("Paired across countries"),
    "same_country": N_("Paired within one country (any partner allowed)"),
    "relaxed_after_window": N_("Paired within one country after the waiting window"),
    "triad": N_("Joined as a third member"),
    "repeat_allowed": N_("Partners met before (no one else was available)"),
    "staff": N_("Paired by the course team"),
}
STRINGS = {
    "steps_label": N_("Steps of the exchange"),
    "step_context": NC_("step of the exchange", "Context"), "step_contribute": NC_("step of the exchange",
                                                                                  "Contribute"),
    "step_waiting": NC_("step of the exchange", "Match"), "step_review": NC_("step of the exchange", "Review"),
    "step_feedback": NC_("step of the exchange", "Feedback"), "step_done": NC_("step of the exchange", "Done"),
    "step_current": N_("current step"), "step_complete": N_("completed"),
    "prompt_heading": N_("The question for this exchange"),
    "context_heading": N_("Your context"),
    "context_intro": N_("Partners are matched across countries, so tell us where you work."),
    "country": N_("Country"), "choose_country": N_("Choose your country"),
    "organisation_type": N_("Type of organisation"), "choose_organisation": N_("Choose a type of organisation"),
    "languages": N_("Languages you read (optional)"),
    "languages_help": N_("Hold Ctrl (or Cmd) to choose several."),
    "time_zone": N_("Time zone"), "save_context": N_("Save and continue"),
    "contribute_heading": N_("Your contribution"), "your_answer": N_("Your answer"),
    "words": N_("Words: %(count)s"), "word_limits": N_("Between %(min)s and %(max)s words."),
    "submit_contribution": N_("Submit and find a partner"),
    "edit_until_paired": N_("You can edit your answer until you are paired."),
    "waiting_heading": N_("Finding you a partner"),
    "waiting_rule_required": N_("You are waiting for a partner from another country."),
    "waiting_rule_preferred": N_("You are waiting for a partner, preferably from another country."),
    "waiting_rule_any": N_("You are waiting for a partner."),
    "others_waiting": N_("Other learners waiting now: %(count)s."),
    "waiting_auto": N_("This page checks for a partner by itself; you can also come back later."),
    "update_answer": N_("Update my answer"),
    "review_heading": N_("Review your partner's work"),
    "partner": N_("Partner"), "you": N_("You"),
    "their_contribution": N_("Their contribution"),
    "learned": N_("What I learned from your context"), "suggestion": N_("One suggestion"),
    "required": NC_("form field", "required"), "optional": NC_("form field", "optional"),
    "scale_low": N_("1 = not at all"), "scale_high": N_("5 = very well"),
    "submit_review": N_("Submit review"), "review_sent": N_("Review sent to %(name)s."),
    "feedback_heading": N_("Feedback you received"),
    "gate_locked": N_("Reviews you received appear once you have submitted all your own reviews."),
    "no_reviews_yet": N_("Your partner has not reviewed your work yet. This page checks by itself."),
    "received_count": N_("Reviews received so far: %(count)s."),
    "helpfulness": N_("How helpful was this review? (1 = not helpful, 5 = very helpful)"),
    "thank_you_note": N_("Thank-you note (optional)"), "rate": N_("Send rating"),
    "your_rating": N_("Your rating: %(value)s of 5"),
    "reflection_heading": N_("Your reflection"),
    "reflection_prompt": N_("What I will take from my partner's context into my own work"),
    "submit_reflection": N_("Submit reflection and finish"),
    "done_heading": N_("Exchange complete"),
    "done_intro": N_("Here is your exchange in both directions."),
    "you_gave": N_("Feedback you gave"), "you_received": N_("Feedback you received"),
    "rated": N_("Rated %(value)s of 5"), "not_rated": N_("Not rated yet"),
    "partner_silent": N_("Your partner has not reviewed your work within the review window."),
    "request_new_partner": N_("Ask for a new partner"),
    "new_partner_kept": N_("Everything you have received so far is kept."),
    "sign_in": N_("Please sign in to take part in the peer exchange."),
    "needs_js": N_("You can read the question without JavaScript; to take part, please turn JavaScript on."),
    "saving": N_("Saving…"), "saved": N_("Saved."), "paired": N_("You have a partner: %(names)s."),
    "network_error": N_("The connection failed. Please check your network and try again."),
    "deadline_passed": N_("The deadline for this step has passed."),
    "submission_due": N_("Submissions due: %(date)s"), "review_due": N_("Reviews due: %(date)s"),
    "reason": N_("Why this pairing"),
    "download_data": N_("Download my data (JSON)"),
    "contribution_hidden": N_("The course team has hidden this contribution."),
    "your_contribution_hidden": N_("The course team has hidden your contribution from your partners: %(reason)s"),
    "review_hidden": N_("The course team has hidden this review: %(reason)s"),
}


STUDIO_STRINGS = {
    "display_name": N_("Display name"), "prompt": N_("Prompt (Markdown)"), "rubric": N_("Rubric questions"),
    "add_question": N_("Add a question"), "question": N_("Question"), "type": N_("Type"),
    "type_scale": N_("1–5 scale"), "type_text": N_("Free text"), "required_label": N_("Required"),
    "move_up": N_("Move up"), "move_down": N_("Move down"), "remove": N_("Remove"),
    "partner_rule": N_("Partner rule"), "rule_different_country_required": N_("Different country required"),
    "rule_different_country_preferred": N_("Different country preferred"), "rule_any": N_("Any partner"),
    "allow_triads": N_("Allow triads (a learner alone after the fallback window joins a pair)"),
    "anonymous": N_("Hide learner names from partners"),
    "fallback": N_("Fallback window (hours)"), "review_window": N_("Review window (hours)"),
    "min_words": N_("Minimum words"), "max_words": N_("Maximum words"),
    "submission_due": N_("Submission due (ISO date and time, UTC, optional)"),
    "review_due": N_("Review due (ISO date and time, UTC, optional)"),
    "weight_contribution": N_("Weight of the contribution"), "weight_reviews": N_("Weight of the reviews given"),
    "weight_reflection": N_("Weight of the reflection"), "save": N_("Save"), "cancel": N_("Cancel"),
    "could_not_save": N_("Could not save"),
    "windows": N_("Windows"), "words": N_("Words"), "deadlines": N_("Deadlines"), "cohort": N_("Cohort"),
    "triads_allowed": N_("triads allowed"), "fallback_short": N_("fallback %(hours)s h"),
    "review_short": N_("review %(hours)s h"), "required_short": N_("required"),
    "counts": N_("%(participants)s participants · %(waiting)s waiting · %(review)s reviewing · "
                 "%(feedback)s in feedback · %(done)s done · %(exchanges)s exchanges"),
}


def translated(block, mapping: dict) -> dict:
    return {key: block.ugettext(value) for key, value in mapping.items()}


def student_context(block, actor, state) -> dict:
    lang = actor.language
    strings = translated(block, STRINGS)
    strings["org_types"] = {key: block.ugettext(label) for key, label in ORGANISATION_TYPES}
    strings["reasons"] = translated(block, REASONS)
    return {
        "title": block.display_name,
        "uid": dom_id(block),
        "prompt_html": render_markdown(block.prompt),
        "phase": state["phase"] if state else None,  # the other steps start hidden: no flash of all six on a slow link
        # The country and language lists (~20 KB of HTML) only while the learner can still fill the context form.
        "lists": not state or state["phase"] == "context",
        "t": strings,
        "dir": text_direction(lang),
        "lang": lang,
        "signed_in": actor.is_authenticated,
        "countries": country_choices(lang),
        "country_hint": actor.country_hint,
        "time_zone_hint": actor.time_zone_hint,
        "languages": language_choices(lang),
        "org_types": [(key, block.ugettext(label)) for key, label in ORGANISATION_TYPES],
        "steps": [("context", strings["step_context"]), ("contribute", strings["step_contribute"]),
                  ("waiting", strings["step_waiting"]), ("review", strings["step_review"]),
                  ("feedback", strings["step_feedback"]), ("done", strings["step_done"])],
        "boot": {"state": state, "strings": strings},
    }


def dom_id(block) -> str:
    """A short id prefix unique per block on a page, for label/input pairs."""
    return "mlc-" + hashlib.sha1(usage_key_for(block).encode("utf-8")).hexdigest()[:10]


def author_context(block) -> dict:
    t = translated(block, STUDIO_STRINGS)
    counts = _counts(block)
    t["fallback_short"] %= {"hours": block.fallback_window_hours}
    t["review_short"] %= {"hours": block.review_window_hours}
    t["counts"] %= counts
    t["rule_name"] = t["rule_" + block.partner_rule]
    return {
        "t": t,
        "title": block.display_name,
        "lang": block.language, "dir": text_direction(block.language),
        "prompt_html": render_markdown(block.prompt),
        "rule": block.partner_rule, "triads": block.allow_triads,
        "rubric": block.rubric, "min_words": block.min_words, "max_words": block.max_words,
        "fallback": block.fallback_window_hours, "review_window": block.review_window_hours,
        "submission_due": block.submission_due, "review_due": block.review_due,
    }


def _counts(block) -> dict:
    """The cohort by step, for the author view (the staff dashboard has the detail)."""
    from django.utils import timezone  # noqa: PLC0415

    from mlcourse.services.records import find_activity  # noqa: PLC0415
    from mlcourse.services.staff_overview import step_counts  # noqa: PLC0415

    config = block.config()
    activity = find_activity(config)
    if activity is None:
        return {"participants": 0, "waiting": 0, "exchanges": 0, "review": 0, "feedback": 0, "done": 0}
    return step_counts(config, activity, timezone.now())


def studio_context(block) -> dict:
    t = translated(block, STUDIO_STRINGS)
    return {"block": block, "t": t, "rules": [(rule, t["rule_" + rule]) for rule in PARTNER_RULES],
            "lang": block.language, "dir": text_direction(block.language),
            "boot": {"rubric": block.rubric, "strings": t},
            "submission_due": block.submission_due.isoformat() if block.submission_due else "",
            "review_due": block.review_due.isoformat() if block.review_due else ""}


def view_data(block) -> dict:
    return {
        "display_name": block.display_name, "prompt_html": render_markdown(block.prompt), "rubric": block.rubric,
        "partner_rule": block.partner_rule, "allow_triads": block.allow_triads, "min_words": block.min_words,
        "max_words": block.max_words, "anonymous": block.anonymous,
        "submission_due": block.submission_due.isoformat() if block.submission_due else None,
        "review_due": block.review_due.isoformat() if block.review_due else None,
    }


def score(block, progress: dict) -> float:
    reviews = progress["reviews_given"] / progress["reviews_due"] if progress["reviews_due"] else 0.0
    total = block.weight_contribution + block.weight_reviews + block.weight_reflection or 1.0
    raw = (block.weight_contribution * progress["contribution"] + block.weight_reviews * min(1.0, reviews)
           + block.weight_reflection * progress["reflection"])
    return round(raw / total, 4)


def can_edit(block) -> bool:
    actor = block.actor
    if actor.is_staff:
        return True
    attrs = getattr(block.runtime.service(block, "user").get_current_user(), "opt_attrs", {}) or {}
    # In Studio the platform's user service carries no learner role; Studio itself checks course-team access.
    return "edx-platform.user_role" not in attrs and "xblock-workbench.user_id" not in attrs \
        and "edx-platform.anonymous_user_id" not in attrs


def _parse_due(value, label):
    from mlcourse.services import ApiError  # noqa: PLC0415

    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)  # XBlock's DateTime field keeps no offset: store UTC
    except (ValueError, OverflowError) as exc:
        raise ApiError("invalid_date", "Please give %(field)s as a date and time.", field=label) from exc


# Characters XML cannot hold (OLX export) and XBlock's String field would silently strip.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def _authored_text(value, max_chars: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= max_chars and not _NOT_XML.search(value)


def authored_line(value, max_chars: int) -> bool:
    """Authored text on one line (names, titles, labels): `_authored_text` without line breaks or tabs."""
    return _authored_text(value, max_chars) and not any(c in value for c in "\r\n\t")


def clean_studio_payload(payload) -> dict:  # noqa: C901 - one flat list of checks reads best
    """Validate the Studio form; every problem is a clear message and nothing is saved."""
    fail = studio_form(payload, EDITABLE_FIELDS)
    clean = {}
    name = payload.get("display_name", DEFAULT_TITLE)
    if not _authored_text(name, 200):
        fail("Please give a display name of at most 200 characters.")
    clean["display_name"] = name.strip()
    prompt = payload.get("prompt", "")
    if not _authored_text(prompt, 20000):
        fail("Please write a prompt of at most 20,000 characters.")
    clean["prompt"] = prompt
    rubric = payload.get("rubric", [])
    if not isinstance(rubric, list) or not 1 <= len(rubric) <= 12:
        fail("The rubric needs between 1 and 12 questions.")
    seen = set()
    clean_rubric = []
    for index, question in enumerate(rubric, start=1):
        if not isinstance(question, dict):
            fail("Question %(field)s is not valid.", field=index)
        qid = str(question.get("id") or "").strip()[:40]
        label = question.get("label")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", qid) or qid in seen:
            fail("Question %(field)s needs a unique id (letters, digits, - and _).", field=index)
        if not _authored_text(label, 500):
            fail("Question %(field)s needs a label of at most 500 characters.", field=index)
        if question.get("type") not in ("scale", "text"):
            fail("Question %(field)s must be a 1–5 scale or free text.", field=index)
        seen.add(qid)
        clean_rubric.append({"id": qid, "label": label.strip(), "type": question["type"],
                             "required": bool(question.get("required", True))})
    clean["rubric"] = clean_rubric
    if payload.get("partner_rule") not in PARTNER_RULES:
        fail("Please choose a partner rule from the list.")
    clean["partner_rule"] = payload["partner_rule"]
    for key in ("allow_triads", "anonymous"):
        if not isinstance(payload.get(key, False), bool):
            fail("%(field)s must be true or false.", field=key)
        clean[key] = payload.get(key, False)
    for key, low, high in (("fallback_window_hours", 0, 24 * 60), ("review_window_hours", 1, 24 * 60),
                           ("weight_contribution", 0, 1), ("weight_reviews", 0, 1), ("weight_reflection", 0, 1)):
        value = payload.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            fail("%(field)s must be a number between %(low)s and %(high)s.", field=key, low=low, high=high)
        clean[key] = float(value)
    if clean["weight_contribution"] + clean["weight_reviews"] + clean["weight_reflection"] <= 0:
        fail("At least one weight must be above zero.")
    for key in ("min_words", "max_words"):
        value = payload.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5000:
            fail("%(field)s must be a whole number between 0 and 5000.", field=key)
        clean[key] = value
    if clean["min_words"] > clean["max_words"]:
        fail("The minimum number of words cannot be above the maximum.")
    clean["submission_due"] = _parse_due(payload.get("submission_due"), "submission_due")
    clean["review_due"] = _parse_due(payload.get("review_due"), "review_due")
    if clean["submission_due"] and clean["review_due"] and clean["review_due"] < clean["submission_due"]:
        fail("The review deadline cannot come before the submission deadline.")
    return clean


def workbench_scenarios():
    rubric = json.dumps(DEFAULT_RUBRIC).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return [(DEFAULT_TITLE,
             f'<peer_exchange display_name="{DEFAULT_TITLE}" min_words="40" max_words="600" rubric="{rubric}"/>')]
