"""Fixtures for fidelity tests: the shipped scale, two reviewers and reviews at each stage."""

from datetime import date

import pytest


@pytest.fixture
def scale(db):
    from ipsworks.fidelity.services import ensure_default_scale

    return ensure_default_scale()


@pytest.fixture
def reviewers(users, make_user):
    return users["reviewer"], make_user("reviewer", username="rev2")


@pytest.fixture
def review(scale, site_a, users, reviewers):
    from ipsworks.fidelity.services import plan_review

    return plan_review(
        actor=users["programme_manager"],
        site=site_a,
        kind="independent",
        reviewer_1=reviewers[0],
        reviewer_2=reviewers[1],
        visit_start=date(2016, 7, 11),
        visit_end=date(2016, 7, 12),
        period_start=date(2016, 1, 1),
        period_end=date(2016, 6, 30),
        documents_requested="Job descriptions\nSupervision records",
        interview_schedule="Supervisor, Monday 10:00",
    )


def score_all(review, user, scores, rationale=""):
    from ipsworks.fidelity.services import record_score

    for number, value in scores.items():
        record_score(
            actor=user, review=review, item_number=number, score=value, rationale=rationale
        )


def agree_all(review, user, scores, reason="Agreed at the consensus meeting"):
    from ipsworks.fidelity.services import record_consensus

    for number, value in scores.items():
        record_consensus(
            actor=user, review=review, item_number=number, agreed_score=value, reason=reason
        )


def spread(total, n=25):
    """Scores 1-5 for n items summing to total (25 <= total <= 125)."""
    base, extra = divmod(total, n)
    if base >= 5:
        return dict.fromkeys(range(1, n + 1), 5)
    return {i: base + (1 if i <= extra else 0) for i in range(1, n + 1)}


@pytest.fixture
def finalised_review(review, reviewers):
    from ipsworks.fidelity.models import ItemResult, ReviewerScore
    from ipsworks.fidelity.services import finalise_review

    # Written in bulk for speed: the services themselves are tested in test_review_workflow.
    scores = spread(104)
    items = {i.number: i for i in review.scale.items.all()}
    ReviewerScore.objects.bulk_create(
        ReviewerScore(review=review, item=items[n], reviewer=r, score=s)
        for n, s in scores.items()
        for r in reviewers
    )
    ItemResult.objects.filter(review=review).delete()
    ItemResult.objects.bulk_create(
        ItemResult(review=review, item=items[n], agreed_score=s, agreed_by=reviewers[0])
        for n, s in scores.items()
    )
    finalise_review(actor=reviewers[0], review=review)
    review.refresh_from_db()
    return review
