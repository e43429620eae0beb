"""Hostile text everywhere a learner, an author or staff can type, rendered in Chromium, and every CSV export.

The corpus is tests/xss_payloads.py: each payload that could run script reports itself (`top.__xss=N;alert(N)`).
The main test plants it in every learner text field (contribution, the rubric's free-text answer, `learned`,
`suggestion`, rating note, reflection, the learner's display name) and every authored field (display name,
Markdown prompt, rubric labels), partly through the real UI, mostly through the services; then renders the
partner's review step, the feedback step, the learner's own done view, the staff dashboard (waiting list over
all its pages, exchanges, matrix, roster errors), the Studio editor and the author view, and downloads every
CSV table with and without usernames.

On every page: no dialog, no page error, no console error, no write to `window.__xss` (trapped, also from
frames), no request outside the workbench's own URLs, one frame only; in the block roots (`.mlc-pe`,
`.mlc-staff`) no element our markup never has (script other than the one JSON boot script, iframe, object,
embed, img, style, math, SVG outside the dashboard's charts...), nowhere an `on*` attribute or a URL attribute
with a scheme other than http(s)/mailto; in the rendered prompt only the sanitizer's tags and attributes. Each
field's text must come back as text, character for character (textContent), and visibly (`<script>` in
inner_text). CSV cells never start with = + - @ tab or CR. `pytest -s` prints the totals.
"""
import csv
import io
import re
import time
import urllib.request
from collections import defaultdict
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

import xss_payloads as X
from conftest import SCENARIO, USAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TABLES = ("participants", "exchanges", "reviews", "ratings", "reflections", "staff_actions")
ALLOWED_PATHS = ("/scenario/", "/handler/", "/static/", "/resource/", "/jsi18n")
PAD = " ".join(["evidence"] * 45)  # ordinary words: every text is well above any minimum

# Writes to window.__xss (a payload in a frame writes to `top.__xss`) are recorded and logged, never lost.
TRAP_JS = """
(() => {
  const hits = [];
  Object.defineProperty(window, "__xssHits", {value: hits});
  Object.defineProperty(window, "__xss", {
    configurable: false,
    get() { return hits.length ? hits[hits.length - 1] : undefined; },
    set(v) { hits.push(String(v)); console.error("XSS-HIT " + v); }
  });
})();
"""

# Everything injected markup could look like, as a list of problems (empty: clean).
SCAN_JS = """
() => {
  const problems = [], SVG = "http://www.w3.org/2000/svg", MATH = "http://www.w3.org/1998/Math/MathML";
  const URL_ATTRS = new Set(["href", "xlink:href", "src", "action", "formaction", "data", "poster", "background",
    "ping", "codebase", "cite", "longdesc", "lowsrc", "dynsrc", "manifest", "icon", "srcset", "to", "from", "values"]);
  const NEVER_OURS = new Set(["iframe", "object", "embed", "img", "image", "base", "meta", "link", "style", "frame",
    "frameset", "applet", "portal", "math", "template", "video", "audio", "source", "track", "marquee",
    "xmp", "plaintext", "noembed", "noframes", "param", "bgsound", "foreignobject", "use", "animate", "set",
    "animatetransform", "animatemotion", "handler", "listener", "canvas", "picture", "area", "map"]);
  const CHART = new Set(["svg", "title", "desc", "g", "rect", "text"]);
  const PROMPT_TAGS = new Set(["a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "dl", "dt", "dd"]);
  const PROMPT_ATTRS = {a: ["href", "title", "rel"], abbr: ["title"], td: ["align"], th: ["align"]};
  const show = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith("on")) problems.push(`handler attribute ${name}: ${show(el)}`);
      if (name === "srcdoc") problems.push(`srcdoc: ${show(el)}`);
      if (name === "style" && /url\\s*\\(|expression\\s*\\(|javascript:|behavior/i.test(a.value)) {
        problems.push(`style with code or URL: ${show(el)}`);
      }
      if (URL_ATTRS.has(name) || name.endsWith(":href")) {
        let scheme;
        try { scheme = new URL(a.value, document.baseURI).protocol; } catch (e) { scheme = "unparsable"; }
        if (!["http:", "https:", "mailto:"].includes(scheme)) problems.push(`${name} scheme ${scheme}: ${show(el)}`);
      }
    }
  }
  const roots = document.querySelectorAll(".mlc-pe, .mlc-staff");
  if (!roots.length) problems.push("no block root on the page");
  for (const root of roots) {
    let boot = 0;
    for (const s of root.querySelectorAll("script")) {
      const ours = s.type === "application/json" && s.attributes.length <= 2 && !s.src
        && (s.parentElement === root || s.parentElement.matches(".mlc-studio > form"));
      if (!ours) { problems.push(`script: ${show(s)}`); continue; }
      boot += 1;
      try { JSON.parse(s.textContent); } catch (e) { problems.push(`boot JSON broken: ${e}`); }
    }
    if (boot > 1) problems.push(`${boot} boot scripts in one root`);
    for (const el of root.querySelectorAll("*")) {
      const tag = el.localName.toLowerCase();
      if (tag === "script") { continue; }
      if (tag === "noscript") {  // ours: the "needs JavaScript" notice, a child of the root (raw text when JS runs)
        if (el.parentElement !== root || !/^<p class="mlc-notice">[^<]*<\\/p>$/.test(el.textContent.trim())) {
          problems.push(`noscript: ${show(el)}`);
        }
        continue;
      }
      if (NEVER_OURS.has(tag)) problems.push(`element <${tag}>: ${show(el)}`);
      if (el.namespaceURI === MATH) problems.push(`MathML <${tag}>`);
      if (el.namespaceURI === SVG && !(root.matches(".mlc-staff") && CHART.has(tag))) {
        problems.push(`SVG <${tag}>: ${show(el)}`);
      }
      if (el.hasAttribute("autofocus") || el.hasAttribute("srcset") || el.hasAttribute("formaction")) {
        problems.push(`attribute our markup never has: ${show(el)}`);
      }
    }
  }
  for (const body of document.querySelectorAll(".mlc-prompt-body")) {
    for (const el of body.querySelectorAll("*")) {
      const tag = el.localName.toLowerCase();
      if (!PROMPT_TAGS.has(tag)) problems.push(`prompt: tag <${tag}> is not in the sanitizer's list`);
      for (const a of el.attributes) {
        if (!["id", "class"].includes(a.name) && !(PROMPT_ATTRS[tag] || []).includes(a.name)) {
          problems.push(`prompt: attribute ${a.name} on <${tag}>`);
        }
      }
    }
  }
  return problems;
}
"""


class Watch:
    """Every signal of code running where it should not, over all pages of one browser context."""

    def __init__(self, browser, base):
        self.base = base
        self.dialogs, self.errors, self.console, self.requests, self.checks = [], [], [], [], []
        self.context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="en-GB")
        self.context.add_init_script(TRAP_JS)
        self.context.on("request", self._request)

    def _request(self, request):
        url = request.url
        if not (url.startswith(self.base) and url[len(self.base):].startswith(ALLOWED_PATHS)):
            self.requests.append(url[:200])

    def page(self, url=None):
        page = self.context.new_page()
        page.on("dialog", lambda d: (self.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)[:300]))
        page.on("console", self._console)
        if url:
            page.goto(url)
        return page

    def _console(self, message):
        where = message.location.get("url", "")
        if message.type != "error" or where == f"{self.base}/favicon.ico":  # the workbench serves no icon
            return
        self.console.append(f"{message.text[:300]} @ {where[:160]}")

    def refused(self, page, handler):
        """Chrome logs the answer to a request the test made to be refused (a 4xx): take exactly that entry."""
        for _ in range(20):
            mine = [m for m in self.console if "status of 400" in m and f"/{handler}/" in m]
            if mine:
                break
            page.wait_for_timeout(50)
        assert len(mine) == 1, self.console
        self.console.remove(mine[0])

    def learner_url(self, student, view=""):
        return f"{self.base}/scenario/{SCENARIO}/{view + '/' if view else ''}?student={quote(student, safe='')}"

    def check(self, page, view):
        """The page is clean now: poke it (focus, hover) first, so handlers that wait for them would fire."""
        for _ in range(4):
            page.keyboard.press("Tab")
        box = page.locator(".mlc-pe").first.bounding_box()
        if box:
            page.mouse.move(box["x"] + 20, box["y"] + 20)
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"], 800) - 10, steps=4)
        problems = page.evaluate(SCAN_JS)
        assert problems == [], (view, problems[:10])
        assert page.evaluate("window.__xss") is None and page.evaluate("window.__xssHits.length") == 0, view
        assert len(page.frames) == 1, (view, [f.url for f in page.frames])
        self.assert_quiet(view)
        self.checks.append(view)

    def assert_quiet(self, view):
        hits = [X.by_number(n) for n in re.findall(r"(?:XSS-HIT |: )(\d+)", " ".join(self.dialogs + self.console))]
        assert self.dialogs == [], (view, self.dialogs, hits)
        assert self.errors == [], (view, self.errors)
        assert self.console == [], (view, self.console, hits)
        assert self.requests == [], (view, self.requests)


class Coverage:
    """(payload, field, view) triples actually checked: a payload counts in a view only once its text was found."""

    def __init__(self):
        self.seen = set()

    def add(self, view, field, payloads):
        for p in payloads:
            self.seen.add((p.n, field, view))

    def report(self):
        fields, views = defaultdict(set), defaultdict(set)
        for n, field, view in self.seen:
            fields[field].add(n)
            views[view].add((n, field))
        kinds = ", ".join(f"{k} {sum(p.kind == k for p in X.PAYLOADS)}" for k in X.KINDS)
        lines = [f"corpus: {len(X.PAYLOADS)} payloads ({kinds})",
                 f"payload x field x view checks: {len(self.seen)}; distinct payloads placed: "
                 f"{len({n for n, _f, _v in self.seen})}; fields: {len(fields)}; views: {len(views)}",
                 "per field (distinct payloads): " + ", ".join(f"{k} {len(v)}" for k, v in sorted(fields.items())),
                 "per view (payload x field): " + ", ".join(f"{k} {len(v)}" for k, v in sorted(views.items()))]
        return "\n".join("[xss] " + line for line in lines)


def _text(payloads, prefix=None):
    """A learner text: a CSV payload first (exports check the start of a cell), then the XSS payloads, padded."""
    head = [prefix] if prefix else []
    body = "\n".join([p.text for p in head + list(payloads)] + [PAD])
    return body.strip(), head + list(payloads)


def shows_as_text(locator, text):
    """The field's first payload (markup) is on screen as characters: the browser did not parse it."""
    first = text.split("\n")[0]
    assert "<" in text and first in locator.inner_text(), first


def _label_text(value):
    """What a single-line <input> keeps of a text (it drops CR and LF) and the server stores (stripped)."""
    return re.sub(r"[\r\n]", "", value).strip()


@pytest.fixture
def live_scenarios(transactional_db):
    from workbench.runtime import ID_MANAGER
    from workbench.scenarios import init_scenarios

    ID_MANAGER.clear()
    init_scenarios()


def test_hostile_text_in_every_field_never_runs_and_exports_are_formula_safe(browser, live_server, live_scenarios):
    from mlcourse.models import Contribution
    from mlcourse.runtime import Actor
    from mlcourse.services import (ActivityConfig, Question, get_state, rate_review, save_context,
                                   submit_contribution, submit_reflection, submit_review)
    from mlcourse.services.staff_actions import staff_hide

    started = time.monotonic()
    laps = []

    def lap(name):
        laps.append(f"{name} {time.monotonic() - started - sum(float(x.split()[-1][:-1]) for x in laps):.1f}s")

    watch, cover = Watch(browser, live_server.url), Coverage()
    groups = X.pack(X.XSS, 5000 - len(PAD) - 60)  # text fields hold 5,000 characters: the corpus in halves
    csv_cycle = list(X.CSV)

    # ---- 1. Authored fields through the real Studio editor ----------------------------------------------------
    name_payloads = [X.find(s) for s in ("\"><img", "<script>top", "<img src=x onerror=top", "' autofocus", "{{7*7}}")]
    display_name = _label_text(X.joined(name_payloads, " "))
    # Markdown lets an unclosed raw tag or comment swallow what follows (nh3 then drops it): text-like payloads
    # first, so their literal text can be checked on the page; each payload alone is rendered in step 7.
    textish = ("markdown", "encoding", "template", "json", "attribute", "unicode", "csv")
    prompt = X.joined([p for p in X.PAYLOADS if p.kind in textish] + [p for p in X.PAYLOADS if p.kind not in textish],
                      "\n\n")
    label_groups = X.pack(X.XSS, 470, " ")[:12]
    labels = [_label_text(((X.CSV[i].text + " ") if i < len(X.CSV) else "") + X.joined(g, " "))
              for i, g in enumerate(label_groups)]
    label_payloads = [([X.CSV[i]] if i < len(X.CSV) else []) + g for i, g in enumerate(label_groups)]
    assert len(display_name) <= 200 and all(len(label) <= 500 for label in labels)

    studio = watch.page(watch.learner_url("staff", "studio_view"))
    studio.get_by_label("Display name").fill(display_name)
    studio.get_by_label("Prompt (Markdown)").fill(prompt)
    rows = studio.locator(".mlc-rubric-row")
    for i, label in enumerate(labels):
        if i >= 3:
            studio.get_by_role("button", name="Add a question").click()
            rows.nth(i).locator("[data-k=type]").select_option("text" if i % 2 else "scale")
            rows.nth(i).locator("[data-k=required]").uncheck()
        rows.nth(i).locator("[data-k=label]").fill(label)
    studio.get_by_label("Maximum words").fill("5000")
    with studio.expect_response(lambda r: "/studio_submit/" in r.url) as saved:
        studio.get_by_role("button", name="Save").click()
    assert saved.value.status == 200, saved.value.text()
    watch.check(studio, "studio (edited)")
    studio.reload()
    assert studio.get_by_label("Display name").input_value() == display_name
    assert studio.get_by_label("Prompt (Markdown)").input_value() == prompt.replace("\r", "\n")
    rubric = studio.evaluate("""() => [...document.querySelectorAll('.mlc-rubric-row')].map(r => ({
        id: r.dataset.qid, label: r.querySelector('[data-k=label]').value,
        type: r.querySelector('[data-k=type]').value, required: r.querySelector('[data-k=required]').checked}))""")
    assert [q["label"] for q in rubric] == labels
    assert [q["id"] for q in rubric[:3]] == ["q1", "q2", "q3"] and rubric[2]["type"] == "text"
    watch.check(studio, "studio (reloaded)")
    cover.add("studio", "authored display name", name_payloads)
    cover.add("studio", "authored prompt", X.PAYLOADS)
    for group in label_payloads:
        cover.add("studio", "authored rubric label", group)
    studio.close()

    def authored_in(page, view):
        """The block's title and rendered prompt, as a learner or the author sees them."""
        assert page.locator(".mlc-pe .mlc-title").first.text_content() == display_name
        body = page.locator(".mlc-prompt-body").first
        visible = body.text_content()
        for literal in ("<script>", "<%= 7*7 %>", "%3Cscript%3E", "+ADw-script+AD4-", "${7*7}"):
            assert literal in visible, (view, literal)
        cover.add(view, "authored display name", name_payloads)
        cover.add(view, "authored prompt", X.PAYLOADS)

    lap("studio")
    # ---- 2. A cohort planted through the services ------------------------------------------------------------
    config = ActivityConfig(course_key="workbench", usage_key=USAGE, min_words=40, max_words=5000,
                            rubric=tuple(Question.from_dict(q) for q in rubric))
    staff = Actor(learner_id="staff", display_name="staff", is_staff=True)
    people = {}  # learner id -> (display name, payloads of the name)
    texts = {}  # what each planted field holds: key -> (text, payloads)
    countries = iter(["BR", "GB", "NG", "CN", "IN", "FR", "KE", "MX", "ID", "CO", "ZA", "PH"])

    def actor(lid):
        return Actor(learner_id=lid, display_name=people[lid][0])

    def join(lid, name, name_payloads_, country=None, group=0):
        people[lid] = (name, name_payloads_)
        save_context(config, actor(lid), {"country": country or next(countries), "organisation_type": "research"})
        texts[("contribution", lid)] = _text(groups[group % 2])
        submit_contribution(config, actor(lid), {"text": texts[("contribution", lid)][0]})

    counter = iter(range(1000))

    def review_partners(lid):
        for member in get_state(config, actor(lid))["exchange"]["members"]:
            if member["is_me"]:
                continue
            i = next(counter)
            q3, learned, suggestion = (_text(groups[(i + k) % 2], csv_cycle[(i + 3 * k) % len(csv_cycle)])
                                       for k in range(3))
            texts[("q3", lid)], texts[("learned", lid)], texts[("suggestion", lid)] = q3, learned, suggestion
            submit_review(config, actor(lid), {"reviewee": member["id"], "answers": {"q1": 4, "q2": 5, "q3": q3[0]},
                                               "learned": learned[0], "suggestion": suggestion[0]})

    def rate_and_reflect(lid):
        i = next(counter)
        for received in get_state(config, actor(lid))["reviews_received"]:
            texts[("note", lid)] = _text(groups[i % 2], csv_cycle[(i + 1) % len(csv_cycle)])
            rate_review(config, actor(lid), {"review": received["id"], "helpfulness": 4,
                                             "note": texts[("note", lid)][0]})
        texts[("reflection", lid)] = _text(groups[(i + 1) % 2], csv_cycle[(i + 2) % len(csv_cycle)])
        submit_reflection(config, actor(lid), {"text": texts[("reflection", lid)][0]})

    def named(start):
        payload = X.find(start)
        return payload.text, [payload]

    # Three finished exchanges between learners whose ids *and* names are spreadsheet formulas.
    for a, b in ((0, 1), (2, 3), (4, 5)):
        for k, c in enumerate((a, b)):
            join(X.CSV[c].text, *named(X.CSV[c].text), group=k)
        for c in (a, b):
            review_partners(X.CSV[c].text)
        for c in (a, b):
            rate_and_reflect(X.CSV[c].text)
    # D: finished; D1 can be browsed (a URL-safe name); staff hid D1's review and D1's contribution.
    # The names of browsed learners are URL-safe payloads (see xss_payloads.Payload.url_safe).
    starts = {"d1": "javascript:top", "e2": "\u202egnp", "f2": "\u202e\u2066", "u1": "x onmouseover",
              "u2": "[x](javascript"}
    d1, e2, f2, u1, u2 = (X.find(starts[k]).text for k in ("d1", "e2", "f2", "u1", "u2"))
    assert all(X.find(s).url_safe for s in starts.values())
    join(d1, *named(starts["d1"]))
    join("d2", *named("\"><img"), group=1)
    for lid in (d1, "d2"):
        review_partners(lid)
    for lid in (d1, "d2"):
        rate_and_reflect(lid)
    hidden_payloads = [X.find("\" autofocus"), X.find("<script/x>")]
    hidden_review, hidden_contribution = (_label_text(p.text) for p in hidden_payloads)
    staff_hide(config, staff, {"kind": "review", "id": get_state(config, actor(d1))["reviews_given"][0]["id"],
                               "reason": hidden_review})
    staff_hide(config, staff, {"kind": "contribution", "reason": hidden_contribution,
                               "id": Contribution.objects.get(participant__learner_id=d1).pk})
    # E: E2 (browsable) is at the review step, with E1's hostile name and text in front of them.
    join("e1", *named("<img src=x onerror=top"))
    join(e2, *named(starts["e2"]), group=1)
    review_partners("e1")
    # F: both reviewed, nothing rated: F2 (browsable) sees F1's review and the rating form.
    join("f1", *named("<script>top"))
    join(f2, *named(starts["f2"]), group=1)
    for lid in ("f1", f2):
        review_partners(lid)

    lap("plant")
    # ---- 3. Two learners through the real learner UI, every field typed in Chromium --------------------------
    people[u1], people[u2] = named(starts["u1"]), named(starts["u2"])
    ui_texts = {}

    def ui_text(key, i, prefix=True):
        ui_texts[key] = _text(groups[i % 2], csv_cycle[i % len(csv_cycle)] if prefix else None)
        return ui_texts[key][0]

    def start(student, country, organisation, contribution):
        page = watch.page(watch.learner_url(student))
        page.get_by_label("Country").select_option(label=country)
        page.get_by_label("Type of organisation").select_option(label=organisation)
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator("[data-panel='contribute']")).to_be_visible()
        page.get_by_label("Your answer").fill(contribution)
        page.get_by_role("button", name="Submit and find a partner").click()
        return page

    def review_in_ui(page, student, partner, i):
        page.bring_to_front()  # a background tab's frames are throttled: every action would wait for them
        card = page.locator("[data-panel='review'] article").first
        expect(card).to_be_visible()
        quote_ = card.locator(".mlc-quote")
        assert quote_.text_content() == ui_texts[("contribution", partner)][0]
        shows_as_text(quote_, ui_texts[("contribution", partner)][0])
        assert people[partner][0] in card.locator("h4").text_content()
        legends = " ".join(card.locator("legend, label").all_text_contents())
        assert all(label in legends for label in labels)
        cover.add("learner review step (UI)", "contribution", ui_texts[("contribution", partner)][1])
        cover.add("learner review step (UI)", "learner display name", people[partner][1])
        for group in label_payloads:
            cover.add("learner review step (UI)", "authored rubric label", group)
        authored_in(page, "learner review step (UI)")
        # A refusal names the (hostile) required question in the error box.
        card.get_by_role("button", name="Submit review").click()
        expect(page.locator(".mlc-pe .mlc-error")).to_contain_text(labels[0])
        watch.refused(page, "submit_review")
        cover.add("learner error box (UI)", "authored rubric label", label_payloads[0])
        watch.check(page, "learner review step (UI)")
        for group in card.get_by_role("group").all():
            group.get_by_label("4", exact=True).check()
        card.locator("textarea[name='q3']").fill(ui_text(("q3", student), i))
        card.locator("textarea[name='learned']").fill(ui_text(("learned", student), i + 1))
        card.locator("textarea[name='suggestion']").fill(ui_text(("suggestion", student), i + 2))
        card.get_by_role("button", name="Submit review").click()
        expect(page.locator("[data-panel='feedback']")).to_be_visible()

    def rate_and_reflect_in_ui(page, student, partner, i):
        page.bring_to_front()
        feedback = page.locator("[data-panel='feedback']")
        expect(feedback.locator("article")).to_be_visible()
        answers = feedback.locator("dd").all_text_contents()
        for key in ("q3", "learned", "suggestion"):
            assert ui_texts[(key, partner)][0] in answers, key
            cover.add("learner feedback step (UI)", f"review {key}", ui_texts[(key, partner)][1])
        cover.add("learner feedback step (UI)", "learner display name", people[partner][1])
        watch.check(page, "learner feedback step (UI)")
        feedback.get_by_role("group", name="How helpful").get_by_label("5", exact=True).check()
        feedback.locator("textarea[name='note']").fill(ui_text(("note", student), i))
        feedback.get_by_role("button", name="Send rating").click()
        expect(feedback).to_contain_text("Rated 5 of 5")
        page.locator("[data-form='reflection'] textarea").fill(ui_text(("reflection", student), i + 1))
        page.get_by_role("button", name="Submit reflection and finish").click()
        expect(page.locator("[data-panel='done']")).to_be_visible()

    ui_text(("contribution", u1), 0, prefix=False)
    ui_text(("contribution", u2), 1, prefix=False)
    page1 = start(u1, "Ghana", "Research or academia", ui_texts[("contribution", u1)][0])
    expect(page1.locator("[data-panel='waiting']")).to_be_visible()
    page2 = start(u2, "Brazil", "Sub-national government", ui_texts[("contribution", u2)][0])
    review_in_ui(page2, u2, u1, 0)
    page1.bring_to_front()
    page1.evaluate("window.dispatchEvent(new Event('focus'))")
    review_in_ui(page1, u1, u2, 3)
    rate_and_reflect_in_ui(page1, u1, u2, 6)
    page2.reload()
    rate_and_reflect_in_ui(page2, u2, u1, 8)

    def done_view(page, student, partner, view, hidden=False):
        page.bring_to_front()
        summary = page.locator("[data-panel='done'] .mlc-summary")
        expect(summary).to_be_visible()
        quotes, answers = summary.locator(".mlc-quote").all_text_contents(), summary.locator("dd").all_text_contents()
        ratings = " ".join(summary.locator(".mlc-rating").all_text_contents())
        assert quotes == [texts_all[("reflection", student)][0]]
        cover.add(view, "reflection", texts_all[("reflection", student)][1])
        for who, key in ((student, "q3"), (student, "learned"), (student, "suggestion"),
                         (partner, "q3"), (partner, "learned"), (partner, "suggestion")):
            assert texts_all[(key, who)][0] in answers, (view, who, key)
            cover.add(view, f"review {key}", texts_all[(key, who)][1])
        for who in (student, partner):
            assert texts_all[("note", who)][0] in ratings, (view, who)
            cover.add(view, "rating note", texts_all[("note", who)][1])
        names = " ".join(summary.locator(".mlc-members li, h4").all_text_contents())
        assert people[partner][0] in names
        cover.add(view, "learner display name", people[partner][1])
        assert "<script>" in summary.inner_text()
        if hidden:
            assert hidden_review in " ".join(summary.locator(".mlc-notice").all_text_contents())
            assert hidden_contribution in page.locator(".mlc-moderated").text_content()
            cover.add(view, "staff hiding reason", hidden_payloads)
        authored_in(page, view)
        watch.check(page, view)

    texts_all = {**texts, **ui_texts}
    done_view(page2, u2, u1, "learner done view (UI)")
    page1.reload()  # U2 rated U1's review after U1 finished
    done_view(page1, u1, u2, "learner done view (UI)")
    page1.close()
    page2.close()

    lap("ui pair")
    # ---- 4. Learners waiting with hostile names: every other payload short enough to be a name ---------------
    used = {p.n for _name, ps in people.values() for p in ps}
    waiting = [p for p in X.PAYLOADS if p.n not in used and len(p.text) <= 200]
    for p in waiting:
        lid = p.text if p.kind == "csv" else f"w{p.n}"
        join(lid, p.text, [p], country="PK")

    lap("plant waiting")
    # ---- 5. The learner views of the planted cohort ----------------------------------------------------------
    page = watch.page(watch.learner_url(e2))
    card = page.locator("[data-panel='review'] article").first
    expect(card).to_be_visible()
    assert card.locator(".mlc-quote").text_content() == texts[("contribution", "e1")][0]
    assert people["e1"][0] in card.locator("h4").text_content()
    shows_as_text(card.locator(".mlc-quote"), texts[("contribution", "e1")][0])
    legends = " ".join(card.locator("legend, label").all_text_contents())
    assert all(label in legends for label in labels)
    cover.add("learner review step", "contribution", texts[("contribution", "e1")][1])
    cover.add("learner review step", "learner display name", people["e1"][1])
    for group in label_payloads:
        cover.add("learner review step", "authored rubric label", group)
    authored_in(page, "learner review step")
    watch.check(page, "learner review step")

    page.goto(watch.learner_url(f2))
    feedback = page.locator("[data-panel='feedback']")
    expect(feedback.locator("article")).to_be_visible()
    answers = feedback.locator("dd").all_text_contents()
    for key in ("q3", "learned", "suggestion"):
        assert texts[(key, "f1")][0] in answers, key
        cover.add("learner feedback step", f"review {key}", texts[(key, "f1")][1])
    assert people["f1"][0] in feedback.locator("article h4").text_content()
    cover.add("learner feedback step", "learner display name", people["f1"][1])
    terms = " ".join(feedback.locator("dt").all_text_contents())
    assert labels[2] in terms  # the free-text question, as it was when the review was written
    cover.add("learner feedback step", "authored rubric label", label_payloads[2])
    authored_in(page, "learner feedback step")
    watch.check(page, "learner feedback step")

    page.goto(watch.learner_url(d1))
    done_view(page, d1, "d2", "learner done view", hidden=True)

    lap("learner views")
    # ---- 6. The staff dashboard: counts, every waiting page, exchanges, matrix, the roster's error list ------
    page.goto(watch.learner_url("staff"))
    dash = page.locator(".mlc-staff")
    expect(dash.locator("[data-count='participants'] dd")).to_have_text(str(len(people)))
    expect(dash.locator("[data-count='waiting'] dd")).to_have_text(str(len(waiting)))
    seen_names, pager = [], dash.locator("[data-pager='waiting']")
    while True:
        seen_names += dash.locator(".mlc-s-waiting .mlc-s-pick span").all_text_contents()
        watch.check(page, "staff dashboard waiting list")
        forward = pager.locator("button[data-step='1']")
        if not pager.is_visible() or forward.is_disabled():
            break
        before = pager.locator("span").text_content()
        forward.click()
        expect(pager.locator("span")).not_to_have_text(before)
    assert sorted(seen_names) == sorted(p.text for p in waiting), seen_names[:5]
    cover.add("staff dashboard waiting list", "learner display name", waiting)
    members = dash.locator(".mlc-s-exchanges bdi").all_text_contents()
    waiting_ids = {p.text if p.kind == "csv" else f"w{p.n}" for p in waiting}
    paired = [lid for lid in people if lid not in waiting_ids]
    assert sorted(members) == sorted(people[lid][0] for lid in paired)
    for lid in paired:
        cover.add("staff dashboard exchanges", "learner display name", people[lid][1])
    assert dash.locator("table.mlc-s-grid tbody tr").count() >= 6  # the matrix drew every country
    options = dash.locator("datalist option").evaluate_all("os => os.map(o => o.getAttribute('label'))")
    for lid in paired:
        assert any(o.startswith(people[lid][0]) for o in options), lid
        cover.add("staff dashboard datalist", "learner display name", people[lid][1])
    roster = [p for p in X.XSS if len(p.text) <= 60][:25]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["username", "country", "organisation_type"],
                                  *[[f"r{p.n}", p.text, "research"] for p in roster]])
    dash.get_by_label("CSV text").fill(buffer.getvalue())
    dash.get_by_role("button", name="Import roster").click()
    expect(dash.locator(".mlc-s-rerr li").first).to_be_visible()
    watch.refused(page, "staff_import_roster")
    problems = " ".join(dash.locator(".mlc-s-rerr li").all_text_contents())
    shown = [p for p in roster if _label_text(p.text)[:20] in problems]
    assert len(shown) >= len(roster) // 2, problems[:500]
    cover.add("staff dashboard roster errors", "roster cell", shown)
    watch.check(page, "staff dashboard")

    lap("staff dashboard")
    # ---- 7. The author view with the cohort; then each payload's sanitized prompt alone, in the same page ------
    page.goto(watch.learner_url("staff", "author_view"))
    items = page.locator(".mlc-author ol li").all_text_contents()
    assert [item.startswith(label) for item, label in zip(items, labels, strict=True)] == [True] * len(labels)
    for group in label_payloads:
        cover.add("author view", "authored rubric label", group)
    authored_in(page, "author view")
    watch.check(page, "author view")
    # Each payload alone through the sanitizer, parsed by Chromium the way the page parses `prompt_html`
    # (a contextual fragment runs its scripts and handlers when inserted, unlike innerHTML).
    from mlcourse.markup import render_markdown

    page.evaluate("""cases => { const root = document.querySelector('.mlc-author');
        for (const [n, html] of cases) {
          const box = document.createElement('div'); box.className = 'mlc-prompt-body'; box.dataset.case = n;
          box.append(document.createRange().createContextualFragment(html)); root.append(box); } }""",
                  [[p.n, render_markdown(p.text)] for p in X.PAYLOADS])
    page.wait_for_timeout(300)  # failed loads and their error events are asynchronous
    assert page.locator(".mlc-author [data-case]").count() == len(X.PAYLOADS)
    watch.check(page, "author view, each payload's sanitized prompt alone")
    cover.add("author view, each payload alone", "authored prompt", X.PAYLOADS)
    page.close()

    lap("author view")
    # ---- 8. Every CSV table, with and without usernames ------------------------------------------------------
    formula_cells, csv_views = [], 0
    for table in TABLES:
        for names in (False, True):
            url = f"{live_server.url}/handler/{USAGE}/export_csv/?student=staff&table={table}" + \
                  ("&usernames=1" if names else "")
            with urllib.request.urlopen(url) as response:
                assert response.headers.get_content_type() == "text/csv"
                assert response.headers["Content-Disposition"].startswith("attachment;")
                rows = list(csv.reader(io.StringIO(response.read().decode("utf-8-sig"), newline="")))
            csv_views += 1
            view = f"csv {table}{' +usernames' if names else ''}"
            cells = [cell for row in rows for cell in row]
            formula_cells += [(view, cell[:40]) for cell in cells if cell.startswith(FORMULA_START)]
            for p in X.CSV:
                if any(cell.startswith("'" + p.text) or cell.startswith("'" + p.text.strip()) for cell in cells):
                    cover.add(view, "csv cell start", [p])
            blob = "\n".join(cells)
            cover.add(view, "csv cell text", [p for p in X.XSS if p.text.strip() in blob])
    assert formula_cells == [], formula_cells[:10]
    neutralised = {p.n for n, field, view in cover.seen if field == "csv cell start" for p in [X.by_number(n)]}
    assert neutralised == {p.n for p in X.CSV}, sorted(neutralised)

    lap("csv")
    watch.assert_quiet("end")
    watch.context.close()
    elapsed = time.monotonic() - started
    print(f"\n{cover.report()}\n[xss] pages checked: {len(watch.checks)}; CSV downloads: {csv_views}; "
          f"learners: {len(people)}; dialogs 0, page errors 0, console errors 0, foreign requests 0; "
          f"window.__xss never set; {elapsed:.1f}s ({', '.join(laps)})")


def test_the_detectors_catch_injected_markup(browser):
    """The alarms are not vacuous: the raw (unsanitized) corpus in a block root trips every one of them."""
    watch = Watch(browser, "http://127.0.0.1:9")
    page = watch.page()
    raw = "".join(p.text for p in X.XSS if p.kind in ("script", "event", "url", "svg", "iframe"))
    page.set_content(f'<div class="mlc-pe"><div class="mlc-prompt-body">{raw}</div></div>')
    page.wait_for_timeout(500)
    problems = " | ".join(page.evaluate(SCAN_JS))
    for expected in ("handler attribute onerror", "element <img>", "script: ", "href scheme javascript:",
                     "element <iframe>", "SVG <svg>", "prompt: tag <img>"):
        assert expected in problems, expected
    assert watch.dialogs and page.evaluate("window.__xssHits.length") > 0
    assert any("XSS-HIT" in line for line in watch.console)
    fired = sorted({int(n) for n in page.evaluate("window.__xssHits")})
    watch.context.close()
    print(f"\n[xss] self-test: raw corpus fired {len(fired)} payloads and {len(problems.split(' | '))} scan alarms")


def test_markdown_sanitizer_output_per_payload_has_no_active_content():
    """Each payload alone through `render_markdown` (the Chromium test renders them all in one prompt)."""
    from html.parser import HTMLParser

    from mlcourse.markup import ALLOWED_TAGS, render_markdown

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.found = []

        def handle_starttag(self, tag, attrs):
            if tag not in ALLOWED_TAGS:
                self.found.append(f"<{tag}>")
            for name, value in attrs:
                if name.startswith("on") or name in ("src", "style", "srcdoc", "action", "formaction"):
                    self.found.append(f"{tag}[{name}]")
                if name == "href" and not re.match(r"(https?|mailto):|#", (value or "").strip(), re.I):
                    self.found.append(f"href={value!r}")

    bad = {}
    for p in X.PAYLOADS:
        parser = Collect()
        parser.feed(render_markdown(p.text))
        if parser.found:
            bad[p.n] = parser.found
    assert bad == {}
    print(f"\n[xss] render_markdown: {len(X.PAYLOADS)} payloads one by one, no active content")


def test_prompt_markup_cannot_take_over_the_blocks_own_elements():
    from mlcourse.markup import render_markdown

    kept = [snippet for snippet in X.CLOBBER if re.search(r'(class|id)="mlc-', render_markdown(snippet))]
    assert kept == []
