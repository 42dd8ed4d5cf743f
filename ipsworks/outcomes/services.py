"""Writes of the outcomes app: the programme's target settings (audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import has_role, scope_for
from ipsworks.audit.services import record, snapshot
from ipsworks.core.concurrency import check_seen

from .models import TargetSettings

EDITABLE = {
    "trajectory",
    "year1_jobs_per_specialist",
    "year2_jobs_per_specialist",
    "on_track_ratio",
    "behind_ratio",
    "no_contact_days",
}


@transaction.atomic
def update_target_settings(
    *, actor, programme, values: dict[str, Any], seen: str | None = None
) -> TargetSettings:
    """Change how the programme's sites are judged against target (programme managers and
    administrators of that programme only). `seen`: the settings' fingerprint when the form
    was opened (EditConflict if someone changed them since)."""
    scope = scope_for(actor)
    if not has_role(actor, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR) or not (
        scope.is_superuser or programme.pk in scope.programme_ids
    ):
        raise PermissionDenied("Only the programme's managers can change its target settings.")
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValueError(f"update_target_settings cannot change {sorted(unknown)}")
    settings, _ = TargetSettings.objects.select_for_update().get_or_create(programme=programme)
    check_seen(settings, seen, values)
    before = snapshot(settings)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.full_clean()
    if settings.behind_ratio > settings.on_track_ratio:
        raise ValidationError(
            {"behind_ratio": "The 'behind' threshold must not be above the 'on track' one."}
        )
    settings.save()
    record(
        actor=actor,
        action="update",
        event="outcomes.target_settings",
        instance=settings,
        summary=f"Changed target settings of {programme.name}",
        before=before,
        after=snapshot(settings),
    )
    return settings
