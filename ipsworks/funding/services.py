"""Writes for the funding app. Each checks permission, writes and records an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ipsworks.audit.services import record, snapshot
from ipsworks.core.concurrency import check_seen
from ipsworks.organisation.models import Site

from .access import can_edit_site
from .models import Post, SiteFunding, Stakeholder

POST_FIELDS = [
    "role",
    "title",
    "fte",
    "funding_type",
    "funder",
    "start_date",
    "end_date",
    "recurrent",
    "successor",
    "notes",
]
STATUS_FIELDS = ["status", "at_risk", "notes"]
STAKEHOLDER_FIELDS = ["kind", "organisation", "contact_role", "engagement", "last_contact", "notes"]


def _check(actor, site: Site) -> None:
    if not can_edit_site(actor, site):
        raise PermissionDenied("You cannot change funding records for this site.")


def _apply(instance, data: dict[str, Any], fields: list[str]) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()


def _create(*, actor, instance, data: dict[str, Any], fields: list[str], event: str, what: str):
    """Check, validate, save and audit a new post or stakeholder (same transaction)."""
    _check(actor, instance.site)
    _apply(instance, data, fields)
    instance.save()
    record(
        actor=actor,
        action="create",
        event=event,
        instance=instance,
        site=instance.site,
        summary=f"{what} added: {instance}",
        after=snapshot(instance),
    )
    return instance


def _update(
    *,
    actor,
    instance,
    data: dict[str, Any],
    fields: list[str],
    event: str,
    what: str,
    seen: str | None = None,
):
    """Lock, check, validate, save and audit a change to a post or stakeholder. `seen` is the
    record's fingerprint when the editor opened it (EditConflict if it has changed since)."""
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    _check(actor, instance.site)
    check_seen(instance, seen, data)
    before = snapshot(instance)
    _apply(instance, data, fields)
    instance.save()
    record(
        actor=actor,
        action="update",
        event=event,
        instance=instance,
        site=instance.site,
        summary=f"{what} changed: {instance}",
        before=before,
        after=snapshot(instance),
    )
    return instance


@transaction.atomic
def create_post(*, actor, site: Site, data: dict[str, Any]) -> Post:
    return _create(
        actor=actor,
        instance=Post(site=site),
        data=data,
        fields=POST_FIELDS,
        event="funding.post_created",
        what="Post",
    )


@transaction.atomic
def update_post(*, actor, post: Post, data: dict[str, Any], seen: str | None = None) -> Post:
    return _update(
        actor=actor,
        instance=post,
        data=data,
        fields=POST_FIELDS,
        event="funding.post_changed",
        what="Post",
        seen=seen,
    )


@transaction.atomic
def set_site_status(
    *,
    actor,
    site: Site,
    status: str,
    at_risk: bool = False,
    notes: str = "",
    seen: str | None = None,
) -> SiteFunding:
    _check(actor, site)
    current = SiteFunding.objects.select_for_update().filter(site=site).first()
    wanted = {"status": status, "at_risk": at_risk, "notes": notes}
    check_seen(current or SiteFunding(site=site), seen, wanted)
    before = snapshot(current, STATUS_FIELDS) if current else None
    current = current or SiteFunding(site=site)
    _apply(current, {"status": status, "at_risk": at_risk, "notes": notes}, STATUS_FIELDS)
    current.save()
    record(
        actor=actor,
        action="update" if before else "create",
        event="funding.status_set",
        instance=current,
        site=site,
        summary=f"Status after the grant: {current.get_status_display()}",
        before=before,
        after=snapshot(current, STATUS_FIELDS),
    )
    return current


@transaction.atomic
def create_stakeholder(*, actor, site: Site, data: dict[str, Any]) -> Stakeholder:
    return _create(
        actor=actor,
        instance=Stakeholder(site=site),
        data=data,
        fields=STAKEHOLDER_FIELDS,
        event="funding.stakeholder_created",
        what="Stakeholder",
    )


@transaction.atomic
def update_stakeholder(
    *, actor, stakeholder: Stakeholder, data: dict[str, Any], seen: str | None = None
) -> Stakeholder:
    return _update(
        actor=actor,
        instance=stakeholder,
        data=data,
        fields=STAKEHOLDER_FIELDS,
        event="funding.stakeholder_changed",
        what="Stakeholder",
        seen=seen,
    )


__all__ = [
    "ValidationError",
    "create_post",
    "create_stakeholder",
    "set_site_status",
    "update_post",
    "update_stakeholder",
]
