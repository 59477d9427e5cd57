import datetime as dt
import io
import secrets

import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from awards import services
from awards.enums import CertificateStatus
from awards.models import Award, Certificate
from awards.services import award_issue_for_decision, certificate_requeue, verification_url
from awards.tasks import render_certificate
from ee_portal.audit.models import AuditEvent
from network.models import Organisation, Unit
from standards.models import Framework
from tests import factories
from tests.awards.award_support import storage_root

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
    expected = segno.make_qr(url, error="m", mask=services.QR_MASK)
    border = services.QR_BORDER
    size = expected.symbol_size(scale=1, border=0)[0]
    assert image.size == (size + 2 * border, size + 2 * border)
    matrix = tuple(
        tuple(int(image.getpixel((border + x, border + y)) < 128) for x in range(size))
        for y in range(size)
    )
    assert matrix == tuple(tuple(int(bool(v)) for v in row) for row in expected.matrix)


def test_qr_png_data_uri_is_a_decodable_png():
    uri = services.qr_png_data_uri("http://testserver/verify/abc/")
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

    with pytest.raises(services.PermissionDenied):
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


# ---------------------------------------------------------------------------------------------
# Rendering: fonts, long names, per-process caches (reviews.pdf keeps one font configuration,
# URL fetcher and parsed stylesheet per worker).
# ---------------------------------------------------------------------------------------------


def _certificate(unit_name: str, number: str = "EE-2026-00001") -> Certificate:
    """An unsaved certificate with its award, unit, organisation and framework (as rendered)."""
    unit = Unit(organisation=Organisation(name="Demo Health NHS Trust"), name=unit_name)
    award = Award(
        unit=unit,
        framework=Framework(title="Enabling Environments standards", version="2026"),
        start_date=dt.date(2026, 3, 14),
        end_date=dt.date(2029, 3, 13),
        interim_due=dt.date(2027, 9, 12),
    )
    return Certificate(
        award=award, number=number, verify_code=secrets.token_urlsafe(services.VERIFY_CODE_BYTES)
    )


def _page(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0]


def _text(page) -> str:
    return " ".join(page.extract_text().split())


def _font_names(page) -> set[str]:
    return {
        str(ref.get_object()["/BaseFont"]).split("+")[-1]
        for ref in page["/Resources"]["/Font"].values()
    }


def _qr_text(page) -> str:
    (image,) = page.images
    grey = image.image.convert("L")
    big = grey.resize((grey.width * 8, grey.height * 8), Image.Resampling.NEAREST)
    (decoded,) = zxingcpp.read_barcodes(big)
    return decoded.text


def test_welsh_and_polish_letters_come_from_the_shipped_latin_subset_fonts():
    page = _page(services.certificate_pdf(_certificate("Ŵyn Łąka Ward")))

    assert "Ŵyn Łąka Ward" in _text(page)
    assert _font_names(page) == {"EE-Sans", "EE-Sans-Bold"}


def test_greek_letters_fall_back_to_a_system_font_and_stay_extractable():
    # Greek is outside the Latin subsets: Pango takes it from the worker's fonts (the image
    # installs fonts-dejavu-core), and the PDF text layer still holds the real characters.
    page = _page(services.certificate_pdf(_certificate("Ωμέγα Ward")))

    assert "Ωμέγα Ward" in _text(page)
    fonts = _font_names(page)
    assert {"EE-Sans", "EE-Sans-Bold"} < fonts  # the Latin text keeps the shipped fonts
    assert any(name.startswith("DejaVu") for name in fonts - {"EE-Sans", "EE-Sans-Bold"})


def test_a_120_character_unit_name_still_fits_on_one_page_with_everything_on_it(settings):
    settings.EE_SITE_URL = "https://portal.enablingenvironments.org.uk"  # a long real host
    name = " ".join(["Therapeutic Community"] * 6)[:120].strip()
    assert len(name) >= 119
    certificate = _certificate(name)

    page = _page(services.certificate_pdf(certificate))  # asserts a single page

    text = _text(page)
    url = verification_url(certificate)
    for expected in (name, "Demo Health NHS Trust", "13 March 2029", certificate.number, url):
        assert expected in text
    assert _qr_text(page) == url


def test_the_verification_url_stays_clear_of_the_signature(settings):
    settings.EE_SITE_URL = "https://portal.enablingenvironments.org.uk"
    certificate = _certificate("Oak House Therapeutic Community")
    url = verification_url(certificate)
    page = _page(services.certificate_pdf(certificate))
    baselines = {}  # text run -> (baseline y, font size), in PDF points from the page bottom

    def visit(text, cm, tm, _font, font_size):
        scale = abs(cm[3] * tm[3])
        baselines[text.strip()] = (cm[5] + cm[3] * tm[5], font_size * scale)

    page.extract_text(visitor_text=visit)

    url_y, url_size = baselines[url]  # the whole URL is one run: on one line
    signature_y = baselines["Centre for Quality Improvement"][0]  # its lower line
    # The signature's lowest line (descenders included) is above the URL line's ascenders.
    assert signature_y - 0.3 * url_size > url_y + url_size


def test_two_renders_in_one_process_each_hold_only_their_own_certificate():
    first = _certificate("Oak House", number="EE-2026-00001")
    second = _certificate("Willow Ward", number="EE-2026-00002")

    pages = [_page(services.certificate_pdf(c)) for c in (first, second, first)]

    texts = [_text(page) for page in pages]
    own = {"Oak House": 0, "EE-2026-00001": 0, "Willow Ward": 1, "EE-2026-00002": 1}
    assert {(value, index) for value in own for index in (0, 1) if value in texts[index]} == {
        (value, index) for value, index in own.items()
    }
    assert [_qr_text(page) for page in pages] == [
        verification_url(first),
        verification_url(second),
        verification_url(first),
    ]
    assert texts[2] == texts[0]


def test_render_pdf_with_an_unknown_stylesheet_says_which_one():
    from reviews.pdf import render_pdf  # noqa: PLC0415 -- WeasyPrint is imported lazily by design

    with pytest.raises(ValueError, match=r"'pdf/no-such\.css' is not a file in the static"):
        render_pdf(
            template="pdf/certificate.html",
            context=services.certificate_context(_certificate("Oak House")),
            stylesheet="pdf/no-such.css",
        )


def test_another_templates_ee_sans_fonts_do_not_reach_the_certificate(settings, tmp_path):
    # feedback.html registers the full DejaVu fonts as "EE Sans" too. Rendered first in the
    # same worker, they must not replace the certificate's Latin subsets (nor their speed).
    from reviews.pdf import render_pdf  # noqa: PLC0415 -- WeasyPrint is imported lazily by design

    (tmp_path / "full_fonts.html").write_text(
        '<style>@font-face { font-family: "EE Sans"; '
        'src: url("/static/pdf/fonts/DejaVuSans.ttf"); }'
        '@font-face { font-family: "EE Sans"; font-weight: bold; '
        'src: url("/static/pdf/fonts/DejaVuSans-Bold.ttf"); }'
        'body { font-family: "EE Sans"; font-weight: bold; }</style><p>Ωμέγα</p>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    other = _page(render_pdf(template="full_fonts.html", context={}))
    assert _font_names(other) == {"EE-Sans-Bold"}  # Greek from the full font: no fallback

    page = _page(services.certificate_pdf(_certificate("Ωμέγα Ward")))

    assert "Ωμέγα Ward" in _text(page)
    assert len(_font_names(page) - {"EE-Sans", "EE-Sans-Bold"}) == 1  # Greek: a fallback font
