"""Each measurable item's figure maps to the right anchor at its boundaries (scale data), and the
evidence shown for a review comes from the outcomes metrics."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsworks.fidelity.evidence import evidence_for_item, evidence_for_review
from ipsworks.fidelity.scale_io import DEFAULT_SCALE_FILE, iter_items, read_scale_file
from ipsworks.fidelity.scoring import suggest_score

SCALE = read_scale_file(DEFAULT_SCALE_FILE)
MEASURES = {item["number"]: item["measure"] for _, _, item in iter_items(SCALE)}

CASES = {
    # item: [(figure, score), ...] on both sides of every boundary
    1: [(20, 5), (20.01, 4), (21, 4), (25, 4), (26, 3), (30, 3), (31, 2), (40, 2), (41, 1)],
    15: [(30, 5), (31, 4), (60, 4), (61, 3), (150, 3), (151, 2), (270, 2), (271, 1)],
    16: [(100, 5), (90, 5), (89.9, 4), (75, 4), (74.9, 3), (50, 3), (49.9, 2), (25, 2), (24.9, 1)],
    17: [(6, 5), (5.9, 4), (5, 4), (4.9, 3), (4, 3), (3.9, 2), (2, 2), (1.9, 1)],
    19: [(85, 5), (84.9, 4), (70, 4), (69.9, 3), (60, 3), (59.9, 2), (50, 2), (49.9, 1)],
    20: [(100, 5), (85, 5), (84, 4), (70, 4), (69, 3), (60, 3), (59, 2), (50, 2), (49, 1)],
    21: [(95, 5), (94.9, 4), (85, 4), (84.9, 3), (75, 3), (74.9, 2), (65, 2), (64.9, 1), (0, 1)],
    23: [(90, 5), (89, 4), (75, 4), (74, 3), (50, 3), (49, 2), (25, 2), (24, 1)],
    24: [(65, 5), (64.9, 4), (50, 4), (49.9, 3), (40, 3), (39.9, 2), (30, 2), (29.9, 1)],
}


@pytest.mark.parametrize(
    ("item", "figure", "score"),
    [(item, figure, score) for item, cases in CASES.items() for figure, score in cases],
)
def test_the_figure_maps_to_the_anchor_the_scale_data_gives(item, figure, score):
    assert suggest_score(MEASURES[item], figure, count=50).score == score


def test_competitive_jobs_with_fewer_than_ten_jobs_suggest_the_lowest_anchor():
    suggestion = suggest_score(MEASURES[21], 100, count=9)
    assert suggestion.score == 1 and "Fewer than 10" in suggestion.reason
    assert suggest_score(MEASURES[21], 100, count=10).score == 5


def test_no_figure_gives_no_suggestion():
    assert suggest_score(MEASURES[15], None).score is None


def test_an_item_with_anchors_only_above_three_leaves_lower_scores_to_the_reviewer():
    assert suggest_score(MEASURES[4], 50).score == 3
    assert suggest_score(MEASURES[4], 49).score is None


# --- evidence from the records, through outcomes.metrics -----------------------------------


@pytest.fixture
def records(site_a, users):
    """Four people referred in January 2016 with first employer contacts after 10, 20, 40 and
    70 days (median 30), and one person with no contact yet."""
    from ipsworks.caseload.models import Activity, ActivityKind, Episode, ServiceUser

    specialist = users["specialist"]
    team = site_a.teams.first()
    for n, days in enumerate([10, 20, 40, 70, None], start=1):
        person = ServiceUser.objects.create(site=site_a, reference=f"A{n:03}")
        referred = date(2016, 1, 4)
        episode = Episode.objects.create(
            service_user=person,
            site=site_a,
            referral_date=referred,
            team=team,
            specialist=specialist,
            profile_started=referred + timedelta(days=3),
        )
        if days is not None:
            Activity.objects.create(
                episode=episode,
                site=site_a,
                kind=ActivityKind.EMPLOYER_CONTACT,
                date=referred + timedelta(days=days),
                face_to_face=True,
                specialist=specialist,
            )


@pytest.mark.django_db
def test_rapid_job_search_evidence_shows_the_median_the_people_and_the_suggestion(records, review):
    item = review.scale.items.get(number=15)
    ev = evidence_for_item(item, review.site, review.period_start, review.period_end)
    assert ev.available
    assert ev.figure == 30
    assert ev.detail.startswith("median 30 days from referral to first employer contact, 4 people")
    assert ev.suggested == 5


@pytest.mark.django_db
def test_attached_evidence_keeps_the_suggestion_beside_the_reviewers_decision(
    records, review, reviewers
):
    from ipsworks.fidelity import services

    services.attach_evidence(actor=reviewers[0], review=review)
    services.record_score(actor=reviewers[0], review=review, item_number=15, score=4)
    services.record_score(actor=reviewers[1], review=review, item_number=15, score=4)
    with pytest.raises(services.ReviewError, match="suggestion"):
        services.record_consensus(actor=reviewers[0], review=review, item_number=15, agreed_score=4)
    services.record_consensus(
        actor=reviewers[0],
        review=review,
        item_number=15,
        agreed_score=4,
        reason="Most contacts were by phone",
    )
    result = review.results.get(item__number=15)
    assert (result.suggested_score, result.agreed_score) == (5, 4)
    assert result.evidence["figure"] == 30


@pytest.mark.django_db
def test_every_measurable_item_but_community_time_comes_from_the_metrics(review):
    from ipsworks.outcomes.metrics import REGISTRY

    evidence = evidence_for_review(review)
    for number in (1, 15, 16, 17, 19, 20, 21, 23):
        assert evidence[number].available, number
        assert evidence[number].metric in REGISTRY, number
    community = evidence[24]
    assert not community.available and community.suggested is None
    assert community.detail.startswith("Not available from the records")


@given(
    item=st.sampled_from(sorted(CASES)),
    a=st.floats(min_value=0, max_value=400, allow_nan=False),
    b=st.floats(min_value=0, max_value=400, allow_nan=False),
)
def test_a_better_figure_never_suggests_a_lower_score(item, a, b):
    measure = MEASURES[item]
    low, high = sorted([a, b])
    worse, better = (low, high) if measure["direction"] == "higher" else (high, low)
    assert suggest_score(measure, better, 50).score >= suggest_score(measure, worse, 50).score
