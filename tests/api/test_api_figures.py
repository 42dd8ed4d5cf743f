"""The API's figures are the ones the dashboards and the outcomes command show."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from ipsworks.outcomes.summaries import rebuild_all
from tests.outcomes.conftest import Rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(site_a, site_b, make_user):
    team = site_a.teams.order_by("name").first()
    specialist = make_user("specialist", site_a, team, start_date=date(2015, 1, 1))
    rows = Rows(site_a, specialist)
    for month in (2, 3, 4):
        for _ in range(3):
            ep = rows.episode(date(2015, month, 10), profile=date(2015, month, 12))
        rows.job(ep, date(2015, month, 20))
    other = rows.episode(date(2015, 11, 2), site=site_b)
    rows.job(other, date(2015, 12, 1))
    rebuild_all()


def command_rows(*args):
    out = io.StringIO()
    call_command("outcomes", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_programme_outcomes_are_the_outcomes_command_s_rows(api, users, data):
    body = api(users["commissioner"], "/api/v1/outcomes/").json()
    assert body["rows"] == command_rows()
    assert [r["site"] for r in body["rows"]] == ["Alpha", "Beta", "Total"]
    assert body["rows"][0]["referrals"] == 9


def test_a_month_window_narrows_the_counts_as_the_command_does(api, users, data):
    body = api(
        users["programme_manager"], "/api/v1/outcomes/", **{"from": "2015-03", "to": "2015-03"}
    ).json()
    assert (body["from"], body["to"]) == ("2015-03", "2015-03")
    assert body["rows"] == command_rows("--from", "2015-03", "--to", "2015-03")
    assert (body["rows"][0]["referrals"], body["rows"][0]["job_starts"]) == (3, 1)


def test_site_outcomes_give_the_site_row_and_its_months(api, users, data):
    body = api(users["implementation_manager"], "/api/v1/sites/alpha/outcomes/").json()
    assert body["figures"] == command_rows("--site", "alpha")[0]
    by_month = {m["month"]: m for m in body["months"]}
    assert (by_month["2015-02"]["referrals"], by_month["2015-02"]["job_starts"]) == (3, 1)
    assert sum(m["referrals"] for m in body["months"]) == body["figures"]["referrals"]


def test_site_measures_are_the_metric_definitions_results(api, users, data, site_a):
    from ipsworks.outcomes.metrics import REGISTRY, MetricScope, Period, compute

    body = api(
        users["implementation_manager"], "/api/v1/sites/alpha/measures/", to="2015-06"
    ).json()
    assert (body["from"], body["to"]) == (None, "2015-06")
    assert (body["period_start"], body["period_end"]) == ("2015-01-28", "2015-06-30")
    measures = {m["key"]: m for m in body["measures"]}
    assert measures["referrals"]["value"] == 9
    assert measures["job_start_rate"]["numerator"] == 3
    assert measures["job_start_rate"]["denominator"] == 9
    for key, m in measures.items():
        period = Period(date.fromisoformat(m["from"]), date.fromisoformat(m["to"]))
        expected = compute(key, scope=MetricScope.for_site(site_a), period=period)
        assert m["value"] == pytest.approx(
            float(expected.value) if expected.value is not None else None
        ), key
        assert m["label"] == REGISTRY[key].label
        assert m["definition"] == REGISTRY[key].description


def test_the_quarterly_rate_is_counted_over_the_last_complete_quarter(api, users, data):
    body = api(
        users["implementation_manager"], "/api/v1/sites/alpha/measures/", to="2015-05"
    ).json()
    quarterly = next(m for m in body["measures"] if m["key"] == "quarterly_employment_rate")
    assert (quarterly["from"], quarterly["to"]) == ("2015-01-01", "2015-03-31")


def test_programme_measures_cover_every_site(api, users, data):
    body = api(users["programme_manager"], "/api/v1/measures/").json()
    referrals = next(m for m in body["measures"] if m["key"] == "referrals")
    assert referrals["value"] == 10


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "2015-13"}, "'from': '2015-13' is not a month in the form YYYY-MM."),
        ({"to": "March"}, "'to': 'March' is not a month in the form YYYY-MM."),
        ({"from": "2015-05", "to": "2015-03"}, "'to' must not be before 'from'."),
        ({"to": "0001-01"}, "'to': '0001-01' is outside the years 1900 to 2200"),
    ],
)
def test_bad_months_get_a_400_that_says_what_is_wrong(api, users, data, params, message):
    for path in ("/api/v1/outcomes/", "/api/v1/measures/", "/api/v1/sites/alpha/measures/"):
        response = api(users["programme_manager"], path, **params)
        assert response.status_code == 400, path
        assert response.json()["error"].startswith(message)


def test_measures_count_only_days_with_figures_as_the_dashboard_does(api, users, data):
    # Alpha's implementation period runs from 28 January 2015 to 27 July 2016.
    im = users["implementation_manager"]
    late = api(im, "/api/v1/sites/alpha/measures/", to="2017-12").json()
    default = api(im, "/api/v1/sites/alpha/measures/").json()
    assert (late["period_start"], late["period_end"]) == ("2015-01-28", "2016-07-27")
    assert late["measures"] == default["measures"]
    early = api(im, "/api/v1/sites/alpha/measures/", **{"from": "2014-01"}).json()
    assert early["period_start"] == "2015-01-28"


@pytest.mark.parametrize("params", [{"from": "2200-12"}, {"to": "1900-01"}])
def test_a_window_with_no_figures_says_when_figures_exist(api, users, data, params):
    for path in ("/api/v1/measures/", "/api/v1/sites/alpha/measures/"):
        response = api(users["programme_manager"], path, **params)
        assert response.status_code == 400
        assert response.json()["error"].startswith("No figures in the months chosen")
