"""Bad input on the scoring screens, query counts that do not grow with the data, and
memberships that have ended."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipsworks.fidelity import selectors
from ipsworks.fidelity.models import Review, ReviewStatus

from .conftest import score_all, spread

pytestmark = pytest.mark.django_db


# --- bad numbers typed into the scoring screens ---------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "4.5", "99999999999999999999", "--1"])
def test_a_non_number_agreed_score_is_a_field_error_not_a_server_error(
    client, review, reviewers, bad
):
    scores = spread(100)
    score_all(review, reviewers[0], scores)
    score_all(review, reviewers[1], scores)
    client.force_login(reviewers[0])
    response = client.post(f"/fidelity/reviews/{review.pk}/consensus/", {"agreed-1": bad})
    assert response.status_code == 200
    page = response.content.decode()
    assert "whole number" in page and "#agreed-1" in page
    assert not review.results.filter(item__number=1, agreed_score__isnull=False).exists()


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999"])
def test_a_non_number_score_is_a_field_error_not_a_server_error(client, review, reviewers, bad):
    client.force_login(reviewers[0])
    response = client.post(f"/fidelity/reviews/{review.pk}/score/", {"score-3": bad})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Item 3:" in page and "invalid literal" not in page


def test_an_item_that_was_not_saved_keeps_what_was_typed_and_shows_its_error(
    client, review, reviewers
):
    client.force_login(reviewers[0])
    response = client.post(
        f"/fidelity/reviews/{review.pk}/score/",
        {
            "score-1": "4",
            "rationale-1": "Saved reason",
            "score-3": "9",
            "rationale-3": "Typed reason for item 3",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Typed reason for item 3</textarea>" in page
    assert 'aria-describedby="question-3 score-3-error"' in page
    assert '<span class="nhsuk-error-message" id="score-3-error">' in page
    # The item that was saved shows its saved score and reason.
    assert 'id="score-1-4" name="score-1" type="radio" value="4" checked' in page
    assert "Saved reason</textarea>" in page


# --- query counts ---------------------------------------------------------------------------


def _add_reviews(site, scale, reviewers, n, *, finalised=False, start=2010):
    Review.objects.bulk_create(
        Review(
            site=site,
            scale=scale,
            kind="independent",
            status=ReviewStatus.FINALISED if finalised else ReviewStatus.PLANNED,
            reviewer_1=reviewers[0],
            reviewer_2=reviewers[1],
            visit_start=date(start + i, 3, 1),
            visit_end=date(start + i, 3, 2),
            period_start=date(start + i, 1, 1),
            period_end=date(start + i, 2, 28),
            total=100 if finalised else None,
        )
        for i in range(n)
    )


def _queries(client, url):
    """The page's own queries (after an uncounted first request, which may move the session's
    expiry on: that happens at most once a minute)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["programme_manager", "implementation_manager", "commissioner"])
def test_the_index_query_count_does_not_grow_with_the_number_of_reviews(
    client, users, scale, site_a, site_b, reviewers, who
):
    client.force_login(users[who])
    _add_reviews(site_a, scale, reviewers, 1, finalised=True)
    _add_reviews(site_b, scale, reviewers, 1, finalised=True, start=1990)
    _queries(client, "/fidelity/")  # warm up (session, caches)
    few = _queries(client, "/fidelity/")
    _add_reviews(site_a, scale, reviewers, 6, finalised=True, start=2000)
    _add_reviews(site_b, scale, reviewers, 6, start=1970)
    many = _queries(client, "/fidelity/")
    assert many == few


def test_the_programme_view_query_count_does_not_grow_with_the_number_of_sites(
    client, users, scale, programme, site_a, reviewers, monkeypatch
):
    from ipsworks.fidelity import programme as programme_view
    from ipsworks.organisation.models import Site

    # The job outcome rate is the outcomes app's metric (its own queries per site); counted here
    # is what the fidelity page itself reads.
    monkeypatch.setattr(programme_view, "job_outcome_rate", lambda *a: (50.0, None))
    client.force_login(users["programme_manager"])
    _add_reviews(site_a, scale, reviewers, 2, finalised=True)
    _queries(client, "/fidelity/programme/")
    few = _queries(client, "/fidelity/programme/")
    for i in range(5):
        site = Site.objects.create(
            programme=programme, name=f"Extra {i}", slug=f"extra-{i}", start_date=date(2015, 1, 1)
        )
        _add_reviews(site, scale, reviewers, 3, finalised=True)
    many = _queries(client, "/fidelity/programme/")
    assert many == few
    page = client.get("/fidelity/programme/").content.decode()
    assert "Extra 4" in page


def test_the_programme_view_shows_each_sites_latest_finalised_review(
    client, users, scale, site_a, site_b, reviewers
):
    _add_reviews(site_a, scale, reviewers, 3, finalised=True)
    _add_reviews(site_a, scale, reviewers, 1, start=2020)  # planned, not finalised: ignored
    from ipsworks.fidelity.programme import programme_rows

    rows = {r["site"].slug: r for r in programme_rows([site_a, site_b])}
    assert rows["alpha"]["review"].visit_start == date(2012, 3, 1)
    assert rows["alpha"]["max_total"] == 125
    assert rows["beta"]["review"] is None


# --- memberships that have ended ------------------------------------------------------------


def _end(user):
    yesterday = date.today() - timedelta(days=1)
    user.memberships.update(start_date=yesterday - timedelta(days=30), end_date=yesterday)


@pytest.mark.parametrize("who", ["programme_manager", "implementation_manager", "commissioner"])
def test_an_ended_membership_gives_no_access_to_reviews(client, users, finalised_review, who):
    user = users[who]
    assert selectors.review_access(user, finalised_review) is not None
    _end(user)
    from ipsworks.accounts.models import User

    fresh = User.objects.get(pk=user.pk)
    assert selectors.review_access(fresh, finalised_review) is None
    assert selectors.site_access(fresh, finalised_review.site) is None
    assert not selectors.can_plan(fresh, finalised_review.site)
    client.force_login(fresh)
    assert client.get(f"/fidelity/reviews/{finalised_review.pk}/").status_code == 404


def test_a_membership_not_yet_started_gives_no_access(users, finalised_review):
    user = users["programme_manager"]
    tomorrow = date.today() + timedelta(days=1)
    user.memberships.update(start_date=tomorrow)
    from ipsworks.accounts.models import User

    assert selectors.review_access(User.objects.get(pk=user.pk), finalised_review) is None


def test_a_csv_sheet_with_an_enormous_cell_is_a_listed_problem(client, review, reviewers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(reviewers[0])
    body = b"item,score,rationale\n1,3," + b"x" * 1_500_000 + b"\n"
    upload = SimpleUploadedFile("mine.csv", body)
    response = client.post(f"/fidelity/reviews/{review.pk}/sheet/import/", {"sheet": upload})
    assert response.status_code == 200
    assert "line 2: the file could not be read as CSV: a cell is longer than" in (
        response.content.decode()
    )
    assert not review.reviewer_scores.exists()


def test_a_sheet_larger_than_the_limit_is_refused_before_it_is_read(client, review, reviewers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(reviewers[0])
    body = b"item,score,rationale\n" + b"1,3,ok\n" * 400_000  # 2.8 MB
    upload = SimpleUploadedFile("mine.csv", body)
    response = client.post(f"/fidelity/reviews/{review.pk}/sheet/import/", {"sheet": upload})
    assert response.status_code == 200
    assert "The file is larger than 2 MB" in response.content.decode()
    assert not review.reviewer_scores.exists()


def test_a_reviewer_who_has_left_keeps_no_access_to_their_review(client, review, reviewers):
    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    from ipsworks.accounts.models import Membership
    from ipsworks.fidelity import services as fidelity_services

    gone = reviewers[1]
    url = f"/fidelity/reviews/{review.pk}/"
    client.force_login(gone)
    assert client.get(url).status_code == 200
    yesterday = timezone.localdate() - timedelta(days=1)
    Membership.objects.filter(user=gone).update(start_date=yesterday, end_date=yesterday)
    assert client.get(url).status_code == 404
    assert client.get(url + "score/").status_code == 404
    assert client.post(url + "score/", {"score-1": "4"}).status_code == 404
    assert not selectors.is_assigned(gone, review)
    with pytest.raises(PermissionDenied):
        fidelity_services.record_score(actor=gone, review=review, item_number=1, score=4)
    assert not review.reviewer_scores.filter(reviewer=gone).exists()
