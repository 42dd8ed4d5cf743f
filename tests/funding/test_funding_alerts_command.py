"""`ipsworks funding_alerts [--as-of]` prints the alerts and exits 0."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("funding_alerts", *args, stdout=out)
    return out.getvalue()


def test_prints_alerts_on_the_given_date(site_a, make_post):
    make_post(site_a, title="Alpha post", end_date=date(2026, 9, 15))
    output = run("--as-of", "2026-03-15")
    assert "Funding alerts on 2026-03-15 (ending 2026-03-15 to 2026-09-15" in output
    assert "Alpha\tFunding ends soon\tAlpha post\t1 FTE\tGrant\tends 2026-09-15" in output
    assert run("--as-of", "2026-03-14").splitlines()[0].endswith(": 0")


def test_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="not a date in the form YYYY-MM-DD"):
        run("--as-of", "15/03/2026")
