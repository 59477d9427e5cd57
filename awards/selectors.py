"""Awards: the reads (STYLE.md: selectors).

The stored award status is valid / suspended / revoked. What the public sees (the "live"
status) is derived on read: revoked > suspended by an admin > expired > suspended because the
unit's Enabling Environments membership is not active today > valid. Nothing is written when a
membership lapses or is renewed, so the award follows the membership automatically.
"""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Case, Exists, OuterRef, QuerySet, Value, When
from django.utils import timezone

from ee_portal.audit.models import AuditEvent
from network.enums import MembershipStatus
from network.models import Membership, UnitRole, User
from network.selectors import on_register_q
from portfolios.enums import CLOSED_STATES, Cycle
from portfolios.models import Portfolio
from reviews.enums import ReportKind
from reviews.models import AgreedScore, Report

from .enums import AwardStatus, LiveStatus
from .models import Award, Certificate

__all__ = [
    "AUDIT_OBJECT_TYPES",
    "EE_PROGRAMME_CODES",
    "LAPSED_REASON",
    "LiveStatus",
    "audit_events_for",
    "award_annotate_live",
    "award_get_by_verify_code",
    "award_get_for_page",
    "award_list_visible_to",
    "award_live_reason",
    "award_live_status",
    "award_register_queryset",
    "feedback_report_for",
    "open_review_portfolios",
    "portfolio_has_agreed_scores",
]

# Active membership of either programme keeps an award live (prisons join "ee-prisons").
EE_PROGRAMME_CODES = ("ee-award", "ee-prisons")

LAPSED_REASON = (
    "The unit's Enabling Environments membership is not active at the moment. The award will "
    "show as valid again as soon as the membership is renewed."
)


def _membership_codes(framework_programme: str) -> tuple[str, ...]:
    """The memberships that keep an award live: either EE programme for the EE Award, the
    network's own for a network's accreditation (framework.programme, issue 14)."""
    if framework_programme in EE_PROGRAMME_CODES:
        return EE_PROGRAMME_CODES
    return (framework_programme,)


def _membership_active(today: dt.date, unit_ref: str = "unit_id") -> Case:
    active = Membership.objects.filter(
        unit=OuterRef(unit_ref),
        status=MembershipStatus.ACTIVE,
        start_date__lte=today,
        end_date__gte=today,
    )
    return Case(
        When(
            framework__programme__in=EE_PROGRAMME_CODES,
            then=Exists(active.filter(programme__code__in=EE_PROGRAMME_CODES)),
        ),
        default=Exists(active.filter(programme__code=OuterRef("framework__programme"))),
        output_field=models.BooleanField(),
    )


def award_annotate_live(qs: QuerySet[Award], *, today: dt.date | None = None) -> QuerySet[Award]:
    """Annotate ``membership_active`` and ``live_status`` (one EXISTS subquery, no extra query)."""
    today = today or timezone.localdate()
    return qs.annotate(membership_active=_membership_active(today)).annotate(
        live_status=Case(
            When(status=AwardStatus.REVOKED, then=Value(LiveStatus.REVOKED.value)),
            When(status=AwardStatus.SUSPENDED, then=Value(LiveStatus.SUSPENDED.value)),
            When(end_date__lt=today, then=Value(LiveStatus.EXPIRED.value)),
            When(membership_active=False, then=Value(LiveStatus.SUSPENDED.value)),
            default=Value(LiveStatus.VALID.value),
            output_field=models.CharField(),
        )
    )


def award_live_status(award: Award, *, today: dt.date | None = None) -> LiveStatus:
    """The status shown to the public. Uses the ``live_status`` annotation when present,
    otherwise one query for the membership."""
    today = today or timezone.localdate()
    annotated = getattr(award, "live_status", None)
    if annotated is not None:
        return LiveStatus(annotated)
    if award.status == AwardStatus.REVOKED:
        return LiveStatus.REVOKED
    if award.status == AwardStatus.SUSPENDED:
        return LiveStatus.SUSPENDED
    if award.end_date < today:
        return LiveStatus.EXPIRED
    active = Membership.objects.filter(
        unit_id=award.unit_id,
        programme__code__in=_membership_codes(award.framework.programme),
        status=MembershipStatus.ACTIVE,
        start_date__lte=today,
        end_date__gte=today,
    ).exists()
    return LiveStatus.VALID if active else LiveStatus.SUSPENDED


def award_live_reason(award: Award, *, today: dt.date | None = None) -> str:
    """Why the award is not valid ("" when it is). No query when ``live_status`` is annotated."""
    live = award_live_status(award, today=today)
    if live in (LiveStatus.REVOKED, LiveStatus.SUSPENDED) and award.status != AwardStatus.VALID:
        return award.status_reason
    if live == LiveStatus.SUSPENDED:
        return LAPSED_REASON
    if live == LiveStatus.EXPIRED:
        return f"The award ended on {award.end_date:%-d %B %Y}."
    return ""


def award_register_queryset(
    *,
    setting_type: str | None = None,
    region: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Award]:
    """Current award holders for the public register (one query; paginate it).

    Only awards whose live status is valid, for units that have not opted out of the register
    (in a secure setting: units that opted in, network.selectors.on_register_q); when a unit
    holds overlapping awards (a renewal), only the newest is listed.
    """
    today = today or timezone.localdate()
    newer = Award.objects.filter(
        unit=OuterRef("unit_id"),
        status=AwardStatus.VALID,
        start_date__gt=OuterRef("start_date"),
        start_date__lte=today,
    )
    qs = (
        Award.objects.filter(
            status=AwardStatus.VALID,
            start_date__lte=today,
            end_date__gte=today,
        )
        .filter(on_register_q("unit__"))
        .filter(_membership_active(today))
        .exclude(Exists(newer))
        .select_related("unit__organisation", "framework")
        .order_by("unit__name", "-start_date", "pk")
    )
    if setting_type:
        qs = qs.filter(unit__setting_type=setting_type)
    if region:
        qs = qs.filter(unit__region=region)
    return qs


def award_list_visible_to(
    *, user: User | AnonymousUser, today: dt.date | None = None
) -> QuerySet[Award]:
    """Awards the user may see (admins: all; unit members: their units'), with live status and
    certificate joined (one query). Agrees with the reviews.view_award rule."""
    qs = award_annotate_live(
        Award.objects.select_related("unit__organisation", "framework", "certificate"), today=today
    ).order_by("-start_date", "-pk")
    if not user.is_authenticated:
        return qs.none()
    if user.is_ccqi_admin:
        return qs
    return qs.filter(unit__in=UnitRole.objects.filter(user=user).values("unit_id"))


def award_get_for_page(*, pk: int, today: dt.date | None = None) -> Award | None:
    """One award with everything its page shows, live status included (one query)."""
    return (
        award_annotate_live(
            Award.objects.select_related(
                "unit__organisation", "framework", "certificate", "portfolio", "decision"
            ),
            today=today,
        )
        .filter(pk=pk)
        .first()
    )


def award_get_by_verify_code(*, code: str, today: dt.date | None = None) -> Award | None:
    """The award behind a certificate's public code, with live status (one query)."""
    return (
        award_annotate_live(
            Award.objects.select_related("unit__organisation", "framework", "certificate"),
            today=today,
        )
        .filter(certificate__verify_code=code)
        .first()
    )


def open_review_portfolios(*, award: Award) -> QuerySet[Portfolio]:
    """Open interim-review or renewal portfolios of the award's unit (one query)."""
    return Portfolio.objects.filter(
        unit_id=award.unit_id, cycle__in=(Cycle.INTERIM, Cycle.RENEWAL)
    ).exclude(state__in=sorted(s.value for s in CLOSED_STATES))


def feedback_report_for(*, portfolio_id: int) -> Report | None:
    return Report.objects.filter(portfolio_id=portfolio_id, kind=ReportKind.FEEDBACK).first()


def portfolio_has_agreed_scores(*, portfolio_id: int) -> bool:
    """Whether a feedback report can be prepared: it lists the agreed ratings (one query)."""
    return AgreedScore.objects.filter(portfolio_id=portfolio_id).exists()


# Audit events keep the object label they were written with (the log is hash-chained, so
# rows are never rewritten): events from before issue 12 name "reviews.award".
AUDIT_OBJECT_TYPES = {
    "awards.award": ("awards.award", "reviews.award"),
    "awards.certificate": ("awards.certificate", "reviews.certificate"),
}


def audit_events_for(*, obj: Award | Certificate) -> QuerySet[AuditEvent]:
    """An award's or certificate's audit events, from before and after the move (one query)."""
    label = obj._meta.label_lower
    return AuditEvent.objects.filter(
        object_type__in=AUDIT_OBJECT_TYPES.get(label, (label,)), object_id=str(obj.pk)
    ).order_by("id")
