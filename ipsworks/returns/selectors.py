"""Reading returns: the monthly cycle grid, missing returns, imports, and export rows.

``missing_returns(as_of=date)`` is the selector other apps use (the outcomes app's "return
missing" alerts): a list of :class:`MissingReturn` (site, month, due date) for every month a
site was expected to send a return, whose due date (the 15th of the next month) is before
`as_of`, with no submission. A site is expected to send a return for each month from its start
month to the last month of its implementation period, and for any later month that already has
a return record (an upload or a submission).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import scope_for, scoped_cases, visible_sites
from ipsworks.caseload.models import Activity, Episode, Job
from ipsworks.core.dates import months_between
from ipsworks.organisation.models import Site

from .importer import COUNT_KINDS
from .models import MonthlyReturn, ReturnImport, due_date, month_last_day, status_of

MANAGER_ROLES = (Role.IMPLEMENTATION_MANAGER, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)


def can_manage_returns(user, site: Site) -> bool:
    """Upload, check and accept a site's return: its implementation manager, or a programme
    manager / administrator of its programme."""
    scope = scope_for(user)
    return scope.has_role(*MANAGER_ROLES) and (scope.is_superuser or site.pk in scope.case_site_ids)


def can_lock_returns(user, site: Site) -> bool:
    scope = scope_for(user)
    return scope.has_role(Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR) and (
        scope.is_superuser or site.pk in scope.case_site_ids
    )


def manageable_sites(user):
    return [s for s in visible_sites(user) if can_manage_returns(user, s)]


def expected_months(site: Site, as_of: date) -> list[date]:
    last = min(site.end_date - timedelta(days=1), as_of)
    if last < site.start_date:
        return []
    return months_between(site.start_date, last)


@dataclass(frozen=True)
class MissingReturn:
    site: Site
    month: date
    due: date


def missing_returns(as_of: date, sites=None) -> list[MissingReturn]:
    """Every (site, month) whose return is overdue at `as_of` and not submitted."""
    sites = list(sites if sites is not None else Site.objects.all())
    returns = {(r.site_id, r.month): r for r in MonthlyReturn.objects.filter(site__in=sites)}
    out = []
    for site in sites:
        months = set(expected_months(site, as_of))
        months |= {m for (sid, m) in returns if sid == site.pk}
        for month in sorted(months):
            r = returns.get((site.pk, month))
            if (r is None or r.submitted_at is None) and due_date(month) < as_of:
                out.append(MissingReturn(site, month, due_date(month)))
    return out


@dataclass
class GridCell:
    month: date
    status: str  # submitted / late / missing / due / "" (not expected)
    label: str
    locked: bool
    record: MonthlyReturn | None
    site: Site | None = None


STATUS_LABELS = {
    "submitted": "Submitted",
    "late": "Submitted late",
    "missing": "Missing",
    "due": "Not yet due",
    "": "–",
}


def month_grid(user, as_of: date, months: list[date] | None = None):
    """Sites (that the user may see) by month: (months, [(site, [GridCell...])])."""
    sites = list(visible_sites(user).order_by("name"))
    returns = {(r.site_id, r.month): r for r in MonthlyReturn.objects.filter(site__in=sites)}
    if months is None:
        starts = [s.start_date for s in sites]
        ends = [min(s.end_date - timedelta(days=1), as_of) for s in sites]
        months = months_between(min(starts), max(ends)) if sites else []
    rows = []
    for site in sites:
        expected = set(expected_months(site, as_of))
        cells = []
        for month in months:
            r = returns.get((site.pk, month))
            if month not in expected and r is None:
                cells.append(GridCell(month, "", STATUS_LABELS[""], False, None, site))
                continue
            submitted = r.submitted_at.date() if r and r.submitted_at else None
            status = status_of(month, submitted, as_of)
            cells.append(
                GridCell(month, status, STATUS_LABELS[status], bool(r and r.locked_at), r, site)
            )
        rows.append((site, cells))
    return months, rows


def site_months(site: Site, as_of: date) -> list[GridCell]:
    returns = {r.month: r for r in MonthlyReturn.objects.filter(site=site)}
    months = sorted(set(expected_months(site, as_of)) | set(returns))
    out = []
    for month in reversed(months):
        r = returns.get(month)
        submitted = r.submitted_at.date() if r and r.submitted_at else None
        status = status_of(month, submitted, as_of)
        out.append(GridCell(month, status, STATUS_LABELS[status], bool(r and r.locked_at), r))
    return out


def return_for(site: Site, month: date) -> MonthlyReturn | None:
    return MonthlyReturn.objects.filter(site=site, month=month).first()


def imports_for(site: Site, month: date | None = None):
    qs = ReturnImport.objects.filter(site=site).select_related("created_by")
    if month is not None:
        qs = qs.filter(month=month)
    return qs


# --- Export rows ----------------------------------------------------------------------------


def export_rows(user, site: Site, month: date | None, *, today: date):
    """(caseload rows, job rows, count month) for what `user` may see at `site`, in the
    template's layout. With a month: the referrals open at some point in that month and their
    jobs; the '... this month' counts are for that month (else for the month of `today`)."""
    count_month = (month or today).replace(day=1)
    count_end = month_last_day(count_month)
    episodes = scoped_cases(user, Episode.objects.all(), site=site).select_related(
        "service_user", "specialist"
    )
    if month is not None:
        episodes = episodes.filter(referral_date__lte=count_end).filter(
            Q(discharge_date__isnull=True) | Q(discharge_date__gte=count_month)
        )
    episodes = episodes.order_by("service_user__reference", "referral_date", "pk")
    counts = {}
    for row in (
        Activity.objects.filter(
            episode__in=episodes.values("pk"),
            date__gte=count_month,
            date__lte=count_end,
            kind__in=list(COUNT_KINDS.values()),
        )
        .values("episode_id", "kind")
        .annotate(n=Count("id"))
    ):
        counts[(row["episode_id"], row["kind"])] = row["n"]

    def caseload() -> Iterator[dict]:
        for ep in episodes.iterator(chunk_size=2000):
            yield {
                "service_user_id": ep.service_user.reference,
                "referral_date": ep.referral_date,
                "referral_source": ep.referral_source,
                "specialist": ep.specialist.username if ep.specialist else "",
                "profile_started": ep.profile_started,
                "employment_status": ep.employment_status,
                "discharge_date": ep.discharge_date,
                "discharge_reason": ep.discharge_reason,
                **{k: counts.get((ep.pk, kind), 0) for k, kind in COUNT_KINDS.items()},
            }

    jobs = (
        scoped_cases(user, Job.objects.all(), site=site)
        .filter(episode__in=episodes.values("pk"))
        .select_related("episode__service_user")
        .order_by("episode__service_user__reference", "start_date", "pk")
    )

    def job_rows() -> Iterator[dict]:
        for job in jobs.iterator(chunk_size=2000):
            yield {
                "service_user_id": job.episode.service_user.reference,
                "start_date": job.start_date,
                "employer": job.employer,
                "job_title": job.job_title,
                "occupation_group": job.occupation_group,
                "hours_per_week": job.hours_per_week,
                "hourly_pay": job.hourly_pay,
                "end_date": job.end_date,
                "end_reason": job.end_reason,
            }

    return caseload(), job_rows(), count_month
