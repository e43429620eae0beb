"""The co-design board and the one-course demo in Chromium: a newcomer proposes and votes with the keyboard, the
course team adopts the proposal and everyone sees the note; axe in English and Urdu, right-to-left, a phone's
width, JavaScript strings from the block's own catalog, and the five blocks of the demo course in order.
Screenshots: var/screenshots/board-*.png and course-*.png."""
import re

import pytest
from playwright.sync_api import expect

from a11y import assert_focus_visible, axe_violations, describe, live_cohort, live_workbench, shot, tab_to  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BOARD = "codesign_board.1"
COURSE = "codesign_board.0"


@pytest.fixture
def open_page(browser, live_server, live_cohort):  # noqa: F811
    contexts, errors = [], []

    def open_(student, lang="en", scenario=BOARD, view="", width=1000, javascript=True):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB",
                                      java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{student}: {exc}"))
        page.on("dialog", lambda dialog: errors.append(f"{student}: dialog {dialog.message}"))
        page.goto(f"{live_server.url}/scenario/{scenario}/{view + '/' if view else ''}?student={student}&lang={lang}")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == []


def check_axe(page, selector=".mlc-cb"):
    found = axe_violations(page, selector)
    assert found == [], describe(found)


def test_a_newcomer_proposes_and_votes_and_staff_adopt(open_page):
    page = open_page("kwame")
    block = page.locator(".mlc-cb")
    expect(block.locator(".mlc-cb-item")).to_have_count(5)
    expect(block.locator(".mlc-cb-allowance")).to_have_text("You have 3 of 3 votes left.")
    check_axe(page)
    shot(block, "board-en")

    # Propose with the keyboard only: kind, title, description, country, organisation, send.
    form = block.locator(".mlc-cb-form")
    form.get_by_label("Kind").focus()
    page.keyboard.press("ArrowDown")  # "A policy challenge"
    page.keyboard.press("Tab")
    page.keyboard.type("Informal traders in tax policy")
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    page.keyboard.type("How do we count informal traders when designing a market levy in Kumasi?")
    form.get_by_label("Country").select_option("GH")
    form.get_by_label("Type of organisation").select_option("subnational_government")
    tab_to(page, ".mlc-cb-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(block.locator(".mlc-cb-live")).to_have_text("Your proposal is on the board.")
    expect(block.locator(".mlc-cb-item").first).to_contain_text("Informal traders in tax policy")
    expect(block.locator(".mlc-cb-item").first).to_contain_text("Your proposal")
    expect(block.locator(".mlc-cb-item").first).to_contain_text("Ghana")
    expect(block.locator(".mlc-cb-item").first.get_by_role("button", name="Vote")).to_have_count(0)
    assert page.evaluate("document.activeElement.textContent") == "Proposals"

    # Vote for Li Wei's case with the keyboard, then withdraw and vote again.
    case = block.locator(".mlc-cb-item", has_text="Hearing from the families")
    vote = case.get_by_role("button", name="Vote")
    vote.focus()
    page.keyboard.press("Enter")
    expect(case.get_by_role("button", name="Withdraw my vote")).to_be_focused()
    expect(block.locator(".mlc-cb-allowance")).to_have_text("You have 2 of 3 votes left.")
    expect(block.locator(".mlc-cb-live")).to_have_text("Vote saved. You have 2 of 3 votes left.")
    expect(case.locator(".mlc-cb-count")).to_have_text("3 votes")
    page.keyboard.press("Space")
    expect(case.get_by_role("button", name="Vote")).to_be_focused()
    expect(case.locator(".mlc-cb-count")).to_have_text("2 votes")
    page.keyboard.press("Enter")
    expect(case.locator(".mlc-cb-count")).to_have_text("3 votes")

    # Sort by country and show only cases.
    controls = block.locator(".mlc-cb-controls")
    controls.get_by_label("Sort by").select_option("country")
    controls.get_by_label("Show").select_option("case")
    controls.get_by_role("button", name="Show proposals").click()
    expect(block.locator(".mlc-cb-item")).to_have_count(2)
    expect(block.locator(".mlc-cb-item h4")).to_have_text(["Participatory budgeting with costs on the table",
                                                           "Hearing from the families who do not use a service"])
    expect(block.locator(".mlc-cb-live")).to_have_text("Showing 2 of 2 proposals.")

    # The course team adopts the newcomer's proposal with a note.
    staff = open_page("staff")
    board = staff.locator(".mlc-cb")
    item = board.locator(".mlc-cb-item", has_text="Informal traders in tax policy")
    item.locator("summary").click()
    item.get_by_label("Note shown to everyone").fill("Now a case for week 4, with the Ghana Revenue Authority.")
    check_axe(staff)
    item.get_by_role("button", name="Mark as adopted").click()
    expect(board.locator(".mlc-cb-live")).to_contain_text("updated")
    adopted = board.locator(".mlc-cb-item", has_text="Informal traders in tax policy")
    expect(adopted).to_contain_text("Adopted into the course: Now a case for week 4")
    expect(board.locator(".mlc-cb-staff")).to_contain_text("6 proposals")
    shot(board, "board-staff-en")

    again = open_page("helen")
    expect(again.locator(".mlc-cb-item", has_text="Informal traders")).to_contain_text(
        "Adopted into the course: Now a case for week 4, with the Ghana Revenue Authority.")


def test_urdu_right_to_left_a_phone_and_the_js_catalog(open_page):
    page = open_page("amina", lang="ur", width=360)
    block = page.locator(".mlc-cb")
    expect(block).to_have_attribute("dir", "rtl")
    assert block.evaluate("e => getComputedStyle(e).direction") == "rtl"
    check_axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1 or \
        block.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    # The item's start edge is on the right in Urdu.
    box, item = block.bounding_box(), block.locator(".mlc-cb-item").first.bounding_box()
    assert abs((box["x"] + box["width"]) - (item["x"] + item["width"])) < 2
    shot(block, "board-ur-360")
    assert page.evaluate("typeof window.MlcourseI18N") == "object"  # the block's JS catalog is there
    case = block.locator(".mlc-cb-item").filter(has=page.locator("button[data-voted=false]")).first
    case.locator("button.mlc-cb-vote").click()
    live = block.locator(".mlc-cb-live")
    expect(live).not_to_be_empty()
    said = live.text_content()
    assert "Vote saved" not in said and re.search(r"[\u0600-\u06ff]", said), said  # translated in JavaScript

    staff = open_page("staff", lang="ur", width=360)
    check_axe(staff)
    shot(staff.locator(".mlc-cb"), "board-staff-ur-360")


def test_the_board_reads_without_javascript(open_page):
    page = open_page("kwame", javascript=False)
    block = page.locator(".mlc-cb")
    expect(block.get_by_role("heading", name="Participatory budgeting with costs on the table")).to_be_visible()
    # Playwright turns script execution off, not the parser's scripting flag: <noscript> is in the page, unrendered.
    assert "<noscript><p>To propose and vote, please turn JavaScript on.</p></noscript>" in page.content()
    expect(block.locator(".mlc-cb-controls")).to_be_hidden()


def test_studio_and_author_views(open_page):
    page = open_page("staff", view="studio_view")
    form = page.locator(".mlc-studio form")
    check_axe(page, ".mlc-studio")
    form.get_by_label("Votes per learner").fill("0")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_role("alert")).to_contain_text("between 1 and 50")
    form.get_by_label("Votes per learner").fill("4")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_role("alert")).to_be_hidden()
    author = open_page("staff", view="author_view")
    expect(author.locator(".mlc-cb")).to_contain_text("Votes per learner")
    expect(author.locator(".mlc-cb dd").nth(1)).to_have_text("4")
    check_axe(author)
    urdu = open_page("staff", lang="ur", view="studio_view")
    check_axe(urdu, ".mlc-studio")


def test_the_demo_course_in_order_with_axe_in_english_and_urdu(open_page):
    for lang in ("en", "ur"):
        page = open_page("joao", lang=lang, scenario=COURSE, width=1000)
        blocks = page.locator(".xblock-v1-student_view[data-block-type]:not([data-block-type=vertical_demo])")
        expect(blocks).to_have_count(5)
        types = [blocks.nth(i).get_attribute("data-block-type") for i in range(5)]
        assert types == ["evidence_check", "markdown_lesson", "codesign_board", "peer_exchange", "evidence_check"]
        for selector in (".mlc-ec", ".mlc-ml", ".mlc-cb", ".mlc-pe"):
            check_axe(page, selector)
        if lang == "en":
            change = page.locator(".mlc-ec-change").last
            expect(change).to_be_visible()  # joao answered before and after: his own change
            expect(change).to_contain_text("+2")
        shot(page.locator(".workbench, body").first, f"course-{lang}")


def test_chinese_sentences_join_without_a_space(open_page):
    page = open_page("li_wei", lang="zh-hans")
    block = page.locator(".mlc-cb")
    block.locator(".mlc-cb-item").filter(has=page.locator("button[data-voted=false]")).first \
        .locator("button.mlc-cb-vote").click()
    live = block.locator(".mlc-cb-live")
    expect(live).not_to_be_empty()
    said = live.text_content()
    assert "。" in said and "。 " not in said, said
