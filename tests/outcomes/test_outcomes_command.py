"""`ipsworks outcomes` prints one row per site plus a total, a column per metric key."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from ipsworks.outcomes.summaries import rebuild_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(rows, site_a, site_b):
    for month in (2, 3, 4):
        for _ in range(3):
            ep = rows.episode(date(2015, month, 10))
        rows.job(ep, date(2015, month, 20))
    other = rows.episode(date(2015, 11, 2), site=site_b)
    rows.job(other, date(2015, 12, 1))
    rebuild_all()


def run(*args):
    out = io.StringIO()
    call_command("outcomes", *args, stdout=out)
    return out.getvalue()


def test_json_has_a_row_per_site_and_a_total(data):
    rows = json.loads(run("--format", "json"))
    assert [r["site"] for r in rows] == ["Alpha", "Beta", "Total"]
    alpha, beta, total = rows
    assert (alpha["referrals"], alpha["job_starts"], alpha["job_start_rate"]) == (9, 3, 0.3333)
    assert (beta["referrals"], beta["job_starts"]) == (1, 1)
    assert (total["referrals"], total["job_starts"], total["target_job_starts"]) == (10, 4, 120)
    for key in ("people_into_work", "target_job_starts", "status"):
        assert key in alpha
    assert alpha["status"] == "far_behind"


def test_csv_and_site_and_month_filters(data):
    text = run("--format", "csv", "--site", "alpha", "--from", "2015-03", "--to", "2015-03")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["site"] for r in rows] == ["Alpha", "Total"]
    assert (rows[0]["referrals"], rows[0]["job_starts"]) == ("3", "1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2015-13"], "not a month"),
        (["--site", "nowhere"], "No site"),
        (["--from", "2015-05", "--to", "2015-04"], "--to must not be before --from"),
    ],
)
def test_bad_arguments_get_a_clear_message(data, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
