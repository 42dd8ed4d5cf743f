"""Reading outcome figures for dashboards, exports and the ``ipsworks outcomes`` command.

Programme and site overviews read the monthly summary tables (one query for all sites), so
their cost does not grow with the number of raw records; rates that need person-level logic
(quarterly employment rate, out-of-work employment rate) are computed through
:mod:`ipsworks.outcomes.metrics` for one quarter, a fixed number of queries per site.
Everything returned is aggregate: no person-level data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.http import Http404
from django.utils import timezone

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import PROGRAMME_ROLES, Role
from ipsworks.accounts.scoping import scope_for
from ipsworks.caseload.models import Activity
from ipsworks.core.dates import month_end, months_between
from ipsworks.organisation.models import Programme, Site

from . import targets as t
from .metrics import (
    REGISTRY,
    Metric,
    MetricResult,
    MetricScope,
    Period,
    compute,
    last_employer_contact_by_specialist,
)
from .models import SUMMARY_FIELDS, MonthlySiteSummary, TargetSettings, Trajectory
from .stats import wilson_interval


def settings_for(programme) -> TargetSettings:
    found = TargetSettings.objects.filter(programme=programme).first()
    return found or TargetSettings(programme=programme)


@dataclass
class SiteOutcome:
    site: Site
    months: list[date]  # the months counted
    period_months: list[date]  # the site's implementation period, by calendar month
    monthly: dict[date, dict[str, int]]
    totals: dict[str, int]
    trajectory: dict[date, float]
    expected_job_starts: float
    status: str
    forecast: t.Forecast
    job_starts_to_date: int
    staffing_total: float | None = None
    as_of: date | None = None

    @property
    def referrals(self) -> int:
        return self.totals["referrals"]

    @property
    def job_starts(self) -> int:
        return self.totals["job_starts"]

    @property
    def people_into_work(self) -> int:
        return self.totals["people_into_work"]

    @property
    def job_start_rate(self) -> float | None:
        return self.job_starts / self.referrals if self.referrals else None

    @property
    def rate_interval(self) -> tuple[float, float] | None:
        return wilson_interval(min(self.job_starts, self.referrals), self.referrals)

    @property
    def status_label(self) -> str:
        return t.STATUS_LABELS[self.status]

    @property
    def target_met(self) -> bool:
        return self.job_starts >= self.site.job_start_target

    def cumulative(self) -> list[tuple[int, date, int | None, float]]:
        """(month number since start, month, cumulative job starts, cumulative trajectory);
        job starts are None for months after ``as_of``."""
        out, running = [], 0
        for number, month in enumerate(self.period_months, start=1):
            running += self.monthly.get(month, {}).get("job_starts", 0)
            shown = running if self.as_of is None or month <= self.as_of else None
            out.append((number, month, shown, self.trajectory.get(month, 0.0)))
        return out


@dataclass
class ProgrammeOutcomes:
    programme: Programme
    as_of: date
    settings: TargetSettings
    sites: list[SiteOutcome]
    calendar_months: list[date] = field(default_factory=list)
    cumulative_actual: list[int] = field(default_factory=list)
    cumulative_target: list[float] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int | float | None]:
        out: dict = {k: sum(s.totals[k] for s in self.sites) for k in SUMMARY_FIELDS}
        out["job_start_rate"] = out["job_starts"] / out["referrals"] if out["referrals"] else None
        out["target_job_starts"] = sum(s.site.job_start_target for s in self.sites)
        out["target_referrals"] = sum(s.site.referral_target for s in self.sites)
        out["expected_job_starts"] = sum(s.expected_job_starts for s in self.sites)
        out["forecast_job_starts"] = sum(s.forecast.value for s in self.sites)
        out["sites_at_target"] = sum(1 for s in self.sites if s.target_met)
        out["rate_interval"] = wilson_interval(
            min(out["job_starts"], out["referrals"]), out["referrals"]
        )
        return out

    def figure2(self) -> list[tuple[date, int, float]]:
        return list(
            zip(self.calendar_months, self.cumulative_actual, self.cumulative_target, strict=True)
        )


def default_as_of(sites) -> date:
    """Today, or the last day of the latest implementation period if all have ended."""
    today = timezone.localdate()
    ends = [s.end_date - timedelta(days=1) for s in sites]
    return min(today, max(ends)) if ends else today


def programme_outcomes(
    programme,
    *,
    as_of: date | None = None,
    sites=None,
    first_month: date | None = None,
    last_month: date | None = None,
) -> ProgrammeOutcomes:
    """Every site's figures from the summaries. Counts cover each site's implementation period
    (up to ``as_of``), or the months from ``first_month`` to ``last_month`` when given."""
    site_list = list(
        sites if sites is not None else Site.objects.filter(programme=programme).order_by("name")
    )
    as_of = as_of or default_as_of(site_list)
    settings = settings_for(programme)
    ids = [s.pk for s in site_list]
    monthly: dict[int, dict[date, dict[str, int]]] = defaultdict(dict)
    for row in MonthlySiteSummary.objects.filter(site_id__in=ids, month__lte=as_of).values(
        "site_id", "month", *SUMMARY_FIELDS
    ):
        monthly[row.pop("site_id")][row.pop("month")] = row
    staffing: dict[int, list[tuple]] = defaultdict(list)
    if settings.trajectory == Trajectory.RAMPED:
        for site_id, start, end, fte in Membership.objects.filter(
            role=Role.SPECIALIST, site_id__in=ids
        ).values_list("site_id", "start_date", "end_date", "fte"):
            staffing[site_id].append((start, end, fte))

    outcomes = []
    for site in site_list:
        months_in_period = t.period_months(site)
        if first_month or last_month:
            lo = first_month or date.min
            hi = last_month or date.max
            counted = [m for m in monthly[site.pk] if lo <= m <= hi]
        else:
            counted = [m for m in months_in_period if m <= as_of]
        totals = dict.fromkeys(SUMMARY_FIELDS, 0)
        for m in counted:
            for k in SUMMARY_FIELDS:
                totals[k] += monthly[site.pk].get(m, {}).get(k, 0)
        if settings.trajectory == Trajectory.RAMPED and staffing[site.pk]:
            trajectory = t.ramped_trajectory(
                site, site.job_start_target, staffing[site.pk], settings
            )
            staffing_total = t.staffing_implied_total(site, staffing[site.pk], settings)
        else:
            trajectory = t.linear_trajectory(site, site.job_start_target)
            staffing_total = None
        job_monthly = {m: c["job_starts"] for m, c in monthly[site.pk].items()}
        to_date = sum(job_monthly.get(m, 0) for m in months_in_period if m <= as_of)
        expected = t.expected_by(trajectory, as_of, site.job_start_target)
        outcomes.append(
            SiteOutcome(
                site=site,
                months=counted,
                period_months=months_in_period,
                monthly=monthly[site.pk],
                totals=totals,
                trajectory=trajectory,
                expected_job_starts=expected,
                status=t.status_for(to_date, expected, settings),
                forecast=t.forecast(job_monthly, months_in_period, as_of),
                job_starts_to_date=to_date,
                staffing_total=staffing_total,
                as_of=as_of,
            )
        )

    result = ProgrammeOutcomes(programme, as_of, settings, outcomes)
    if site_list:
        first = min(s.start_date for s in site_list)
        last = min(max(s.end_date - timedelta(days=1) for s in site_list), month_end(as_of))
        running = 0
        for month in months_between(first, last):
            for o in outcomes:
                # Only job starts within each site's implementation period count here.
                if month in o.trajectory:
                    running += o.monthly.get(month, {}).get("job_starts", 0)
            result.calendar_months.append(month)
            result.cumulative_actual.append(running)
            result.cumulative_target.append(
                sum(t.expected_by(o.trajectory, month, o.site.job_start_target) for o in outcomes)
            )
    return result


# --- alerts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    kind: str  # "behind", "return_missing", "no_employer_contact"
    site: Site
    message: str
    severity: str = "warning"  # "warning" or "important"


def alerts(overview: ProgrammeOutcomes) -> list[Alert]:
    """Early warnings: sites behind their trajectory, missing monthly returns, specialists with
    no employer contact logged for the programme's set number of days (default 14)."""
    out: list[Alert] = []
    as_of = overview.as_of
    for o in overview.sites:
        if o.status != t.ON_TRACK:
            out.append(
                Alert(
                    "behind",
                    o.site,
                    f"{o.site.name} is {o.status_label.lower()}: {o.job_starts_to_date} job "
                    f"starts against {o.expected_job_starts:.0f} expected by "
                    f"{as_of:%B %Y} (target {o.site.job_start_target}).",
                    "important" if o.status == t.FAR_BEHIND else "warning",
                )
            )
    out += _missing_return_alerts(overview)
    out += _no_contact_alerts(overview)
    return out


def _missing_return_alerts(overview: ProgrammeOutcomes) -> list[Alert]:
    """One alert per site with overdue monthly returns (from the returns app, when present)."""
    try:
        from ipsworks.returns.selectors import missing_returns
    except ImportError:
        return []
    sites = [o.site for o in overview.sites]
    try:
        missing = list(missing_returns(as_of=overview.as_of, sites=sites))
    except Exception:  # noqa: BLE001 - another app's selector must not break the dashboard
        return []
    by_id = {site.pk: site for site in sites}
    months: dict[int, list] = defaultdict(list)
    for item in missing:
        site = item.get("site") if isinstance(item, dict) else getattr(item, "site", None)
        month = item.get("month") if isinstance(item, dict) else getattr(item, "month", None)
        site_id = getattr(site, "pk", site)
        if site_id in by_id:
            months[site_id].append(month)
    out = []
    for site_id, missing_months in months.items():
        dated = sorted(m for m in missing_months if hasattr(m, "strftime"))
        names = ", ".join(f"{m:%B %Y}" for m in dated[:3]) + (" and more" if len(dated) > 3 else "")
        count = len(missing_months)
        out.append(
            Alert(
                "return_missing",
                by_id[site_id],
                f"{by_id[site_id].name} has {count} overdue monthly "
                f"return{'s' if count != 1 else ''}" + (f": {names}." if names else "."),
            )
        )
    return out


def _no_contact_alerts(overview: ProgrammeOutcomes) -> list[Alert]:
    days = overview.settings.no_contact_days
    as_of = overview.as_of
    running = {
        o.site.pk: o.site for o in overview.sites if o.site.start_date <= as_of < o.site.end_date
    }
    if not running:
        return []
    specialists = list(
        Membership.objects.active(on=as_of)
        .filter(role=Role.SPECIALIST, site_id__in=running)
        .values_list("user_id", "user__username", "site_id", "start_date")
    )
    last = last_employer_contact_by_specialist(
        Activity.objects.filter(site_id__in=running, date__lte=as_of)
    )
    out = []
    cutoff = as_of - timedelta(days=days)
    for user_id, username, site_id, start in specialists:
        if start and start > cutoff:
            continue  # in post for less than the warning period
        seen = last.get(user_id)
        if seen is None or seen <= cutoff:
            since = f"since {seen:%d %B %Y}" if seen else "at all"
            out.append(
                Alert(
                    "no_employer_contact",
                    running[site_id],
                    f"Specialist {username} ({running[site_id].name}) has logged no employer "
                    f"contact {since}: none in the last {days} days.",
                )
            )
    return out


# --- rates needing person-level logic (fixed number of queries per site) ---------------------


def benchmark_rates(overview: ProgrammeOutcomes) -> list[dict]:
    """Per site, for the last complete calendar quarter up to as_of within the site's period:
    the quarterly employment rate and the out-of-work employment rate (via metrics)."""
    rows = []
    for o in overview.sites:
        last_day = min(overview.as_of, o.site.end_date - timedelta(days=1))
        quarter = Period.quarter_of(last_day)
        if quarter.end > last_day:
            quarter = Period.quarter_of(quarter.start - timedelta(days=1))
        if quarter.end < o.site.start_date:
            rows.append({"site": o.site, "quarter": None})
            continue
        scope = MetricScope.for_site(o.site)
        rows.append(
            {
                "site": o.site,
                "quarter": quarter,
                "quarterly_employment_rate": compute(
                    "quarterly_employment_rate", scope=scope, period=quarter
                ),
                "out_of_work_employment_rate": compute(
                    "out_of_work_employment_rate", scope=scope, period=quarter
                ),
            }
        )
    return rows


# --- one row per site plus a total row (Table 3 view, exports, `ipsworks outcomes`) ---------

ROW_KEYS = [
    "site",
    "referrals",
    "job_starts",
    "job_start_rate",
    "job_start_rate_low",
    "job_start_rate_high",
    "people_into_work",
    "people_engaged",
    "in_work_referral_share",
    "competitive_job_share",
    "applications",
    "employer_contacts",
    "target_referrals",
    "target_job_starts",
    "expected_job_starts",
    "status",
    "forecast_job_starts",
    "forecast_low",
    "forecast_high",
]


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _row(name, totals, target_referrals, target_jobs, expected, status, fc) -> dict:
    interval = wilson_interval(min(totals["job_starts"], totals["referrals"]), totals["referrals"])
    return {
        "site": name,
        "referrals": totals["referrals"],
        "job_starts": totals["job_starts"],
        "job_start_rate": _share(totals["job_starts"], totals["referrals"]),
        "job_start_rate_low": interval[0] if interval else None,
        "job_start_rate_high": interval[1] if interval else None,
        "people_into_work": totals["people_into_work"],
        "people_engaged": totals["people_engaged"],
        "in_work_referral_share": _share(totals["referrals_in_work"], totals["referrals"]),
        "competitive_job_share": _share(totals["competitive_job_starts"], totals["job_starts"]),
        "applications": totals["applications"],
        "employer_contacts": totals["employer_contacts"],
        "target_referrals": target_referrals,
        "target_job_starts": target_jobs,
        "expected_job_starts": round(expected, 1),
        "status": status,
        "forecast_job_starts": round(fc[0], 1),
        "forecast_low": round(fc[1], 1),
        "forecast_high": round(fc[2], 1),
    }


def site_rows(overview: ProgrammeOutcomes) -> list[dict]:
    """One row per site and a final "Total" row, keyed by ROW_KEYS (metric keys)."""
    rows = [
        _row(
            o.site.name,
            o.totals,
            o.site.referral_target,
            o.site.job_start_target,
            o.expected_job_starts,
            o.status,
            (o.forecast.value, o.forecast.low, o.forecast.high),
        )
        for o in overview.sites
    ]
    totals = {k: sum(o.totals[k] for o in overview.sites) for k in SUMMARY_FIELDS}
    expected = sum(o.expected_job_starts for o in overview.sites)
    to_date = sum(o.job_starts_to_date for o in overview.sites)
    forecast_total = (
        sum(o.forecast.value for o in overview.sites),
        sum(o.forecast.low for o in overview.sites),
        sum(o.forecast.high for o in overview.sites),
    )
    rows.append(
        _row(
            "Total",
            totals,
            sum(o.site.referral_target for o in overview.sites),
            sum(o.site.job_start_target for o in overview.sites),
            expected,
            t.status_for(to_date, expected, overview.settings),
            forecast_total,
        )
    )
    return rows


# --- measures, programme choice, rows for commands and the API -------------------------------

# The measures shown (and served by the API) for a scope, in order.
MEASURE_KEYS = [
    "referrals",
    "people_engaged",
    "active_caseload",
    "job_starts",
    "people_into_work",
    "job_start_rate",
    "out_of_work_employment_rate",
    "quarterly_employment_rate",
    "in_work_referral_share",
    "median_days_to_employer_contact",
    "median_days_to_job_start",
    "job_starts_per_fte_year",
    "sustained_13_weeks_rate",
    "competitive_job_share",
    "applications_per_specialist_week",
    "employer_contacts_per_specialist_week",
]


@dataclass(frozen=True)
class Measure:
    """One metric's result, with the period it was counted over."""

    metric: Metric
    period: Period
    result: MetricResult

    @property
    def key(self) -> str:
        return self.metric.key


def last_complete_quarter(period: Period) -> Period:
    """The last calendar quarter that ends on or before the period's last day."""
    quarter = Period.quarter_of(period.end)
    if quarter.end > period.end:
        quarter = Period.quarter_of(quarter.start - timedelta(days=1))
    return quarter


def measures(scope: MetricScope, period: Period) -> list[Measure]:
    """Every measure in MEASURE_KEYS for one scope and period; the quarterly employment rate
    is counted over the period's last complete calendar quarter, as its definition needs."""
    out = []
    for key in MEASURE_KEYS:
        over = last_complete_quarter(period) if key == "quarterly_employment_rate" else period
        out.append(Measure(REGISTRY[key], over, compute(key, scope=scope, period=over)))
    return out


def viewable_programme(user, wanted: str | None = None) -> Programme:
    """The programme whose dashboard `user` may open: the one with id `wanted` if given (a
    `wanted` that is not a number is ignored), else the first by name. Raises Http404 for
    anyone without a programme-wide role, and for a programme outside their scope."""
    scope = scope_for(user)
    if not scope.has_role(*PROGRAMME_ROLES):
        raise Http404("Not found")
    programmes = Programme.objects.order_by("name")
    if not scope.is_superuser:
        # Only programmes where the user holds a programme-wide role: a site role elsewhere
        # (a specialist in another programme, say) opens that site, not its programme.
        programmes = programmes.filter(id__in=scope.programme_wide_ids)
    if wanted and wanted.isascii() and wanted.isdigit():
        programmes = programmes.filter(pk=int(wanted))
    programme = programmes.first()
    if programme is None:
        raise Http404("Not found")
    return programme


def _rounded(value):
    return round(value, 4) if isinstance(value, float) else value


def window_outcomes(
    programme, *, sites, first_month: date | None = None, last_month: date | None = None
) -> ProgrammeOutcomes:
    """Figures for `sites`: without months, each site's implementation period to date; with
    them, the counted figures cover those months (targets still run to ``last_month``'s end)."""
    return programme_outcomes(
        programme,
        sites=sites,
        first_month=first_month,
        last_month=last_month,
        as_of=month_end(last_month) if last_month else None,
    )


def rounded_rows(overview: ProgrammeOutcomes) -> list[dict]:
    """`site_rows` with rates rounded to four places: the rows of the ``outcomes`` command and
    the API."""
    return [{k: _rounded(row[k]) for k in ROW_KEYS} for row in site_rows(overview)]


def outcome_rows(
    programme, *, sites, first_month: date | None = None, last_month: date | None = None
) -> list[dict]:
    """`rounded_rows` of `window_outcomes`."""
    return rounded_rows(
        window_outcomes(programme, sites=sites, first_month=first_month, last_month=last_month)
    )
