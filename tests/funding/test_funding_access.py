"""Who sees which site's posts: own site for site staff (404 elsewhere), the programme for the
programme manager, commissioners and evaluators, nothing for fidelity reviewers."""

from datetime import date

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(site_a, site_b, make_post):
    return {
        "a": make_post(site_a, title="Alpha North post", end_date=date(2016, 7, 28)),
        "b": make_post(site_b, title="Beta council post", funding_type="local_authority"),
    }


@pytest.mark.parametrize("who", ["specialist", "team_leader", "implementation_manager"])
def test_site_staff_see_their_own_sites_posts_and_get_404_for_another_site(
    client, users, posts, who
):
    client.force_login(users[who])
    own = client.get("/funding/sites/alpha/")
    assert own.status_code == 200
    assert "Alpha North post" in own.content.decode()
    assert client.get("/funding/sites/beta/").status_code == 404
    assert client.get("/funding/sites/beta/posts/add/").status_code == 404
    dashboard = client.get("/funding/").content.decode()
    assert "Alpha North post" in dashboard and "Beta council post" not in dashboard


@pytest.mark.parametrize("who", ["programme_manager", "administrator", "evaluator"])
def test_programme_roles_see_every_sites_posts(client, users, posts, who):
    client.force_login(users[who])
    for slug, title in [("alpha", "Alpha North post"), ("beta", "Beta council post")]:
        page = client.get(f"/funding/sites/{slug}/")
        assert page.status_code == 200 and title in page.content.decode()


def test_commissioner_sees_funding_status_and_alerts_across_the_programme(
    client, users, posts, site_a
):
    from ipsworks.funding.models import SiteFunding

    SiteFunding.objects.create(site=site_a, status="partly_continued", notes="Kept two posts.")
    client.force_login(users["commissioner"])
    page = client.get("/funding/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Partly continued" in body
    assert "Ended, not continued" in body  # the Alpha post ended in 2016 with no successor
    assert "Alpha" in body and "Beta" in body
    site_page = client.get("/funding/sites/alpha/").content.decode()
    assert "Kept two posts." in site_page
    # Organisational engagement notes stay internal to the programme and site teams.
    assert 'data-testid="funding-stakeholders"' not in site_page


def test_commissioner_and_site_readers_cannot_change_posts(client, users, posts):
    client.force_login(users["commissioner"])
    assert client.get("/funding/sites/alpha/posts/add/").status_code == 403
    client.force_login(users["specialist"])
    assert client.get(f"/funding/sites/alpha/posts/{posts['a'].pk}/").status_code == 403


def test_fidelity_reviewer_has_no_funding_pages(client, users, posts):
    client.force_login(users["reviewer"])
    assert client.get("/funding/").status_code == 404
    assert client.get("/funding/sites/alpha/").status_code == 404


def test_implementation_manager_cannot_reach_another_sites_post_through_their_own_site(
    client, users, posts
):
    client.force_login(users["implementation_manager"])
    assert client.get(f"/funding/sites/alpha/posts/{posts['b'].pk}/").status_code == 404


def test_funding_menu_entry_is_offered_to_readers_only(client, users):
    client.force_login(users["programme_manager"])
    assert 'href="/funding/"' in client.get("/").content.decode()
    client.force_login(users["reviewer"])
    assert 'href="/funding/"' not in client.get("/").content.decode()


def test_dashboard_checks_alerts_on_another_date_and_explains_a_bad_one(client, users, site_a,
                                                                         make_post):  # fmt: skip
    make_post(site_a, title="Future risk", end_date=date(2031, 4, 30))
    client.force_login(users["programme_manager"])

    def alerts(html):
        start = html.index('data-testid="funding-alerts"')
        return html[start : html.index("</table>", start)]

    assert "Future risk" not in alerts(client.get("/funding/").content.decode())
    later = client.get("/funding/?as_of=2031-01-01").content.decode()
    assert "Future risk" in alerts(later) and "Checked on, 1 Jan 2031" in later
    bad = client.get("/funding/?as_of=next-year")
    assert bad.status_code == 200
    assert "is not a date: showing today" in bad.content.decode()


def test_evaluator_reads_the_stakeholder_map_but_changes_nothing(client, users, site_a):
    from ipsworks.funding.models import Stakeholder

    Stakeholder.objects.create(site=site_a, kind="employers", organisation="Alpha employers")
    client.force_login(users["evaluator"])
    assert "Alpha employers" in client.get("/funding/sites/alpha/").content.decode()
    assert client.get("/funding/sites/alpha/stakeholders/add/").status_code == 403
    assert client.get("/funding/sites/alpha/status/").status_code == 403
