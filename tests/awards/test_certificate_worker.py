"""A real Celery worker on Redis renders a certificate end to end against the real test DB."""

import io

import pytest
import zxingcpp
from celery import Celery
from pypdf import PdfReader

from awards import services
from awards.enums import CertificateStatus
from awards.models import Certificate
from awards.services import award_issue_for_decision, verification_url
from ee_portal.audit.models import AuditEvent
from tests import factories
from tests.awards.award_support import storage_root
from tests.awards.award_support import upscaled as _upscaled
from tests.conftest import need_service
from tests.services import celery_worker, on_postgresql, redis_available, redis_url, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_renders_the_certificate_once_even_when_the_task_is_sent_twice(
    admin_user, unit, monkeypatch
):
    need_service("Redis", redis_available(), "set REDIS_URL to a running Redis")
    need_service("PostgreSQL", on_postgresql(), "set DATABASE_URL; the worker shares the test DB")
    decision = factories.DecisionFactory(portfolio__unit=unit)
    # Commit the award without rendering in this (eager) process: the worker must do it.
    monkeypatch.setattr(services, "_queue_render", lambda certificate: None)
    award = award_issue_for_decision(decision=decision, actor=admin_user)
    monkeypatch.undo()
    certificate = Certificate.objects.get(award=award)
    assert certificate.status == CertificateStatus.PENDING

    client = Celery("ee_portal", broker=redis_url())
    site = {"EE_SITE_URL": "http://testserver"}
    with celery_worker(media_root=storage_root(), extra_env=site) as queue:
        for _ in range(2):  # a retried delivery or a double click
            client.send_task(
                "reviews.render_certificate",
                kwargs={"certificate_id": certificate.pk},
                queue=queue,
            )
        ready = wait_for(
            lambda: Certificate.objects.filter(
                pk=certificate.pk, status=CertificateStatus.READY
            ).first(),
            timeout=60,
        )
        # Let the second delivery finish before the worker stops.
        client.send_task("audit.ping", kwargs={"note": "done"}, queue=queue)
        wait_for(lambda: AuditEvent.objects.filter(verb="system.ping").exists())

    assert ready is not None, "the worker never rendered the certificate"
    assert Certificate.objects.filter(award=award).count() == 1
    assert sorted(p.name for p in (storage_root() / "certificates").iterdir()) == [
        f"{ready.number}.pdf"
    ]
    with ready.pdf.open("rb") as handle:
        page = PdfReader(io.BytesIO(handle.read())).pages[0]
    url = verification_url(ready)
    assert url in " ".join(page.extract_text().split())
    assert [r.text for r in zxingcpp.read_barcodes(_upscaled(page.images[0].image))] == [url]
