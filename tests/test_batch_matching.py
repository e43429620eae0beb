"""Staff batch matching is optimal: compared exactly with networkx's maximum matching on small cohorts."""
from datetime import datetime, timedelta, timezone

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcourse.pairing import PartnerRule, Rules, Seeker, batch_match, upper_bound_cross_country_pairs

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
REQUIRED = Rules(partner_rule=PartnerRule.DIFFERENT_COUNTRY_REQUIRED)


@st.composite
def cohorts(draw):
    countries = draw(st.lists(st.sampled_from(["BR", "PK", "NG", "GH", "CN", "GB"]), min_size=0, max_size=14))
    keys = [f"l{i}" for i in range(len(countries))]
    met = draw(st.sets(st.tuples(st.integers(0, 13), st.integers(0, 13)), max_size=10))
    past = {k: set() for k in keys}
    for a, b in met:
        if a < len(keys) and b < len(keys) and a != b:
            past[keys[a]].add(keys[b])
            past[keys[b]].add(keys[a])
    return [Seeker(k, c, NOW - timedelta(hours=i), past_partners=frozenset(past[k]))
            for i, (k, c) in enumerate(zip(keys, countries))]


def networkx_optimum(seekers):
    """Maximum number of cross-country pairs, and among those the fewest repeat partners."""
    graph = nx.Graph()
    graph.add_nodes_from(s.key for s in seekers)
    for i, a in enumerate(seekers):
        for b in seekers[i + 1:]:
            if a.country != b.country:
                repeat = b.key in a.past_partners
                graph.add_edge(a.key, b.key, weight=1000 - repeat)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    repeats = sum(1 for a, b in matching if graph[a][b]["weight"] < 1000)
    return len(matching), repeats


@settings(max_examples=300, deadline=None)
@given(cohorts())
def test_batch_matching_equals_networkx_maximum(seekers):
    groups = batch_match(seekers, REQUIRED, NOW)
    pairs = [keys for keys, _reasons in groups if len(keys) == 2]
    used = [k for keys, _ in groups for k in keys]
    assert len(used) == len(set(used))
    by_key = {s.key: s for s in seekers}
    assert all(by_key[a].country != by_key[b].country for a, b in pairs)
    best, fewest_repeats = networkx_optimum(seekers)
    assert len(pairs) == best == upper_bound_cross_country_pairs([s.country for s in seekers])
    repeats = sum(1 for a, b in pairs if b in by_key[a].past_partners)
    assert repeats == fewest_repeats
