"""Who sees a site's review: in full the two assigned reviewers, the programme manager and the
site's implementation manager; a commissioner totals and bands only; everyone else 404."""

import pytest

pytestmark = pytest.mark.django_db

FULL_PAGES = ["", "consensus/", "results/", "report/", "sheet/"]


def pages(review):
    return [f"/fidelity/reviews/{review.pk}/{p}" for p in FULL_PAGES]


@pytest.mark.parametrize("who", ["reviewer", "rev2", "programme_manager", "implementation_manager"])
def test_these_people_see_the_review_in_full(client, users, reviewers, finalised_review, who):
    user = reviewers[1] if who == "rev2" else users[who]
    client.force_login(user)
    for url in pages(finalised_review):
        assert client.get(url).status_code == 200, url
    detail = client.get(pages(finalised_review)[0]).content.decode()
    assert "Preparation checklist" in detail


def test_a_commissioner_sees_the_total_and_band_only(client, users, finalised_review):
    client.force_login(users["commissioner"])
    response = client.get(f"/fidelity/reviews/{finalised_review.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "104 of 125" in page and "Good fidelity" in page
    assert "Preparation checklist" not in page and "rev2" not in page
    for url in pages(finalised_review)[1:]:
        assert client.get(url).status_code == 404, url
    history = client.get(f"/fidelity/sites/{finalised_review.site.slug}/").content.decode()
    assert "104" in history and f"/fidelity/reviews/{finalised_review.pk}/" not in history


def test_a_commissioner_does_not_see_a_review_before_it_is_finalised(client, users, review):
    client.force_login(users["commissioner"])
    assert client.get(f"/fidelity/reviews/{review.pk}/").status_code == 404
    assert b"Alpha" not in client.get("/fidelity/").content


@pytest.mark.parametrize(
    "who",
    [
        "specialist",
        "team_leader",
        "implementation_manager_b",
        "evaluator",
        "specialist_b",
        "administrator",
    ],
)
def test_everyone_else_gets_not_found(client, users, finalised_review, who):
    client.force_login(users[who])
    for url in pages(finalised_review):
        assert client.get(url).status_code == 404, url
    assert b"/fidelity/reviews/" not in client.get("/fidelity/").content


def test_a_reviewer_not_assigned_to_the_review_gets_not_found(client, make_user, finalised_review):
    client.force_login(make_user("reviewer", username="rev3"))
    for url in pages(finalised_review):
        assert client.get(url).status_code == 404, url


def test_only_the_assigned_reviewers_open_the_scoring_form(client, users, reviewers, review):
    client.force_login(users["programme_manager"])
    assert client.get(f"/fidelity/reviews/{review.pk}/score/").status_code == 404
    client.force_login(reviewers[1])
    assert client.get(f"/fidelity/reviews/{review.pk}/score/").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 200), ("commissioner", 200), ("reviewer", 404), ("specialist", 404)],
)
def test_the_programme_view_is_for_programme_managers_and_commissioners(
    client, users, finalised_review, who, status
):
    client.force_login(users[who])
    assert client.get("/fidelity/programme/").status_code == status


def test_the_site_history_follows_the_same_rule(client, users, finalised_review):
    url = f"/fidelity/sites/{finalised_review.site.slug}/"
    client.force_login(users["implementation_manager"])
    assert client.get(url).status_code == 200
    client.force_login(users["implementation_manager_b"])
    assert client.get(url).status_code == 404
    client.force_login(users["specialist"])
    assert client.get(url).status_code == 404
