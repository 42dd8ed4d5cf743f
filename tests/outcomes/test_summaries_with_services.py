"""The caseload services keep the summaries current in the same transaction."""

from datetime import date
from decimal import Decimal

import pytest

from ipsworks.caseload import services
from ipsworks.outcomes.models import MonthlySiteSummary

pytestmark = pytest.mark.django_db


def test_a_referral_and_a_job_start_update_the_month_rows(site_a, users):
    im = users["implementation_manager"]
    episode = services.refer_service_user(
        actor=im,
        site=site_a,
        reference="S-001",
        referral_date=date(2015, 3, 2),
        profile_started=date(2015, 3, 4),
        specialist=users["specialist"],
    )
    row = MonthlySiteSummary.objects.get(site=site_a, month=date(2015, 3, 1))
    assert (row.referrals, row.people_engaged, row.job_starts) == (1, 1, 0)
    services.record_job_start(
        actor=im,
        episode=episode,
        start_date=date(2015, 5, 11),
        employer="Café",
        job_title="Barista",
        hours_per_week=Decimal("16"),
        hourly_pay=Decimal("7.00"),
    )
    may = MonthlySiteSummary.objects.get(site=site_a, month=date(2015, 5, 1))
    assert (may.job_starts, may.people_into_work, may.competitive_job_starts) == (1, 1, 1)
