"""Views of the shell: home page per role, site pages, the audit trail, health check."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render

from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import (
    can_read_audit,
    get_site_or_404,
    primary_membership,
    scope_for,
    visible_sites,
)
from ipsworks.audit.selectors import audit_events_for
from ipsworks.organisation.selectors import site_staff

from .navigation import items_for

ROLE_INTRO = {
    Role.SPECIALIST: "Record your caseload and job-search work, and see your own figures.",
    Role.TEAM_LEADER: "Supervise each specialist's activity and help the team reach its outcomes.",
    Role.IMPLEMENTATION_MANAGER: "Submit your site's monthly return and follow its progress.",
    Role.PROGRAMME_MANAGER: "Follow every site's outcomes against target, returns and alerts.",
    Role.REVIEWER: "Plan, score and report fidelity reviews, and follow their action plans.",
    Role.EVALUATOR: "Log evaluation visits and interviews, and code quotes by theme.",
    Role.COMMISSIONER: "See aggregate outcomes and funding risk across the programme.",
    Role.ADMINISTRATOR: "Manage accounts, sites and reference data, and read the audit trail.",
}


def home(request):
    membership = primary_membership(request.user)
    scope = scope_for(request.user)
    links = [i for i in items_for(scope, "") if i["href"] != "/"]
    return render(
        request,
        "core/home.html",
        {
            "membership": membership,
            "intro": ROLE_INTRO.get(membership.role, "") if membership else "",
            "links": links,
            "sites": visible_sites(request.user),
        },
    )


def site_list(request):
    return render(request, "core/site_list.html", {"sites": visible_sites(request.user)})


def site_detail(request, slug: str):
    site = get_site_or_404(request.user, slug)
    scope = scope_for(request.user)
    staff = site_staff(site) if not scope.roles <= {Role.COMMISSIONER} else []
    return render(
        request,
        "core/site_detail.html",
        {"site": site, "teams": site.teams.all(), "staff": staff},
    )


def audit_list(request):
    if not can_read_audit(request.user):
        raise Http404("Not found")
    events = audit_events_for(request.user, action=request.GET.get("action", ""))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page})


@login_not_required
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
