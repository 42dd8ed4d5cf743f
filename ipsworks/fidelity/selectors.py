"""Reads for fidelity reviews, and THE access rule for them.

Who sees a site's review in full: its two assigned reviewers, a programme manager of the site's
programme and the site's implementation manager. A commissioner of the programme sees totals and
bands only. Everyone else gets "not found" (404). Sites are always narrowed through
:func:`ipsworks.accounts.scoping.visible_sites` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import scope_for, visible_sites

from .models import ActionItem, ItemResult, Review, ReviewerScore, ReviewStatus, ScaleVersion

FULL = "full"
SUMMARY = "summary"


@dataclass(frozen=True)
class AccessFacts:
    """What the fidelity access rule needs about one user, read once (two queries at most):
    the sites they may open and their active programme-manager, implementation-manager and
    commissioner memberships. Memberships that have ended do not count."""

    user_id: int | None
    superuser: bool
    visible_site_ids: frozenset[int]
    pm_programmes: frozenset[int]
    im_sites: frozenset[int]
    comm_programmes: frozenset[int]
    reviewer_programmes: frozenset[int] = frozenset()

    def can_plan(self, site) -> bool:
        """Programme managers, fidelity reviewers and the site's implementation manager."""
        if site.pk not in self.visible_site_ids:
            return False
        return (
            self.superuser
            or site.programme_id in self.pm_programmes
            or site.pk in self.im_sites
            or site.programme_id in self.reviewer_programmes
        )

    def site_access(self, site) -> str | None:
        if site.pk not in self.visible_site_ids:
            return None
        if self.superuser or site.programme_id in self.pm_programmes or site.pk in self.im_sites:
            return FULL
        if site.programme_id in self.comm_programmes:
            return SUMMARY
        return None

    def is_assigned(self, review: Review) -> bool:
        """Named as one of the review's reviewers, and still able to see its site (an active
        membership there or in its programme): someone who has left keeps no access."""
        return (
            self.user_id is not None
            and self.user_id in (review.reviewer_1_id, review.reviewer_2_id)
            and review.site_id in self.visible_site_ids
        )

    def review_access(self, review: Review) -> str | None:
        if self.user_id is None:
            return None
        if self.is_assigned(review):
            return FULL
        access = self.site_access(review.site)
        if access == SUMMARY and not review.is_finalised:
            return None
        return access


def access_facts(user) -> AccessFacts:
    scope = scope_for(user)
    if not getattr(user, "is_authenticated", False) or scope.user_id is None:
        return AccessFacts(None, False, frozenset(), frozenset(), frozenset(), frozenset())
    pm, im, comm, rev = set(), set(), set(), set()
    roles = [Role.PROGRAMME_MANAGER, Role.IMPLEMENTATION_MANAGER, Role.COMMISSIONER, Role.REVIEWER]
    for role, programme_id, site_id in (
        Membership.objects.active()
        .filter(user=user, role__in=roles)
        .values_list("role", "programme_id", "site_id")
    ):
        if role == Role.PROGRAMME_MANAGER:
            pm.add(programme_id)
        elif role == Role.IMPLEMENTATION_MANAGER and site_id is not None:
            im.add(site_id)
        elif role == Role.COMMISSIONER:
            comm.add(programme_id)
        elif role == Role.REVIEWER:
            rev.add(programme_id)
    return AccessFacts(
        user_id=user.pk,
        superuser=scope.is_superuser,
        visible_site_ids=scope.site_ids,
        pm_programmes=frozenset(pm),
        im_sites=frozenset(im),
        comm_programmes=frozenset(comm),
        reviewer_programmes=frozenset(rev),
    )


def _programme_manager_of(user, site) -> bool:
    facts = access_facts(user)
    return facts.superuser or site.programme_id in facts.pm_programmes


def site_access(user, site) -> str | None:
    """FULL, SUMMARY or None for a site's fidelity history (not counting assigned reviews)."""
    return access_facts(user).site_access(site)


def review_access(user, review: Review, facts: AccessFacts | None = None) -> str | None:
    """FULL for assigned reviewers, the programme manager and the site's implementation manager;
    SUMMARY (totals and bands of finalised reviews) for a commissioner; otherwise None.

    Pass ``facts`` (from :func:`access_facts`) when deciding for many reviews: no queries then."""
    if not user.is_authenticated:
        return None
    return (facts or access_facts(user)).review_access(review)


def get_review_or_404(user, pk: int, *, need: str = FULL) -> Review:
    try:
        review = Review.objects.select_related(
            "site__programme", "scale", "reviewer_1", "reviewer_2"
        ).get(pk=pk)
    except Review.DoesNotExist:
        raise Http404("Not found") from None
    access = review_access(user, review)
    if access is None or (need == FULL and access != FULL):
        raise Http404("Not found")
    return review


def reviews_for(user) -> QuerySet[Review]:
    """Every review the user may open at least in summary (a summary only when finalised)."""
    scope = scope_for(user)
    qs = Review.objects.select_related("site", "scale", "reviewer_1", "reviewer_2")
    if scope.is_superuser:
        return qs
    sites = visible_sites(user)
    memberships = Membership.objects.active().filter(user=user)
    pm_programmes = memberships.filter(role=Role.PROGRAMME_MANAGER).values("programme_id")
    im_sites = memberships.filter(role=Role.IMPLEMENTATION_MANAGER).values("site_id")
    comm_programmes = memberships.filter(role=Role.COMMISSIONER).values("programme_id")
    condition = (
        Q(reviewer_1=user)
        | Q(reviewer_2=user)
        | Q(site__in=sites, site__programme_id__in=pm_programmes)
        | Q(site__in=sites, site_id__in=im_sites)
        | Q(site__in=sites, site__programme_id__in=comm_programmes, status=ReviewStatus.FINALISED)
    )
    return qs.filter(condition)


def can_plan(user, site) -> bool:
    """Programme managers, fidelity reviewers and the site's implementation manager."""
    return access_facts(user).can_plan(site)


def plannable_sites(user):
    facts = access_facts(user)
    return [s for s in visible_sites(user) if facts.can_plan(s)]


def is_assigned(user, review: Review) -> bool:
    """See :meth:`AccessFacts.is_assigned` (the same rule, from the user's cached scope alone,
    without the role query ``access_facts`` makes: views and services ask this often)."""
    return user.pk in (review.reviewer_1_id, review.reviewer_2_id) and (
        review.site_id in scope_for(user).site_ids
    )


def current_scale() -> ScaleVersion | None:
    return ScaleVersion.objects.filter(is_current=True).first()


def items_of(review: Review):
    return list(review.scale.items.all())


def scores_by_item(review: Review) -> dict[int, dict[int, ReviewerScore]]:
    """{item id: {reviewer id: ReviewerScore}}"""
    out: dict[int, dict[int, ReviewerScore]] = {}
    for s in ReviewerScore.objects.filter(review=review):
        out.setdefault(s.item_id, {})[s.reviewer_id] = s
    return out


def results_by_item(review: Review) -> dict[int, ItemResult]:
    return {r.item_id: r for r in ItemResult.objects.filter(review=review)}


def consensus_rows(review: Review) -> list[dict]:
    """One row per item: both reviewers' scores side by side, a disagreement flag, the result."""
    scores = scores_by_item(review)
    results = results_by_item(review)
    rows = []
    for item in items_of(review):
        mine = scores.get(item.pk, {})
        first = mine.get(review.reviewer_1_id)
        second = mine.get(review.reviewer_2_id)
        result = results.get(item.pk)
        both = first is not None and second is not None
        rows.append(
            {
                "item": item,
                "first": first,
                "second": second,
                "both_scored": both,
                "disagree": both and first.score != second.score,
                "gap": abs(first.score - second.score) if both else None,
                "result": result,
                "agreed": result.agreed_score if result else None,
                "suggested": result.suggested_score if result else None,
            }
        )
    return rows


def progress(review: Review) -> dict:
    n = review.scale.items.count()
    counts = {
        r: ReviewerScore.objects.filter(review=review, reviewer_id=r).count()
        for r in (review.reviewer_1_id, review.reviewer_2_id)
    }
    agreed = ItemResult.objects.filter(review=review, agreed_score__isnull=False).count()
    return {
        "items": n,
        "first": counts[review.reviewer_1_id],
        "second": counts[review.reviewer_2_id],
        "agreed": agreed,
        "complete": agreed == n,
    }


def actions_for(review: Review) -> QuerySet[ActionItem]:
    return review.actions.select_related("item")


def site_history(site) -> QuerySet[Review]:
    return Review.objects.filter(site=site, status=ReviewStatus.FINALISED).order_by(
        "visit_start", "id"
    )


def review_totals(review: Review):
    """Total, band and section subtotals from the agreed scores (the stored total once final)."""
    from .scoring import compute_totals

    scores = {
        r.item.number: r.agreed_score
        for r in ItemResult.objects.filter(
            review=review, agreed_score__isnull=False
        ).select_related("item")
    }
    return compute_totals(scores, review.scale.sections, review.scale.bands, review.scale.max_score)


def agreed_fingerprint(review: Review) -> str:
    """The review's agreed scores as they stand (a correction made from a page showing
    other scores is refused: someone corrected the review in between)."""
    from ipsworks.core.concurrency import values_fingerprint

    pairs = ItemResult.objects.filter(review=review).order_by("item__number")
    return values_fingerprint(*pairs.values_list("item__number", "agreed_score"))
