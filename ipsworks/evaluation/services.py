"""Writes for the evaluation app: each checks access, writes and records an audit event."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import record, snapshot
from ipsworks.core.concurrency import check_seen
from ipsworks.organisation.models import Programme, Site

from .codebook import DEFAULT_CODEBOOK, CodebookFileError, parse_codebook
from .models import Coding, EvaluationVisit, Excerpt, Interview, Theme
from .selectors import evaluation_programmes, evaluation_sites


def _require_site(actor, site: Site) -> None:
    if not evaluation_sites(actor).filter(pk=site.pk).exists():
        raise PermissionDenied("You cannot record evaluation data for this site.")


def _require_programme(actor, programme: Programme) -> None:
    if not evaluation_programmes(actor).filter(pk=programme.pk).exists():
        raise PermissionDenied("You cannot change this programme's codebook.")


# --- visits and interviews --------------------------------------------------------------------


@transaction.atomic
def create_visit(
    *, actor, site: Site, number: int, date: date, evaluator=None, notes: str = ""
) -> EvaluationVisit:
    _require_site(actor, site)
    if EvaluationVisit.objects.filter(site=site, number=number).exists():
        raise ValidationError({"number": f"{site.name} already has a visit {number}."})
    visit = EvaluationVisit.objects.create(
        site=site, number=number, date=date, evaluator=evaluator, notes=notes
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="evaluation.visit.create",
        instance=visit,
        site=site,
        summary=f"Added {visit}",
        after=snapshot(visit),
    )
    return visit


@transaction.atomic
def update_visit(
    *,
    actor,
    visit: EvaluationVisit,
    number: int,
    date: date,
    evaluator=None,
    notes: str = "",
    seen: str | None = None,
) -> EvaluationVisit:
    """`seen`: the visit's fingerprint when the form was opened (EditConflict if changed)."""
    _require_site(actor, visit.site)
    check_seen(
        EvaluationVisit.objects.select_for_update().get(pk=visit.pk),
        seen,
        {"number": number, "date": date, "evaluator": evaluator, "notes": notes},
    )
    if EvaluationVisit.objects.filter(site=visit.site, number=number).exclude(pk=visit.pk).exists():
        raise ValidationError({"number": f"{visit.site.name} already has a visit {number}."})
    before = snapshot(visit)
    visit.number, visit.date, visit.evaluator, visit.notes = number, date, evaluator, notes
    visit.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="evaluation.visit.update",
        instance=visit,
        site=visit.site,
        summary=f"Changed {visit}",
        before=before,
        after=snapshot(visit),
    )
    return visit


@transaction.atomic
def add_interview(
    *,
    actor,
    visit: EvaluationVisit,
    format: str,
    participant_role: str,
    participants: int,
    notes: str = "",
) -> Interview:
    _require_site(actor, visit.site)
    interview = Interview(
        visit=visit,
        format=format,
        participant_role=participant_role,
        participants=participants,
        notes=notes,
    )
    interview.full_clean()
    interview.save()
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="evaluation.interview.create",
        instance=interview,
        site=visit.site,
        summary=f"Added to {visit}: {interview}",
        after=snapshot(interview),
    )
    return interview


@transaction.atomic
def update_interview(
    *,
    actor,
    interview: Interview,
    format: str,
    participant_role: str,
    participants: int,
    notes: str = "",
    seen: str | None = None,
) -> Interview:
    _require_site(actor, interview.visit.site)
    check_seen(
        Interview.objects.select_for_update().get(pk=interview.pk),
        seen,
        {
            "format": format,
            "participant_role": participant_role,
            "participants": participants,
            "notes": notes,
        },
    )
    before = snapshot(interview)
    interview.format, interview.participant_role = format, participant_role
    interview.participants, interview.notes = participants, notes
    interview.full_clean()
    interview.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="evaluation.interview.update",
        instance=interview,
        site=interview.visit.site,
        summary=f"Changed {interview.visit}: {interview}",
        before=before,
        after=snapshot(interview),
    )
    return interview


@transaction.atomic
def delete_interview(*, actor, interview: Interview) -> None:
    site = interview.visit.site
    _require_site(actor, site)
    before = snapshot(interview)
    pk, label = interview.pk, f"{interview.visit}: {interview}"
    interview.delete()
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        event="evaluation.interview.delete",
        entity="evaluation.Interview",
        entity_id=pk,
        site=site,
        summary=f"Removed from {label}",
        before=before,
    )


# --- codebook ---------------------------------------------------------------------------------


def _check_parent(theme: Theme, parent: Theme | None) -> None:
    node = parent
    while node is not None:
        if theme.pk is not None and node.pk == theme.pk:
            raise ValidationError({"parent": "A theme cannot sit under itself or a sub-theme."})
        node = node.parent


@transaction.atomic
def save_theme(
    *,
    actor,
    programme: Programme,
    theme: Theme | None = None,
    name: str,
    description: str = "",
    parent: Theme | None = None,
    order: int = 0,
    seen: str | None = None,
) -> Theme:
    _require_programme(actor, programme)
    if theme is not None:
        check_seen(
            Theme.objects.select_for_update().get(pk=theme.pk),
            seen,
            {"name": name.strip(), "description": description, "parent": parent, "order": order},
        )
    if parent is not None and parent.programme_id != programme.pk:
        raise ValidationError({"parent": "The parent theme belongs to another programme."})
    clash = Theme.objects.filter(programme=programme, name__iexact=name.strip())
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a theme called {name.strip()!r}."})
    before = snapshot(theme) if theme is not None else None
    theme = theme or Theme(programme=programme)
    _check_parent(theme, parent)
    theme.name, theme.description, theme.parent, theme.order = (
        name.strip(),
        description,
        parent,
        order,
    )
    theme.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        event="evaluation.theme.update" if before else "evaluation.theme.create",
        instance=theme,
        summary=f"Codebook theme {theme.name}",
        before=before,
        after=snapshot(theme),
    )
    return theme


@transaction.atomic
def import_codebook(
    *,
    actor,
    programme: Programme,
    text: str,
    filename: str = "",
    data: bytes | None = None,
) -> dict:
    """Add or update themes from codebook CSV (matched by name). Nothing is deleted; themes
    already as in the file are left alone, so importing the same file again changes nothing.

    Raises CodebookFileError naming every bad row; then nothing is saved. The audit event
    names the file and its SHA-256 (of `data`, the bytes uploaded, else of the text) and lists
    each theme added and each change with its before and after.
    """
    _require_programme(actor, programme)
    rows = parse_codebook(text)
    existing = {t.name.lower(): t for t in Theme.objects.filter(programme=programme)}
    in_file = {r.name.lower() for r in rows}
    problems = [
        f"row {r.line}, column parent: no theme called {r.parent!r} in the file or the codebook"
        for r in rows
        if r.parent and r.parent.lower() not in in_file and r.parent.lower() not in existing
    ]
    if problems:
        raise CodebookFileError(problems)
    before = {t.pk: (t.name, t.description, t.order, t.parent_id) for t in existing.values()}
    created = 0
    themes: dict[str, Theme] = dict(existing)
    for r in rows:
        theme = themes.get(r.name.lower())
        if theme is None:
            theme = Theme.objects.create(
                programme=programme, name=r.name, description=r.description, order=r.order
            )
            themes[r.name.lower()] = theme
            created += 1
        else:
            theme.name, theme.description, theme.order = r.name, r.description, r.order
    updated = unchanged = 0
    added_names: list[str] = []
    changes: list[dict] = []
    for r in rows:
        theme = themes[r.name.lower()]
        theme.parent = themes[r.parent.lower()] if r.parent else None
        if theme.pk not in before:
            theme.save(update_fields=["parent"])
            added_names.append(theme.name)
        elif before[theme.pk] != (theme.name, theme.description, theme.order, theme.parent_id):
            theme.save()
            updated += 1
            keys = ("name", "description", "order", "parent_id")
            was = dict(zip(keys, before[theme.pk], strict=True))
            now = {k: getattr(theme, k) for k in keys}
            changes.append(
                {"theme": theme.name, "before": {k: was[k] for k in now if was[k] != now[k]}}
                | {"after": {k: now[k] for k in now if was[k] != now[k]}}
            )
        else:
            unchanged += 1  # as in the file already: not written, not counted as a change
    # No cycles: every theme must reach the top within as many steps as there are themes.
    for theme in themes.values():
        node, steps = theme, 0
        while node.parent_id is not None:
            node = themes.get(node.parent.name.lower(), node.parent)
            steps += 1
            if steps > len(themes):
                raise CodebookFileError(
                    [f"column parent: the themes under {theme.name!r} form a loop"]
                )
    record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        event="evaluation.codebook.import",
        entity="evaluation.Theme",
        programme=programme,
        summary=(
            f"Imported codebook for {programme.name}: {created} added, {updated} updated, "
            f"{unchanged} unchanged"
        ),
        after={
            "file": filename,
            "sha256": hashlib.sha256(data if data is not None else text.encode()).hexdigest(),
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "added": added_names,
            "changes": changes,
        },
    )
    return {
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "updated_names": [change["theme"] for change in changes],
    }


@transaction.atomic
def load_default_codebook(*, actor, programme: Programme) -> int:
    """Add the default themes that are not there yet. Returns how many were added."""
    _require_programme(actor, programme)
    existing = {t.name.lower(): t for t in Theme.objects.filter(programme=programme)}
    added = 0
    for order, (name, parent, description) in enumerate(DEFAULT_CODEBOOK):
        if name.lower() in existing:
            continue
        theme = Theme.objects.create(
            programme=programme,
            name=name,
            description=description,
            parent=existing.get(parent.lower()) if parent else None,
            order=order,
        )
        existing[name.lower()] = theme
        added += 1
    if not added:
        return 0  # all there already: nothing changed, nothing to record
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="evaluation.codebook.default",
        entity="evaluation.Theme",
        programme=programme,
        summary=f"Loaded the default codebook for {programme.name}: {added} themes added",
        after={"added": added},
    )
    return added


# --- excerpts and coding ----------------------------------------------------------------------


@transaction.atomic
def save_excerpt(
    *,
    actor,
    excerpt: Excerpt | None = None,
    site: Site,
    visit: EvaluationVisit | None,
    speaker_role: str,
    text: str,
    memo: str = "",
    seen: str | None = None,
) -> Excerpt:
    _require_site(actor, site)
    if excerpt is not None:
        _require_site(actor, excerpt.site)
        check_seen(
            Excerpt.objects.select_for_update().get(pk=excerpt.pk),
            seen,
            {
                "site": site,
                "visit": visit,
                "speaker_role": speaker_role,
                "text": text.strip(),
                "memo": memo,
            },
        )
    if visit is not None and visit.site_id != site.pk:
        raise ValidationError({"visit": "The visit must be one of this site's visits."})
    before = snapshot(excerpt) if excerpt is not None else None
    excerpt = excerpt or Excerpt(created_by=actor if actor.is_authenticated else None)
    excerpt.site, excerpt.visit, excerpt.speaker_role = site, visit, speaker_role
    excerpt.text, excerpt.memo = text.strip(), memo
    excerpt.full_clean(exclude=["created_by"])
    excerpt.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        event="evaluation.excerpt.update" if before else "evaluation.excerpt.create",
        instance=excerpt,
        site=site,
        summary=f"Excerpt {excerpt.pk} at {site.name}",
        before=before,
        after=snapshot(excerpt),
    )
    return excerpt


MAX_ID = 2**63 - 1


def parse_ids(values) -> list[int]:
    """Record ids sent by a form: whole numbers in 1..2**63-1 (the database's id range), or
    ValueError. Anything else could only come from a tampered or stale page."""
    ids = []
    for value in values:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(f"{str(value)[:20]!r} is not a record id") from None
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{number} is not a record id")
        ids.append(number)
    return ids


@transaction.atomic
def code_excerpt(*, actor, excerpt: Excerpt, theme_ids: list[int]) -> Coding:
    """Record the actor's own coding of an excerpt: exactly these themes (possibly none)."""
    _require_site(actor, excerpt.site)
    in_range = {i for i in theme_ids if isinstance(i, int) and 1 <= i <= MAX_ID}
    themes = list(Theme.objects.filter(programme=excerpt.site.programme, pk__in=in_range))
    if len(themes) != len(set(theme_ids)):
        raise ValidationError(
            {"themes": "Some of the themes are not in this programme's codebook."}
        )
    coding, created = Coding.objects.get_or_create(excerpt=excerpt, coder=actor)
    before = None if created else sorted(coding.themes.values_list("id", flat=True))
    coding.themes.set(themes)
    coding.save(update_fields=["updated_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="evaluation.excerpt.code",
        instance=coding,
        site=excerpt.site,
        summary=f"Coded excerpt {excerpt.pk}: {', '.join(t.name for t in themes) or 'no theme'}",
        before={"themes": before} if before is not None else None,
        after={"themes": sorted(t.id for t in themes)},
    )
    return coding


@transaction.atomic
def code_excerpt_changes(
    *, actor, excerpt: Excerpt, ticked: set[int], shown: set[int] | None
) -> Coding:
    """Apply the ticks a coding page changed: themes ticked there since it showed `shown` are
    added, themes unticked there are removed, and anything else stays as stored (so a page
    opened earlier, in another tab, does not undo ticks made since). Without `shown` (an older
    page), the coding becomes exactly `ticked`."""
    if shown is None:
        return code_excerpt(actor=actor, excerpt=excerpt, theme_ids=sorted(ticked))
    _require_site(actor, excerpt.site)
    known = set(
        Theme.objects.filter(programme=excerpt.site.programme, pk__in=ticked | shown).values_list(
            "pk", flat=True
        )
    )
    if known != ticked | shown:
        raise ValidationError(
            {"themes": "Some of the themes are not in this programme's codebook."}
        )
    coding = Coding.objects.select_for_update().filter(excerpt=excerpt, coder=actor).first()
    stored = set(coding.themes.values_list("id", flat=True)) if coding else set()
    wanted = (stored | (ticked - shown)) - (shown - ticked)
    return code_excerpt(actor=actor, excerpt=excerpt, theme_ids=sorted(wanted))
