"""Property tests for mlcourse.pairing, written against the rules, not the code.

References below (legality, preference order, brute-force matching) are
re-derived from the spec so that a wrong implementation fails.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcourse.pairing import (
    Match,
    OpenGroup,
    PartnerRule,
    Reason,
    Rules,
    Seeker,
    batch_match,
    choose_group,
    choose_partner,
    pair_reasons,
    settle,
    upper_bound_cross_country_pairs,
    waited_past_window,
)

T0 = datetime(2024, 3, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=6)
COUNTRIES = ["BR", "PK", "NG", "GH", "GB"]
OFFSETS = [-720, -300, 0, 60, 330, 480, 600, 840]
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

rules_st = st.builds(
    Rules,
    partner_rule=st.sampled_from(list(PartnerRule)),
    fallback_window=st.sampled_from([timedelta(0), timedelta(hours=12), timedelta(hours=48), timedelta(hours=84)]),
    allow_triads=st.booleans(),
)


@st.composite
def cohorts(draw, min_size=0, max_size=10, max_past=3, max_countries=len(COUNTRIES)):
    """Learners with colliding countries, coarse (often equal) arrival times and random past partners."""
    n = draw(st.integers(min_size, max_size))
    alphabet = COUNTRIES[: draw(st.integers(1, max_countries))]
    keys = [f"u{i:02d}" for i in range(n)]
    out = []
    for key in keys:
        past = draw(st.frozensets(st.sampled_from(keys), max_size=max_past)) if keys else frozenset()
        out.append(
            Seeker(
                key=key,
                country=draw(st.sampled_from(alphabet)),
                waiting_since=NOW - timedelta(hours=6 * draw(st.integers(0, 16))),
                utc_offset_minutes=draw(st.none() | st.sampled_from(OFFSETS)),
                past_partners=past - {key},
            )
        )
    return out


# ---------- references derived from the spec ----------


def met(a: Seeker, b: Seeker) -> bool:
    return a.key in b.past_partners or b.key in a.past_partners


def waited(s: Seeker, rules: Rules, now: datetime) -> bool:
    return now - s.waiting_since >= rules.fallback_window


def legal(a: Seeker, b: Seeker, rules: Rules, now: datetime) -> bool:
    if a.key == b.key:
        return False
    if a.country != b.country or rules.partner_rule == PartnerRule.ANY:
        return True
    if rules.partner_rule == PartnerRule.DIFFERENT_COUNTRY_PREFERRED:
        return waited(a, rules, now) or waited(b, rules, now)
    return False


def overlap_rank(a: Seeker, b: Seeker) -> tuple[int, int]:
    if a.utc_offset_minutes is None or b.utc_offset_minutes is None:
        return (1, 0)
    d = abs(a.utc_offset_minutes - b.utc_offset_minutes) % (24 * 60)
    return (0, min(d, 24 * 60 - d))


def preference(seeker: Seeker, c: Seeker) -> tuple:
    return (met(seeker, c), c.country == seeker.country, c.waiting_since, overlap_rank(seeker, c), c.key)


def no_legal_pair(pool, rules, now) -> bool:
    return all(pair_reasons(a, b, rules, now) is None for a, b in itertools.combinations(pool, 2))


def naive_settle(waiting, rules, now):
    pool = sorted(waiting, key=lambda s: (s.waiting_since, s.key))
    out = []
    while pool:
        s, rest = pool[0], pool[1:]
        m = choose_partner(s, rest, rules, now)
        if m is not None:
            out.append((s.key, m.partner, m.reasons))
            rest = [c for c in rest if c.key != m.partner]
        pool = rest
    return out


def best_matching_score(people, rules, now) -> tuple[int, int, int]:
    """Brute force over all matchings: max (cross pairs, pairs, -repeats) lexicographically."""

    @cache
    def best(mask: int) -> tuple[int, int, int]:
        free = [i for i in range(len(people)) if mask >> i & 1]
        if len(free) < 2:
            return (0, 0, 0)
        i, rest = free[0], mask & ~(1 << free[0])
        result = best(rest)
        for j in free[1:]:
            a, b = people[i], people[j]
            if legal(a, b, rules, now):
                c, p, r = best(rest & ~(1 << j))
                result = max(result, (c + (a.country != b.country), p + 1, r - met(a, b)))
        return result

    return best((1 << len(people)) - 1)


def batch_stats(groups, by_key):
    """(cross pairs, pairs, -repeats) of the two-member core of each group."""
    pairs = [(by_key[g[0]], by_key[g[1]]) for g, _ in groups]
    return (sum(a.country != b.country for a, b in pairs), len(pairs), -sum(met(a, b) for a, b in pairs))


def check_batch_legal(seekers, groups, rules, now):
    by_key = {s.key: s for s in seekers}
    used = [k for g, _ in groups for k in g]
    assert len(used) == len(set(used)), "a learner is in two groups"
    assert set(used) <= set(by_key)
    triads = [g for g, _ in groups if len(g) == 3]
    assert len(triads) <= (1 if rules.allow_triads else 0)
    for g, reasons in groups:
        assert len(g) in (2, 3)
        members = [by_key[k] for k in g]
        assert Reason.STAFF not in reasons
        if len(g) == 2:
            assert legal(*members, rules, now)
            assert reasons == pair_reasons(*members, rules, now)
        else:
            assert len({m.country for m in members}) >= 2, "single-country triad"
            assert Reason.TRIAD in reasons
            assert (Reason.REPEAT_ALLOWED in reasons) == any(met(x, y) for x, y in itertools.combinations(members, 2))


# ---------- pair_reasons / choose_partner ----------


@FAST
@given(cohorts(min_size=2, max_size=2), rules_st)
def test_pair_reasons_follow_the_rules(pair, rules):
    a, b = pair
    reasons = pair_reasons(a, b, rules, NOW)
    assert reasons == pair_reasons(b, a, rules, NOW)
    assert pair_reasons(a, a, rules, NOW) is None
    if not legal(a, b, rules, NOW):
        assert reasons is None
        return
    assert reasons is not None
    if a.country != b.country:
        assert reasons[0] == Reason.CROSS_COUNTRY
    elif rules.partner_rule == PartnerRule.ANY:
        assert reasons[0] == Reason.SAME_COUNTRY
    else:
        assert reasons[0] == Reason.RELAXED
    assert (Reason.REPEAT_ALLOWED in reasons) == met(a, b)


@FAST
@given(cohorts(min_size=1, max_size=12), rules_st, st.data())
def test_choose_partner_picks_the_best_legal_partner(pool, rules, data):
    seeker = data.draw(st.sampled_from(pool))
    m = choose_partner(seeker, pool, rules, NOW)  # seeker itself is in the pool
    candidates = [c for c in pool if legal(seeker, c, rules, NOW)]
    if not candidates:
        assert m is None
        return
    assert m is not None and m.group is None and m.partner != seeker.key
    partner = next(c for c in pool if c.key == m.partner)
    assert legal(seeker, partner, rules, NOW)
    assert m.reasons == pair_reasons(seeker, partner, rules, NOW)
    if rules.partner_rule == PartnerRule.DIFFERENT_COUNTRY_REQUIRED:
        assert partner.country != seeker.country
    if any(not met(seeker, c) for c in candidates):
        assert not met(seeker, partner)
    best_class = min(preference(seeker, c)[:2] for c in candidates)
    assert preference(seeker, partner)[:2] == best_class
    assert partner.waiting_since == min(c.waiting_since for c in candidates if preference(seeker, c)[:2] == best_class)
    assert preference(seeker, partner) == min(preference(seeker, c) for c in candidates)


# ---------- choose_group ----------


MEMBER_KEYS = ["me"] + [f"u{j:02d}" for j in range(12)]  # "me" is the seeker below


@st.composite
def open_groups(draw):
    n = draw(st.integers(0, 8))
    groups = []
    for i in range(n):
        size = draw(st.sampled_from([1, 2, 2, 2, 3]))
        members = tuple(draw(st.lists(st.sampled_from(MEMBER_KEYS), min_size=size, max_size=size, unique=True)))
        countries = tuple(draw(st.sampled_from(COUNTRIES[:3])) for _ in members)
        formed = T0 + timedelta(hours=draw(st.integers(0, 5)))
        groups.append(OpenGroup(key=f"g{i}", member_keys=members, countries=countries, formed_at=formed))
    return groups


@settings(FAST, max_examples=300)
@given(
    cohorts(min_size=1, max_size=1), open_groups(), rules_st, st.frozensets(st.sampled_from(MEMBER_KEYS), max_size=3)
)
def test_choose_group_picks_the_best_multi_country_pair(one, groups, rules, past):
    seeker = Seeker("me", one[0].country, one[0].waiting_since, past_partners=past - {"me"})
    m = choose_group(seeker, groups, rules, NOW)
    eligible = [
        g
        for g in groups
        if len(g.member_keys) == 2 and "me" not in g.member_keys and len({*g.countries, seeker.country}) >= 2
    ]
    if not rules.allow_triads or not waited(seeker, rules, NOW) or not eligible:
        assert m is None
        return
    assert m is not None and m.partner is None
    g = next(g for g in groups if g.key == m.group)
    assert len(g.member_keys) == 2
    assert len({*g.countries, seeker.country}) >= 2
    repeat = bool(set(g.member_keys) & seeker.past_partners)
    assert m.reasons == ((Reason.TRIAD, Reason.REPEAT_ALLOWED) if repeat else (Reason.TRIAD,))

    def rank(h):
        return (bool(set(h.member_keys) & seeker.past_partners), seeker.country in h.countries, h.formed_at, h.key)

    assert rank(g) == min(rank(h) for h in eligible)


# ---------- settle and the online invariant ----------


@FAST
@given(cohorts(max_size=14), rules_st)
def test_settle_leaves_no_legal_pair_and_follows_arrival_order(pool, rules):
    result = settle(pool, rules, NOW)
    by_key = {s.key: s for s in pool}
    used = [k for a, b, _ in result for k in (a, b)]
    assert len(used) == len(set(used))
    for a, b, reasons in result:
        assert legal(by_key[a], by_key[b], rules, NOW)
        assert reasons == pair_reasons(by_key[a], by_key[b], rules, NOW)
    assert no_legal_pair([s for s in pool if s.key not in used], rules, NOW)
    assert result == naive_settle(pool, rules, NOW)


arrive = st.tuples(
    st.just("arrive"),
    st.sampled_from(COUNTRIES[:3]),
    st.integers(0, 600),
    st.none() | st.sampled_from(OFFSETS),
    st.frozensets(st.integers(0, 30), max_size=3),
)
tick = st.tuples(st.just("tick"), st.integers(1, 60))  # hours pass
depart = st.tuples(st.just("depart"), st.integers(0, 99))  # a waiting learner leaves
events_st = st.lists(st.one_of(arrive, arrive, arrive, tick, depart), min_size=20, max_size=80)


@SLOW
@given(rules_st, events_st)
def test_online_pool_never_holds_a_legal_pair(rules, events):
    now, pool, arrived = T0, {}, 0
    open_pairs: dict[str, OpenGroup] = {}

    def form(a: Seeker, b: Seeker) -> None:
        key = f"x{len(open_pairs)}"
        open_pairs[key] = OpenGroup(key, (a.key, b.key), (a.country, b.country), now)

    for ev in events:
        if ev[0] == "tick":
            now += timedelta(hours=ev[1])
        elif ev[0] == "depart":
            if pool:
                del pool[sorted(pool)[ev[1] % len(pool)]]
        else:
            _, country, minutes, offset, past = ev
            now += timedelta(minutes=minutes)
            s = Seeker(f"u{arrived:02d}", country, now, offset, frozenset(f"u{i:02d}" for i in past if i < arrived))
            arrived += 1
            m = choose_partner(s, pool.values(), rules, now)
            if m is None:
                pool[s.key] = s
            else:
                partner = pool.pop(m.partner)
                assert legal(s, partner, rules, now)
                form(s, partner)
        for a, b, reasons in settle(list(pool.values()), rules, now):
            assert reasons == pair_reasons(pool[a], pool[b], rules, now)
            form(pool.pop(a), pool.pop(b))
        if rules.allow_triads:
            for s in sorted(pool.values(), key=lambda s: (s.waiting_since, s.key)):
                m = choose_group(s, open_pairs.values(), rules, now)
                if m is not None:
                    assert waited_past_window(s, rules, now)
                    g = open_pairs.pop(m.group)  # full now
                    assert len({*g.countries, s.country}) >= 2
                    del pool[s.key]
        assert no_legal_pair(pool.values(), rules, now)


# ---------- batch_match ----------


@st.composite
def skewed_cohorts(draw, max_size=80):
    """Cohorts where one country may dominate (0-100 %)."""
    n = draw(st.integers(0, max_size))
    share = draw(st.integers(0, 100))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    keys = [f"u{i:03d}" for i in range(n)]
    return [
        Seeker(
            key,
            "CN" if rnd.randrange(100) < share else rnd.choice(COUNTRIES[: rnd.randint(1, 5)]),
            NOW - timedelta(hours=rnd.randrange(120)),
            rnd.choice([None, *OFFSETS]),
            frozenset(rnd.sample(keys, min(n, rnd.randrange(3)))) - {key},
        )
        for key in keys
    ]


@FAST
@given(skewed_cohorts(), rules_st)
def test_batch_reaches_the_cross_country_bound(seekers, rules):
    groups = batch_match(seekers, rules, NOW)
    check_batch_legal(seekers, groups, rules, NOW)
    by_key = {s.key: s for s in seekers}
    cross = sum(by_key[g[0]].country != by_key[g[1]].country for g, _ in groups)
    assert cross == upper_bound_cross_country_pairs([s.country for s in seekers])
    assert groups == batch_match(list(reversed(seekers)), rules, NOW)  # deterministic, order-free


@SLOW
@given(cohorts(max_size=10, max_past=5) | cohorts(min_size=4, max_size=10, max_countries=2), rules_st)
def test_batch_is_optimal_against_brute_force(seekers, rules):
    rules = Rules(rules.partner_rule, rules.fallback_window, allow_triads=False)
    groups = batch_match(seekers, rules, NOW)
    check_batch_legal(seekers, groups, rules, NOW)
    got = batch_stats(groups, {s.key: s for s in seekers})
    best = best_matching_score(seekers, rules, NOW)
    assert got[:2] == best[:2], "fewer cross-country pairs or pairs than possible"
    if len(seekers) <= 8:
        assert got == best, "a repeat partner was used although a matching as large without it exists"


@FAST
@given(skewed_cohorts(max_size=40), rules_st)
def test_batch_no_swap_of_two_groups_avoids_a_repeat(seekers, rules):
    rules = Rules(rules.partner_rule, rules.fallback_window, allow_triads=False)
    groups = batch_match(seekers, rules, NOW)
    by_key = {s.key: s for s in seekers}
    used = {k for g, _ in groups for k in g}
    units = [tuple(by_key[k] for k in g) for g, _ in groups] + [(s,) for s in seekers if s.key not in used]
    for g in units:
        if len(g) != 2 or not met(*g):
            continue
        for h in units:
            if h is not g:
                now_paired = [(tuple(x.key for x in u), ()) for u in (g, h) if len(u) == 2]
                assert best_matching_score([*g, *h], rules, NOW) <= batch_stats(now_paired, by_key)


@FAST
@given(cohorts(min_size=1, max_size=9), rules_st)
def test_batch_triad_only_for_a_single_leftover(seekers, rules):
    plain = batch_match(seekers, Rules(rules.partner_rule, rules.fallback_window, False), NOW)
    triads = batch_match(seekers, Rules(rules.partner_rule, rules.fallback_window, True), NOW)
    check_batch_legal(seekers, triads, Rules(rules.partner_rule, rules.fallback_window, True), NOW)
    by_key = {s.key: s for s in seekers}
    assert batch_stats(plain, by_key) == batch_stats(triads, by_key)
    left = {s.key for s in seekers} - {k for g, _ in plain for k in g}
    three = [g for g, _ in triads if len(g) == 3]
    if len(left) != 1:
        assert not three
        return
    (x,) = [by_key[k] for k in left]
    possible = any(len({by_key[g[0]].country, by_key[g[1]].country, x.country}) >= 2 for g, _ in plain)
    assert bool(three) == possible
    if three:
        assert x.key in three[0]


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**32))
def test_batch_on_twenty_thousand_reaches_the_bound(seed):
    rnd = random.Random(seed)
    countries = [f"C{i}" for i in range(40)]
    seekers = [
        Seeker(
            f"u{i}", "C0" if rnd.random() < 0.45 else rnd.choice(countries),
            NOW - timedelta(hours=rnd.randrange(99)),
        )
        for i in range(20_000)
    ]
    groups = batch_match(seekers, Rules(allow_triads=True), NOW)
    assert len(groups) == upper_bound_cross_country_pairs([s.country for s in seekers])


def test_settle_with_thousands_from_one_country_is_fast_enough_to_run():
    brazil = [Seeker(f"br{i}", "BR", T0 + timedelta(seconds=i)) for i in range(5000)]
    pakistan = [Seeker(f"pk{i}", "PK", T0 + timedelta(seconds=7 * i)) for i in range(3)]
    result = settle(brazil + pakistan, Rules(), NOW)
    assert [(a, b) for a, b, _ in result] == [("br0", "pk0"), ("br1", "pk1"), ("br2", "pk2")]


# ---------- examples ----------


def seeker(key, country, hours_ago, **kw):
    return Seeker(key, country, NOW - timedelta(hours=hours_ago), **kw)


def test_brazilian_waits_when_only_brazilians_wait_under_required():
    ana = seeker("ana", "BR", 0)
    waiting = [seeker("bia", "BR", 100), seeker("caio", "BR", 3)]
    assert choose_partner(ana, waiting, Rules(), NOW) is None


def test_preferred_rule_pairs_same_country_after_48_hours():
    rules = Rules(PartnerRule.DIFFERENT_COUNTRY_PREFERRED)
    ana = seeker("ana", "BR", 0)
    assert choose_partner(ana, [seeker("bia", "BR", 47)], rules, NOW) is None
    assert choose_partner(ana, [seeker("bia", "BR", 49)], rules, NOW) == Match("bia", None, (Reason.RELAXED,))


def test_cross_country_partner_beats_longer_waiting_compatriot():
    rules = Rules(PartnerRule.ANY)
    ada = seeker("ada", "NG", 0)
    m = choose_partner(ada, [seeker("emeka", "NG", 90), seeker("kofi", "GH", 1)], rules, NOW)
    assert m == Match("kofi", None, (Reason.CROSS_COUNTRY,))


def test_repeat_partner_only_when_nobody_else_fits():
    ada = seeker("ada", "NG", 0, past_partners=frozenset({"kofi"}))
    assert choose_partner(ada, [seeker("kofi", "GH", 50), seeker("tom", "GB", 1)], Rules(), NOW).partner == "tom"
    m = choose_partner(ada, [seeker("kofi", "GH", 50), seeker("chidi", "NG", 1)], Rules(), NOW)
    assert m == Match("kofi", None, (Reason.CROSS_COUNTRY, Reason.REPEAT_ALLOWED))


def test_equal_wait_prefers_the_closer_time_zone():
    ali = seeker("ali", "PK", 0, utc_offset_minutes=300)
    near = seeker("zz-wei", "CN", 5, utc_offset_minutes=480)
    far = seeker("aa-tom", "GB", 5, utc_offset_minutes=0)
    assert choose_partner(ali, [far, near], Rules(), NOW).partner == "zz-wei"


def test_late_learner_joins_a_pair_from_other_countries():
    rules = Rules(allow_triads=True)
    li = seeker("li", "CN", 50)
    pair = OpenGroup("x1", ("ana", "ali"), ("BR", "PK"), NOW - timedelta(days=3))
    assert choose_group(li, [pair], rules, NOW) == Match(None, "x1", (Reason.TRIAD,))
    assert choose_group(seeker("li", "CN", 2), [pair], rules, NOW) is None
    assert choose_group(li, [pair], Rules(), NOW) is None


def test_no_triad_that_would_be_single_country():
    rules = Rules(PartnerRule.ANY, allow_triads=True)
    bia = seeker("bia", "BR", 50)
    brazilian_pair = OpenGroup("x1", ("ana", "caio"), ("BR", "BR"), NOW - timedelta(days=3))
    assert choose_group(bia, [brazilian_pair], rules, NOW) is None
    mixed = OpenGroup("x2", ("ana", "ali"), ("BR", "PK"), NOW)
    assert choose_group(bia, [brazilian_pair, mixed], rules, NOW).group == "x2"


def test_batch_with_a_dominant_country():
    chinese = [seeker(f"cn{i}", "CN", 60 - i) for i in range(8)]
    others = [seeker("tom", "GB", 1), seeker("ada", "NG", 2)]
    cohort = chinese + others
    assert upper_bound_cross_country_pairs([s.country for s in cohort]) == 2
    required = batch_match(cohort, Rules(), NOW)
    assert len(required) == 2 and all(r == (Reason.CROSS_COUNTRY,) for _, r in required)
    anyone = batch_match(cohort, Rules(PartnerRule.ANY), NOW)
    assert len(anyone) == 5
    assert Counter(r for _, r in anyone) == {(Reason.CROSS_COUNTRY,): 2, (Reason.SAME_COUNTRY,): 3}
    # Under PREFERRED all eight waited 53-60 h, past the 48 h window, so the spare six relax.
    preferred = batch_match(cohort, Rules(PartnerRule.DIFFERENT_COUNTRY_PREFERRED), NOW)
    assert len(preferred) == 5
    assert sum(r == (Reason.RELAXED,) for _, r in preferred) == 3


def test_batch_keeps_learners_past_the_window_for_relaxed_pairs():
    rules = Rules(PartnerRule.DIFFERENT_COUNTRY_PREFERRED)
    old = [seeker("cn-old", "CN", 72)]
    new = [seeker(f"cn{i}", "CN", 1) for i in range(4)]
    cohort = old + new + [seeker("tom", "GB", 1), seeker("ada", "NG", 2)]
    groups = batch_match(cohort, rules, NOW)
    # 2 cross pairs + 1 relaxed pair (needs cn-old) is the most possible.
    assert len(groups) == 3
    relaxed = [g for g, r in groups if r == (Reason.RELAXED,)]
    assert len(relaxed) == 1 and "cn-old" in relaxed[0]
    # Chinese learners only: one relaxed pair around cn-old, the three others keep waiting.
    (only,) = batch_match(old + new, rules, NOW)
    assert "cn-old" in only[0] and only[1] == (Reason.RELAXED,)


def test_batch_avoids_a_repeat_by_swapping_partners():
    ana = seeker("ana", "BR", 10, past_partners=frozenset({"ali"}))
    bia = seeker("bia", "BR", 9)
    ali = seeker("ali", "PK", 8)
    sara = seeker("sara", "PK", 7)
    groups = batch_match([ana, bia, ali, sara], Rules(), NOW)
    assert sorted(sorted(g) for g, _ in groups) == [["ali", "bia"], ["ana", "sara"]]
    assert all(Reason.REPEAT_ALLOWED not in r for _, r in groups)


def test_batch_rotates_three_pairs_when_no_single_swap_avoids_a_repeat():
    # Paired in arrival order first: (ali, li), (ada, wei), (kofi, min). ali met li and min, ada met li:
    # every swap of two pairs keeps a repeat, only the rotation ali-wei, ada-min, kofi-li has none.
    chinese = [seeker("li", "CN", 30), seeker("wei", "CN", 29), seeker("min", "CN", 28)]
    others = [
        seeker("ali", "PK", 30, past_partners=frozenset({"li", "min"})),
        seeker("ada", "NG", 29, past_partners=frozenset({"li"})),
        seeker("kofi", "GH", 28),
    ]
    for rule in PartnerRule:
        groups = batch_match(chinese + others, Rules(rule), NOW)
        assert sorted(sorted(g) for g, _ in groups) == [["ada", "min"], ["ali", "wei"], ["kofi", "li"]]
        assert all(r == (Reason.CROSS_COUNTRY,) for _, r in groups)


def test_time_zone_distance_wraps_around_the_date_line():
    # UTC-12 and UTC+14 clocks are two hours apart; UTC-5 is seven hours from UTC-12.
    baker = seeker("baker", "US", 0, utc_offset_minutes=-720)
    kiribati = seeker("zz-kiribati", "KI", 5, utc_offset_minutes=840)
    peru = seeker("aa-peru", "PE", 5, utc_offset_minutes=-300)
    assert choose_partner(baker, [peru, kiribati], Rules(), NOW).partner == "zz-kiribati"


def test_window_is_inclusive():
    rules = Rules(PartnerRule.DIFFERENT_COUNTRY_PREFERRED)
    assert waited_past_window(seeker("ana", "BR", 48), rules, NOW)
    assert not waited_past_window(Seeker("ana", "BR", NOW - timedelta(hours=48) + timedelta(seconds=1)), rules, NOW)
    m = choose_partner(seeker("ana", "BR", 0), [seeker("bia", "BR", 48)], rules, NOW)
    assert m is not None and m.reasons == (Reason.RELAXED,)


def test_batch_odd_learner_joins_as_third_member():
    cohort = [seeker("ana", "BR", 3), seeker("ali", "PK", 2), seeker("li", "CN", 1)]
    groups = batch_match(cohort, Rules(allow_triads=True), NOW)
    assert len(groups) == 1
    (keys, reasons), = groups
    assert sorted(keys) == ["ali", "ana", "li"] and Reason.TRIAD in reasons
    assert len(batch_match(cohort, Rules(), NOW)) == 1


def test_upper_bound_examples():
    assert upper_bound_cross_country_pairs([]) == 0
    assert upper_bound_cross_country_pairs(["BR"] * 5) == 0
    assert upper_bound_cross_country_pairs(["BR", "PK", "NG", "GH", "GB"]) == 2
    assert upper_bound_cross_country_pairs(["CN"] * 9 + ["GB"]) == 1
