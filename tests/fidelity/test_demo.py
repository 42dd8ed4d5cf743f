"""The fidelity demo: three independent reviews over 100, a self-assessment under 100 with an
open action plan, and a second reviewer account; every fidelity page opens for demo users."""

import pytest

from ipsworks.fidelity.models import Review, ReviewKind, ReviewStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from ipsworks.demo.loader import load_demo

    return load_demo(seed=2014)


def test_three_independent_reviews_over_100_a_self_assessment_under_100_pages_open(client, demo):
    independent = Review.objects.filter(kind=ReviewKind.INDEPENDENT, status=ReviewStatus.FINALISED)
    assert sorted(r.site.slug for r in independent) == [
        "bedfordshire-luton",
        "berkshire",
        "bradford",
    ]
    assert all(r.total > 100 and r.band_key == "good" for r in independent)
    assert {r.reviewer_1.username for r in independent} | {
        r.reviewer_2.username for r in independent
    } == {"reviewer", "reviewer2"}
    self_review = Review.objects.get(site__slug="northamptonshire")
    assert self_review.kind == ReviewKind.SELF and self_review.total < 100
    assert self_review.actions.exclude(status="done").count() >= 2
    assert any(a.is_overdue() for a in self_review.actions.all())
    for review in Review.objects.all():
        assert review.results.filter(agreed_score__isnull=False).count() == 25
        assert sum(r.agreed_score for r in review.results.all()) == review.total

    # every fidelity page opens for the demo users (one test: the demo loads once)
    from django.contrib.auth import get_user_model

    from ipsworks.demo.context import DEMO_PASSWORD

    User = get_user_model()
    assert User.objects.get(username="reviewer2").check_password(DEMO_PASSWORD)
    berkshire = Review.objects.get(site__slug="berkshire", kind=ReviewKind.INDEPENDENT)
    client.force_login(User.objects.get(username="reviewer2"))
    for path in ["", "consensus/", "results/", "report/", "score/"]:
        assert client.get(f"/fidelity/reviews/{berkshire.pk}/{path}").status_code == 200, path
    client.force_login(User.objects.get(username="programme.manager"))
    page = client.get("/fidelity/programme/").content.decode()
    assert "Bradford" in page and "<svg" in page
    history = client.get("/fidelity/sites/berkshire/").content.decode()
    assert "Self-assessment" in history and "Independent review" in history
    client.force_login(User.objects.get(username="commissioner"))
    assert client.get(f"/fidelity/reviews/{berkshire.pk}/results/").status_code == 404
    client.force_login(User.objects.get(username="northamptonshire.im"))
    north = Review.objects.get(site__slug="northamptonshire")
    assert "Overdue" in client.get(f"/fidelity/reviews/{north.pk}/results/").content.decode()
