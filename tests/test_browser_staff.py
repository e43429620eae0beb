"""Course staff use the dashboard below the learner view in Chromium: counts, the mutual-learning matrix, pairing
two waiting learners from one country, hiding a review, the tools and a CSV export.

The cohort is the demo's (`mlcourse_seed_demo`, through the public services): Joao (BR) and Helen (GB) done,
Amina (NG) and Li Wei (CN) mid-exchange (Amina reviewed Li Wei), Sadia and Bilal (PK) waiting.
Screenshots of the dashboard are kept under var/screenshots/staff-*.png.
"""
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import SCENARIO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


@pytest.fixture
def demo_cohort(transactional_db):
    from workbench.runtime import ID_MANAGER
    from workbench.scenarios import init_scenarios

    ID_MANAGER.clear()
    init_scenarios()
    call_command("mlcourse_seed_demo", stdout=io.StringIO())


def shot(page, name, width=1000):
    """An element screenshot of the whole dashboard (a viewport as tall as the page: no stitching)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": width, "height": min(height, 16000)})
    page.locator(".mlc-staff").screenshot(path=str(SHOTS / f"staff-{name}.png"), animations="disabled")
    page.set_viewport_size({"width": width, "height": 900})


def test_staff_pairs_moderates_and_exports_from_the_dashboard(browser, live_server, demo_cohort, tmp_path):
    errors = []
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.goto(f"{live_server.url}/scenario/{SCENARIO}/?student=staff")
    dash = page.locator(".mlc-staff")
    live = dash.locator(".mlc-s-live")

    # Counts by step and the mutual-learning picture, in the SVG heat map and in a real table.
    expect(dash.locator("[data-count='waiting'] dd")).to_have_text("2")
    expect(dash.locator("[data-count='done'] dd")).to_have_text("2")
    expect(dash.locator("[data-count='participants'] dd")).to_have_text("6")
    expect(dash.get_by_role("img", name="Reviews between countries")).to_be_visible()
    grid = dash.locator("table.mlc-s-grid")
    expect(grid.locator("caption")).to_contain_text("reviewer country")
    columns = [c.split()[0] for c in grid.locator("thead th").all_inner_texts()]  # "BR" + hidden "Brazil"
    assert columns[1:] == ["BR", "CN", "GB", "NG"], columns

    def cell(reviewer, reviewed):
        return grid.locator("tbody tr", has=page.locator(f"th:text-is('{reviewer}')")).locator("td").nth(
            columns.index(reviewed) - 1)

    expect(cell("Brazil", "GB")).to_have_text("1")
    expect(cell("United Kingdom", "BR")).to_have_text("1")
    expect(cell("Nigeria", "CN")).to_have_text("1")
    expect(dash.locator(".mlc-s-recip")).to_contain_text("1 of 2")
    expect(dash.get_by_role("img", name="How helpful learners found the reviews")).to_be_visible()
    waiting = dash.locator(".mlc-s-waiting")
    expect(waiting).to_contain_text("Only learners from the same country are waiting")
    shot(page, "1-overview")

    # "Pair everyone waiting now" shows the plan first: two learners from Pakistan cannot be paired by the rule.
    dash.get_by_role("button", name="Pair everyone waiting now").click()
    plan = dash.locator(".mlc-s-plan")
    expect(plan).to_contain_text("Nobody can be paired")
    expect(plan.get_by_role("heading")).to_be_focused()
    expect(plan.get_by_role("button", name="Confirm")).to_be_hidden()
    dash.get_by_label("Then pair those left over within their own country").check()  # the end of a cohort
    dash.get_by_role("button", name="Pair everyone waiting now").click()
    expect(plan.locator("li")).to_have_text(re.compile(r"^Sadia \(Pakistan\) \+ Bilal \(Pakistan\) — "))
    expect(plan).to_contain_text("would be paired: 2")
    plan.get_by_role("button", name="Cancel").click()
    expect(plan).to_be_hidden()
    expect(dash.get_by_role("button", name="Pair everyone waiting now")).to_be_focused()

    # Pair Sadia and Bilal by hand: the same-country warning needs a confirmation.
    waiting.get_by_role("checkbox", name="Sadia").check()
    waiting.get_by_role("checkbox", name="Bilal").check()
    expect(dash.locator(".mlc-s-picked")).to_have_text("Selected: 2")
    dash.get_by_role("button", name="Pair selected").click()
    warning = dash.locator(".mlc-s-warn")
    expect(warning).to_contain_text("these learners are from the same country")
    expect(warning.get_by_role("button", name="Pair anyway")).to_be_focused()
    warning.get_by_role("button", name="Pair anyway").click()
    expect(live).to_have_text("Paired.")
    expect(warning).to_be_hidden()
    expect(waiting).to_contain_text("Nobody is waiting for a partner.")
    expect(dash.locator("[data-count='waiting'] dd")).to_have_text("0")
    newest = dash.locator(".mlc-s-exchanges tbody tr").first
    expect(newest).to_contain_text("Sadia")
    expect(newest).to_contain_text("Bilal")
    expect(newest).to_contain_text("Paired by the course team")
    expect(dash.get_by_role("heading", name="Waiting for a partner")).to_be_focused()
    shot(page, "2-paired")

    # Hide Amina's review of Li Wei with a reason (asked in a modal <dialog>): marked hidden, out of the matrix.
    amina_row = dash.locator(".mlc-s-exchanges tbody tr", has_text="Amina")
    amina_row.get_by_role("button", name=re.compile(r"^Hide review")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Reason")).to_be_focused()
    dialog.get_by_label("Reason").fill("Shares a colleague's personal details.")
    dialog.get_by_role("button", name="Confirm").click()
    expect(live).to_have_text("Review hidden.")
    expect(amina_row.locator(".is-hidden")).to_contain_text("hidden")
    expect(amina_row.get_by_role("button", name=re.compile(r"^Unhide review"))).to_be_focused()
    expect(dash.locator("table.mlc-s-grid tbody tr", has=page.locator("th:text-is('Nigeria')"))).to_have_count(0)

    # Tools: a roster with a bad line is refused line by line; a learner's deadlines are extended.
    dash.get_by_label("CSV text").fill("username,country,organisation_type\nzoe,ZZ,research\n")
    dash.get_by_role("button", name="Import roster").click()
    expect(dash.locator(".mlc-s-rerr li")).to_have_text(re.compile(r"^Line 2: Unknown country code: ZZ"))
    expect(dash.locator(".mlc-s-error")).to_contain_text("nothing was imported")
    sadia = dash.locator("datalist option[label^='Sadia']").get_attribute("value")  # picked from the list
    dash.get_by_label("Learner (id").fill(sadia)
    dash.get_by_label("Review due").fill("2030-01-15T12:30")
    dash.get_by_role("button", name="Set deadlines").click()
    expect(live).to_have_text(f"Deadlines set for learner {sadia}.")
    expect(dash.locator(".mlc-s-error")).to_be_hidden()

    # Exports: one link per table; with usernames the reviews file names both learners.
    dash.get_by_label("Include usernames").check()
    with page.expect_download() as download_info:
        dash.get_by_role("link", name="Reviews").click()
    download = download_info.value
    assert download.suggested_filename == "peer-exchange-reviews.csv"
    path = tmp_path / "reviews.csv"
    download.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Review,Exchange,Reviewer,Reviewee,Reviewer's username,Reviewee's username,"), lines[0]
    assert len(lines) == 4 and "Shares a colleague's personal details." in path.read_text(encoding="utf-8-sig")
    shot(page, "3-after-actions")
    shot(page, "4-phone", width=360)

    # Learners never get the dashboard (nor its script).
    page.goto(f"{live_server.url}/scenario/{SCENARIO}/?student=sadia")
    expect(page.locator(".mlc-pe [data-panel='review']")).to_be_visible()
    assert page.locator(".mlc-staff").count() == 0
    assert page.evaluate("typeof window.MlcourseStaffDashboard") == "undefined"
    assert errors == []
    context.close()
