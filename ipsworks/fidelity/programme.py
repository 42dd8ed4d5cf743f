"""The programme view: each site's latest finalised review and its job outcome rate."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery

from .models import Review, ReviewStatus, ScaleVersion


def job_outcome_rate(site, start, end):
    """The out-of-work employment (job outcome) rate in %, from the outcomes metrics."""
    try:
        from ipsworks.outcomes.metrics import MetricScope, Period, compute
    except ImportError:
        return None, None
    result = compute(
        "out_of_work_employment_rate", scope=MetricScope.for_site(site), period=Period(start, end)
    )
    if result.value is None:
        return None, result
    return result.value * 100, result


def programme_rows(sites) -> list[dict]:
    """One row per site. The latest finalised reviews come from one query and the item counts
    from one query per page (not per site); the job outcome rate is the outcomes metric's."""
    sites = list(sites)
    finalised = Review.objects.filter(status=ReviewStatus.FINALISED)
    latest = (
        finalised.filter(site=OuterRef("site")).order_by("-visit_start", "-id").values("pk")[:1]
    )
    reviews = {
        r.site_id: r
        for r in finalised.filter(
            site__in=[s.pk for s in sites], pk=Subquery(latest)
        ).select_related("scale")
    }
    item_counts = dict(
        ScaleVersion.objects.filter(pk__in={r.scale_id for r in reviews.values()})
        .annotate(n=Count("items"))
        .values_list("pk", "n")
    )
    rows = []
    for site in sites:
        review = reviews.get(site.pk)
        rate, result = (None, None)
        if review is not None:
            rate, result = job_outcome_rate(site, review.period_start, review.period_end)
        rows.append(
            {
                "site": site,
                "review": review,
                "max_total": review.scale.max_score * item_counts[review.scale_id]
                if review
                else 125,
                "rate": rate,
                "result": result,
            }
        )
    return rows
