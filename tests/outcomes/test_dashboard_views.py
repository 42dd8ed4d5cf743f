"""Dashboards, downloads and the report: who sees what, and every download format."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipsworks.outcomes.summaries import rebuild_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(rows, site_a, site_b, users):
    for month in range(2, 10):
        for _ in range(3):
            ep = rows.episode(date(2015, month, 10), profile=date(2015, month, 12))
        rows.job(ep, date(2015, month, 20))
    other = rows.episode(date(2015, 11, 2), site=site_b)
    rows.job(other, date(2015, 12, 1))
    rebuild_all()
    return users


def get(client, user, path):
    client.force_login(user)
    return client.get(path)


def test_programme_manager_sees_table3_figures_and_charts(client, data):
    response = get(client, data["programme_manager"], "/outcomes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Table 3: referrals and job starts per site" in html
    assert "<svg" in html and '<title id="figure2-title">' in html
    table = response.context["datasets"]["table3"]
    assert table.rows[0][:3] == ["Alpha", 24, 8]
    assert table.rows[-1][:3] == ["Total", 25, 9]
    assert "33%" in html  # 8 of 24


def test_commissioner_sees_the_dashboard_without_specialist_alerts(client, data):
    response = get(client, data["commissioner"], "/outcomes/")
    assert response.status_code == 200
    assert all(a.kind != "no_employer_contact" for a in response.context["alerts"])


@pytest.mark.parametrize("role", ["specialist", "team_leader", "implementation_manager"])
def test_site_roles_cannot_open_the_programme_dashboard(client, data, role):
    assert get(client, data[role], "/outcomes/").status_code == 404
    assert get(client, data[role], "/outcomes/download/table3.csv").status_code == 404


def test_downloads_in_every_format(client, data):
    client.force_login(data["programme_manager"])
    csv_response = client.get("/outcomes/download/figure2.csv")
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Month",
        "Cumulative job starts",
        "Combined target trajectory",
        "Programme target",
    ]
    assert rows[1][0] == "2015-01"
    xlsx = client.get("/outcomes/download/table3.xlsx")
    assert xlsx.content[:2] == b"PK"
    svg = client.get("/outcomes/download/figure3.svg")
    assert b"<svg" in svg.content and svg["Content-Type"] == "image/svg+xml"
    png = client.get("/outcomes/download/benchmarks.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/outcomes/download/table3.png").status_code == 404  # a table, no chart
    assert client.get("/outcomes/download/nothing.csv").status_code == 404


def test_a_bad_month_gets_a_clear_message_not_an_error(client, data):
    response = get(client, data["programme_manager"], "/outcomes/?month=2015-14")
    assert response.status_code == 200
    assert "is not a month in the form YYYY-MM" in response.content.decode()


def test_choosing_a_month_shows_figures_up_to_then(client, data):
    response = get(client, data["programme_manager"], "/outcomes/?month=2015-04")
    table = response.context["datasets"]["table3"]
    assert table.rows[0][:3] == ["Alpha", 9, 3]
    assert response.context["overview"].as_of == date(2015, 4, 30)


def test_site_dashboard_is_scoped_to_visible_sites(client, data, site_a, site_b):
    assert get(client, data["implementation_manager"], "/outcomes/site/alpha/").status_code == 200
    assert get(client, data["implementation_manager"], "/outcomes/site/beta/").status_code == 404
    assert (
        get(client, data["implementation_manager"], "/outcomes/site/beta/download/monthly.csv")
    ).status_code == 404
    response = get(client, data["commissioner"], "/outcomes/site/beta/")
    assert response.status_code == 200
    assert response.context["outcome"].job_starts == 1


def test_site_dashboard_downloads(client, data):
    client.force_login(data["team_leader"])
    assert client.get("/outcomes/my-site/").url == "/outcomes/site/alpha/"
    response = client.get("/outcomes/site/alpha/download/measures.csv")
    text = response.content.decode("utf-8-sig")
    assert "quarterly_employment_rate" in text and "Job starts" in text


def test_specialist_sees_their_own_figures(client, data, specialist):
    response = get(client, specialist, "/outcomes/mine/")
    assert response.status_code == 200
    values = {row[2]: row[1] for row in response.context["dataset"].rows}
    # the builder assigns every episode (site B too) to this specialist
    assert values["referrals"] == "25" and values["job_starts"] == "9"
    assert get(client, data["commissioner"], "/outcomes/mine/").status_code == 404


def test_printable_report_links_the_print_stylesheet(client, data):
    response = get(client, data["programme_manager"], "/outcomes/report/?month=2015-06")
    html = response.content.decode()
    assert response.status_code == 200
    assert "outcomes/print.css" in html and 'media="print"' in html
    assert "Monthly programme report: June 2015" in html


def _grow(rows, site, n):
    for i in range(n):
        ep = rows.episode(date(2015, 2 + i % 10, 1 + i % 27), profile=date(2015, 12, 28))
        rows.job(ep, date(2015, 12, 29))
        rows.activity(ep, "employer_contact", date(2015, 12, 30))


def test_programme_dashboard_queries_do_not_grow_with_records(client, rows, site_a, users):
    client.force_login(users["programme_manager"])
    _grow(rows, site_a, 5)
    rebuild_all()
    client.get("/outcomes/")  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/outcomes/").status_code == 200
    _grow(rows, site_a, 200)
    rebuild_all()
    with CaptureQueriesContext(connection) as large:
        assert client.get("/outcomes/").status_code == 200
    assert len(small) == len(large)


def test_site_dashboard_lists_specialists_for_managers_not_commissioners(client, data, specialist):
    response = get(client, data["team_leader"], "/outcomes/site/alpha/")
    table = response.context["datasets"]["specialists"]
    mine = next(r for r in table.rows if r[0] == "es-metrics")
    assert mine[3] == 9  # job starts so far (the fixture gives them a site B job too)
    response = get(client, data["commissioner"], "/outcomes/site/alpha/")
    assert "specialists" not in response.context["datasets"]
    assert "es-metrics" not in response.content.decode()


def test_site_dashboard_queries_do_not_grow_with_the_number_of_specialists(
    client, rows, site_a, users, make_user
):
    """The specialists table is grouped by specialist (no query per specialist)."""
    from ipsworks.caseload.models import ActivityKind

    def add_specialist(n):
        es = make_user("specialist", site_a, username=f"es-extra-{n}", start_date=date(2015, 1, 1))
        ep = rows.episode(date(2015, 3, 1), profile=date(2015, 3, 2), specialist=es)
        rows.job(ep, date(2015, 4, 1))
        rows.activity(ep, ActivityKind.APPLICATION, date(2015, 4, 2))

    client.force_login(users["implementation_manager"])
    rebuild_all()
    path = "/outcomes/site/alpha/?month=2015-06"
    client.get(path)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as three:  # the fixtures' specialists at site A
        response = client.get(path)
    assert len(response.context["datasets"]["specialists"].rows) == 3
    for n in range(3):
        add_specialist(n)
    rebuild_all()
    with CaptureQueriesContext(connection) as six:
        response = client.get(path)
    table = response.context["datasets"]["specialists"]
    assert len(table.rows) == 6
    assert next(r for r in table.rows if r[0] == "es-extra-0")[3] == 1  # its job start
    assert len(three) == len(six)


def test_a_role_held_at_one_site_does_not_show_another_sites_specialists(
    client, data, users, site_a, site_b, make_user
):
    """A commissioner who is also a team leader at Alpha sees Beta's dashboard as a
    commissioner: no per-specialist figures there, and no download of them."""
    from ipsworks.accounts.models import Membership

    person = users["commissioner"]
    Membership.objects.create(
        user=person, role="team_leader", site=site_a, programme=site_a.programme
    )
    client.force_login(person)
    assert client.get(f"/outcomes/site/{site_a.slug}/download/specialists.csv").status_code == 200
    assert client.get(f"/outcomes/site/{site_b.slug}/download/specialists.csv").status_code == 404
    assert (
        'data-testid="specialists-table"'
        not in client.get(f"/outcomes/site/{site_b.slug}/").content.decode()
    )
