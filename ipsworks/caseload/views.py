"""Caseload screens. Thin: read through selectors (always scoped), write through services."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from ipsworks.accounts.models import Membership, User
from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import case_sites, get_site_or_404, scope_for
from ipsworks.core.dates import parse_day
from ipsworks.organisation.models import Site
from ipsworks.organisation.selectors import site_specialists

from . import selectors, services
from .forms import (
    ActivityForm,
    DischargeForm,
    EpisodeForm,
    JobEndForm,
    JobForm,
    JobStartForm,
    NewEpisodeForm,
    QuickActivityForm,
    ReferralForm,
    RemoveForm,
    ServiceUserForm,
    add_service_errors,
)
from .models import ActivityKind
from .selectors import STAGES, CaseloadQuery

PAGE_SIZE = 25
SUPERVISOR_ROLES = (
    Role.TEAM_LEADER,
    Role.IMPLEMENTATION_MANAGER,
    Role.PROGRAMME_MANAGER,
    Role.ADMINISTRATOR,
)
QUICK_KINDS = {
    "application": "Log a job application",
    "employer_contact": "Log an employer contact",
}


def _require_cases(user) -> None:
    if not scope_for(user).sees_any_cases:
        raise Http404("Not found")


def _require_writer(user) -> None:
    if not services.can_write(user):
        raise Http404("Not found")


def _is_own_caseload_only(user) -> bool:
    scope = scope_for(user)
    return bool(scope.own_caseload_site_ids) and not (
        scope.case_site_ids or scope.case_team_ids or scope.is_superuser
    )


MAX_ID = 2**63 - 1  # the largest id a database column holds


def _int(value) -> int | None:
    """A positive database id from a query parameter, or None for anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


# --------------------------------------------------------------------------------------------
# Caseload list


def _filter_specialists(user) -> list[User]:
    """Specialists offered in the caseload filter: those currently in post whose caseloads the
    user looks after (a team leader of one team: that team's; a site or programme role: the
    sites')."""
    scope = scope_for(user)
    ids = (
        Membership.objects.active()
        .filter(role=Role.SPECIALIST)
        .filter(Q(site_id__in=scope.case_site_ids) | Q(team_id__in=scope.case_team_ids))
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def caseload_list(request):
    user = request.user
    _require_cases(user)
    own_only = _is_own_caseload_only(user)
    query = CaseloadQuery(
        stage=request.GET.get("stage", ""),
        # NUL cannot be stored or searched for (PostgreSQL refuses it in any string literal).
        search=request.GET.get("q", "").replace("\x00", "").strip()[:40],
        sort=request.GET.get("sort", selectors.DEFAULT_SORT),
        specialist_id=None if own_only else _int(request.GET.get("specialist")),
    )
    if query.sort not in selectors.SORTS:
        query.sort = selectors.DEFAULT_SORT
    page = Paginator(selectors.caseload(user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.stage_counts(user, query)
    specialists = []
    if not own_only:
        specialists = _filter_specialists(user)
    keep = {k: v for k, v in {"q": query.search, "specialist": query.specialist_id}.items() if v}
    stage_links = [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "href": "?" + urlencode({**keep, "stage": key}),
            "current": query.stage == key,
        }
        for key, label in STAGES
    ]
    columns = []
    for key, label in [
        ("id", "Service user ID"),
        ("referred", "Referred"),
        ("activity", "Latest activity"),
    ]:
        current = query.sort.lstrip("-") == key
        descending = query.sort.startswith("-")
        next_sort = f"-{key}" if current and not descending else key
        columns.append(
            {
                "label": label,
                "href": "?" + urlencode({**keep, "stage": query.stage, "sort": next_sort}),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return render(
        request,
        "caseload/caseload_list.html",
        {
            "title": "My caseload" if own_only else "Caseloads",
            "page": page,
            "cq": query,
            "query": urlencode({**keep, "stage": query.stage, "sort": query.sort}),
            "stage_links": stage_links,
            "all_href": "?" + urlencode(keep),
            "total": sum(counts.values()),
            "columns": columns,
            "specialists": specialists,
            "can_refer": services.can_write(user),
        },
    )


# --------------------------------------------------------------------------------------------
# Referral


def _writable_sites(user):
    return case_sites(user).order_by("name")


def refer(request):
    user = request.user
    _require_cases(user)
    _require_writer(user)
    sites = list(_writable_sites(user))
    if not sites:
        raise Http404("Not found")
    site = next((s for s in sites if s.slug == request.GET.get("site")), sites[0])
    form = ReferralForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            episode = services.refer_service_user(actor=user, site=site, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.CaseloadPermissionError:
            form.add_error(
                "specialist",
                "You can only refer people onto your own caseload or your team's caseloads.",
            )
        else:
            messages.success(
                request, f"{episode.service_user.reference} was added to the caseload."
            )
            return redirect("caseload:person", pk=episode.service_user_id)
    return render(request, "caseload/refer.html", {"form": form, "site": site, "sites": sites})


# --------------------------------------------------------------------------------------------
# Service user page and quick forms


def _person_context(request, person, *, bound: dict | None = None, note: str = "") -> dict:
    user = request.user
    episodes, entries = selectors.timeline(user, person)
    open_episode = next((e for e in episodes if e.is_open), None)
    bound = bound or {}
    can_write = services.can_write(user)
    quick = []
    end_forms = []
    job_form = None
    if open_episode is not None and can_write:
        for kind, label in QUICK_KINDS.items():
            quick.append(
                {
                    "kind": kind,
                    "label": label,
                    "form": bound.get(kind) or QuickActivityForm(prefix=kind, kind=kind),
                    "action": reverse(
                        "caseload:log_activity", kwargs={"pk": open_episode.pk, "kind": kind}
                    ),
                }
            )
        job_form = bound.get("job") or JobStartForm(prefix="job")
        quick.append(
            {
                "kind": "other",
                "label": "Log other work (interview, benefits planning, in-work support)",
                "form": bound.get("other") or ActivityForm(prefix="other"),
                "action": reverse("caseload:log_other", kwargs={"pk": open_episode.pk}),
            }
        )
    if can_write:
        for ep in episodes:
            for job in ep.job_list:
                if job.end_date is None:
                    key = f"end{job.pk}"
                    end_forms.append(
                        {
                            "job": job,
                            "form": bound.get(key)
                            or JobEndForm(prefix=key, initial={"version": job.version}),
                            "action": reverse("caseload:job_end", kwargs={"pk": job.pk}),
                        }
                    )
    return {
        "person": person,
        "episodes": episodes,
        "open_episode": open_episode,
        "entries": entries,
        "quick": quick,
        "job_form": job_form,
        "job_action": reverse("caseload:job_start", kwargs={"pk": open_episode.pk})
        if open_episode
        else "",
        "end_forms": end_forms,
        "can_write": can_write,
        "is_admin": scope_for(user).has_role(Role.ADMINISTRATOR),
        "note": note,
        "today": timezone.localdate(),
    }


def person_detail(request, pk: int):
    person = selectors.get_service_user_or_404(request.user, pk)
    return render(request, "caseload/person.html", _person_context(request, person))


def _after_quick(request, person, *, key: str, form, note: str = ""):
    """Answer a quick form: the records panel for HTMX, else the page (errors) or a redirect."""
    ok = form is None or not form.errors
    if request.htmx:
        ctx = _person_context(request, person, bound={} if ok else {key: form}, note=note)
        return render(request, "caseload/_records.html", ctx)
    if ok:
        messages.success(request, note)
        return redirect(reverse("caseload:person", kwargs={"pk": person.pk}) + "#records")
    ctx = _person_context(request, person, bound={key: form})
    return render(request, "caseload/person.html", ctx, status=400)


@require_POST
def log_activity(request, pk: int, kind: str):
    user = request.user
    episode = selectors.get_episode_or_404(user, pk)
    _require_writer(user)
    if kind not in ActivityKind.values:
        raise Http404("Not found")
    form = QuickActivityForm(request.POST, prefix=kind, kind=kind)
    note = ""
    if form.is_valid():
        try:
            activity = services.record_activity(
                actor=user, episode=episode, kind=kind, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            note = f"{activity.get_kind_display()} on {activity.date:%d/%m/%Y} recorded."
    return _after_quick(request, episode.service_user, key=kind, form=form, note=note)


@require_POST
def log_other(request, pk: int):
    user = request.user
    episode = selectors.get_episode_or_404(user, pk)
    _require_writer(user)
    form = ActivityForm(request.POST, prefix="other")
    note = ""
    if form.is_valid():
        try:
            activity = services.record_activity(actor=user, episode=episode, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            note = f"{activity.get_kind_display()} on {activity.date:%d/%m/%Y} recorded."
    return _after_quick(request, episode.service_user, key="other", form=form, note=note)


@require_POST
def job_start(request, pk: int):
    user = request.user
    episode = selectors.get_episode_or_404(user, pk)
    _require_writer(user)
    form = JobStartForm(request.POST, prefix="job")
    note = ""
    if form.is_valid():
        try:
            job = services.record_job_start(actor=user, episode=episode, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            note = f"Job start recorded: {job.job_title} at {job.employer}."
    return _after_quick(request, episode.service_user, key="job", form=form, note=note)


def _conflict(request, exc: services.ConflictError, *, back: str, status: int = 409):
    return render(request, "caseload/conflict.html", {"conflict": exc, "back": back}, status=status)


@require_POST
def job_end(request, pk: int):
    user = request.user
    job = selectors.get_job_or_404(user, pk)
    _require_writer(user)
    person = job.episode.service_user
    key = f"end{job.pk}"
    form = JobEndForm(request.POST, prefix=key)
    note = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_job_end(
                actor=user,
                job=job,
                expected_version=data["version"],
                end_date=data["end_date"],
                end_reason=data["end_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.ConflictError as exc:
            if request.htmx:
                ctx = _person_context(request, person)
                ctx["conflict"] = exc
                return render(request, "caseload/_records.html", ctx)
            return _conflict(
                request, exc, back=reverse("caseload:person", kwargs={"pk": person.pk})
            )
        else:
            note = f"The job as {job.job_title} ended on {data['end_date']:%d/%m/%Y}."
    return _after_quick(request, person, key=key, form=form, note=note)


# --------------------------------------------------------------------------------------------
# Full-page edit forms (with the concurrency conflict screen)


def _edit(request, *, form, instance, save, back: str, template_ctx: dict, done: str):
    """Shared POST handling: call `save(data)`; on conflict show what changed."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.ConflictError as exc:
            return _conflict(request, exc, back=request.path)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "caseload/edit.html", {"form": form, "back": back, **template_ctx})


def person_edit(request, pk: int):
    user = request.user
    person = selectors.get_service_user_or_404(user, pk)
    _require_writer(user)
    initial = {
        "version": person.version,
        "reference": person.reference,
        "age_band": person.age_band,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "diagnosis_group": person.diagnosis_group,
    }
    form = ServiceUserForm(request.POST or None, initial=initial)

    def save(data):
        version = data.pop("version")
        services.update_service_user(
            actor=user, service_user=person, expected_version=version, values=data
        )

    return _edit(
        request,
        form=form,
        instance=person,
        save=save,
        back=reverse("caseload:person", kwargs={"pk": person.pk}),
        template_ctx={"title": f"Change details of {person.reference}", "person": person},
        done="Details saved.",
    )


EPISODE_INITIAL = (
    "referral_date",
    "referral_source",
    "specialist",
    "team",
    "employment_status",
    "profile_started",
)


def episode_edit(request, pk: int):
    user = request.user
    episode = selectors.get_episode_or_404(user, pk)
    _require_writer(user)
    initial = {name: getattr(episode, name) for name in EPISODE_INITIAL}
    initial["version"] = episode.version
    form = EpisodeForm(request.POST or None, initial=initial, site=episode.site)

    def save(data):
        version = data.pop("version")
        services.update_episode(actor=user, episode=episode, expected_version=version, values=data)

    return _edit(
        request,
        form=form,
        instance=episode,
        save=save,
        back=reverse("caseload:person", kwargs={"pk": episode.service_user_id}),
        template_ctx={
            "title": f"Change the referral of {episode.service_user.reference} "
            f"({episode.referral_date:%-d %B %Y})",
            "person": episode.service_user,
        },
        done="Referral saved.",
    )


def discharge(request, pk: int):
    user = request.user
    episode = selectors.get_episode_or_404(user, pk)
    _require_writer(user)
    if not episode.is_open:
        raise Http404("Not found")
    form = DischargeForm(request.POST or None, initial={"version": episode.version})

    def save(data):
        services.discharge_episode(
            actor=user,
            episode=episode,
            expected_version=data["version"],
            discharge_date=data["discharge_date"],
            discharge_reason=data["discharge_reason"],
        )

    return _edit(
        request,
        form=form,
        instance=episode,
        save=save,
        back=reverse("caseload:person", kwargs={"pk": episode.service_user_id}),
        template_ctx={
            "title": f"Discharge {episode.service_user.reference} "
            f"(referred {episode.referral_date:%-d %B %Y})",
            "person": episode.service_user,
            "button": "Discharge",
        },
        done=f"{episode.service_user.reference} was discharged.",
    )


def new_episode(request, pk: int):
    user = request.user
    person = selectors.get_service_user_or_404(user, pk)
    _require_writer(user)
    form = NewEpisodeForm(request.POST or None, site=person.site)
    back = reverse("caseload:person", kwargs={"pk": person.pk})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_episode(actor=user, service_user=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.CaseloadPermissionError:
            form.add_error("specialist", "Choose a specialist whose caseload you can see.")
        else:
            messages.success(request, "New referral recorded.")
            return redirect(back)
    return render(
        request,
        "caseload/edit.html",
        {
            "form": form,
            "back": back,
            "title": f"New referral for {person.reference}",
            "person": person,
            "button": "Record the referral",
        },
    )


def job_edit(request, pk: int):
    user = request.user
    job = selectors.get_job_or_404(user, pk)
    _require_writer(user)
    names = list(JobForm.base_fields)
    initial = {n: getattr(job, n) for n in names if n != "version"}
    initial["version"] = job.version
    form = JobForm(request.POST or None, initial=initial)

    def save(data):
        version = data.pop("version")
        services.update_job(actor=user, job=job, expected_version=version, values=data)

    return _edit(
        request,
        form=form,
        instance=job,
        save=save,
        back=reverse("caseload:person", kwargs={"pk": job.episode.service_user_id}),
        template_ctx={
            "title": f"Change the job of {job.episode.service_user.reference} "
            f"({job.job_title}, {job.start_date:%-d %B %Y})",
            "person": job.episode.service_user,
        },
        done="Job saved.",
    )


def person_remove(request, pk: int):
    user = request.user
    person = selectors.get_service_user_or_404(user, pk)
    if not scope_for(user).has_role(Role.ADMINISTRATOR):
        raise Http404("Not found")
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = person.reference
        services.remove_service_user(
            actor=user, service_user=person, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{reference} and every record about them were removed.")
        return redirect("caseload:list")
    return render(
        request,
        "caseload/edit.html",
        {
            "form": form,
            "back": reverse("caseload:person", kwargs={"pk": person.pk}),
            "title": f"Remove {person.reference}",
            "person": person,
            "button": "Remove this person's records",
            "warning": True,
        },
    )


# --------------------------------------------------------------------------------------------
# Supervision and site views


def _parse_day(text: str | None) -> tuple[date | None, str]:
    """The date asked for, or None and a message saying why it was not used."""
    if not text:
        return None, ""
    try:
        return parse_day(text), ""
    except ValueError as exc:
        return None, f"{exc}. Showing the latest 4 weeks instead."


def _case_site(user, slug: str | None) -> tuple[Site, list[Site]]:
    sites = list(case_sites(user).order_by("name"))
    if not sites:
        raise Http404("Not found")
    if slug:
        site = next((s for s in sites if s.slug == slug), None)
        if site is None:
            raise Http404("Not found")
        return site, sites
    return sites[0], sites


def supervision(request):
    user = request.user
    scope = scope_for(user)
    if not scope.has_role(*SUPERVISOR_ROLES):
        raise Http404("Not found")
    site, sites = _case_site(user, request.GET.get("site"))
    today = timezone.localdate()
    until, explained = _parse_day(request.GET.get("until"))
    if until is None or until > today:
        until = today
        latest = selectors.latest_activity_date(site=site, user=user)
        if latest and latest < today - timedelta(days=28):
            until = latest
            explained += (" " if explained else "") + (
                "Nothing was recorded in the last 4 weeks, so this shows the 4 weeks up to the "
                f"latest recorded activity ({latest.day} {latest:%B %Y})."
            )
    memberships = site_specialists(site)
    if site.pk not in scope.case_site_ids and not scope.is_superuser and scope.case_team_ids:
        memberships = memberships.filter(team_id__in=scope.case_team_ids)
    specialists = [m.user for m in memberships]
    rows = selectors.supervision(user, site=site, specialists=specialists, until=until)
    weeks = [monday for monday, _ in rows[0].weeks] if rows else []
    return render(
        request,
        "caseload/supervision.html",
        {
            "site": site,
            "sites": sites,
            "rows": rows,
            "weeks": weeks,
            "until": until,
            "explained": explained,
            "limit": selectors.CASELOAD_LIMIT,
            "quiet_days": selectors.QUIET_DAYS,
            "previous": until - timedelta(weeks=4),
            "next": until + timedelta(weeks=4) if until + timedelta(weeks=4) <= today else None,
        },
    )


def site_index(request):
    user = request.user
    if not scope_for(user).has_role(
        Role.IMPLEMENTATION_MANAGER, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR
    ):
        raise Http404("Not found")
    sites = list(case_sites(user).order_by("name"))
    if len(sites) == 1:
        return redirect("caseload:site", slug=sites[0].slug)
    return render(request, "caseload/site_index.html", {"sites": sites})


def site_view(request, slug: str):
    user = request.user
    site = get_site_or_404(user, slug)
    if not case_sites(user).filter(pk=site.pk).exists():
        raise Http404("Not found")
    rows = (
        selectors.caseload(user, CaseloadQuery(site_id=site.pk))
        .order_by()
        .values("specialist_id", "stage")
        .annotate(n=Count("pk"))
    )
    staff = {m.user_id: m for m in site_specialists(site)}
    table: dict = {}
    for row in rows:
        table.setdefault(row["specialist_id"], {key: 0 for key, _ in STAGES})[row["stage"]] = row[
            "n"
        ]
    today = timezone.localdate()
    sizes = selectors.caseload_size_by_specialist(site=site, on=today, user=user)
    last_contact = selectors.last_employer_contact_by_specialist(site=site, on=today, user=user)
    lines = []
    ids = list(staff) + [k for k in table if k not in staff]
    names = {u.pk: u for u in User.objects.filter(pk__in=[i for i in ids if i])}
    for spec_id in ids:
        counts = table.get(spec_id, {key: 0 for key, _ in STAGES})
        lines.append(
            {
                "name": names[spec_id].username if spec_id in names else "Not assigned",
                "specialist_id": spec_id,
                "counts": [counts[key] for key, _ in STAGES],
                "open": sizes.get(spec_id, 0),
                "over": sizes.get(spec_id, 0) > selectors.CASELOAD_LIMIT,
                "last_contact": last_contact.get(spec_id),
            }
        )
    totals = [sum(line["counts"][i] for line in lines) for i in range(len(STAGES))]
    return render(
        request,
        "caseload/site.html",
        {
            "site": site,
            "lines": lines,
            "stages": STAGES,
            "totals": totals,
            "limit": selectors.CASELOAD_LIMIT,
            "synthetic": selectors.has_synthetic(site=site, user=user),
        },
    )
