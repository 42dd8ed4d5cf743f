"""Caseload fixtures: a referred person at site A (north team) and one at site B."""

from datetime import date

import pytest

from ipsworks.caseload import services


@pytest.fixture
def episode_a(users, site_a):
    """REF-A1 at site A, on the caseload of a.es1, referred 1 March 2016, profile 8 March."""
    return services.refer_service_user(
        actor=users["specialist"],
        site=site_a,
        reference="A001",
        referral_date=date(2016, 3, 1),
        profile_started=date(2016, 3, 8),
        age_band="25-34",
        referral_source="Reading CMHT",
    )


@pytest.fixture
def episode_b(users, site_b):
    return services.refer_service_user(
        actor=users["specialist_b"],
        site=site_b,
        reference="B001",
        referral_date=date(2016, 3, 1),
    )


@pytest.fixture
def job_a(users, episode_a):
    return services.record_job_start(
        actor=users["specialist"],
        episode=episode_a,
        start_date=date(2016, 5, 2),
        employer="Corner Cafe",
        job_title="Barista",
        hours_per_week="16",
        hourly_pay="7.50",
    )
