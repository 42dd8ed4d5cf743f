"""The datasets (tables and charts) of the programme and site dashboards, built from the
selectors' aggregate figures. Every one of them downloads as CSV and xlsx; charts also as SVG
and PNG."""

from __future__ import annotations

from datetime import date, timedelta

from . import targets as t
from .charts import Chart, Dataset, RefLine, Series
from .metrics import BENCHMARKS, MetricScope, Period, compute_by_specialist
from .selectors import ProgrammeOutcomes, SiteOutcome, benchmark_rates, measures


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _r(value: float | None, digits: int = 3):
    return None if value is None else round(value, digits)


def figure2(o: ProgrammeOutcomes) -> Dataset:
    months = [m.strftime("%b %Y") for m in o.calendar_months]
    total_target = sum(s.site.job_start_target for s in o.sites)
    rows = [[m.strftime("%Y-%m"), a, round(tgt, 1), total_target] for m, a, tgt in o.figure2()]
    last_actual = o.cumulative_actual[-1] if o.cumulative_actual else 0
    last_month = o.calendar_months[-1].strftime("%B %Y") if o.calendar_months else "–"
    summary = (
        f"By {last_month} the sites had {last_actual} job starts between them, against a "
        f"combined target of {total_target}."
    )
    chart = Chart(
        title="Cumulative job starts, all sites, against the combined target",
        x_label="Calendar month",
        y_label="Job starts (cumulative)",
        categories=months,
        series=[
            Series("Job starts", list(o.cumulative_actual)),
            Series("Target trajectory", [round(v, 1) for v in o.cumulative_target]),
        ],
        ref_lines=[RefLine(f"Target {total_target}", total_target)],
    )
    return Dataset(
        "figure2",
        "Figure 2: job starts in all sites",
        ["Month", "Cumulative job starts", "Combined target trajectory", "Programme target"],
        rows,
        summary,
        chart,
    )


def figure3(o: ProgrammeOutcomes) -> Dataset:
    length = max((len(s.period_months) for s in o.sites), default=0)
    series, columns = [], []
    for s in o.sites:
        cumulative = [c for _, _, c, _ in s.cumulative()]
        values = cumulative + [None] * (length - len(cumulative))
        series.append(Series(s.site.name, values))
        columns.append(values)
    rows = [[i + 1] + [col[i] for col in columns] for i in range(length)]
    targets = {s.site.job_start_target for s in o.sites}
    best = max(o.sites, key=lambda s: s.job_starts_to_date, default=None)
    worst = min(o.sites, key=lambda s: s.job_starts_to_date, default=None)
    summary = (
        f"Over their implementation periods {best.site.name} reached the most job starts "
        f"({best.job_starts_to_date}) and {worst.site.name} the fewest "
        f"({worst.job_starts_to_date})."
        if best
        else "No sites."
    )
    chart = Chart(
        title="Cumulative job starts per site, by month since the site started",
        x_label="Month since start",
        y_label="Job starts (cumulative)",
        categories=[str(i + 1) for i in range(length)],
        series=series,
        ref_lines=[RefLine(f"Target {v}", v) for v in targets] if len(targets) == 1 else [],
    )
    return Dataset(
        "figure3",
        "Figure 3: job starts per site over the implementation period",
        ["Month since start"] + [s.site.name for s in o.sites],
        rows,
        summary,
        chart,
    )


def table3(o: ProgrammeOutcomes) -> Dataset:
    rows = []
    for s in o.sites:
        ci = s.rate_interval
        rows.append(
            [
                s.site.name,
                s.referrals,
                s.job_starts,
                _r(s.job_start_rate),
                _r(ci[0]) if ci else None,
                _r(ci[1]) if ci else None,
                s.site.job_start_target,
                "Yes" if s.target_met else "No",
            ]
        )
    tot = o.totals
    ci = tot["rate_interval"]
    rows.append(
        [
            "Total",
            tot["referrals"],
            tot["job_starts"],
            _r(tot["job_start_rate"]),
            _r(ci[0]) if ci else None,
            _r(ci[1]) if ci else None,
            tot["target_job_starts"],
            f"{tot['sites_at_target']} of {len(o.sites)} sites",
        ]
    )
    summary = (
        f"{tot['job_starts']} job starts from {tot['referrals']} referrals "
        f"({pct(tot['job_start_rate'])}), against a target of {tot['target_job_starts']}; "
        f"{tot['sites_at_target']} of {len(o.sites)} sites reached their job-start target."
    )
    return Dataset(
        "table3",
        "Table 3: referrals and job starts per site",
        [
            "Site",
            "Referrals",
            "Job starts",
            "Job starts per referral",
            "95% interval (low)",
            "95% interval (high)",
            "Job-start target",
            "Target reached",
        ],
        rows,
        summary,
        percent_columns=(3, 4, 5),
    )


def forecasts(o: ProgrammeOutcomes) -> Dataset:
    rows = [
        [
            s.site.name,
            s.job_starts_to_date,
            round(s.expected_job_starts, 1),
            s.status_label,
            round(s.forecast.value, 1),
            round(s.forecast.low, 1),
            round(s.forecast.high, 1),
            s.site.job_start_target,
            (s.site.end_date - timedelta(days=1)).isoformat(),
        ]
        for s in o.sites
    ]
    behind = [s.site.name for s in o.sites if s.status != t.ON_TRACK]
    summary = f"As of {o.as_of:%d %B %Y}, " + (
        f"{len(behind)} site(s) are behind their trajectory: {', '.join(behind)}."
        if behind
        else "every site is on track."
    )
    return Dataset(
        "forecasts",
        "Forecast job starts at the end of each site's period",
        [
            "Site",
            "Job starts so far",
            "Expected by now",
            "Status",
            "Forecast at end",
            "Forecast low (95%)",
            "Forecast high (95%)",
            "Target",
            "Period ends",
        ],
        rows,
        summary,
    )


def benchmarks(o: ProgrammeOutcomes) -> Dataset:
    rates = benchmark_rates(o)
    rows, qer, oow = [], [], []
    for r in rates:
        if r["quarter"] is None:
            rows.append([r["site"].name, "–", None, None])
            qer.append(None)
            oow.append(None)
            continue
        q = r["quarterly_employment_rate"].value
        w = r["out_of_work_employment_rate"].value
        rows.append(
            [
                r["site"].name,
                f"{r['quarter'].start:%b %Y} to {r['quarter'].end:%b %Y}",
                _r(q),
                _r(w),
            ]
        )
        qer.append(q)
        oow.append(w)
    refs = [
        RefLine(f"{label} {value * 100:.0f}%", value)
        for key in ("out_of_work_employment_rate", "quarterly_employment_rate")
        for label, value in BENCHMARKS[key]
    ]
    above = sum(1 for v in qer if v is not None and v >= 0.41)
    summary = (
        f"In each site's latest complete quarter, {above} of {len(rows)} sites reached the "
        f"average quarterly employment rate of 41%."
    )
    chart = Chart(
        title="Employment rates against benchmarks (latest complete quarter)",
        x_label="Site",
        y_label="Share of caseload",
        categories=[r["site"].name for r in rates],
        series=[
            Series("Quarterly employment rate", qer, kind="bar"),
            Series("Employment rate, out of work", oow, kind="bar"),
        ],
        ref_lines=refs,
        percent=True,
    )
    return Dataset(
        "benchmarks",
        "Employment rates against benchmarks",
        ["Site", "Quarter", "Quarterly employment rate", "Out-of-work employment rate"],
        rows,
        summary,
        chart,
        percent_columns=(2, 3),
    )


def programme_datasets(o: ProgrammeOutcomes) -> dict[str, Dataset]:
    return {ds.slug: ds for ds in (figure2(o), figure3(o), table3(o), forecasts(o), benchmarks(o))}


# --- a site's dashboard -------------------------------------------------------------------


def site_monthly(s: SiteOutcome) -> Dataset:
    rows = []
    for number, month, cumulative, trajectory in s.cumulative():
        counts = s.monthly.get(month, {})
        rows.append(
            [
                month.strftime("%Y-%m"),
                number,
                counts.get("referrals", 0),
                counts.get("job_starts", 0),
                counts.get("people_into_work", 0),
                counts.get("applications", 0),
                counts.get("employer_contacts", 0),
                cumulative,
                round(trajectory, 1),
            ]
        )
    chart = Chart(
        title=f"{s.site.name}: cumulative job starts against the trajectory",
        x_label="Calendar month",
        y_label="Job starts (cumulative)",
        categories=[m.strftime("%b %Y") for m in s.period_months],
        series=[
            Series("Job starts", [r[7] for r in rows]),
            Series("Trajectory", [r[8] for r in rows]),
        ],
        ref_lines=[RefLine(f"Target {s.site.job_start_target}", s.site.job_start_target)],
    )
    summary = (
        f"{s.site.name} has {s.job_starts_to_date} job starts against {s.expected_job_starts:.0f} "
        f"expected by now and a target of {s.site.job_start_target}: {s.status_label.lower()}."
    )
    return Dataset(
        "monthly",
        f"{s.site.name}: month by month",
        [
            "Month",
            "Month since start",
            "Referrals",
            "Job starts",
            "People into work",
            "Applications",
            "Employer contacts",
            "Cumulative job starts",
            "Trajectory",
        ],
        rows,
        summary,
        chart,
    )


def format_result(unit: str, result) -> str:
    if result.value is None:
        return "No data"
    if unit == "rate":
        return f"{result.value * 100:.0f}% ({result.numerator} of {result.denominator})"
    if unit == "days":
        return f"{result.value:.0f} days (over {result.n})"
    if unit in ("per_fte_year", "per_week"):
        return f"{result.value:.1f}"
    return str(result.value)


def metrics_table(slug: str, title: str, scope: MetricScope, period: Period) -> Dataset:
    """Every measure for one scope and period (a fixed number of queries). The quarterly
    employment rate is shown for the last complete calendar quarter of the period."""
    rows = []
    for measure in measures(scope, period):
        label = measure.metric.label
        if measure.period != period:
            label = f"{label} ({measure.period.start:%b} to {measure.period.end:%b %Y})"
        rows.append([label, format_result(measure.metric.unit, measure.result), measure.key])
    return Dataset(
        slug,
        title,
        ["Measure", "Value", "Metric key"],
        rows,
        f"All measures from {period.start:%d %B %Y} to {period.end:%d %B %Y}.",
    )


def specialists_table(site, as_of: date) -> Dataset:
    """Each specialist in post at the site: job starts over the period so far, and
    applications and employer contacts per week over the last 4 weeks (via the metrics'
    grouped variants: a fixed number of queries however many specialists there are)."""
    from ipsworks.accounts.models import Membership
    from ipsworks.accounts.roles import Role

    period = default_period(site, as_of)
    recent = Period(max(period.start, period.end - timedelta(days=27)), period.end)
    rows = []
    members = (
        Membership.objects.active(on=period.end)
        .filter(role=Role.SPECIALIST, site=site)
        .select_related("user", "team")
        .order_by("user__username")
    )
    members = list(members)
    ids = [m.user_id for m in members]

    def by_specialist(key, over):
        return compute_by_specialist(key, specialist_ids=ids, period=over)

    starts = by_specialist("job_starts", period)
    into_work = by_specialist("people_into_work", period)
    apps = by_specialist("applications_per_specialist_week", recent)
    contacts = by_specialist("employer_contacts_per_specialist_week", recent)
    for m in members:
        a, c = apps[m.user_id].value, contacts[m.user_id].value
        rows.append(
            [
                m.user.username,
                m.team.name if m.team else "–",
                float(m.fte),
                starts[m.user_id].value,
                into_work[m.user_id].value,
                None if a is None else round(a, 1),
                None if c is None else round(c, 1),
            ]
        )
    return Dataset(
        "specialists",
        f"{site.name}: specialists",
        [
            "Specialist",
            "Team",
            "FTE",
            "Job starts",
            "People into work",
            "Applications a week (last 4 weeks)",
            "Employer contacts a week (last 4 weeks)",
        ],
        rows,
        f"Job starts from {period.start:%d %B %Y}; weekly figures from {recent.start:%d %B} "
        f"to {recent.end:%d %B %Y}.",
    )


def default_period(site, as_of: date) -> Period:
    return Period(
        site.start_date, max(site.start_date, min(as_of, site.end_date - timedelta(days=1)))
    )
