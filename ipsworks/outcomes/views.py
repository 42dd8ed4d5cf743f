"""Outcome dashboards, downloads and the printable monthly report (aggregate figures only)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import get_site_or_404, has_role
from ipsworks.core.concurrency import EditConflict
from ipsworks.core.dates import month_end, parse_month
from ipsworks.organisation.models import Programme

from . import dashboards
from .exports import download
from .metrics import MetricScope, Period
from .selectors import alerts, default_as_of, programme_outcomes, viewable_programme

STAFF_ALERT_ROLES = (Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)


def _programme(request) -> Programme:
    return viewable_programme(request.user, request.GET.get("programme"))


def _as_of(request, sites) -> tuple[date, str]:
    """The month chosen with ?month=YYYY-MM (its last day), or the default; plus an error."""
    text = request.GET.get("month", "").strip()
    if text:
        try:
            return month_end(parse_month(text)), ""
        except ValueError as exc:
            return default_as_of(sites), f"{exc}. Showing the latest figures instead."
    return default_as_of(sites), ""


def _overview(request):
    programme = _programme(request)
    sites = list(programme.sites.order_by("name"))
    as_of, error = _as_of(request, sites)
    return programme_outcomes(programme, as_of=as_of, sites=sites), error


def programme_dashboard(request, template="outcomes/programme.html"):
    overview, error = _overview(request)
    datasets = dashboards.programme_datasets(overview)
    site_alerts = alerts(overview)
    if not has_role(request.user, *STAFF_ALERT_ROLES):
        site_alerts = [a for a in site_alerts if a.kind != "no_employer_contact"]
    return render(
        request,
        template,
        {
            "overview": overview,
            "datasets": datasets,
            "alerts": site_alerts,
            "month_error": error,
            "month_value": overview.as_of.strftime("%Y-%m"),
            "query": request.GET.urlencode(),
            "can_edit_settings": has_role(request.user, *STAFF_ALERT_ROLES),
        },
    )


def programme_report(request):
    return programme_dashboard(request, template="outcomes/report.html")


def programme_download(request, dataset: str, fmt: str):
    overview, _ = _overview(request)
    datasets = dashboards.programme_datasets(overview)
    if dataset not in datasets:
        raise Http404("No such table")
    return download(datasets[dataset], fmt, f"{dataset}-{overview.as_of:%Y-%m}")


def _sees_specialists(user, site) -> bool:
    """Whether the user may see each specialist's figures at `site` (and the alerts about
    them): the site's implementation manager and team leaders, or the programme's managers and
    administrators. Judged for this site, so that a role held elsewhere does not count."""
    if user.is_superuser:
        return True
    return (
        Membership.objects.active()
        .filter(user=user)
        .filter(
            Q(site=site, role__in=[Role.IMPLEMENTATION_MANAGER, Role.TEAM_LEADER])
            | Q(programme_id=site.programme_id, role__in=STAFF_ALERT_ROLES)
        )
        .exists()
    )


def _site_context(request, slug: str):
    site = get_site_or_404(request.user, slug)
    as_of, error = _as_of(request, [site])
    overview = programme_outcomes(site.programme, as_of=as_of, sites=[site])
    outcome = overview.sites[0]
    period = dashboards.default_period(site, as_of)
    datasets = {
        "monthly": dashboards.site_monthly(outcome),
        "measures": dashboards.metrics_table(
            "measures", f"{site.name}: all measures", MetricScope.for_site(site), period
        ),
    }
    if _sees_specialists(request.user, site):
        datasets["specialists"] = dashboards.specialists_table(site, as_of)
    return site, overview, outcome, datasets, error


def site_dashboard(request, slug: str):
    site, overview, outcome, datasets, error = _site_context(request, slug)
    site_alerts = alerts(overview)
    if "specialists" not in datasets:
        site_alerts = [a for a in site_alerts if a.kind != "no_employer_contact"]
    return render(
        request,
        "outcomes/site.html",
        {
            "site": site,
            "overview": overview,
            "outcome": outcome,
            "datasets": datasets,
            "alerts": site_alerts,
            "month_error": error,
            "month_value": overview.as_of.strftime("%Y-%m"),
            "query": request.GET.urlencode(),
        },
    )


def my_site(request):
    """The site dashboard of the user's own site (implementation managers, team leaders)."""
    from django.shortcuts import redirect

    from ipsworks.accounts.scoping import primary_membership

    membership = primary_membership(request.user)
    if membership is None or membership.site_id is None:
        raise Http404("Not found")
    return redirect("outcomes:site", slug=membership.site.slug)


def site_download(request, slug: str, dataset: str, fmt: str):
    site, overview, _, datasets, _ = _site_context(request, slug)
    if dataset not in datasets:
        raise Http404("No such table")
    return download(datasets[dataset], fmt, f"{site.slug}-{dataset}-{overview.as_of:%Y-%m}")


def my_figures(request):
    """A specialist's own figures over their time in post (aggregate counts only)."""
    if not has_role(request.user, Role.SPECIALIST):
        raise Http404("Not found")
    from ipsworks.accounts.models import Membership

    membership = (
        Membership.objects.active()
        .filter(user=request.user, role=Role.SPECIALIST)
        .select_related("site")
        .first()
    )
    if membership is None:
        raise Http404("Not found")
    site = membership.site
    as_of, error = _as_of(request, [site])
    start = membership.start_date or site.start_date
    period = Period(min(start, as_of), as_of)
    ds = dashboards.metrics_table(
        "mine", "My measures", MetricScope.for_specialist(request.user), period
    )
    return render(
        request,
        "outcomes/mine.html",
        {
            "dataset": ds,
            "site": site,
            "period": period,
            "month_error": error,
            "month_value": as_of.strftime("%Y-%m"),
        },
    )


def target_settings(request):
    """Programme managers set the trajectory and the status thresholds."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from .forms import TargetSettingsForm
    from .selectors import settings_for
    from .services import update_target_settings

    if not has_role(request.user, *STAFF_ALERT_ROLES):
        raise Http404("Not found")
    programme = _programme(request)
    current = settings_for(programme)
    form = TargetSettingsForm(request.POST or None, instance=current, seen_record=current)
    conflict_entries = None
    if request.method == "POST" and form.is_valid():
        try:
            update_target_settings(
                actor=request.user,
                programme=programme,
                values={name: form.cleaned_data[name] for name in form.Meta.fields},
                seen=form.cleaned_data["seen"],
            )
        except EditConflict:
            conflict_entries = form.entries()
            current = settings_for(programme)
            form = TargetSettingsForm(instance=current, seen_record=current)
        else:
            messages.success(request, "Target settings saved.")
            return redirect("outcomes:programme")
    return render(
        request,
        "outcomes/settings.html",
        {"form": form, "programme": programme, "conflict_entries": conflict_entries},
        status=409 if conflict_entries else 200,
    )
