"""Writes for fidelity reviews. Each function is atomic, checks permission, and audits."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import has_role
from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import record, snapshot
from ipsworks.core.concurrency import check_seen

from . import selectors
from .models import (
    ActionItem,
    ActionStatus,
    Correction,
    ItemResult,
    PrepKind,
    PrepTask,
    Review,
    ReviewerScore,
    ReviewKind,
    ReviewStatus,
    ScaleItem,
    ScaleVersion,
)
from .scale_io import iter_items, parse_scale


class ReviewError(ValueError):
    """A request the review's state or the rules do not allow; the message says why."""


# --- the scale -----------------------------------------------------------------------------


def create_scale_rows(scale_model, item_model, data: dict, *, loaded_by=None, make_current=True):
    """Create a ScaleVersion and its items from checked data. Usable from a data migration
    (pass the historical models) and from :func:`load_scale`."""
    if make_current:
        scale_model.objects.filter(is_current=True).update(is_current=False)
    scale = scale_model.objects.create(
        code=data["code"],
        version=data["version"],
        title=data["title"],
        source=data.get("source", ""),
        min_score=data.get("min_score", 1),
        max_score=data.get("max_score", 5),
        bands=data["bands"],
        definition=data,
        is_current=make_current,
        loaded_by=loaded_by,
    )
    item_model.objects.bulk_create(
        item_model(
            scale=scale,
            number=item["number"],
            section_key=section["key"],
            section_title=section["title"],
            title=item["title"],
            question=item.get("question", ""),
            anchors=item["anchors"],
            data_sources=item.get("data_sources", []),
            measure=item.get("measure"),
            needs_check=bool(item.get("check", False)),
        )
        for _, section, item in iter_items(data)
    )
    return scale


@transaction.atomic
def load_scale(
    *, actor, data: dict, make_current: bool = True, file_bytes: bytes | None = None
) -> ScaleVersion:
    """Load a checked scale version. `actor` None means the command line (an operator).
    `file_bytes`: the file as uploaded, whose SHA-256 the audit event keeps."""
    if actor is not None and not has_role(actor, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator can load a fidelity scale.")
    data = parse_scale(data)
    if ScaleVersion.objects.filter(code=data["code"], version=data["version"]).exists():
        raise ReviewError(
            f"Version {data['version']} of scale '{data['code']}' is already loaded; "
            "give the file a new version."
        )
    replaced = list(ScaleVersion.objects.filter(is_current=True)) if make_current else []
    scale = create_scale_rows(
        ScaleVersion, ScaleItem, data, loaded_by=actor, make_current=make_current
    )
    for old in replaced:
        record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            event="fidelity.scale_replaced",
            instance=old,
            summary=f"{old.code} version {old.version} no longer used for new reviews",
            before={"is_current": True},
            after={"is_current": False},
        )
    record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        event="fidelity.scale_loaded",
        instance=scale,
        summary=f"Loaded fidelity scale {scale.code} version {scale.version}",
        after=snapshot(scale, ["code", "version", "title", "is_current"])
        | ({"sha256": hashlib.sha256(file_bytes).hexdigest()} if file_bytes is not None else {}),
    )
    return scale


# --- planning ------------------------------------------------------------------------------


def _check_reviewer(user, site, kind: str, label: str) -> None:
    memberships = Membership.objects.active().filter(user=user)
    if kind == ReviewKind.INDEPENDENT:
        ok = memberships.filter(
            role__in=[Role.REVIEWER, Role.PROGRAMME_MANAGER], programme_id=site.programme_id
        ).exists()
        if not ok:
            raise ReviewError(
                f"{label}: {user.username} is not a fidelity reviewer of this programme."
            )
    else:
        ok = (
            memberships.filter(site=site).exists()
            or memberships.filter(
                role__in=[Role.REVIEWER, Role.PROGRAMME_MANAGER], programme_id=site.programme_id
            ).exists()
        )
        if not ok:
            raise ReviewError(f"{label}: {user.username} does not work at {site.name}.")


@transaction.atomic
def plan_review(
    *,
    actor,
    site,
    kind: str,
    reviewer_1,
    reviewer_2,
    visit_start: date,
    visit_end: date,
    period_start: date,
    period_end: date,
    documents_requested: str = "",
    interview_schedule: str = "",
    scale: ScaleVersion | None = None,
) -> Review:
    if not selectors.can_plan(actor, site):
        raise PermissionDenied("You cannot plan a review for this site.")
    scale = scale or selectors.current_scale() or ensure_default_scale()
    if reviewer_1 == reviewer_2:
        raise ReviewError("Choose two different reviewers.")
    if visit_end < visit_start:
        raise ReviewError("The visit cannot end before it starts.")
    if period_end < period_start:
        raise ReviewError("The records period cannot end before it starts.")
    _check_reviewer(reviewer_1, site, kind, "First reviewer")
    _check_reviewer(reviewer_2, site, kind, "Second reviewer")
    review = Review.objects.create(
        site=site,
        scale=scale,
        kind=kind,
        reviewer_1=reviewer_1,
        reviewer_2=reviewer_2,
        visit_start=visit_start,
        visit_end=visit_end,
        period_start=period_start,
        period_end=period_end,
        documents_requested=documents_requested,
        interview_schedule=interview_schedule,
        created_by=actor,
    )
    tasks = [
        PrepTask(review=review, kind=PrepKind.DOCUMENT, description=line.strip()[:300])
        for line in documents_requested.splitlines()
        if line.strip()
    ] + [
        PrepTask(review=review, kind=PrepKind.INTERVIEW, description=line.strip()[:300])
        for line in interview_schedule.splitlines()
        if line.strip()
    ]
    PrepTask.objects.bulk_create(tasks)
    _, _, suggested = _store_evidence(review)
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="fidelity.review_planned",
        instance=review,
        site=site,
        summary=f"Planned {review}",
        after=snapshot(review) | {"suggested_scores": suggested},
    )
    return review


def _require_full(actor, review: Review) -> None:
    if selectors.review_access(actor, review) != selectors.FULL:
        raise PermissionDenied("You cannot change this review.")


def _require_open(review: Review) -> None:
    if review.is_finalised:
        raise ReviewError("This review is finalised and read-only; record a correction instead.")


def _require_assigned(actor, review: Review) -> None:
    if not selectors.is_assigned(actor, review):
        raise PermissionDenied("Only the review's two reviewers can do this.")


@transaction.atomic
def add_prep_task(
    *, actor, review: Review, kind: str, description: str, scheduled_for: datetime | None = None
) -> PrepTask:
    _require_full(actor, review)
    _require_open(review)
    if not description.strip():
        raise ReviewError("Describe the document or interview.")
    task = PrepTask.objects.create(
        review=review, kind=kind, description=description.strip()[:300], scheduled_for=scheduled_for
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="fidelity.prep_added",
        instance=task,
        site=review.site,
        summary=f"Checklist: {task.description}",
        after=snapshot(task),
    )
    return task


@transaction.atomic
def set_prep_done(*, actor, task: PrepTask, done: bool) -> PrepTask:
    _require_full(actor, task.review)
    _require_open(task.review)
    before = snapshot(task)
    task.done = done
    task.save(update_fields=["done"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="fidelity.prep_updated",
        instance=task,
        site=task.review.site,
        summary=f"Checklist {'done' if done else 'reopened'}: {task.description}",
        before=before,
        after=snapshot(task),
    )
    return task


# --- scoring -------------------------------------------------------------------------------


def _item(review: Review, number: int) -> ScaleItem:
    try:
        return review.scale.items.get(number=number)
    except ScaleItem.DoesNotExist:
        raise ReviewError(f"There is no item {number} on this review's scale.") from None


def _check_score(score: int, review: Review) -> None:
    low, high = review.scale.min_score, review.scale.max_score
    if not isinstance(score, int) or not low <= score <= high:
        raise ReviewError(f"A score must be a whole number from {low} to {high}.")


@transaction.atomic
def record_score(
    *, actor, review: Review, item_number: int, score: int, rationale: str = ""
) -> ReviewerScore:
    """The actor's own score for one item (each reviewer scores independently)."""
    _require_assigned(actor, review)
    _require_open(review)
    _check_score(score, review)
    item = _item(review, item_number)
    existing = ReviewerScore.objects.filter(review=review, item=item, reviewer=actor).first()
    if existing and (existing.score, existing.rationale) == (score, rationale):
        return existing  # nothing changed: nothing to write or audit
    before = snapshot(existing) if existing else None
    obj, _ = ReviewerScore.objects.update_or_create(
        review=review, item=item, reviewer=actor, defaults={"score": score, "rationale": rationale}
    )
    if review.status == ReviewStatus.PLANNED:
        review.status = ReviewStatus.SCORING
        review.save(update_fields=["status"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        event="fidelity.score_recorded",
        instance=obj,
        site=review.site,
        summary=f"Item {item.number} scored {score} by {actor.username}",
        before=before,
        after=snapshot(obj),
    )
    return obj


@transaction.atomic
def import_scores(
    *, actor, review: Review, rows, filename: str = "", data: bytes | None = None
) -> int:
    """Record a whole score sheet (rows already checked by sheets.read_sheet), all or nothing.
    Scores already as in the sheet are left alone, so importing the same sheet again changes
    nothing. One audit event names the file (and its SHA-256) besides each score changed.
    Returns the number of scores changed."""
    _require_assigned(actor, review)
    _require_open(review)
    changed = 0
    for row in rows:
        existing = ReviewerScore.objects.filter(
            review=review, item__number=row.item, reviewer=actor
        ).first()
        if existing and (existing.score, existing.rationale) == (row.score, row.rationale):
            continue
        record_score(
            actor=actor,
            review=review,
            item_number=row.item,
            score=row.score,
            rationale=row.rationale,
        )
        changed += 1
    digest = hashlib.sha256(data).hexdigest() if data is not None else ""
    record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        event="fidelity.sheet_imported",
        instance=review,
        site=review.site,
        summary=(
            f"Score sheet {filename or '(no name)'} imported by {actor.username}: "
            f"{changed} scores changed, {len(rows) - changed} unchanged"
        ),
        after={"file": filename, "sha256": digest, "changed": changed, "rows": len(rows)},
    )
    return changed


@transaction.atomic
def record_consensus(
    *, actor, review: Review, item_number: int, agreed_score: int, reason: str = ""
) -> ItemResult:
    """The agreed score for an item. A reason is needed when the reviewers disagreed or the
    agreed score differs from either reviewer's or from the records' suggestion."""
    _require_assigned(actor, review)
    _require_open(review)
    _check_score(agreed_score, review)
    item = _item(review, item_number)
    scores = list(
        ReviewerScore.objects.filter(review=review, item=item).values_list("score", flat=True)
    )
    if len(scores) < 2:
        raise ReviewError(f"Item {item.number}: both reviewers must score it before agreeing.")
    result = ItemResult.objects.filter(review=review, item=item).first()
    suggested = result.suggested_score if result else None
    needs_reason = len(set(scores)) > 1 or agreed_score not in scores
    needs_reason = needs_reason or (suggested is not None and suggested != agreed_score)
    if needs_reason and not reason.strip():
        raise ReviewError(
            f"Item {item.number}: say why {agreed_score} was agreed (the reviewers' scores or the "
            "records' suggestion differ)."
        )
    before = snapshot(result) if result else None
    if result is None:
        result = ItemResult(review=review, item=item)
    result.agreed_score = agreed_score
    result.reason = reason.strip()
    result.agreed_by = actor
    result.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        event="fidelity.consensus_recorded",
        instance=result,
        site=review.site,
        summary=f"Item {item.number} agreed at {agreed_score}",
        before=before,
        after=snapshot(result),
    )
    return result


def _store_evidence(review: Review) -> tuple[int, dict, dict]:
    """Store each measured item's suggested score and figures. Returns (items measured,
    suggested scores before, after) for the items whose suggestion changed."""
    from .evidence import evidence_for_review

    count = 0
    before: dict[str, int | None] = {}
    after: dict[str, int | None] = {}
    for number, ev in evidence_for_review(review).items():
        item = _item(review, number)
        result, _ = ItemResult.objects.get_or_create(review=review, item=item)
        if result.suggested_score != ev.suggested:
            before[f"item {number}"] = result.suggested_score
            after[f"item {number}"] = ev.suggested
        result.suggested_score = ev.suggested
        result.evidence = ev.as_dict()
        result.save(update_fields=["suggested_score", "evidence", "updated_at"])
        count += 1
    return count, before, after


@transaction.atomic
def attach_evidence(*, actor, review: Review) -> int:
    """Compute the figures from the records and store each suggested score beside the result."""
    _require_full(actor, review)
    _require_open(review)
    count, before, after = _store_evidence(review)
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="fidelity.evidence_attached",
        instance=review,
        site=review.site,
        summary=f"Evidence from the records attached for {count} items; suggested scores "
        f"changed for {len(after)}",
        before={"suggested_scores": before},
        after={"suggested_scores": after, "items_measured": count},
    )
    return count


@transaction.atomic
def update_findings(
    *, actor, review: Review, strengths: str, recommendations: str, seen: str | None = None
) -> Review:
    """`seen`: the findings' fingerprint when the form was opened (EditConflict if the other
    reviewer saved findings since)."""
    _require_assigned(actor, review)
    _require_open(review)
    check_seen(
        Review.objects.select_for_update().get(pk=review.pk),
        seen,
        {"strengths": strengths.strip(), "recommendations": recommendations.strip()},
    )
    before = snapshot(review, ["strengths", "recommendations"])
    review.strengths = strengths.strip()
    review.recommendations = recommendations.strip()
    review.save(update_fields=["strengths", "recommendations"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="fidelity.findings_updated",
        instance=review,
        site=review.site,
        summary="Strengths and recommendations updated",
        before=before,
        after=snapshot(review, ["strengths", "recommendations"]),
    )
    return review


def _store_totals(review: Review) -> None:
    totals = selectors.review_totals(review)
    review.total = totals.total
    review.band_key = totals.band.key if totals.band else ""
    review.band_label = totals.band.label if totals.band else ""


@transaction.atomic
def finalise_review(*, actor, review: Review) -> Review:
    """Finalise only when every item has an agreed score; then the review is read-only."""
    _require_assigned(actor, review)
    _require_open(review)
    numbers = set(review.scale.items.values_list("number", flat=True))
    agreed = set(
        ItemResult.objects.filter(review=review, agreed_score__isnull=False).values_list(
            "item__number", flat=True
        )
    )
    missing = sorted(numbers - agreed)
    if missing:
        raise ReviewError(
            "The review cannot be finalised: items without an agreed score: "
            + ", ".join(str(n) for n in missing)
        )
    before = snapshot(review, ["status", "total", "band_key"])
    _store_totals(review)
    review.status = ReviewStatus.FINALISED
    review.finalised_at = timezone.now()
    review.finalised_by = actor
    review.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="fidelity.review_finalised",
        instance=review,
        site=review.site,
        summary=f"Finalised at {review.total} ({review.band_label})",
        before=before,
        after=snapshot(review, ["status", "total", "band_key"]),
    )
    return review


@transaction.atomic
def correct_score(
    *,
    actor,
    review: Review,
    item_number: int,
    new_score: int,
    reason: str,
    seen: str | None = None,
) -> Correction:
    """Change an agreed score on a finalised review: needs a reason; audited; totals redone.
    `seen`: the agreed scores as the corrector's page showed them
    (selectors.agreed_fingerprint); refused if someone corrected the review since."""
    if not (
        selectors.is_assigned(actor, review) or selectors._programme_manager_of(actor, review.site)
    ):
        raise PermissionDenied("Only the reviewers or the programme manager can correct a score.")
    if not review.is_finalised:
        raise ReviewError("Only a finalised review needs a correction; change the score directly.")
    if not reason.strip():
        raise ReviewError("Give the reason for the correction.")
    _check_score(new_score, review)
    item = _item(review, item_number)
    Review.objects.select_for_update().filter(pk=review.pk).first()  # one correction at a time
    if seen and seen != selectors.agreed_fingerprint(review):
        raise ReviewError(
            "Someone else corrected this review after you opened the page, so nothing was "
            "changed. The agreed scores shown now are the current ones: check them and record "
            "the correction again if it is still needed."
        )
    result = ItemResult.objects.get(review=review, item=item)
    if result.agreed_score == new_score:
        raise ReviewError(f"Item {item.number} is already {new_score}.")
    before = snapshot(review, ["total", "band_key"]) | {
        "item": item.number,
        "score": result.agreed_score,
    }
    correction = Correction.objects.create(
        review=review,
        item=item,
        old_score=result.agreed_score,
        new_score=new_score,
        reason=reason.strip(),
        corrected_by=actor,
    )
    result.agreed_score = new_score
    result.save(update_fields=["agreed_score", "updated_at"])
    _store_totals(review)
    review.save(update_fields=["total", "band_key", "band_label"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="fidelity.score_corrected",
        instance=review,
        site=review.site,
        summary=f"Item {item.number} corrected from {correction.old_score} to {new_score}: "
        f"{reason.strip()}",
        before=before,
        after=snapshot(review, ["total", "band_key"]) | {"item": item.number, "score": new_score},
    )
    return correction


# --- action plan ---------------------------------------------------------------------------


@transaction.atomic
def add_action(
    *, actor, review: Review, item_number: int | None, action: str, owner: str, due_date: date
) -> ActionItem:
    _require_full(actor, review)
    if not action.strip() or not owner.strip():
        raise ReviewError("Describe the action and who owns it.")
    item = _item(review, item_number) if item_number else None
    obj = ActionItem.objects.create(
        review=review, item=item, action=action.strip(), owner=owner.strip(), due_date=due_date
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="fidelity.action_added",
        instance=obj,
        site=review.site,
        summary=f"Action added: {obj.action[:100]}",
        after=snapshot(obj),
    )
    return obj


@transaction.atomic
def set_action_status(
    *, actor, action: ActionItem, status: str, on: date | None = None
) -> ActionItem:
    _require_full(actor, action.review)
    if status not in ActionStatus.values:
        raise ReviewError(f"Unknown status {status!r}.")
    before = snapshot(action)
    action.status = status
    action.completed_on = (on or timezone.localdate()) if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "completed_on"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="fidelity.action_updated",
        instance=action,
        site=action.review.site,
        summary=f"Action now {action.get_status_display()}: {action.action[:80]}",
        before=before,
        after=snapshot(action),
    )
    return action


@transaction.atomic
def ensure_default_scale() -> ScaleVersion:
    """The current scale; loads the shipped file when none is loaded (for example after a
    database flush). Recorded as done by the system."""
    current = selectors.current_scale()
    if current is not None:
        return current
    from .scale_io import DEFAULT_SCALE_FILE, read_scale_file

    data = read_scale_file(DEFAULT_SCALE_FILE)
    existing = ScaleVersion.objects.filter(code=data["code"], version=data["version"]).first()
    if existing is not None:
        existing.is_current = True
        existing.save(update_fields=["is_current"])
        record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            event="fidelity.scale_restored",
            instance=existing,
            summary=f"{existing.code} version {existing.version} used again for new reviews "
            "(no scale was current)",
            before={"is_current": False},
            after={"is_current": True},
        )
        return existing
    return load_scale(actor=None, data=data)


@transaction.atomic
def record_sheet_export(*, actor, review: Review, kind: str, fmt: str) -> None:
    """Audit a score-sheet download (`kind`: 'own' scores or 'agreed' scores)."""
    _require_full(actor, review)
    record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        event="fidelity.sheet_exported",
        instance=review,
        site=review.site,
        summary=f"Score sheet exported ({kind} scores, {fmt})",
    )
