"""Screens for monthly returns. Thin: permission via selectors, writes via services."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from ipsworks.accounts.scoping import get_site_or_404, scope_for
from ipsworks.core.dates import parse_month

from . import progress, selectors, services
from .forms import ReopenForm, UploadForm
from .models import ReturnImport
from .uploads import SizeLimitedUploadHandler
from .workbook import write_csv_zip, write_template, write_xlsx


def _managed_site(user, slug):
    site = get_site_or_404(user, slug)
    if not selectors.can_manage_returns(user, site):
        raise Http404("Not found")
    return site


def _month(text: str):
    try:
        return parse_month(text)
    except ValueError:
        raise Http404("No such month") from None


def _import_or_404(user, pk: int) -> ReturnImport:
    item = ReturnImport.objects.select_related("site").filter(pk=pk).first()
    if item is None or not selectors.can_manage_returns(user, item.site):
        raise Http404("Not found")
    return item


def index(request):
    sites = selectors.manageable_sites(request.user)
    if not sites:
        raise Http404("Not found")
    scope = scope_for(request.user)
    if len(sites) == 1 and not scope.has_role("programme_manager", "administrator"):
        return redirect("returns:site", slug=sites[0].slug)
    show_grid = scope.has_role("programme_manager", "administrator")
    return render(request, "returns/index.html", {"sites": sites, "show_grid": show_grid})


def grid(request):
    scope = scope_for(request.user)
    if not scope.has_role("programme_manager", "administrator"):
        raise Http404("Not found")
    months, rows = selectors.month_grid(request.user, timezone.localdate())
    sites = [site for site, _cells in rows]
    by_month = [(month, [cells[i] for _s, cells in rows]) for i, month in enumerate(months)]
    return render(
        request,
        "returns/grid.html",
        {"sites": sites, "by_month": list(reversed(by_month))},
    )


def site_returns(request, slug):
    site = _managed_site(request.user, slug)
    today = timezone.localdate()
    return render(
        request,
        "returns/site.html",
        {
            "site": site,
            "months": selectors.site_months(site, today),
            "imports": selectors.imports_for(site)[:10],
            "can_lock": selectors.can_lock_returns(request.user, site),
        },
    )


def _upload_months(site):
    today = timezone.localdate()
    months = selectors.expected_months(site, today)
    current = today.replace(day=1)
    if current not in months:
        months.append(current)
    return list(reversed(months))


@csrf_exempt  # only so that the size limit is in place before the body is read: see below
def upload(request, slug):
    """The upload page. Files over ``services.MAX_UPLOAD_BYTES`` are stopped as they arrive.
    Django reads the body when CSRF is checked, so the check is made here, after the limit is
    set up (Django's documented way of changing upload handlers)."""
    request.upload_handlers.insert(
        0, SizeLimitedUploadHandler(request, limit=services.MAX_UPLOAD_BYTES)
    )
    return _upload(request, slug)


@csrf_protect
def _upload(request, slug):
    site = _managed_site(request.user, slug)
    months = _upload_months(site)
    form = UploadForm(request.POST or None, request.FILES or None, months=months)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors.pop("files", None)
        form.add_error(
            "files",
            f"The file is over {services.MAX_UPLOAD_BYTES / 1e6:.0f} MB, more than any return "
            "needs (100,000 rows are about 10 MB): check it is the right file, or send it as a "
            ".zip of CSV files.",
        )
    elif request.method == "POST" and form.is_valid():
        month = parse_month(form.cleaned_data["month"])
        try:
            item = services.create_import(
                actor=request.user, site=site, month=month, uploads=form.cleaned_data["files"]
            )
        except ValidationError as exc:
            form.add_error("files", exc.messages[0])
        else:
            services.start_processing(item, apply=False, actor=request.user)
            return redirect("returns:import_detail", pk=item.pk)
    initial_month = request.GET.get("month")
    if initial_month and not form.is_bound:
        form.initial["month"] = initial_month
    return render(request, "returns/upload.html", {"site": site, "form": form})


def _live(item: ReturnImport) -> ReturnImport:
    """The import as it is now: recovered if its work died, with progress from its progress
    file while it is busy."""
    item = services.recover_if_stale(item)
    if item.is_busy:
        done, total, _age = progress.read(item)
        item.rows_done, item.rows_total = max(done, item.rows_done), max(total, item.rows_total)
    return item


def import_detail(request, pk):
    item = _live(_import_or_404(request.user, pk))
    report = item.report or {}
    key, words = _progress_step(item)
    return render(
        request,
        "returns/import_detail.html",
        {
            "item": item,
            "site": item.site,
            "report": report,
            "announce_key": key,
            "progress_words": words,
        },
    )


def _progress_step(item) -> tuple[str, str]:
    """(key, words) of what screen readers are told about a file's progress: its state and a
    quarter of the way at a time, so that a page polled every second speaks only on a change."""
    quarter = item.percent // 25 * 25
    return f"{item.state}-{quarter}", f"{item.get_state_display()}: {quarter}% done"


def import_progress(request, pk):
    item = _live(_import_or_404(request.user, pk))
    if not item.is_busy:
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect("returns:import_detail", pk=item.pk)
    key, words = _progress_step(item)
    # The live region (#progress-announcement, outside the polled block) is updated out of band
    # only when the step differs from the one the page last announced.
    announce = words if request.htmx and request.GET.get("announced") != key else ""
    return render(
        request,
        "returns/_progress.html",
        {"item": item, "announce_key": key, "announce": announce},
    )


@require_POST
def import_accept(request, pk):
    item = _import_or_404(request.user, pk)
    try:
        item = services.accept_import(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if item.state == ReturnImport.State.APPLIED:
            messages.success(
                request,
                f"The return for {item.month:%B %Y} was applied. "
                "You can now mark the month as submitted.",
            )
    return redirect("returns:import_detail", pk=item.pk)


@require_POST
def import_discard(request, pk):
    item = _import_or_404(request.user, pk)
    try:
        services.discard_import(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("returns:import_detail", pk=item.pk)
    messages.success(request, "The file was discarded; nothing was applied.")
    return redirect("returns:site", slug=item.site.slug)


def month_detail(request, slug, month):
    site = _managed_site(request.user, slug)
    month = _month(month)
    return render(
        request,
        "returns/month.html",
        {
            "site": site,
            "month": month,
            "record": selectors.return_for(site, month),
            "imports": selectors.imports_for(site, month),
            "can_lock": selectors.can_lock_returns(request.user, site),
            "form": ReopenForm(),
        },
    )


def _cycle_action(request, slug, month, action, **extra):
    """Run a monthly-cycle service; returns (site, month, done). A refusal is shown as an
    error message and `done` is False, so callers add a success message only when it worked."""
    site = _managed_site(request.user, slug)
    month = _month(month)
    try:
        action(actor=request.user, site=site, month=month, **extra)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return site, month, False
    except PermissionDenied:
        raise Http404("Not found") from None
    return site, month, True


@require_POST
def submit(request, slug, month):
    site, m, done = _cycle_action(request, slug, month, services.submit_month)
    if done:
        messages.success(request, f"{site.name}: the return for {m:%B %Y} is marked as submitted.")
    return redirect("returns:site", slug=site.slug)


@require_POST
def lock(request, slug, month):
    site, m, _done = _cycle_action(request, slug, month, services.lock_month)
    return redirect("returns:month", slug=site.slug, month=f"{m:%Y-%m}")


@require_POST
def reopen(request, slug, month):
    site = _managed_site(request.user, slug)
    m = _month(month)
    form = ReopenForm(request.POST)
    if form.is_valid():
        _cycle_action(
            request, slug, month, services.reopen_month, reason=form.cleaned_data["reason"]
        )
        return redirect("returns:month", slug=site.slug, month=f"{m:%Y-%m}")
    return render(
        request,
        "returns/month.html",
        {
            "site": site,
            "month": m,
            "record": selectors.return_for(site, m),
            "imports": selectors.imports_for(site, m),
            "can_lock": selectors.can_lock_returns(request.user, site),
            "form": form,
        },
        status=400,
    )


def template_download(request):
    if not selectors.manageable_sites(request.user):
        raise Http404("Not found")
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="ipsworks-monthly-return.xlsx")


def export(request, slug):
    """Download what the user may see at the site, in the return layout (audited)."""
    site = get_site_or_404(request.user, slug)
    scope = scope_for(request.user)
    if not scope.sees_any_cases:
        raise Http404("Not found")
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("Unknown format")
    month = _month(request.GET["month"]) if request.GET.get("month") else None
    caseload, jobs, count_month = selectors.export_rows(
        request.user, site, month, today=timezone.localdate()
    )
    counted = {"rows": 0}

    def tally(rows):
        for row in rows:
            counted["rows"] += 1
            yield row

    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    label = f"{month:%Y-%m}" if month else "all"
    if fmt == "xlsx":
        write_xlsx(
            handle,
            tally(caseload),
            tally(jobs),
            note=f"Exported from ipsworks: {site.name}; counts are for {count_month:%B %Y}.",
        )
        name = f"{site.slug}-{label}.xlsx"
    else:
        write_csv_zip(handle, tally(caseload), tally(jobs))
        name = f"{site.slug}-{label}-csv.zip"
    services.record_export(
        actor=request.user, site=site, month=month, file_format=fmt, rows=counted["rows"]
    )
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=Path(name).name)
