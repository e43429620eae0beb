"""Partner matching rules for the peer exchange, as pure functions.

Nothing here touches Django, the database, the clock or any global state. That
has two uses: the api layer can call these inside a DB transaction, passing the
small candidate list it has locked, and the rules can be property-tested with
hypothesis (tests/test_pairing.py). Every function takes `now` as an argument.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class PartnerRule(StrEnum):
    DIFFERENT_COUNTRY_REQUIRED = "different_country_required"
    DIFFERENT_COUNTRY_PREFERRED = "different_country_preferred"  # any country after the window
    ANY = "any"


class Reason(StrEnum):
    """Why an exchange was formed. Several can apply, so they are stored as a list."""

    CROSS_COUNTRY = "cross_country"
    SAME_COUNTRY = "same_country"  # rule ANY allowed a same-country pair
    RELAXED = "relaxed_after_window"  # rule PREFERRED, same country, someone waited past the window
    TRIAD = "triad"  # a learner joined an existing pair as third member
    REPEAT_ALLOWED = "repeat_allowed"  # met before in this course, no other choice existed
    STAFF = "staff"  # formed by staff by hand; set by the api layer, never returned here


@dataclass(frozen=True)
class Rules:
    partner_rule: PartnerRule = PartnerRule.DIFFERENT_COUNTRY_REQUIRED
    fallback_window: timedelta = timedelta(hours=48)
    allow_triads: bool = False


@dataclass(frozen=True)
class Seeker:
    """A learner waiting for a partner."""

    key: str  # stable learner id
    country: str  # ISO 3166 alpha-2, compared as given
    waiting_since: datetime  # timezone-aware
    utc_offset_minutes: int | None = None
    past_partners: frozenset[str] = frozenset()  # learners met in other exchanges of the course


@dataclass(frozen=True)
class OpenGroup:
    """An existing exchange that may take a third member."""

    key: str
    member_keys: tuple[str, ...]
    countries: tuple[str, ...]  # country of each member, same order
    formed_at: datetime


@dataclass(frozen=True)
class Match:
    partner: str | None  # Seeker.key of the partner (None when joining a group)
    group: str | None  # OpenGroup.key when joining a group as third member
    reasons: tuple[Reason, ...]


Pair = tuple[Seeker, Seeker]
_SWAP_TRIES = 500  # other groups tried per repeat pair when repairing a batch
_HOOD_SIZE = 8  # learners re-paired exactly in one repair step


def waited_past_window(s: Seeker, rules: Rules, now: datetime) -> bool:
    """True once `s` has waited at least the fallback window."""
    return now - s.waiting_since >= rules.fallback_window


def _met(a: Seeker, b: Seeker) -> bool:
    return b.key in a.past_partners or a.key in b.past_partners


def pair_reasons(a: Seeker, b: Seeker, rules: Rules, now: datetime) -> tuple[Reason, ...] | None:
    """Reasons for pairing `a` with `b` now, or None if the pair is not allowed."""
    if a.key == b.key:
        return None
    if a.country != b.country:
        reasons = [Reason.CROSS_COUNTRY]
    elif rules.partner_rule == PartnerRule.ANY:
        reasons = [Reason.SAME_COUNTRY]
    elif rules.partner_rule == PartnerRule.DIFFERENT_COUNTRY_PREFERRED and (
        waited_past_window(a, rules, now) or waited_past_window(b, rules, now)
    ):
        reasons = [Reason.RELAXED]
    else:
        return None
    if _met(a, b):
        reasons.append(Reason.REPEAT_ALLOWED)
    return tuple(reasons)


def _tz_rank(a: Seeker, b: Seeker) -> tuple[int, int]:
    """Smaller is more overlap. Unknown offsets rank last. Clock distance wraps at 24 h."""
    if a.utc_offset_minutes is None or b.utc_offset_minutes is None:
        return (1, 0)
    d = abs(a.utc_offset_minutes - b.utc_offset_minutes) % 1440
    return (0, min(d, 1440 - d))


def choose_partner(seeker: Seeker, waiting: Iterable[Seeker], rules: Rules, now: datetime) -> Match | None:
    """Best allowed partner for `seeker` in `waiting`, in one pass.

    Preference: not met before, then different country, then the one waiting
    longest, then the most time-zone overlap, then key.
    """
    best: tuple | None = None
    for c in waiting:
        reasons = pair_reasons(seeker, c, rules, now)
        if reasons is None:
            continue
        repeat = Reason.REPEAT_ALLOWED in reasons
        rank = (repeat, c.country == seeker.country, c.waiting_since, _tz_rank(seeker, c), c.key)
        if best is None or rank < best[0]:
            best = (rank, c.key, reasons)
    return None if best is None else Match(partner=best[1], group=None, reasons=best[2])


def choose_group(seeker: Seeker, groups: Iterable[OpenGroup], rules: Rules, now: datetime) -> Match | None:
    """Open pair that `seeker` may join as third member, if triads are on and it waited past the window.

    The group must keep at least two countries. Preference: no past partner of
    the seeker in it, then no member from the seeker's country, then oldest, then key.
    Only the seeker's past partners are known, so "met before" is checked one way.
    """
    if not rules.allow_triads or not waited_past_window(seeker, rules, now):
        return None
    best: tuple | None = None
    for g in groups:
        if len(g.member_keys) != 2 or len(g.countries) != 2 or seeker.key in g.member_keys:
            continue
        if len({*g.countries, seeker.country}) < 2:  # would be a single-country triad
            continue
        repeat = any(m in seeker.past_partners for m in g.member_keys)
        rank = (repeat, seeker.country in g.countries, g.formed_at, g.key)
        if best is None or rank < best[0]:
            best = (rank, g.key, repeat)
    if best is None:
        return None
    reasons = (Reason.TRIAD, Reason.REPEAT_ALLOWED) if best[2] else (Reason.TRIAD,)
    return Match(partner=None, group=best[1], reasons=reasons)


def _sorted_unique(seekers: Iterable[Seeker]) -> list[Seeker]:
    """Learners in order of arrival (ties by key); keys must be unique."""
    people = sorted(seekers, key=lambda s: (s.waiting_since, s.key))
    if len({s.key for s in people}) != len(people):
        raise ValueError("seeker keys must be unique")
    return people


def _lane_front(order: list[Seeker], lane: list[int], start: int, alive: list[bool], s: Seeker) -> list[int]:
    """The part of one country's queue that can hold `s`'s best partner there.

    That is everything up to the first learner `s` has not met, plus the learners
    arriving at the same instant (they differ only in the time-zone tie-break).
    """
    out: list[int] = []
    tie: datetime | None = None
    for pos in range(start, len(lane)):
        if not alive[j := lane[pos]]:
            continue
        c = order[j]
        if tie is not None and c.waiting_since != tie:
            break
        out.append(j)
        if not _met(s, c):
            tie = c.waiting_since
            if s.utc_offset_minutes is None or _tz_rank(s, c) == (0, 0):
                break  # nobody later in this queue can rank higher
    return out


def settle(waiting: Sequence[Seeker], rules: Rules, now: datetime) -> list[tuple[str, str, tuple[Reason, ...]]]:
    """Pair waiting learners among themselves until no allowed pair is left.

    Same result as: in order of arrival, each learner still unpaired takes
    `choose_partner` over the learners after it. Learners are kept in one queue
    per country, so a learner only looks at the front of each queue: about
    O(n * countries), also when thousands from one country wait under REQUIRED.
    (Learners arriving at the very same instant are compared one by one.)
    Returns (earlier learner, partner, reasons) triples.
    """
    order = _sorted_unique(waiting)
    lanes: dict[str, list[int]] = {}
    for i, s in enumerate(order):
        lanes.setdefault(s.country, []).append(i)
    heads = dict.fromkeys(lanes, 0)
    alive = [True] * len(order)
    result: list[tuple[str, str, tuple[Reason, ...]]] = []
    for i, s in enumerate(order):
        if not alive[i]:
            continue
        alive[i] = False  # `s` leaves the pool; everyone before it already has
        # The learners left waited no longer than `s`, so under PREFERRED a
        # same-country partner is allowed exactly when `s` waited past the window.
        same_ok = rules.partner_rule == PartnerRule.ANY or (
            rules.partner_rule == PartnerRule.DIFFERENT_COUNTRY_PREFERRED and waited_past_window(s, rules, now)
        )
        candidates: list[int] = []
        for country, lane in list(lanes.items()):
            if country == s.country and not same_ok:
                continue
            start = heads[country]
            while start < len(lane) and not alive[lane[start]]:
                start += 1
            if start == len(lane):
                del lanes[country]
                continue
            heads[country] = start
            candidates += _lane_front(order, lane, start, alive, s)
        match = choose_partner(s, (order[j] for j in candidates), rules, now)
        if match is not None:
            j = next(j for j in candidates if order[j].key == match.partner)
            alive[j] = False
            result.append((s.key, order[j].key, match.reasons))
    return result


def upper_bound_cross_country_pairs(countries: Sequence[str]) -> int:
    """Most cross-country pairs possible: every pair needs someone outside the largest country."""
    n = len(countries)
    largest = max(Counter(countries).values(), default=0)
    return min(n // 2, n - largest)


def _max_cross_pairs(people: list[Seeker], rules: Rules, now: datetime) -> tuple[list[Pair], list[Seeker]]:
    """A matching with the most cross-country pairs, then the most pairs; `people` in arrival order.

    Let n learners, L in the largest country, k = n - L others.

    Case 2L < n: drop the latest arrival if n is odd, lay the rest out country by
    country (2m learners) and pair position i with i + m. A country holds at most
    L <= m learners in one contiguous block, so i and i + m are never in the same
    country: m = n // 2 cross-country pairs, the bound.

    Case 2L >= n: every other learner is paired with a distinct member of the
    largest country: k = n - L pairs, the bound. In any matching with k cross
    pairs each pair takes exactly one of the k others, so only the 2L - n spare
    members of the largest country are left, and they can only pair among
    themselves: none under REQUIRED, (2L - n) // 2 under ANY, and under PREFERRED
    one pair per member past the window at most. We keep that many members past
    the window out of the cross pairs, so that bound is reached too. The latest
    arrivals are the ones left without a partner.
    """
    if not people:
        return [], []
    lanes: dict[str, list[Seeker]] = {}
    for s in people:
        lanes.setdefault(s.country, []).append(s)
    by_size = sorted(lanes, key=lambda c: (-len(lanes[c]), c))
    big = lanes[by_size[0]]
    n, k = len(people), len(people) - len(big)
    if 2 * len(big) < n:
        singles = [people[-1]] if n % 2 else []
        if singles:
            lanes[singles[0].country].pop()  # the latest arrival is last in its lane
        line = [s for c in by_size for s in lanes[c]]
        m = len(line) // 2
        return [(line[i], line[i + m]) for i in range(m)], singles
    spare = len(big) - k
    if rules.partner_rule == PartnerRule.ANY:
        ok, p = len(big), spare // 2
    elif rules.partner_rule == PartnerRule.DIFFERENT_COUNTRY_PREFERRED:
        ok = sum(waited_past_window(s, rules, now) for s in big)  # a prefix, by arrival
        p = min(spare // 2, ok)
    else:
        ok, p = len(big), 0
    used, singles = big[:k + 2 * p], big[k + 2 * p:]
    ok = min(ok, len(used))
    a = min(k, ok - p)  # members past the window that may go to cross pairs
    cross = used[:a] + used[ok:ok + k - a]
    pool = used[a:ok] + used[ok + k - a:]  # 2p learners, the first p past the window
    others = [s for s in people if s.country != big[0].country]
    return list(zip(others, cross)) + [(pool[i], pool[i + p]) for i in range(p)], singles


def _best_pairs(people: list[Seeker], rules: Rules, now: datetime) -> tuple[tuple[int, int, int], list[Pair]]:
    """Exhaustive best matching of a few learners by (cross-country pairs, pairs, -repeats)."""
    best: list = [(0, 0, 0), []]

    def walk(rest: list[Seeker], chosen: list[Pair], score: tuple[int, int, int]) -> None:
        if score > best[0]:
            best[0], best[1] = score, list(chosen)
        if len(rest) < 2:
            return
        first, others = rest[0], rest[1:]
        walk(others, chosen, score)
        for j, o in enumerate(others):
            if pair_reasons(first, o, rules, now) is not None:
                chosen.append((first, o))
                step = (score[0] + (first.country != o.country), score[1] + 1, score[2] - _met(first, o))
                walk(others[:j] + others[j + 1:], chosen, step)
                chosen.pop()

    walk(people, [], (0, 0, 0))
    return best[0], best[1]


def _score(groups: Iterable[tuple[Seeker, ...]]) -> tuple[int, int, int]:
    pairs = [g for g in groups if len(g) == 2]
    return (sum(a.country != b.country for a, b in pairs), len(pairs), -sum(_met(a, b) for a, b in pairs))


def _rematch(groups: list[tuple[Seeker, ...]], hood: list[int], rules: Rules, now: datetime) -> bool:
    """Re-pair the groups at `hood` exactly, in place, if that scores better."""
    people = [s for j in hood for s in groups[j]]
    score, pairs = _best_pairs(people, rules, now)
    paired = {s.key for pair in pairs for s in pair}
    new = [*pairs, *((s,) for s in people if s.key not in paired)]
    if score <= _score(groups[j] for j in hood) or len(new) != len(hood):
        return False
    for j, group in zip(hood, new):
        groups[j] = group
    return True


def _neighbourhood(groups: list[tuple[Seeker, ...]], i: int, rules: Rules, now: datetime) -> list[int]:
    """Group `i` plus groups linked to it by allowed pairs, up to _HOOD_SIZE learners."""
    hood, members, grown = [i], list(groups[i]), True
    while grown:
        grown = False
        for j, g in enumerate(groups[:_SWAP_TRIES]):
            if j in hood or len(members) + len(g) > _HOOD_SIZE:
                continue
            if any(pair_reasons(x, y, rules, now) is not None for x in g for y in members):
                hood.append(j)
                members += g
                grown = True
    return hood


def _fix_repeat(groups: list[tuple[Seeker, ...]], i: int, rules: Rules, now: datetime) -> bool:
    """Try to re-pair repeat pair `i` with one other group, then with its neighbourhood."""
    tries = 0
    for j, other in enumerate(groups):
        if j == i or not any(pair_reasons(x, y, rules, now) and not _met(x, y) for x in groups[i] for y in other):
            continue  # no new pair without a repeat could come from this group
        if _rematch(groups, [i, j], rules, now):
            return True
        if (tries := tries + 1) >= _SWAP_TRIES:
            break
    return _rematch(groups, _neighbourhood(groups, i, rules, now), rules, now)


def _avoid_repeats(
    pairs: list[Pair], singles: list[Seeker], rules: Rules, now: datetime
) -> tuple[list[Pair], list[Seeker]]:
    """Remove repeat pairs by local search, keeping the cross-country pair and pair counts.

    A repeat pair is re-paired exactly together with one other group (a swap of
    partners, or with an unpaired learner), else with up to 8 linked learners,
    until a full pass changes nothing. Each change lowers the repeat count. A
    cohort of at most 8 learners is its own neighbourhood, so there the result has
    the fewest repeats possible; larger ones end where no two groups can swap.
    """
    groups: list[tuple[Seeker, ...]] = [*pairs, *((s,) for s in singles)]
    improved = True
    while improved:
        improved = False
        for i in range(len(groups)):
            if len(groups[i]) == 2 and _met(*groups[i]) and _fix_repeat(groups, i, rules, now):
                improved = True
    return [(g[0], g[1]) for g in groups if len(g) == 2], [g[0] for g in groups if len(g) == 1]


def batch_match(
    seekers: Sequence[Seeker], rules: Rules, now: datetime
) -> list[tuple[tuple[str, ...], tuple[Reason, ...]]]:
    """Staff action "pair everyone waiting now".

    Reaches the most cross-country pairs possible (`upper_bound_cross_country_pairs`),
    then the most pairs the rule allows, then avoids repeat partners by local
    swaps (see `_max_cross_pairs`, `_avoid_repeats`). With triads on and exactly
    one learner left over, that learner joins a pair that stays multi-country; the
    fallback window does not apply here, staff asked to place everyone.
    Deterministic; about O(n log n).
    """
    people = _sorted_unique(seekers)
    pairs, singles = _avoid_repeats(*_max_cross_pairs(people, rules, now), rules, now)
    out: list[tuple[tuple[str, ...], tuple[Reason, ...]]] = []
    for a, b in pairs:
        reasons = pair_reasons(a, b, rules, now)
        assert reasons is not None, "batch formed a pair the rules forbid"
        out.append(((a.key, b.key), reasons))
    if rules.allow_triads and len(singles) == 1:
        x = singles[0]
        options = [
            ((_met(x, a) or _met(x, b), x.country in (a.country, b.country), i), i)
            for i, (a, b) in enumerate(pairs)
            if len({a.country, b.country, x.country}) >= 2
        ]
        if options:
            (repeat, _, _), i = min(options)
            keys, reasons = out[i]
            repeat_note = (Reason.REPEAT_ALLOWED,) if repeat and Reason.REPEAT_ALLOWED not in reasons else ()
            out[i] = ((*keys, x.key), (*reasons, Reason.TRIAD, *repeat_note))
    return out
