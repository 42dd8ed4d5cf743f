"""The minimum wage in force on a job's start date decides whether the job is competitive."""

from datetime import date
from decimal import Decimal

import pytest

from ipsworks.caseload import wages

pytestmark = pytest.mark.django_db


def test_rate_for_a_known_age_band_on_a_date():
    rate = wages.rate_in_force(date(2016, 5, 2), "25-34")
    assert rate.hourly_rate == Decimal("7.20")
    assert "25-34" in rate.explanation


def test_rate_changes_on_the_day_a_new_rate_comes_in():
    assert wages.rate_in_force(date(2016, 3, 31), "25-34").hourly_rate == Decimal("6.70")
    assert wages.rate_in_force(date(2016, 4, 1), "25-34").hourly_rate == Decimal("7.20")


def test_young_bands_get_their_own_rate():
    assert wages.rate_in_force(date(2016, 5, 2), "18-20").hourly_rate == Decimal("5.30")
    assert wages.rate_in_force(date(2016, 5, 2), "21-22").hourly_rate == Decimal("6.70")


def test_unknown_age_band_uses_the_top_rate_and_says_so():
    rate = wages.rate_in_force(date(2016, 5, 2), "")
    assert rate.hourly_rate == Decimal("7.20")
    assert "age band is not recorded" in rate.explanation
    assert "top rate" in rate.explanation


def test_job_paying_at_least_the_minimum_and_open_to_anyone_is_competitive():
    decision = wages.decide(
        start_date=date(2016, 5, 2),
        age_band="25-34",
        hourly_pay=Decimal("7.20"),
        open_to_anyone=True,
    )
    assert decision.is_competitive
    assert decision.minimum_wage == Decimal("7.20")


def test_job_below_the_minimum_or_set_aside_is_not_competitive():
    low = wages.decide(
        start_date=date(2016, 5, 2), age_band="", hourly_pay=Decimal("7.19"), open_to_anyone=True
    )
    assert not low.is_competitive
    assert "below the minimum" in low.explanation
    set_aside = wages.decide(
        start_date=date(2016, 5, 2),
        age_band="25-34",
        hourly_pay=Decimal("9"),
        open_to_anyone=False,
    )
    assert not set_aside.is_competitive


def test_rates_edited_by_an_administrator_are_used():
    from ipsworks.caseload.models import MinimumWageRate

    MinimumWageRate.objects.create(
        valid_from=date(2016, 5, 1), min_age=25, hourly_rate=Decimal("8.00"), label="Test rate"
    )
    assert wages.rate_in_force(date(2016, 5, 2), "").hourly_rate == Decimal("8.00")


def test_administrator_rechecks_jobs_after_editing_the_rates(users, job_a):
    from ipsworks.audit.models import AuditEvent
    from ipsworks.caseload import services
    from ipsworks.caseload.models import MinimumWageRate

    assert job_a.is_competitive  # £7.50 against £7.20
    MinimumWageRate.objects.filter(valid_from=date(2016, 4, 1), min_age=25).update(
        hourly_rate=Decimal("7.60")
    )
    with pytest.raises(services.CaseloadPermissionError):
        services.recheck_minimum_wage(actor=users["implementation_manager"])
    assert services.recheck_minimum_wage(actor=users["administrator"]) == 1
    job_a.refresh_from_db()
    assert not job_a.is_competitive and job_a.minimum_wage == Decimal("7.60")
    assert AuditEvent.objects.filter(event="caseload.job_rechecked").count() == 1
