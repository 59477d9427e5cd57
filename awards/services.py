"""Awards and certificates: the writes (STYLE.md: services).

Issuing after an "awarded" decision (reviews calls it through its decision hook, see
awards/apps.py), certificate PDFs, suspension / revocation / reinstatement, interim review
and renewal, award emails and reminders, and the feedback report. The reads are in
awards/selectors.py.
"""

import base64
import datetime as dt
import io
import logging
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from ee_portal.audit.services import audit_log
from ee_portal.lib.celery import enqueue_on_commit
from ee_portal.lib.emails import send_templated_email
from network.enums import Region, UnitRoleKind
from network.models import Unit, UnitRole, User
from portfolios.enums import Cycle
from portfolios.models import Portfolio
from portfolios.selectors import word_for_portfolio
from portfolios.services import portfolio_create
from reviews.enums import DecisionOutcome, ReportKind, ReportStatus
from reviews.models import AgreedScore, Decision, ReminderLog, Report
from standards.models import Framework

from . import rules  # noqa: F401 -- registers the award permissions
from .enums import AwardStatus, CertificateStatus
from .models import Award, Certificate, certificate_upload_to
from .selectors import open_review_portfolios, portfolio_has_agreed_scores

if TYPE_CHECKING:
    import segno

logger = logging.getLogger(__name__)

AWARD_TITLE = gettext_lazy("Enabling Environments Award")
# A network's accreditation uses the same award, certificate and register, with its own title
# (keyed by the framework's programme, issue 14).
PROGRAMME_AWARD_TITLES = {"cofc": gettext_lazy("Community of Communities accreditation")}


StrOrPromise = str | Promise


def award_title_for(framework: Framework) -> StrOrPromise:
    """Lazy: shown in each language a bilingual certificate is written in."""
    return PROGRAMME_AWARD_TITLES.get(framework.programme, AWARD_TITLE)


CERTIFICATE_STYLESHEET = "pdf/certificate.css"  # static path; see reviews.pdf.render_pdf
# 32 random bytes as URL-safe text: unguessable, unrelated to the certificate number.
VERIFY_CODE_BYTES = 32
# Reminders before the end of an award: (key suffix, months before the end date).
ENDING_REMINDERS = (("ends-1m", 1), ("ends-3m", 3), ("ends-6m", 6))
ERROR_MAX_CHARS = 500
QR_MASK = 0
QR_BORDER = 4
# segno's modules (0 light, 1 dark) as 8-bit grey pixels (white, black).
_QR_GREY = bytes.maketrans(b"\x00\x01", b"\xff\x00")


class CertificateRenderError(Exception):
    """Rendering or storing a certificate PDF failed; the task retries with backoff."""


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def certificate_number_for(award: Award) -> str:
    return f"EE-{award.start_date:%Y}-{award.pk:05d}"


def verification_url(certificate: Certificate) -> str:
    """The absolute public URL printed (and QR-encoded) on the certificate."""
    return f"{settings.EE_SITE_URL}/verify/{certificate.verify_code}/"


# ---------------------------------------------------------------------------------------------
# Issuing and rendering
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def award_issue_for_decision(*, decision: Decision, actor: User) -> Award:
    """Create the Award and its Certificate row for an "awarded" decision (idempotent).

    Called through reviews' decision hook (award_on_decision_recorded) inside the decision's
    transaction, and by the demo. A second call for the same decision returns the existing
    award (the decision is one-to-one with its award, and the certificate one-to-one with the
    award: reviews_one_certificate_per_award).
    Side effects (first call only): INSERT award + certificate, audit event, and on commit the
    reviews.render_certificate task.
    """
    existing = Award.objects.filter(decision=decision).first()
    if existing is not None:
        _certificate_ensure(award=existing)
        return existing
    years = settings.EE_AWARD_YEARS
    start = decision.decided_on
    end = _add_years(start, years) - dt.timedelta(days=1)
    award = Award(
        unit=decision.portfolio.unit,
        portfolio=decision.portfolio,
        decision=decision,
        framework=decision.portfolio.framework,
        start_date=start,
        end_date=end,
        interim_due=start + (end - start) / 2,
    )
    award.full_clean()
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError:
        award = Award.objects.get(decision=decision)
        _certificate_ensure(award=award)
        return award
    certificate = _certificate_ensure(award=award)
    audit_log(
        actor=actor,
        verb="award.issued",
        obj=award,
        details={"certificate": certificate.number, "end_date": award.end_date.isoformat()},
    )
    return award


def award_on_decision_recorded(*, decision: Decision, actor: User) -> Award | None:
    """reviews' "decision recorded" hook (reviews/hooks.py), registered by AwardsConfig.ready().

    Runs inside decision_record's transaction: an "awarded" decision issues its award and
    certificate atomically with the decision (award_issue_for_decision is idempotent). Other
    outcomes issue nothing.
    """
    if decision.outcome != DecisionOutcome.AWARDED:
        return None
    return award_issue_for_decision(decision=decision, actor=actor)


def _certificate_ensure(*, award: Award) -> Certificate:
    """Get or create the award's one certificate; queue its render when it is not ready."""
    certificate = Certificate.objects.filter(award=award).first()
    if certificate is None:
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    award=award,
                    number=certificate_number_for(award),
                    verify_code=secrets.token_urlsafe(VERIFY_CODE_BYTES),
                )
        except IntegrityError:  # a concurrent call made it first
            return Certificate.objects.get(award=award)
        _queue_render(certificate)
    return certificate


def _queue_render(certificate: Certificate) -> None:
    from .tasks import render_certificate  # noqa: PLC0415 -- tasks imports this module

    enqueue_on_commit(render_certificate, certificate_id=certificate.pk)


def qr_code(payload: str) -> "segno.QRCode":
    """The segno QR code drawn on certificates (tests decode and compare against it).

    A fixed mask: segno's automatic choice tries all eight in pure Python and was most of its
    time. Any mask is valid QR, and scanners read it the same.
    """
    import segno  # noqa: PLC0415 -- only needed when a PDF is rendered

    return segno.make_qr(payload, error="m", mask=QR_MASK)


def qr_png_data_uri(payload: str) -> str:
    """The QR code as a PNG data URI, one pixel per module (pixelated in the PDF: crisp).

    An 8-bit grey PNG made with Pillow rather than segno's 1-bit one: WeasyPrint converts 1-bit
    and palette images to RGB and encodes them again on every render, and segno writes PNGs in
    pure Python.
    """
    from PIL import Image  # noqa: PLC0415 -- only needed when a PDF is rendered

    matrix = qr_code(payload).matrix
    size = len(matrix) + 2 * QR_BORDER
    quiet_row, quiet_side = b"\xff" * size, b"\xff" * QR_BORDER
    pixels = b"".join(
        [
            quiet_row * QR_BORDER,
            *(quiet_side + bytes(row).translate(_QR_GREY) + quiet_side for row in matrix),
            quiet_row * QR_BORDER,
        ]
    )
    png = io.BytesIO()
    Image.frombytes("L", (size, size), pixels).save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF bytes (award, unit, organisation and framework already loaded)."""
    from reviews.pdf import render_pdf  # noqa: PLC0415, TID253 -- WeasyPrint only in workers

    context = certificate_context(certificate)
    with translation.override(context["languages"][0]):
        return render_pdf(
            template="pdf/certificate.html", context=context, stylesheet=CERTIFICATE_STYLESHEET
        )


def certificate_languages(unit: Unit) -> list[str]:
    """The languages a unit's certificate is written in: Welsh then English for a unit in
    Wales (a bilingual certificate), otherwise the site's (whoever asked for it)."""
    if unit.region == Region.WALES:
        return ["cy", "en-gb"]
    return [settings.LANGUAGE_CODE]


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    award = certificate.award
    url = verification_url(certificate)
    return {
        "certificate": certificate,
        "award": award,
        "unit": award.unit,
        "organisation": award.unit.organisation,
        "framework": award.framework,
        "award_title": award_title_for(award.framework),
        "languages": certificate_languages(award.unit),
        "verify_url": url,
        "qr_data_uri": qr_png_data_uri(url),
    }


def _store_pdf(field: models.fields.files.FieldFile, name: str, content: bytes) -> None:
    """Save under a fixed name, replacing a file left by an interrupted earlier attempt."""
    if field.storage.exists(name):
        field.storage.delete(name)
    field.save(name, ContentFile(content), save=False)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]


def certificate_render(*, certificate_id: int, notify: bool = True) -> Certificate | None:
    """Render the certificate PDF and store it (idempotent; run by reviews.render_certificate).

    Returns None when the row is gone. A ready certificate whose file exists is left alone.
    The row is locked while rendering, so two deliveries of the task never both write.
    Side effects: the PDF in default storage; UPDATE status/rendered_at (or attempts/error on
    failure, then CertificateRenderError); on first success the unit leads are emailed.
    """

    failure: BaseException | None = None
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
        if certificate is None:
            logger.info("Certificate %s is gone; nothing to render", certificate_id)
            return None
        if (
            certificate.status == CertificateStatus.READY
            and certificate.pdf
            and certificate.pdf.storage.exists(certificate.pdf.name)
        ):
            return certificate
        certificate.award = Award.objects.select_related("unit__organisation", "framework").get(
            pk=certificate.award_id
        )
        try:
            pdf = certificate_pdf(certificate)
            _store_pdf(certificate.pdf, certificate_upload_to(certificate, ""), pdf)
        except Exception as exc:  # noqa: BLE001 -- any failure is recorded and retried
            failure = exc
            certificate.attempts += 1
            certificate.error = _error_text(exc)
            certificate.status = CertificateStatus.FAILED
            certificate.save(update_fields=["attempts", "error", "status", "updated_at"])
            logger.warning("Certificate %s failed to render: %s", certificate.pk, certificate.error)
        else:
            certificate.status = CertificateStatus.READY
            certificate.rendered_at = timezone.now()
            certificate.error = ""
            certificate.save(update_fields=["pdf", "status", "rendered_at", "error", "updated_at"])
            if notify:
                _queue_email(award_id=certificate.award_id, kind="certificate-ready")
    if failure is not None:
        raise CertificateRenderError(certificate.error) from failure
    return certificate


def certificate_requeue(*, certificate: Certificate, actor: User) -> bool:
    """Queue the render again (admins, after a failure). Returns False when already ready."""
    if not actor.has_perm("awards.manage_award", certificate.award):
        raise PermissionDenied
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == CertificateStatus.READY and certificate.pdf:
            return False
        certificate.status = CertificateStatus.PENDING
        certificate.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, verb="certificate.requeued", obj=certificate)
        _queue_render(certificate)
    return True


def certificate_record_download(*, certificate: Certificate, actor: User) -> None:
    audit_log(actor=actor, verb="certificate.downloaded", obj=certificate)


# ---------------------------------------------------------------------------------------------
# Status changes (admins)
# ---------------------------------------------------------------------------------------------


def _change_status(
    *, award: Award, actor: User, to: str, reason: str, allowed_from: tuple[str, ...], verb: str
) -> Award:
    if not actor.has_perm("awards.manage_award", award):
        raise PermissionDenied
    reason = (reason or "").strip()
    if to != AwardStatus.VALID and not reason:
        raise ValidationError(
            {"reason": gettext("Please give a reason: it is shown to the public.")}
        )
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award.pk)
        if award.status == to:
            return award
        if award.status not in allowed_from:
            raise ValidationError(
                gettext("An award that is %(status)s cannot be changed this way.")
                % {"status": award.get_status_display().lower()}
            )
        previous = award.status
        award.status = to
        award.status_reason = reason
        award.status_changed_at = timezone.now()
        award.full_clean()
        award.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
        audit_log(actor=actor, verb=verb, obj=award, details={"from": previous, "reason": reason})
        _queue_email(award_id=award.pk, kind=to if to != AwardStatus.VALID else "reinstated")
    return award


def award_suspend(*, award: Award, actor: User, reason: str) -> Award:
    """Suspend a valid award (admins). Side effects: UPDATE, audit event, email to unit leads."""
    return _change_status(
        award=award,
        actor=actor,
        to=AwardStatus.SUSPENDED,
        reason=reason,
        allowed_from=(AwardStatus.VALID,),
        verb="award.suspended",
    )


def award_revoke(*, award: Award, actor: User, reason: str) -> Award:
    """Revoke an award for good (admins). Side effects: UPDATE, audit event, email to leads."""
    return _change_status(
        award=award,
        actor=actor,
        to=AwardStatus.REVOKED,
        reason=reason,
        allowed_from=(AwardStatus.VALID, AwardStatus.SUSPENDED),
        verb="award.revoked",
    )


def award_reinstate(*, award: Award, actor: User, note: str = "") -> Award:
    """Lift an admin suspension (a revocation is final). Side effects as for award_suspend."""
    return _change_status(
        award=award,
        actor=actor,
        to=AwardStatus.VALID,
        reason=note,
        allowed_from=(AwardStatus.SUSPENDED,),
        verb="award.reinstated",
    )


# ---------------------------------------------------------------------------------------------
# Interim review and renewal
# ---------------------------------------------------------------------------------------------


def award_open_review(*, award: Award, actor: User, cycle: str) -> Portfolio:
    """Open the unit's interim-review or renewal portfolio, starting from the awarded one.

    Idempotent: an open portfolio of that cycle is returned as it is. A renewal uses the newest
    published standards (evidence is carried over by portfolios.services.portfolio_create).
    Side effects: the portfolio (and carried-over evidence), an audit event.
    """
    if not actor.has_perm("awards.manage_award", award):
        raise PermissionDenied
    if cycle not in (Cycle.INTERIM, Cycle.RENEWAL):
        raise ValidationError(gettext("Choose an interim review or a renewal."))
    award = Award.objects.select_related("unit", "portfolio", "framework").get(pk=award.pk)
    existing = open_review_portfolios(award=award).filter(cycle=cycle).first()
    if existing is not None:
        return existing
    if award.status == AwardStatus.REVOKED:
        raise ValidationError(
            gettext("This award has been revoked, so it cannot be reviewed or renewed.")
        )
    framework = award.framework
    if cycle == Cycle.RENEWAL:
        framework = Framework.objects.current() or award.framework
    with transaction.atomic():
        portfolio = portfolio_create(
            unit=award.unit,
            framework=framework,
            cycle=cycle,
            actor=actor,
            previous=award.portfolio,
        )
        audit_log(
            actor=actor,
            verb=f"award.{cycle}_opened",
            obj=award,
            details={"portfolio": portfolio.pk},
        )
    return portfolio


# ---------------------------------------------------------------------------------------------
# Emails and reminders
# ---------------------------------------------------------------------------------------------


def _queue_email(*, award_id: int, kind: str) -> None:
    from .tasks import send_award_email  # noqa: PLC0415 -- tasks imports this module

    enqueue_on_commit(send_award_email, award_id=award_id, kind=kind)


EMAIL_TEMPLATES = {
    "certificate-ready": "award-certificate-ready",
    "suspended": "award-status",
    "revoked": "award-status",
    "reinstated": "award-status",
    "interim-due": "award-reminder",
    "ends-6m": "award-reminder",
    "ends-3m": "award-reminder",
    "ends-1m": "award-reminder",
}


def award_recipients(*, award: Award) -> list[str]:
    """Unit leads' addresses; every member's when the unit has no lead (one query)."""
    roles = list(
        UnitRole.objects.filter(unit_id=award.unit_id, user__is_active=True).values_list(
            "role", "user__email"
        )
    )
    leads = [email for role, email in roles if role == UnitRoleKind.LEAD]
    return sorted(leads or [email for _, email in roles])


def award_email_send(*, award_id: int, kind: str) -> int:
    """Send one award email to the unit (run by reviews.send_award_email). Returns mails sent."""
    award = (
        Award.objects.select_related("unit__organisation", "certificate", "framework")
        .filter(pk=award_id)
        .first()
    )
    if award is None or kind not in EMAIL_TEMPLATES:
        logger.info("Award email %s for award %s skipped", kind, award_id)
        return 0
    context = {
        "award": award,
        "unit": award.unit,
        "kind": kind,
        "award_title": AWARD_TITLE,
        "months": {"ends-6m": 6, "ends-3m": 3, "ends-1m": 1}.get(kind),
        "verify_url": verification_url(award.certificate) if hasattr(award, "certificate") else "",
        "award_path": f"/awards/{award.pk}/",
    }
    return send_templated_email(EMAIL_TEMPLATES[kind], award_recipients(award=award), context)


def _due_reminder(award: Award, today: dt.date) -> tuple[str, list[str]] | None:
    """The reminder due today, and the keys it covers (an earlier, missed stage is not sent)."""
    if today > award.end_date:
        return None
    for position, (suffix, months) in enumerate(ENDING_REMINDERS):
        if today >= _add_months(award.end_date, -months):
            covered = [f"award:{award.pk}:{s}" for s, _ in ENDING_REMINDERS[position:]]
            return suffix, covered
    return None


def award_send_reminders(*, today: dt.date | None = None) -> list[str]:
    """Queue the interim-review and ending reminders that are due, each once (ReminderLog).

    Awards that are revoked or suspended by an admin get none. One query for the awards, one
    for the existing keys, and one INSERT per reminder sent. Returns the keys sent.
    """
    today = today or timezone.localdate()
    awards = list(
        Award.objects.filter(status=AwardStatus.VALID, end_date__gte=today).filter(
            Q(interim_due__lte=today) | Q(end_date__lte=_add_months(today, 6))
        )
    )
    sent_keys = set(
        ReminderLog.objects.filter(key__startswith="award:").values_list("key", flat=True)
    )
    sent: list[str] = []
    for award in awards:
        due: list[tuple[str, list[str]]] = []
        interim_key = f"award:{award.pk}:interim-due"
        if award.interim_due <= today:
            due.append(("interim-due", [interim_key]))
        ending = _due_reminder(award, today)
        if ending is not None:
            due.append(ending)
        for kind, keys in due:
            if keys[0] in sent_keys:
                continue
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        ReminderLog.objects.create(key=keys[0])
                except IntegrityError:  # another beat run got there first
                    continue
                for key in keys[1:]:
                    ReminderLog.objects.get_or_create(key=key)
                _queue_email(award_id=award.pk, kind=kind)
            sent_keys.update(keys)
            sent.append(keys[0])
    return sent


# ---------------------------------------------------------------------------------------------
# Feedback report (agreed rating and comment per criterion)
# ---------------------------------------------------------------------------------------------


def feedback_report_request(*, portfolio: Portfolio, actor: User) -> Report:
    """Queue the feedback report PDF for a portfolio (admins). Re-renders an existing one.

    Side effects: get-or-create Report(kind=feedback), status "rendering", audit event, and on
    commit the reviews.render_feedback_report task.
    """
    from .tasks import render_feedback_report  # noqa: PLC0415 -- tasks imports this module

    if not getattr(actor, "is_ccqi_admin", False):
        raise PermissionDenied
    if not portfolio_has_agreed_scores(portfolio_id=portfolio.pk):
        raise ValidationError(gettext("There are no agreed ratings for this portfolio yet."))
    with transaction.atomic():
        report, _ = Report.objects.get_or_create(
            portfolio=portfolio, kind=ReportKind.FEEDBACK, defaults={"author": actor}
        )
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.RENDERING:
            return report
        report.status = ReportStatus.RENDERING
        report.error = ""
        report.save(update_fields=["status", "error", "updated_at"])
        audit_log(actor=actor, verb="feedback_report.requested", obj=report)
        enqueue_on_commit(render_feedback_report, report_id=report.pk)
    return report


def feedback_context(report: Report) -> dict[str, Any]:
    portfolio = report.portfolio
    labels = dict(portfolio.framework.rating_choices)
    scores = list(
        AgreedScore.objects.filter(portfolio=portfolio)
        .select_related("criterion__standard")
        .order_by("criterion__standard__number", "criterion__order", "criterion__code")
    )
    word_for_portfolio([score.criterion for score in scores], portfolio=portfolio)
    standards: list[dict[str, Any]] = []
    for score in scores:
        standard = score.criterion.standard
        if not standards or standards[-1]["standard"].pk != standard.pk:
            standards.append({"standard": standard, "scores": []})
        # A template-only attribute on the fetched row (not a model field).
        score.rating_label = labels.get(score.rating, score.rating)  # type: ignore[attr-defined]
        standards[-1]["scores"].append(score)
    return {
        "report": report,
        "portfolio": portfolio,
        "unit": portfolio.unit,
        "organisation": portfolio.unit.organisation,
        "framework": portfolio.framework,
        "standards": standards,
        "award_title": AWARD_TITLE,
        "generated_on": timezone.localdate(),
    }


def feedback_report_render(*, report_id: int) -> Report | None:
    """Render the feedback report PDF (run by reviews.render_feedback_report; idempotent).

    Side effects: the PDF in default storage and status ready, or status failed with the error
    (class and message) and CertificateRenderError so the task retries.
    """
    from reviews.pdf import render_pdf  # noqa: PLC0415, TID253 -- WeasyPrint only in workers

    failure: BaseException | None = None
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .filter(pk=report_id, kind=ReportKind.FEEDBACK)
            .first()
        )
        if report is None:
            logger.info("Feedback report %s is gone; nothing to render", report_id)
            return None
        if report.status == ReportStatus.READY and report.pdf:
            return report
        report.portfolio = Portfolio.objects.select_related("unit__organisation", "framework").get(
            pk=report.portfolio_id
        )
        try:
            # Reports are written in English by the assessors: their headings match, whoever
            # asked (in eager mode the request's language would otherwise be active).
            with translation.override(settings.LANGUAGE_CODE):
                pdf = render_pdf(template="pdf/feedback.html", context=feedback_context(report))
            _store_pdf(report.pdf, f"reports/{report.portfolio_id}/feedback-{report.pk}.pdf", pdf)
        except Exception as exc:  # noqa: BLE001 -- any failure is recorded and retried
            failure = exc
            report.status = ReportStatus.FAILED
            report.error = _error_text(exc)
            report.save(update_fields=["status", "error", "updated_at"])
        else:
            report.status = ReportStatus.READY
            report.error = ""
            report.save(update_fields=["pdf", "status", "error", "updated_at"])
    if failure is not None:
        raise CertificateRenderError(report.error) from failure
    return report


def feedback_report_release(*, report: Report, actor: User) -> Report:
    """Let the unit download a ready feedback report (admins). Side effects: UPDATE, audit."""
    if not getattr(actor, "is_ccqi_admin", False):
        raise PermissionDenied
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.READY:
            raise ValidationError(gettext("The feedback report PDF is not ready yet."))
        if report.released_at is None:
            report.released_at = timezone.now()
            report.save(update_fields=["released_at", "updated_at"])
            audit_log(actor=actor, verb="feedback_report.released", obj=report)
    return report
