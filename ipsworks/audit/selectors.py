"""Reading the audit trail, scoped to what the user may see."""

from django.db.models import Q, QuerySet

from ipsworks.accounts.scoping import audit_site_ids, scope_for

from .models import AuditEvent


def audit_events_for(
    user, *, site=None, entity: str = "", action: str = ""
) -> QuerySet[AuditEvent]:
    """Audit events the user may read: those of their programme's sites, and those with no
    site that belong to one of their programmes (its targets, codebook, teams, roles). Events
    that belong to no programme (sign-ins, accounts, reference data) are read by superusers,
    and by the person who did them."""
    scope = scope_for(user)
    site_ids = audit_site_ids(user)
    if scope.is_superuser:
        qs = AuditEvent.objects.all()
    elif not site_ids:
        return AuditEvent.objects.none()
    else:
        qs = AuditEvent.objects.filter(
            Q(site_id__in=site_ids)
            | Q(site__isnull=True, programme_id__in=scope.programme_ids)
            | Q(site__isnull=True, programme__isnull=True, actor_id=user.pk)
        )
    if site is not None:
        qs = qs.filter(site=site)
    if entity:
        qs = qs.filter(entity=entity)
    if action:
        qs = qs.filter(action=action)
    return qs.select_related("site")
