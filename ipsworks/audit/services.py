"""Recording audit events. Every service that writes case-level data calls :func:`record`."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .models import AuditEvent


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of a model instance's concrete field values (foreign keys as ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = field.value_from_object(instance)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def record(
    *,
    actor,
    action: str,
    event: str = "",
    instance: models.Model | None = None,
    entity: str = "",
    entity_id: Any = "",
    site=None,
    programme=None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent | None:
    """Write one audit event. Call inside the same transaction as the change it records.
    An update whose before and after are the same (a form saved unchanged, a double click)
    changed nothing and records nothing (returns None).
    The event's programme (who may read it) is `programme`, else the site's, else the
    record's own ``programme`` if it has one."""
    if instance is not None:
        entity = entity or instance._meta.label
        entity_id = entity_id or instance.pk
    if programme is not None:
        programme_id = getattr(programme, "pk", programme)
    elif site is not None:
        programme_id = site.programme_id
    else:
        programme_id = getattr(instance, "programme_id", None)
    before_json = json.loads(json.dumps(before, cls=DjangoJSONEncoder)) if before else None
    after_json = json.loads(json.dumps(after, cls=DjangoJSONEncoder)) if after else None
    if action == AuditEvent.Action.UPDATE and before_json and before_json == after_json:
        return None  # saved as it was: not a change, so not an event
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=getattr(actor, "username", "") or (str(actor) if actor else "system"),
        action=action,
        event=event,
        entity=entity,
        entity_id=str(entity_id or ""),
        site=site,
        programme_id=programme_id,
        summary=summary[:500],
        before=before_json,
        after=after_json,
    )
