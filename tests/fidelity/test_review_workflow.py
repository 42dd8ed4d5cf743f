"""Planning, independent scoring, consensus with disagreement flags, finalising, read-only."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from ipsworks.audit.models import AuditEvent
from ipsworks.fidelity import selectors, services
from ipsworks.fidelity.models import ReviewStatus

from .conftest import agree_all, score_all, spread

pytestmark = pytest.mark.django_db


def test_planning_a_review_builds_the_checklist_keeps_the_scale_version_and_audits(review, scale):
    assert review.scale == scale
    assert [t.description for t in review.prep_tasks.all()] == [
        "Job descriptions",
        "Supervision records",
        "Supervisor, Monday 10:00",
    ]
    assert AuditEvent.objects.filter(event="fidelity.review_planned", entity_id=review.pk).exists()


def test_a_review_needs_two_different_reviewers(scale, site_a, users, reviewers):
    with pytest.raises(services.ReviewError, match="two different"):
        services.plan_review(
            actor=users["programme_manager"],
            site=site_a,
            kind="independent",
            reviewer_1=reviewers[0],
            reviewer_2=reviewers[0],
            visit_start=date(2016, 7, 1),
            visit_end=date(2016, 7, 2),
            period_start=date(2016, 1, 1),
            period_end=date(2016, 6, 30),
        )


def test_an_independent_review_refuses_a_reviewer_who_is_not_one(scale, site_a, users, reviewers):
    with pytest.raises(services.ReviewError, match="not a fidelity reviewer"):
        services.plan_review(
            actor=users["programme_manager"],
            site=site_a,
            kind="independent",
            reviewer_1=reviewers[0],
            reviewer_2=users["specialist"],
            visit_start=date(2016, 7, 1),
            visit_end=date(2016, 7, 2),
            period_start=date(2016, 1, 1),
            period_end=date(2016, 6, 30),
        )


def test_a_specialist_cannot_plan_a_review(scale, site_a, users, reviewers):
    with pytest.raises(PermissionDenied):
        services.plan_review(
            actor=users["specialist"],
            site=site_a,
            kind="self",
            reviewer_1=reviewers[0],
            reviewer_2=reviewers[1],
            visit_start=date(2016, 7, 1),
            visit_end=date(2016, 7, 2),
            period_start=date(2016, 1, 1),
            period_end=date(2016, 6, 30),
        )


def test_only_the_assigned_reviewers_score(review, users):
    with pytest.raises(PermissionDenied):
        services.record_score(
            actor=users["programme_manager"], review=review, item_number=1, score=4
        )


@pytest.mark.parametrize("bad", [0, 6])
def test_a_score_outside_one_to_five_is_refused(review, reviewers, bad):
    with pytest.raises(services.ReviewError, match="1 to 5"):
        services.record_score(actor=reviewers[0], review=review, item_number=1, score=bad)


def test_each_reviewer_keeps_their_own_score_and_the_review_moves_to_scoring(review, reviewers):
    services.record_score(actor=reviewers[0], review=review, item_number=1, score=4, rationale="a")
    services.record_score(actor=reviewers[1], review=review, item_number=1, score=2, rationale="b")
    services.record_score(actor=reviewers[0], review=review, item_number=1, score=5, rationale="c")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SCORING
    row = selectors.consensus_rows(review)[0]
    assert (row["first"].score, row["second"].score) == (5, 2)


def test_consensus_flags_each_item_where_the_reviewers_differ(review, reviewers):
    first = spread(100)
    second = dict(first)
    second[3] = first[3] - 1
    second[17] = first[17] - 2
    score_all(review, reviewers[0], first)
    score_all(review, reviewers[1], second)
    rows = selectors.consensus_rows(review)
    flagged = {r["item"].number: r["gap"] for r in rows if r["disagree"]}
    assert flagged == {3: 1, 17: 2}
    assert all(r["both_scored"] for r in rows)


def test_agreeing_a_disputed_item_needs_a_reason(review, reviewers):
    services.record_score(actor=reviewers[0], review=review, item_number=2, score=4)
    services.record_score(actor=reviewers[1], review=review, item_number=2, score=3)
    with pytest.raises(services.ReviewError, match="say why"):
        services.record_consensus(actor=reviewers[0], review=review, item_number=2, agreed_score=4)
    result = services.record_consensus(
        actor=reviewers[1], review=review, item_number=2, agreed_score=4, reason="Saw the diary"
    )
    assert result.agreed_score == 4 and result.reason == "Saw the diary"


def test_an_item_both_reviewers_scored_alike_can_be_agreed_without_a_reason(review, reviewers):
    services.record_score(actor=reviewers[0], review=review, item_number=9, score=5)
    services.record_score(actor=reviewers[1], review=review, item_number=9, score=5)
    result = services.record_consensus(
        actor=reviewers[0], review=review, item_number=9, agreed_score=5
    )
    assert result.agreed_score == 5


def test_an_item_cannot_be_agreed_before_both_have_scored_it(review, reviewers):
    services.record_score(actor=reviewers[0], review=review, item_number=9, score=5)
    with pytest.raises(services.ReviewError, match="both reviewers"):
        services.record_consensus(actor=reviewers[0], review=review, item_number=9, agreed_score=5)


def test_a_review_is_refused_while_any_item_lacks_an_agreed_score(review, reviewers):
    scores = spread(100)
    score_all(review, reviewers[0], scores)
    score_all(review, reviewers[1], scores)
    agree_all(review, reviewers[0], {n: s for n, s in scores.items() if n not in (7, 21)})
    with pytest.raises(services.ReviewError, match="items without an agreed score: 7, 21"):
        services.finalise_review(actor=reviewers[0], review=review)
    review.refresh_from_db()
    assert review.status != ReviewStatus.FINALISED and review.total is None


def test_finalising_stores_the_total_and_band(finalised_review):
    assert finalised_review.status == ReviewStatus.FINALISED
    assert finalised_review.total == 104
    assert finalised_review.band_key == "good"
    assert AuditEvent.objects.filter(event="fidelity.review_finalised").count() == 1


def test_a_finalised_review_is_read_only(finalised_review, reviewers):
    with pytest.raises(services.ReviewError, match="read-only"):
        services.record_score(actor=reviewers[0], review=finalised_review, item_number=1, score=1)
    with pytest.raises(services.ReviewError, match="read-only"):
        services.record_consensus(
            actor=reviewers[0], review=finalised_review, item_number=1, agreed_score=1, reason="x"
        )
    with pytest.raises(services.ReviewError, match="read-only"):
        services.update_findings(
            actor=reviewers[0], review=finalised_review, strengths="x", recommendations="y"
        )
    with pytest.raises(services.ReviewError, match="read-only"):
        services.finalise_review(actor=reviewers[0], review=finalised_review)


def test_a_correction_needs_a_reason_is_audited_and_redoes_the_total(finalised_review, reviewers):
    with pytest.raises(services.ReviewError, match="reason"):
        services.correct_score(
            actor=reviewers[0], review=finalised_review, item_number=1, new_score=5, reason=" "
        )
    old = finalised_review.results.get(item__number=10).agreed_score
    assert old == 4
    services.correct_score(
        actor=reviewers[1],
        review=finalised_review,
        item_number=10,
        new_score=old + 1,
        reason="Caseload list recounted",
    )
    finalised_review.refresh_from_db()
    assert finalised_review.total == 105
    correction = finalised_review.corrections.get()
    assert (correction.old_score, correction.new_score) == (old, old + 1)
    event = AuditEvent.objects.get(event="fidelity.score_corrected")
    assert "Caseload list recounted" in event.summary
    assert event.before["total"] == 104 and event.after["total"] == 105


def test_the_finalised_review_page_offers_no_scoring_form(client, finalised_review, reviewers):
    client.force_login(reviewers[0])
    page = client.get(f"/fidelity/reviews/{finalised_review.pk}/consensus/").content.decode()
    assert "Save agreed scores" not in page and "Finalise the review" not in page
    response = client.post(
        f"/fidelity/reviews/{finalised_review.pk}/consensus/", {"agreed-1": "1", "reason-1": "x"}
    )
    assert response.status_code == 404
    assert finalised_review.results.get(item__number=1).agreed_score == 5
    assert client.get(f"/fidelity/reviews/{finalised_review.pk}/score/").status_code == 200


def test_the_consensus_screen_saves_agreed_scores_and_shows_errors_by_item(
    client, review, reviewers
):
    scores = spread(100)
    score_all(review, reviewers[0], scores)
    second = dict(scores)
    second[5] = scores[5] - 1
    score_all(review, reviewers[1], second)
    client.force_login(reviewers[1])
    data = {f"agreed-{n}": str(s) for n, s in scores.items()}
    response = client.post(f"/fidelity/reviews/{review.pk}/consensus/", data)
    assert response.status_code == 200
    assert "Item 5: say why" in response.content.decode()
    data["reason-5"] = "Minutes showed weekly meetings"
    response = client.post(f"/fidelity/reviews/{review.pk}/consensus/", data)
    assert response.status_code == 302
    assert selectors.progress(review)["complete"]
    response = client.post(f"/fidelity/reviews/{review.pk}/finalise/")
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINALISED and review.total == 100


def test_an_implementation_manager_plans_a_self_assessment_choosing_only_own_site_staff(
    client, users, scale, site_a
):
    client.force_login(users["implementation_manager"])
    page = client.get("/fidelity/plan/").content.decode()
    assert ">a.tl<" in page and ">rev<" in page
    assert ">b.es1<" not in page and ">b.im<" not in page and ">comm<" not in page
    response = client.post(
        "/fidelity/plan/",
        {
            "site": "alpha",
            "kind": "self",
            "reviewer_1": users["implementation_manager"].pk,
            "reviewer_2": users["team_leader"].pk,
            "visit_start": "2016-07-11",
            "visit_end": "2016-07-11",
        },
    )
    assert response.status_code == 302
    from ipsworks.fidelity.models import Review

    review = Review.objects.get()
    assert (review.period_start, review.period_end) == (date(2016, 1, 11), date(2016, 7, 10))
    assert review.kind == "self"


def test_the_planning_form_explains_each_problem(client, users, scale):
    client.force_login(users["programme_manager"])
    page = client.post(
        "/fidelity/plan/",
        {
            "site": "alpha",
            "kind": "independent",
            "reviewer_1": users["reviewer"].pk,
            "reviewer_2": users["reviewer"].pk,
            "visit_start": "2016-07-11",
            "visit_end": "2016-07-01",
        },
    ).content.decode()
    assert "Choose a different person from the first reviewer." in page
    assert "The visit cannot end before it starts." in page
