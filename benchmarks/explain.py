"""Query plans of the hot paths with 10,000 learners: which of our queries scan a table instead of an index.

Run with `make bench` (SQLite) or with DJANGO_SETTINGS_MODULE=benchmarks.load.settings against MariaDB.
Prints each query's plan and writes var/bench/explain-<vendor>.json; a full scan of one of our big tables
is flagged.
"""
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.bench_handlers import populate  # noqa: E402
from mlcourse.models import Membership, Participant, Review  # noqa: E402
from mlcourse.services.config import ActivityConfig  # noqa: E402

USAGE = "explain.peer_exchange.d0.u0"


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def main():
    call_command("migrate", verbosity=0)
    populate(USAGE, 10_000)
    config = ActivityConfig(course_key="workbench", usage_key=USAGE)
    someone = Participant.objects.filter(activity__usage_key=USAGE).order_by("pk")[5000]
    now = timezone.now()
    queries = {
        "learner_row": _learner_row_queryset(config, someone.learner_id),
        "exchange_members": Membership.objects.filter(exchange_id=1, current=True)
        .select_related("exchange", "participant__contribution", "participant__reflection"),
        "reviews_of": Review.objects.filter(Q(reviewer=someone) | Q(reviewee=someone))
        .select_related("rating", "reviewer", "reviewee"),
        "waiting_candidates": Participant.objects.filter(activity=someone.activity, waiting_since__isnull=False)
        .exclude(country="BR").order_by("-first_in_line", "waiting_since", "pk")[:25],
        "waiting_count": Participant.objects.filter(activity=someone.activity, waiting_since__isnull=False),
        "past_partners": Membership.objects.filter(
            exchange_id__in=Membership.objects.filter(participant__learner_id=someone.learner_id,
                                                      exchange__activity__course_key="workbench")
            .values("exchange_id")).values_list("participant__learner_id", "exchange__activity_id"),
        "stalled_cutoff": Participant.objects.filter(activity=someone.activity,
                                                     waiting_since__lte=now - timedelta(hours=48)),
    }
    out, flagged = {}, []
    for name, queryset in queries.items():
        out[name] = plan(queryset)
        scans = [line for line in out[name] if ("SCAN mlcourse_" in line and "USING" not in line)
                 or " ALL " in f" {line} "]
        if scans:
            flagged.append((name, scans))
        print(f"## {name}\n" + "\n".join(f"    {line}" for line in out[name]))
    Path("var/bench").mkdir(parents=True, exist_ok=True)
    Path(f"var/bench/explain-{connection.vendor}.json").write_text(json.dumps({"plans": out, "flagged": flagged},
                                                                               indent=2))
    print("\nfull scans:", flagged or "none")


def _learner_row_queryset(config, learner_id):
    """The queryset behind records.learner_row (without .first())."""
    from django.db.models import Exists, OuterRef, Subquery  # noqa: PLC0415

    current = Membership.objects.filter(participant=OuterRef("pk"), current=True)
    reviews = Review.objects.filter(Q(reviewer=OuterRef("pk")) | Q(reviewee=OuterRef("pk")))
    return (Participant.objects.select_related("activity", "contribution", "reflection")
            .filter(activity__course_key=config.course_key, activity__usage_key=config.usage_key,
                    learner_id=learner_id)
            .annotate(current_exchange_id=Subquery(current.values("exchange_id")[:1]),
                      current_joined=Subquery(current.values("joined")[:1]), has_reviews=Exists(reviews)))


if __name__ == "__main__":
    main()
