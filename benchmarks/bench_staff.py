"""Benchmark: staff_overview and CSV exports at 100 and 10,000 participants (5,000 exchanges).

Run with `make bench`. Writes var/bench/staff.json. Numbers are for this machine; the statement counts and
the ratio between sizes are the headline.
"""
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mlcourse.models import Activity  # noqa: E402
from mlcourse.runtime import Actor  # noqa: E402
from mlcourse.services.config import ActivityConfig  # noqa: E402
from mlcourse.services.exports import TABLES, csv_lines, export_rows  # noqa: E402
from mlcourse.services.staff_overview import staff_overview  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_staff import populate  # noqa: E402

STAFF = Actor(learner_id="coach", is_staff=True)
CONFIG = ActivityConfig(course_key="c", usage_key="big")


def measure(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return {"median_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1)}


def main():
    call_command("migrate", verbosity=0)
    results = {}
    for size in (100, 10_000):
        Activity.objects.all().delete()
        populate(size)
        with CaptureQueriesContext(connection) as ctx:
            staff_overview(CONFIG, STAFF, {"page_size": 50})
        row = {"statements": len(ctx.captured_queries), **measure(
            lambda: staff_overview(CONFIG, STAFF, {"page_size": 50}), 15 if size > 1000 else 50)}
        exports = {}
        for table in TABLES:
            tracemalloc.start()
            start = time.perf_counter()
            _name, rows = export_rows(CONFIG, STAFF, table)
            size_bytes = sum(len(chunk) for chunk in csv_lines(rows))
            elapsed = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            exports[table] = {"bytes": size_bytes, "ms": round(elapsed * 1000, 1), "peak_kib": peak // 1024}
        results[size] = {"staff_overview": row, "exports": exports}
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / "staff.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
