"""Reading organisation data (programmes, sites, teams, staff)."""

from django.db.models import QuerySet

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role


def site_staff(site) -> QuerySet[Membership]:
    """Active site memberships (specialists, team leaders, the implementation manager)."""
    return (
        Membership.objects.active()
        .filter(site=site)
        .select_related("user", "team")
        .order_by("role", "user__username")
    )


def site_specialists(site) -> QuerySet[Membership]:
    return site_staff(site).filter(role=Role.SPECIALIST)
