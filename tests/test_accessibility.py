"""Accessibility in Chromium: axe-core (WCAG 2.1 A/AA) on every view of the block in English and Urdu, and the
whole exchange done with the keyboard alone.

axe runs scoped to our markup (`.mlc-pe`, `.mlc-staff`): the xblock-sdk workbench page around the block (no
<title>, no `lang` on <html>) is not ours. Serious and critical violations fail the test.
"""
import pytest
from playwright.sync_api import expect

from a11y import (
    AXE_JS,
    LEARNER_STEPS,
    assert_focus_visible,
    axe_violations,
    describe,
    live_cohort,  # noqa: F401 - fixture
    live_workbench,  # noqa: F401 - fixture
    review_partners,
    scenario_url,
    service,
    tab_to,
)
from conftest import CONTRIBUTION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_axe_finds_no_serious_violation_in_any_view(browser, live_server, live_cohort, lang):  # noqa: F811
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.add_init_script(path=str(AXE_JS))  # in every page before it loads: no injection round trip per view
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    found = {}
    expected_dir = "rtl" if lang == "ur" else "ltr"

    def check(view, *roots):
        for root in roots:
            expect(page.locator(root).first).to_be_visible()
            assert page.locator(root).first.get_attribute("lang") == lang, (view, root)
            assert page.locator(root).first.get_attribute("dir") == expected_dir, (view, root)
            bad = axe_violations(page, root)
            if bad:
                found[f"{view} {root}"] = describe(bad)

    def learner(step, student, name=None):
        page.goto(scenario_url(live_server.url, student, lang))
        expect(page.locator(f".mlc-pe [data-panel='{step}']")).to_be_visible()
        check(name or step, ".mlc-pe")

    # Context, with the error a learner sees after sending the form empty, then contribute.
    learner("context", LEARNER_STEPS["context"])
    page.locator(".mlc-pe [data-form='context'] button[type=submit]").click()
    expect(page.locator(".mlc-pe .mlc-error")).to_be_visible()
    check("context-error", ".mlc-pe")
    service("save_context", LEARNER_STEPS["contribute"], {"country": "GH", "organisation_type": "research"})
    learner("contribute", LEARNER_STEPS["contribute"])
    for step in ("waiting", "review", "feedback", "done"):
        learner(step, LEARNER_STEPS[step])
    # Feedback with a review to rate and the reflection form: Li Wei reviews Amina.
    review_partners("li_wei")
    learner("feedback", "amina", name="feedback-to-rate")
    expect(page.locator(".mlc-pe [data-form='reflection']")).to_be_visible()

    # Staff: the learner view and the dashboard, then the batch plan and the reason <dialog>.
    page.goto(scenario_url(live_server.url, "staff", lang))
    expect(page.locator(".mlc-staff .mlc-s-exchanges table")).to_be_visible()
    check("staff", ".mlc-pe", ".mlc-staff")
    page.locator(".mlc-staff [data-act='plan']").click()
    expect(page.locator(".mlc-staff .mlc-s-plan")).to_be_visible()
    check("staff-plan", ".mlc-staff")
    page.locator(".mlc-staff [data-review]").first.click()
    expect(page.locator(".mlc-staff dialog")).to_be_visible()
    check("staff-dialog", ".mlc-staff")
    page.keyboard.press("Escape")

    # Studio's editor and the author view.
    page.goto(scenario_url(live_server.url, "staff", lang, view="studio_view"))
    expect(page.locator(".mlc-studio .mlc-rubric-row").first).to_be_visible()
    check("studio_view", ".mlc-studio")
    page.goto(scenario_url(live_server.url, "staff", lang, view="author_view"))
    check("author_view", ".mlc-author")

    context.close()
    assert not found, found
    assert errors == []


def background_check(page):
    """What the page does when its window gets focus back (and every 25 s): ask the server for the state."""
    with page.expect_response(lambda response: "/state/" in response.url):
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.wait_for_timeout(100)  # let the answer be drawn


def test_keyboard_only_walkthrough_from_context_to_done(browser, live_server, live_workbench):  # noqa: F811
    """Kofi (Ghana) does every step with Tab, Shift+Tab, Enter, Space, arrow keys and typing; Mei (China), his
    partner, acts through the services. After each step the new step's heading has focus and the live region
    says what happened."""
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(scenario_url(live_server.url, "kofi"))
    box = page.locator(".mlc-pe")
    live = box.locator(".mlc-live")

    def heading_focused(step):
        heading = box.locator(f"[data-panel='{step}'] h3")
        expect(heading).to_be_focused()
        assert_focus_visible(page)

    def press(selector, key="Enter"):
        tab_to(page, selector)
        assert_focus_visible(page)
        page.keyboard.press(key)

    # 1. Context: Enter on the button with nothing chosen gives an alert and leaves focus on the button; Shift+Tab
    # back to the country list; type-ahead in the two lists; Enter on the button.
    expect(box.locator("[data-panel='context']")).to_be_visible()
    press(".mlc-pe [data-form='context'] button[type=submit]")
    expect(box.locator(".mlc-error[role=alert]")).to_have_text("Please choose your country from the list.")
    expect(box.locator("[data-form='context'] button[type=submit]")).to_be_focused()
    tab_to(page, ".mlc-pe select[name=country]", shift=True, limit=6)
    assert_focus_visible(page)
    page.keyboard.type("Ghana")
    assert box.locator("select[name=country]").input_value() == "GH"
    tab_to(page, ".mlc-pe select[name=organisation_type]")
    page.keyboard.type("Research")
    assert box.locator("select[name=organisation_type]").input_value() == "research"
    press(".mlc-pe [data-form='context'] button[type=submit]")
    heading_focused("contribute")
    expect(live).to_have_text("Saved.")

    # 2. Contribute: type the answer; Shift+Tab goes back from the button to the text; Space submits.
    tab_to(page, ".mlc-pe [data-form='contribution'] textarea")
    page.keyboard.type(CONTRIBUTION)
    expect(box.locator(".mlc-count")).to_have_text("Words: 48")
    tab_to(page, ".mlc-pe [data-form='contribution'] button[type=submit]")
    tab_to(page, ".mlc-pe [data-form='contribution'] textarea", shift=True, limit=1)
    press(".mlc-pe [data-form='contribution'] button[type=submit]", key="Space")
    heading_focused("waiting")
    expect(box.locator("[data-panel='waiting']")).to_contain_text("from another country")
    expect(live).to_have_text("Saved.")

    # 3. Mei arrives and is paired with Kofi; his page checks when the window gets focus back.
    service("save_context", "mei", {"country": "CN", "organisation_type": "research"})
    service("submit_contribution", "mei", {"text": CONTRIBUTION})
    background_check(page)
    heading_focused("review")
    expect(live).to_have_text("You have a partner: mei (China).")

    # 4. Review: arrow keys in each 1-5 scale (Space checks the first radio), text by typing, Enter submits. The
    # page's background check (on window focus, and every 25 s) keeps the focus and never wipes a started review.
    card = box.locator("[data-panel='review'] article").first
    expect(card).to_contain_text("mei — China")
    for question in ("q1", "q2"):
        tab_to(page, f".mlc-pe [data-panel='review'] input[name={question}]")
        assert_focus_visible(page)
        if question == "q1":
            focused_id = page.evaluate("document.activeElement.id")
            background_check(page)
            expect(page.locator(f"[id='{focused_id}']")).to_be_focused()
        page.keyboard.press("Space")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        expect(card.locator(f"input[name={question}]:checked")).to_have_value("4")
    tab_to(page, ".mlc-pe [data-panel='review'] textarea[name=learned]")
    page.keyboard.type("kofi learned about school meals in China.")
    background_check(page)
    expect(card.locator("textarea[name=learned]")).to_be_focused()
    expect(card.locator("textarea[name=learned]")).to_have_value("kofi learned about school meals in China.")
    expect(card.locator("input[name=q1]:checked")).to_have_value("4")
    tab_to(page, ".mlc-pe [data-panel='review'] textarea[name=suggestion]")
    page.keyboard.type("kofi suggests a price survey.")
    press(".mlc-pe [data-panel='review'] button[type=submit]")
    heading_focused("feedback")
    expect(box.locator("[data-panel='feedback']")).to_contain_text("has not reviewed your work yet")
    expect(live).to_have_text("Saved.")

    # 5. Mei reviews Kofi: the page picks it up and says so; Kofi rates it and writes his reflection.
    review_partners("mei")
    background_check(page)
    feedback = box.locator("[data-panel='feedback']")
    expect(feedback).to_contain_text("mei learned about budgets.")
    expect(live).to_have_text("Reviews received so far: 1.")
    tab_to(page, ".mlc-pe [data-panel='feedback'] input[name=helpfulness]")
    page.keyboard.press("Space")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(feedback.locator("input[name=helpfulness]:checked")).to_have_value("5")
    tab_to(page, ".mlc-pe [data-panel='feedback'] textarea[name=note]")
    page.keyboard.type("Thank you!")
    press(".mlc-pe [data-panel='feedback'] form:not([data-form]) button[type=submit]")
    expect(feedback).to_contain_text("Rated 5 of 5")
    expect(live).to_have_text("Saved.")
    heading_focused("feedback")  # the rating form is gone: focus goes back to the step's heading, not <body>
    tab_to(page, ".mlc-pe [data-form='reflection'] textarea")
    page.keyboard.type("Price evidence before budgets.")
    press(".mlc-pe [data-form='reflection'] button[type=submit]")

    # 6. Done: both directions of the exchange and the reflection.
    heading_focused("done")
    expect(live).to_have_text("Saved.")
    done = box.locator("[data-panel='done']")
    expect(done).to_contain_text("Price evidence before budgets.")
    expect(done).to_contain_text("mei learned about budgets.")
    expect(done).to_contain_text("kofi learned about school meals in China.")
    assert box.locator(".mlc-steps li[aria-current=step]").get_attribute("data-step") == "done"
    assert errors == []
    context.close()
