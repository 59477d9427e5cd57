import datetime as dt
import io

import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from ee_portal.audit.models import AuditEvent
from reviews import awards
from reviews.award_tasks import render_certificate
from reviews.awards import award_issue_for_decision, certificate_requeue, verification_url
from reviews.enums import CertificateStatus
from reviews.models import Award, Certificate
from tests import factories
from tests.reviews.award_support import storage_root

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(unit, framework):
    portfolio = factories.PortfolioFactory(unit=unit, framework=framework, state="awarded")
    return factories.DecisionFactory(portfolio=portfolio, decided_on=dt.date(2026, 3, 14))


def _issue(decision, actor, capture):
    with capture(execute=True):
        award = award_issue_for_decision(decision=decision, actor=actor)
    return Certificate.objects.get(award=award)


def _pdf_bytes(certificate: Certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def test_awarded_decision_creates_award_with_dates_and_a_rendered_certificate(  # noqa: PLR0917 -- pytest fixtures
    decision, admin_user, unit, django_capture_on_commit_callbacks, mailoutbox, lead
):
    certificate = _issue(decision, admin_user, django_capture_on_commit_callbacks)

    award = certificate.award
    assert (award.start_date, award.end_date) == (dt.date(2026, 3, 14), dt.date(2029, 3, 13))
    assert award.interim_due == dt.date(2027, 9, 12)
    assert award.unit == unit
    assert certificate.status == CertificateStatus.READY
    assert certificate.rendered_at is not None
    assert certificate.pdf.name == f"certificates/{certificate.number}.pdf"
    assert len(certificate.verify_code) >= 40
    assert certificate.number not in certificate.verify_code
    assert [m.to for m in mailoutbox] == [[lead.email]]
    assert certificate.number in mailoutbox[0].body


def test_certificate_pdf_holds_unit_number_dates_standards_and_verification_url(
    decision, admin_user, unit, framework, django_capture_on_commit_callbacks
):
    certificate = _issue(decision, admin_user, django_capture_on_commit_callbacks)

    reader = PdfReader(io.BytesIO(_pdf_bytes(certificate)))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    text = " ".join(page.extract_text().split())
    url = verification_url(certificate)
    assert url == f"http://testserver/verify/{certificate.verify_code}/"
    for expected in (
        "Enabling Environments Award",
        unit.name,
        unit.organisation.name,
        certificate.number,
        url,
        "14 March 2026",
        "13 March 2029",
        f"{framework.title} (version {framework.version})",
    ):
        assert expected in text


def test_certificate_uses_the_fonts_shipped_in_static(
    decision, admin_user, django_capture_on_commit_callbacks
):
    certificate = _issue(decision, admin_user, django_capture_on_commit_callbacks)

    reader = PdfReader(io.BytesIO(_pdf_bytes(certificate)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = set()
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # embedded TrueType
        names.add(str(font["/BaseFont"]).split("+")[-1])
    # The @font-face families of static/pdf/certificate.css, so never a system font.
    assert names == {"EE-Sans", "EE-Sans-Bold"}


def test_qr_code_in_the_pdf_decodes_to_the_verification_url(
    decision, admin_user, django_capture_on_commit_callbacks
):
    certificate = _issue(decision, admin_user, django_capture_on_commit_callbacks)
    url = verification_url(certificate)

    images = PdfReader(io.BytesIO(_pdf_bytes(certificate))).pages[0].images
    assert len(images) == 1
    image = images[0].image.convert("L")  # one pixel per module, drawn pixelated
    big = image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST)
    decoded = zxingcpp.read_barcodes(big)
    assert [(r.format, r.text) for r in decoded] == [(zxingcpp.BarcodeFormat.QRCode, url)]
    # And it is segno's encoding of exactly that URL, module for module.
    expected = segno.make_qr(url, error="m", mask=awards.QR_MASK)
    border = awards.QR_BORDER
    size = expected.symbol_size(scale=1, border=0)[0]
    assert image.size == (size + 2 * border, size + 2 * border)
    matrix = tuple(
        tuple(int(image.getpixel((border + x, border + y)) < 128) for x in range(size))
        for y in range(size)
    )
    assert matrix == tuple(tuple(int(bool(v)) for v in row) for row in expected.matrix)


def test_qr_png_data_uri_is_a_decodable_png():
    uri = awards.qr_png_data_uri("http://testserver/verify/abc/")
    import base64  # noqa: PLC0415 -- local to this check

    png = base64.b64decode(uri.split(",", 1)[1])
    image = Image.open(io.BytesIO(png)).convert("L")
    decoded = zxingcpp.read_barcodes(image.resize((image.width * 8, image.height * 8)))
    assert [r.text for r in decoded] == ["http://testserver/verify/abc/"]


def test_issuing_twice_for_the_same_decision_makes_one_award_and_one_certificate(
    decision, admin_user, django_capture_on_commit_callbacks
):
    first = _issue(decision, admin_user, django_capture_on_commit_callbacks)
    second = _issue(decision, admin_user, django_capture_on_commit_callbacks)

    assert first.pk == second.pk
    assert Award.objects.count() == 1
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(verb="award.issued").count() == 1


def test_running_the_task_twice_keeps_one_certificate_and_one_file(
    decision, admin_user, django_capture_on_commit_callbacks
):
    certificate = _issue(decision, admin_user, django_capture_on_commit_callbacks)
    rendered_at = certificate.rendered_at

    render_certificate.apply(kwargs={"certificate_id": certificate.pk}, throw=True)
    render_certificate.apply(kwargs={"certificate_id": certificate.pk}, throw=True)

    certificate.refresh_from_db()
    assert certificate.rendered_at == rendered_at
    assert Certificate.objects.count() == 1
    assert sorted(p.name for p in (storage_root() / "certificates").iterdir()) == [
        f"{certificate.number}.pdf"
    ]


def test_a_render_interrupted_after_storing_the_file_leaves_one_file(
    decision, admin_user, django_capture_on_commit_callbacks
):
    certificate = _issue(decision, admin_user, django_capture_on_commit_callbacks)
    # As if a worker died after writing the file but before the row said "ready".
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.PENDING)

    result = render_certificate.apply(kwargs={"certificate_id": certificate.pk}, throw=True)

    assert result.get() == CertificateStatus.READY
    assert sorted(p.name for p in (storage_root() / "certificates").iterdir()) == [
        f"{certificate.number}.pdf"
    ]


class _RetryRequested(Exception):
    pass


def _run_as_worker(task, *, retries: int, **kwargs):
    """Run the task body as a worker delivery would (not eager), retry number ``retries``."""
    task.push_request(retries=retries, is_eager=False, id=f"try-{retries}")
    try:
        return task.run(**kwargs)
    finally:
        task.pop_request()


def test_a_failed_render_is_recorded_and_retried_with_backoff_then_succeeds(
    decision, admin_user, monkeypatch
):
    award = award_issue_for_decision(decision=decision, actor=admin_user)  # not committed: no task
    certificate = award.certificate
    from reviews import pdf  # noqa: PLC0415 -- patch the WeasyPrint wrapper for this test

    real = pdf.render_pdf
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OSError("disk full")
        return real(**kwargs)

    retries = []

    def fake_retry(*, exc, countdown):
        retries.append((type(exc).__name__, countdown))
        return _RetryRequested()

    monkeypatch.setattr(pdf, "render_pdf", flaky)
    monkeypatch.setattr(render_certificate, "retry", fake_retry)

    for attempt in (0, 1):
        with pytest.raises(_RetryRequested):
            _run_as_worker(render_certificate, retries=attempt, certificate_id=certificate.pk)
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.FAILED
        assert certificate.attempts == attempt + 1
        assert certificate.error == "OSError: disk full"
    result = _run_as_worker(render_certificate, retries=2, certificate_id=certificate.pk)

    certificate.refresh_from_db()
    assert retries == [("CertificateRenderError", 30), ("CertificateRenderError", 60)]
    assert result == CertificateStatus.READY
    assert certificate.status == CertificateStatus.READY
    assert certificate.attempts == 2
    assert certificate.error == ""
    assert Certificate.objects.count() == 1


def test_a_render_that_keeps_failing_gives_up_after_five_retries_and_stays_visible(
    decision, admin_user, monkeypatch
):
    award = award_issue_for_decision(decision=decision, actor=admin_user)
    certificate = award.certificate
    from reviews import pdf  # noqa: PLC0415 -- patch the WeasyPrint wrapper for this test

    def broken(**kwargs):
        raise ValueError("bad template")

    monkeypatch.setattr(pdf, "render_pdf", broken)

    result = _run_as_worker(render_certificate, retries=5, certificate_id=certificate.pk)

    certificate.refresh_from_db()
    assert result == "failed"
    assert certificate.status == CertificateStatus.FAILED
    assert certificate.error == "ValueError: bad template"
    assert not certificate.pdf


def test_an_eager_render_failure_is_recorded_without_raising(decision, admin_user, monkeypatch):
    award = award_issue_for_decision(decision=decision, actor=admin_user)
    from reviews import pdf  # noqa: PLC0415 -- patch the WeasyPrint wrapper for this test

    def broken(**kwargs):
        raise ValueError("bad template")

    monkeypatch.setattr(pdf, "render_pdf", broken)

    result = render_certificate.apply(kwargs={"certificate_id": award.certificate.pk}, throw=True)

    assert result.get() == "failed"
    assert Certificate.objects.get().status == CertificateStatus.FAILED


def test_admin_requeues_a_failed_certificate(
    decision, admin_user, lead, django_capture_on_commit_callbacks
):
    award = award_issue_for_decision(decision=decision, actor=admin_user)
    Certificate.objects.filter(award=award).update(
        status=CertificateStatus.FAILED, attempts=6, error="ValueError: x"
    )
    certificate = Certificate.objects.get(award=award)

    with pytest.raises(awards.PermissionDenied):
        certificate_requeue(certificate=certificate, actor=lead)
    with django_capture_on_commit_callbacks(execute=True):
        queued = certificate_requeue(certificate=certificate, actor=admin_user)

    certificate.refresh_from_db()
    assert queued is True
    assert certificate.status == CertificateStatus.READY
    assert AuditEvent.objects.filter(verb="certificate.requeued").count() == 1
    assert certificate_requeue(certificate=certificate, actor=admin_user) is False


def test_render_task_for_a_missing_certificate_returns_quietly():
    assert render_certificate.apply(kwargs={"certificate_id": 999_999}).get() == "gone"
