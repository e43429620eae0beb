"""Mutual-learning measures of a cohort, as defined in docs/metrics.md. Pure functions over plain rows."""
from __future__ import annotations

from collections import defaultdict
from statistics import mean


def exchange_reciprocity(size: int, reviews: list[tuple[int, int, int | None]]) -> dict:
    """Reciprocity of one exchange.

    `reviews` holds (reviewer, reviewee, helpfulness or None) for the visible reviews of the exchange.
    completion = share of the n(n-1) possible reviews given; balance = 1 - (max - min)/4 of the mean
    helpfulness each member received (only when at least two members received a rated review);
    index = completion x balance (balance counts as 1 while it cannot be measured).
    """
    possible = size * (size - 1)
    directions = {(reviewer, reviewee) for reviewer, reviewee, _ in reviews}
    completion = len(directions) / possible if possible else 0.0
    received = defaultdict(list)
    for _reviewer, reviewee, helpfulness in reviews:
        if helpfulness is not None:
            received[reviewee].append(helpfulness)
    means = [mean(values) for values in received.values()]
    balance = 1 - (max(means) - min(means)) / 4 if len(means) >= 2 else None
    index = completion * (balance if balance is not None else 1.0)
    return {"completion": round(completion, 3), "balance": None if balance is None else round(balance, 3),
            "index": round(index, 3)}


def cohort_reciprocity(sizes: dict[int, int], reviews: list[tuple[int, int, int, int | None]]) -> dict:
    """Cohort measures from (exchange, reviewer, reviewee, helpfulness) rows and exchange sizes."""
    by_exchange = defaultdict(list)
    for exchange_id, reviewer, reviewee, helpfulness in reviews:
        by_exchange[exchange_id].append((reviewer, reviewee, helpfulness))
    per_exchange = {e: exchange_reciprocity(sizes.get(e, 2), rows) for e, rows in by_exchange.items()}
    measured = list(per_exchange.values())
    return {
        "index": round(mean(m["index"] for m in measured), 3) if measured else None,
        "both_directions": round(sum(m["completion"] == 1 for m in measured) / len(measured), 3) if measured
        else None,
        "balance": round(mean(m["balance"] for m in measured if m["balance"] is not None), 3)
        if any(m["balance"] is not None for m in measured) else None,
        "exchanges_measured": len(measured),
        "per_exchange": per_exchange,
    }


def country_flows(cells: list[dict]) -> dict:
    """Share of country pairs whose learners reviewed each other in both directions."""
    directed = {(c["from"], c["to"]) for c in cells if c["from"] != c["to"] and c["reviews"]}
    pairs = {tuple(sorted(pair)) for pair in directed}
    two_way = sum(1 for a, b in pairs if (a, b) in directed and (b, a) in directed)
    return {"country_pairs": len(pairs), "two_way": two_way,
            "two_way_share": round(two_way / len(pairs), 3) if pairs else None}
