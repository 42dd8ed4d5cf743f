"""Property: the database query classifies any end date exactly as the written rule says."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsworks.core.dates import add_months
from ipsworks.funding.models import Post
from ipsworks.funding.selectors import ENDED_NO_SUCCESSOR, ENDING_SOON, funding_alerts

pytestmark = pytest.mark.django_db


def expected(as_of: date, end: date) -> str | None:
    if end < as_of:
        return ENDED_NO_SUCCESSOR
    if end <= add_months(as_of, 6):
        return ENDING_SOON
    return None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    as_of=st.dates(min_value=date(2016, 1, 1), max_value=date(2035, 12, 31)),
    offset=st.integers(min_value=-40, max_value=230),
)
def test_alert_kind_matches_the_rule_for_any_date(site_a, as_of, offset):
    Post.objects.all().delete()
    end = as_of + timedelta(days=offset)
    Post.objects.create(
        site=site_a, role="specialist", fte=1, funding_type="grant",
        start_date=date(2015, 1, 1), end_date=end,
    )  # fmt: skip
    kinds = [a.kind for a in funding_alerts(as_of=as_of)]
    assert kinds == ([expected(as_of, end)] if expected(as_of, end) else [])
