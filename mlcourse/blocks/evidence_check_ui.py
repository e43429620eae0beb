"""Presentation of the evidence check: default statements, translated UI strings, the learner's change,
the cohort's change for staff (tables and a small SVG chart), template contexts and Studio input."""
from __future__ import annotations

import json
import re
from xml.sax.saxutils import quoteattr

from mlcourse.countries import country_name
from mlcourse.i18n import text_direction
from mlcourse.runtime import course_key_for

from .peer_exchange_ui import N_, NC_, authored_line, dom_id, translated
from .base import AUTHORED_ID, authored_id_list, parse_id_lines, studio_form

EDITABLE_FIELDS = ("display_name", "key", "moment", "statements")
MOMENTS = ("before", "after")
DEFAULT_TITLE = "How do I use evidence in my work?"
DEFAULT_KEY = "evidence-check"
DEFAULT_STATEMENTS = [
    {"id": "research", "text": "I look for research on what worked elsewhere before proposing a policy"},
    {"id": "missing", "text": "I ask who is missing from the data we use"},
    {"id": "other_countries", "text": "I use evidence from other countries' experience"},
    {"id": "citizens", "text": "I seek citizens' or service users' views as evidence"},
    {"id": "strength", "text": "I can explain to colleagues how strong the evidence behind a decision is"},
]
MAX_TITLE, MAX_STATEMENTS, MAX_STATEMENT = 200, 20, 300
_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")

SCALE = (
    (1, NC_("how often", "Never")), (2, NC_("how often", "Rarely")), (3, NC_("how often", "Sometimes")),
    (4, NC_("how often", "Often")), (5, NC_("how often", "Always")),
)
STRINGS = {
    "intro_before": N_("Before the course starts: how often do you do each of these in your policy work? "
                       "There are no right answers; you will answer again at the end and see what changed."),
    "intro_after": N_("At the end of the course: how often do you do each of these in your policy work now?"),
    "scale_help": N_("1 = never … 5 = always"),
    "submit": N_("Send my answers"), "final": N_("Answers are final once sent."),
    "thanks": N_("Thank you: your answers are saved."),
    "already": N_("You have answered at this moment."),
    "wait_after": N_("You will see how your answers changed after the end of the course."),
    "no_before": N_("You did not answer at the start of the course, so there is no change to show."),
    "my_change": N_("How your answers changed"),
    "statement": N_("Statement"), "before": N_("Before"), "after": N_("After"), "difference": N_("Change"),
    "sign_in": N_("Please sign in to answer the self-assessment."),
    "needs_js": N_("To send your answers, please turn JavaScript on."),
    "saving": N_("Saving…"),
    "network_error": N_("The connection failed. Please check your network and try again."),
}
STAFF_STRINGS = {
    "cohort": N_("The cohort's change (course team only)"),
    "counts": N_("Learners who answered: %(learners)s; who answered both before and after: %(paired)s."),
    "per_statement": N_("Per statement, learners who answered both times"),
    "per_country": N_("Per country"), "country": N_("Country"), "no_country": N_("Country not given"),
    "mean_before": N_("Mean before"), "mean_after": N_("Mean after"), "n": N_("Learners"),
    "chart_title": N_("Mean answer before and after the course, per statement"),
    "chart_desc": N_("Bars from 1 (never) to 5 (always); the same numbers are in the table."),
    "export": N_("Download the answers (CSV)"), "statement": N_("Statement"), "difference": N_("Change"),
    "none": N_("No learner has answered both times yet."),
}
AUTHOR_STRINGS = {
    "key": N_("Key linking the two placements"), "moment": N_("Moment"),
    "moment_before": N_("Before the course"), "moment_after": N_("After the course"),
    "statements": N_("Statements"), "counts": N_("Answers so far: %(count)s"),
}
STUDIO_STRINGS = {
    "display_name": N_("Display name"),
    "list_id": N_("Id"), "move_up": N_("Move up"), "move_down": N_("Move down"), "remove": N_("Remove"),
    "moved": N_("Moved."), "removed": N_("Removed."),
    "list_text": N_("Statement"), "list_add": N_("Add a statement"),
    "key": N_("Key (the same in the placement before and the one after the course)"),
    "moment": N_("Moment"), "moment_before": N_("Before the course"), "moment_after": N_("After the course"),
    "statements": N_("Statements, one per line: id | text"),
    "statements_help": N_("Ids are letters, digits, - and _ (at most 40). Keep the ids when you reword a "
                          "statement, and keep the two placements' statements the same."),
    "save": N_("Save"), "cancel": N_("Cancel"), "could_not_save": N_("Could not save"),
    "network_error": N_("The connection failed. Please check your network and try again."),
}


# --- authored data ------------------------------------------------------------------------------------------
def statements(block) -> tuple:
    """((id, text), ...) of the well-formed authored statements (OLX is imported unchecked)."""
    return authored_id_list(block.statements, "text")


def moment(block) -> str:
    return block.moment if block.moment in MOMENTS else "before"


def config(block):
    from mlcourse.services.evidence import EvidenceConfig  # noqa: PLC0415 - Django may not be ready at import

    return EvidenceConfig(course_key=course_key_for(block), key=str(block.key or DEFAULT_KEY),
                          moment=moment(block), statements=statements(block))


def _signed(value) -> str:
    """+1.5 / -2 / 0, with the decimal mark of the active language (like the means next to it)."""
    from django.utils.formats import number_format  # noqa: PLC0415

    if value is None:
        return ""
    if not value:
        return "0"
    text = number_format(abs(value), decimal_pos=None if float(value).is_integer() else 2, use_l10n=True)
    return ("+" if value > 0 else "-") + (text.rstrip("0").rstrip(".,") if "." in text or "," in text else text)


# --- the staff chart ----------------------------------------------------------------------------------------
def chart_svg(rows: list[dict], t: dict, uid: str) -> dict:
    """Bars of the mean before and after per statement; positions computed here, drawn by the template."""
    bar, gap, label_w, scale_w = 12, 10, 40, 250
    bars, y = [], 10
    for index, row in enumerate(rows, start=1):
        if row["n"]:
            for kind, value in (("before", row["before"]), ("after", row["after"])):
                # A string: templates would localise a float ("150,0" in pt-br), which SVG cannot read.
                bars.append({"kind": kind, "y": y, "w": f"{value / 5 * scale_w:.1f}", "value": value,
                             "label": f"{index}", "text_y": y + bar - 2})
                y += bar
            y += gap
    return {"bars": bars, "height": y + 10, "x": label_w, "text_x": label_w + scale_w + 6, "bar": bar,
            "width": label_w + scale_w + 40, "title_id": f"{uid}-chart-title", "desc_id": f"{uid}-chart-desc"}


def staff_context(block, cohort: dict, lang: str) -> dict:
    t = translated(block, STAFF_STRINGS)
    t["counts"] %= {"learners": cohort["learners"], "paired": cohort["paired"]}
    for row in cohort["statements"]:
        row["diff_text"] = _signed(row["diff"])
    for country in cohort["countries"]:
        country["name"] = country_name(country["country"], lang) if country["country"] else t["no_country"]
        for row in country["statements"]:
            row["diff_text"] = _signed(row["diff"])
    uid = dom_id(block)
    return {"s": t, "cohort": cohort, "chart": chart_svg(cohort["statements"], t, uid),
            "export_url": block.runtime.handler_url(block, "export_csv")}


# --- contexts -----------------------------------------------------------------------------------------------
def scale(block) -> list[dict]:
    return [{"value": value, "label": block.ugettext(label)} for value, label in SCALE]


def student_context(block, actor) -> dict:
    from mlcourse.services import evidence  # noqa: PLC0415

    lang = actor.language
    t = translated(block, STRINGS)
    cfg = config(block)
    context = {"uid": dom_id(block), "title": block.display_name, "t": t, "lang": lang, "dir": text_direction(lang),
               "moment": cfg.moment, "intro": t["intro_" + cfg.moment], "signed_in": actor.is_authenticated,
               "scale": scale(block)}
    if not actor.is_authenticated:
        return context
    state = evidence.state(cfg, actor)
    for row in state["change"]:
        row["diff_text"] = _signed(row["diff"])
    context.update(state=state, boot={"submitted": state["submitted"], "saving": t["saving"],
                                      "network_error": t["network_error"], "thanks": t["thanks"]})
    if actor.is_staff:
        context.update(staff_context(block, evidence.cohort(cfg, actor), lang))
    return context


def author_context(block) -> dict:
    from mlcourse.models import EvidenceResponse  # noqa: PLC0415

    lang = block.language
    t = translated(block, AUTHOR_STRINGS)
    cfg = config(block)
    count = EvidenceResponse.objects.filter(course_key=cfg.course_key, key=cfg.key, moment=cfg.moment).count()
    t["counts"] %= {"count": count}
    return {"author": True, "a": t, "uid": dom_id(block), "title": block.display_name, "lang": lang,
            "dir": text_direction(lang), "key": cfg.key, "moment_name": t["moment_" + cfg.moment],
            "statements": [{"id": sid, "text": text} for sid, text in cfg.statements], "scale": scale(block)}


def studio_context(block) -> dict:
    lang = block.language
    t = translated(block, STUDIO_STRINGS)
    return {"block": block, "t": t, "uid": dom_id(block), "lang": lang, "dir": text_direction(lang),
            "moment": moment(block), "lines": "\n".join(f"{sid} | {text}" for sid, text in statements(block)),
            "boot": {"could_not_save": t["could_not_save"], "network_error": t["network_error"]}}


def view_data(block) -> dict:
    """For the Open edX mobile apps: the statements and the labelled scale."""
    return {"display_name": block.display_name, "key": str(block.key or DEFAULT_KEY), "moment": moment(block),
            "statements": [{"id": sid, "text": text} for sid, text in statements(block)],
            "scale": scale(block)}


# --- Studio input -------------------------------------------------------------------------------------------
def parse_lines(text: str) -> list:
    return parse_id_lines(text, "text")


def clean_studio_payload(payload) -> dict:
    """Validate the Studio form; every problem is a clear message and nothing is saved."""
    fail = studio_form(payload, EDITABLE_FIELDS)
    clean = {}
    name = payload.get("display_name", DEFAULT_TITLE)
    if not authored_line(name, MAX_TITLE):
        fail("Please give a display name of at most 200 characters, on one line.")
    clean["display_name"] = name.strip()
    key = payload.get("key", DEFAULT_KEY)
    key = key.strip() if isinstance(key, str) else ""
    if not _KEY.fullmatch(key):
        fail("The key must be 1 to 64 letters, digits, - or _, such as evidence-2026.")
    clean["key"] = key
    if payload.get("moment", "before") not in MOMENTS:
        fail("The moment must be before or after.")
    clean["moment"] = payload.get("moment", "before")
    items = payload.get("statements", DEFAULT_STATEMENTS)
    if isinstance(items, str):
        items = parse_lines(items)
    if not isinstance(items, list) or not items or len(items) > MAX_STATEMENTS:
        fail("Please write between 1 and 20 statements.")
    clean["statements"], seen = [], set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) - {"id", "text"}:
            fail("Statement %(index)s is not valid.", index=index)
        sid, text = item.get("id"), item.get("text")
        if not isinstance(sid, str) or not AUTHORED_ID.fullmatch(sid.strip()):
            fail("Statement %(index)s needs an id of 1 to 40 letters, digits, - or _, before a |.", index=index)
        if sid.strip() in seen:
            fail("The id %(value)s appears twice.", value=sid.strip())
        if not authored_line(text, MAX_STATEMENT):
            fail("Statement %(index)s needs a text of at most 300 characters, on one line.", index=index)
        seen.add(sid.strip())
        clean["statements"].append({"id": sid.strip(), "text": text.strip()})
    return clean


# --- the workbench ------------------------------------------------------------------------------------------
SCENARIO_KEY = "evidence-2026"


def workbench_scenarios():
    out = []
    titles = {"before": DEFAULT_TITLE, "after": "How do I use evidence in my work, at the end of the course?"}
    for name, when in (("before", "before the course"), ("after", "after the course")):
        attrs = {"display_name": titles[name], "key": SCENARIO_KEY, "moment": name,
                 "statements": json.dumps(DEFAULT_STATEMENTS)}
        xml = "<evidence_check " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>"
        out.append((f"Evidence check: {when}", xml))
    return out
