"""Two learners from two countries go through the whole exchange in Chromium, each in their own browser context.

Screenshots of every step are kept under var/screenshots/ (one per learner and step).
"""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import CONTRIBUTION, SCENARIO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


@pytest.fixture
def live_scenarios(transactional_db):
    from workbench.runtime import ID_MANAGER
    from workbench.scenarios import init_scenarios

    ID_MANAGER.clear()
    init_scenarios()


class Person:
    def __init__(self, browser, base, student, errors):
        self.context = browser.new_context(viewport={"width": 800, "height": 1100}, locale="en-GB")
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: errors.append(f"{student}: {exc}"))
        self.page.on("dialog", lambda dialog: errors.append(f"{student}: dialog {dialog.message}"))
        self.url = f"{base}/scenario/{SCENARIO}/?student={student}"
        self.student = student

    def open(self):
        self.page.goto(self.url)
        return self

    def panel(self, name):
        return self.page.locator(f"[data-panel='{name}']")

    def shot(self, step):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.locator(".mlc-pe").screenshot(path=str(SHOTS / f"{self.student}-{step}.png"))

    def give_context(self, country_label, organisation):
        page = self.page
        expect(self.panel("context")).to_be_visible()
        page.get_by_label("Country").select_option(label=country_label)
        page.get_by_label("Type of organisation").select_option(label=organisation)
        self.shot("1-context")
        page.get_by_role("button", name="Save and continue").click()
        expect(self.panel("contribute")).to_be_visible()
        expect(page.get_by_role("heading", name="Your contribution")).to_be_focused()

    def contribute(self):
        page = self.page
        page.get_by_label("Your answer").fill(CONTRIBUTION)
        expect(page.locator(".mlc-count")).to_contain_text("Words: 48")
        self.shot("2-contribute")
        page.get_by_role("button", name="Submit and find a partner").click()

    def review(self):
        page = self.page
        card = self.panel("review").locator("article").first
        expect(card).to_contain_text("Their contribution")
        self.shot("4-review")
        for group in card.get_by_role("group").all():
            group.get_by_label("4", exact=True).check()
        card.get_by_label("What I learned from your context").fill(f"{self.student} learned about budgets.")
        card.get_by_label("One suggestion").fill(f"{self.student} suggests a price survey.")
        card.get_by_role("button", name="Submit review").click()
        expect(self.panel("feedback")).to_be_visible()

    def rate_and_reflect(self, partner):
        page = self.page
        feedback = self.panel("feedback")
        expect(feedback).to_contain_text(f"{partner} learned about budgets.")
        self.shot("5-feedback")
        feedback.get_by_role("group", name="How helpful").get_by_label("5", exact=True).check()
        feedback.get_by_label("Thank-you note").fill("Thank you!")
        feedback.get_by_role("button", name="Send rating").click()
        expect(feedback).to_contain_text("Rated 5 of 5")
        page.get_by_label("What I will take from my partner's context").fill("Price evidence before budgets.")
        page.get_by_role("button", name="Submit reflection and finish").click()
        expect(self.panel("done")).to_be_visible()
        expect(self.panel("done")).to_contain_text("Price evidence before budgets.")
        self.shot("6-done")


def test_two_learners_from_two_countries_complete_the_exchange(browser, live_server, live_scenarios):
    # The workbench has no login: the Playwright version of the demo's README steps.
    pytest.importorskip("playwright")
    errors = []
    kwame = Person(browser, live_server.url, "kwame", errors).open()
    kwame.give_context("Ghana", "Research or academia")
    kwame.contribute()
    expect(kwame.panel("waiting")).to_be_visible()
    expect(kwame.panel("waiting")).to_contain_text("from another country")
    kwame.shot("3-waiting")

    maria = Person(browser, live_server.url, "maria", errors).open()
    maria.give_context("Brazil", "Sub-national government")
    maria.contribute()
    expect(maria.panel("review")).to_be_visible()
    expect(maria.page.locator(".mlc-live")).to_contain_text("You have a partner")
    expect(maria.panel("review")).to_contain_text("kwame — Ghana")
    maria.review()
    expect(maria.panel("feedback")).to_contain_text("has not reviewed your work yet")

    # Kwame's waiting page picks the partner up by itself when the window regains focus.
    kwame.page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(kwame.panel("review")).to_be_visible()
    expect(kwame.panel("review")).to_contain_text("maria — Brazil")
    kwame.review()
    kwame.rate_and_reflect("maria")

    maria.page.reload()
    maria.rate_and_reflect("kwame")
    expect(maria.panel("done")).to_contain_text("kwame learned about budgets.")
    assert errors == []
    for person in (kwame, maria):
        person.context.close()


def test_reload_keeps_the_step_and_learner_text_is_escaped(browser, live_server, live_scenarios):
    errors = []
    sadia = Person(browser, live_server.url, "sadia", errors).open()
    sadia.give_context("Pakistan", "Civil society")
    hostile = "<img src=x onerror=alert(1)> <script>alert(2)</script> " + CONTRIBUTION
    sadia.page.get_by_label("Your answer").fill(hostile)
    sadia.page.get_by_role("button", name="Submit and find a partner").click()
    expect(sadia.panel("waiting")).to_be_visible()
    sadia.page.reload()
    expect(sadia.panel("waiting")).to_be_visible()
    helen = Person(browser, live_server.url, "helen", errors).open()
    helen.give_context("United Kingdom", "National government")
    helen.contribute()
    quote = helen.panel("review").locator(".mlc-quote")
    expect(quote).to_contain_text("<img src=x onerror=alert(1)>")
    assert helen.panel("review").locator("img, script").count() == 0
    assert errors == []
    sadia.context.close()
    helen.context.close()


def test_staff_edits_the_rubric_in_the_studio_view(browser, live_server, live_scenarios):
    errors = []
    staff = Person(browser, live_server.url, "staff", errors)
    page = staff.page
    page.goto(f"{live_server.url}/scenario/{SCENARIO}/studio_view/?student=staff")
    page.get_by_role("button", name="Add a question").click()
    new_question = page.locator(".mlc-rubric-row").last
    expect(new_question.get_by_label("Question")).to_be_focused()
    new_question.get_by_label("Question").fill("Would you try your partner's approach at home?")
    new_question.get_by_role("button", name="Move up").click()
    page.get_by_label("Minimum words").fill("700")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".mlc-studio .mlc-error")).to_contain_text("minimum number of words")
    page.get_by_label("Minimum words").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".mlc-studio .mlc-error")).to_be_hidden()
    learner = Person(browser, live_server.url, "newcomer", errors).open()
    learner.give_context("Nigeria", "Parliament")
    expect(learner.page.locator(".mlc-limits")).to_have_text("Between 30 and 600 words.")
    page.goto(f"{live_server.url}/scenario/{SCENARIO}/author_view/?student=staff")
    labels = page.locator(".mlc-author ol li").all_inner_texts()
    assert labels[2].startswith("Would you try your partner's approach at home?"), labels
    assert "30–600" in page.locator(".mlc-author").inner_text()
    assert errors == []
    staff.context.close()
    learner.context.close()
