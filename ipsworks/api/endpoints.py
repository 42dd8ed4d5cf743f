"""The read-only JSON API, version 1. Aggregate figures only: no person's record is served.

Each endpoint is a thin wrapper over the outcomes selectors and metric definitions that the
dashboards and the ``ipsworks outcomes`` command use, so the numbers are the same everywhere.
Sites outside the token's account's scope are "not found", as on the pages.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.urls import reverse

from ipsworks.accounts.scoping import get_site_or_404, visible_sites
from ipsworks.core.dates import month_end, parse_month
from ipsworks.outcomes.dashboards import default_period
from ipsworks.outcomes.metrics import MetricScope, Period
from ipsworks.outcomes.models import SUMMARY_FIELDS
from ipsworks.outcomes.selectors import (
    default_as_of,
    measures,
    outcome_rows,
    rounded_rows,
    viewable_programme,
    window_outcomes,
)

from .auth import BadRequest, api_view, error

VERSION = 1


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _window(request) -> tuple[date | None, date | None]:
    """?from=YYYY-MM&to=YYYY-MM, either optional."""
    found = []
    for name in ("from", "to"):
        text = request.GET.get(name, "").strip()
        try:
            found.append(parse_month(text) if text else None)
        except ValueError as exc:
            raise BadRequest(f"'{name}': {exc}.") from None
    first, last = found
    if first and last and last < first:
        raise BadRequest("'to' must not be before 'from'.")
    return first, last


def _month(value: date | None) -> str | None:
    return value.strftime("%Y-%m") if value else None


def _programme_json(programme) -> dict:
    return {"id": programme.pk, "name": programme.name}


def _site_json(site) -> dict:
    return {
        "slug": site.slug,
        "name": site.name,
        "programme": _programme_json(site.programme),
        "period_start": site.start_date,
        "period_end": site.end_date - timedelta(days=1),
        "referral_target": site.referral_target,
        "job_start_target": site.job_start_target,
        "links": {
            "outcomes": reverse("api:site_outcomes", args=[site.slug]),
            "measures": reverse("api:site_measures", args=[site.slug]),
        },
    }


def _measures_json(scope: MetricScope, period: Period) -> list[dict]:
    return [
        {
            "key": m.key,
            "label": m.metric.label,
            "unit": m.metric.unit,
            "definition": m.metric.description,
            "from": m.period.start,
            "to": m.period.end,
            "value": _number(m.result.value),
            "numerator": _number(m.result.numerator),
            "denominator": _number(m.result.denominator),
            "cases": m.result.n,
        }
        for m in measures(scope, period)
    ]


@api_view
def index(request) -> dict:
    return {
        "version": VERSION,
        "user": request.user.username,
        "endpoints": {
            "sites": reverse("api:sites"),
            "outcomes": reverse("api:outcomes"),
            "measures": reverse("api:measures"),
            "site_outcomes": reverse("api:site_outcomes", args=["SLUG"]),
            "site_measures": reverse("api:site_measures", args=["SLUG"]),
        },
    }


@api_view
def sites(request) -> dict:
    found = visible_sites(request.user).order_by("programme__name", "name")
    return {"sites": [_site_json(site) for site in found]}


@api_view
def outcomes(request) -> dict:
    """Every site of a programme against target, and a total (programme-wide roles)."""
    programme = viewable_programme(request.user, request.GET.get("programme"))
    first, last = _window(request)
    rows = outcome_rows(
        programme, sites=programme.sites.order_by("name"), first_month=first, last_month=last
    )
    return {
        "programme": _programme_json(programme),
        "from": _month(first),
        "to": _month(last),
        "rows": rows,
    }


@api_view
def site_outcomes(request, slug: str) -> dict:
    """One site against target, with its counts month by month."""
    site = get_site_or_404(request.user, slug)
    first, last = _window(request)
    overview = window_outcomes(site.programme, sites=[site], first_month=first, last_month=last)
    row = rounded_rows(overview)[0]
    outcome = overview.sites[0]
    fields = SUMMARY_FIELDS
    months = [
        {"month": _month(month), **{k: outcome.monthly.get(month, {}).get(k, 0) for k in fields}}
        for month in sorted(outcome.months)
    ]
    return {
        "site": _site_json(site),
        "from": _month(first),
        "to": _month(last),
        "figures": row,
        "months": months,
    }


def _period(first: date | None, last: date | None, sites) -> Period:
    """The days the measures count: the chosen months, within the sites' implementation
    periods and up to the latest figures (as the dashboards count them)."""
    as_of = default_as_of(sites)
    if first is None and last is None and len(sites) == 1:
        return default_period(sites[0], as_of)
    earliest = min(s.start_date for s in sites)
    latest = max(earliest, min(as_of, max(s.end_date - timedelta(days=1) for s in sites)))
    start = max(first or earliest, earliest)
    end = min(month_end(last) if last else latest, latest)
    if end < start:
        raise BadRequest(
            f"No figures in the months chosen: they are counted from {earliest:%Y-%m-%d} "
            f"to {latest:%Y-%m-%d}."
        )
    return Period(start, end)


def _measures_body(request, scope: MetricScope, sites) -> dict:
    first, last = _window(request)
    period = _period(first, last, sites)
    return {
        "from": _month(first),
        "to": _month(last),
        "period_start": period.start,
        "period_end": period.end,
        "measures": _measures_json(scope, period),
    }


@api_view
def site_measures(request, slug: str) -> dict:
    """Every measure for one site, each with its definition, numerator and denominator."""
    site = get_site_or_404(request.user, slug)
    return {"site": _site_json(site), **_measures_body(request, MetricScope.for_site(site), [site])}


@api_view
def programme_measures(request) -> dict:
    """Every measure for a whole programme (programme-wide roles)."""
    programme = viewable_programme(request.user, request.GET.get("programme"))
    site_list = list(programme.sites.order_by("name"))
    if not site_list:
        raise BadRequest("This programme has no sites yet.")
    return {
        "programme": _programme_json(programme),
        **_measures_body(request, MetricScope.for_programme(programme), site_list),
    }


@login_not_required
def not_found(request, rest: str = ""):
    """Any other address under /api/: a JSON 404, as the endpoints answer."""
    return error(404, "Not found: the endpoints are listed at /api/v1/.")
