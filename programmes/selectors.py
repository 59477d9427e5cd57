"""Reads for the network's annual cycle: memberships and steps, conflicts of a peer team,
self vs peer ratings, the coordinator's dashboard and the national report."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.enums import (
    CYCLE_STEPS,
    MembershipStatus,
    MembershipType,
    ProgrammeCode,
    ReviewerStatus,
)
from network.models import Membership, PeerReviewerProfile, User
from portfolios.enums import Cycle, PortfolioState, SelfRating
from portfolios.models import CriterionResponse, Portfolio
from reviews.enums import ReportKind
from reviews.models import AgreedScore, Assignment, Report
from reviews.selectors import LIVE_ASSIGNMENT_STATES
from standards.models import Criterion, Standard

from .models import ActionPoint, PeerVisit

PROGRAMME = ProgrammeCode.COFC
MET = SelfRating.MET.value
# A visit's annual report is overdue this long after the visit.
REPORT_DUE_DAYS = 28
VISIT_HORIZON_DAYS = 90

STAGE_LABELS = {
    PortfolioState.DRAFT: gettext_lazy("Self-review under way"),
    PortfolioState.SUBMITTED: gettext_lazy("Self-review complete"),
    PortfolioState.IN_REVIEW: gettext_lazy("Peer review"),
    PortfolioState.PANEL: gettext_lazy("With the accreditation committee"),
    PortfolioState.AWARDED: gettext_lazy("Accredited"),
    PortfolioState.DEFERRED: gettext_lazy("Deferred with conditions"),
    PortfolioState.NOT_AWARDED: gettext_lazy("Not accredited"),
    PortfolioState.COMPLETED: gettext_lazy("Cycle complete"),
    PortfolioState.WITHDRAWN: gettext_lazy("Withdrawn"),
}


def stage_label(state: str) -> str:
    return str(STAGE_LABELS.get(PortfolioState(state), PortfolioState(state).label))


def active_memberships(*, on: dt.date | None = None) -> QuerySet[Membership]:
    """Active network memberships covering the date, with unit and organisation (one query)."""
    on = on or timezone.localdate()
    return Membership.objects.filter(
        programme__code=PROGRAMME,
        status=MembershipStatus.ACTIVE,
        start_date__lte=on,
        end_date__gte=on,
    ).select_related("unit__organisation")


def membership_type_for(*, unit_id: int, on: dt.date | None = None) -> str:
    """The unit's membership type today, or "" without an active membership (one query)."""
    row = (
        active_memberships(on=on)
        .filter(unit_id=unit_id)
        .order_by("-start_date", "-id")
        .values_list("membership_type", flat=True)
        .first()
    )
    return row or ""


def steps_for(membership_type: str) -> tuple[str, ...]:
    return CYCLE_STEPS.get(membership_type, ())


def network_year(today: dt.date | None = None) -> int:
    return (today or timezone.localdate()).year


# --- peer team ---------------------------------------------------------------------------------


def lead_reviewer_choices() -> QuerySet[User]:
    """CCQI staff who can lead a visit (one query)."""
    return User.objects.filter(is_ccqi_admin=True, is_active=True).order_by("full_name", "email")


def approved_reviewers() -> QuerySet[PeerReviewerProfile]:
    """Approved peer reviewers with their account and community (one query)."""
    return (
        PeerReviewerProfile.objects.filter(
            status=ReviewerStatus.APPROVED, user__is_active=True, user__is_peer_reviewer=True
        )
        .select_related("user", "nominated_by_unit", "home_organisation")
        .order_by("user__full_name", "user__email")
    )


def reciprocal_conflict(*, profile: PeerReviewerProfile, portfolio: Portfolio, year: int) -> str:
    """Why this reviewer's community and the reviewed one would review each other in the
    same year, or "" (one query). Independent reviewers belong to no community."""
    home_unit = profile.nominated_by_unit
    if home_unit is None:
        return ""
    reverse = Assignment.objects.filter(
        portfolio__unit=home_unit,
        portfolio__cycle=Cycle.ANNUAL,
        portfolio__cycle_year=year,
        state__in=LIVE_ASSIGNMENT_STATES,
        assessor__peer_reviewer_profile__nominated_by_unit_id=portfolio.unit_id,
    ).exists()
    if not reverse:
        return ""
    return _(
        "%(unit)s (%(person)s's community) is reviewed in %(year)s by a reviewer from "
        "%(reviewed)s, and two communities never review each other in the same year."
    ) % {"unit": home_unit, "person": profile.user, "year": year, "reviewed": portfolio.unit}


# --- annual report -----------------------------------------------------------------------------


@dataclass
class RatingRow:
    criterion: Criterion
    self_rating: str
    self_label: str
    peer_rating: str
    peer_label: str
    peer_comment: str

    @property
    def essential_not_met(self) -> bool:
        # The agreed peer rating decides; before it exists, the community's own.
        return self.criterion.criterion_type == 1 and (self.peer_rating or self.self_rating) != MET


@dataclass
class StandardRatings:
    standard: Standard
    rows: list[RatingRow] = field(default_factory=list)

    def _met(self, attr: str) -> int:
        return sum(1 for row in self.rows if getattr(row, attr) == MET)

    @property
    def self_met(self) -> int:
        return self._met("self_rating")

    @property
    def peer_met(self) -> int:
        return self._met("peer_rating")


@dataclass
class AnnualReportData:
    standards: list[StandardRatings]
    essential_not_met: list[RatingRow]
    action_points: list[ActionPoint]


def annual_report_data(*, portfolio: Portfolio) -> AnnualReportData:
    """Self vs agreed peer rating per criterion, by standard; type 1 criteria not met first;
    the action points. Four queries whatever the size of the framework."""
    labels = dict(portfolio.framework.rating_choices)
    self_labels = dict(SelfRating.choices)
    responses = dict(
        CriterionResponse.objects.filter(portfolio=portfolio).values_list(
            "criterion_id", "self_rating"
        )
    )
    agreed: dict[int, dict[str, Any]] = {
        row["criterion_id"]: dict(row)
        for row in AgreedScore.objects.filter(portfolio=portfolio).values(
            "criterion_id", "rating", "comment"
        )
    }
    criteria = (
        Criterion.objects.filter(standard__framework_id=portfolio.framework_id)
        .select_related("standard")
        .order_by("standard__number", "order", "code")
    )
    by_standard: dict[int, StandardRatings] = {}
    for criterion in criteria:
        own = responses.get(criterion.pk, SelfRating.NOT_STARTED)
        peer: dict[str, Any] = agreed.get(criterion.pk, {})
        row = RatingRow(
            criterion=criterion,
            self_rating=own,
            self_label=str(self_labels.get(own, own)),
            peer_rating=peer.get("rating", ""),
            peer_label=str(labels.get(peer.get("rating", ""), _("Not rated"))),
            peer_comment=peer.get("comment", ""),
        )
        by_standard.setdefault(
            criterion.standard_id, StandardRatings(standard=criterion.standard)
        ).rows.append(row)
    standards = list(by_standard.values())
    essential = [row for s in standards for row in s.rows if row.essential_not_met]
    return AnnualReportData(
        standards=standards,
        essential_not_met=essential,
        action_points=list(
            ActionPoint.objects.filter(portfolio=portfolio).select_related("criterion")
        ),
    )


# --- coordinator's dashboard -------------------------------------------------------------------


@dataclass
class CommunityRow:
    membership: Membership
    portfolio_id: int | None
    stage: str


@dataclass
class CoordinatorDashboard:
    year: int
    by_type: list[tuple[str, list[CommunityRow]]]
    visits: Sequence[PeerVisit]
    overdue: Sequence[PeerVisit]


def _released_annual_report() -> Exists:
    return Exists(
        Report.objects.filter(
            portfolio=OuterRef("portfolio"), kind=ReportKind.ANNUAL, released_at__isnull=False
        )
    )


def coordinator_dashboard(*, today: dt.date | None = None) -> CoordinatorDashboard:
    """Communities by membership type and cycle stage, visits in the next 90 days, and annual
    reports overdue (no released report 28 days after the visit). Four queries, however many
    communities there are."""
    today = today or timezone.localdate()
    year = network_year(today)
    memberships = list(active_memberships(on=today).order_by("unit__name", "-start_date"))
    cycles = {
        row["unit_id"]: row
        for row in Portfolio.objects.filter(cycle=Cycle.ANNUAL, cycle_year=year)
        .exclude(state=PortfolioState.WITHDRAWN)
        .values("unit_id", "pk", "state")
    }
    grouped: dict[str, list[CommunityRow]] = defaultdict(list)
    seen: set[int] = set()
    for membership in memberships:
        if membership.unit_id in seen:
            continue
        seen.add(membership.unit_id)
        cycle = cycles.get(membership.unit_id)
        stage = stage_label(cycle["state"]) if cycle else str(_("Not started"))
        if membership.membership_type == MembershipType.ASSOCIATE:
            stage = str(_("No annual cycle (associate)"))
        grouped[membership.membership_type].append(
            CommunityRow(membership, cycle["pk"] if cycle else None, stage)
        )
    order = [t.value for t in MembershipType]
    by_type = [(str(MembershipType(t).label), grouped[t]) for t in order if grouped.get(t)]
    visits = PeerVisit.objects.select_related("portfolio__unit").order_by("visit_date", "id")
    upcoming = list(
        visits.filter(
            visit_date__gte=today, visit_date__lte=today + dt.timedelta(days=VISIT_HORIZON_DAYS)
        )
    )
    overdue = list(
        visits.filter(
            visit_date__lt=today - dt.timedelta(days=REPORT_DUE_DAYS),
            portfolio__state__in=(PortfolioState.IN_REVIEW, PortfolioState.SUBMITTED),
        )
        .annotate(released=_released_annual_report())
        .filter(released=False)
    )
    return CoordinatorDashboard(year=year, by_type=by_type, visits=upcoming, overdue=overdue)


# --- national report ---------------------------------------------------------------------------


@dataclass
class NationalRow:
    number: int
    name: str
    communities: int
    self_total: int
    self_met: int
    peer_total: int
    peer_met: int

    @staticmethod
    def _share(met: int, total: int) -> int | None:
        return None if not total else int((Decimal(met) * 100 / total).quantize(Decimal(1)))

    @property
    def self_share(self) -> int | None:
        return self._share(self.self_met, self.self_total)

    @property
    def peer_share(self) -> int | None:
        return self._share(self.peer_met, self.peer_total)


# Cycles whose self-review counts nationally: submitted, whatever came after.
COUNTED_STATES = tuple(
    s for s in PortfolioState if s not in (PortfolioState.DRAFT, PortfolioState.WITHDRAWN)
)


def national_aggregate_sql(*, year: int) -> tuple[str, list[Any]]:
    """The one SQL aggregate behind the national report: per standard (number and name, so
    communities on different versions line up), how many criteria were rated and met by the
    communities themselves and by their agreed peer ratings. Each response meets its agreed
    score in one LEFT JOIN on (portfolio, criterion), which the unique index serves."""
    response, portfolio = CriterionResponse._meta.db_table, Portfolio._meta.db_table
    criterion, standard = Criterion._meta.db_table, Standard._meta.db_table
    agreed = AgreedScore._meta.db_table
    states = ", ".join(["%s"] * len(COUNTED_STATES))
    sql = f"""
        SELECT s.number, s.name,
               COUNT(DISTINCT r.portfolio_id),
               SUM(CASE WHEN r.self_rating <> %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.self_rating = %s THEN 1 ELSE 0 END),
               COUNT(a.id),
               SUM(CASE WHEN a.rating = %s THEN 1 ELSE 0 END)
        FROM {response} r
        JOIN {portfolio} p ON p.id = r.portfolio_id
        JOIN {criterion} c ON c.id = r.criterion_id
        JOIN {standard} s ON s.id = c.standard_id
        LEFT JOIN {agreed} a ON a.portfolio_id = r.portfolio_id AND a.criterion_id = r.criterion_id
        WHERE p.cycle = %s AND p.cycle_year = %s AND p.state IN ({states})
        GROUP BY s.number, s.name
        ORDER BY s.number, s.name
    """  # noqa: S608 -- table names from the models' _meta; every value is a parameter
    params: list[Any] = [SelfRating.NOT_STARTED.value, MET, MET, Cycle.ANNUAL.value, year]
    return sql, params + [str(state) for state in COUNTED_STATES]


def national_aggregate(*, year: int) -> list[tuple[Any, ...]]:
    """Run the national aggregate (one query)."""
    sql, params = national_aggregate_sql(year=year)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def national_report(*, year: int) -> list[NationalRow]:
    """Per standard, the share of criteria met across communities, self vs peer (one query)."""
    return [
        NationalRow(
            number=number,
            name=name,
            communities=communities,
            self_total=int(self_total or 0),
            self_met=int(self_met or 0),
            peer_total=int(peer_total or 0),
            peer_met=int(peer_met or 0),
        )
        for number, name, communities, self_total, self_met, peer_total, peer_met in (
            national_aggregate(year=year)
        )
    ]


def national_years() -> list[int]:
    """Cycle years with at least one annual cycle, newest first (one query)."""
    years = (
        Portfolio.objects.filter(cycle=Cycle.ANNUAL, cycle_year__isnull=False)
        .values_list("cycle_year", flat=True)
        .distinct()
        .order_by("-cycle_year")
    )
    return [year for year in years if year is not None]
