"""Benchmark: what each block's learner view costs on a slow link, measured in Chromium on the workbench's
scenario pages.

Run with `make bench` (not part of `make test`). Views (the data of `mlcourse_seed_demo`):
- the peer exchange (`peer_exchange.0`) at each learner step of the demo cohort, and for course staff;
- the co-authored lesson (`markdown_lesson.0`), the self-assessment before the course (`evidence_check.0`), the
  co-design board alone (`codesign_board.1`) for a learner, in Urdu (adds the JS catalog) and for staff;
- the one-course demo page (`codesign_board.0`: all five placements in one vertical), informational.
For each it records:
- our own bytes: the JS and CSS the blocks add (inlined into the page by the runtime: the <style>/<script>
  contents that are ours), gzip-compressed too, which of our static files they are, and the fragment's HTML
  (with its JSON boot data);
- requests: every network request of the page, split into the workbench's own (the page, jQuery, its runtime,
  /jsi18n/), ours (handler calls; a learner view makes none while loading) and third-party ones (fonts, CDNs:
  must be 0);
- with JavaScript disabled, that the content is there and visible (the prompt, the lesson's text, the
  statements, the proposals can be read without scripts).

Writes var/bench/page_weight.json, prints a markdown table and exits 1 when a budget is broken: ≤ 40 KB of our
own JS + CSS (uncompressed) in each block's learner view, no third-party request, no request of ours while a
learner page loads, no JavaScript error on any page, the content readable without JavaScript, every inline
resource that is one of our static files counted as ours. Staff views (the peer exchange's dashboard, the
board's moderation) are reported, not budgeted; so is the whole-course page (the budget is per block). Uses its
own throwaway database (never var/workbench.db).
"""
import gzip
import io
import json
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "var" / "bench" / "page_weight.json"
TMP = Path(tempfile.mkdtemp(prefix="mlcourse-page-weight-"))
os.environ["MLCOURSE_VAR"] = str(TMP)  # devsite.settings puts its SQLite file and log there
os.environ["DJANGO_SETTINGS_MODULE"] = "devsite.settings"
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUDGET_BYTES = 40 * 1024  # our JS + CSS in each block's learner view, uncompressed
LEARNER, STAFF, PAGE = "learner", "staff", "page"  # budgeted; reported only; whole page, reported only


def pe_panel(panel):
    return f".mlc-pe [data-panel='{panel}']"


# (row name, block, scenario, query string, kind, selector that must be visible once the page has loaded)
VIEWS = [
    ("context", "peer_exchange", "peer_exchange.0", "student=newcomer", LEARNER, pe_panel("context")),
    ("contribute", "peer_exchange", "peer_exchange.0", "student=newcomer2", LEARNER, pe_panel("contribute")),
    ("waiting", "peer_exchange", "peer_exchange.0", "student=sadia", LEARNER, pe_panel("waiting")),
    ("review", "peer_exchange", "peer_exchange.0", "student=li_wei", LEARNER, pe_panel("review")),
    ("feedback", "peer_exchange", "peer_exchange.0", "student=amina", LEARNER, pe_panel("feedback")),
    ("done", "peer_exchange", "peer_exchange.0", "student=joao", LEARNER, pe_panel("done")),
    ("staff", "peer_exchange", "peer_exchange.0", "student=staff", STAFF, ".mlc-staff .mlc-s-exchanges table"),
    # The lesson's script only reveals the language switch: its being visible shows the script ran.
    ("lesson", "markdown_lesson", "markdown_lesson.0", "student=kwame", LEARNER, ".mlc-ml .mlc-ml-switch"),
    ("evidence check (before)", "evidence_check", "evidence_check.0", "student=kwame", LEARNER,
     ".mlc-ec .mlc-ec-form"),
    # The board's script reveals the sort/filter controls.
    ("board", "codesign_board", "codesign_board.1", "student=kwame", LEARNER, ".mlc-cb .mlc-cb-controls"),
    ("board (ur)", "codesign_board", "codesign_board.1", "student=kwame&lang=ur", LEARNER,
     ".mlc-cb .mlc-cb-controls"),
    ("board staff", "codesign_board", "codesign_board.1", "student=staff", STAFF, ".mlc-cb .mlc-cb-staff"),
    ("course page (5 blocks)", "course", "codesign_board.0", "student=kwame", PAGE,
     ".mlc-cb .mlc-cb-controls"),
]
# (name, scenario, query string, selector of the content, text it must contain)
NO_JS = [
    ("peer exchange: context", "peer_exchange.0", "student=newcomer", ".mlc-pe .mlc-prompt-body",
     "one policy decision"),
    ("peer exchange: feedback", "peer_exchange.0", "student=amina", ".mlc-pe .mlc-prompt-body",
     "one policy decision"),
    ("lesson", "markdown_lesson.0", "student=kwame", ".mlc-ml .mlc-ml-body:not([hidden])",
     "Brazil: citizens' priorities as evidence"),
    ("evidence check (before)", "evidence_check.0", "student=kwame", ".mlc-ec .mlc-ec-form",
     "I ask who is missing from the data we use"),
    ("board", "codesign_board.1", "student=kwame", ".mlc-cb .mlc-cb-list",
     "Participatory budgeting with costs on the table"),
]
WORKBENCH_PATHS = ("/static/workbench/", "/jsi18n/", "/favicon.ico")
STATIC = REPO / "static"
# Our static files, by their path under static/: what an inline resource of ours is (the runtime inlines the text
# between two newlines: `<style>\n...\n</style>`, `<script>\n...\n</script>`).
OWN_FILES = {str(f.relative_to(STATIC)): f.read_text(encoding="utf-8")
             for f in sorted(STATIC.rglob("*")) if f.suffix in (".js", ".css")}

# Our inline resources are the ones naming our classes (CSS) or our functions and globals (JS): every file under
# static/ names at least one of these. The bench also checks that each inline resource equal to one of our files
# was counted (see `identify`), so a marker missing here breaks the run instead of silently under-counting.
OWN_CSS_MARKERS = [".mlc-"]  # .mlc-pe, .mlc-staff, .mlc-ml, .mlc-ec, .mlc-cb and their shared .mlc-field ...
OWN_JS_MARKERS = ["MlcoursePeerExchange", "MlcourseStaffDashboard", "MlcourseMarkdownLesson",
                  "MlcourseEvidenceCheck", "MlcourseCodesignBoard", "mlcPost", "MlcourseStudioForm",
                  "MlcourseText", "MlcourseI18N"]
OWN_INLINE = """([cssMarkers, jsMarkers]) => {
  const size = s => new TextEncoder().encode(s).length;
  const names = (t, markers) => markers.some(m => t.includes(m));
  const styles = [...document.querySelectorAll('style')].map(s => s.textContent);
  const scripts = [...document.querySelectorAll('script:not([src])')]
    .filter(s => !s.type || /javascript/.test(s.type)).map(s => s.textContent);
  const css = styles.filter(t => names(t, cssMarkers));
  const js = scripts.filter(t => names(t, jsMarkers));
  const frag = document.querySelector('.xblock-v1');
  const boot = frag ? [...frag.querySelectorAll('script[type="application/json"]')].map(s => s.textContent) : [];
  return {css: css, js: js, other: styles.filter(t => !names(t, cssMarkers))
            .concat(scripts.filter(t => !names(t, jsMarkers))),
          css_bytes: css.reduce((n, t) => n + size(t), 0),
          js_bytes: js.reduce((n, t) => n + size(t), 0), fragment_html_bytes: frag ? size(frag.outerHTML) : 0,
          boot_json_bytes: boot.reduce((n, t) => n + size(t), 0)};
}"""


def own_file(text):
    """The path under static/ of the file an inline resource is, or None."""
    body = text.strip("\n")
    return next((path for path, content in OWN_FILES.items() if content.strip("\n") == body), None)


def identify(own):
    """Which of our files the counted resources are; any counted text that is none of them (e.g. a catalog the
    platform serves); any inline resource that is one of our files but was not counted (a marker missing)."""
    counted = [(t, own_file(t)) for t in own["js"] + own["css"]]
    files = sorted(path for _t, path in counted if path)
    return {"own_files": files,
            "own_files_bytes": sum(len(OWN_FILES[path].encode("utf-8")) for path in files),
            "own_unknown_inline_bytes": sum(len(t.encode("utf-8")) for t, path in counted if not path),
            "own_missed_files": sorted(path for path in map(own_file, own["other"]) if path)}


def setup_data():
    from workbench.scenarios import init_scenarios

    from mlcourse.blocks.peer_exchange_ui import DEFAULT_RUBRIC
    from mlcourse.management.commands.mlcourse_seed_demo import DEMO_USAGE
    from mlcourse.runtime import Actor
    from mlcourse.services import ActivityConfig, Question, save_context

    call_command("migrate", verbosity=0, interactive=False)
    init_scenarios()
    call_command("mlcourse_seed_demo", stdout=io.StringIO())
    config = ActivityConfig(course_key="workbench", usage_key=DEMO_USAGE, min_words=40, max_words=600,
                            rubric=tuple(Question.from_dict(q) for q in DEFAULT_RUBRIC))
    save_context(config, Actor(learner_id="newcomer2"), {"country": "GH", "organisation_type": "research"})


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve():
    httpd = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    httpd.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def measure(browser, base, scenario, query, ready):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    requests = []

    def record(response):
        request = response.request
        try:
            body = len(response.body())
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            body = 0
        requests.append({"url": request.url, "method": request.method, "type": request.resource_type,
                         "status": response.status, "bytes": body})

    failed, errors = [], []
    page.on("response", record)
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    url = f"{base}/scenario/{scenario}/?{query}"
    page.goto(url, wait_until="networkidle")
    page.locator(ready).first.wait_for(state="visible")
    own = page.evaluate(OWN_INLINE, [OWN_CSS_MARKERS, OWN_JS_MARKERS])
    context.close()

    origin = urlsplit(base).netloc
    third_party = [r for r in requests if urlsplit(r["url"]).scheme in ("http", "https")
                   and urlsplit(r["url"]).netloc != origin] + [{"url": u} for u in failed
                                                                 if urlsplit(u).netloc != origin]
    local = [r for r in requests if urlsplit(r["url"]).netloc == origin]
    workbench = [r for r in local if r["url"].split("?")[0] == url.split("?")[0]
                 or urlsplit(r["url"]).path.startswith(WORKBENCH_PATHS)]
    ours = [r for r in local if r not in workbench]
    js_css = "".join(own["js"] + own["css"]).encode("utf-8")
    return {
        "own_js_bytes": own["js_bytes"], "own_css_bytes": own["css_bytes"],
        "own_js_css_bytes": own["js_bytes"] + own["css_bytes"],
        "own_js_css_gzip_bytes": len(gzip.compress(js_css, compresslevel=6)),
        **identify(own),
        "fragment_html_bytes": own["fragment_html_bytes"], "boot_json_bytes": own["boot_json_bytes"],
        "own_requests": len(ours), "own_request_bytes": sum(r["bytes"] for r in ours),
        "own_request_urls": [f"{r['method']} {urlsplit(r['url']).path}" for r in ours],
        "workbench_requests": len(workbench), "workbench_bytes": sum(r["bytes"] for r in workbench),
        "third_party_requests": len(third_party), "third_party_urls": [r["url"] for r in third_party],
        "font_requests": sum(1 for r in requests if r.get("type") == "font"),
        "js_errors": errors,
    }


def readable_without_js(browser, base, scenario, query, selector, snippet):
    """The content is in the HTML (not built by scripts) and shown."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/scenario/{scenario}/?{query}")
    content = page.locator(selector).first
    result = {"scenario": scenario, "query": query, "selector": selector, "snippet": snippet,
              "visible": content.is_visible(), "has_text": snippet in (content.text_content() or "")}
    if scenario.startswith("peer_exchange"):  # the exchange's steps and its notice to turn JavaScript on
        result["panels_visible"] = page.locator(".mlc-pe .mlc-panel:visible").count()
        result["notice_visible"] = page.locator(".mlc-pe noscript .mlc-notice").is_visible()
    context.close()
    return result


def kib(n):
    return f"{n / 1024:.1f}"


def main():
    setup_data()
    httpd, base = serve()
    results = {"budget_learner_js_css_bytes": BUDGET_BYTES, "views": {}, "no_js": {}}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, block, scenario, query, kind, ready in VIEWS:
                results["views"][name] = {"block": block, "scenario": scenario, "query": query, "kind": kind,
                                          **measure(browser, base, scenario, query, ready)}
            for name, scenario, query, selector, snippet in NO_JS:
                results["no_js"][name] = readable_without_js(browser, base, scenario, query, selector, snippet)
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        shutil.rmtree(TMP, ignore_errors=True)

    views = results["views"]
    problems = []
    by_block = {}
    for name, v in views.items():
        if v["kind"] == LEARNER:
            by_block[v["block"]] = max(by_block.get(v["block"], 0), v["own_js_css_bytes"])
            if v["own_js_css_bytes"] > BUDGET_BYTES:
                problems.append(f"{name}: learner JS + CSS {v['own_js_css_bytes']} bytes > budget {BUDGET_BYTES}")
            if v["own_requests"]:
                problems.append(f"{name}: requests of ours while loading {v['own_request_urls']}")
        if v["kind"] == PAGE and v["own_requests"]:
            problems.append(f"{name}: requests of ours while loading {v['own_request_urls']}")
        if v["third_party_requests"] or v["font_requests"]:
            problems.append(f"{name}: third-party or font requests {v['third_party_urls']}")
        if v["own_missed_files"]:
            problems.append(f"{name}: inline resources of ours not counted {v['own_missed_files']}")
        if v["js_errors"]:
            problems.append(f"{name}: JavaScript errors {v['js_errors']}")
    for name, v in results["no_js"].items():
        if not (v["visible"] and v["has_text"]):
            problems.append(f"{name}: content not readable without JavaScript {v}")
    worst = max(by_block.values())
    results["learner_max_js_css_bytes"] = worst
    results["learner_max_js_css_bytes_by_block"] = by_block
    results["staff_js_css_bytes"] = views["staff"]["own_js_css_bytes"]
    results["board_staff_js_css_bytes"] = views["board staff"]["own_js_css_bytes"]
    results["course_page_js_css_bytes"] = views["course page (5 blocks)"]["own_js_css_bytes"]
    results["problems"] = problems
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    print("| view | our JS KiB | our CSS KiB | JS+CSS KiB (gzip) | fragment HTML KiB (JSON) "
          "| our requests | workbench requests (KiB) | third-party |")
    print("|---|---|---|---|---|---|---|---|")
    for name, v in views.items():
        print(f"| {name} | {kib(v['own_js_bytes'])} | {kib(v['own_css_bytes'])} | {kib(v['own_js_css_bytes'])} "
              f"({kib(v['own_js_css_gzip_bytes'])}) | {kib(v['fragment_html_bytes'])} ({kib(v['boot_json_bytes'])}) "
              f"| {v['own_requests']} | {v['workbench_requests']} ({kib(v['workbench_bytes'])}) "
              f"| {v['third_party_requests']} |")
    print(f"\nLearner views: at most {kib(worst)} KiB of our JS + CSS per block (budget {kib(BUDGET_BYTES)} KiB): "
          + ", ".join(f"{block} {kib(n)}" for block, n in by_block.items())
          + f". Staff (reported, not budgeted): peer exchange {kib(results['staff_js_css_bytes'])} KiB (dashboard "
          f"included), board {kib(results['board_staff_js_css_bytes'])} KiB. Whole course page (informational): "
          f"{kib(results['course_page_js_css_bytes'])} KiB.")
    print("\nOur files per view:")
    for name, v in views.items():
        unknown = f" + {v['own_unknown_inline_bytes']} bytes not from static/" if v["own_unknown_inline_bytes"] else ""
        print(f"- {name}: {', '.join(v['own_files'])} ({v['own_files_bytes']} bytes{unknown})")
    print()
    for name, v in results["no_js"].items():
        extra = (f", step panels shown {v['panels_visible']}, notice shown {v['notice_visible']}"
                 if "panels_visible" in v else "")
        print(f"Without JavaScript ({name}): content visible {v['visible']}, text present {v['has_text']}{extra}.")
    for problem in problems:
        print(f"BUDGET BROKEN: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
