"""The programme view: each site's latest finalised review and its job outcome rate."""

from __future__ import annotations

from .models import Review, ReviewStatus


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
    rows = []
    for site in sites:
        review = (
            Review.objects.filter(site=site, status=ReviewStatus.FINALISED)
            .select_related("scale")
            .order_by("-visit_start", "-id")
            .first()
        )
        rate, result = (None, None)
        if review is not None:
            rate, result = job_outcome_rate(site, review.period_start, review.period_end)
        rows.append(
            {
                "site": site,
                "review": review,
                "max_total": review.scale.max_score * review.scale.items.count() if review else 125,
                "rate": rate,
                "result": result,
            }
        )
    return rows
