"""The one place that decides which sites and records a user may see.

Every query for case-level data goes through :func:`scoped_cases` (or the helpers built on it),
and every site page through :func:`visible_sites` / :func:`get_site_or_404`. Anything outside a
user's scope is reported as "not found" (404), so that pages never reveal what exists elsewhere.

Rules:
- employment specialist: their own caseload; their site's aggregate figures;
- team leader: the caseloads of their team (their whole site if no team is set);
- implementation manager: every record at their site;
- programme manager and administrator: every site of their programme(s);
- fidelity reviewer and evaluator: site-level aggregates of their programme; no person's record
  (their own apps add the reviews and visits assigned to them);
- commissioner: aggregate figures only, never a person's record.

Case-level models declare how they reach a site, team and specialist with a ``SCOPE`` attribute
(a :class:`ScopePaths`), so the same rule applies to every model.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from ipsworks.organisation.models import Site

from .models import Membership
from .roles import AUDIT_ROLES, CASE_ROLES, PROGRAMME_ROLES, Role


@dataclass(frozen=True)
class ScopePaths:
    """ORM paths from a case-level model to its site, team and assigned specialist."""

    site: str
    team: str | None = None
    specialist: str | None = None


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    roles: frozenset[str]
    programme_ids: frozenset[int]
    # Sites whose aggregate pages the user may open.
    site_ids: frozenset[int]
    # Case-level access: whole sites, whole teams, or own caseload.
    case_site_ids: frozenset[int]
    case_team_ids: frozenset[int]
    own_caseload_site_ids: frozenset[int]
    is_superuser: bool = False
    # Programmes where the user holds a programme-wide role (their programme pages).
    programme_wide_ids: frozenset[int] = frozenset()

    @property
    def sees_any_cases(self) -> bool:
        return bool(self.case_site_ids or self.case_team_ids or self.own_caseload_site_ids)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))


EMPTY = Scope(None, frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    cached = getattr(user, "_ipsworks_scope", None)
    if cached is not None:
        return cached

    memberships = list(Membership.objects.active().filter(user=user).select_related("site"))
    roles = {m.role for m in memberships}
    programme_ids = {m.programme_id for m in memberships}
    site_ids: set[int] = set()
    case_sites: set[int] = set()
    case_teams: set[int] = set()
    own_sites: set[int] = set()
    programme_wide = {m.programme_id for m in memberships if m.role in PROGRAMME_ROLES}
    if user.is_superuser:
        site_ids.update(Site.objects.values_list("id", flat=True))
        case_sites.update(site_ids)
    if programme_wide:
        ids = set(Site.objects.filter(programme_id__in=programme_wide).values_list("id", flat=True))
        site_ids.update(ids)
    for m in memberships:
        if m.role in {Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR}:
            case_sites.update(
                Site.objects.filter(programme_id=m.programme_id).values_list("id", flat=True)
            )
        elif m.role == Role.IMPLEMENTATION_MANAGER:
            site_ids.add(m.site_id)
            case_sites.add(m.site_id)
        elif m.role == Role.TEAM_LEADER:
            site_ids.add(m.site_id)
            if m.team_id:
                case_teams.add(m.team_id)
            else:
                case_sites.add(m.site_id)
        elif m.role == Role.SPECIALIST:
            site_ids.add(m.site_id)
            own_sites.add(m.site_id)

    scope = Scope(
        user_id=user.pk,
        roles=frozenset(roles),
        programme_ids=frozenset(programme_ids),
        site_ids=frozenset(site_ids),
        case_site_ids=frozenset(case_sites),
        case_team_ids=frozenset(case_teams),
        own_caseload_site_ids=frozenset(own_sites),
        is_superuser=user.is_superuser,
        programme_wide_ids=frozenset(programme_wide),
    )
    user._ipsworks_scope = scope
    return scope


def has_role(user, *roles: str) -> bool:
    return scope_for(user).has_role(*roles)


def primary_membership(user) -> Membership | None:
    """The membership shown in the header: the first active one, programme roles first."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_ipsworks_primary", False)
    if cached is not False:
        return cached
    order = list(Role)
    memberships = list(
        Membership.objects.active().filter(user=user).select_related("site", "team", "programme")
    )
    memberships.sort(key=lambda m: order.index(m.role) if m.role in order else 99)
    # Programme roles are broader, so show them first.
    memberships.sort(key=lambda m: m.site_id is not None)
    user._ipsworks_primary = memberships[0] if memberships else None
    return user._ipsworks_primary


def visible_sites(user) -> QuerySet[Site]:
    """Sites whose pages (aggregate figures) the user may open."""
    return Site.objects.filter(id__in=scope_for(user).site_ids).select_related("programme")


def get_site_or_404(user, slug: str) -> Site:
    try:
        return visible_sites(user).get(slug=slug)
    except Site.DoesNotExist:
        raise Http404("No such site") from None


def case_sites(user) -> QuerySet[Site]:
    """Sites where the user may read at least some individual records."""
    scope = scope_for(user)
    ids = scope.case_site_ids | scope.own_caseload_site_ids
    if scope.case_team_ids:
        from ipsworks.organisation.models import Team

        ids = ids | set(
            Team.objects.filter(id__in=scope.case_team_ids).values_list("site_id", flat=True)
        )
    return Site.objects.filter(id__in=ids)


def scoped_cases[M: Model](user, queryset: QuerySet[M], *, site: Site | None = None) -> QuerySet[M]:
    """THE site-scoping selector: `queryset` narrowed to the case-level rows `user` may see.

    The model must declare ``SCOPE = ScopePaths(...)``. Optionally narrow to one site as well.
    """
    model = queryset.model
    paths: ScopePaths | None = getattr(model, "SCOPE", None)
    if paths is None:
        raise TypeError(f"{model.__name__} has no SCOPE: it cannot be read as case-level data")
    scope = scope_for(user)
    if not scope.sees_any_cases or not (scope.roles & CASE_ROLES or scope.is_superuser):
        return queryset.none()

    condition = Q(**{f"{paths.site}__in": scope.case_site_ids}) if scope.case_site_ids else Q()
    needs_subquery = False
    if scope.case_team_ids and paths.team:
        condition |= Q(**{f"{paths.team}__in": scope.case_team_ids})
        needs_subquery = needs_subquery or "__" in paths.team
    if scope.own_caseload_site_ids and paths.specialist:
        condition |= Q(
            **{
                paths.specialist: scope.user_id,
                f"{paths.site}__in": scope.own_caseload_site_ids,
            }
        )
        needs_subquery = needs_subquery or "__" in paths.specialist
    if not condition:
        return queryset.none()
    if needs_subquery:
        # Paths through reverse relations would repeat rows; filter by primary key instead.
        allowed = model._default_manager.filter(condition).values("pk")
        queryset = queryset.filter(pk__in=allowed)
    else:
        queryset = queryset.filter(condition)
    if site is not None:
        queryset = queryset.filter(**{paths.site: site})
    return queryset


def get_case_or_404[M: Model](user, queryset: QuerySet[M], **lookup) -> M:
    try:
        return scoped_cases(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("Not found") from None


def can_read_audit(user) -> bool:
    return has_role(user, *AUDIT_ROLES)


def audit_site_ids(user) -> frozenset[int]:
    """Sites whose audit events the user may read."""
    scope = scope_for(user)
    if not can_read_audit(user):
        return frozenset()
    return scope.site_ids
