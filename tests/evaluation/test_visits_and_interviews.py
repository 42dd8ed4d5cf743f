"""Screens and services for visits and interview records, with audit events."""

from datetime import date

import pytest
from django.urls import reverse

from ipsworks.audit.models import AuditEvent
from ipsworks.evaluation import services
from ipsworks.evaluation.models import EvaluationVisit, Interview


def test_evaluator_adds_a_visit_and_an_interview_through_the_screens(client, users, site_a):
    client.force_login(users["evaluator"])
    response = client.post(
        reverse("evaluation:visit_create"),
        {"site": site_a.pk, "number": 1, "date": "2015-03-01", "evaluator": users["evaluator"].pk},
    )
    visit = EvaluationVisit.objects.get()
    assert response.status_code == 302
    assert (visit.site, visit.number, visit.date) == (site_a, 1, date(2015, 3, 1))
    response = client.post(
        reverse("evaluation:visit_detail", args=[visit.pk]),
        {"format": "focus_group", "participant_role": "clinician", "participants": 6},
    )
    assert response.status_code == 302
    assert Interview.objects.get().participants == 6
    actions = set(AuditEvent.objects.values_list("event", flat=True))
    assert {"evaluation.visit.create", "evaluation.interview.create"} <= actions
    listing = client.get(reverse("evaluation:visit_list")).content.decode()
    assert "Alpha" in listing and "Visit 1" in listing


def test_duplicate_visit_number_is_a_clear_form_error(client, users, site_a):
    EvaluationVisit.objects.create(site=site_a, number=1, date=date(2015, 3, 1))
    client.force_login(users["programme_manager"])
    response = client.post(
        reverse("evaluation:visit_create"),
        {"site": site_a.pk, "number": 1, "date": "2015-04-01"},
    )
    assert response.status_code == 200
    assert "Alpha already has a visit 1." in response.content.decode()


def test_bad_participant_count_is_refused_with_a_message(client, users, site_a):
    visit = EvaluationVisit.objects.create(site=site_a, number=1, date=date(2015, 3, 1))
    client.force_login(users["evaluator"])
    response = client.post(
        reverse("evaluation:visit_detail", args=[visit.pk]),
        {"format": "interview", "participant_role": "clinician", "participants": 0},
    )
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    assert not Interview.objects.exists()


def test_interview_is_edited_and_removed_with_audit(client, users, site_a):
    visit = EvaluationVisit.objects.create(site=site_a, number=1, date=date(2015, 3, 1))
    interview = services.add_interview(
        actor=users["evaluator"],
        visit=visit,
        format="interview",
        participant_role="team_leader",
        participants=1,
    )
    client.force_login(users["evaluator"])
    client.post(
        reverse("evaluation:interview_edit", args=[interview.pk]),
        {"format": "focus_group", "participant_role": "employment_specialist", "participants": 3},
    )
    interview.refresh_from_db()
    assert (interview.participant_role, interview.participants) == ("employment_specialist", 3)
    event = AuditEvent.objects.get(event="evaluation.interview.update")
    assert event.before["participants"] == 1 and event.after["participants"] == 3
    client.post(reverse("evaluation:interview_delete", args=[interview.pk]))
    assert not Interview.objects.exists()
    assert AuditEvent.objects.filter(event="evaluation.interview.delete").exists()


@pytest.mark.parametrize("url_name", ["visit_detail", "visit_edit"])
def test_unknown_visit_is_not_found(client, users, url_name):
    client.force_login(users["evaluator"])
    assert client.get(reverse(f"evaluation:{url_name}", args=[999])).status_code == 404


def test_demo_writes_audit_events_with_valid_actions(demo_ctx):
    from ipsworks.audit.models import AuditEvent

    events = AuditEvent.objects.filter(event__startswith="evaluation.")
    assert events.filter(event="evaluation.excerpt.code").count() == 23
    valid = set(AuditEvent.Action.values)
    assert set(events.values_list("action", flat=True)) <= valid
