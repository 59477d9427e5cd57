"""Agreement between assessors (issue 16): the statistics, and the SQL aggregates they feed on.

Why these figures (docs/agreement.md): most EE criteria are rated "met" by everyone, and
Cohen's kappa then collapses towards zero (or is undefined) even when two assessors agree on
nearly every criterion: its chance term is the product of the two raters' marginals, which
is close to 1 when both say "met" almost always. Gwet's AC1 puts the chance term on how far
the ratings are from an even spread over the scale instead, so it stays high when agreement
is high. Percent agreement is shown beside it because people read it at a glance.

The arithmetic works from a contingency table (how many criteria each pair of ratings,
own × other, was seen on): that is what one SQL ``GROUP BY`` returns, so the whole network's
history is aggregated in the database and only the small tables reach Python. The formulas
are Gwet's for two raters (Handbook of Inter-Rater Reliability, 4th ed., 2014; the same as
``gwet.ac1.table`` in his irrCAC package, which tests/reviews/test_agreement.py cross-checks).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Protocol

Table = Mapping[tuple[str, str], int]

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Agreement:
    """Agreement over ``n`` rated criteria: ``agreed`` of them matched."""

    n: int
    agreed: int
    ac1: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    kappa: float | None

    @property
    def percent(self) -> float:
        return 100.0 * self.agreed / self.n if self.n else 0.0

    @property
    def disagreed(self) -> int:
        return self.n - self.agreed


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile by the Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5).

    Within 1e-4 of the exact value from 5 degrees of freedom up (the CI of fewer than six
    criteria is wide whatever the last digit); the normal quantile when df is huge.
    """
    z = NormalDist().inv_cdf(p)
    if df <= 0:
        return math.inf
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def categories_for(scale: Sequence[str], table: Table) -> list[str]:
    """The scale's values in order, then any value seen in the table but not on the scale."""
    seen = list(dict.fromkeys(scale))
    for own, other in table:
        for value in (own, other):
            if value not in seen:
                seen.append(value)
    return seen


def agreement_from_table(
    table: Table, categories: Sequence[str], *, confidence: float = CONFIDENCE
) -> Agreement | None:
    """Percent agreement, Gwet's AC1 with its standard error and confidence interval, and
    Cohen's kappa (for comparison only), from counts per (rating, other rating).

    None when nothing was rated. AC1 is None when the scale has a single value (no chance
    correction is possible); kappa is None when its chance agreement is 1 (both raters used
    one and the same value throughout: the "kappa paradox" at its extreme).
    """
    n = sum(table.values())
    if n <= 0:
        return None
    cats = categories_for(categories, table)
    q = len(cats)
    agreed = sum(count for (a, b), count in table.items() if a == b)
    pa = agreed / n
    rows = {k: 0 for k in cats}
    cols = {k: 0 for k in cats}
    for (a, b), count in table.items():
        rows[a] += count
        cols[b] += count
    pi = {k: (rows[k] + cols[k]) / (2 * n) for k in cats}
    pe_kappa = sum(rows[k] * cols[k] for k in cats) / (n * n)
    kappa = None if math.isclose(pe_kappa, 1.0) else (pa - pe_kappa) / (1 - pe_kappa)
    if q < 2:
        return Agreement(n, agreed, None, None, None, None, kappa)
    pe = sum(p * (1 - p) for p in pi.values()) / (q - 1)
    ac1 = (pa - pe) / (1 - pe)
    # Gwet's variance for two raters, unweighted, infinite population (f = 0).
    sum1 = 0.0
    for (a, b), count in table.items():
        weight = 1.0 if a == b else 0.0
        term = weight - 2 * (1 - ac1) * (1 - (pi[a] + pi[b]) / 2) / (q - 1)
        sum1 += count / n * term * term
    variance = (sum1 - (pa - 2 * (1 - ac1) * pe) ** 2) / (n * (1 - pe) ** 2)
    se = math.sqrt(max(variance, 0.0))
    half = se * t_quantile(1 - (1 - confidence) / 2, n - 1) if n > 1 else math.inf
    return Agreement(
        n=n,
        agreed=agreed,
        ac1=ac1,
        se=se,
        ci_low=max(-1.0, ac1 - half),
        ci_high=min(1.0, ac1 + half),
        kappa=kappa,
    )


def agreement_among(items: Iterable[Sequence[str]], categories: Sequence[str]) -> Agreement | None:
    """Agreement among the assessors of one portfolio: ``items`` holds each criterion's
    ratings (one per assessor; criteria someone left unrated are left out by the caller).

    Two assessors: the table above (with its CI). Three or more: Gwet's multi-rater AC1
    (pa is the share of agreeing pairs per criterion, averaged), without a CI; a criterion
    counts as agreed when every assessor gave the same rating.
    """
    rated = [list(ratings) for ratings in items if len(ratings) >= 2]
    if not rated:
        return None
    if all(len(r) == 2 for r in rated):
        table: dict[tuple[str, str], int] = {}
        for a, b in rated:
            table[(a, b)] = table.get((a, b), 0) + 1
        return agreement_from_table(table, categories)
    cats = categories_for(categories, {(v, v): 1 for r in rated for v in r})
    q, n = len(cats), len(rated)
    agreed = sum(1 for r in rated if len(set(r)) == 1)
    pa = 0.0
    pi = dict.fromkeys(cats, 0.0)
    for ratings in rated:
        r = len(ratings)
        for k in cats:
            count = ratings.count(k)
            pa += count * (count - 1) / (r * (r - 1)) / n
            pi[k] += count / r / n
    if q < 2:
        return Agreement(n, agreed, None, None, None, None, None)
    pe = sum(p * (1 - p) for p in pi.values()) / (q - 1)
    return Agreement(n, agreed, (pa - pe) / (1 - pe), None, None, None, None)


class _Row(Protocol):
    scores: Sequence[Any]
    submitted: Sequence[bool]


def portfolio_agreement(*, rows: Iterable[_Row], scale: Sequence[str]) -> Agreement | None:
    """Agreement between a portfolio's assessors, from the consolidation rows already loaded
    (no query): per criterion, the ratings of the assessors who have submitted theirs."""
    items = []
    for row in rows:
        ratings = [
            score.rating
            for score, submitted in zip(row.scores, row.submitted, strict=True)
            if submitted and score is not None and score.rating
        ]
        items.append(ratings)
    return agreement_among(items, scale)
