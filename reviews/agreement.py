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

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Protocol

from django.db import connection
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import User
from standards.models import Criterion, Framework

from .enums import AssignmentState
from .models import CalibrationExercise, CriterionScore

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


# --- reads: the SQL aggregates -----------------------------------------------------------------


def rating_scale() -> list[str]:
    """Every rating value of every framework's scale, in scale order (one query). The number
    of categories (q) is the scale's, not just the values someone happened to use."""
    values: list[str] = []
    for scale in Framework.objects.order_by("id").values_list("rating_scale", flat=True):
        for item in scale or ():
            if item.get("value") not in values:
                values.append(item["value"])
    return values or ["met", "partly_met", "not_met"]


def _not_practice() -> Q:
    """The rating's portfolio has no calibration exercise. Written as NOT EXISTS rather than
    a LEFT JOIN ... IS NULL: PostgreSQL estimates the anti-join well and hash-joins the
    ratings in parallel (3 s instead of 8 s for 1.6 million ratings, bench/agreement.py)."""
    return ~Q(
        Exists(
            CalibrationExercise.objects.filter(portfolio_id=OuterRef("assignment__portfolio_id"))
        )
    )


def scored_against_agreed() -> QuerySet[CriterionScore]:
    """Each submitted rating beside the portfolio's agreed rating for the same criterion.

    Practice portfolios (a CalibrationExercise) are left out here, once, so no real figure
    can include a practice rating; so are unrated criteria and criteria not yet agreed.
    """
    return (
        CriterionScore.objects.annotate(
            agreed=FilteredRelation(
                "assignment__portfolio__agreed_scores",
                condition=Q(assignment__portfolio__agreed_scores__criterion=F("criterion")),
            )
        )
        .filter(
            _not_practice(),
            assignment__state=AssignmentState.SUBMITTED,
            agreed__rating__gt="",
        )
        .exclude(rating="")
    )


def _add(
    tables: dict[Any, dict[tuple[str, str], int]], key: Any, own: str, other: str, n: int
) -> None:
    table = tables.setdefault(key, {})
    table[(own, other)] = table.get((own, other), 0) + n


@dataclass(frozen=True)
class AssessorAgreement:
    assessor: User
    overall: Agreement | None


def agreement_by_assessor() -> dict[int, Agreement | None]:
    """Each assessor's agreement with the agreed ratings, over their whole history.

    One aggregate query (GROUP BY assessor, own rating, agreed rating) and one for the
    scale; the arithmetic runs on at most q x q counts per assessor.
    """
    rows = (
        scored_against_agreed()
        .annotate(agreed_rating=F("agreed__rating"))
        .values_list("assignment__assessor_id", "rating", "agreed_rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    tables: dict[Any, dict[tuple[str, str], int]] = {}
    for assessor_id, own, agreed, n in rows:
        _add(tables, assessor_id, own, agreed, n)
    scale = rating_scale()
    return {key: agreement_from_table(table, scale) for key, table in tables.items()}


def assessor_agreement_list() -> list[AssessorAgreement]:
    """Every assessor (active or not, by name) with their overall agreement: three queries."""
    figures = agreement_by_assessor()
    assessors = User.objects.filter(is_assessor=True).order_by("full_name", "email")
    return [AssessorAgreement(a, figures.get(a.pk)) for a in assessors]


@dataclass(frozen=True)
class QuarterAgreement:
    start: dt.date
    agreement: Agreement

    @property
    def label(self) -> str:
        return _("%(year)s Q%(quarter)s") % {
            "year": self.start.year,
            "quarter": (self.start.month - 1) // 3 + 1,
        }


@dataclass(frozen=True)
class AssessorHistory:
    overall: Agreement | None
    quarters: list[QuarterAgreement]


def assessor_history(*, assessor: User) -> AssessorHistory:
    """One assessor's agreement overall and per quarter (of their scores' submission).

    Two queries whatever the history: the aggregate (GROUP BY quarter, own, agreed) and the
    scale; the overall table is the sum of the quarters' tables.
    """
    rows = (
        scored_against_agreed()
        .filter(assignment__assessor=assessor)
        .annotate(
            quarter=TruncQuarter("assignment__scores_submitted_at"),
            agreed_rating=F("agreed__rating"),
        )
        .values_list("quarter", "rating", "agreed_rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    tables: dict[Any, dict[tuple[str, str], int]] = {}
    for quarter, own, agreed, n in rows:
        start = timezone.localtime(quarter).date() if isinstance(quarter, dt.datetime) else quarter
        _add(tables, start, own, agreed, n)
        _add(tables, None, own, agreed, n)
    scale = rating_scale()
    quarters = []
    for start in sorted(k for k in tables if k is not None):
        figure = agreement_from_table(tables[start], scale)
        if figure is not None:
            quarters.append(QuarterAgreement(start, figure))
    overall = agreement_from_table(tables[None], scale) if None in tables else None
    return AssessorHistory(overall=overall, quarters=quarters)


@dataclass(frozen=True)
class CriterionSplit:
    criterion: Criterion
    portfolios: int
    splits: int

    @property
    def rate(self) -> float:
        return self.splits / self.portfolios if self.portfolios else 0.0

    @property
    def percent(self) -> float:
        return 100.0 * self.rate


def criterion_disagreement() -> list[CriterionSplit]:
    """Per criterion across the network: on how many portfolios scored by two or more
    assessors (submitted, real portfolios only) they gave different ratings, ranked by that
    share, then by count. Two queries: one nested aggregate (per portfolio and criterion,
    then per criterion) and the criteria with their standard and framework.
    """
    per_portfolio = (
        CriterionScore.objects.filter(_not_practice(), assignment__state=AssignmentState.SUBMITTED)
        .exclude(rating="")
        .values(scored_portfolio=F("assignment__portfolio_id"), scored_criterion=F("criterion_id"))
        .annotate(raters=Count("id"), ratings=Count("rating", distinct=True))
        .filter(raters__gte=2)
        .order_by()
    )
    inner, params = per_portfolio.query.sql_with_params()
    # The inner SQL is Django's own, with its parameters bound by the driver.
    outer = "SELECT t.scored_criterion, COUNT(*), SUM(CASE WHEN t.ratings > 1 THEN 1 ELSE 0 END)"
    sql = f"{outer} FROM ({inner}) t GROUP BY t.scored_criterion"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = {row[0]: (int(row[1]), int(row[2] or 0)) for row in cursor.fetchall()}
    criteria = Criterion.objects.filter(pk__in=counts).select_related("standard__framework")
    ranking = [CriterionSplit(c, *counts[c.pk]) for c in criteria]
    ranking.sort(key=lambda r: (-r.rate, -r.splits, r.criterion.standard.number, r.criterion.code))
    return ranking


# --- charts: geometry for the server-drawn SVGs (the tables beside them carry the data) ---------

CHART_WIDTH = 640
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 48, 16, 16, 44


def _axis_floor(values: Iterable[float | None]) -> float:
    low = min([0.0, *(v for v in values if v is not None)])
    return math.floor(low * 5) / 5  # down to a multiple of 0.2


def _ticks(low: float) -> list[tuple[float, str]]:
    """Axis ticks every 0.2 from ``low`` up to 1."""
    values = [round(low + 0.2 * i, 1) + 0.0 for i in range(round((1 - low) / 0.2) + 1)]
    return [(value, f"{value:.1f}") for value in values]


def trend_chart(quarters: Sequence[QuarterAgreement], height: int = 260) -> dict[str, Any]:
    """Points for AC1 (with its CI as a whisker) and percent agreement per quarter."""
    low = _axis_floor(q.agreement.ci_low for q in quarters)
    plot_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_h = height - CHART_TOP - CHART_BOTTOM

    def y(value: float) -> float:
        return round(CHART_TOP + (1 - (value - low) / (1 - low)) * plot_h, 1)

    step = plot_w / max(len(quarters), 1)
    points = []
    for index, quarter in enumerate(quarters):
        figure = quarter.agreement
        x = round(CHART_LEFT + step * (index + 0.5), 1)
        ac1 = figure.ac1 if figure.ac1 is not None else 0.0
        points.append(
            {
                "x": x,
                "label": quarter.label,
                "ac1_y": y(ac1),
                "low_y": y(figure.ci_low if figure.ci_low is not None else ac1),
                "high_y": y(figure.ci_high if figure.ci_high is not None else ac1),
                "percent_y": y(figure.percent / 100),
            }
        )
    ticks = [{"y": y(value), "label": label} for value, label in _ticks(low)]
    return {
        "width": CHART_WIDTH,
        "height": height,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "bottom": height - CHART_BOTTOM,
        "label_y": height - CHART_BOTTOM + 18,
        "legend_y": height - 6,
        "zero_y": y(0.0),
        "ticks": ticks,
        "points": points,
        "ac1_line": " ".join(f"{p['x']},{p['ac1_y']}" for p in points),
        "percent_line": " ".join(f"{p['x']},{p['percent_y']}" for p in points),
    }


def assessor_chart(rows: Sequence[AssessorAgreement], row_height: int = 26) -> dict[str, Any]:
    """A horizontal bar per assessor with figures: AC1, with the CI as a whisker."""
    shown = [
        (str(r.assessor), r.overall)
        for r in rows
        if r.overall is not None and r.overall.ac1 is not None
    ]
    left, right = 200, CHART_WIDTH - CHART_RIGHT
    low = _axis_floor(figure.ci_low for _name, figure in shown)

    def x(value: float) -> float:
        return round(left + (value - low) / (1 - low) * (right - left), 1)

    bars = []
    for index, (name, figure) in enumerate(shown):
        ac1 = figure.ac1 or 0.0
        top = CHART_TOP + index * row_height
        start, end = sorted((x(0.0), x(ac1)))
        bars.append(
            {
                "name": name,
                "y": top + 4,
                "text_y": top + row_height / 2 + 4,
                "mid_y": top + row_height / 2,
                "x": start,
                "width": max(round(end - start, 1), 1),
                "low_x": x(figure.ci_low if figure.ci_low is not None else ac1),
                "high_x": x(figure.ci_high if figure.ci_high is not None else ac1),
                "bar_height": row_height - 8,
            }
        )
    height = CHART_TOP + len(shown) * row_height + CHART_BOTTOM
    ticks = [{"x": x(value), "label": label} for value, label in _ticks(low)]
    return {
        "width": CHART_WIDTH,
        "height": height,
        "left": left,
        "bottom": height - CHART_BOTTOM,
        "label_y": height - CHART_BOTTOM + 18,
        "zero_x": x(0.0),
        "ticks": ticks,
        "bars": bars,
    }
