"""Fidelity pages. Thin: access through selectors, writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ipsworks.accounts.models import Membership, User
from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import get_site_or_404, has_role, visible_sites
from ipsworks.core.concurrency import EditConflict, values_fingerprint

from . import charts, selectors, services
from .evidence import default_period
from .forms import (
    ActionForm,
    ActionStatusForm,
    CorrectionForm,
    FindingsForm,
    PlanForm,
    PrepTaskForm,
    ScaleUploadForm,
    SheetUploadForm,
)
from .models import ActionItem, PrepTask, ScaleVersion
from .scale_io import ScaleError, parse_scale_text
from .sheets import SheetError, read_sheet, write_csv, write_xlsx

PROGRAMME_VIEW_ROLES = (Role.PROGRAMME_MANAGER, Role.COMMISSIONER)


def _fail(request, exc) -> None:
    messages.error(request, str(exc))


def _whole_number(raw: str) -> int:
    """A score typed into a form: a whole number, or ValueError with a message for the page."""
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"the score must be a whole number, not {raw[:20]!r}") from None


def index(request):
    reviews = list(selectors.reviews_for(request.user))
    facts = selectors.access_facts(request.user)
    rows = [{"review": r, "access": facts.review_access(r)} for r in reviews]
    return render(
        request,
        "fidelity/index.html",
        {
            "rows": rows,
            "can_plan": bool(selectors.plannable_sites(request.user)),
            "programme_view": has_role(request.user, *PROGRAMME_VIEW_ROLES),
            "is_admin": has_role(request.user, Role.ADMINISTRATOR),
        },
    )


def _people_for(sites):
    """Who may be chosen as a reviewer: the programme's reviewers and programme managers, and
    (for self-assessments) staff of the sites the planner may plan for, never other sites'."""
    programmes = {s.programme_id for s in sites}
    active = Membership.objects.active()
    ids = active.filter(
        programme_id__in=programmes, role__in=[Role.REVIEWER, Role.PROGRAMME_MANAGER]
    ).values("user_id")
    staff = active.filter(site__in=[s.pk for s in sites]).values("user_id")
    return User.objects.filter(Q(pk__in=ids) | Q(pk__in=staff), is_active=True).order_by("username")


def plan(request):
    sites = selectors.plannable_sites(request.user)
    if not sites:
        raise Http404("Not found")
    people = list(_people_for(sites))
    form = PlanForm(request.POST or None, sites=sites, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        site = next(s for s in sites if s.slug == data["site"])
        by_id = {str(u.pk): u for u in people}
        start, end = default_period(data["visit_start"])
        try:
            review = services.plan_review(
                actor=request.user,
                site=site,
                kind=data["kind"],
                reviewer_1=by_id[data["reviewer_1"]],
                reviewer_2=by_id[data["reviewer_2"]],
                visit_start=data["visit_start"],
                visit_end=data["visit_end"],
                period_start=data["period_start"] or start,
                period_end=data["period_end"] or end,
                documents_requested=data["documents_requested"],
                interview_schedule=data["interview_schedule"],
            )
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Review planned: {review}.")
            return redirect("fidelity:review", pk=review.pk)
    return render(request, "fidelity/plan.html", {"form": form})


def review_detail(request, pk: int, *, task_form: PrepTaskForm | None = None):
    review = selectors.get_review_or_404(request.user, pk, need=selectors.SUMMARY)
    access = selectors.review_access(request.user, review)
    context = {"review": review, "access": access}
    if access == selectors.FULL:
        context.update(
            progress=selectors.progress(review),
            tasks=review.prep_tasks.all(),
            task_form=task_form or PrepTaskForm(),
            assigned=selectors.is_assigned(request.user, review),
        )
    return render(request, "fidelity/review.html", context)


@require_POST
def prep_add(request, pk: int):
    review = selectors.get_review_or_404(request.user, pk)
    form = PrepTaskForm(request.POST)
    if form.is_valid():
        try:
            services.add_prep_task(actor=request.user, review=review, **form.cleaned_data)
        except (services.ReviewError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("fidelity:review", pk=review.pk)
    # The page again, with what was typed and the problems beside the fields.
    return review_detail(request, review.pk, task_form=form)


@require_POST
def prep_toggle(request, pk: int, task_id: int):
    review = selectors.get_review_or_404(request.user, pk)
    task = get_object_or_404(PrepTask, pk=task_id, review=review)
    # The button says what it does ("Mark done" sends done=1): pressing it on a page opened
    # before someone else's change repeats their change instead of undoing it.
    wanted = request.POST.get("done")
    done = (wanted == "1") if wanted in ("0", "1") else not task.done
    try:
        services.set_prep_done(actor=request.user, task=task, done=done)
    except (services.ReviewError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("fidelity:review", pk=review.pk)


def score(request, pk: int):
    """The signed-in reviewer's own scores for every item, with the anchors beside them."""
    review = selectors.get_review_or_404(request.user, pk)
    if not selectors.is_assigned(request.user, review):
        raise Http404("Not found")
    items = selectors.items_of(review)
    mine = {
        item_id: by_reviewer.get(request.user.pk)
        for item_id, by_reviewer in selectors.scores_by_item(review).items()
    }
    errors = []
    item_errors: dict[int, str] = {}
    if request.method == "POST" and not review.is_finalised:
        saved = 0
        for item in items:
            raw = request.POST.get(f"score-{item.number}", "").strip()
            rationale = _text(request.POST.get(f"rationale-{item.number}", ""))
            if not raw:
                continue
            try:
                value = _whole_number(raw)
                current = mine.get(item.pk)
                now = (current.score, current.rationale) if current else (None, "")
                if _unchanged_or_clash(request, item.number, (value, rationale), now):
                    continue
                services.record_score(
                    actor=request.user,
                    review=review,
                    item_number=item.number,
                    score=value,
                    rationale=rationale,
                )
                saved += 1
            except (ValueError, services.ReviewError) as exc:
                item_errors[item.number] = str(exc)
                errors.append(
                    {"id": f"score-{item.number}-1", "text": f"Item {item.number}: {exc}"}
                )
        if not errors:
            messages.success(request, f"{saved} scores saved.")
            return redirect("fidelity:review", pk=review.pk)
        mine = {
            item_id: by_reviewer.get(request.user.pk)
            for item_id, by_reviewer in selectors.scores_by_item(review).items()
        }
    results = selectors.results_by_item(review)
    rows = []
    for item in items:
        saved_score = mine.get(item.pk)
        if item.number in item_errors:
            # What the reviewer entered for an item that was not saved comes back as typed.
            chosen = request.POST.get(f"score-{item.number}", "").strip()
            rationale = request.POST.get(f"rationale-{item.number}", "")
        else:
            chosen = str(saved_score.score) if saved_score else ""
            rationale = saved_score.rationale if saved_score else ""
        rows.append(
            {
                "item": item,
                "mine": saved_score,
                "result": results.get(item.pk),
                "chosen": chosen,
                "rationale": rationale,
                "error": item_errors.get(item.number, ""),
                # The item as stored now: a later save writes it only if it was changed here.
                "shown": values_fingerprint(
                    saved_score.score if saved_score else None,
                    saved_score.rationale if saved_score else "",
                ),
            }
        )
    return render(
        request, "fidelity/score.html", {"review": review, "rows": rows, "errors": errors}
    )


def _text(value: str) -> str:
    """Typed text as stored: browsers send a textarea's line breaks as CR LF."""
    return value.replace("\r\n", "\n").strip()


def _unchanged_or_clash(
    request, number: int, typed: tuple, now: tuple, *, other_reviewer: bool = False
) -> bool:
    """For one row of a page that saves every row at once: True when the person left the row
    as the page showed it (nothing to write, whatever is stored now). Raises ReviewError when
    they changed it and someone else changed it too since the page was shown. Pages without
    the row's fingerprint (`shown-N`) fall back to comparing with what is stored."""
    shown = request.POST.get(f"shown-{number}")
    if shown is None:
        return False
    if values_fingerprint(*typed) == shown:
        return True
    if values_fingerprint(*now) != shown and typed != now:
        whose = "the other reviewer" if other_reviewer else "you, on another page,"
        stored = "nothing" if now[0] is None else str(now[0])
        raise services.ReviewError(
            f"{whose} changed this item since this page was opened (it is now {stored}): "
            "check it and save again if your entry should stand."
        )
    return False


def consensus(request, pk: int):
    review = selectors.get_review_or_404(request.user, pk)
    assigned = selectors.is_assigned(request.user, review)
    errors = []
    if request.method == "POST":
        if not assigned or review.is_finalised:
            raise Http404("Not found")
        for row in selectors.consensus_rows(review):
            number = row["item"].number
            raw = request.POST.get(f"agreed-{number}", "").strip()
            reason = _text(request.POST.get(f"reason-{number}", ""))
            if not raw:
                continue
            try:
                agreed = _whole_number(raw)
                now = (row["agreed"], row["result"].reason if row["result"] else "")
                if _unchanged_or_clash(request, number, (agreed, reason), now, other_reviewer=True):
                    continue
            except (ValueError, services.ReviewError) as exc:
                errors.append({"id": f"agreed-{number}", "text": f"Item {number}: {exc}"})
                continue
            if row["agreed"] == agreed and (row["result"].reason or "") == reason:
                continue
            try:
                services.record_consensus(
                    actor=request.user,
                    review=review,
                    item_number=number,
                    agreed_score=agreed,
                    reason=reason,
                )
            except (ValueError, services.ReviewError) as exc:
                errors.append({"id": f"agreed-{number}", "text": str(exc)})
        if not errors:
            messages.success(request, "Agreed scores saved.")
            return redirect("fidelity:consensus", pk=review.pk)
    rows = selectors.consensus_rows(review)
    for row in rows:
        n = row["item"].number
        row["error"] = next((e["text"] for e in errors if e["id"] == f"agreed-{n}"), "")
        # What was typed comes back only where it was not saved; elsewhere, what is stored.
        posted = request.POST if row["error"] else {}
        row["posted_agreed"] = posted.get(f"agreed-{n}", "")
        row["posted_reason"] = posted.get(f"reason-{n}", "")
        row["shown"] = values_fingerprint(
            row["agreed"], row["result"].reason if row["result"] else ""
        )
    return render(
        request,
        "fidelity/consensus.html",
        {
            "review": review,
            "rows": rows,
            "errors": errors,
            "assigned": assigned,
            "progress": selectors.progress(review),
            "disagreements": sum(1 for r in rows if r["disagree"]),
            "scores": range(review.scale.min_score, review.scale.max_score + 1),
        },
    )


@require_POST
def evidence_refresh(request, pk: int):
    review = selectors.get_review_or_404(request.user, pk)
    try:
        n = services.attach_evidence(actor=request.user, review=review)
        messages.success(request, f"Figures from the records refreshed for {n} items.")
    except (services.ReviewError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("fidelity:consensus", pk=review.pk)


@require_POST
def finalise(request, pk: int):
    review = selectors.get_review_or_404(request.user, pk)
    try:
        services.finalise_review(actor=request.user, review=review)
        messages.success(request, "The review is finalised and now read-only.")
        return redirect("fidelity:results", pk=review.pk)
    except (services.ReviewError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("fidelity:consensus", pk=review.pk)


def results(request, pk: int, *, action_form=None, correction_form=None):
    """The review's results. Also shown again, with what was typed and its problems, when the
    action or correction form (posted to their own URLs) could not be saved."""
    review = selectors.get_review_or_404(request.user, pk)
    items = selectors.items_of(review)
    findings_posted = request.method == "POST" and action_form is None and correction_form is None

    def make_findings_form(data=None):
        return FindingsForm(
            data,
            initial={"strengths": review.strengths, "recommendations": review.recommendations},
            seen_record=review,
        )

    findings_form = make_findings_form(request.POST if findings_posted else None)
    conflict_entries = None
    if findings_posted:
        if not selectors.is_assigned(request.user, review) or review.is_finalised:
            raise Http404("Not found")
        if findings_form.is_valid():
            try:
                services.update_findings(
                    actor=request.user, review=review, **findings_form.cleaned_data
                )
            except EditConflict:
                conflict_entries = findings_form.entries()
                review.refresh_from_db()
                findings_form = make_findings_form()
            else:
                messages.success(request, "Strengths and recommendations saved.")
                return redirect("fidelity:results", pk=review.pk)
    today = timezone.localdate()
    actions = [{"action": a, "overdue": a.is_overdue(today)} for a in selectors.actions_for(review)]
    return render(
        request,
        "fidelity/results.html",
        {
            "review": review,
            "totals": selectors.review_totals(review),
            "rows": selectors.consensus_rows(review),
            "findings_form": findings_form,
            "action_form": action_form or ActionForm(items=items),
            "correction_form": correction_form
            or CorrectionForm(items=items, initial={"seen": selectors.agreed_fingerprint(review)}),
            "actions": actions,
            "overdue": sum(1 for a in actions if a["overdue"]),
            "status_choices": ActionStatusForm.base_fields["status"].choices,
            "assigned": selectors.is_assigned(request.user, review),
            "corrections": review.corrections.select_related("item", "corrected_by"),
            "conflict_entries": conflict_entries,
        },
        status=409 if conflict_entries else 200,
    )


@require_POST
def correct(request, pk: int):
    review = selectors.get_review_or_404(request.user, pk)
    items = selectors.items_of(review)
    form = CorrectionForm(request.POST, items=items)
    if form.is_valid():
        try:
            services.correct_score(
                actor=request.user,
                review=review,
                item_number=form.cleaned_data["item"],
                new_score=form.cleaned_data["new_score"],
                reason=form.cleaned_data["reason"],
                seen=form.cleaned_data["seen"] or None,
            )
        except (services.ReviewError, PermissionDenied) as exc:
            # Shown again with the scores as they now are: saving again means "still needed".
            data = request.POST.copy()
            data["seen"] = selectors.agreed_fingerprint(review)
            form = CorrectionForm(data, items=items)
            form.is_valid()
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Correction recorded.")
            return redirect("fidelity:results", pk=review.pk)
    return results(request, review.pk, correction_form=form)


@require_POST
def action_add(request, pk: int):
    review = selectors.get_review_or_404(request.user, pk)
    form = ActionForm(request.POST, items=selectors.items_of(review))
    if form.is_valid():
        try:
            services.add_action(
                actor=request.user,
                review=review,
                item_number=form.cleaned_data["item"],
                action=form.cleaned_data["action"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
            )
        except (services.ReviewError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Action added to the plan.")
            return redirect("fidelity:results", pk=review.pk)
    return results(request, review.pk, action_form=form)


@require_POST
def action_status(request, pk: int, action_id: int):
    review = selectors.get_review_or_404(request.user, pk)
    action = get_object_or_404(ActionItem, pk=action_id, review=review)
    form = ActionStatusForm(request.POST)
    shown = request.POST.get("shown_status")
    if form.is_valid() and shown is not None and shown != action.status:
        # Someone changed it after this page was shown: say so rather than undo their change.
        messages.error(
            request,
            f"Nothing changed: someone else set this action to “{action.get_status_display()}” "
            "after you opened the page. Check it and update it again if needed.",
        )
    elif form.is_valid():
        services.set_action_status(
            actor=request.user, action=action, status=form.cleaned_data["status"]
        )
        messages.success(request, "Action status updated.")
    return redirect("fidelity:results", pk=review.pk)


def report(request, pk: int):
    review = selectors.get_review_or_404(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "fidelity/report.html",
        {
            "review": review,
            "totals": selectors.review_totals(review),
            "rows": selectors.consensus_rows(review),
            "actions": [
                {"action": a, "overdue": a.is_overdue(today)} for a in selectors.actions_for(review)
            ],
        },
    )


def sheet_export(request, pk: int):
    """The signed-in reviewer's own scores (or, for others, the agreed scores) as a sheet."""
    review = selectors.get_review_or_404(request.user, pk)
    items = selectors.items_of(review)
    if selectors.is_assigned(request.user, review) and not review.is_finalised:
        scores = selectors.scores_by_item(review)
        rows = []
        for item in items:
            mine = scores.get(item.pk, {}).get(request.user.pk)
            rows.append((item.number, mine.score if mine else None, mine.rationale if mine else ""))
    else:
        results = selectors.results_by_item(review)
        rows = [
            (
                i.number,
                getattr(results.get(i.pk), "agreed_score", None),
                getattr(results.get(i.pk), "reason", ""),
            )
            for i in items
        ]
    name = f"fidelity-{review.site.slug}-{review.visit_start:%Y-%m-%d}"
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    own = selectors.is_assigned(request.user, review) and not review.is_finalised
    services.record_sheet_export(
        actor=request.user, review=review, kind="own" if own else "agreed", fmt=fmt
    )
    if fmt == "xlsx":
        body = write_xlsx(rows, {i.number: i.title for i in items})
        response = HttpResponse(
            body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = HttpResponse(write_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def sheet_import(request, pk: int):
    review = selectors.get_review_or_404(request.user, pk)
    if not selectors.is_assigned(request.user, review) or review.is_finalised:
        raise Http404("Not found")
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["sheet"]
        numbers = [i.number for i in selectors.items_of(review)]
        scale = review.scale
        data = upload.read()
        try:
            rows = read_sheet(data, upload.name, numbers, scale.min_score, scale.max_score)
            changed = services.import_scores(
                actor=request.user, review=review, rows=rows, filename=upload.name, data=data
            )
        except (SheetError, services.ReviewError) as exc:
            problems = getattr(exc, "problems", [str(exc)])
            form.add_error("sheet", "The sheet was not imported: see the problems listed.")
        else:
            unchanged = len(rows) - changed
            messages.success(
                request,
                f"{upload.name}: {changed} scores changed, {unchanged} already as in the sheet.",
            )
            return redirect("fidelity:review", pk=review.pk)
    return render(
        request,
        "fidelity/sheet_import.html",
        {"review": review, "form": form, "problems": problems},
    )


def site_history(request, slug: str):
    site = get_site_or_404(request.user, slug)
    access = selectors.site_access(request.user, site)
    if access is None:
        raise Http404("Not found")
    reviews = list(selectors.site_history(site))
    chart = None
    if reviews:
        scale = reviews[-1].scale
        chart = charts.trend_chart(
            [(f"{r.visit_start:%b %Y}", r.total) for r in reviews],
            scale.bands,
            scale.max_score * scale.items.count(),
            "trend-summary",
        )
    return render(
        request,
        "fidelity/site_history.html",
        {"site": site, "reviews": reviews, "chart": chart, "access": access},
    )


def programme(request):
    if not has_role(request.user, *PROGRAMME_VIEW_ROLES):
        raise Http404("Not found")
    from .programme import programme_rows

    rows = programme_rows(visible_sites(request.user))
    max_total = max([r["max_total"] for r in rows if r["review"]] or [125])
    plotted = []
    for r in rows:
        if r["review"] and r["rate"] is not None:
            r["key"] = len(plotted) + 1
            plotted.append(
                {
                    "key": r["key"],
                    "label": r["site"].name,
                    "total": r["review"].total,
                    "rate": r["rate"],
                }
            )
    chart = charts.scatter_chart(plotted, max_total, "scatter-summary") if plotted else None
    return render(
        request, "fidelity/programme.html", {"rows": rows, "chart": chart, "plotted": plotted}
    )


def scales(request):
    is_admin = has_role(request.user, Role.ADMINISTRATOR)
    form = ScaleUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST":
        if not is_admin:
            raise Http404("Not found")
        if form.is_valid():
            try:
                raw = form.cleaned_data["scale_file"].read()
                scale = services.load_scale(
                    actor=request.user,
                    data=parse_scale_text(raw),
                    make_current=form.cleaned_data["make_current"],
                    file_bytes=raw,
                )
            except ScaleError as exc:
                problems = exc.problems
                form.add_error("scale_file", "The file was not loaded: see the problems listed.")
            except services.ReviewError as exc:
                form.add_error("scale_file", str(exc))
            else:
                messages.success(request, f"Loaded {scale}.")
                return redirect("fidelity:scale", pk=scale.pk)
    return render(
        request,
        "fidelity/scales.html",
        {
            "scales": ScaleVersion.objects.all(),
            "form": form,
            "is_admin": is_admin,
            "problems": problems,
        },
    )


def scale_detail(request, pk: int):
    scale = get_object_or_404(ScaleVersion, pk=pk)
    return render(request, "fidelity/scale.html", {"scale": scale, "items": scale.items.all()})
