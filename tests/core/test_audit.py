import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ee_portal.audit.models import AppendOnlyError, AuditEvent
from ee_portal.audit.services import audit_log, audit_verify_chain
from tests import factories

pytestmark = pytest.mark.django_db


def _three_events():
    user = factories.UserFactory()
    return [audit_log(actor=user, verb=f"test.{i}", obj=user, details={"i": i}) for i in range(3)]


def test_audit_log_chains_each_event_to_the_previous():
    first, second, third = _three_events()
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit_verify_chain() is None


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm():
    event = _three_events()[0]
    event.verb = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.0"


def test_verify_audit_log_reports_the_first_tampered_row(capsys):
    events = _three_events()
    call_command("verify_audit_log")
    assert "intact: 3 events" in capsys.readouterr().out
    # Tamper below the ORM, as someone with database access could.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"i": 99}', events[1].pk]
        )
    assert audit_verify_chain().pk == events[1].pk
    with pytest.raises(CommandError, match=f"broken at event #{events[1].pk}"):
        call_command("verify_audit_log")


def test_verify_audit_log_detects_a_deleted_row():
    events = _three_events()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert audit_verify_chain().pk == events[2].pk


def test_audit_records_sign_in_and_failed_sign_in(client):
    user = factories.UserFactory(email="someone@example.test")
    client.post("/accounts/login/", {"username": "someone@example.test", "password": "wrong"})
    client.post(
        "/accounts/login/",
        {"username": "someone@example.test", "password": factories.TEST_PASSWORD},
    )
    verbs = list(AuditEvent.objects.values_list("verb", "actor_email"))
    assert verbs == [("auth.login_failed", ""), ("auth.login", user.email)]
    failed = AuditEvent.objects.get(verb="auth.login_failed")
    assert failed.details == {"username": "someone@example.test"}
    assert "wrong" not in str(failed.details)


def test_audit_records_django_admin_edits(client):
    operator = factories.UserFactory(is_staff=True, is_superuser=True, is_ccqi_admin=True)
    org = factories.OrganisationFactory(name="Old name")
    client.force_login(operator)
    response = client.post(
        f"/django-admin/network/organisation/{org.pk}/change/",
        {
            "name": "New name",
            "kind": "provider",
            "website": "",
            "notes": "",
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
            "units-MIN_NUM_FORMS": "0",
            "units-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="admin.change")
    assert event.actor_email == operator.email
    assert event.details["model"] == "network.organisation"
    assert event.details["object"] == "New name"


def test_audit_admin_is_read_only(client):
    operator = factories.UserFactory(is_staff=True, is_superuser=True)
    event = _three_events()[0]
    client.force_login(operator)
    assert client.get("/django-admin/audit/auditevent/add/").status_code == 403
    response = client.post(f"/django-admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
