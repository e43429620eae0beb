"""Presentation of the staff dashboard: translated strings and the template context.

Every string the dashboard shows is here, marked with N_ and translated for the staff member's language; the
template gets them as `t` and the script as JSON (`boot.strings`). `%(name)s` placeholders are filled in JS.
"""
from __future__ import annotations

from django.conf import settings

from mlcourse.i18n import text_direction

from .peer_exchange_ui import N_, ORGANISATION_TYPES, REASONS, dom_id, translated

PAGE_SIZE = 25
EXPORT_TABLES = ("participants", "exchanges", "reviews", "ratings", "reflections", "staff_actions")
COUNTS = ("participants", "context", "contributed", "waiting", "review", "feedback", "done", "stalled",
          "waiting_past_window")
STATUSES = ("all", "open", "closed", "stalled")

STAFF_STRINGS = {
    "heading": N_("Staff dashboard"),
    "intro": N_("The whole cohort of this activity: who is stuck, what to do, and how learning flowed."),
    "refresh": N_("Refresh"), "loading": N_("Loading…"), "working": N_("Working…"), "updated": N_("Updated."),
    "network_error": N_("The connection failed. Please check your network and try again."),
    # counts by step
    "counts_heading": N_("Learners by step"),
    "c_participants": N_("Learners"), "c_context": N_("Context given"), "c_contributed": N_("Contributed"),
    "c_waiting": N_("Waiting"), "c_review": N_("In review"), "c_feedback": N_("In feedback"), "c_done": N_("Done"),
    "c_stalled": N_("Stalled exchanges"), "c_waiting_past_window": N_("Waiting past the fallback window"),
    # waiting list
    "waiting_heading": N_("Waiting for a partner"), "waiting_total": N_("Learners waiting: %(count)s."),
    "waiting_caption": N_("Learners waiting for a partner, first in line first"),
    "waiting_empty": N_("Nobody is waiting for a partner."),
    "h_name": N_("Name"), "h_country": N_("Country"), "h_org": N_("Type of organisation"),
    "h_hours": N_("Waiting (hours)"), "h_first": N_("First in line"), "h_why": N_("Why no partner yet"),
    "yes": N_("Yes"), "no": N_("No"),
    "why_alone": N_("Nobody else is waiting"),
    "why_same_country_only": N_("Only learners from the same country are waiting"),
    "why_same_country_within_window": N_("Only same-country learners are waiting; still within the fallback window"),
    "why_window_passed": N_("Past the fallback window: paired with anyone at their next visit or the next arrival"),
    "why_past_partners_only": N_("Only past partners are waiting"),
    "selected": N_("Selected: %(count)s"),
    "pair_selected": N_("Pair selected"), "pick_2_3": N_("Select two or three waiting learners to pair."),
    "pair_all": N_("Pair everyone waiting now"),
    "include_same": N_("Then pair those left over within their own country"),
    "confirm_needed": N_("Please confirm this pairing:"),
    "w_same_country": N_("these learners are from the same country"),
    "w_met_before": N_("these learners have been partners before"),
    "pair_anyway": N_("Pair anyway"), "cancel": N_("Cancel"), "confirm": N_("Confirm"),
    "paired": N_("Paired."),
    "plan_heading": N_("Plan for everyone waiting now"),
    "plan_summary": N_("Learners waiting: %(waiting)s; would be paired: %(paired)s; new exchanges: %(groups)s; "
                       "pairs across countries: %(cross)s (at most %(bound)s possible)."),
    "plan_empty": N_("Nobody can be paired under the partner rule right now."),
    "batch_done": N_("Paired. New exchanges: %(count)s."),
    "prev": N_("Previous page"), "next": N_("Next page"), "page": N_("Page %(page)s of %(pages)s"),
    "waiting_pages": N_("Pages of the waiting list"), "exchanges_pages": N_("Pages of the exchanges"),
    # exchanges
    "exchanges_heading": N_("Exchanges"), "exchanges_total": N_("Exchanges shown: %(count)s."),
    "exchanges_caption": N_("Exchanges, newest first"), "exchanges_empty": N_("No exchange matches these filters."),
    "f_status": N_("Status"), "f_country": N_("Country"), "all_countries": N_("All countries"),
    "st_all": N_("All"), "st_open": N_("Open"), "st_closed": N_("Closed"), "st_stalled": N_("Stalled"),
    "h_exchange": N_("Exchange"), "h_members": N_("Members and their step"), "h_reasons": N_("Why this pairing"),
    "h_reviews": N_("Reviews and ratings"), "h_recip": N_("Reciprocity"), "h_last": N_("Last activity"),
    "h_actions": N_("Actions"),
    "step_review": N_("reviewing"), "step_feedback": N_("reading feedback"), "step_done": N_("done"),
    "step_left": N_("left the exchange"),
    "given_received": N_("reviews given %(given)s, received %(received)s"),
    "review_line": N_("%(from)s → %(to)s"), "rated": N_("rated %(value)s of 5"), "not_rated": N_("not rated"),
    "hidden": N_("hidden"), "no_reviews": N_("No reviews yet."),
    "hide": N_("Hide"), "unhide": N_("Unhide"), "review_n": N_("review %(id)s"),
    "dissolve": N_("Dissolve"), "exchange_n": N_("exchange %(id)s"),
    "reason_label": N_("Reason"), "reason_required": N_("The learner whose review is hidden sees this reason."),
    "reason_optional": N_("Optional; kept in the staff log."),
    "hide_title": N_("Hide %(what)s"), "dissolve_title": N_("Dissolve %(what)s"),
    "dissolve_help": N_("Members who are not done go back to waiting, first in line. Reviews are kept."),
    "review_hidden": N_("Review hidden."), "review_shown": N_("Review shown again."),
    "dissolved": N_("Exchange dissolved."),
    # mutual learning
    "mutual_heading": N_("Mutual learning"),
    "matrix_title": N_("Reviews between countries"),
    "matrix_desc": N_("Rows: the reviewers' country. Columns: the country of the learner reviewed. Each cell "
                      "gives the number of reviews; darker means more. The table below gives the same numbers."),
    "matrix_caption": N_("Number of reviews by reviewer country (rows) and reviewed country (columns)"),
    "matrix_empty": N_("No reviews yet."), "m_corner": N_("Reviewers ↓ · reviewed →"),
    "cell_title": N_("%(from)s reviewed %(to)s: %(count)s"),
    "legend": N_("Colour scale (number of reviews):"),
    "recip_heading": N_("Reciprocity"),
    "r_index": N_("Reciprocity index"),
    "r_index_help": N_("Per exchange: the share of possible reviews given, times the balance; averaged over "
                       "exchanges. 1 means everyone reviewed everyone, equally helpfully."),
    "r_both": N_("Exchanges reviewed both ways"),
    "r_both_help": N_("Share of exchanges in which every member reviewed every other member."),
    "r_balance": N_("Balance"),
    "r_balance_help": N_("1 means partners found each other's reviews equally helpful; lower means one side "
                         "gained more."),
    "r_pairs": N_("Country pairs learning both ways"),
    "r_pairs_help": N_("Pairs of countries whose learners reviewed each other in both directions."),
    "r_pairs_value": N_("%(two_way)s of %(pairs)s"),
    "r_measured": N_("Exchanges measured: %(count)s."), "not_measured": N_("not measured yet"),
    "ratings_title": N_("How helpful learners found the reviews"),
    "ratings_desc": N_("Number of ratings for each helpfulness score, from 1 (not helpful) to 5 (very helpful): "
                       "%(list)s."),
    "rating_n": N_("score %(score)s: %(count)s"),
    # tools
    "tools_heading": N_("Tools"),
    "roster_heading": N_("Import a roster"),
    "roster_help": N_("CSV with a header row: username (or anonymous_id), country (two-letter code), "
                      "organisation_type. Nothing is imported if any line has a problem."),
    "roster_file": N_("CSV file"), "roster_text": N_("CSV text"), "roster_import": N_("Import roster"),
    "roster_done": N_("Roster imported: %(imported)s rows (%(created)s new, %(updated)s updated, "
                      "%(unchanged)s unchanged)."),
    "roster_problems": N_("Problems in the roster:"), "line_error": N_("Line %(line)s: %(error)s"),
    "deadline_heading": N_("Extend a learner's deadlines"),
    "deadline_participant": N_("Learner (id; pick from the waiting list or type it)"),
    "deadline_submission": N_("Submission due"), "deadline_review": N_("Review due"),
    "deadline_help": N_("In your time zone. Leave a date empty to use the activity's deadline."),
    "deadline_save": N_("Set deadlines"), "deadline_done": N_("Deadlines set for learner %(id)s."),
    "deadline_pick": N_("Please give the learner's id."),
    "exports_heading": N_("Exports (CSV)"), "usernames": N_("Include usernames"),
    "x_participants": N_("Participants"), "x_exchanges": N_("Exchanges"), "x_reviews": N_("Reviews"),
    "x_ratings": N_("Ratings"), "x_reflections": N_("Reflections"), "x_staff_actions": N_("Staff actions"),
}


def dashboard_context(block) -> dict:
    t = translated(block, STAFF_STRINGS)
    t["org_types"] = {key: block.ugettext(label) for key, label in ORGANISATION_TYPES}
    # "same_country" also tags the pairs staff confirm by hand, whatever the partner rule: a neutral name here.
    t["reasons"] = translated(block, {**REASONS, "same_country": N_("Paired within one country")})
    lang = block.language
    uid = dom_id(block) + "-s"
    usernames = bool(getattr(settings, "MLCOURSE_EXPORT_USERNAMES", True))
    return {
        "t": t, "uid": uid, "lang": lang, "dir": text_direction(lang), "usernames": usernames,
        "counts": [(key, t["c_" + key]) for key in COUNTS],
        "statuses": [(key, t["st_" + key]) for key in STATUSES],
        "exports": [(key, t["x_" + key]) for key in EXPORT_TABLES],
        "boot": {"strings": t, "uid": uid, "lang": lang, "page_size": PAGE_SIZE},
    }
