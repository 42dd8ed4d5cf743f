"""Reads for fidelity reviews, and THE access rule for them.

Who sees a site's review in full: its two assigned reviewers, a programme manager of the site's
programme and the site's implementation manager. A commissioner of the programme sees totals and
bands only. Everyone else gets "not found" (404). Sites are always narrowed through
:func:`ipsworks.accounts.scoping.visible_sites` first.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import has_role, scope_for, visible_sites

from .models import ActionItem, ItemResult, Review, ReviewerScore, ReviewStatus, ScaleVersion

FULL = "full"
SUMMARY = "summary"


def _holds(user, role: str, **where) -> bool:
    return Membership.objects.active().filter(user=user, role=role, **where).exists()


def _programme_manager_of(user, site) -> bool:
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    return has_role(user, Role.PROGRAMME_MANAGER) and _holds(
        user, Role.PROGRAMME_MANAGER, programme_id=site.programme_id
    )


def _implementation_manager_of(user, site) -> bool:
    return has_role(user, Role.IMPLEMENTATION_MANAGER) and _holds(
        user, Role.IMPLEMENTATION_MANAGER, site=site
    )


def _commissioner_of(user, site) -> bool:
    return has_role(user, Role.COMMISSIONER) and _holds(
        user, Role.COMMISSIONER, programme_id=site.programme_id
    )


def site_access(user, site) -> str | None:
    """FULL, SUMMARY or None for a site's fidelity history (not counting assigned reviews)."""
    if not visible_sites(user).filter(pk=site.pk).exists():
        return None
    if _programme_manager_of(user, site) or _implementation_manager_of(user, site):
        return FULL
    if _commissioner_of(user, site):
        return SUMMARY
    return None


def review_access(user, review: Review) -> str | None:
    """FULL for assigned reviewers, the programme manager and the site's implementation manager;
    SUMMARY (totals and bands of finalised reviews) for a commissioner; otherwise None."""
    if not user.is_authenticated:
        return None
    if user.pk in (review.reviewer_1_id, review.reviewer_2_id):
        return FULL
    access = site_access(user, review.site)
    if access == SUMMARY and not review.is_finalised:
        return None
    return access


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
    if not visible_sites(user).filter(pk=site.pk).exists():
        return False
    return (
        _programme_manager_of(user, site)
        or _implementation_manager_of(user, site)
        or (
            has_role(user, Role.REVIEWER)
            and _holds(user, Role.REVIEWER, programme_id=site.programme_id)
        )
    )


def plannable_sites(user):
    return [s for s in visible_sites(user) if can_plan(user, s)]


def is_assigned(user, review: Review) -> bool:
    return user.pk in (review.reviewer_1_id, review.reviewer_2_id)


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
