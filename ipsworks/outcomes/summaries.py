"""Keeping the monthly summary tables equal to the raw caseload records.

:func:`refresh_site` recomputes one site's monthly rows from a month onwards with a few grouped
queries. The caseload services send ``records_changed(sender, site, dates)`` inside the
transaction of every write; :func:`on_records_changed` refreshes from the earliest date touched.
It refreshes every later month too, because a change can move a person's first job of 4+ hours
(people supported into work) to a later month that was not itself touched.

:func:`rebuild_all` (``ipsworks rebuild_summaries``) recomputes every site from scratch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from ipsworks.caseload.models import Activity, ActivityKind, EmploymentStatus, Episode, Job
from ipsworks.core.dates import month_start
from ipsworks.organisation.models import Site

from .metrics import first_jobs_into_work
from .models import SUMMARY_FIELDS, MonthlySiteSummary


def _month(value) -> date:
    # TruncMonth on a DateField gives a date; some backends may give a datetime.
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _grouped(qs, date_field: str, since: date | None, **counts) -> dict[date, dict[str, int]]:
    if since is not None:
        qs = qs.filter(**{f"{date_field}__gte": since})
    rows = (
        qs.exclude(**{f"{date_field}__isnull": True})
        .annotate(m=TruncMonth(date_field))
        .values("m")
        .annotate(**counts)
        .order_by()
    )
    out: dict[date, dict[str, int]] = {}
    for row in rows:
        out[_month(row.pop("m"))] = row
    return out


def compute_site_months(site_id: int, since: date | None = None) -> dict[date, dict[str, int]]:
    """Per-month counts for one site from ``since`` (a first-of-month) onwards, from raw data."""
    months: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SUMMARY_FIELDS, 0))
    episodes = Episode.objects.filter(site_id=site_id)
    jobs = Job.objects.filter(site_id=site_id)
    parts = [
        _grouped(
            episodes,
            "referral_date",
            since,
            referrals=Count("id"),
            referrals_in_work=Count("id", filter=Q(employment_status=EmploymentStatus.IN_WORK)),
        ),
        _grouped(episodes, "profile_started", since, people_engaged=Count("id")),
        _grouped(
            jobs,
            "start_date",
            since,
            job_starts=Count("id"),
            competitive_job_starts=Count("id", filter=Q(is_competitive=True)),
        ),
        _grouped(first_jobs_into_work(jobs), "start_date", since, people_into_work=Count("id")),
        _grouped(
            Activity.objects.filter(
                site_id=site_id,
                kind__in=[ActivityKind.APPLICATION, ActivityKind.EMPLOYER_CONTACT],
            ),
            "date",
            since,
            applications=Count("id", filter=Q(kind=ActivityKind.APPLICATION)),
            employer_contacts=Count("id", filter=Q(kind=ActivityKind.EMPLOYER_CONTACT)),
        ),
    ]
    for part in parts:
        for month, counts in part.items():
            months[month].update(counts)
    return dict(months)


@transaction.atomic
def refresh_site(site_id: int, since: date | None = None) -> int:
    """Replace the site's summary rows from ``since``'s month onwards (all months if None).
    Returns the number of rows written."""
    since = month_start(since) if since is not None else None
    months = compute_site_months(site_id, since)
    existing = MonthlySiteSummary.objects.filter(site_id=site_id)
    if since is not None:
        existing = existing.filter(month__gte=since)
    existing.delete()
    rows = [
        MonthlySiteSummary(site_id=site_id, month=month, **counts)
        for month, counts in sorted(months.items())
        if any(counts.values())
    ]
    MonthlySiteSummary.objects.bulk_create(rows)
    return len(rows)


def rebuild_all(sites: Iterable[Site] | None = None) -> int:
    """Recompute the summaries of the given sites (every site by default) from scratch."""
    total = 0
    with transaction.atomic():
        if sites is None:
            MonthlySiteSummary.objects.all().delete()
            sites = Site.objects.all()
        for site in sites:
            total += refresh_site(site.pk)
    return total


def on_records_changed(sender, site, dates=(), **kwargs) -> None:
    """Receiver of caseload's ``records_changed``: refresh the site from the earliest date."""
    site_id = getattr(site, "pk", site)
    known = [d for d in (dates or ()) if d is not None]
    refresh_site(site_id, min(known) if known else None)
