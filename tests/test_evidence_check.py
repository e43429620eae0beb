"""The evidence check through the workbench runtime: answers before and after the course, the learner's own
change, the cohort's change for staff (per statement and per country), refusals that write nothing, the
database's one-response-per-moment rule, the CSV export, OLX round trip, Studio validation and the views."""
import csv
import io
import json
import re

import pytest
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.db import connection
from lxml import etree, html as lxml_html
from webob import Request
from workbench.runtime import WorkbenchRuntime

from mlcourse.blocks.evidence_check import EvidenceCheckBlock
from mlcourse.blocks.evidence_check_ui import DEFAULT_STATEMENTS, EDITABLE_FIELDS, parse_lines
from mlcourse.models import Activity, EvidenceResponse, Participant
from a11y import live_workbench  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

IDS = [s["id"] for s in DEFAULT_STATEMENTS]
KEY = "evidence-2026"


@pytest.fixture(autouse=True)
def staff_ids(settings):
    settings.MLCOURSE_WORKBENCH_STAFF_IDS = {"coach"}


def scenario(moment):
    return dict(EvidenceCheckBlock.workbench_scenarios())[f"Evidence check: {moment} the course"]


class Placements:
    """The two placements (before, after) as seen by any learner, through the workbench's real runtime."""

    def __init__(self):
        runtime = WorkbenchRuntime("author")
        runtime.id_generator.set_scenario("evidence")
        self.usages = {m: runtime.get_block(runtime.parse_xml_string(scenario(m))).scope_ids.usage_id
                       for m in ("before", "after")}

    def block(self, student, moment):
        runtime = WorkbenchRuntime(student)
        return runtime, runtime.get_block(self.usages[moment])

    def call(self, student, moment, handler, payload=None, raw=None):
        runtime, block = self.block(student, moment)
        body = raw if raw is not None else json.dumps(payload if payload is not None else {}).encode()
        response = runtime.handle(block, handler, Request.blank("/", method="POST", body=body))
        return response.status_code, json.loads(response.body)

    def submit(self, student, moment, answers):
        status, data = self.call(student, moment, "submit", {"answers": answers})
        assert status == 200, data
        return data

    def render(self, student, moment, view="student_view"):
        return self.block(student, moment)[1].render(view, {}).body_html()

    def export(self, student):
        runtime, block = self.block(student, "after")
        response = runtime.handle(block, "export_csv", Request.blank("/", method="GET"))
        return response


@pytest.fixture
def placements():
    return Placements()


def answers(*values):
    return dict(zip(IDS, values, strict=True))


def with_country(learner_id, country):
    activity = Activity.objects.create(course_key="workbench", usage_key="some.peer_exchange")
    Participant.objects.create(activity=activity, learner_id=learner_id, country=country)


def two_learners(placements):
    with_country("ana", "BR")
    placements.submit("ana", "before", answers(1, 2, 3, 4, 5))
    placements.submit("kwame", "before", answers(3, 3, 3, 3, 3))
    placements.submit("ana", "after", answers(3, 2, 5, 4, 5))
    placements.submit("kwame", "after", answers(4, 4, 3, 2, 5))
    placements.submit("li", "before", answers(5, 5, 5, 5, 5))  # never answered after: not paired


# --- learners -----------------------------------------------------------------------------------------------
def test_two_moments_and_the_learners_own_change(placements):
    with_country("ana", "BR")
    state = placements.submit("ana", "before", answers(1, 2, 3, 4, 5))
    assert state["moment"] == "before" and state["submitted"] and state["my_after"] is None
    assert state["my_before"] == answers(1, 2, 3, 4, 5) and state["change"] == []
    assert [s["id"] for s in state["statements"]] == IDS
    status, after_state = placements.call("ana", "after", "state")
    assert status == 200 and not after_state["submitted"] and after_state["my_before"] == answers(1, 2, 3, 4, 5)
    state = placements.submit("ana", "after", answers(3, 2, 5, 4, 4))
    assert [(r["id"], r["before"], r["after"], r["diff"]) for r in state["change"]] == [
        ("research", 1, 3, 2), ("missing", 2, 2, 0), ("other_countries", 3, 5, 2), ("citizens", 4, 4, 0),
        ("strength", 5, 4, -1)]
    rows = dict(EvidenceResponse.objects.values_list("moment", "country"))
    assert rows == {"before": "BR", "after": "BR"}
    assert EvidenceResponse.objects.get(moment="after").key == KEY

    page = placements.render("ana", "after")
    tree = lxml_html.fragment_fromstring(page, create_parent="div")
    table = tree.find_class("mlc-ec-change")[0]
    assert table.get("hidden") is None
    cells = [[c.text_content() for c in tr] for tr in table.iter("tr")][1:]
    assert cells[0] == ["I look for research on what worked elsewhere before proposing a policy", "1", "3", "+2"]
    assert cells[4][1:] == ["5", "4", "-1"]
    assert not tree.find_class("mlc-ec-form") and not tree.find_class("mlc-ec-staff")


def test_the_form_is_accessible_radio_groups(placements):
    tree = lxml_html.fragment_fromstring(placements.render("ana", "before"), create_parent="div")
    root = tree.find_class("mlc-ec")[0]
    assert (root.get("lang"), root.get("dir")) == ("en", "ltr")
    groups = tree.findall(".//fieldset")
    assert len(groups) == 5
    for group, statement in zip(groups, DEFAULT_STATEMENTS, strict=True):
        assert statement["text"] in group.find("legend").text_content()
        radios = group.findall(".//input[@type='radio']")
        assert [r.get("value") for r in radios] == ["1", "2", "3", "4", "5"]
        assert len({r.get("name") for r in radios}) == 1
        assert all(r.getparent().tag == "label" for r in radios)
    labels = [lbl.text_content().strip() for lbl in groups[0].iter("label")]
    assert labels[0] == "1 = Never" and labels[-1] == "5 = Always"


def test_an_anonymous_visitor_is_asked_to_sign_in(placements):
    status, data = placements.call("", "before", "state")
    assert status == 403 and data["code"] == "not_signed_in"
    assert "Please sign in to answer" in placements.render("", "before")


# --- refusals -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("payload", "code"), [
    ({"answers": {"research": 3}}, "required"),
    ({"answers": {**answers(1, 2, 3, 4, 5), "extra": 3}}, "unknown_statement"),
    ({"answers": answers(1, 2, 3, 4, 6)}, "out_of_range"),
    ({"answers": answers(0, 2, 3, 4, 5)}, "out_of_range"),
    ({"answers": answers(1, 2, 3, 4, "5")}, "invalid_type"),
    ({"answers": answers(1, 2, 3, 4, True)}, "invalid_type"),
    ({"answers": answers(1, 2, 3, 4, 4.5)}, "invalid_type"),
    ({"answers": [1, 2, 3, 4, 5]}, "invalid_type"),
    ({"answers": answers(1, 2, 3, 4, 5), "moment": "after"}, "unknown_field"),
    ({}, "invalid_type"),
    ([], "invalid_payload"),
])
def test_bad_answers_are_refused_and_nothing_is_written(placements, payload, code):
    status, data = placements.call("ana", "before", "submit", payload)
    assert 400 <= status < 500 and data["code"] == code and set(data) == {"error", "code"}
    assert data["error"]
    assert not EvidenceResponse.objects.exists()


def test_invalid_json_is_refused(placements):
    status, data = placements.call("ana", "before", "submit", raw=b"{nope")
    assert status == 400 and data["code"] == "invalid_json"
    assert not EvidenceResponse.objects.exists()


def test_answers_are_final(placements):
    placements.submit("ana", "before", answers(1, 2, 3, 4, 5))
    status, data = placements.call("ana", "before", "submit", {"answers": answers(5, 5, 5, 5, 5)})
    assert status == 409 and data["code"] == "conflict"
    assert list(EvidenceResponse.objects.values_list("answers", flat=True)) == [answers(1, 2, 3, 4, 5)]


def test_one_response_per_learner_and_moment_in_the_database():
    row = {"course_key": "c", "key": KEY, "moment": "before", "learner_id": "ana", "answers": {},
           "submitted": "2026-01-01T00:00:00Z"}
    EvidenceResponse.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceResponse.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceResponse.objects.create(**{**row, "moment": "during"})
    EvidenceResponse.objects.create(**{**row, "moment": "after"})
    EvidenceResponse.objects.create(**{**row, "key": "other"})
    assert EvidenceResponse.objects.count() == 3


# --- staff --------------------------------------------------------------------------------------------------
def test_staff_see_the_cohorts_change_per_statement_and_country(placements):
    two_learners(placements)
    tree = lxml_html.fragment_fromstring(placements.render("coach", "after"), create_parent="div")
    staff = tree.find_class("mlc-ec-staff")[0]
    assert "Learners who answered: 3; who answered both before and after: 2." in staff.text_content()
    tables = staff.findall(".//table")
    per_statement = {tr.get("data-statement"): [c.text_content() for c in tr][2:]
                     for tr in tables[0].iter("tr") if tr.get("data-statement")}
    assert per_statement == {"research": ["2.0", "3.5", "+1.5", "2"], "missing": ["2.5", "3.0", "+0.5", "2"],
                             "other_countries": ["3.0", "4.0", "+1", "2"], "citizens": ["3.5", "3.0", "-0.5", "2"],
                             "strength": ["4.0", "5.0", "+1", "2"]}
    per_country = [(tr.get("data-country"), tr.get("data-statement"), [c.text_content() for c in tr][-4:])
                   for tr in tables[1].iter("tr") if tr.get("data-country") is not None]
    assert per_country[0] == ("", "research", ["3.0", "4.0", "+1", "1"])  # kwame has no peer-exchange country
    assert per_country[5] == ("BR", "research", ["1.0", "3.0", "+2", "1"])
    assert "Brazil" in tables[1].text_content() and "Country not given" in tables[1].text_content()
    svg = staff.find(".//svg")
    assert svg.get("role") == "img"
    assert svg.find("title").get("id") in svg.get("aria-labelledby")
    assert svg.find("desc").get("id") in svg.get("aria-labelledby")
    assert len(svg.findall("rect")) == 10
    # Learners never see the cohort.
    assert not lxml_html.fragment_fromstring(placements.render("ana", "after"),
                                             create_parent="div").find_class("mlc-ec-staff")


def test_the_staff_view_takes_a_fixed_number_of_queries(placements):
    two_learners(placements)
    with CaptureQueriesContext(connection) as few:
        placements.render("coach", "after")
    for n in range(10):
        placements.submit(f"extra{n}", "before", answers(1, 1, 1, 1, 1))
        placements.submit(f"extra{n}", "after", answers(2, 2, 2, 2, 2))
    with CaptureQueriesContext(connection) as many:
        placements.render("coach", "after")
    assert len(many) == len(few)


def test_export_is_staff_only_and_formula_safe(placements):
    two_learners(placements)
    EvidenceResponse.objects.filter(learner_id="kwame").update(learner_id="=HYPERLINK(\"http://x\")")
    response = placements.export("ana")
    assert response.status_code == 403 and json.loads(response.body)["code"] == "forbidden"
    response = placements.export("coach")
    assert response.status_code == 200 and response.content_type == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="evidence-check-evidence-2026.csv"'
    text = response.body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Learner (anonymous id)", "Country", *(f"Before: {i}" for i in IDS),
                       *(f"After: {i}" for i in IDS), "Submitted before the course", "Submitted after the course"]
    runtime, block = placements.block("coach", "after")
    ids = runtime.handle(block, "export_csv", Request.blank("/?columns=ids", method="GET")).body.decode("utf-8-sig")
    assert ids.splitlines()[0] == ",".join(["learner_id", "country", *(f"before_{i}" for i in IDS),
                                             *(f"after_{i}" for i in IDS), "before_submitted", "after_submitted"])
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {"'=HYPERLINK(\"http://x\")", "ana", "li"}
    assert by_id["ana"][:12] == ["ana", "BR", "1", "2", "3", "4", "5", "3", "2", "5", "4", "5"]
    assert by_id["li"][7:12] == ["", "", "", "", ""] and by_id["li"][12] and not by_id["li"][13]


# --- settings: OLX, Studio, views ---------------------------------------------------------------------------
def export_olx(runtime, block):
    out = io.BytesIO()
    runtime.export_to_xml(block, out)
    return out.getvalue().decode("utf-8")


def test_settings_round_trip_through_olx():
    runtime = WorkbenchRuntime("author")
    runtime.id_generator.set_scenario("olx")
    block = runtime.get_block(runtime.parse_xml_string("<evidence_check/>"))
    values = {"display_name": "Evidência 🌍", "key": "cohort-3", "moment": "after",
              "statements": [{"id": "a1", "text": "Uso dados 😀 de outros países"}, {"id": "b-2", "text": "数据"}]}
    for name, value in values.items():
        setattr(block, name, value)
    block.save()
    olx = export_olx(runtime, block)
    assert etree.fromstring(olx.encode()).tag == "evidence_check"
    again = runtime.get_block(runtime.parse_xml_string(olx.encode()))
    for name, value in values.items():
        assert getattr(again, name) == value, name
    assert export_olx(runtime, again) == olx
    empty = runtime.get_block(runtime.parse_xml_string("<evidence_check/>"))
    default = runtime.get_block(runtime.parse_xml_string(export_olx(runtime, empty).encode()))
    assert default.statements == DEFAULT_STATEMENTS and default.moment == "before"


def studio(student="coach"):
    runtime = WorkbenchRuntime(student)
    runtime.id_generator.set_scenario("studio")
    block = runtime.get_block(runtime.parse_xml_string(scenario("before")))
    return runtime, block


def studio_call(runtime, block, payload):
    response = runtime.handle(block, "studio_submit", Request.blank("/", method="POST",
                                                                    body=json.dumps(payload).encode()))
    return response.status_code, json.loads(response.body)


def test_studio_saves_clean_settings():
    runtime, block = studio()
    status, _data = studio_call(runtime, block, {"display_name": " Evidence ", "key": " ev-1 ", "moment": "after",
                                                 "statements": "a | First\n\n b_2 |  Second  \n"})
    assert status == 200
    assert (block.display_name, block.key, block.moment) == ("Evidence", "ev-1", "after")
    assert block.statements == [{"id": "a", "text": "First"}, {"id": "b_2", "text": "Second"}]
    assert set(EDITABLE_FIELDS) == {"display_name", "key", "moment", "statements"}
    page = block.render("studio_view", {}).body_html()
    assert "a | First\nb_2 | Second" in page


@pytest.mark.parametrize("change", [
    {"key": "has space"}, {"key": ""}, {"moment": "during"}, {"statements": ""}, {"statements": "no bar here"},
    {"statements": "a | x\na | y"}, {"statements": "bad id! | x"}, {"statements": "a | "},
    {"statements": "\n".join(f"s{i} | t" for i in range(21))}, {"statements": [{"id": "a", "text": "x", "z": 1}]},
    {"display_name": "two\nlines"}, {"unknown": 1},
])
def test_studio_refuses_bad_settings(change):
    runtime, block = studio()
    before = (block.key, block.moment, list(block.statements))
    status, data = studio_call(runtime, block, {"display_name": "E", "key": "k", "moment": "before",
                                                "statements": "a | x", **change})
    assert status == 400 and data["code"] == "invalid_settings" and data["error"]
    assert (block.key, block.moment, list(block.statements)) == before


def test_only_the_course_team_edits():
    runtime, block = studio("ana")
    status, data = studio_call(runtime, block, {"key": "x"})
    assert status == 403 and data["code"] == "forbidden" and block.key == KEY


def test_parse_lines():
    assert parse_lines("a|b|c\n x | y ") == [{"id": "a", "text": "b|c"}, {"id": "x", "text": "y"}]


def test_author_view_and_mobile_data(placements):
    placements.submit("ana", "before", answers(1, 2, 3, 4, 5))
    runtime, block = placements.block("author", "before")
    page = block.render("author_view", {}).body_html()
    assert KEY in page and "Before the course" in page and "Answers so far: 1" in page
    data = block.student_view_data()
    assert data["key"] == KEY and data["moment"] == "before"
    assert [s["id"] for s in data["statements"]] == IDS
    assert [o["label"] for o in data["scale"]] == ["Never", "Rarely", "Sometimes", "Often", "Always"]


def test_unchecked_olx_statements_are_skipped():
    runtime = WorkbenchRuntime("ana")
    runtime.id_generator.set_scenario("bad")
    xml = ('<evidence_check statements="[{&quot;id&quot;: &quot;ok&quot;, &quot;text&quot;: &quot;Fine&quot;}, '
           '{&quot;id&quot;: &quot;bad id&quot;, &quot;text&quot;: &quot;x&quot;}, 3]" moment="sideways"/>')
    block = runtime.get_block(runtime.parse_xml_string(xml))
    page = block.render("student_view", {}).body_html()
    assert page.count("<fieldset") == 1 and "Before the course starts" in page


def test_static_files_stay_small_and_logical():
    from mlcourse.resources import read_static

    assert len(read_static("js/evidence_check.js").encode()) <= 4096
    css = read_static("css/evidence_check.css")
    assert not re.search(r"\b(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:", css)


def test_workbench_scenarios_share_a_key():
    (before_title, before), (after_title, after) = EvidenceCheckBlock.workbench_scenarios()
    assert (before_title, after_title) == ("Evidence check: before the course", "Evidence check: after the course")
    assert f'key="{KEY}"' in before and f'key="{KEY}"' in after
    assert 'moment="before"' in before and 'moment="after"' in after


# --- in Chromium --------------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_answer_by_keyboard_in_the_browser(browser, live_server, live_workbench):  # noqa: F811
    from playwright.sync_api import expect

    from a11y import axe_violations, describe

    context = browser.new_context(viewport={"width": 400, "height": 900}, locale="en-GB")
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/scenario/evidence_check.0/?student=amina&lang=en")
        block = page.locator(".mlc-ec")
        expect(block.get_by_role("radiogroup")).to_have_count(0)  # fieldsets are groups, radios inside them
        first = block.get_by_role("group", name=re.compile("I look for research"))
        expect(first).to_be_visible()
        assert axe_violations(page, ".mlc-ec") == [], describe(axe_violations(page, ".mlc-ec"))
        first.get_by_label("1 = Never").focus()
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")  # moves the choice within the group: 2 = Rarely
        for _ in range(4):
            page.keyboard.press("Tab")  # to the next group's radio
            page.keyboard.press("Space")
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
        expect(first.get_by_label("2 = Rarely")).to_be_checked()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(block.get_by_role("status")).to_have_text("Thank you: your answers are saved.")
        expect(block.locator("form")).to_have_count(0)
        saved = EvidenceResponse.objects.get(learner_id="amina", moment="before")
        assert saved.answers == {"research": 2, "missing": 3, "other_countries": 3, "citizens": 3, "strength": 3}
    finally:
        context.close()
    assert errors == []


def test_mobile_user_state_is_the_learners_state(placements):
    placements.submit("ana", "before", answers(1, 2, 3, 4, 5))
    runtime, block = placements.block("ana", "after")
    response = runtime.handle(block, "student_view_user_state", Request.blank("/", method="GET"))
    data = json.loads(response.body)
    assert response.status_code == 200 and data["my_before"] == answers(1, 2, 3, 4, 5) and not data["submitted"]
    runtime, block = placements.block("", "after")
    response = runtime.handle(block, "student_view_user_state", Request.blank("/", method="GET"))
    assert response.status_code == 403 and json.loads(response.body)["code"] == "not_signed_in"


def test_answering_completes_the_block(placements):
    events = []
    runtime, block = placements.block("ana", "before")
    runtime.publish = lambda _block, name, data: events.append((name, data))
    body = json.dumps({"answers": answers(1, 2, 3, 4, 5)}).encode()
    assert runtime.handle(block, "submit", Request.blank("/", method="POST", body=body)).status_code == 200
    assert events == [("mlcourse.evidence_check.submitted", {"key": KEY, "moment": "before"}),
                      ("completion", {"completion": 1.0})]


def test_a_learner_who_answered_earlier_completes_on_view_and_on_a_second_send(placements):
    placements.submit("ana", "before", answers(1, 2, 3, 4, 5))
    events = []
    runtime, block = placements.block("ana", "before")
    runtime.publish = lambda _block, name, data: events.append((name, data))
    block.render("student_view", {})
    assert events == [("completion", {"completion": 1.0})]
    events.clear()
    body = json.dumps({"answers": answers(5, 5, 5, 5, 5)}).encode()
    assert runtime.handle(block, "submit", Request.blank("/", method="POST", body=body)).status_code == 409
    assert events == [("completion", {"completion": 1.0})]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_studio_statements_are_rows_to_add_move_and_remove(browser, live_server, live_workbench):  # noqa: F811
    from playwright.sync_api import expect

    from a11y import axe_violations, describe

    context = browser.new_context(viewport={"width": 900, "height": 900}, locale="en-GB")
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/scenario/evidence_check.0/studio_view/?student=coach&lang=en")
        group = page.get_by_role("group", name="Statements, one per line: id | text")
        rows = group.get_by_role("listitem")
        expect(rows).to_have_count(5)
        expect(page.locator("textarea[name=statements]")).to_be_hidden()
        assert axe_violations(page, ".mlc-studio") == [], describe(axe_violations(page, ".mlc-studio"))
        group.get_by_role("button", name="Add a statement").click()
        expect(rows).to_have_count(6)
        expect(group.get_by_label("Id 6")).to_be_focused()
        page.keyboard.type("peers")
        group.get_by_label("Statement 6").fill("I ask colleagues abroad how they decided")
        group.get_by_role("button", name="Move up (6)").click()
        expect(group.get_by_role("button", name="Move up (5)")).to_be_focused()
        expect(group.get_by_role("status")).to_have_text("Moved.")
        group.get_by_role("button", name="Remove (1)").click()
        expect(rows).to_have_count(5)
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".mlc-studio .mlc-error")).to_be_hidden()
        page.wait_for_timeout(300)
        page.goto(f"{live_server.url}/scenario/evidence_check.0/studio_view/?student=coach&lang=en")
        saved = page.locator("textarea[name=statements]").input_value().splitlines()
        assert [line.split(" | ")[0] for line in saved] == ["missing", "other_countries", "citizens", "peers",
                                                             "strength"]
        assert saved[3] == "peers | I ask colleagues abroad how they decided"
    finally:
        context.close()
    assert errors == []
