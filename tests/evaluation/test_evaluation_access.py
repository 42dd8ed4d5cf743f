"""Who sees what: evaluators and the programme manager see evaluation data; commissioners see
counts but never a quote (404); site staff see only their own site's counts."""

import pytest
from django.urls import reverse

from ipsworks.evaluation import selectors
from ipsworks.evaluation.models import EvaluationVisit, Interview

QUOTE = "Work came up in every review once the specialist joined the team."


@pytest.fixture
def recorded(site_a, site_b, excerpt, codebook, users):
    visit_a = excerpt.visit
    Interview.objects.create(
        visit=visit_a, format="focus_group", participant_role="clinician", participants=3
    )
    visit_b = EvaluationVisit.objects.create(site=site_b, number=1, date=site_b.start_date)
    Interview.objects.create(
        visit=visit_b, format="interview", participant_role="service_user", participants=1
    )
    return {"visit_a": visit_a, "visit_b": visit_b, "excerpt": excerpt}


def quote_pages(recorded):
    excerpt, visit = recorded["excerpt"], recorded["visit_a"]
    return [
        reverse("evaluation:excerpt_list"),
        reverse("evaluation:excerpt_code", args=[excerpt.pk]),
        reverse("evaluation:excerpt_edit", args=[excerpt.pk]),
        reverse("evaluation:excerpt_export", args=["csv"]),
        reverse("evaluation:excerpt_export", args=["xlsx"]),
        reverse("evaluation:matrix"),
        reverse("evaluation:agreement"),
        reverse("evaluation:codebook"),
        reverse("evaluation:visit_list"),
        reverse("evaluation:visit_detail", args=[visit.pk]),
        reverse("evaluation:check_counts"),
    ]


@pytest.mark.parametrize("role", ["evaluator", "programme_manager"])
def test_evaluators_and_programme_manager_see_quotes_and_interviews(client, users, recorded, role):
    client.force_login(users[role])
    for url in quote_pages(recorded):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("evaluation:excerpt_list"))
    assert QUOTE in page.content.decode()
    assert selectors.can_see_evaluation(users[role])


@pytest.mark.parametrize(
    "role",
    [
        "commissioner",
        "implementation_manager",
        "team_leader",
        "specialist",
        "reviewer",
    ],
)
def test_everyone_else_gets_not_found_for_quotes_and_interview_records(
    client, users, recorded, role
):
    client.force_login(users[role])
    for url in quote_pages(recorded):
        assert client.get(url).status_code == 404, (role, url)
    assert not selectors.excerpts_for(users[role]).exists()
    assert not selectors.visits_for(users[role]).exists()


def test_commissioner_sees_the_counts_of_every_site_but_no_quote(client, users, recorded):
    client.force_login(users["commissioner"])
    page = client.get(reverse("evaluation:index"))
    assert page.status_code == 200
    names = [r.site.name for r in page.context["table"].rows]
    assert names == ["Alpha", "Beta"]
    assert QUOTE not in page.content.decode()


@pytest.mark.parametrize("role", ["implementation_manager", "team_leader", "specialist"])
def test_site_staff_see_their_own_sites_counts_only(client, users, recorded, role):
    client.force_login(users[role])
    page = client.get(reverse("evaluation:index"))
    assert page.status_code == 200
    rows = page.context["table"].rows
    assert [r.site.name for r in rows] == ["Alpha"]
    assert rows[0].total_staff == 3
    csv_text = client.get(reverse("evaluation:counts_csv")).content.decode()
    assert "Beta" not in csv_text


def test_reviewer_sees_no_counts_either(client, users, recorded):
    client.force_login(users["reviewer"])
    assert client.get(reverse("evaluation:index")).status_code == 404


def test_evaluator_of_another_programme_sees_nothing_of_this_one(client, recorded):
    from ipsworks.accounts.models import Membership, User
    from ipsworks.organisation.models import Programme

    other = Programme.objects.create(name="Other programme")
    outsider = User.objects.create_user(username="outsider", password="a-long-test-password")
    Membership.objects.create(user=outsider, role="evaluator", programme=other)
    client.force_login(outsider)
    url = reverse("evaluation:excerpt_code", args=[recorded["excerpt"].pk])
    assert client.get(url).status_code == 404
    visit_url = reverse("evaluation:visit_detail", args=[recorded["visit_a"].pk])
    assert client.get(visit_url).status_code == 404
    assert not selectors.excerpts_for(outsider).exists()


def test_services_refuse_users_without_evaluation_access(users, recorded, site_a):
    from django.core.exceptions import PermissionDenied

    from ipsworks.evaluation import services

    with pytest.raises(PermissionDenied):
        services.code_excerpt(
            actor=users["commissioner"], excerpt=recorded["excerpt"], theme_ids=[]
        )
    with pytest.raises(PermissionDenied):
        services.create_visit(
            actor=users["implementation_manager"], site=site_a, number=5, date=site_a.start_date
        )
