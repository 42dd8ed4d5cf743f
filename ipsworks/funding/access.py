"""Who may see and change funding records. Built on ipsworks.accounts.scoping.

- programme manager, administrator: read and change every site of their programme;
- implementation manager: read and change their own site;
- team leader, employment specialist: read their own site;
- commissioner: read funding status, posts and alerts across the programme (posts carry no
  personal data), not the stakeholder map, and change nothing;
- evaluator: read everything (sustainability is one of the evaluation's themes), change nothing;
- fidelity reviewer: nothing (funding is not part of a fidelity review).
Any site outside these rules is "not found" (404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import case_sites, has_role, scope_for, visible_sites
from ipsworks.organisation.models import Site

PROGRAMME_EDITORS = (Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
PROGRAMME_READERS = (*PROGRAMME_EDITORS, Role.COMMISSIONER, Role.EVALUATOR)
SITE_READERS = (Role.IMPLEMENTATION_MANAGER, Role.TEAM_LEADER, Role.SPECIALIST)
STAKEHOLDER_READERS = (*PROGRAMME_EDITORS, Role.EVALUATOR, *SITE_READERS)
ALL_READERS = (*PROGRAMME_READERS, *SITE_READERS)


def funding_sites(user) -> QuerySet[Site]:
    """Sites whose funding pages the user may read."""
    if has_role(user, *PROGRAMME_READERS):
        return visible_sites(user)
    if has_role(user, *SITE_READERS):
        return case_sites(user).select_related("programme")
    return Site.objects.none()


def is_programme_wide(user) -> bool:
    return has_role(user, *PROGRAMME_READERS)


def get_funding_site_or_404(user, slug: str) -> Site:
    try:
        return funding_sites(user).get(slug=slug)
    except Site.DoesNotExist:
        raise Http404("No such site") from None


def can_edit_site(user, site: Site) -> bool:
    """Programme manager/administrator of the site's programme, or the site's own IM."""
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    if scope.has_role(*PROGRAMME_EDITORS) and site.pk in scope.site_ids:
        return (
            Membership.objects.active()
            .filter(user_id=scope.user_id, role__in=PROGRAMME_EDITORS)
            .filter(programme_id=site.programme_id)
            .exists()
        )
    return (
        Membership.objects.active()
        .filter(user_id=scope.user_id, role=Role.IMPLEMENTATION_MANAGER, site=site)
        .exists()
    )


def can_see_stakeholders(user, site: Site) -> bool:
    return has_role(user, *STAKEHOLDER_READERS) and funding_sites(user).filter(pk=site.pk).exists()
