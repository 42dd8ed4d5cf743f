"""The caseload list: groups, search by ID, sorting, pages, and a constant number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser

pytestmark = pytest.mark.django_db


def make_caseload(site, specialist, n, *, prefix="P"):
    people = ServiceUser.objects.bulk_create(
        [ServiceUser(site=site, reference=f"{prefix}{i:03d}") for i in range(n)]
    )
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                service_user=p,
                site=site,
                specialist=specialist,
                referral_date=date(2016, 1, 1) + timedelta(days=i),
                profile_started=date(2016, 2, 1) + timedelta(days=i) if i % 3 else None,
                discharge_date=date(2016, 9, 1) if i % 7 == 0 else None,
                discharge_reason="moved" if i % 7 == 0 else "",
            )
            for i, p in enumerate(people)
        ]
    )
    Activity.objects.bulk_create(
        [
            Activity(episode=e, site=site, kind="application", date=date(2016, 8, 1))
            for e in episodes
        ]
    )
    Job.objects.bulk_create(
        [
            Job(
                episode=e,
                site=site,
                start_date=date(2016, 8, 1),
                employer="E",
                job_title="T",
                hours_per_week=10,
                hourly_pay=8,
            )
            for i, e in enumerate(episodes)
            if i % 5 == 1
        ]
    )
    return episodes


def count_queries(client, url):
    """The page's own queries. (A first request moves the session's expiry on, which happens
    at most once a minute, whichever page that falls on: it is made first, uncounted.)"""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/caseload/people/", "/caseload/people/?stage=engaged&sort=-activity"]
)
def test_caseload_list_runs_the_same_number_of_queries_for_10_and_100_rows(
    client, users, site_a, make_user, url
):
    small = make_user("specialist", site_a, username="small")
    large = make_user("specialist", site_a, username="large")
    make_caseload(site_a, small, 10, prefix="S")
    make_caseload(site_a, large, 100, prefix="L")
    client.force_login(small)
    few = count_queries(client, url)
    client.force_login(large)
    many = count_queries(client, url)
    assert few == many


def test_site_and_supervision_views_query_count_does_not_grow_with_rows(
    client, users, site_a, make_user
):
    small = make_user("specialist", site_a, username="small")
    make_caseload(site_a, small, 10, prefix="S")
    client.force_login(users["implementation_manager"])
    urls = ["/caseload/sites/alpha/", "/caseload/supervision/?until=2016-08-10"]
    before = [count_queries(client, u) for u in urls]
    make_caseload(site_a, small, 90, prefix="M")
    assert [count_queries(client, u) for u in urls] == before


def test_caseload_is_grouped_with_counts(client, users, site_a):
    make_caseload(site_a, users["specialist"], 21)
    client.force_login(users["specialist"])
    page = client.get("/caseload/people/").content.decode()
    # P000, P007, P014 are discharged; P001, P006, P011, P016 hold a job; of the rest, those
    # without a vocational profile (P003, P009, P012, P015, P018) are only referred.
    assert "Discharged: 3" in page
    assert "In work: 4" in page
    assert "Referred: 5" in page
    assert "Engaged and job seeking: 9" in page
    discharged = client.get("/caseload/people/?stage=discharged").content.decode()
    assert "P000" in discharged and "P001" not in discharged


def test_search_finds_a_person_by_part_of_their_id(client, users, site_a):
    make_caseload(site_a, users["specialist"], 12)
    client.force_login(users["specialist"])
    page = client.get("/caseload/people/?q=011").content.decode()
    assert "P011" in page and "P010" not in page


def test_sorting_and_pages(client, users, site_a):
    make_caseload(site_a, users["specialist"], 30)
    client.force_login(users["specialist"])
    first = client.get("/caseload/people/?sort=id").content.decode()
    assert "P000" in first and "P029" not in first  # 25 a page
    assert 'aria-sort="ascending"' in first
    second = client.get("/caseload/people/?sort=id&page=2").content.decode()
    assert "P029" in second and "P000" not in second
    newest = client.get("/caseload/people/?sort=-referred").content.decode()
    assert newest.index("P029") < newest.index("P028")


def test_specialist_filter_offers_only_current_specialists_in_the_users_scope(
    client, users, site_a, make_user
):
    north = users["specialist"].memberships.get().team
    make_user(
        "specialist",
        site_a,
        north,
        username="a.left",
        start_date=date(2015, 1, 1),
        end_date=date(2016, 1, 31),
    )
    client.force_login(users["implementation_manager"])
    offered = [u.username for u in client.get("/caseload/people/").context["specialists"]]
    assert "a.es1" in offered and "a.es2" in offered
    assert "a.left" not in offered
    assert "b.es1" not in offered
    client.force_login(users["team_leader"])
    page = client.get("/caseload/people/")
    offered = [u.username for u in page.context["specialists"]]
    assert offered == ["a.es1"]
    assert "a.es2" not in page.content.decode()
