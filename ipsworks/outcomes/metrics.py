"""Every IPS metric, defined once.

Dashboards, exports, the ``ipsworks outcomes`` command, fidelity evidence and the API all call
:func:`compute` (or :func:`compute_many`); no other module may re-implement a counting rule.
Grouped forms use the same rules: :func:`compute_by_specialist` (one metric for many
specialists in a fixed number of queries), :func:`counts_by_month` (the count rules in
``COUNT_RULES`` by calendar month; the monthly summary tables), and
:func:`activity_counts_by_specialist_week`. Who did an activity is :func:`activity_specialist`.

Usage::

    from ipsworks.outcomes.metrics import MetricScope, Period, compute
    result = compute("job_starts", scope=MetricScope.for_site(site), period=Period(start, end))
    result.value, result.numerator, result.denominator

A :class:`MetricScope` is a programme, a site, a team or one specialist. A :class:`Period` is
a closed range of days (both ends counted). Every metric returns an aggregate
(:class:`MetricResult`): counts, rates, medians; never a person-level row, so the figures may be
shown to commissioners. Counting rules follow ``shared/reference/ips-facts.md``.

Attribution to a scope:
- episodes (referrals, engagement, caseload) belong to their site, their team and their
  assigned specialist;
- jobs belong to the site, team and specialist of the episode they were found in;
- activities belong to their site, the episode's team, and the specialist who did the work
  (``Activity.specialist``, or the episode's specialist when that is blank).

Decision on "at least 4 paid hours": ipsworks records a job's contracted hours per week
(``Job.hours_per_week``), not timesheets. A job counts towards "people supported into work" when
its hours per week are 4 or more (so its first week gives at least 4 paid hours); jobs under 4
hours a week count as job starts but never as a person's move into work.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.caseload.models import Activity, ActivityKind, EmploymentStatus, Episode, Job

MIN_PAID_HOURS = Decimal("4")
SUSTAINED_DAYS = 91  # 13 weeks
DAYS_PER_YEAR = Decimal("365.25")

# Benchmarks shown as reference lines (configurable display values, not counting rules).
BENCHMARKS = {
    "out_of_work_employment_rate": [("IPS Grow benchmark", 0.40)],
    "quarterly_employment_rate": [("Average programme", 0.41), ("Excellent programme", 0.50)],
    "sustained_13_weeks_rate": [("IPS Grow benchmark", 0.65)],
}


# --- scope and period ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"The period ends ({self.end}) before it starts ({self.start}).")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        from ipsworks.core.dates import month_end

        first = date(year, month, 1)
        return cls(first, month_end(first))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        """The calendar quarter (Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec) containing ``day``."""
        from ipsworks.core.dates import add_months, month_end

        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return cls(first, month_end(add_months(first, 2)))

    @classmethod
    def for_site(cls, site) -> Period:
        """The site's implementation period (its start date to the day before its end)."""
        return cls(site.start_date, site.end_date - timedelta(days=1))


@dataclass(frozen=True)
class MetricScope:
    """Whose figures: a whole programme, one site, one team or one specialist.

    Exactly one of the ids is set. Build with the ``for_*`` constructors.
    """

    programme_id: int | None = None
    site_id: int | None = None
    team_id: int | None = None
    specialist_id: int | None = None

    def __post_init__(self):
        given = [
            v
            for v in (self.programme_id, self.site_id, self.team_id, self.specialist_id)
            if v is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "A metric scope names exactly one programme, site, team or specialist."
            )

    @classmethod
    def for_programme(cls, programme) -> MetricScope:
        return cls(programme_id=getattr(programme, "pk", programme))

    @classmethod
    def for_site(cls, site) -> MetricScope:
        return cls(site_id=getattr(site, "pk", site))

    @classmethod
    def for_team(cls, team) -> MetricScope:
        return cls(team_id=getattr(team, "pk", team))

    @classmethod
    def for_specialist(cls, user) -> MetricScope:
        return cls(specialist_id=getattr(user, "pk", user))

    @property
    def kind(self) -> str:
        for name in ("programme", "site", "team", "specialist"):
            if getattr(self, f"{name}_id") is not None:
                return name
        raise AssertionError("unreachable")


@dataclass(frozen=True)
class MetricResult:
    """An aggregate figure. ``value`` is a count, a fraction (0-1), days, or a per-unit rate;
    ``numerator``/``denominator`` show how rates were formed; ``n`` is the number of cases a
    median was taken over. ``value`` is None when the denominator is zero (no data)."""

    key: str
    value: float | int | None
    numerator: float | int | None = None
    denominator: float | int | None = None
    n: int | None = None


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    # "count", "rate" (a fraction shown as %), "days", "per_fte_year", "per_week", "per_fte"
    unit: str
    func: Callable[[MetricScope, Period], MetricResult] = field(repr=False)

    @property
    def description(self) -> str:
        """The counting rule: the metric function's docstring."""
        return " ".join((self.func.__doc__ or "").split())


REGISTRY: dict[str, Metric] = {}


def metric(key: str, label: str, unit: str):
    def register(func):
        REGISTRY[key] = Metric(key=key, label=label, unit=unit, func=func)
        return func

    return register


def compute(key: str, *, scope: MetricScope, period: Period) -> MetricResult:
    """The value of one metric for a scope and period."""
    try:
        entry = REGISTRY[key]
    except KeyError:
        raise KeyError(f"Unknown metric {key!r}; known: {', '.join(REGISTRY)}") from None
    return entry.func(scope, period)


def compute_many(
    keys: Iterable[str], *, scope: MetricScope, period: Period
) -> dict[str, MetricResult]:
    return {key: compute(key, scope=scope, period=period) for key in keys}


# --- scope filters -----------------------------------------------------------------------


def _episodes(scope: MetricScope) -> QuerySet[Episode]:
    qs = Episode.objects.all()
    if scope.programme_id is not None:
        return qs.filter(site__programme_id=scope.programme_id)
    if scope.site_id is not None:
        return qs.filter(site_id=scope.site_id)
    if scope.team_id is not None:
        return qs.filter(team_id=scope.team_id)
    return qs.filter(specialist_id=scope.specialist_id)


def _jobs(scope: MetricScope) -> QuerySet[Job]:
    qs = Job.objects.all()
    if scope.programme_id is not None:
        return qs.filter(site__programme_id=scope.programme_id)
    if scope.site_id is not None:
        return qs.filter(site_id=scope.site_id)
    if scope.team_id is not None:
        return qs.filter(episode__team_id=scope.team_id)
    return qs.filter(episode__specialist_id=scope.specialist_id)


def _activities(scope: MetricScope) -> QuerySet[Activity]:
    qs = Activity.objects.all()
    if scope.programme_id is not None:
        return qs.filter(site__programme_id=scope.programme_id)
    if scope.site_id is not None:
        return qs.filter(site_id=scope.site_id)
    if scope.team_id is not None:
        return qs.filter(episode__team_id=scope.team_id)
    return qs.alias(who=activity_specialist()).filter(who=scope.specialist_id)


def activity_specialist():
    """Who did an activity: the single definition of an activity's specialist, as an
    expression for ``Activity`` querysets (``qs.annotate(who=activity_specialist())``): the
    specialist recorded on the activity, or the episode's specialist when that is blank."""
    from django.db.models.functions import Coalesce

    return Coalesce("specialist_id", "episode__specialist_id")


def last_employer_contact_by_specialist(activities: QuerySet[Activity]) -> dict[int, date]:
    """{specialist id: date of their latest employer contact} over ``activities`` (any
    Activity queryset the caller has narrowed, e.g. to sites and dates up to a day), attributed
    by :func:`activity_specialist`. One query."""
    from django.db.models import Max

    return dict(
        activities.filter(kind=ActivityKind.EMPLOYER_CONTACT)
        .annotate(who=activity_specialist())
        .values("who")
        .annotate(last=Max("date"))
        .order_by()
        .values_list("who", "last")
    )


def _specialist_memberships(scope: MetricScope) -> QuerySet[Membership]:
    qs = Membership.objects.filter(role=Role.SPECIALIST)
    if scope.programme_id is not None:
        return qs.filter(programme_id=scope.programme_id)
    if scope.site_id is not None:
        return qs.filter(site_id=scope.site_id)
    if scope.team_id is not None:
        return qs.filter(team_id=scope.team_id)
    return qs.filter(user_id=scope.specialist_id)


def _open_during(period: Period) -> Q:
    """Episodes on the caseload at some time in the period: referred by its end, not
    discharged before its start."""
    return Q(referral_date__lte=period.end) & (
        Q(discharge_date__isnull=True) | Q(discharge_date__gte=period.start)
    )


def _active_episodes(scope: MetricScope, period: Period) -> QuerySet[Episode]:
    return _episodes(scope).filter(_open_during(period), profile_started__lte=period.end)


def _ratio(key: str, numerator, denominator) -> MetricResult:
    value = float(numerator) / float(denominator) if denominator else None
    return MetricResult(key, value, numerator, denominator)


def first_jobs_into_work(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Jobs (from ``jobs``) that are a person's first job of at least 4 hours a week, over all
    their episodes. Ties on the start date are broken by the earlier record."""
    earlier = Job.objects.filter(
        episode__service_user_id=OuterRef("episode__service_user_id"),
        hours_per_week__gte=MIN_PAID_HOURS,
    ).filter(
        Q(start_date__lt=OuterRef("start_date"))
        | Q(start_date=OuterRef("start_date"), id__lt=OuterRef("id"))
    )
    return jobs.filter(hours_per_week__gte=MIN_PAID_HOURS).exclude(Exists(earlier))


def _membership_years(memberships, period: Period, fte_weighted: bool) -> dict:
    """{key: years in post within the period (up to today)} over (key, start, end, fte) rows."""
    last = min(period.end, timezone.localdate())
    totals: dict = {}
    for key, start, end, fte in memberships:
        totals.setdefault(key, Decimal("0"))
        if last < period.start:
            continue
        begin = max(start or period.start, period.start)
        finish = min(end or last, last)
        if finish < begin:
            continue
        days = Decimal((finish - begin).days + 1)
        totals[key] += days / DAYS_PER_YEAR * (fte if fte_weighted else 1)
    return totals


def specialist_years(scope: MetricScope, period: Period, *, fte_weighted: bool) -> Decimal:
    """Specialist time in post during the period (up to today), in years: each specialist
    membership's days in post within the period / 365.25, times its FTE when weighted."""
    rows = _specialist_memberships(scope).values_list("role", "start_date", "end_date", "fte")
    return sum(_membership_years(rows, period, fte_weighted).values(), Decimal("0"))


# --- counted events: the single rule behind each count and each monthly summary column ------


@dataclass(frozen=True)
class CountRule:
    """A count is "the rows of ``source(scope)`` matching ``where`` whose ``day`` falls in the
    period" (for people into work: only each person's first job of 4+ hours a week). The count
    metrics below and the monthly summary tables (:func:`counts_by_month`) both use these."""

    source: Callable[[MetricScope], QuerySet]
    day: str
    where: Q = field(default_factory=Q)
    first_job_only: bool = False

    def rows(self, scope: MetricScope, period: Period | None = None) -> QuerySet:
        return self.apply(self.source(scope), period)

    def apply(self, qs: QuerySet, period: Period | None = None) -> QuerySet:
        """The counted rows of ``qs`` (a queryset of the source's model)."""
        qs = qs.filter(self.where)
        if period is not None:
            qs = qs.filter(**{f"{self.day}__range": (period.start, period.end)})
        return first_jobs_into_work(qs) if self.first_job_only else qs

    def count(self, scope: MetricScope, period: Period) -> int:
        return self.rows(scope, period).count()


COUNT_RULES: dict[str, CountRule] = {
    "referrals": CountRule(_episodes, "referral_date"),
    "referrals_in_work": CountRule(
        _episodes, "referral_date", Q(employment_status=EmploymentStatus.IN_WORK)
    ),
    "people_engaged": CountRule(_episodes, "profile_started"),
    "job_starts": CountRule(_jobs, "start_date"),
    "competitive_job_starts": CountRule(_jobs, "start_date", Q(is_competitive=True)),
    "people_into_work": CountRule(_jobs, "start_date", first_job_only=True),
    "applications": CountRule(_activities, "date", Q(kind=ActivityKind.APPLICATION)),
    "employer_contacts": CountRule(_activities, "date", Q(kind=ActivityKind.EMPLOYER_CONTACT)),
}


def _month_of(value) -> date:
    # MonthStart on a DateField gives a date; some backends may give a datetime.
    return value.date() if hasattr(value, "date") and callable(value.date) else value


class MonthStart(TruncMonth):
    """The first of the month of a date column: Django's ``TruncMonth``, written on SQLite with
    SQLite's own ``date(x, 'start of month')`` instead of the Python function Django registers
    there (which runs once per row: seconds for a site with a few hundred thousand records)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'start of month')", params


def counts_by_month(
    scope: MetricScope, since: date | None = None, keys: Iterable[str] | None = None
) -> dict[date, dict[str, int]]:
    """{first of month: {key: count}} for the ``COUNT_RULES`` keys (all by default), each
    event counted in the calendar month of its day, from ``since`` onwards (all months if
    None). The grouped form of the count metrics: for any month, ``counts_by_month(...)[m][k]
    == COUNT_RULES[k].count(scope, Period.month(...))``. Rules sharing a source and a day are
    counted in one grouped query (5 queries for all keys). Months with no events are absent;
    a listed month has every key (0 when none)."""
    from django.db.models import Count

    wanted = list(keys or COUNT_RULES)
    groups: dict[tuple, list[str]] = {}
    for key in wanted:
        rule = COUNT_RULES[key]
        groups.setdefault((rule.source, rule.day, rule.first_job_only), []).append(key)
    months: dict[date, dict[str, int]] = {}
    for (source, day, first_only), group in groups.items():
        rules = [COUNT_RULES[k] for k in group]
        qs = source(scope)
        if all(r.where for r in rules):
            either = Q()
            for r in rules:
                either |= r.where
            qs = qs.filter(either)
        if since is not None:
            qs = qs.filter(**{f"{day}__gte": since})
        if first_only:
            qs = first_jobs_into_work(qs)
        rows = (
            qs.exclude(**{f"{day}__isnull": True})
            .annotate(m=MonthStart(day))
            .values("m")
            .annotate(**{k: Count("pk", filter=COUNT_RULES[k].where or None) for k in group})
            .order_by()
        )
        for row in rows:
            month = _month_of(row.pop("m"))
            months.setdefault(month, dict.fromkeys(wanted, 0)).update(row)
    return months


# --- the metrics -------------------------------------------------------------------------


@metric("referrals", "Referrals", "count")
def referrals(scope: MetricScope, period: Period) -> MetricResult:
    """Referrals: the number of referral episodes whose referral date (the day the specialist
    received and accepted the referral onto the caseload) falls in the period. A person referred
    twice counts twice; an episode without a referral date cannot exist. Numerator only; no
    denominator."""
    n = COUNT_RULES["referrals"].count(scope, period)
    return MetricResult("referrals", n, n)


@metric("people_engaged", "People engaged (vocational profile started)", "count")
def people_engaged(scope: MetricScope, period: Period) -> MetricResult:
    """People engaged: episodes whose vocational profile was started (usually the first
    face-to-face meeting) on a day in the period. Counted once per episode, on the profile date;
    episodes without a profile date are not engaged."""
    n = COUNT_RULES["people_engaged"].count(scope, period)
    return MetricResult("people_engaged", n, n)


@metric("active_caseload", "Active caseload", "count")
def active_caseload(scope: MetricScope, period: Period) -> MetricResult:
    """Active caseload: distinct people with an episode on the caseload at some time in the
    period (referred on or before its last day, not discharged before its first day) whose
    vocational profile had started by the period's last day. For a point-in-time caseload use a
    one-day period. Discharged people count only for periods before their discharge."""
    n = _active_episodes(scope, period).values("service_user_id").distinct().order_by().count()
    return MetricResult("active_caseload", n, n)


@metric("job_starts", "Job starts", "count")
def job_starts(scope: MetricScope, period: Period) -> MetricResult:
    """Total job starts: every job whose start date falls in the period, including second and
    third jobs, several part-time jobs, and jobs of any hours. Numerator only."""
    n = COUNT_RULES["job_starts"].count(scope, period)
    return MetricResult("job_starts", n, n)


@metric("people_into_work", "People supported into work", "count")
def people_into_work(scope: MetricScope, period: Period) -> MetricResult:
    """People supported into work: distinct people counted once, on the start date of their
    first job of at least 4 paid hours a week (hours_per_week >= 4) over all their episodes,
    when that date falls in the period. Later jobs and jobs under 4 hours a week never count
    here (they do count as job starts)."""
    n = COUNT_RULES["people_into_work"].count(scope, period)
    return MetricResult("people_into_work", n, n)


@metric("job_start_rate", "Job starts per referral", "rate")
def job_start_rate(scope: MetricScope, period: Period) -> MetricResult:
    """Job starts per referral (the seed paper's Table 3 "success" rate): numerator = job
    starts in the period (every job); denominator = referrals in the period. Both counted over
    the same scope and period; it can exceed 100% when people start several jobs."""
    num = job_starts(scope, period).value
    den = referrals(scope, period).value
    return _ratio("job_start_rate", num, den)


@metric("out_of_work_employment_rate", "Employment rate (referred out of work)", "rate")
def out_of_work_employment_rate(scope: MetricScope, period: Period) -> MetricResult:
    """Out-of-work employment rate (job outcome rate, benchmark 40%): denominator = distinct
    people referred out of work (in-work referrals excluded) on the active caseload in the
    period (episode open during the period, profile started by its end); numerator = those of
    them whose first job of at least 4 hours a week started in the period."""
    active = _active_episodes(scope, period).filter(employment_status=EmploymentStatus.OUT_OF_WORK)
    den = active.values("service_user_id").distinct().order_by().count()
    jobs = Job.objects.filter(episode__in=active.values("pk"))
    num = COUNT_RULES["people_into_work"].apply(jobs, period).count()
    return _ratio("out_of_work_employment_rate", num, den)


@metric("quarterly_employment_rate", "Quarterly employment rate", "rate")
def quarterly_employment_rate(scope: MetricScope, period: Period) -> MetricResult:
    """Quarterly employment rate (IPS Learning Community; benchmarks 41% average, 50%
    excellent): denominator = the active caseload in the period (distinct people, see Active
    caseload); numerator = those of them who worked in a competitive job (open to anyone, at
    least the minimum wage) at any time in the period: a job of the same episode started on or
    before the last day and not ended before the first day, so a job spanning two quarters
    counts in both. Meant for a calendar quarter (Period.quarter_of)."""
    active = _active_episodes(scope, period)
    den = active.values("service_user_id").distinct().order_by().count()
    working = Job.objects.filter(
        episode__in=active.values("pk"),
        is_competitive=True,
        start_date__lte=period.end,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
    num = working.values("episode__service_user_id").distinct().order_by().count()
    return _ratio("quarterly_employment_rate", num, den)


@metric("in_work_referral_share", "Share of referrals already in work", "rate")
def in_work_referral_share(scope: MetricScope, period: Period) -> MetricResult:
    """Share of in-work referrals (job retention; should stay at or below 15%): numerator =
    referrals in the period whose employment status at referral is "in work"; denominator = all
    referrals in the period."""
    den = COUNT_RULES["referrals"].count(scope, period)
    num = COUNT_RULES["referrals_in_work"].count(scope, period)
    return _ratio("in_work_referral_share", num, den)


def _median_days(key: str, pairs: Iterable[tuple[date, date]]) -> MetricResult:
    days = [(later - referred).days for referred, later in pairs]
    if not days:
        return MetricResult(key, None, None, None, 0)
    return MetricResult(key, float(statistics.median(days)), None, None, len(days))


@metric(
    "median_days_to_employer_contact", "Median days from referral to first employer contact", "days"
)
def median_days_to_employer_contact(scope: MetricScope, period: Period) -> MetricResult:
    """Median days from referral to first employer contact: over episodes whose first
    employer contact (any employer contact logged by the specialist for the person, face to
    face or not) fell in the period, the median of (date of that contact - referral date). ``n``
    is the number of episodes; episodes with no contact yet are not included."""
    firsts = (
        _episodes(scope)
        .annotate(
            first=Min(
                "activities__date",
                filter=Q(activities__kind=ActivityKind.EMPLOYER_CONTACT),
            )
        )
        .filter(first__range=(period.start, period.end))
        .values_list("referral_date", "first")
    )
    return _median_days("median_days_to_employer_contact", firsts)


@metric("median_days_to_job_start", "Median days from referral to first job start", "days")
def median_days_to_job_start(scope: MetricScope, period: Period) -> MetricResult:
    """Median days from referral to first job start: over episodes whose first job (any hours)
    started in the period, the median of (that start date - referral date). ``n`` is the number
    of episodes."""
    firsts = (
        _episodes(scope)
        .annotate(first=Min("jobs__start_date"))
        .filter(first__range=(period.start, period.end))
        .values_list("referral_date", "first")
    )
    return _median_days("median_days_to_job_start", firsts)


@metric("job_starts_per_fte_year", "Job starts per full-time specialist a year", "per_fte_year")
def job_starts_per_fte_year(scope: MetricScope, period: Period) -> MetricResult:
    """Job starts per specialist FTE-year: numerator = job starts in the period; denominator =
    specialist full-time-equivalent years in post during the period (each specialist
    membership's days in post within the period, up to today, / 365.25 x its FTE). Compare
    with the planning rule of 10-12 a year in year 1 and 15-18 in year 2."""
    num = job_starts(scope, period).value
    den = specialist_years(scope, period, fte_weighted=True)
    value = float(Decimal(num) / den) if den else None
    return MetricResult("job_starts_per_fte_year", value, num, float(den))


@metric("sustained_13_weeks_rate", "Jobs sustained 13 weeks", "rate")
def sustained_13_weeks_rate(scope: MetricScope, period: Period) -> MetricResult:
    """Jobs sustained 13 weeks (benchmark 65%): denominator = jobs whose 13-week point (start
    date + 91 days) falls in the period and is not after today; numerator = those still going
    then (no end date, or an end date on or after the 13-week point). A discharged person's job
    with no end date recorded counts as still going."""
    today = timezone.localdate()
    first = period.start - timedelta(days=SUSTAINED_DAYS)
    last = min(period.end, today) - timedelta(days=SUSTAINED_DAYS)
    if last < first:
        return MetricResult("sustained_13_weeks_rate", None, 0, 0)
    rows = (
        _jobs(scope).filter(start_date__range=(first, last)).values_list("start_date", "end_date")
    )
    den = num = 0
    for start, end in rows:
        den += 1
        if end is None or end >= start + timedelta(days=SUSTAINED_DAYS):
            num += 1
    return _ratio("sustained_13_weeks_rate", num, den)


@metric("competitive_job_share", "Share of job starts that are competitive", "rate")
def competitive_job_share(scope: MetricScope, period: Period) -> MetricResult:
    """Competitive job share: numerator = job starts in the period that are competitive (open
    to anyone and paid at least the minimum wage in force on the start date, as the caseload
    records it); denominator = all job starts in the period."""
    den = COUNT_RULES["job_starts"].count(scope, period)
    num = COUNT_RULES["competitive_job_starts"].count(scope, period)
    return _ratio("competitive_job_share", num, den)


def normalise_name(text: str) -> str:
    """A job title or employer name compared without regard to case or spacing: trimmed,
    runs of whitespace made one space, case folded ("Riverside  CAFE " == "riverside cafe")."""
    return " ".join((text or "").split()).casefold()


def _distinct_share(key: str, scope: MetricScope, period: Period, field_name: str):
    names = [
        normalise_name(v)
        for v in COUNT_RULES["job_starts"].rows(scope, period).values_list(field_name, flat=True)
    ]
    names = [n for n in names if n]
    return _ratio(key, len(set(names)), len(names))


@metric("job_type_diversity", "Share of job starts that differ in type", "rate")
def job_type_diversity(scope: MetricScope, period: Period) -> MetricResult:
    """Job-type diversity (fidelity item 19, "percent of jobs that are different types"):
    denominator = job starts in the period (every job, as for Job starts) with a job title;
    numerator = the number of distinct job types among them, a job's type being its job title
    compared without regard to case or spacing ("Kitchen assistant" and "kitchen  Assistant"
    are one type). So 10 jobs of which 3 are "Cleaner" and 7 have other, different titles give
    8 types / 10 jobs = 80%. The job title is used rather than the occupation group because the
    nine major groups would cap the figure at 9 / jobs; a reviewer should check near-synonyms.
    No job starts: no value."""
    return _distinct_share("job_type_diversity", scope, period, "job_title")


@metric("employer_diversity", "Share of job starts with different employers", "rate")
def employer_diversity(scope: MetricScope, period: Period) -> MetricResult:
    """Employer diversity (fidelity item 20, "percent of jobs with different employers"):
    denominator = job starts in the period (every job, as for Job starts) with an employer
    recorded; numerator = the number of distinct employers among them, names compared without
    regard to case or spacing ("Riverside Cafe" and " riverside  cafe" are one employer). Two
    people hired by the same employer, or one person's two jobs there, count one employer.
    No job starts: no value."""
    return _distinct_share("employer_diversity", scope, period, "employer")


IN_WORK_SUPPORT_DAYS = 3


@metric(
    "in_work_support_within_3_days",
    "Share of job starts with in-work support within 3 days",
    "rate",
)
def in_work_support_within_3_days(scope: MetricScope, period: Period) -> MetricResult:
    """In-work support timing (fidelity item 23, the "within 3 days after the start" contact):
    denominator = job starts in the period whose 3-day window (start date to start date + 3
    days) has ended by today; numerator = those of them for which an in-work support contact
    (Activity of kind "in_work_support") is recorded for the same episode (the person's
    referral, since contacts are logged per person, not per job) dated on the start day or up
    to 3 days after it. A contact before the start does not count; a contact after the
    period's end but inside the window does. A person's two jobs are judged separately, and
    one contact counts for every job whose window it falls in. Job starts whose window is not
    over yet are left out of both counts."""
    last = min(period.end, timezone.localdate() - timedelta(days=IN_WORK_SUPPORT_DAYS))
    if last < period.start:
        return MetricResult("in_work_support_within_3_days", None, 0, 0)
    jobs = list(
        _jobs(scope)
        .filter(start_date__range=(period.start, last))
        .values_list("episode_id", "start_date")
    )
    contacts: dict[int, list[date]] = {}
    if jobs:
        for episode_id, day in Activity.objects.filter(
            kind=ActivityKind.IN_WORK_SUPPORT,
            episode_id__in={e for e, _ in jobs},
            date__range=(period.start, last + timedelta(days=IN_WORK_SUPPORT_DAYS)),
        ).values_list("episode_id", "date"):
            contacts.setdefault(episode_id, []).append(day)
    window = timedelta(days=IN_WORK_SUPPORT_DAYS)
    num = sum(
        1
        for episode_id, start in jobs
        if any(start <= day <= start + window for day in contacts.get(episode_id, ()))
    )
    return _ratio("in_work_support_within_3_days", num, len(jobs))


@metric(
    "employer_contacts_matching_preferences",
    "Share of employer contacts matching the person's preferences",
    "rate",
)
def employer_contacts_matching_preferences(scope: MetricScope, period: Period) -> MetricResult:
    """Employer contacts matching preferences (fidelity item 16): denominator = employer
    contacts (face to face or not) with a date in the period for which the specialist recorded
    whether the job fits the person's stated preferences (``matches_preferences`` yes or no;
    contacts left blank are not counted either way); numerator = those recorded as fitting.
    Attributed like the other activity metrics (to the specialist who made the contact)."""
    qs = _activities(scope).filter(
        kind=ActivityKind.EMPLOYER_CONTACT,
        date__range=(period.start, period.end),
        matches_preferences__isnull=False,
    )
    den = qs.count()
    num = qs.filter(matches_preferences=True).count()
    return _ratio("employer_contacts_matching_preferences", num, den)


def specialist_fte_on(scope: MetricScope, day: date) -> Decimal:
    """Full-time-equivalent specialists in post on ``day``: the sum of the FTE of specialist
    memberships in the scope that started on or before it (or have no start date) and end on
    or after it (or have no end date; the end date is the last day in post)."""
    return sum(
        _specialist_memberships(scope).active(on=day).values_list("fte", flat=True), Decimal("0")
    )


@metric("caseload_per_specialist_fte", "Active caseload per full-time specialist", "per_fte")
def caseload_per_specialist_fte(scope: MetricScope, period: Period) -> MetricResult:
    """Active caseload per full-time specialist (fidelity item 1): taken on one day, the
    period's last day (or today, if the period ends later): numerator = the active caseload on
    that day (distinct people, see Active caseload, with a one-day period); denominator = the
    full-time-equivalent specialists in post on that day (the sum of their FTE). No specialist
    in post: no value."""
    day = max(min(period.end, timezone.localdate()), period.start)
    num = active_caseload(scope, Period(day, day)).value
    den = specialist_fte_on(scope, day)
    value = float(Decimal(num) / den) if den else None
    return MetricResult("caseload_per_specialist_fte", value, num, float(den))


# The activities each "... per specialist per week" metric counts.
PER_WEEK_ACTIVITIES = {
    "applications_per_specialist_week": COUNT_RULES["applications"].where,
    "employer_contacts_per_specialist_week": COUNT_RULES["employer_contacts"].where,
    "face_to_face_employer_contacts_per_specialist_week": Q(
        kind=ActivityKind.EMPLOYER_CONTACT, face_to_face=True
    ),
}


def _per_week_result(key: str, num: int, years: Decimal) -> MetricResult:
    weeks = years * DAYS_PER_YEAR / 7
    value = float(Decimal(num) / weeks) if weeks else None
    return MetricResult(key, value, num, float(weeks))


def _per_specialist_week(key: str, scope: MetricScope, period: Period) -> MetricResult:
    q = PER_WEEK_ACTIVITIES[key]
    num = _activities(scope).filter(q, date__range=(period.start, period.end)).count()
    return _per_week_result(key, num, specialist_years(scope, period, fte_weighted=False))


@metric("applications_per_specialist_week", "Job applications per specialist a week", "per_week")
def applications_per_specialist_week(scope: MetricScope, period: Period) -> MetricResult:
    """Applications per specialist per week: numerator = job applications logged with a date
    in the period; denominator = specialist-weeks in post during the period (each specialist's
    days in post within the period, up to today, / 7; not weighted by FTE). For one specialist
    and one calendar week this is simply the count of that week."""
    return _per_specialist_week("applications_per_specialist_week", scope, period)


@metric(
    "employer_contacts_per_specialist_week", "Employer contacts per specialist a week", "per_week"
)
def employer_contacts_per_specialist_week(scope: MetricScope, period: Period) -> MetricResult:
    """Employer contacts per specialist per week: numerator = employer contacts made by
    specialists (face to face or not) with a date in the period, attributed to the specialist
    who made them; denominator = specialist-weeks in post during the period (as for
    applications)."""
    return _per_specialist_week("employer_contacts_per_specialist_week", scope, period)


@metric(
    "face_to_face_employer_contacts_per_specialist_week",
    "Face-to-face employer contacts per specialist a week",
    "per_week",
)
def face_to_face_employer_contacts_per_specialist_week(
    scope: MetricScope, period: Period
) -> MetricResult:
    """Face-to-face employer contacts per specialist per week (fidelity item 17): numerator =
    employer contacts marked face to face with a date in the period; denominator =
    specialist-weeks in post during the period (as for applications)."""
    return _per_specialist_week("face_to_face_employer_contacts_per_specialist_week", scope, period)


def activity_counts_by_specialist_week(activities: QuerySet[Activity]) -> dict:
    """Applications and employer contacts per (specialist id, Monday of the week): the single
    definition behind "applications and employer contacts per specialist per week", grouped
    for supervision tables (one query).

    ``activities`` is any Activity queryset already narrowed by the caller (to a site and date
    range, and through ``scoped_cases`` when a person's view is restricted). Each activity
    counts for the specialist who did the work, or the episode's specialist when that is
    blank, in the Monday-to-Sunday week of its date: the same attribution as the
    ``*_per_specialist_week`` metrics. Returns {(specialist_id, monday): {"applications": n,
    "employer_contacts": n, "face_to_face_employer_contacts": n, "interviews": n}}
    (interviews: interviews or meetings with an employer).
    """
    from django.db.models import Count

    rows = (
        activities.annotate(who=activity_specialist())
        .order_by()
        .values("who", "date")
        .annotate(
            applications=Count("pk", filter=Q(kind=ActivityKind.APPLICATION)),
            employer_contacts=Count("pk", filter=Q(kind=ActivityKind.EMPLOYER_CONTACT)),
            face_to_face_employer_contacts=Count(
                "pk", filter=Q(kind=ActivityKind.EMPLOYER_CONTACT, face_to_face=True)
            ),
            interviews=Count("pk", filter=Q(kind=ActivityKind.EMPLOYER_INTERVIEW)),
        )
    )
    out: dict = {}
    for row in rows:
        monday = row["date"] - timedelta(days=row["date"].weekday())
        counts = out.setdefault(
            (row["who"], monday),
            {
                "applications": 0,
                "employer_contacts": 0,
                "face_to_face_employer_contacts": 0,
                "interviews": 0,
            },
        )
        for key in counts:
            counts[key] += row[key]
    return out


# --- grouped variants: one metric for many specialists in a constant number of queries -------

BY_SPECIALIST_KEYS = ("job_starts", "people_into_work", *PER_WEEK_ACTIVITIES)


def compute_by_specialist(
    key: str, *, specialist_ids: Iterable[int], period: Period
) -> dict[int, MetricResult]:
    """{specialist id: the metric for ``MetricScope.for_specialist(id)``} for many specialists
    at once, grouped by specialist (one or two queries whatever their number). The counting
    rules are the same as :func:`compute`'s (same filters, same attribution: jobs to the
    episode's specialist, activities to :func:`activity_specialist`); tests check the two
    agree. Supports the keys in ``BY_SPECIALIST_KEYS``."""
    from django.db.models import Count

    if key not in BY_SPECIALIST_KEYS:
        raise KeyError(f"No grouped variant of {key!r}; known: {', '.join(BY_SPECIALIST_KEYS)}")
    ids = list(specialist_ids)
    if not ids:
        return {}
    if key in ("job_starts", "people_into_work"):
        jobs = COUNT_RULES[key].apply(Job.objects.filter(episode__specialist_id__in=ids), period)
        counts = dict(
            jobs.values("episode__specialist_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("episode__specialist_id", "n")
        )
        return {i: MetricResult(key, counts.get(i, 0), counts.get(i, 0)) for i in ids}
    counts = dict(
        Activity.objects.annotate(who=activity_specialist())
        .filter(PER_WEEK_ACTIVITIES[key], who__in=ids, date__range=(period.start, period.end))
        .values("who")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("who", "n")
    )
    years = _membership_years(
        Membership.objects.filter(role=Role.SPECIALIST, user_id__in=ids).values_list(
            "user_id", "start_date", "end_date", "fte"
        ),
        period,
        fte_weighted=False,
    )
    return {i: _per_week_result(key, counts.get(i, 0), years.get(i, Decimal("0"))) for i in ids}
