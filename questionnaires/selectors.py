"""Reads for questionnaires. Every result shown anywhere (builder, round page, scoring page,
report PDFs, national view, CSV exports) is computed here, and only here, under one rule:

    A round's results are drawn from its first k*N responses (by the order they were
    stored), where N is the questionnaire set's threshold and k = responses // N.

So nothing shows below N, and any two views of the same round, at any two moments, differ by
whole groups of N responses: no difference between two views (or two filters, or an export
and a page) narrows anything down to fewer than N people. Aggregates over several rounds
(the national view) add whole groups, so the same holds. Within a visible group, a standard
whose answered count is below N shows no share either (small-cell suppression). Free-text
comments come from the same responses, without dates, shuffled.
"""

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from ee_portal.lib.db import get_with_related
from network.models import User
from portfolios.models import Portfolio
from standards.models import Standard

from .enums import (
    AGREE_CHOICES,
    AGREED_VALUES,
    ANSWERED_VALUES,
    YES_NO_CHOICES,
    AnswerType,
    Audience,
    QuestionnaireStatus,
)
from .models import Answer, Contribution, Item, QuestionnaireSet, Response, Round

_LABELS = {**dict(AGREE_CHOICES), **dict(YES_NO_CHOICES)}
# The order the distribution bar draws values in (left to right).
BAR_ORDER = ("1", "2", "3", "4", "5", "no", "yes", "dk", "pn")
# Fill colours as SVG attributes (no inline styles under the CSP): red to green, greys.
BAR_CLASS = {
    "1": "#b42318",
    "2": "#e8776c",
    "3": "#c9c9c9",
    "4": "#6fbf8f",
    "5": "#1e7a46",
    "no": "#e8776c",
    "yes": "#6fbf8f",
    "dk": "#8d9499",
    "pn": "#5f666b",
}
# The key drawn beside the bars: (colour, label), in the bars' order.
BAR_KEY = [(BAR_CLASS[value], _LABELS[value]) for value in ("1", "2", "3", "4", "5", "dk", "pn")]
_shuffle = random.SystemRandom()
EXPORT_CHUNK = 500


def questionnaire_for_framework(*, framework_id: int) -> QuestionnaireSet | None:
    """The newest published questionnaire set of the framework, or None. One query."""
    return (
        QuestionnaireSet.objects.filter(
            framework_id=framework_id, status=QuestionnaireStatus.PUBLISHED
        )
        .order_by("-published_at", "-id")
        .first()
    )


def questionnaire_current() -> QuestionnaireSet | None:
    """The newest published (or retired) set, for the national view. One query."""
    return (
        QuestionnaireSet.objects.exclude(status=QuestionnaireStatus.DRAFT)
        .order_by("-published_at", "-id")
        .first()
    )


def round_get_by_token(*, token: str, with_unit: bool = True) -> Round | None:
    """The round behind an anonymous link, with its set and (unless ``with_unit`` is off, for
    a post that only redirects once stored) its portfolio's unit. One query; for a post, by
    SQL built once per process (many people post to one round at once)."""
    if not token or len(token) > 64:
        return None
    if not with_unit:
        return get_with_related(Round, token, "questionnaire", by="token")
    return (
        Round.objects.select_related("questionnaire", "portfolio__unit").filter(token=token).first()
    )


# A round's token, set, audience and portfolio never change while it takes answers; whether
# it is open does (dates, closing early) and is never taken from here (see round_for_post).
_posting_rounds: dict[str, Round] = {}
_POSTING_ROUNDS_KEPT = 1000


def round_for_post(*, token: str) -> Round | None:
    """The round behind an anonymous link, for storing a post: its ids and set, read once per
    process on PostgreSQL (a whole community meeting posts to one round at once), where
    response_submit's own insert checks, in the same statement, that the round still has this
    token and is open today. Nothing else may be read from it: use round_get_by_token for a
    page. Elsewhere (SQLite) it is read afresh, and response_submit checks it in Python."""
    if connection.vendor != "postgresql":
        return round_get_by_token(token=token, with_unit=False)
    found = _posting_rounds.get(token)
    if found is None:
        found = round_get_by_token(token=token, with_unit=False)
        if found is None or found.questionnaire.status != QuestionnaireStatus.PUBLISHED:
            return found
        if len(_posting_rounds) >= _POSTING_ROUNDS_KEPT:
            _posting_rounds.clear()
        _posting_rounds[token] = found
    return found


def round_get_for_user(*, user: User, pk: int, perm: str) -> Round:
    """The round, or Http404 when it does not exist or ``perm`` is refused on its portfolio."""
    round_ = (
        Round.objects.select_related("questionnaire", "portfolio__unit", "portfolio__framework")
        .filter(pk=pk)
        .first()
    )
    if round_ is None or not user.has_perm(perm, round_.portfolio):
        raise Http404
    return round_


def contribution_get_for_user(*, user: User, pk: int) -> Contribution:
    contribution = (
        Contribution.objects.select_related("round__portfolio__unit").filter(pk=pk).first()
    )
    if contribution is None or not user.has_perm(
        "questionnaires.moderate_contributions", contribution.round.portfolio
    ):
        raise Http404
    return contribution


# A published set's items never change (models.QuestionnaireSet.save refuses), so each process
# keeps them once per set and audience: the anonymous page and its posts skip a query.
_published_items: dict[tuple[int, str, Any], list[Item]] = {}


def items_for(*, questionnaire: QuestionnaireSet, audience: str) -> list[Item]:
    """The audience's items in order, with standard and criterion. One query, none for a
    published set already read by this process."""
    # The publication time is in the key: a primary key a test database has reused never
    # finds another set's items.
    key = (questionnaire.pk, audience, questionnaire.published_at)
    cached = _published_items.get(key)
    if cached is not None:
        return list(cached)
    items = list(
        Item.objects.filter(questionnaire=questionnaire, audience=audience)
        .select_related("standard", "criterion")
        .order_by("number")
    )
    if questionnaire.status == QuestionnaireStatus.PUBLISHED and questionnaire.published_at:
        _published_items[key] = items
    return list(items)


def rounds_for_portfolio(*, portfolio: Portfolio) -> list[Round]:
    return list(
        Round.objects.filter(portfolio=portfolio)
        .select_related("questionnaire")
        .order_by("audience")
    )


def pending_contributions(*, portfolio: Portfolio) -> QuerySet[Contribution]:
    return Contribution.objects.filter(round__portfolio=portfolio).order_by("id")


# --- the one place results are computed ------------------------------------------------------


def included_count(total: int, threshold: int) -> int:
    """How many of a round's responses its results are drawn from: whole groups of N."""
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    return (total // threshold) * threshold


def included_responses(rounds: Iterable[Round] | QuerySet[Round]) -> QuerySet[Response]:
    """The responses results may be drawn from: each round's first k*N (by id), in SQL."""
    ranked = (
        Response.objects.filter(round__in=rounds)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("round_id")], order_by=F("id").asc()),
            total=Window(Count("id"), partition_by=[F("round_id")]),
        )
        .filter(
            rank__lte=(F("total") / F("round__questionnaire__min_responses"))
            * F("round__questionnaire__min_responses")
        )
    )
    return Response.objects.filter(pk__in=ranked.values("pk"))


@dataclass
class Bar:
    value: str
    label: str
    count: int
    percent: int
    css: str
    x: float = 0.0


@dataclass
class StandardResult:
    standard_id: int
    number: int
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    threshold: int = 5

    @property
    def answered(self) -> int:
        return sum(n for value, n in self.counts.items() if value in ANSWERED_VALUES)

    @property
    def agreed(self) -> int:
        return sum(n for value, n in self.counts.items() if value in AGREED_VALUES)

    @property
    def suppressed(self) -> bool:
        return self.answered < self.threshold

    @property
    def share(self) -> int:
        return round(100 * self.agreed / self.answered) if self.answered else 0

    @property
    def bars(self) -> list[Bar]:
        total = sum(self.counts.values())
        out: list[Bar] = []
        x = 0.0
        for value in BAR_ORDER:
            n = self.counts.get(value, 0)
            if not n:
                continue
            width = 100 * n / total
            out.append(Bar(value, str(_LABELS[value]), n, round(width), BAR_CLASS[value], x))
            x += width
        return out


@dataclass
class RoundResult:
    round: Round
    responses: int  # every stored response: always shown against the expected number
    threshold: int
    included: int = 0
    standards: dict[int, StandardResult] = field(default_factory=dict)

    @property
    def visible(self) -> bool:
        return self.included >= self.threshold

    @property
    def expected(self) -> int:
        return self.round.expected_count

    @property
    def waiting(self) -> int:
        """Responses stored but not yet in the results (fewer than N since the last group)."""
        return self.responses - self.included


def response_counts(rounds: Iterable[Round]) -> dict[int, int]:
    """Stored responses per round (always safe to show). One query."""
    ids = [r.pk for r in rounds]
    return dict(
        Response.objects.filter(round_id__in=ids)
        .values_list("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )


def round_results(*, rounds: list[Round]) -> dict[int, RoundResult]:
    """Results per round (the rule in this module's docstring). Rounds need their
    questionnaire loaded. Two queries whatever the number of rounds and responses (one when
    no round has a visible group)."""
    counts = response_counts(rounds)
    results: dict[int, RoundResult] = {}
    for round_ in rounds:
        threshold = round_.questionnaire.min_responses
        total = counts.get(round_.pk, 0)
        results[round_.pk] = RoundResult(
            round=round_,
            responses=total,
            threshold=threshold,
            included=included_count(total, threshold),
        )
    visible = [r.round for r in results.values() if r.visible]
    if not visible:
        return results
    rows = (
        Answer.objects.filter(response__in=included_responses(visible))
        .exclude(item__answer_type=AnswerType.TEXT)
        .exclude(value="")
        .values_list(
            "response__round_id",
            "item__standard_id",
            "item__standard__number",
            "item__standard__name",
            "value",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for round_id, standard_id, number, name, value, n in rows:
        result = results[round_id]
        standard = result.standards.setdefault(
            standard_id, StandardResult(standard_id, number, name, threshold=result.threshold)
        )
        standard.counts[value] = standard.counts.get(value, 0) + n
    return results


def round_comments(*, round_: Round) -> list[str]:
    """Free-text answers of the round's included responses: no dates, shuffled; [] below N.
    Two queries."""
    total = response_counts([round_]).get(round_.pk, 0)
    if (
        included_count(total, round_.questionnaire.min_responses)
        < round_.questionnaire.min_responses
    ):
        return []
    comments = list(
        Answer.objects.filter(
            response__in=included_responses([round_]), item__answer_type=AnswerType.TEXT
        )
        .exclude(text="")
        .values_list("text", flat=True)
    )
    _shuffle.shuffle(comments)
    return comments


@dataclass
class StandardPanel:
    """One standard's results for one portfolio: this cycle's rounds and the previous
    cycle's, per audience."""

    standard: Standard
    current: list[tuple[RoundResult, StandardResult | None]] = field(default_factory=list)
    previous: list[tuple[RoundResult, StandardResult | None]] = field(default_factory=list)


def portfolio_results(*, portfolio: Portfolio) -> tuple[list[RoundResult], list[RoundResult]]:
    """This cycle's and the previous cycle's round results. Three queries at most."""
    portfolio_ids = [portfolio.pk]
    if portfolio.previous_id:
        portfolio_ids.append(portfolio.previous_id)
    rounds = list(
        Round.objects.filter(portfolio_id__in=portfolio_ids)
        .select_related("questionnaire")
        .order_by("audience")
    )
    if not rounds:
        return [], []
    results = round_results(rounds=rounds)
    current = [results[r.pk] for r in rounds if r.portfolio_id == portfolio.pk]
    previous = [results[r.pk] for r in rounds if r.portfolio_id != portfolio.pk]
    return current, previous


# --- readiness --------------------------------------------------------------------------------


@dataclass
class RoundNeed:
    audience: str
    message: str


def questionnaire_needs(*, portfolio: Portfolio) -> list[RoundNeed]:
    """What the questionnaire rule still asks before submission: a closed round per audience
    of the framework's set with at least N responses. [] when the set does not require it.
    Three queries at most."""
    questionnaire = questionnaire_for_framework(framework_id=portfolio.framework_id)
    if questionnaire is None or not questionnaire.required_for_submission:
        return []
    rounds = {
        r.audience: r
        for r in Round.objects.filter(portfolio=portfolio).select_related("questionnaire")
    }
    counts = response_counts(rounds.values()) if rounds else {}
    needs: list[RoundNeed] = []
    threshold = questionnaire.min_responses
    for audience in questionnaire.audiences:
        label = str(Audience(audience).label).lower()
        round_ = rounds.get(audience)
        if round_ is None:
            needs.append(RoundNeed(audience, f"Questionnaires: open a round for {label}."))
            continue
        n = counts.get(round_.pk, 0)
        if n < threshold:
            needs.append(
                RoundNeed(
                    audience,
                    f"Questionnaires: {label} need at least {threshold} responses (so far {n}).",
                )
            )
        elif not round_.is_closed:
            needs.append(RoundNeed(audience, f"Questionnaires: close the round for {label}."))
    return needs


# --- national view and exports ----------------------------------------------------------------


@dataclass
class NationalRow:
    audience: str
    standard: StandardResult
    units: int

    @property
    def audience_label(self) -> str:
        return str(Audience(self.audience).label)


def national_results(
    *, questionnaire: QuestionnaireSet, audience: str = ""
) -> tuple[list[NationalRow], int]:
    """Per audience and standard, across every unit's rounds of the set that have a visible
    group (whole groups of N only). Returns the rows and the number of rounds counted.
    Three queries whatever the number of units and responses."""
    rounds_qs = Round.objects.filter(questionnaire=questionnaire)
    if audience:
        rounds_qs = rounds_qs.filter(audience=audience)
    threshold = questionnaire.min_responses
    totals = dict(
        Response.objects.filter(round__in=rounds_qs)
        .values_list("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    counted = [pk for pk, n in totals.items() if included_count(n, threshold) >= threshold]
    if not counted:
        return [], 0
    rows = (
        Answer.objects.filter(response__in=included_responses(Round.objects.filter(pk__in=counted)))
        .exclude(item__answer_type=AnswerType.TEXT)
        .exclude(value="")
        .values_list(
            "item__audience",
            "item__standard_id",
            "item__standard__number",
            "item__standard__name",
            "value",
        )
        .annotate(n=Count("id"), units=Count("response__round__portfolio__unit", distinct=True))
        .order_by()
    )
    by_key: dict[tuple[str, int], NationalRow] = {}
    unit_sets = dict(
        Round.objects.filter(pk__in=counted)
        .values_list("audience")
        .annotate(n=Count("portfolio__unit", distinct=True))
        .values_list("audience", "n")
    )
    for aud, standard_id, number, name, value, n, _units in rows:
        row = by_key.setdefault(
            (aud, standard_id),
            NationalRow(
                aud,
                StandardResult(standard_id, number, name, threshold=threshold),
                unit_sets.get(aud, 0),
            ),
        )
        row.standard.counts[value] = row.standard.counts.get(value, 0) + n
    ordered = sorted(by_key.values(), key=lambda r: (r.audience, r.standard.number))
    return ordered, len(counted)


def export_rows(*, rounds: QuerySet[Round]) -> Iterator[list[Any]]:
    """Anonymous responses as CSV rows (long format), from included responses only, in a
    shuffled order with export-local numbers: no dates, no sheet numbers, no database ids.
    A header row first. One query for the ids, then one per 500 responses (streamed)."""
    yield ["unit", "audience", "response", "item", "standard", "criterion", "value", "text"]
    response_ids = list(included_responses(rounds).values_list("id", flat=True))
    _shuffle.shuffle(response_ids)
    for start in range(0, len(response_ids), EXPORT_CHUNK):
        chunk = response_ids[start : start + EXPORT_CHUNK]
        number = {pk: start + i for i, pk in enumerate(chunk, 1)}
        answers = Answer.objects.filter(response_id__in=chunk).values_list(
            "response_id",
            "response__round__portfolio__unit__name",
            "item__audience",
            "item__number",
            "item__standard__number",
            "item__criterion__code",
            "value",
            "text",
        )
        rows = sorted(answers, key=lambda a: (number[a[0]], a[3]))
        for response_id, unit, audience, item, standard, criterion, value, text in rows:
            yield [
                unit,
                audience,
                number[response_id],
                item,
                standard,
                criterion or "",
                value,
                text,
            ]


def rounds_for_export(*, portfolio: Portfolio | None = None) -> QuerySet[Round]:
    rounds = Round.objects.all()
    if portfolio is not None:
        rounds = rounds.filter(portfolio=portfolio)
    return rounds


def rounds_with_filter(*, questionnaire: QuestionnaireSet, audience: str = "") -> QuerySet[Round]:
    qs = Round.objects.filter(questionnaire=questionnaire)
    return qs.filter(audience=audience) if audience else qs


def item_label(item: Item, *, easy: bool, setting_type: str, language: str | None) -> str:
    """The words of an item for this reader: the easy-read or the setting's wording (chosen
    first, as Item.wording does), then the Welsh of the same when the reader reads Welsh and
    the set has it, else the English. No query."""
    english = item.easy_read if easy else item.wording(setting_type)
    if not language or not language.startswith("cy"):
        return english
    welsh = item.welsh or {}
    if easy:
        return str(welsh.get("easy_read") or english)
    setting_welsh = (welsh.get("setting_wording") or {}).get(setting_type)
    if setting_welsh:
        return str(setting_welsh)
    if item.setting_wording.get(setting_type):  # English setting wording without its Welsh
        return english
    return str(welsh.get("text") or english)
