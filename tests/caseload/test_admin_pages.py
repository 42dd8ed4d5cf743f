"""The Django admin: case records scoped and read-only; rate edits audited and re-checked."""

from datetime import date
from decimal import Decimal

import pytest

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload.models import Episode, Job, MinimumWageRate, ServiceUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(site_a, users):
    person = ServiceUser.objects.create(site=site_a, reference="A-0001", age_band="25-34")
    episode = Episode.objects.create(
        service_user=person,
        site=site_a,
        specialist=users["specialist"],
        referral_date=date(2016, 5, 1),
    )
    return Job.objects.create(
        episode=episode,
        site=site_a,
        start_date=date(2016, 6, 1),
        employer="Cafe",
        job_title="Barista",
        hours_per_week=Decimal("16"),
        hourly_pay=Decimal("7.50"),
        minimum_wage=Decimal("7.20"),
        is_competitive=True,
    )


def test_staff_without_case_access_sees_no_case_records_in_the_admin(client, users, job):
    from django.contrib.auth.models import Permission

    reviewer = users["reviewer"]
    reviewer.is_staff = True
    reviewer.save()
    reviewer.user_permissions.add(Permission.objects.get(codename="view_serviceuser"))
    client.force_login(reviewer)
    page = client.get("/admin/caseload/serviceuser/")
    assert page.status_code == 200
    assert "A-0001" not in page.content.decode()


def test_raising_a_rate_is_audited_and_re_decides_jobs(client, staff_admin, job):
    rate = MinimumWageRate.objects.get(valid_from=date(2016, 4, 1), min_age=25)
    client.force_login(staff_admin)
    response = client.post(
        f"/admin/caseload/minimumwagerate/{rate.pk}/change/",
        {
            "country": "GB",
            "valid_from": "2016-04-01",
            "min_age": "25",
            "max_age": "",
            "hourly_rate": "8.00",
            "label": rate.label,
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.is_competitive is False and job.minimum_wage == Decimal("8.00")
    event = AuditEvent.objects.get(event="caseload.minimum_wage_rate_saved")
    assert event.before["hourly_rate"] == "7.20" and event.after["hourly_rate"] == "8.00"
