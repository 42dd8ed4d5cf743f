"""Keeping the monthly summary tables equal to the raw caseload records.

:func:`refresh_site` recomputes one site's monthly rows from a month onwards with a few grouped
queries. The caseload services send ``records_changed(sender, site, dates)`` inside the
transaction of every write; :func:`on_records_changed` refreshes from the earliest date touched.
It refreshes every later month too, because a change can move a person's first job of 4+ hours
(people supported into work) to a later month that was not itself touched.

:func:`rebuild_all` (``ipsworks rebuild_summaries``) recomputes every site from scratch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from ipsworks.core.dates import month_start
from ipsworks.organisation.models import Site

from .metrics import MetricScope, counts_by_month
from .models import SUMMARY_FIELDS, MonthlySiteSummary


def compute_site_months(site_id: int, since: date | None = None) -> dict[date, dict[str, int]]:
    """Per-month counts for one site from ``since`` (a first-of-month) onwards, from raw data:
    the metrics' own counting rules, grouped by month (``metrics.counts_by_month``)."""
    return counts_by_month(MetricScope.for_site(site_id), since, SUMMARY_FIELDS)


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
