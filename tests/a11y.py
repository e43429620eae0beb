"""Helpers for the accessibility, right-to-left and phone tests: axe-core, keyboard moves, the demo cohort.

axe-core is vendored at test time from npm (`make test` runs the `$(AXE_JS)` rule: `npm pack axe-core@4.14.1`),
never fetched by the page. Run only the WCAG 2.1 A/AA rules and keep the serious and critical violations.
"""
import io
import os
from pathlib import Path

import pytest

from conftest import SCENARIO, USAGE

REPO = Path(__file__).resolve().parent.parent
AXE_JS = Path(os.environ.get("AXE_JS", REPO / ".cache" / "axe" / "axe.min.js"))
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
SHOTS = REPO / "var" / "screenshots"
LEARNER_STEPS = {  # the demo cohort (mlcourse_seed_demo) by step; "newcomer" has no data yet
    "context": "newcomer", "contribute": "newcomer", "waiting": "sadia", "review": "li_wei",
    "feedback": "amina", "done": "joao",
}


def axe_violations(page, context, impacts=("serious", "critical"), options=WCAG_AA):
    """Serious and critical WCAG 2.1 A/AA violations inside `context` (a selector: our block, not the sdk page)."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `make .cache/axe/axe.min.js` (npm pack axe-core)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("([ctx, opts]) => axe.run(ctx, opts)", [context, options])
    return [v for v in results["violations"] if v["impact"] in impacts]


def describe(violations):
    """One line per violation and node: what to fix, and where."""
    return [f"{v['impact']} {v['id']} ({v['help']}): {n['target']} {n['failureSummary']!r}"
            for v in violations for n in v["nodes"][:5]]


def scenario_url(base, student, lang="en", view=""):
    return f"{base}/scenario/{SCENARIO}/{view + '/' if view else ''}?student={student}&lang={lang}"


# --- the workbench and the demo cohort, in the live server's (transactional) test database -------------------
@pytest.fixture
def live_workbench(transactional_db):
    from workbench.runtime import ID_MANAGER
    from workbench.scenarios import init_scenarios

    ID_MANAGER.clear()  # usage ids stay `...d0.u0`
    init_scenarios()


@pytest.fixture
def live_cohort(live_workbench):
    """The demo cohort: joao/helen done, amina feedback, li_wei review, sadia/bilal waiting (both Pakistan)."""
    from django.core.management import call_command

    call_command("mlcourse_seed_demo", stdout=io.StringIO())


def demo_config():
    """The scenario block's settings as the services see them (the same as mlcourse_seed_demo uses)."""
    from mlcourse.blocks.peer_exchange_ui import DEFAULT_RUBRIC
    from mlcourse.services import ActivityConfig, Question

    return ActivityConfig(course_key="workbench", usage_key=USAGE, min_words=40, max_words=600,
                          rubric=tuple(Question.from_dict(q) for q in DEFAULT_RUBRIC))


def actor(name):
    from mlcourse.runtime import Actor

    return Actor(learner_id=name, display_name=name)


def service(name, student, payload):
    """Call one learner service (`save_context`, `submit_contribution`, ...) as `student`; returns the state."""
    from mlcourse import services

    return getattr(services, name)(demo_config(), actor(student), payload)


def review_partners(student, text="learned about budgets."):
    """`student` reviews every partner through the services (the partner's side of an exchange)."""
    from mlcourse.services import get_state

    state = get_state(demo_config(), actor(student))
    for member in state["exchange"]["members"]:
        if not member["is_me"]:
            state = service("submit_review", student, {
                "reviewee": member["id"], "answers": {"q1": 4, "q2": 5},
                "learned": f"{student} {text}", "suggestion": f"{student} suggests a price survey."})
    return state


# --- keyboard ---------------------------------------------------------------------------------------------
FOCUSED = "() => { const a = document.activeElement; return a && a !== document.body ? a.outerHTML.slice(0, 160) : '' }"


def focus_matches(page, selector):
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector, shift=False, limit=40):
    """Press Tab (or Shift+Tab) until the focused element matches `selector`; fail after `limit` presses."""
    key = "Shift+Tab" if shift else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        if focus_matches(page, selector):
            return
        seen.append(page.evaluate(FOCUSED))
    pytest.fail(f"{key} never reached {selector}; focus went through: {seen}")


def assert_focus_visible(page):
    """The focused element shows a focus indicator (an outline, or the browser's own `auto` ring)."""
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
    assert style[0] != "none" and (style[0] == "auto" or style[1] >= 2), (page.evaluate(FOCUSED), style)


def shot(locator, name):
    """An element screenshot with the viewport as tall as the page, and the workbench's fixed banner (not ours)
    out of the way: it would cover the top of the block, or a part of a tall one."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = locator.page
    page.evaluate("() => document.querySelectorAll('.workbench .banner').forEach(b => b.style.position = 'static')")
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 16000)})
    locator.screenshot(path=str(SHOTS / f"{name}.png"), animations="disabled")
    page.set_viewport_size(size)
