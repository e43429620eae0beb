"""Benchmark: the co-design board's handlers at 100 proposals / 1,000 votes and 10,000 proposals / 100,000 votes.

Setup only: the board (an `Activity` row), its voters, proposals and votes are seeded with `bulk_create`
(votes skewed towards a few popular proposals, ~3 per voter, as the default allowance allows). Everything
measured then goes through the real handler path (the xblock-sdk runtime's `handle`, or `render` for the
staff's `student_view`, which includes the overview), warm, in-process, on a throwaway SQLite file
(var/bench/board.db, deleted before and after).

Per handler: median / p95 server time, our SQL statements (touching mlcourse_ tables) and all statements;
the Python peak memory (tracemalloc) of one `state` call and of the votes CSV export consumed fully; and, to
explain where `state` and the staff view spend their time, the listing query, the whole listing (query +
sort in Python) and the overview timed on their own. Writes var/bench/board.json and prints markdown tables.
"""
import json
import os
import random
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings  # noqa: E402

# Our own throwaway file: `make bench` deletes bench.db between scripts, and this one must not share it.
DB = Path(settings.DATABASES["default"]["NAME"]).with_name("board.db")
settings.DATABASES["default"]["NAME"] = str(DB)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from webob import Request  # noqa: E402
from workbench.runtime import WorkbenchRuntime  # noqa: E402
from workbench.scenarios import get_scenarios  # noqa: E402

from mlcourse.models import Activity, BoardItem, BoardVote, BoardVoter  # noqa: E402
from mlcourse.runtime import Actor  # noqa: E402
from mlcourse.services import board  # noqa: E402

SIZES = [(100, 1_000), (10_000, 100_000)]  # (proposals, votes)
REPS = int(os.environ.get("BENCH_REPS", "20"))
STAFF = sorted(settings.MLCOURSE_WORKBENCH_STAFF_IDS)[0]  # "staff" in devsite.settings
READER = "v7"  # a seeded voter with 3 votes: reads the board
VOTER = "bench-voter"  # votes and withdraws (0 votes used, so it always may)
KINDS = ("challenge", "case", "topic")
ORGS = ("national_government", "subnational_government", "parliament", "civil_society", "research",
        "international", "other")
# A long tail: the first countries propose most (weights 1/rank).
COUNTRIES = ("PK", "NG", "GH", "KE", "BR", "IN", "BD", "ET", "UG", "TZ", "ZA", "MX", "CO", "PE", "ID", "PH", "VN",
             "EG", "MA", "TN", "SN", "CI", "CM", "RW", "ZM", "MW", "MZ", "NP", "LK", "MM", "KH", "AF", "JO", "LB",
             "GB", "US", "FR", "DE", "CN", "JP")
WEIGHTS = [1 / (rank + 1) for rank in range(len(COUNTRIES))]
DESCRIPTION = ("Ministries publish budgets but not what was spent where; we want to learn how other countries "
               "made spending data usable for parliament and citizens, and what it cost to keep it up to date.")
MERGES, PROPOSALS, MERGE_VOTES = 5, 5, 50


# --- setup (not measured) ------------------------------------------------------------------------------------
def seed(usage, n_items, n_votes, rng):
    """The board with `n_items` proposals and `n_votes` votes; returns (activity, item ids by index, voters)."""
    Activity.objects.filter(usage_key=usage).delete()
    activity = Activity.objects.create(course_key="workbench", usage_key=usage)
    now = timezone.now()
    n_voters = -(-n_votes // 3)  # three votes each
    n_authors = -(-n_items // 3)  # three proposals each (the default allowance)
    countries = rng.choices(COUNTRIES, WEIGHTS, k=n_voters)
    voters = BoardVoter.objects.bulk_create(
        [BoardVoter(activity=activity, learner_id=f"v{j}", country=countries[j], organisation_type=ORGS[j % 7])
         for j in range(n_voters)] + [BoardVoter(activity=activity, learner_id=VOTER, country="GH",
                                                 organisation_type="research")], batch_size=2000)
    items = BoardItem.objects.bulk_create([
        BoardItem(activity=activity, author=voters[i % n_authors], kind=KINDS[i % 3],
                  title=f"Proposal {i}: making spending data usable", description=DESCRIPTION,
                  country=voters[i % n_authors].country, organisation_type=voters[i % n_authors].organisation_type,
                  created=now - timedelta(minutes=n_items - i), hidden=i % 100 == 99, adopted=i % 50 == 7,
                  adopted_note="Covered in week 3." if i % 50 == 7 else "",
                  hidden_reason="Off topic." if i % 100 == 99 else "")
        for i in range(n_items)], batch_size=2000)
    votes, left = [], n_votes
    for j in range(n_voters):
        chosen = set()
        while len(chosen) < min(3, left):
            index = int(n_items * rng.random() ** 2)  # skewed: a few popular proposals, a long tail
            if j >= n_authors or index % n_authors != j:  # not one's own
                chosen.add(index)
        left -= len(chosen)
        votes += [BoardVote(item=items[index], voter=voters[j], created=now) for index in chosen]
    BoardVote.objects.bulk_create(votes, batch_size=5000)
    return activity, [item.pk for item in items], voters


def fresh_item_with_votes(activity, voters, k, rng):
    """A new proposal with MERGE_VOTES votes from distinct voters (setup for one staff_merge)."""
    author = voters[k % len(voters)]
    item = BoardItem.objects.create(activity=activity, author=author, kind="topic", title=f"Duplicate {k}",
                                    description=DESCRIPTION, country=author.country, created=timezone.now())
    chosen = rng.sample(range(len(voters) - 1), MERGE_VOTES)
    BoardVote.objects.bulk_create([BoardVote(item=item, voter=voters[j], created=timezone.now()) for j in chosen
                                   if j != k % len(voters)])
    return item.pk


# --- measuring -----------------------------------------------------------------------------------------------
class Timer:
    def __init__(self, usage):
        self.usage = usage
        self.samples = {}

    def _run(self, label, student, action, record=True):
        runtime = WorkbenchRuntime(student)
        block = runtime.get_block(self.usage)
        connection.queries_log.clear()  # the log keeps 9,000 queries: count each call on its own
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = action(runtime, block)
            elapsed = time.perf_counter() - start
        if record:
            entry = self.samples.setdefault(label, {"ours": set(), "all": set(), "times": []})
            entry["ours"].add(sum(1 for q in ctx.captured_queries if "mlcourse_" in q["sql"]))
            entry["all"].add(len(ctx.captured_queries))
            entry["times"].append(elapsed)
        return result

    def call(self, label, student, handler, payload=None, record=True):
        def action(runtime, block):
            request = Request.blank("/", method="POST", body=json.dumps(payload or {}).encode())
            response = runtime.handle(block, handler, request)
            assert response.status_code == 200, (handler, payload, response.body[:300])
            return json.loads(response.body)
        return self._run(label, student, action, record)

    def render(self, label, student, record=True):
        return self._run(label, student, lambda runtime, block: runtime.render(block, "student_view", {}).body_html(),
                         record)

    def summary(self):
        out = {}
        for label, entry in self.samples.items():
            times = sorted(entry["times"])
            out[label] = {"our_statements": sorted(entry["ours"]), "all_statements": sorted(entry["all"]),
                          "median_ms": round(statistics.median(times) * 1000, 1),
                          "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)] * 1000, 1), "n": len(times)}
        return out


def export(usage, table):
    """The CSV export through the handler, its stream consumed fully: (bytes, lines, seconds, statements)."""
    runtime = WorkbenchRuntime(STAFF)
    block = runtime.get_block(usage)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = runtime.handle(block, "export_csv", Request.blank(f"/?table={table}"))
        assert response.status_code == 200, response.status
        size = lines = 0
        for chunk in response.app_iter:
            size += len(chunk)
            lines += 1
        elapsed = time.perf_counter() - start
    ours = sum(1 for q in ctx.captured_queries if "mlcourse_" in q["sql"])
    return size, lines, elapsed, ours


def peak_kib(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] // 1024
    finally:
        tracemalloc.stop()


def best_ms(fns, rounds=9):
    """{name: fn} -> {name: best time in ms}: the calls interleaved round by round, so that a burst of other
    work on the machine hits them all alike, and the best of the rounds (the least disturbed) kept."""
    times = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: round(min(values) * 1000, 1) for name, values in times.items()}


def breakdown(usage):
    """Where `state` and the staff view spend their time, called below the handler (diagnosis only): a query
    fetching every visible item with its vote count (what the country sort reads), the page's listing for each
    sort (votes and newest are sorted and cut by the database; country sorts in Python), and the overview."""
    config = board.BoardConfig(course_key="workbench", usage_key=usage, kinds=tuple((k, k) for k in KINDS))
    activity = board.find_activity(config)
    voter = BoardVoter.objects.get(activity=activity, learner_id=READER)

    def query():
        rows = board._visible(activity, voter, False)
        return list(rows.annotate(n=Count("votes")).values_list("id", "country", "created", "n"))

    staff = Actor(learner_id=STAFF, is_staff=True)
    fns = {"listing_query_ms": query}
    for sort in board.SORTS:
        fns[f"listing_{sort}_ms"] = lambda s=sort: board._page(activity, voter, False, s, "", "en", 0)
    fns["overview_ms"] = lambda: board.overview(config, staff, "en")
    return {"listing_rows": len(query()), **best_ms(fns)}


def measure(usage, n_items, n_votes, rng):
    start = time.perf_counter()
    activity, item_ids, voters = seed(usage, n_items, n_votes, rng)
    seeded = time.perf_counter() - start
    timer = Timer(usage)
    reps = REPS if n_items > 1000 else 2 * REPS
    popular, middle = item_ids[5], item_ids[len(item_ids) // 2]

    # Reads: one warm-up call each (templates, translations, caches), then the measured repetitions.
    reads = [(f"state ({sort})", READER, "state", {"sort": sort}) for sort in board.SORTS]
    reads.append(("board_page (votes, 2nd page)", READER, "board_page", {"sort": "votes", "offset": board.PAGE}))
    for label, student, handler, payload in reads:
        timer.call(label, student, handler, payload, record=False)
        for _ in range(reps):
            timer.call(label, student, handler, payload)
    timer.render("student_view (staff, with overview)", STAFF, record=False)
    for _ in range(max(5, reps // 2)):
        timer.render("student_view (staff, with overview)", STAFF)

    # Memory: one `state` call; the votes export consumed fully (also timed without tracemalloc).
    memory = {"state_peak_kib": peak_kib(lambda: timer.call("-", READER, "state", {"sort": "votes"}, record=False))}
    exports = {}
    for table in board.EXPORT_TABLES:
        size, lines, elapsed, ours = export(usage, table)
        exports[table] = {"bytes": size, "rows": lines - 1, "ms": round(elapsed * 1000, 1), "our_statements": ours}
    memory["export_votes_peak_kib"] = peak_kib(lambda: export(usage, "votes"))

    # Writes that leave the board as it was: vote + withdraw_vote pairs, on a popular and a middle item.
    timer.call("-", VOTER, "vote", {"item": middle}, record=False)
    timer.call("-", VOTER, "withdraw_vote", {"item": middle}, record=False)
    for rep in range(reps):
        item = popular if rep % 2 else middle
        timer.call("vote", VOTER, "vote", {"item": item})
        timer.call("withdraw_vote", VOTER, "withdraw_vote", {"item": item})

    # A few proposals, each by a new learner (country and organisation given in the form).
    for k in range(PROPOSALS + 1):
        timer.call("propose", f"p{n_items}-{k}", "propose",
                   {"title": f"New proposal {k}", "description": DESCRIPTION, "kind": KINDS[k % 3],
                    "country": COUNTRIES[k], "organisation_type": "research"}, record=k > 0)

    # A few merges of a fresh proposal with ~50 votes into a popular one.
    for k in range(MERGES + 1):
        item = fresh_item_with_votes(activity, voters, k, rng)
        timer.call("staff_merge (~50 votes)", STAFF, "staff_merge", {"item": item, "into": popular}, record=k > 0)

    return {"proposals": n_items, "votes": n_votes, "voters": len(voters), "seed_s": round(seeded, 1),
            "handlers": timer.summary(), "memory": memory, "exports": exports, "breakdown": breakdown(usage)}


def tables(results):
    sizes = list(results)
    label = {s: f"{results[s]['proposals']:,}/{results[s]['votes']:,}" for s in sizes}
    print("| handler | " + " | ".join(f"ours @{label[s]} | median ms | p95 ms" for s in sizes)
          + " | same statements | median ratio |")
    print("|---|" + "---|---|---|" * len(sizes) + "---|---|")
    for handler in results[sizes[0]]["handlers"]:
        rows = [results[s]["handlers"][handler] for s in sizes]
        cells = []
        for row in rows:
            cells += ["/".join(map(str, row["our_statements"])), str(row["median_ms"]), str(row["p95_ms"])]
        same = "yes" if rows[0]["our_statements"] == rows[-1]["our_statements"] else "NO"
        ratio = rows[-1]["median_ms"] / rows[0]["median_ms"] if rows[0]["median_ms"] else 0
        print(f"| {handler} | " + " | ".join(cells) + f" | {same} | {ratio:.1f}× |")
    print("\n| memory and exports | " + " | ".join(label[s] for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    print("| `state` peak (tracemalloc) | " + " | ".join(
        f"{results[s]['memory']['state_peak_kib']:,} KiB" for s in sizes) + " |")
    print("| votes export peak, stream consumed | " + " | ".join(
        f"{results[s]['memory']['export_votes_peak_kib']:,} KiB" for s in sizes) + " |")
    for table in results[sizes[0]]["exports"]:
        print(f"| {table} export | " + " | ".join(
            "{rows:,} rows, {kib:,.0f} KiB, {ms:,} ms, {st} of our statements".format(
                kib=row["bytes"] / 1024, ms=row["ms"], rows=row["rows"], st=row["our_statements"])
            for row in (results[s]["exports"][table] for s in sizes)) + " |")
    print("\n| below the handler | " + " | ".join(label[s] for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for key in results[sizes[0]]["breakdown"]:
        print(f"| {key} | " + " | ".join(f"{results[s]['breakdown'][key]:,}" for s in sizes) + " |")


def main():
    DB.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    usage = get_scenarios()["codesign_board.1"].usage_id  # the board alone, as in bench_page_weight
    rng = random.Random(2024)
    results = {}
    started = time.perf_counter()
    for n_items, n_votes in SIZES:
        results[str(n_items)] = measure(usage, n_items, n_votes, rng)
        print(f"{n_items} proposals / {n_votes} votes: done at {time.perf_counter() - started:.0f} s", file=sys.stderr)
    connection.close()
    DB.unlink(missing_ok=True)
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / "board.json").write_text(json.dumps(results, indent=2))
    tables(results)


if __name__ == "__main__":
    main()
