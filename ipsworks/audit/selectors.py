"""Reading the audit trail, scoped to what the user may see."""

from django.db.models import Q, QuerySet

from ipsworks.accounts.scoping import audit_site_ids, scope_for

from .models import AuditEvent


def audit_events_for(
    user, *, site=None, entity: str = "", action: str = ""
) -> QuerySet[AuditEvent]:
    """Audit events the user may read: their programme's sites, plus events with no site."""
    site_ids = audit_site_ids(user)
    if not site_ids and not scope_for(user).is_superuser:
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.filter(Q(site_id__in=site_ids) | Q(site__isnull=True))
    if site is not None:
        qs = qs.filter(site=site)
    if entity:
        qs = qs.filter(entity=entity)
    if action:
        qs = qs.filter(action=action)
    return qs.select_related("site")
