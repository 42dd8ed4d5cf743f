"""The service-user page: timeline, quick forms with and without HTMX, and the conflict screen."""

from datetime import date

import pytest

from ipsworks.caseload import services
from ipsworks.caseload.models import Activity, Job

pytestmark = pytest.mark.django_db


def test_timeline_lists_everything_recorded_newest_first(client, users, episode_a, job_a):
    services.record_activity(
        actor=users["specialist"],
        episode=episode_a,
        kind="employer_contact",
        date=date(2016, 4, 1),
        employer="Town Library",
        face_to_face=True,
    )
    client.force_login(users["specialist"])
    page = client.get(f"/caseload/people/{episode_a.service_user_id}/").content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    order = [
        timeline.index("Started work: Barista"),
        timeline.index("Employer contact by the specialist"),
        timeline.index("Vocational profile started"),
        timeline.index("Referred"),
    ]
    assert order == sorted(order)
    assert "Town Library, face to face" in timeline


def test_quick_employer_contact_with_htmx_returns_the_updated_records_panel(
    client, users, episode_a
):
    client.force_login(users["specialist"])
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/log/employer_contact/",
        {
            "employer_contact-date": "2016-04-02",
            "employer_contact-employer": "Crown Hotel",
            "employer_contact-face_to_face": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="records"')  # a fragment, not a whole page
    assert "<html" not in body
    assert "Employer contact by the specialist on 02/04/2016 recorded." in body
    assert Activity.objects.get().face_to_face is True


def test_quick_form_without_javascript_redirects_back_to_the_page(client, users, episode_a):
    client.force_login(users["specialist"])
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/log/application/",
        {"application-date": "2016-04-02", "application-employer": "Crown Hotel"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/caseload/people/{episode_a.service_user_id}/#records")
    page = client.get(response["Location"]).content.decode()
    assert "Job application on 02/04/2016 recorded." in page


def test_quick_job_start_errors_are_shown_on_the_field(client, users, episode_a):
    client.force_login(users["specialist"])
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/jobs/new/",
        {
            "job-start_date": "2016-02-01",
            "job-employer": "Crown Hotel",
            "job-job_title": "Porter",
            "job-hours_per_week": "90",
            "job-hourly_pay": "7",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'id="id_job-start_date-error"' in body
    assert "before the referral date" in body
    assert not Job.objects.exists()


def test_quick_job_end_records_the_end(client, users, job_a):
    client.force_login(users["specialist"])
    prefix = f"end{job_a.pk}"
    response = client.post(
        f"/caseload/jobs/{job_a.pk}/end/",
        {
            f"{prefix}-version": job_a.version,
            f"{prefix}-end_date": "2016-07-01",
            f"{prefix}-end_reason": "resigned",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Job ended: Barista" in response.content.decode()
    job_a.refresh_from_db()
    assert job_a.end_date == date(2016, 7, 1)


def test_editing_a_referral_someone_else_changed_shows_what_changed_and_saves_nothing(
    client, users, episode_a
):
    opened_version = episode_a.version
    services.update_episode(
        actor=users["team_leader"],
        episode=episode_a,
        expected_version=opened_version,
        values={"referral_source": "GP surgery"},
    )
    client.force_login(users["specialist"])
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/edit/",
        {
            "version": opened_version,
            "referral_date": "2016-03-01",
            "referral_source": "Ward staff",
            "employment_status": "out_of_work",
            "profile_started": "2016-03-08",
        },
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this record" in body
    assert "a.tl" in body
    assert "GP surgery" in body and "Reading CMHT" in body and "Ward staff" in body
    episode_a.refresh_from_db()
    assert episode_a.referral_source == "GP surgery"


def test_discharge_form_closes_the_referral(client, users, episode_a):
    client.force_login(users["specialist"])
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/discharge/",
        {"version": episode_a.version, "discharge_date": "2016-09-01", "discharge_reason": "moved"},
    )
    assert response.status_code == 302
    episode_a.refresh_from_db()
    assert episode_a.discharge_date == date(2016, 9, 1)


def test_referral_form_refuses_a_duplicate_id_with_a_field_message(client, users, episode_a):
    client.force_login(users["specialist"])
    response = client.post(
        "/caseload/refer/",
        {"reference": "A001", "referral_date": "2016-05-01", "employment_status": "out_of_work"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reference-error"' in body and "already used at this site" in body


def test_administrator_removes_a_person_from_the_page(client, users, episode_a):
    client.force_login(users["administrator"])
    url = f"/caseload/people/{episode_a.service_user_id}/remove/"
    response = client.post(url, {"reason": "Test record", "confirm": "on"})
    assert response.status_code == 302
    assert client.get(f"/caseload/people/{episode_a.service_user_id}/").status_code == 404


def test_other_work_is_logged_with_its_kind(client, users, episode_a):
    client.force_login(users["specialist"])
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/log/",
        {"other-kind": "benefits_planning", "other-date": "2016-03-10"},
        HTTP_HX_REQUEST="true",
    )
    assert "Work-incentives (benefits) planning session on 10/03/2016 recorded." in (
        response.content.decode()
    )
    assert Activity.objects.get().kind == "benefits_planning"


def test_a_specialist_cannot_hand_a_referral_to_a_colleague_from_the_edit_form(
    client, users, episode_a
):
    client.force_login(users["specialist"])
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/edit/",
        {
            "version": episode_a.version,
            "referral_date": "2016-03-01",
            "referral_source": "Reading CMHT",
            "specialist": users["specialist_south"].pk,
            "team": episode_a.team_id,
            "employment_status": "out_of_work",
            "profile_started": "2016-03-08",
        },
    )
    assert response.status_code == 200
    assert "would leave your caseload" in response.content.decode()
    episode_a.refresh_from_db()
    assert episode_a.specialist == users["specialist"]


def test_a_team_leader_moving_a_referral_to_another_teams_specialist_is_refused(
    client, users, episode_a
):
    client.force_login(users["team_leader"])
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/edit/",
        {
            "version": episode_a.version,
            "referral_date": "2016-03-01",
            "referral_source": "Reading CMHT",
            "specialist": users["specialist_south"].pk,
            "team": episode_a.team_id,
            "employment_status": "out_of_work",
            "profile_started": "2016-03-08",
        },
    )
    assert response.status_code == 200
    assert "would leave your caseload" in response.content.decode()
    episode_a.refresh_from_db()
    assert episode_a.specialist == users["specialist"]


def test_an_implementation_manager_moving_a_referral_brings_the_new_specialists_team(
    client, users, episode_a
):
    client.force_login(users["implementation_manager"])
    south = users["specialist_south"]
    response = client.post(
        f"/caseload/referrals/{episode_a.pk}/edit/",
        {
            "version": episode_a.version,
            "referral_date": "2016-03-01",
            "referral_source": "Reading CMHT",
            "specialist": south.pk,
            "team": episode_a.team_id,
            "employment_status": "out_of_work",
            "profile_started": "2016-03-08",
        },
    )
    assert response.status_code == 302
    episode_a.refresh_from_db()
    assert episode_a.specialist == south
    assert episode_a.team_id == south.memberships.get().team_id
