"""Out-of-range or malformed month, programme and site parameters never give a 500: the pages
show a clear message (or 404 for an unknown site), the command a clear error."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from ipsworks.outcomes.summaries import rebuild_all

pytestmark = pytest.mark.django_db

BAD_MONTHS = ["0001-01", "9999-12", "1899-12", "2201-01", "2015-00", "-5-01", "20150", "x" * 300]
PAGES = [
    "/outcomes/",
    "/outcomes/report/",
    "/outcomes/site/alpha/",
    "/outcomes/mine/",
]
DOWNLOADS = ["/outcomes/download/table3.csv", "/outcomes/site/alpha/download/monthly.csv"]


@pytest.fixture
def data(rows, site_a, users):
    ep = rows.episode(date(2015, 3, 10), profile=date(2015, 3, 12))
    rows.job(ep, date(2015, 4, 20))
    rebuild_all()
    return users


def _user_for(path, users, specialist):
    return specialist if path == "/outcomes/mine/" else users["programme_manager"]


@pytest.mark.parametrize("month", BAD_MONTHS)
@pytest.mark.parametrize("path", PAGES)
def test_a_bad_month_on_a_page_shows_a_message_not_an_error(client, data, specialist, path, month):
    client.force_login(_user_for(path, data, specialist))
    response = client.get(path, {"month": month})
    assert response.status_code == 200
    assert "Showing the latest figures instead" in response.content.decode()


@pytest.mark.parametrize("month", ["1900-01", "2200-12"])
@pytest.mark.parametrize("path", PAGES)
def test_the_first_and_last_accepted_months_work(client, data, specialist, path, month):
    client.force_login(_user_for(path, data, specialist))
    response = client.get(path, {"month": month})
    assert response.status_code == 200
    assert "Showing the latest figures instead" not in response.content.decode()


@pytest.mark.parametrize("month", BAD_MONTHS)
@pytest.mark.parametrize("path", DOWNLOADS)
def test_a_bad_month_on_a_download_falls_back_to_the_latest_figures(client, data, path, month):
    client.force_login(data["programme_manager"])
    response = client.get(path, {"month": month})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("wanted", ["99999999999999999999999999", "-1", "abc", "0"])
def test_an_unknown_programme_parameter_is_not_an_error(client, data, wanted):
    client.force_login(data["programme_manager"])
    assert client.get("/outcomes/", {"programme": wanted}).status_code in (200, 404)
    assert client.get("/outcomes/settings/", {"programme": wanted}).status_code in (200, 404)


def test_an_unknown_site_is_404(client, data):
    client.force_login(data["programme_manager"])
    assert client.get("/outcomes/site/nowhere/").status_code == 404
    assert client.get("/outcomes/site/nowhere/download/monthly.csv").status_code == 404
    assert client.get("/outcomes/site/alpha/download/monthly.exe").status_code == 404


@pytest.mark.parametrize("option", ["--from", "--to"])
@pytest.mark.parametrize("month", ["0001-01", "9999-12", "1899-12", "2201-01"])
def test_the_command_refuses_out_of_range_months_clearly(data, option, month):
    with pytest.raises(CommandError, match="YYYY-MM|1900|2200"):
        call_command("outcomes", option, month)
