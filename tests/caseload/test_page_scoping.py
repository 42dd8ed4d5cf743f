"""Every caseload page and form respects site scoping: out of scope is a 404 and changes nothing.
Commissioners, reviewers and evaluators see no person's record at all."""

from datetime import date

import pytest

from ipsworks.caseload import services
from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser

pytestmark = pytest.mark.django_db

OUTSIDERS = ["specialist_b", "specialist_south", "commissioner", "reviewer", "evaluator"]


@pytest.fixture
def records(users, episode_a, job_a):
    services.record_activity(
        actor=users["specialist"],
        episode=episode_a,
        kind="application",
        date=date(2016, 3, 20),
    )
    return {"person": episode_a.service_user, "episode": episode_a, "job": job_a}


def page_urls(r):
    p, e, j = r["person"].pk, r["episode"].pk, r["job"].pk
    return [
        f"/caseload/people/{p}/",
        f"/caseload/people/{p}/edit/",
        f"/caseload/people/{p}/new-referral/",
        f"/caseload/people/{p}/remove/",
        f"/caseload/referrals/{e}/edit/",
        f"/caseload/referrals/{e}/discharge/",
        f"/caseload/jobs/{j}/edit/",
    ]


def form_posts(r):
    p, e, j = r["person"].pk, r["episode"].pk, r["job"].pk
    return [
        (f"/caseload/referrals/{e}/log/application/", {"application-date": "2016-04-01"}),
        (
            f"/caseload/referrals/{e}/log/",
            {"other-kind": "in_work_support", "other-date": "2016-04-01"},
        ),
        (
            f"/caseload/referrals/{e}/log/employer_contact/",
            {"employer_contact-date": "2016-04-01"},
        ),
        (
            f"/caseload/referrals/{e}/jobs/new/",
            {
                "job-start_date": "2016-04-05",
                "job-employer": "E",
                "job-job_title": "T",
                "job-hours_per_week": "10",
                "job-hourly_pay": "8",
            },
        ),
        (
            f"/caseload/jobs/{j}/end/",
            {
                f"end{j}-version": "1",
                f"end{j}-end_date": "2016-06-01",
                f"end{j}-end_reason": "resigned",
            },
        ),
        (f"/caseload/people/{p}/edit/", {"version": "1", "reference": "HACKED1"}),
        (
            f"/caseload/referrals/{e}/edit/",
            {"version": "1", "referral_date": "2016-03-02", "employment_status": "out_of_work"},
        ),
        (
            f"/caseload/referrals/{e}/discharge/",
            {"version": "1", "discharge_date": "2016-09-01", "discharge_reason": "moved"},
        ),
        (f"/caseload/people/{p}/remove/", {"reason": "x", "confirm": "on"}),
    ]


def state():
    return (
        list(ServiceUser.objects.values_list("reference", "version")),
        list(Episode.objects.values_list("discharge_date", "referral_date", "version")),
        Job.objects.filter(end_date__isnull=False).count() + Job.objects.count(),
        Activity.objects.count(),
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_page_of_someone_elses_record(client, users, records, who):
    client.force_login(users[who])
    for url in page_urls(records):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_write_through_any_form(client, users, records, who):
    client.force_login(users[who])
    before = state()
    for url, data in form_posts(records):
        assert client.post(url, data).status_code == 404, url
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 404, url
    assert state() == before


def test_the_owner_opens_every_page(client, users, records):
    client.force_login(users["specialist"])
    for url in page_urls(records):
        expected = 404 if url.endswith("/remove/") else 200  # removal is for administrators
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("who", ["commissioner", "reviewer", "evaluator"])
def test_aggregate_roles_have_no_caseload_pages(client, users, records, who):
    client.force_login(users[who])
    for url in [
        "/caseload/people/",
        "/caseload/refer/",
        "/caseload/supervision/",
        "/caseload/sites/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get("/caseload/sites/alpha/").status_code == 404


def test_caseload_list_shows_only_the_users_own_records(client, users, records, episode_b):
    client.force_login(users["specialist_b"])
    page = client.get("/caseload/people/").content.decode()
    assert "B001" in page and "A001" not in page
    own_link = f"/caseload/people/{records['person'].pk}/"
    assert own_link not in client.get("/caseload/people/?q=A001").content.decode()


def test_team_leader_cannot_open_another_sites_supervision_or_site_view(client, users, site_b):
    client.force_login(users["team_leader"])
    assert client.get("/caseload/supervision/?site=beta").status_code == 404
    client.force_login(users["implementation_manager"])
    assert client.get("/caseload/sites/beta/").status_code == 404
    assert client.get("/caseload/sites/alpha/").status_code == 200


def test_referral_form_cannot_put_someone_on_another_sites_caseload(client, users, site_b):
    client.force_login(users["specialist"])
    response = client.post(
        "/caseload/refer/?site=beta",
        {"reference": "Z1", "referral_date": "2016-01-01", "employment_status": "out_of_work"},
    )
    assert response.status_code == 302  # saved, but at the user's own site only
    assert ServiceUser.objects.get(reference="Z1").site.slug == "alpha"
