"""Targets, trajectories, status and forecasts for each site (pure functions on month counts).

Trajectory: the cumulative number of job starts a site should have reached by the end of each
calendar month of its implementation period, reaching its target on the period's last day.
- linear (default): the target spread evenly over the days of the period;
- ramped: each month's share is in proportion to the specialist full-time-equivalents in post
  that month times the planning rate (year 1 of the site: default 11 a year per full-time
  specialist, year 2 onwards: default 16.5), scaled so that the whole period adds up to the
  target. With no staffing recorded it falls back to linear.

Status at a date: job starts so far / trajectory so far. "On track" at or above the programme's
on-track ratio (default 90%), "behind" at or above the behind ratio (default 75%), otherwise
"far behind". After the period ends the trajectory is the target itself.

Forecast of job starts at the end of the period (method): the mean monthly rate over the last
up to 6 complete months of the period (lambda = starts / k months) is projected over the m
months left, forecast = actual + lambda * m. The 95% interval treats future starts as Poisson
and adds the uncertainty of the estimated rate: variance = lambda * m + lambda * m^2 / k;
interval = forecast +/- 1.96 * sqrt(variance), never below the actual count. When the period is
over the forecast is the actual count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from ipsworks.core.dates import add_months, month_end, month_start, months_between

ON_TRACK = "on_track"
BEHIND = "behind"
FAR_BEHIND = "far_behind"
STATUS_LABELS = {ON_TRACK: "On track", BEHIND: "Behind", FAR_BEHIND: "Far behind"}


def period_months(site) -> list[date]:
    """First days of the calendar months the site's implementation period touches."""
    return months_between(site.start_date, site.end_date - timedelta(days=1))


def linear_trajectory(site, target: int) -> dict[date, float]:
    """Cumulative target at the end of each month of the period (even spread over days)."""
    total_days = (site.end_date - site.start_date).days
    out = {}
    for month in period_months(site):
        last = min(month_end(month), site.end_date - timedelta(days=1))
        elapsed = (last - site.start_date).days + 1
        out[month] = target * min(max(elapsed / total_days, 0.0), 1.0)
    return out


def ramped_trajectory(site, target: int, staffing: list[tuple], settings) -> dict[date, float]:
    """Cumulative target shaped by staffing. ``staffing`` is a list of (start, end, fte) of the
    site's specialist memberships (start/end may be None)."""
    year1 = float(settings.year1_jobs_per_specialist)
    year2 = float(settings.year2_jobs_per_specialist)
    second_year = add_months(site.start_date, 12)
    weights = {}
    for month in period_months(site):
        first = max(month, site.start_date)
        last = min(month_end(month), site.end_date - timedelta(days=1))
        weight = 0.0
        for start, end, fte in staffing:
            begin = max(start or first, first)
            finish = min(end or last, last)
            if finish >= begin:
                rate = year1 if begin < second_year else year2
                weight += float(fte) * ((finish - begin).days + 1) / 365.25 * rate
        weights[month] = weight
    total = sum(weights.values())
    if total <= 0:
        return linear_trajectory(site, target)
    out, running = {}, 0.0
    for month, weight in weights.items():
        running += weight
        out[month] = target * running / total
    return out


def staffing_implied_total(site, staffing: list[tuple], settings) -> float:
    """Job starts the staffing would give at the planning rates (shown beside the target)."""
    year1 = float(settings.year1_jobs_per_specialist)
    year2 = float(settings.year2_jobs_per_specialist)
    second_year = add_months(site.start_date, 12)
    last_day = site.end_date - timedelta(days=1)
    total = 0.0
    for start, end, fte in staffing:
        begin = max(start or site.start_date, site.start_date)
        finish = min(end or last_day, last_day)
        for lo, hi, rate in (
            (begin, min(finish, second_year - timedelta(days=1)), year1),
            (max(begin, second_year), finish, year2),
        ):
            if hi >= lo:
                total += float(fte) * ((hi - lo).days + 1) / 365.25 * rate
    return total


def expected_by(trajectory: dict[date, float], as_of: date, target: int) -> float:
    """Cumulative trajectory value at the end of ``as_of``'s month (the target after the end)."""
    key = month_start(as_of)
    months = sorted(trajectory)
    if not months or key < months[0]:
        return 0.0
    if key > months[-1]:
        return float(target)
    return trajectory[key]


def status_for(actual: int, expected: float, settings) -> str:
    if expected <= 0:
        return ON_TRACK
    ratio = actual / expected
    if ratio >= float(settings.on_track_ratio):
        return ON_TRACK
    if ratio >= float(settings.behind_ratio):
        return BEHIND
    return FAR_BEHIND


@dataclass(frozen=True)
class Forecast:
    value: float
    low: float
    high: float
    months_left: int
    window_months: int
    monthly_rate: float


def forecast(monthly: dict[date, int], months: list[date], as_of: date) -> Forecast:
    """Forecast of cumulative job starts at the end of the period ``months``.

    ``monthly`` maps first-of-month to that month's job starts. Months up to and including
    ``as_of``'s month are taken as observed (see the module docstring for the method)."""
    current = month_start(as_of)
    observed = [m for m in months if m <= current]
    left = [m for m in months if m > current]
    actual = sum(monthly.get(m, 0) for m in observed)
    if not left or not observed:
        if not observed:
            return Forecast(0.0, 0.0, 0.0, len(left), 0, 0.0)
        return Forecast(float(actual), float(actual), float(actual), 0, 0, 0.0)
    # Complete months only: the as-of month counts as complete when as_of is its last day.
    complete = observed if as_of >= month_end(as_of) else observed[:-1]
    window = complete[-6:] or observed[-1:]
    k = len(window)
    rate = sum(monthly.get(m, 0) for m in window) / k
    m = len(left)
    value = actual + rate * m
    sd = math.sqrt(rate * m + rate * m * m / k)
    return Forecast(
        value=value,
        low=max(float(actual), value - 1.96 * sd),
        high=value + 1.96 * sd,
        months_left=m,
        window_months=k,
        monthly_rate=rate,
    )
