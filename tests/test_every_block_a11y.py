"""Every view of the lesson, the evidence check and the co-design board in English and Urdu: axe (no serious or
critical WCAG 2.1 A/AA violation), right-to-left in Urdu, a 360 px phone without sideways scrolling, and no
script error. The peer exchange has its own, finer tests (test_accessibility.py, test_rtl_mobile.py).
Screenshots of the Urdu views at 360 px: var/screenshots/blocks-*-ur.png."""
import pytest

from a11y import axe_violations, describe, live_cohort, live_workbench, shot  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (scenario, root selector of our block in the learner view, [(view, student)])
BLOCKS = [
    ("markdown_lesson.0", ".mlc-ml", [("", "kwame"), ("studio_view", "staff"), ("author_view", "staff")]),
    ("evidence_check.0", ".mlc-ec", [("", "kwame"), ("", "amina"), ("", "staff"), ("studio_view", "staff"),
                                     ("author_view", "staff")]),
    ("evidence_check.1", ".mlc-ec", [("", "joao"), ("", "staff")]),
    ("codesign_board.1", ".mlc-cb", [("", "kwame"), ("", "amina"), ("", "staff"), ("studio_view", "staff"),
                                     ("author_view", "staff")]),
]
CASES = [(scenario, root, view, student) for scenario, root, views in BLOCKS for view, student in views]


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_every_view_of_every_other_block(browser, live_server, live_cohort, lang):  # noqa: F811
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    checked = []
    try:
        for scenario, root, view, student in CASES:
            page.goto(f"{live_server.url}/scenario/{scenario}/{view + '/' if view else ''}?student={student}"
                      f"&lang={lang}")
            selector = ".mlc-studio" if view == "studio_view" else root
            block = page.locator(selector).first
            block.wait_for()
            where = (scenario, view or "student_view", student, lang)
            found = axe_violations(page, selector)
            assert found == [], (where, describe(found))
            direction = block.evaluate("e => getComputedStyle(e).direction")
            assert direction == ("rtl" if lang == "ur" else "ltr"), where
            wide = block.evaluate("""e => { const edge = e.getBoundingClientRect();
                return [...e.querySelectorAll('*')].filter(c => { const r = c.getBoundingClientRect();
                    return r.width && (r.right > edge.right + 1 || r.left < edge.left - 1)
                        && !c.closest('table, pre'); })  // tables and code scroll inside themselves
                    .slice(0, 3).map(c => c.outerHTML.slice(0, 120)); }""")
            assert wide == [] and block.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), (where, wide)
            if lang == "ur":
                name = f"blocks-{scenario.replace('.', '-')}-{view or 'student'}-{student}-ur"
                shot(block, name)
            checked.append(where)
    finally:
        context.close()
    assert errors == []
    assert len(checked) == len(CASES)
