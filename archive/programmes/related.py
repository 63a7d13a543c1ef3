"""Related reports: for every report, the five that share the most programmes, each weighted by its rarity."""
from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from ..content import Programme, Report
from .registry import name_key

RELATED_LIMIT = 5
_T = TypeVar("_T")

Related = tuple[Report, float, tuple[Programme, ...]]  # (other report, score, programmes shared, rarest first)


class RelatedMemo(Protocol):
    """What this step needs of a watch session's memo."""

    def same(self, name: str, inputs: object, compute: Callable[[], _T]) -> _T:
        """compute()'s result, or the last one made under this name from equal inputs."""
        ...


def related(reports: Sequence[Report], sets: Mapping[str, frozenset[str]], idf: dict[str, float],
            programmes: dict[str, Programme], memo: RelatedMemo | None = None) -> dict[str, tuple[Related, ...]]:
    """For every report, the reports sharing the most programmes, each weighted by its IDF, best first."""
    newest_first = sorted(reports, key=lambda r: (tuple(-x for x in r.date.sort_key()), r.slug))
    order = [r.slug for r in newest_first]
    if memo is None:
        picked = related_slugs(order, sets, idf, programmes)
    else:  # an edit seldom changes which programmes a report mentions: then the same slugs, at no cost
        picked = memo.same("related", (order, sets, idf, list(programmes.values())),
                           lambda: related_slugs(order, sets, idf, programmes))
    by_slug = {r.slug: r for r in reports}
    return {r.slug: tuple((by_slug[other], value, tuple(programmes[s] for s in shared))
                          for other, value, shared in picked[r.slug])
            for r in reports}


def _scorer(idf: dict[str, float], slugs: list[str]) -> Callable[[int], float]:
    """The score of a bit mask of programmes (bit i: slugs[i]): the sum of their IDF, rounded, remembered."""
    # a sum of 8-bit chunk tables: four lookups for 26 programmes
    chunks = []
    for c in range(0, len(slugs), 8):
        table = [sum(idf[slugs[c + k]] for k in range(8) if value >> k & 1 and c + k < len(slugs))
                 for value in range(256)]
        chunks.append((c, table))
    scores: dict[int, float] = {}

    def score(mask: int) -> float:
        """The IDF sum of the programmes in mask, rounded so equal sets score equal whatever the order."""
        value = scores.get(mask)
        if value is None:
            value = scores[mask] = round(sum(table[(mask >> c) & 255] for c, table in chunks), 6)
        return value

    return score


def related_slugs(order: list[str], sets: Mapping[str, frozenset[str]], idf: dict[str, float],
                  programmes: dict[str, Programme]) -> dict[str, list[tuple[str, float, list[str]]]]:
    """related() by slugs, the reports given newest first: [(other report, score, shared programmes)].

    Only reports that share a programme are scored, rarest (heaviest) programme first: once the fifth best
    score exceeds what the programmes not yet walked could add up to, no other report can enter the list.
    Programme sets are bit masks; a score is computed once per distinct intersection.
    """
    slugs = sorted(idf)
    bit = {s: 1 << i for i, s in enumerate(slugs)}
    score = _scorer(idf, slugs)
    masks = [sum(bit[s] for s in sets[slug] if s in bit) for slug in order]
    members: dict[str, list[int]] = defaultdict(list)  # programme -> ranks (newest first) of its reports
    for rank, slug in enumerate(order):
        for s in sets[slug]:
            if s in bit:
                members[s].append(rank)
    out: dict[str, list[tuple[str, float, list[str]]]] = {}
    for rank, slug in enumerate(order):
        own = sorted((s for s in sets[slug] if s in bit), key=lambda s: (-idf[s], s))
        # what the reports sharing none of own[:j] can score at most (a margin for the rounding)
        bound = [0.0] * (len(own) + 1)
        for j in range(len(own) - 1, -1, -1):
            bound[j] = bound[j + 1] + idf[own[j]]
        seen = {rank}
        # the best five so far as (score, -rank): the heap's first is the one the next better report replaces
        best: list[tuple[float, int]] = []
        for j, s in enumerate(own):
            if len(best) >= RELATED_LIMIT and bound[j] + 1e-5 < best[0][0]:
                break
            for other in members[s]:
                if other not in seen:
                    seen.add(other)
                    entry = (score(masks[rank] & masks[other]), -other)
                    if len(best) < RELATED_LIMIT:
                        heapq.heappush(best, entry)
                    elif entry > best[0]:
                        heapq.heapreplace(best, entry)
        out[slug] = [(order[-r], value, _shared(sets[slug] & sets[order[-r]], idf, programmes))
                     for value, r in sorted(best, key=lambda e: (-e[0], -e[1]))]
    return out


def _shared(shared: frozenset[str], idf: dict[str, float], programmes: dict[str, Programme]) -> list[str]:
    """Programmes two reports share, rarest first, then by name."""
    return sorted(shared, key=lambda s: (-idf[s], name_key(programmes[s])))
