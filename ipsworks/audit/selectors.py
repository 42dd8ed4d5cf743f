"""Reading the audit trail, scoped to what the user may see."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from ipsworks.accounts.models import Membership
from ipsworks.accounts.scoping import audit_site_ids, scope_for

from .models import AuditEvent


def audit_events_for(
    user, *, site=None, entity: str = "", action: str = ""
) -> QuerySet[AuditEvent]:
    """Audit events the user may read: those of their programme's sites, and those with no site
    (sign-ins, programme settings, reference data) done by someone who belongs to one of their
    programmes. A superuser reads everything; site-less events by no one in particular (failed
    sign-ins, the system loading reference data) are theirs alone."""
    scope = scope_for(user)
    site_ids = audit_site_ids(user)
    if scope.is_superuser:
        qs = AuditEvent.objects.all()
    elif not site_ids:
        return AuditEvent.objects.none()
    else:
        by_own_people = Exists(
            Membership.objects.filter(
                user_id=OuterRef("actor_id"), programme_id__in=scope.programme_ids
            )
        )
        qs = AuditEvent.objects.filter(
            Q(site_id__in=site_ids) | (Q(site__isnull=True) & by_own_people)
        )
    if site is not None:
        qs = qs.filter(site=site)
    if entity:
        qs = qs.filter(entity=entity)
    if action:
        qs = qs.filter(action=action)
    return qs.select_related("site")
