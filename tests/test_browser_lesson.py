"""The co-authored lesson in Chromium: credits, switching languages (Urdu is right-to-left), reading without
JavaScript, a phone's width, axe, and the Studio editor. Screenshots: var/screenshots/lesson-*.png."""
import pytest
from playwright.sync_api import expect

from a11y import axe_violations, describe, live_workbench, shot  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCENARIO = "markdown_lesson.0"


@pytest.fixture
def open_lesson(browser, live_server, live_workbench):  # noqa: F811
    contexts, errors = [], []

    def open_(student="kwame", lang="en", view="", javascript=True, width=900):
        context = browser.new_context(viewport={"width": width, "height": 1000}, locale="en-GB",
                                      java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{student}: {exc}"))
        page.on("dialog", lambda dialog: errors.append(f"{student}: dialog {dialog.message}"))
        page.goto(f"{live_server.url}/scenario/{SCENARIO}/{view + '/' if view else ''}?student={student}&lang={lang}")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == []


def section(page, lang):
    return page.locator(f".mlc-ml-body[data-variant='{lang}']")


def test_the_lesson_renders_and_switches_to_urdu(open_lesson):
    page = open_lesson()
    lesson = page.locator(".mlc-ml")
    expect(lesson.get_by_role("heading", level=2).first).to_have_text(
        "What counts as evidence? Learning across countries")
    credits = lesson.get_by_role("list", name="Co-designed by")
    expect(credits.get_by_role("listitem")).to_have_count(3)
    expect(credits).to_contain_text("A federal school of public administration (Brazil)")
    expect(credits).to_contain_text("(Pakistan)")
    expect(credits).to_contain_text("(Ghana)")
    expect(section(page, "en")).to_be_visible()
    expect(section(page, "en").get_by_role("heading", name="Brazil: citizens' priorities as evidence")).to_be_visible()
    expect(section(page, "ur")).to_be_hidden()
    expect(lesson.get_by_role("complementary", name="From practice: United Kingdom")).to_be_visible()
    expect(lesson.get_by_role("region", name="For discussion")).to_contain_text("What would a colleague")
    assert axe_violations(page, ".mlc-ml") == [], describe(axe_violations(page, ".mlc-ml"))
    shot(lesson, "lesson-en")

    switch = lesson.get_by_label("Read this lesson in")
    expect(switch).to_be_visible()
    expect(switch).to_have_value("en")
    switch.select_option(label="اردو")
    urdu = section(page, "ur")
    expect(urdu).to_be_visible()
    expect(section(page, "en")).to_be_hidden()
    assert urdu.evaluate("e => [e.getAttribute('dir'), e.getAttribute('lang'), getComputedStyle(e).direction]") == \
        ["rtl", "ur", "rtl"]
    expect(urdu.get_by_role("heading", name="شواہد کسے کہتے ہیں؟")).to_be_visible()
    shot(lesson, "lesson-switched-ur")
    switch.select_option("pt-br")
    expect(section(page, "pt-br")).to_contain_text("orçamento participativo")
    expect(urdu).to_be_hidden()


def test_an_urdu_reader_gets_the_urdu_lesson_right_to_left(open_lesson):
    page = open_lesson("sadia", lang="ur")
    lesson = page.locator(".mlc-ml")
    assert lesson.evaluate("e => [e.getAttribute('dir'), e.getAttribute('lang'), getComputedStyle(e).direction]") == \
        ["rtl", "ur", "rtl"]
    expect(section(page, "ur")).to_be_visible()
    expect(section(page, "en")).to_be_hidden()
    expect(lesson.locator(".mlc-ml-credits")).to_contain_text("برازیل")
    expect(lesson.locator("select")).to_have_value("ur")
    shot(lesson, "lesson-ur")


def test_without_javascript_the_lesson_is_readable(open_lesson):
    page = open_lesson("joao", lang="pt-br", javascript=False)
    lesson = page.locator(".mlc-ml")
    expect(section(page, "pt-br")).to_be_visible()
    expect(section(page, "pt-br")).to_contain_text("O que conta como evidência?")
    expect(section(page, "en")).to_be_hidden()
    expect(lesson.locator(".mlc-ml-switch")).to_be_hidden()  # a switch that cannot work is not offered
    expect(lesson.get_by_role("complementary")).to_be_visible()
    shot(lesson, "lesson-nojs-pt-br")
    english = open_lesson("helen", javascript=False)
    expect(section(english, "en")).to_contain_text("Mutual learning starts by asking")


def test_on_a_phone_nothing_scrolls_sideways(open_lesson):
    page = open_lesson("amina", width=360)
    lesson = page.locator(".mlc-ml")
    expect(section(page, "en")).to_be_visible()
    width, client = lesson.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert width <= client, (width, client)
    assert lesson.evaluate("e => e.getBoundingClientRect().right") <= 360  # (the sdk's own page is wider)
    shot(lesson, "lesson-phone")


def test_staff_adds_a_language_in_the_studio_view(open_lesson):
    page = open_lesson("staff", view="studio_view")
    studio = page.locator(".mlc-studio")
    studio.get_by_role("button", name="Add a language").click()
    row = studio.locator("[data-list='variant'] > [data-row]").last
    expect(row.get_by_label("Language code")).to_be_focused()
    row.get_by_label("Language code").fill("fr")
    row.get_by_label("Text in this language (Markdown)").fill("## Qu'est-ce qui compte comme preuve ?\n\nUn texte.")
    studio.get_by_role("button", name="Add a co-designer").click()
    credit = studio.locator("[data-list='credit'] > [data-row]").last
    credit.get_by_label("Name").fill("Équipe d'évaluation")
    credit.get_by_label("Country (two-letter code, optional)").fill("XX")
    studio.get_by_role("button", name="Save").click()
    error = studio.locator(".mlc-error")
    expect(error).to_contain_text("co-designer 4 must be a two-letter country code")
    expect(error).to_be_focused()
    credit.get_by_label("Country (two-letter code, optional)").fill("SN")
    studio.get_by_role("button", name="Save").click()
    expect(error).to_be_hidden()
    assert axe_violations(page, ".mlc-studio") == [], describe(axe_violations(page, ".mlc-studio"))
    shot(studio, "lesson-studio")

    reader = open_lesson("fatou", lang="fr")
    expect(section(reader, "fr")).to_be_visible()
    expect(section(reader, "fr").get_by_role("heading", name="Qu'est-ce qui compte comme preuve ?")).to_be_visible()
    expect(reader.locator(".mlc-ml-credits")).to_contain_text("Équipe d'évaluation (Sénégal)")
    author = open_lesson("staff", view="author_view")
    expect(author.locator(".mlc-ml-summary")).to_contain_text("Français")
