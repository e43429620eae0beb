"""Benchmark: learner handler cost vs cohort size (10, 1,000, 10,000 learners in the activity).

Each repetition is a new pair of learners (Brazil, Ghana) going through the whole exchange through the real
handler path (the xblock-sdk runtime's `handle`), in a cohort whose other learners are all paired already.
For every handler: our SQL statements (touching mlcourse_ tables), all statements, and median / p95 time.
Writes var/bench/handlers.json.
"""
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from webob import Request  # noqa: E402
from workbench.runtime import WorkbenchRuntime  # noqa: E402
from workbench.scenarios import get_scenarios  # noqa: E402

from mlcourse.models import Activity, Contribution, Exchange, Membership, Participant  # noqa: E402

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10,1000,10000").split(",")]
REPS = int(os.environ.get("BENCH_REPS", "30"))
TEXT = ("Our ministry extended school meals to two regions using an impact evaluation and cost reports; "
        "evidence on local food prices was missing, so the budget per child was too small in year one. ") * 2


def populate(usage, size):
    Activity.objects.filter(usage_key=usage).delete()
    activity = Activity.objects.create(course_key="workbench", usage_key=usage)
    now = timezone.now()
    countries = ["PK", "NG", "CN", "GB", "BR", "GH"]
    people = Participant.objects.bulk_create([
        Participant(activity=activity, learner_id=f"bg{i}", display_name=f"bg{i}", country=countries[i % 6],
                    organisation_type="other") for i in range(size - size % 2)])
    Contribution.objects.bulk_create([Contribution(participant=p, text=TEXT, word_count=60, submitted=now)
                                      for p in people])
    exchanges = Exchange.objects.bulk_create([Exchange(activity=activity, reasons=["cross_country"], created=now)
                                              for _ in range(len(people) // 2)])
    Membership.objects.bulk_create([Membership(exchange=exchanges[i // 2], participant=p, joined=now)
                                    for i, p in enumerate(people)])


class Timer:
    def __init__(self):
        self.samples = {}
        self.ours_total = 0

    def call(self, usage, student, handler, payload):
        runtime = WorkbenchRuntime(student)
        block = runtime.get_block(usage)
        request = Request.blank("/", method="POST", body=json.dumps(payload).encode())
        connection.queries_log.clear()  # the log keeps 9,000 queries: count each call on its own
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = runtime.handle(block, handler, request)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (handler, response.body[:300])
        ours = sum(1 for q in ctx.captured_queries if "mlcourse_" in q["sql"])
        self.ours_total += ours
        entry = self.samples.setdefault(handler, {"ours": set(), "all": set(), "times": []})
        entry["ours"].add(ours)
        entry["all"].add(len(ctx.captured_queries))
        entry["times"].append(elapsed)
        return json.loads(response.body)

    def summary(self):
        out = {}
        for handler, entry in self.samples.items():
            times = sorted(entry["times"])
            out[handler] = {"our_statements": sorted(entry["ours"]), "all_statements": sorted(entry["all"]),
                            "median_ms": round(statistics.median(times) * 1000, 2),
                            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)] * 1000, 2), "n": len(times)}
        return out


def exchange(timer, usage, rep):
    a, b = f"a{rep}", f"b{rep}"
    for who, country in ((a, "BR"), (b, "GH")):
        timer.call(usage, who, "state", {})
        timer.call(usage, who, "save_context", {"country": country, "organisation_type": "research"})
        timer.call(usage, who, "submit_contribution", {"text": TEXT})
    for who in (a, b):
        state = timer.call(usage, who, "state", {})
        partner = next(m["id"] for m in state["exchange"]["members"] if not m["is_me"])
        timer.call(usage, who, "submit_review", {"reviewee": partner, "answers": {"q1": 4, "q2": 5},
                                                 "learned": "Price data.", "suggestion": "Survey traders."})
    for who in (a, b):
        state = timer.call(usage, who, "state", {})
        timer.call(usage, who, "rate_review", {"review": state["reviews_received"][0]["id"], "helpfulness": 5})
        timer.call(usage, who, "submit_reflection", {"text": "I will bring price evidence to budgets."})


def main():
    call_command("migrate", verbosity=0)
    usage = get_scenarios()["peer_exchange.0"].usage_id
    results = {}
    for size in SIZES:
        populate(usage, size)
        exchange(Timer(), usage, "warm")
        timer = Timer()
        whole = []
        for rep in range(REPS):
            before = timer.ours_total
            start = time.perf_counter()
            exchange(timer, usage, rep)
            whole.append((time.perf_counter() - start, timer.ours_total - before))
        results[size] = {"handlers": timer.summary(),
                         "whole_exchange": {"our_statements": sorted({n for _, n in whole}),
                                            "median_ms": round(statistics.median(t for t, _ in whole) * 1000, 1)}}
        print(f"size {size}: done", file=sys.stderr)
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / "handlers.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
