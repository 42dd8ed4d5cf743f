"""The site-scoping selector: which case-level rows each role can read."""

from datetime import date

import pytest

from ipsworks.accounts.scoping import get_case_or_404, scoped_cases, visible_sites
from ipsworks.caseload.models import Episode, ServiceUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(users, site_a, site_b):
    north, south = list(site_a.teams.order_by("name"))
    made = {}
    for key, site, team, specialist in [
        ("a_north", site_a, north, users["specialist"]),
        ("a_south", site_a, south, users["specialist_south"]),
        ("b", site_b, site_b.teams.first(), users["specialist_b"]),
    ]:
        person = ServiceUser.objects.create(site=site, reference=f"REF-{key}")
        Episode.objects.create(
            service_user=person,
            site=site,
            team=team,
            specialist=specialist,
            referral_date=date(2015, 3, 1),
        )
        made[key] = person
    return made


def refs(user):
    return set(scoped_cases(user, ServiceUser.objects.all()).values_list("reference", flat=True))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("specialist", {"REF-a_north"}),
        ("specialist_south", {"REF-a_south"}),
        ("specialist_b", {"REF-b"}),
        ("team_leader", {"REF-a_north"}),
        ("implementation_manager", {"REF-a_north", "REF-a_south"}),
        ("implementation_manager_b", {"REF-b"}),
        ("programme_manager", {"REF-a_north", "REF-a_south", "REF-b"}),
        ("administrator", {"REF-a_north", "REF-a_south", "REF-b"}),
        ("reviewer", set()),
        ("evaluator", set()),
        ("commissioner", set()),
    ],
)
def test_each_role_reads_exactly_its_own_records(users, cases, role, expected):
    assert refs(users[role]) == expected


def test_scoping_gives_no_duplicates_for_people_with_several_episodes(users, cases, site_a):
    person = cases["a_north"]
    Episode.objects.create(
        service_user=person,
        site=site_a,
        team=person.episodes.first().team,
        specialist=users["specialist"],
        referral_date=date(2016, 1, 1),
    )
    rows = list(scoped_cases(users["specialist"], ServiceUser.objects.all()))
    assert rows == [person]


def test_record_outside_scope_is_404(users, cases):
    from django.http import Http404

    with pytest.raises(Http404):
        get_case_or_404(users["specialist_b"], ServiceUser.objects.all(), pk=cases["a_north"].pk)
    found = get_case_or_404(users["specialist"], ServiceUser.objects.all(), pk=cases["a_north"].pk)
    assert found == cases["a_north"]


def test_a_model_without_scope_cannot_be_read_as_case_data(users):
    from ipsworks.organisation.models import Site

    with pytest.raises(TypeError):
        scoped_cases(users["programme_manager"], Site.objects.all())


def test_ended_membership_gives_no_access(users, cases):
    es = users["specialist"]
    es.memberships.update(end_date=date(2016, 1, 1))
    es = type(es).objects.get(pk=es.pk)  # fresh object: no cached scope
    assert refs(es) == set()
    assert list(visible_sites(es)) == []


def test_anonymous_user_sees_nothing(cases):
    from django.contrib.auth.models import AnonymousUser

    assert scoped_cases(AnonymousUser(), ServiceUser.objects.all()).count() == 0
