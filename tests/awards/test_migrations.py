"""Issue 12: Award and Certificate moved from reviews to awards with their data.

Migrates back to the state before the move, writes rows with the historical reviews models
(and an audit event about them), migrates forward and finds the same rows through
awards.models, the renamed content types, and an intact audit chain.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from awards.models import Award, Certificate
from ee_portal.audit.models import AuditEvent
from ee_portal.audit.services import audit_log, audit_verify_chain
from reviews.models import ReminderLog
from tests import factories

BEFORE = [("reviews", "0001_initial"), ("awards", None)]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    """Migrate to ``targets``; return the historical apps of the state reached."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    nodes = [t for t in targets if t[1] is not None]
    nodes += [leaf for leaf in leaves if leaf[0] not in {t[0] for t in targets}]
    return executor.loader.project_state(nodes, at_end=True).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move(framework):
    """A decided portfolio (current models: those tables do not change), then the database as
    it was before awards existed. Migrates to the latest state afterwards whatever happens."""
    decision = factories.DecisionFactory()
    # The content types as a database that has always had them in reviews.
    ContentType.objects.filter(app_label="awards").delete()
    old_apps = _migrate(BEFORE)
    try:
        yield old_apps, decision
    finally:
        _migrate(_latest())
        ContentType.objects.clear_cache()


def test_moving_the_models_keeps_every_row(before_the_move):
    old_apps, decision = before_the_move
    OldAward = old_apps.get_model("reviews", "Award")
    OldCertificate = old_apps.get_model("reviews", "Certificate")
    OldReminderLog = old_apps.get_model("reviews", "ReminderLog")
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    OldPermission = old_apps.get_model("auth", "Permission")
    award_type, _ = OldContentType.objects.get_or_create(app_label="reviews", model="award")
    OldContentType.objects.get_or_create(app_label="reviews", model="certificate")
    permission = OldPermission.objects.create(
        content_type=award_type, codename="view_award", name="Can view award"
    )
    start = dt.date(2025, 5, 1)
    award = OldAward.objects.create(
        unit_id=decision.portfolio.unit_id,
        portfolio_id=decision.portfolio_id,
        decision_id=decision.pk,
        framework_id=decision.portfolio.framework_id,
        start_date=start,
        end_date=dt.date(2028, 4, 30),
        interim_due=dt.date(2026, 10, 30),
        status="suspended",
        status_reason="Safeguarding review",
    )
    certificate = OldCertificate.objects.create(
        award=award, number="EE-2025-00042", verify_code="kept-verify-code", status="ready",
        pdf="certificates/EE-2025-00042.pdf", attempts=2,
    )  # fmt: skip
    OldReminderLog.objects.create(key=f"award:{award.pk}:interim-due")
    with connection.cursor() as cursor:
        assert "reviews_award" in connection.introspection.table_names(cursor)
    # An audit event written before the move, naming the object the old way.
    audit_log(actor=None, verb="award.issued", obj=award)
    event = AuditEvent.objects.get(verb="award.issued")
    assert event.object_type == "reviews.award"

    _migrate(_latest())
    ContentType.objects.clear_cache()

    moved = Award.objects.select_related("certificate").get(pk=award.pk)
    assert (moved.decision_id, moved.start_date, moved.status, moved.status_reason) == (
        decision.pk, start, "suspended", "Safeguarding review",
    )  # fmt: skip
    assert moved.certificate.pk == certificate.pk
    assert (moved.certificate.number, moved.certificate.verify_code) == (
        "EE-2025-00042", "kept-verify-code",
    )  # fmt: skip
    assert moved.certificate.pdf.name == "certificates/EE-2025-00042.pdf"
    assert moved.certificate.attempts == 2
    assert Certificate.objects.count() == Award.objects.count() == 1
    assert ReminderLog.objects.filter(key=f"award:{award.pk}:interim-due").exists()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert {"awards_award", "awards_certificate"} <= set(tables)
    assert not {"reviews_award", "reviews_certificate"} & set(tables)
    # The content type rows were renamed, not replaced: what points at them still does.
    assert ContentType.objects.get_for_model(Award).pk == award_type.pk
    assert not ContentType.objects.filter(app_label="reviews", model="award").exists()
    assert Permission.objects.get(pk=permission.pk).content_type_id == award_type.pk
    # The audit log is untouched and its chain still verifies; the old event is still found.
    assert AuditEvent.objects.get(pk=event.pk).object_type == "reviews.award"
    assert audit_verify_chain() is None
    call_command("verify_audit_log", verbosity=0)
    from awards.selectors import audit_events_for  # noqa: PLC0415

    assert list(audit_events_for(obj=moved)) == [event]
    # New rows work through the current models, with new ids after the old ones.
    assert factories.AwardFactory().pk > award.pk


def test_the_move_can_be_reversed(before_the_move):
    old_apps, decision = before_the_move
    _migrate(_latest())
    award = factories.AwardFactory(decision=decision)
    ContentType.objects.get_for_model(Award)

    reverted = _migrate(BEFORE)
    ContentType.objects.clear_cache()

    OldAward = reverted.get_model("reviews", "Award")
    assert OldAward.objects.get(pk=award.pk).decision_id == decision.pk
    assert ContentType.objects.filter(app_label="reviews", model="award").exists()
    assert not ContentType.objects.filter(app_label="awards", model="award").exists()
