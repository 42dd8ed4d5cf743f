"""Demo fidelity reviews: three independent reviews over 100 (as in the seed), an earlier
self-assessment at Berkshire for the history chart, and a Northamptonshire self-assessment
under 100 with an open action plan. A second reviewer account, `reviewer2`, is created."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import record
from ipsworks.demo.context import DEMO_PASSWORD, DemoContext

from .evidence import evidence_for_review
from .models import (
    ActionItem,
    ActionStatus,
    ItemResult,
    PrepKind,
    PrepTask,
    Review,
    ReviewerScore,
    ReviewKind,
    ReviewStatus,
)
from .selectors import review_totals
from .services import ensure_default_scale

# site, kind, reviewers, visit start, target total
REVIEWS = [
    ("berkshire", ReviewKind.SELF, ("berkshire.im", "berkshire.tl"), date(2015, 12, 7), 88),
    ("berkshire", ReviewKind.INDEPENDENT, ("reviewer", "reviewer2"), date(2016, 7, 11), 104),
    ("bradford", ReviewKind.INDEPENDENT, ("reviewer", "reviewer2"), date(2016, 7, 25), 108),
    (
        "bedfordshire-luton",
        ReviewKind.INDEPENDENT,
        ("reviewer2", "reviewer"),
        date(2017, 2, 13),
        102,
    ),
    (
        "northamptonshire",
        ReviewKind.SELF,
        ("northamptonshire.im", "northamptonshire.tl"),
        date(2017, 3, 6),
        84,
    ),
]

DOCUMENTS = [
    "Employment specialists' job descriptions",
    "Caseload list with referral dates (pseudonymous IDs only)",
    "Supervision records for the last three months",
    "Minutes of the IPS steering group",
]
INTERVIEWS = [
    "Executive lead for IPS",
    "IPS team supervisor",
    "Employment specialists (group)",
    "Clinical team leaders",
    "Service users (two or three, with consent)",
]
STRENGTHS = {
    "berkshire": "Specialists are part of the community teams and attend their meetings every "
    "week. Job search starts quickly and follows people's preferences.",
    "bradford": "Strong support from the trust's executive team, a steady flow of referrals and "
    "frequent face-to-face contact with employers.",
    "bedfordshire-luton": "A varied range of employers and job types, and benefits advice "
    "offered to everyone before they start work.",
    "northamptonshire": "Committed specialists who know their clinical teams well; people "
    "referred are seen quickly.",
}
RECOMMENDATIONS = {
    "berkshire": "Keep support in work going beyond the first months; record employer visits "
    "in the caseload records so the figures can be checked.",
    "bradford": "Share the caseload more evenly between specialists, and review outcomes with "
    "clinical team leaders every quarter.",
    "bedfordshire-luton": "Spend more scheduled time in the community and less in the office.",
    "northamptonshire": "Raise employer contacts to at least four a week per specialist, set "
    "up weekly group supervision, and agree a written referral route with each team.",
}
ACTIONS = [
    (17, "Plan four face-to-face employer visits a week for each specialist", "Team supervisor"),
    (7, "Start weekly group supervision for the specialists", "Implementation manager"),
    (4, "Agree a written referral route with each clinical team", "Clinical team leaders"),
    (10, "Put job-search stories on the team notice boards", "Employment specialists"),
]


def _scores_for(rng, n_items: int, target: int, fixed: dict[int, int]) -> list[int]:
    """Scores summing to `target`, keeping the `fixed` ones (index -> score) where possible."""
    base = min(5, max(1, target // n_items))
    scores = [fixed.get(i, base) for i in range(n_items)]
    order = [i for i in range(n_items) if i not in fixed] or list(range(n_items))
    while sum(scores) != target:
        rng.shuffle(order)
        step = 1 if sum(scores) < target else -1
        movable = [i for i in order if 1 <= scores[i] + step <= 5]
        if not movable:  # the free items are exhausted: move a fixed one after all
            order = list(range(n_items))
            continue
        scores[movable[0]] += step
    return scores


def _reviewer2(ctx: DemoContext):
    User = get_user_model()
    user = User(username="reviewer2")
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, role=Role.REVIEWER, programme=ctx.programme)
    ctx.users["reviewer2"] = user
    return user


def load(ctx: DemoContext) -> None:
    scale = ensure_default_scale()
    _reviewer2(ctx)
    items = list(scale.items.order_by("number"))
    rng = ctx.rng("fidelity")
    today = timezone.localdate()
    for slug, kind, (first, second), visit, target in REVIEWS:
        site = ctx.sites[slug]
        r1, r2 = ctx.users[first], ctx.users[second]
        finalised_at = timezone.make_aware(datetime.combine(visit + timedelta(days=24), time(16)))
        review = Review.objects.create(
            site=site,
            scale=scale,
            kind=kind,
            status=ReviewStatus.SCORING,
            reviewer_1=r1,
            reviewer_2=r2,
            visit_start=visit,
            visit_end=visit + timedelta(days=1),
            period_start=visit - timedelta(days=182),
            period_end=visit - timedelta(days=1),
            documents_requested="\n".join(DOCUMENTS),
            interview_schedule="\n".join(INTERVIEWS),
            strengths=STRENGTHS.get(slug, ""),
            recommendations=RECOMMENDATIONS.get(slug, ""),
            created_by=ctx.users["programme.manager"],
        )
        PrepTask.objects.bulk_create(
            [
                PrepTask(review=review, kind=PrepKind.DOCUMENT, description=d, done=True)
                for d in DOCUMENTS
            ]
            + [
                PrepTask(
                    review=review,
                    kind=PrepKind.INTERVIEW,
                    description=d,
                    done=True,
                    scheduled_for=timezone.make_aware(
                        datetime.combine(visit + timedelta(days=i // 3), time(9 + 2 * (i % 3)))
                    ),
                )
                for i, d in enumerate(INTERVIEWS)
            ]
        )
        evidence = evidence_for_review(review)
        # The reviewers mostly accept what the records suggest (not always: see the reasons).
        fixed = {
            i: evidence[item.number].suggested
            for i, item in enumerate(items)
            if item.number in evidence
            and evidence[item.number].suggested is not None
            and rng.random() < 0.75
        }
        agreed = _scores_for(rng, len(items), target, fixed)
        differ = set(rng.sample(range(len(items)), 4))
        scores, results = [], []
        for index, (item, score) in enumerate(zip(items, agreed, strict=True)):
            other = score
            source = item.data_sources[0].lower() if item.data_sources else "the visit"
            if index in differ:
                other = score - 1 if score > 1 else score + 1
            scores.append(
                ReviewerScore(
                    review=review,
                    item=item,
                    reviewer=r1,
                    score=score,
                    rationale=f"Seen in: {source}.",
                )
            )
            scores.append(ReviewerScore(review=review, item=item, reviewer=r2, score=other))
            ev = evidence.get(item.number)
            suggested = ev.suggested if ev else None
            reason = ""
            if other != score:
                reason = f"Agreed {score} after discussing the interviews and records."
            elif suggested is not None and suggested != score:
                reason = f"The records suggest {suggested}; the visit showed practice fits {score}."
            results.append(
                ItemResult(
                    review=review,
                    item=item,
                    agreed_score=score,
                    reason=reason,
                    agreed_by=r1,
                    suggested_score=suggested,
                    evidence=ev.as_dict() if ev else None,
                )
            )
        ReviewerScore.objects.bulk_create(scores)
        ItemResult.objects.bulk_create(results)
        totals = review_totals(review)
        review.status = ReviewStatus.FINALISED
        review.total = totals.total
        review.band_key = totals.band.key if totals.band else ""
        review.band_label = totals.band.label if totals.band else ""
        review.finalised_at = finalised_at
        review.finalised_by = r1
        review.save()
        if slug == "northamptonshire":
            by_number = {i.number: i for i in items}
            statuses = [
                ActionStatus.DONE,
                ActionStatus.IN_PROGRESS,
                ActionStatus.OPEN,
                ActionStatus.OPEN,
            ]
            ActionItem.objects.bulk_create(
                ActionItem(
                    review=review,
                    item=by_number[number],
                    action=text,
                    owner=owner,
                    due_date=visit + timedelta(days=60 * (i + 1)),
                    status=status,
                    completed_on=visit + timedelta(days=45)
                    if status == ActionStatus.DONE
                    else None,
                )
                for i, ((number, text, owner), status) in enumerate(
                    zip(ACTIONS, statuses, strict=True)
                )
            )
            # One action due in the future as well, so the plan shows both kinds.
            ActionItem.objects.create(
                review=review,
                item=by_number[25],
                action="Agree an outreach routine with care coordinators before closing anyone",
                owner="Team supervisor",
                due_date=today + timedelta(days=90),
            )
        record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            event="fidelity.demo_review_loaded",
            instance=review,
            site=site,
            summary=f"Demo review loaded: {review} at {review.total}",
        )
    ctx.say(f"    {len(REVIEWS)} fidelity reviews, reviewer accounts reviewer and reviewer2")
