"""Funding screens: the dashboard, a site's posts and status, and the edit forms."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ipsworks.core.concurrency import EditConflict
from ipsworks.organisation.models import Site

from . import services
from .access import can_edit_site, can_see_stakeholders, funding_sites, get_funding_site_or_404
from .chart import build_timeline
from .forms import PostForm, StakeholderForm, StatusForm
from .models import Post, Stakeholder
from .selectors import (
    ALERT_MONTHS,
    alert_window,
    funding_alerts,
    parse_as_of,
    posts_for_site,
    posts_for_sites,
    site_summaries,
    stakeholders_for_site,
    status_for,
)


def dashboard(request):
    sites = funding_sites(request.user)
    if not sites.exists():
        raise Http404("Not found")
    today = timezone.localdate()
    chosen = request.GET.get("as_of", "").strip()
    as_of_error = ""
    if chosen:
        try:
            today = parse_as_of(chosen)
        except ValueError:
            as_of_error = f"“{chosen}” is not a date: showing today's alerts instead."
    alerts = funding_alerts(as_of=today, sites=sites)
    posts = list(posts_for_sites(sites))
    single = sites.count() == 1
    subject = sites.first().name if single else "The programme"
    timeline = build_timeline(
        posts,
        as_of=today,
        title=f"Funding timeline: {subject if single else 'all sites'}",
        subject=subject,
        show_site=not single,
        as_of_label="Today" if today == timezone.localdate() else "Checked on",
    )
    return render(
        request,
        "funding/dashboard.html",
        {
            "today": today,
            "is_today": today == timezone.localdate(),
            "as_of_error": as_of_error,
            "window_end": alert_window(today)[1],
            "months": ALERT_MONTHS,
            "alerts": alerts,
            "summaries": site_summaries(sites, as_of=today),
            "timeline": timeline,
            "show_site": not single,
        },
    )


def site_funding(request, slug: str):
    site = get_funding_site_or_404(request.user, slug)
    today = timezone.localdate()
    posts = list(posts_for_site(site))
    return render(
        request,
        "funding/site.html",
        {
            "site": site,
            "today": today,
            "is_today": True,
            "window_end": alert_window(today)[1],
            "months": ALERT_MONTHS,
            "status": status_for(site),
            "posts": posts,
            "alerts": funding_alerts(as_of=today, sites=Site.objects.filter(pk=site.pk)),
            "timeline": build_timeline(
                posts,
                as_of=today,
                title=f"Funding timeline: {site.name}",
                subject=site.name,
                grant_end=site.end_date,
            ),
            "stakeholders": (
                stakeholders_for_site(site) if can_see_stakeholders(request.user, site) else None
            ),
            "can_edit": can_edit_site(request.user, site),
        },
    )


def _editable_site(request, slug: str):
    site = get_funding_site_or_404(request.user, slug)
    if not can_edit_site(request.user, site):
        raise PermissionDenied("You can read this site's funding but not change it.")
    return site


def _form_page(request, site, form, title, back, conflict_entries=None):
    return render(
        request,
        "funding/form.html",
        {
            "site": site,
            "form": form,
            "title": title,
            "back": back,
            "conflict_entries": conflict_entries,
        },
        status=409 if conflict_entries else 200,
    )


def post_form(request, slug: str, pk: int | None = None):
    site = _editable_site(request, slug)
    post = get_object_or_404(Post, pk=pk, site=site) if pk else None
    form = PostForm(request.POST or None, instance=post, site=site, seen_record=post)
    title = f"Change post {post.pk}: {post}" if post else "Add a post"
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if post:
            try:
                services.update_post(
                    actor=request.user, post=post, data=data, seen=form.cleaned_data["seen"]
                )
            except EditConflict:
                post.refresh_from_db()
                fresh = PostForm(instance=post, site=site, seen_record=post)
                return _form_page(request, site, fresh, title, "funding:site", form.entries())
            messages.success(request, "Post changed.")
        else:
            services.create_post(actor=request.user, site=site, data=data)
            messages.success(request, "Post added.")
        return redirect("funding:site", slug=site.slug)
    return _form_page(request, site, form, title, "funding:site")


def status_form(request, slug: str):
    site = _editable_site(request, slug)
    current = status_for(site)
    form = StatusForm(
        request.POST or None, instance=current if current.pk else None, seen_record=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_site_status(actor=request.user, site=site, **form.cleaned_data)
        except EditConflict:
            site = Site.objects.get(pk=site.pk)  # not the cached status the form changed
            current = status_for(site)
            fresh = StatusForm(instance=current if current.pk else None, seen_record=current)
            return _form_page(
                request, site, fresh, "Status after the grant", "funding:site", form.entries()
            )
        messages.success(request, "Status after the grant saved.")
        return redirect("funding:site", slug=site.slug)
    return _form_page(request, site, form, "Status after the grant", "funding:site")


def stakeholder_form(request, slug: str, pk: int | None = None):
    site = _editable_site(request, slug)
    item = get_object_or_404(Stakeholder, pk=pk, site=site) if pk else None
    form = StakeholderForm(request.POST or None, instance=item, site=site, seen_record=item)
    title = f"Change the stakeholder {item}" if item else "Add a stakeholder"
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if item:
            try:
                services.update_stakeholder(
                    actor=request.user, stakeholder=item, data=data, seen=form.cleaned_data["seen"]
                )
            except EditConflict:
                item.refresh_from_db()
                fresh = StakeholderForm(instance=item, site=site, seen_record=item)
                return _form_page(request, site, fresh, title, "funding:site", form.entries())
            messages.success(request, "Stakeholder changed.")
        else:
            services.create_stakeholder(actor=request.user, site=site, data=data)
            messages.success(request, "Stakeholder added.")
        return redirect("funding:site", slug=site.slug)
    return _form_page(request, site, form, title, "funding:site")
