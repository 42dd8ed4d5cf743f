"""Trajectories, status thresholds and forecasts, worked by hand."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from ipsworks.outcomes import targets as t
from ipsworks.outcomes.models import TargetSettings

SETTINGS = SimpleNamespace(
    on_track_ratio=Decimal("0.90"),
    behind_ratio=Decimal("0.75"),
    year1_jobs_per_specialist=Decimal("11"),
    year2_jobs_per_specialist=Decimal("16.5"),
)


def site(start=date(2015, 1, 1), months=12, target=60):
    from ipsworks.core.dates import add_months

    return SimpleNamespace(
        start_date=start,
        implementation_months=months,
        end_date=add_months(start, months),
        job_start_target=target,
    )


def test_linear_trajectory_reaches_the_target_on_the_last_day():
    s = site()
    trajectory = t.linear_trajectory(s, 60)
    assert len(trajectory) == 12
    assert trajectory[date(2015, 12, 1)] == pytest.approx(60)
    assert trajectory[date(2015, 1, 1)] == pytest.approx(60 * 31 / 365)
    assert trajectory[date(2015, 6, 1)] == pytest.approx(60 * 181 / 365)


def test_a_site_starting_mid_month_touches_an_extra_calendar_month():
    s = site(start=date(2015, 1, 28), months=18)
    months = t.period_months(s)
    assert months[0] == date(2015, 1, 1) and months[-1] == date(2016, 7, 1)
    assert len(months) == 19


def test_ramped_trajectory_is_slower_in_year_one_and_still_reaches_the_target():
    s = site(months=24)
    staffing = [(date(2015, 1, 1), None, Decimal("1.0"))]
    ramped = t.ramped_trajectory(s, 60, staffing, SETTINGS)
    linear = t.linear_trajectory(s, 60)
    assert ramped[date(2016, 12, 1)] == pytest.approx(60)
    assert ramped[date(2015, 12, 1)] < linear[date(2015, 12, 1)]
    # year 1 share = 11 / (11 + 16.5) = 40%
    assert ramped[date(2015, 12, 1)] == pytest.approx(60 * 11 / 27.5, rel=0.01)
    assert t.staffing_implied_total(s, staffing, SETTINGS) == pytest.approx(27.5, rel=0.01)


def test_ramped_trajectory_without_staff_falls_back_to_linear():
    s = site()
    assert t.ramped_trajectory(s, 60, [], SETTINGS) == t.linear_trajectory(s, 60)


@pytest.mark.parametrize(
    ("actual", "expected", "status"),
    [(27, 30, t.ON_TRACK), (26, 30, t.BEHIND), (23, 30, t.BEHIND), (22, 30, t.FAR_BEHIND)],
)
def test_status_thresholds(actual, expected, status):
    assert t.status_for(actual, expected, SETTINGS) == status


def test_expected_is_the_target_after_the_period_and_zero_before():
    s = site()
    trajectory = t.linear_trajectory(s, 60)
    assert t.expected_by(trajectory, date(2014, 12, 31), 60) == 0
    assert t.expected_by(trajectory, date(2017, 3, 1), 60) == 60


def test_forecast_projects_the_recent_rate_with_an_interval():
    months = t.period_months(site())
    monthly = dict.fromkeys(months[:6], 5)  # 5 a month for 6 months
    fc = t.forecast(monthly, months, date(2015, 6, 30))
    assert fc.value == pytest.approx(30 + 5 * 6)
    assert (fc.window_months, fc.months_left) == (6, 6)
    sd = (5 * 6 + 5 * 36 / 6) ** 0.5
    assert fc.low == pytest.approx(60 - 1.96 * sd)
    assert fc.high == pytest.approx(60 + 1.96 * sd)


def test_forecast_after_the_period_is_the_actual_count():
    months = t.period_months(site())
    fc = t.forecast({months[0]: 3}, months, date(2016, 5, 1))
    assert (fc.value, fc.low, fc.high) == (3, 3, 3)


@pytest.mark.django_db
def test_target_settings_defaults_match_the_planning_rule(programme):
    settings = TargetSettings.objects.create(programme=programme)
    assert settings.year1_jobs_per_specialist == Decimal("11.0")
    assert settings.year2_jobs_per_specialist == Decimal("16.5")
    assert settings.trajectory == "linear"
    assert settings.no_contact_days == 14
