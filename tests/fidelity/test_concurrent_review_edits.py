"""Pages that save many rows at once (a reviewer's scores, the agreed scores), the checklist,
the action plan and corrections: a page opened before someone else's change never undoes it."""

from datetime import date

import pytest

from tests.fidelity.conftest import agree_all, score_all
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def agreed(review, number):
    from ipsworks.fidelity.models import ItemResult

    return ItemResult.objects.get(review=review, item__number=number)


@pytest.fixture
def scored(review, reviewers):
    for reviewer in reviewers:
        score_all(review, reviewer, dict.fromkeys(range(1, 26), 3))
    agree_all(review, reviewers[0], {1: 3})
    return review


def test_saving_other_items_does_not_undo_the_other_reviewer_s_agreed_score(
    client, scored, reviewers
):
    from ipsworks.fidelity.services import record_consensus

    first, second = reviewers
    client.force_login(first)
    url = f"/fidelity/reviews/{scored.pk}/consensus/"
    page = client.get(url)
    record_consensus(actor=second, review=scored, item_number=1, agreed_score=4, reason="Seen more")
    data = form_data(page, field="agreed-2") | {"agreed-2": "3"}
    assert client.post(url, data).status_code == 302
    assert (agreed(scored, 1).agreed_score, agreed(scored, 1).reason) == (4, "Seen more")
    assert agreed(scored, 2).agreed_score == 3


def test_both_reviewers_changing_one_item_is_refused_naming_the_stored_score(
    client, scored, reviewers
):
    from ipsworks.fidelity.services import record_consensus

    first, second = reviewers
    client.force_login(first)
    url = f"/fidelity/reviews/{scored.pk}/consensus/"
    page = client.get(url)
    record_consensus(actor=second, review=scored, item_number=1, agreed_score=4, reason="Seen more")
    data = form_data(page, field="agreed-1") | {"agreed-1": "2", "reason-1": "Less than that"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "the other reviewer changed this item since this page was opened (it is now 4)" in (
        refused.content.decode()
    )
    assert agreed(scored, 1).agreed_score == 4
    # Having read the message, the reviewer saves again from that page: theirs now stands.
    again = form_data(refused, field="agreed-1")
    assert (again["agreed-1"], again["reason-1"]) == ("2", "Less than that")
    assert client.post(url, again).status_code == 302
    assert agreed(scored, 1).agreed_score == 2


def test_a_second_tab_does_not_undo_the_reviewer_s_own_newer_score(client, review, reviewers):
    from ipsworks.fidelity.models import ReviewerScore
    from ipsworks.fidelity.services import record_score

    first = reviewers[0]
    score_all(review, first, {1: 2}, rationale="Early view")
    client.force_login(first)
    url = f"/fidelity/reviews/{review.pk}/score/"
    old_tab = client.get(url)
    record_score(actor=first, review=review, item_number=1, score=5, rationale="After visit")
    data = form_data(old_tab, field="rationale-3") | {"score-3": "4"}
    assert client.post(url, data).status_code == 302
    mine = ReviewerScore.objects.get(review=review, reviewer=first, item__number=1)
    assert (mine.score, mine.rationale) == (5, "After visit")
    assert ReviewerScore.objects.get(review=review, reviewer=first, item__number=3).score == 4


def test_the_checklist_button_does_what_it_says_even_on_an_old_page(client, review, reviewers):
    from ipsworks.fidelity.models import PrepTask
    from ipsworks.fidelity.services import set_prep_done

    task = PrepTask.objects.filter(review=review).first()
    client.force_login(reviewers[0])
    page = client.get(f"/fidelity/reviews/{review.pk}/")
    action = f"/fidelity/reviews/{review.pk}/checklist/{task.pk}/"
    set_prep_done(actor=reviewers[1], task=task, done=True)  # the other reviewer, meanwhile
    client.post(action, form_data(page, action=action))  # "Mark done" on the older page
    task.refresh_from_db()
    assert task.done is True


def test_an_action_moved_by_someone_else_is_not_silently_moved_back(
    client, finalised_review, users
):
    from ipsworks.fidelity.models import ActionItem
    from ipsworks.fidelity.services import add_action, set_action_status

    pm = users["programme_manager"]
    action = add_action(
        actor=pm,
        review=finalised_review,
        item_number=None,
        action="Recruit",
        owner="IM",
        due_date=date(2016, 12, 1),
    )
    client.force_login(pm)
    results = f"/fidelity/reviews/{finalised_review.pk}/results/"
    page = client.get(results)
    target = f"/fidelity/reviews/{finalised_review.pk}/actions/{action.pk}/"
    set_action_status(actor=pm, action=action, status="done")
    data = form_data(page, action=target) | {"status": "in_progress"}
    followed = client.post(target, data, follow=True)
    assert "someone else set this action to “Done”" in followed.content.decode()
    assert ActionItem.objects.get(pk=action.pk).status == "done"


def test_a_correction_from_a_page_older_than_another_correction_is_refused(
    client, finalised_review, reviewers
):
    from ipsworks.fidelity.models import Correction
    from ipsworks.fidelity.services import correct_score

    first, second = reviewers
    client.force_login(first)
    url = f"/fidelity/reviews/{finalised_review.pk}/results/"
    page = client.get(url)
    target = f"/fidelity/reviews/{finalised_review.pk}/correct/"
    now = agreed(finalised_review, 1).agreed_score
    other = 5 if now != 5 else 4
    correct_score(
        actor=second, review=finalised_review, item_number=1, new_score=other, reason="Evidence"
    )
    mine = 1 if other != 1 else 2
    data = form_data(page, action=target) | {"item": "1", "new_score": str(mine), "reason": "Mine"}
    refused = client.post(target, data)
    assert "Someone else corrected this review after you opened the page" in (
        refused.content.decode()
    )
    assert Correction.objects.count() == 1
    assert agreed(finalised_review, 1).agreed_score == other
    again = form_data(refused, action=target)
    assert again["reason"] == "Mine"
    client.post(target, again)
    assert agreed(finalised_review, 1).agreed_score == mine
