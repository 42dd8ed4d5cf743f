"""Writes for the funding app. Each checks permission, writes and records an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ipsworks.audit.services import record, snapshot
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


@transaction.atomic
def create_post(*, actor, site: Site, data: dict[str, Any]) -> Post:
    _check(actor, site)
    post = Post(site=site)
    _apply(post, data, POST_FIELDS)
    post.save()
    record(
        actor=actor,
        action="create",
        event="funding.post_created",
        instance=post,
        site=site,
        summary=f"Post added: {post}",
        after=snapshot(post),
    )
    return post


@transaction.atomic
def update_post(*, actor, post: Post, data: dict[str, Any]) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    _check(actor, post.site)
    before = snapshot(post)
    _apply(post, data, POST_FIELDS)
    post.save()
    record(
        actor=actor,
        action="update",
        event="funding.post_changed",
        instance=post,
        site=post.site,
        summary=f"Post changed: {post}",
        before=before,
        after=snapshot(post),
    )
    return post


@transaction.atomic
def set_site_status(
    *, actor, site: Site, status: str, at_risk: bool = False, notes: str = ""
) -> SiteFunding:
    _check(actor, site)
    current = SiteFunding.objects.select_for_update().filter(site=site).first()
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
    _check(actor, site)
    item = Stakeholder(site=site)
    _apply(item, data, STAKEHOLDER_FIELDS)
    item.save()
    record(
        actor=actor,
        action="create",
        event="funding.stakeholder_created",
        instance=item,
        site=site,
        summary=f"Stakeholder added: {item}",
        after=snapshot(item),
    )
    return item


@transaction.atomic
def update_stakeholder(*, actor, stakeholder: Stakeholder, data: dict[str, Any]) -> Stakeholder:
    item = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    _check(actor, item.site)
    before = snapshot(item)
    _apply(item, data, STAKEHOLDER_FIELDS)
    item.save()
    record(
        actor=actor,
        action="update",
        event="funding.stakeholder_changed",
        instance=item,
        site=item.site,
        summary=f"Stakeholder changed: {item}",
        before=before,
        after=snapshot(item),
    )
    return item


__all__ = [
    "ValidationError",
    "create_post",
    "create_stakeholder",
    "set_site_status",
    "update_post",
    "update_stakeholder",
]
