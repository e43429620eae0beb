"""Right-to-left and phones: in Urdu every view of the block is `dir="rtl"` and mirrors; at 360 px wide no step of
the learner view and not the staff dashboard scrolls sideways; the CSS uses logical properties only.

Element screenshots: var/screenshots/rtl-*.png (Urdu, 1000 px) and var/screenshots/mobile-*.png (360 × 740).
"""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from a11y import LEARNER_STEPS, live_cohort, live_workbench, scenario_url, service, shot  # noqa: F401 - fixtures

CSS = sorted((Path(__file__).resolve().parent.parent / "static" / "css").glob("*.css"))
PHYSICAL = re.compile(r"\b(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:"
                      r"|\btext-align\s*:\s*(left|right)\b|\bfloat\s*:\s*(left|right)\b")

# [text start x, text end x, box left, box right] of each visible block-level label and legend in `root`.
LABEL_EDGES = """root => [...root.querySelectorAll('label, legend')].filter(l => l.offsetParent !== null
    && getComputedStyle(l).display === 'block').map(l => { const r = document.createRange(); r.selectNodeContents(l);
    const t = r.getBoundingClientRect(), b = l.getBoundingClientRect(); return [t.left, t.right, b.left, b.right]; })"""
DIRECTION = "e => [e.getAttribute('dir'), e.getAttribute('lang'), getComputedStyle(e).direction]"
BOX_X = "e => e.getBoundingClientRect().x"
WIDTHS = "e => [e.scrollWidth, e.clientWidth]"


def test_css_uses_logical_properties_only():
    assert CSS, "no stylesheet found"
    found = [f"{path.name}:{number}: {line.strip()}" for path in CSS
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if PHYSICAL.search(re.sub(r"/\*.*?\*/", "", line))]
    assert not found, "physical properties do not mirror in right-to-left; use margin-inline-start, " \
                      "padding-inline-end, inset-inline-start, text-align: start ... instead:\n" + "\n".join(found)


def assert_rtl(root, view):
    assert root.evaluate(DIRECTION) == ["rtl", "ur", "rtl"], view


def assert_labels_right_aligned(root, view, at_least=1):
    """Labels wider than their text (a whole line) have the text at their right edge."""
    edges = [e for e in root.evaluate(LABEL_EDGES) if (e[3] - e[2]) - (e[1] - e[0]) > 8]
    assert len(edges) >= at_least, (view, edges)
    for text_left, text_right, box_left, box_right in edges:
        assert abs(box_right - text_right) <= 5, (view, "label text not at the right", edges)  # 5: a checkbox margin


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_view_is_right_to_left_in_urdu(browser, live_server, live_cohort):  # noqa: F811
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The same page in English reads left to right: the step list starts at the left (the check below means it).
    page.goto(scenario_url(live_server.url, LEARNER_STEPS["context"], "en"))
    steps = page.locator(".mlc-pe .mlc-steps li")
    assert steps.first.evaluate(BOX_X) < steps.last.evaluate(BOX_X)

    for step in ("context", "contribute", "waiting", "review", "feedback", "done"):
        if step == "contribute":
            service("save_context", LEARNER_STEPS[step], {"country": "GH", "organisation_type": "research"})
        page.goto(scenario_url(live_server.url, LEARNER_STEPS[step], "ur"))
        root = page.locator(".mlc-pe")
        expect(root.locator(f"[data-panel='{step}']")).to_be_visible()
        assert_rtl(root, step)
        # The step list starts at the right, the prompt's rule is on its right side, labels hug the right.
        assert steps.first.evaluate(BOX_X) > steps.last.evaluate(BOX_X), step
        assert root.locator(".mlc-steps li.is-current").get_attribute("data-step") == step
        assert root.locator(".mlc-prompt").evaluate(
            "e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]") == ["4px", "0px"]
        if step in ("context", "contribute", "review"):
            assert_labels_right_aligned(root.locator(f"[data-panel='{step}']"), step)
        shot(root, f"rtl-{step}")

    # Staff: the dashboard's heading starts at the right, its table headers too.
    page.goto(scenario_url(live_server.url, "staff", "ur"))
    dash = page.locator(".mlc-staff")
    expect(dash.locator(".mlc-s-exchanges table")).to_be_visible()
    assert_rtl(dash, "staff")
    assert_rtl(page.locator(".mlc-pe"), "staff learner view")
    top = dash.locator(".mlc-s-top")
    assert top.locator("h2").evaluate(BOX_X) > top.locator("button").evaluate(BOX_X)
    header = dash.locator(".mlc-s-exchanges thead th").first
    assert header.evaluate("e => getComputedStyle(e).textAlign") in ("start", "right")
    assert_labels_right_aligned(dash.locator(".mlc-s-filters"), "staff filters", at_least=2)
    shot(dash, "rtl-staff")

    # Studio's editor and the author view.
    page.goto(scenario_url(live_server.url, "staff", "ur", view="studio_view"))
    studio = page.locator(".mlc-studio")
    expect(studio.locator(".mlc-rubric-row").first).to_be_visible()
    assert_rtl(studio, "studio_view")
    assert_labels_right_aligned(studio, "studio_view", at_least=5)
    shot(studio, "rtl-studio")
    page.goto(scenario_url(live_server.url, "staff", "ur", view="author_view"))
    author = page.locator(".mlc-author")
    assert_rtl(author, "author_view")
    assert author.locator("dt").first.evaluate(BOX_X) > author.locator("dd").first.evaluate(BOX_X)
    shot(author, "rtl-author")
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "ur"])
def test_each_step_and_the_dashboard_fit_a_phone(browser, live_server, live_cohort, lang):  # noqa: F811
    # A 360 px layout viewport: the LMS has <meta name="viewport" content="width=device-width">; the workbench's
    # page has none, so with is_mobile=True Chromium would lay it out 980 px wide and zoom out.
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    suffix = "" if lang == "en" else f"-{lang}"
    wide = {}

    def fits(view, root):
        widths = root.evaluate(WIDTHS)
        if widths[0] > widths[1] + 1:
            wide[view] = widths
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360 + 1, (view, box)
        shot(root, f"mobile{suffix}-{view}")

    for step in ("context", "contribute", "waiting", "review", "feedback", "done"):
        if step == "contribute":
            service("save_context", LEARNER_STEPS[step], {"country": "GH", "organisation_type": "research"})
        page.goto(scenario_url(live_server.url, LEARNER_STEPS[step], lang))
        root = page.locator(".mlc-pe")
        expect(root.locator(f"[data-panel='{step}']")).to_be_visible()
        fits(step, root)
    page.goto(scenario_url(live_server.url, "staff", lang))
    dash = page.locator(".mlc-staff")
    expect(dash.locator(".mlc-s-exchanges table")).to_be_visible()
    fits("staff", dash)
    assert not wide, f"scrolls sideways at 360 px (scrollWidth, clientWidth): {wide}"
    assert errors == []
    context.close()
