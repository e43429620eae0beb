"""After the load run: requests, failures and latency percentiles from locust, and how far the simulated
learners got (from the database). Writes var/bench/load.json and prints a markdown line."""
import csv
import json
import os
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.load.settings")
django.setup()

from mlcourse.models import Exchange, Participant, Reflection, Review  # noqa: E402

rows = {r["Name"]: r for r in csv.DictReader(open("var/load/locust_stats.csv"))}
total = rows["Aggregated"]
learners = Participant.objects.filter(learner_id__startswith="load")
result = {
    "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
    "requests_per_s": round(float(total["Requests/s"]), 1),
    "p50_ms": float(total["50%"]), "p95_ms": float(total["95%"]), "p99_ms": float(total["99%"]),
    "learners": learners.count(), "paired_exchanges": Exchange.objects.count(),
    "reviews": Review.objects.filter(reviewer__in=learners).count(),
    "done": Reflection.objects.filter(participant__in=learners).count(),
    "per_handler": {name: {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                           "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"])}
                    for name, r in rows.items() if name != "Aggregated"},
}
Path("var/bench").mkdir(parents=True, exist_ok=True)
Path("var/bench/load.json").write_text(json.dumps(result, indent=2))
print(f"| {result['learners']} learners | {result['requests']} requests | {result['failures']} failures | "
      f"{result['requests_per_s']} req/s | p50 {result['p50_ms']} ms | p95 {result['p95_ms']} ms | "
      f"p99 {result['p99_ms']} ms | {result['done']} done |")
