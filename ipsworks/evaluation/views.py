"""Evaluation screens. Thin: forms in, services to write, selectors to read."""

from __future__ import annotations

import csv
import io
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ipsworks.core.concurrency import EditConflict
from ipsworks.core.spreadsheets import safe_row

from . import selectors, services
from .codebook import CodebookFileError, codebook_csv
from .counts import CountsFileError, parse_counts, to_csv
from .forms import (
    AgreementForm,
    ExcerptFilterForm,
    ExcerptForm,
    InterviewForm,
    ThemeForm,
    UploadForm,
    VisitForm,
)
from .models import Theme


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- counts (the seed's Table 2) --------------------------------------------------------------


def index(request):
    if not selectors.can_see_counts(request.user):
        raise Http404("Not found")
    table = selectors.interview_counts(request.user)
    return render(
        request,
        "evaluation/index.html",
        {"table": table, "full_access": selectors.can_see_evaluation(request.user)},
    )


def counts_csv(request):
    if not selectors.can_see_counts(request.user):
        raise Http404("Not found")
    table = selectors.interview_counts(request.user)
    response = HttpResponse(to_csv(table.as_wide_rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="interview-counts.csv"'
    return response


def check_counts(request):
    """Upload reported counts (wide CSV): flag rows that do not add up, compare with records."""
    selectors.require_evaluation(request.user)
    result = None
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = parse_counts(form.text())
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        except CountsFileError as exc:
            for problem in exc.problems:
                form.add_error("file", problem)
        else:
            table = selectors.interview_counts(request.user)
            result = {
                "rows": rows,
                "flagged": [r for r in rows if r.flagged],
                "differences": selectors.compare_with_reported(table, rows),
            }
    return render(request, "evaluation/check_counts.html", {"form": form, "result": result})


# --- visits and interviews --------------------------------------------------------------------


def visit_list(request):
    selectors.require_evaluation(request.user)
    return render(
        request,
        "evaluation/visit_list.html",
        {"visits": selectors.visits_for(request.user).order_by("site__name", "number")},
    )


def _visit_initial(visit) -> dict:
    if visit is None:
        return {}
    return {
        "site": visit.site,
        "number": visit.number,
        "date": visit.date,
        "evaluator": visit.evaluator,
        "notes": visit.notes,
    }


def visit_form(request, pk: int | None = None):
    selectors.require_evaluation(request.user)
    visit = selectors.get_visit_or_404(request.user, pk) if pk else None
    programme = visit.site.programme if visit else selectors.current_programme(request.user)
    sites = selectors.evaluation_sites(request.user).filter(programme=programme)

    def make_form(data=None):
        form = VisitForm(
            data,
            initial=_visit_initial(visit),
            sites=sites,
            programme=programme,
            seen_record=visit,
        )
        if visit:
            form.fields["site"].disabled = True
        return form

    form = make_form(request.POST or None)
    conflict_entries = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if visit:
                services.update_visit(
                    actor=request.user,
                    visit=visit,
                    number=data["number"],
                    date=data["date"],
                    evaluator=data["evaluator"],
                    notes=data["notes"],
                    seen=data["seen"],
                )
            else:
                visit = services.create_visit(
                    actor=request.user,
                    site=data["site"],
                    number=data["number"],
                    date=data["date"],
                    evaluator=data["evaluator"],
                    notes=data["notes"],
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except EditConflict:
            conflict_entries = form.entries()
            visit.refresh_from_db()
            form = make_form()
        else:
            messages.success(request, f"Saved {visit}.")
            return redirect("evaluation:visit_detail", pk=visit.pk)
    return render(
        request,
        "evaluation/visit_form.html",
        {"form": form, "visit": visit, "conflict_entries": conflict_entries},
        status=409 if conflict_entries else 200,
    )


def visit_detail(request, pk: int):
    visit = selectors.get_visit_or_404(request.user, pk)
    form = InterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            data.pop("seen")
            services.add_interview(actor=request.user, visit=visit, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Interview record added.")
            return redirect("evaluation:visit_detail", pk=visit.pk)
    return render(
        request,
        "evaluation/visit_detail.html",
        {
            "visit": visit,
            "interviews": selectors.interviews_for(request.user, visit),
            "form": form,
        },
    )


def interview_edit(request, pk: int):
    interview = selectors.get_interview_or_404(request.user, pk)

    def make_form(data=None):
        initial = {
            "format": interview.format,
            "participant_role": interview.participant_role,
            "participants": interview.participants,
            "notes": interview.notes,
        }
        return InterviewForm(data, initial=initial, seen_record=interview)

    form = make_form(request.POST or None)
    conflict_entries = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_interview(actor=request.user, interview=interview, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except EditConflict:
            conflict_entries = form.entries()
            interview.refresh_from_db()
            form = make_form()
        else:
            messages.success(request, "Interview record saved.")
            return redirect("evaluation:visit_detail", pk=interview.visit_id)
    return render(
        request,
        "evaluation/interview_form.html",
        {"form": form, "interview": interview, "conflict_entries": conflict_entries},
        status=409 if conflict_entries else 200,
    )


@require_POST
def interview_delete(request, pk: int):
    interview = selectors.get_interview_or_404(request.user, pk)
    visit_id = interview.visit_id
    services.delete_interview(actor=request.user, interview=interview)
    messages.success(request, "Interview record removed.")
    return redirect("evaluation:visit_detail", pk=visit_id)


# --- codebook ---------------------------------------------------------------------------------


def codebook(request):
    selectors.require_evaluation(request.user)
    programme = selectors.current_programme(request.user)
    upload = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if "load_default" in request.POST:
            added = services.load_default_codebook(actor=request.user, programme=programme)
            messages.success(request, f"Added {added} themes from the default codebook.")
            return redirect("evaluation:codebook")
        if upload.is_valid():
            try:
                text = upload.text()
                result = services.import_codebook(
                    actor=request.user,
                    programme=programme,
                    text=text,
                    filename=upload.cleaned_data["file"].name,
                    data=upload.raw,
                )
            except ValidationError as exc:
                upload.add_error("file", exc.messages)
            except CodebookFileError as exc:
                for problem in exc.problems:
                    upload.add_error("file", problem)
            else:
                messages.success(
                    request,
                    f"Codebook imported: {result['created']} "
                    f"theme{'' if result['created'] == 1 else 's'} added, "
                    f"{result['updated']} updated"
                    + (f" ({', '.join(result['updated_names'])})" if result["updated"] else "")
                    + f", {result['unchanged']} unchanged.",
                )
                return redirect("evaluation:codebook")
    return render(
        request,
        "evaluation/codebook.html",
        {
            "programme": programme,
            "nodes": selectors.theme_tree(request.user, programme),
            "form": upload,
        },
    )


def codebook_export(request):
    selectors.require_evaluation(request.user)
    programme = selectors.current_programme(request.user)
    text = codebook_csv(selectors.theme_tree(request.user, programme))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="codebook.csv"'
    return response


def theme_form(request, pk: int | None = None):
    selectors.require_evaluation(request.user)
    theme = selectors.get_theme_or_404(request.user, pk) if pk else None
    programme = theme.programme if theme else selectors.current_programme(request.user)

    def make_form(data=None):
        initial = {"order": 0}
        if theme:
            initial = {
                "name": theme.name,
                "parent": theme.parent,
                "description": theme.description,
                "order": theme.order,
            }
        return ThemeForm(data, initial=initial, programme=programme, theme=theme, seen_record=theme)

    form = make_form(request.POST or None)
    conflict_entries = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        seen = data.pop("seen")
        try:
            services.save_theme(
                actor=request.user,
                programme=programme,
                theme=theme,
                seen=seen if theme else None,
                **data,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except EditConflict:
            conflict_entries = form.entries()
            theme.refresh_from_db()
            form = make_form()
        else:
            messages.success(request, f"Saved the theme {form.cleaned_data['name']}.")
            return redirect("evaluation:codebook")
    return render(
        request,
        "evaluation/theme_form.html",
        {"form": form, "theme": theme, "conflict_entries": conflict_entries},
        status=409 if conflict_entries else 200,
    )


# --- excerpts ---------------------------------------------------------------------------------


def _filters(request, programme):
    form = ExcerptFilterForm(
        request.GET or None,
        sites=selectors.evaluation_sites(request.user).filter(programme=programme),
        themes=Theme.objects.filter(programme=programme),
    )
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "theme": data["theme"],
            "site": data["site"],
            "role": data["role"],
            "text": data["text"].strip(),
        }
    return form, filters


def excerpt_list(request):
    selectors.require_evaluation(request.user)
    programme = selectors.current_programme(request.user)
    form, filters = _filters(request, programme)
    excerpts = selectors.excerpts_for(request.user, programme=programme, **filters)
    return render(
        request,
        "evaluation/excerpt_list.html",
        {"form": form, "excerpts": excerpts, "query": request.GET.urlencode()},
    )


def excerpt_form(request, pk: int | None = None):
    selectors.require_evaluation(request.user)
    excerpt = selectors.get_excerpt_or_404(request.user, pk) if pk else None
    programme = excerpt.site.programme if excerpt else selectors.current_programme(request.user)

    def make_form(data=None):
        initial = {}
        if excerpt:
            initial = {
                "site": excerpt.site,
                "visit": excerpt.visit,
                "speaker_role": excerpt.speaker_role,
                "text": excerpt.text,
                "memo": excerpt.memo,
            }
        return ExcerptForm(
            data,
            initial=initial,
            sites=selectors.evaluation_sites(request.user).filter(programme=programme),
            seen_record=excerpt,
        )

    form = make_form(request.POST or None)
    conflict_entries = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        seen = data.pop("seen")
        try:
            saved = services.save_excerpt(
                actor=request.user, excerpt=excerpt, seen=seen if excerpt else None, **data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except EditConflict:
            conflict_entries = form.entries()
            excerpt.refresh_from_db()
            form = make_form()
        else:
            messages.success(request, "Excerpt saved. Now code it.")
            return redirect("evaluation:excerpt_code", pk=saved.pk)
    return render(
        request,
        "evaluation/excerpt_form.html",
        {"form": form, "excerpt": excerpt, "conflict_entries": conflict_entries},
        status=409 if conflict_entries else 200,
    )


def _shown_ids(text: str | None) -> set[int] | None:
    """The ticks the coding page showed (its hidden ``shown`` field); None from older pages."""
    if text is None:
        return None
    return set(services.parse_ids(part for part in text.split(",") if part.strip()))


def excerpt_code(request, pk: int):
    """The coder ticks themes; with HTMX each change saves and the matrix updates."""
    excerpt = selectors.get_excerpt_or_404(request.user, pk)
    programme = excerpt.site.programme
    saved = False
    error = ""
    shown: set[int] | None = None  # the ticks this page shows, after this request
    changed_elsewhere: list[str] = []
    if request.method == "POST":
        try:
            posted = set(services.parse_ids(request.POST.getlist("themes")))
            coding = services.code_excerpt_changes(
                actor=request.user,
                excerpt=excerpt,
                ticked=posted,
                shown=_shown_ids(request.POST.get("shown")),
            )
            saved, shown = True, posted
            stored = {t.id: t.name for t in coding.themes.all()}
            changed_elsewhere = sorted(
                [name for pk, name in stored.items() if pk not in posted]
                + [
                    t.name
                    for t in Theme.objects.filter(programme=programme, pk__in=posted - set(stored))
                ]
            )
        except (ValueError, ValidationError):
            error = "Some of the themes ticked are not in the codebook. Reload the page."
        if saved and not request.htmx:
            messages.success(request, "Coding saved.")
            return redirect("evaluation:excerpt_code", pk=excerpt.pk)
    coding = selectors.coding_of(excerpt, request.user)
    ticked = {t.id for t in coding.themes.all()} if coding else set()
    sites, rows = selectors.theme_site_matrix(request.user, programme)
    context = {
        "excerpt": excerpt,
        "nodes": selectors.theme_tree(request.user, programme),
        "ticked": ticked,
        "coding": coding,
        "other_coders": [c.coder for c in excerpt.codings.all() if c.coder_id != request.user.pk],
        "sites": sites,
        "rows": rows,
        "saved": saved,
        "error": error,
        "shown": ",".join(str(i) for i in sorted(ticked if shown is None else shown)),
        "changed_elsewhere": changed_elsewhere,
    }
    if request.htmx and request.method == "POST":
        return render(request, "evaluation/_coding_saved.html", context)
    return render(request, "evaluation/excerpt_code.html", context)


def matrix(request):
    selectors.require_evaluation(request.user)
    programme = selectors.current_programme(request.user)
    sites, rows = selectors.theme_site_matrix(request.user, programme)
    return render(request, "evaluation/matrix.html", {"sites": sites, "rows": rows})


def agreement(request):
    selectors.require_evaluation(request.user)
    programme = selectors.current_programme(request.user)
    coders = selectors.coders(request.user, programme)
    data = request.GET or None
    if data is None and coders.count() >= 2:
        data = {"coder_a": coders[0].pk, "coder_b": coders[1].pk}
    form = AgreementForm(data, coders=coders)
    result = None
    if data is not None and form.is_valid():
        result = selectors.agreement(
            request.user, programme, form.cleaned_data["coder_a"], form.cleaned_data["coder_b"]
        )
    return render(
        request,
        "evaluation/agreement.html",
        {"form": form, "result": result, "coders": coders},
    )


EXPORT_COLUMNS = ["theme", "top_theme", "excerpt", "site", "visit", "speaker_role", "quote", "memo"]


def _export_rows(request, programme, filters):
    nodes = selectors.theme_tree(request.user, programme)
    applied = selectors.excerpt_themes(request.user, programme)
    excerpts = list(selectors.excerpts_for(request.user, programme=programme, **filters))
    top = {}
    for node in nodes:
        if node.depth == 0:
            current = node.theme.name
        top[node.theme.id] = current
    for node in nodes:
        for e in excerpts:
            if node.theme.id in applied.get(e.pk, set()):
                yield (
                    top[node.theme.id],
                    [
                        node.path,
                        top[node.theme.id],
                        e.pk,
                        e.site.name,
                        e.visit.number if e.visit else "",
                        e.get_speaker_role_display(),
                        e.text,
                        e.memo,
                    ],
                )


def excerpt_export(request, fmt: str):
    selectors.require_evaluation(request.user)
    if fmt not in {"csv", "xlsx"}:
        raise Http404("Not found")
    programme = selectors.current_programme(request.user)
    _, filters = _filters(request, programme)
    rows = list(_export_rows(request, programme, filters))
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(safe_row(r) for _, r in rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="excerpts-by-theme.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    sheets = {}
    for top, row in rows:
        if top not in sheets:
            title = re.sub(r"[\[\]:*?/\\]", " ", top)[:31]
            sheets[top] = book.create_sheet(title=title.strip("'") or "Theme")
            sheets[top].append(EXPORT_COLUMNS)
        sheets[top].append(safe_row(row))
    if not sheets:
        book.create_sheet("No excerpts").append(["No coded excerpts match the filters."])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="excerpts-by-theme.xlsx"'
    return response
