"""Benchmark: the pure matcher. Online arrivals per second with 10,000 waiting; staff batch matching for 1,000,
10,000 and 100,000 learners over 40 countries with one holding 45%: time on one core, pairs vs the upper
bound, repeat partners avoided. Writes var/bench/matcher.json."""
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcourse.pairing import (PartnerRule, Rules, Seeker, batch_match, choose_partner,  # noqa: E402
                              upper_bound_cross_country_pairs)

NOW = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)
COUNTRIES = [f"C{i:02d}" for i in range(40)]


def cohort(n, rng, past_per_learner=0):
    """One country holds 45%; the rest spread over 39 countries with a long tail."""
    weights = [45.0] + [55.0 / (i + 1) / sum(1 / (k + 1) for k in range(39)) for i in range(39)]
    countries = rng.choices(COUNTRIES, weights=weights, k=n)
    keys = [f"l{i}" for i in range(n)]
    seekers = []
    for i, (key, country) in enumerate(zip(keys, countries)):
        past = frozenset(rng.sample(keys, past_per_learner)) - {key} if past_per_learner else frozenset()
        seekers.append(Seeker(key, country, NOW - timedelta(minutes=n - i), rng.randint(-600, 720), past))
    return seekers


def online(rng):
    """Arrivals choosing among 10,000 waiting learners (the pure function; the database pre-filters to 25)."""
    pool = cohort(10_000, rng)
    arrivals = cohort(2_000, rng)
    start = time.perf_counter()
    for seeker in arrivals:
        choose_partner(seeker, pool, Rules(), NOW)
    full = len(arrivals) / (time.perf_counter() - start)
    small = pool[:25]
    start = time.perf_counter()
    for seeker in arrivals * 10:
        choose_partner(seeker, small, Rules(), NOW)
    bounded = len(arrivals) * 10 / (time.perf_counter() - start)
    return {"arrivals_per_s_over_10000_waiting": round(full), "arrivals_per_s_over_25_candidates": round(bounded)}


def batch(rng):
    rows = []
    for n in (1_000, 10_000, 100_000):
        for past in (0, 5):
            seekers = cohort(n, rng, past)
            start = time.perf_counter()
            groups = batch_match(seekers, Rules(partner_rule=PartnerRule.DIFFERENT_COUNTRY_REQUIRED), NOW)
            elapsed = time.perf_counter() - start
            by_key = {s.key: s for s in seekers}
            pairs = [g for g, _ in groups if len(g) == 2 and by_key[g[0]].country != by_key[g[1]].country]
            repeats = sum(1 for a, b in pairs if b in by_key[a].past_partners or a in by_key[b].past_partners)
            rows.append({"learners": n, "past_partners_each": past, "seconds": round(elapsed, 3),
                         "cross_country_pairs": len(pairs),
                         "upper_bound": upper_bound_cross_country_pairs([s.country for s in seekers]),
                         "repeat_pairs": repeats})
    return rows


def main():
    rng = random.Random(20261129)
    results = {"online": online(rng), "batch": batch(rng)}
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / "matcher.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
