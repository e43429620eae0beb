"""Benchmark: what the peer exchange costs on a slow link, measured in Chromium on the workbench's scenario page.

Run with `make bench` (not part of `make test`). For each learner step (the demo cohort of `mlcourse_seed_demo`)
and for course staff it records:
- our own bytes: the JS and CSS the block adds (inlined into the page by the runtime: the <style>/<script>
  contents that are ours), gzip-compressed too, and the fragment's HTML (with its JSON boot data);
- requests: every network request of the page, split into the workbench's own (the page, jQuery, its runtime,
  /jsi18n/), ours (handler calls; the learner view makes none while loading) and third-party ones (fonts, CDNs:
  must be 0);
- with JavaScript disabled, that the prompt is there and visible (the question can be read without scripts).

Writes var/bench/page_weight.json, prints a markdown table and exits 1 when a budget is broken: ≤ 40 KB of our
own JS + CSS (uncompressed) in the learner view, no third-party request, no request of ours while a learner page
loads, the prompt readable without JavaScript. Staff get the dashboard's JS and CSS too: reported, not budgeted.
Uses its own throwaway database (never var/workbench.db).
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
SCENARIO = "peer_exchange.0"
BUDGET_BYTES = 40 * 1024  # our JS + CSS in the learner view, uncompressed
VIEWS = [  # (name, ?student=, the panel that must show; None for staff)
    ("context", "newcomer", "context"), ("contribute", "newcomer2", "contribute"), ("waiting", "sadia", "waiting"),
    ("review", "li_wei", "review"), ("feedback", "amina", "feedback"), ("done", "joao", "done"),
    ("staff", "staff", None),
]
WORKBENCH_PATHS = ("/static/workbench/", "/jsi18n/", "/favicon.ico")
PROMPT_SNIPPET = "one policy decision"

# Our inline resources are the ones naming our classes (CSS) or our init functions (JS).
OWN_INLINE = """() => {
  const size = s => new TextEncoder().encode(s).length;
  const css = [...document.querySelectorAll('style')].map(s => s.textContent).filter(t => t.includes('.mlc-'));
  const js = [...document.querySelectorAll('script:not([src])')]
    .filter(s => !s.type || /javascript/.test(s.type)).map(s => s.textContent).filter(t => t.includes('Mlcourse'));
  const frag = document.querySelector('.xblock-v1');
  const boot = frag ? [...frag.querySelectorAll('script[type="application/json"]')].map(s => s.textContent) : [];
  return {css: css, js: js, css_bytes: css.reduce((n, t) => n + size(t), 0),
          js_bytes: js.reduce((n, t) => n + size(t), 0), fragment_html_bytes: frag ? size(frag.outerHTML) : 0,
          boot_json_bytes: boot.reduce((n, t) => n + size(t), 0)};
}"""


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


def measure(browser, base, student, panel):
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

    failed = []
    page.on("response", record)
    page.on("requestfailed", lambda request: failed.append(request.url))
    url = f"{base}/scenario/{SCENARIO}/?student={student}"
    page.goto(url, wait_until="networkidle")
    if panel:
        page.locator(f".mlc-pe [data-panel='{panel}']").wait_for(state="visible")
    else:
        page.locator(".mlc-staff .mlc-s-exchanges table").wait_for(state="visible")
    own = page.evaluate(OWN_INLINE)
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
        "fragment_html_bytes": own["fragment_html_bytes"], "boot_json_bytes": own["boot_json_bytes"],
        "own_requests": len(ours), "own_request_bytes": sum(r["bytes"] for r in ours),
        "own_request_urls": [f"{r['method']} {urlsplit(r['url']).path}" for r in ours],
        "workbench_requests": len(workbench), "workbench_bytes": sum(r["bytes"] for r in workbench),
        "third_party_requests": len(third_party), "third_party_urls": [r["url"] for r in third_party],
        "font_requests": sum(1 for r in requests if r.get("type") == "font"),
    }


def readable_without_js(browser, base, student):
    """The prompt is in the HTML (not built by scripts) and shown: <details open>."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/scenario/{SCENARIO}/?student={student}")
    prompt = page.locator(".mlc-pe .mlc-prompt-body")
    result = {"prompt_visible": prompt.is_visible(),
              "prompt_has_text": PROMPT_SNIPPET in (prompt.text_content() or ""),
              "panels_visible": page.locator(".mlc-pe .mlc-panel:visible").count(),
              "notice_visible": page.locator(".mlc-pe noscript .mlc-notice").is_visible()}
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
            for name, student, panel in VIEWS:
                results["views"][name] = measure(browser, base, student, panel)
            for name, student in (("context", "newcomer"), ("feedback", "amina")):
                results["no_js"][name] = readable_without_js(browser, base, student)
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        shutil.rmtree(TMP, ignore_errors=True)

    views = results["views"]
    learner = [v for name, v in views.items() if name != "staff"]
    problems = []
    worst = max(v["own_js_css_bytes"] for v in learner)
    if worst > BUDGET_BYTES:
        problems.append(f"learner JS + CSS {worst} bytes > budget {BUDGET_BYTES}")
    for name, v in views.items():
        if v["third_party_requests"] or v["font_requests"]:
            problems.append(f"{name}: third-party or font requests {v['third_party_urls']}")
        if name != "staff" and v["own_requests"]:
            problems.append(f"{name}: requests of ours while loading {v['own_request_urls']}")
    for name, v in results["no_js"].items():
        if not (v["prompt_visible"] and v["prompt_has_text"]):
            problems.append(f"{name}: prompt not readable without JavaScript {v}")
    results["learner_max_js_css_bytes"] = worst
    results["staff_js_css_bytes"] = views["staff"]["own_js_css_bytes"]
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
    print(f"\nLearner view: {kib(worst)} KiB of our JS + CSS (budget {kib(BUDGET_BYTES)} KiB); staff: "
          f"{kib(results['staff_js_css_bytes'])} KiB (dashboard included, staff only).")
    for name, v in results["no_js"].items():
        print(f"Without JavaScript ({name}): prompt visible {v['prompt_visible']}, text present "
              f"{v['prompt_has_text']}, step panels shown {v['panels_visible']}, notice shown {v['notice_visible']}.")
    for problem in problems:
        print(f"BUDGET BROKEN: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
