"""The audit trail records sign-ins and changes and cannot be edited."""

import pytest

from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import record

pytestmark = pytest.mark.django_db


def test_signing_in_and_failing_to_sign_in_are_audited(client, users):
    client.post("/account/sign-in/", {"username": "a.es1", "password": "wrong-password-1"})
    client.post("/account/sign-in/", {"username": "a.es1", "password": "a-long-test-password"})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["sign_in_failed", "sign_in"]


def test_audit_events_cannot_be_changed_or_deleted(users, site_a):
    event = record(actor=users["administrator"], action="update", site=site_a, summary="x")
    event.summary = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="tampered")
    assert AuditEvent.objects.get(pk=event.pk).summary == "x"


def test_admin_cannot_edit_audit_events(client, staff_admin, site_a):
    admin = staff_admin
    event = record(actor=admin, action="update", site=site_a, summary="x")
    client.force_login(admin)
    page = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200  # view only
    assert b'name="_save"' not in page.content
    client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"summary": "changed"})
    assert AuditEvent.objects.get(pk=event.pk).summary == "x"


def test_programme_manager_reads_events_of_the_programme(client, users, site_a):
    record(actor=users["implementation_manager"], action="import", site=site_a, summary="March")
    client.force_login(users["programme_manager"])
    page = client.get("/audit/").content.decode()
    assert "March" in page and "a.im" in page
