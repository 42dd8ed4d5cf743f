"""The count metrics and the monthly summary tables share one set of counting rules
(metrics.COUNT_RULES): the grouped monthly counts equal the per-period counts and metrics."""

from datetime import date

import pytest

from ipsworks.caseload.models import ActivityKind as K
from ipsworks.outcomes.metrics import (
    COUNT_RULES,
    MetricScope,
    Period,
    compute,
    counts_by_month,
)
from ipsworks.outcomes.models import SUMMARY_FIELDS
from ipsworks.outcomes.summaries import compute_site_months

pytestmark = pytest.mark.django_db

MONTHS = [date(2015, m, 1) for m in range(1, 13)]


@pytest.fixture
def mixed(rows, site_a, site_b, specialist, make_user):
    other = make_user("specialist", site_a, username="es-other", start_date=date(2015, 1, 1))
    for i in range(10):
        ep = rows.episode(
            date(2015, 1 + i % 5, 2 + i),
            profile=None if i % 3 == 0 else date(2015, 2 + i % 5, 1),
            in_work=i % 4 == 0,
            specialist=other if i % 2 else specialist,
        )
        rows.job(ep, date(2015, 3 + i % 6, 5), hours=3 if i % 5 == 0 else 12, competitive=i % 3 > 0)
        if i % 2:
            rows.job(ep, date(2015, 7 + i % 4, 9))
        rows.activity(ep, K.APPLICATION, date(2015, 4 + i % 3, 7))
        rows.activity(ep, K.EMPLOYER_CONTACT, date(2015, 5, 1 + i), specialist=other)
        rows.activity(ep, K.IN_WORK_SUPPORT, date(2015, 6, 1 + i))
    rows.job(rows.episode(date(2015, 2, 2), site=site_b), date(2015, 3, 3))
    return [specialist, other]


def _scopes(site_a, people):
    team = site_a.teams.order_by("name").first()
    return [
        MetricScope.for_site(site_a),
        MetricScope.for_programme(site_a.programme),
        MetricScope.for_team(team),
        *[MetricScope.for_specialist(p) for p in people],
    ]


def test_monthly_counts_equal_the_count_rule_for_each_month(mixed, site_a):
    for scope in _scopes(site_a, mixed):
        grouped = counts_by_month(scope)
        for month in MONTHS:
            period = Period.month(month.year, month.month)
            for key, rule in COUNT_RULES.items():
                expected = rule.count(scope, period)
                assert grouped.get(month, {}).get(key, 0) == expected, (scope, month, key)
    assert any(counts_by_month(MetricScope.for_site(site_a)).values())


def test_count_metrics_are_the_count_rules(mixed, site_a):
    scope = MetricScope.for_site(site_a)
    grouped = counts_by_month(scope)
    for month in MONTHS:
        period = Period.month(month.year, month.month)
        row = grouped.get(month, {})
        for key in ("referrals", "people_engaged", "job_starts", "people_into_work"):
            assert row.get(key, 0) == compute(key, scope=scope, period=period).value
        share = compute("in_work_referral_share", scope=scope, period=period)
        assert (share.numerator, share.denominator) == (
            row.get("referrals_in_work", 0),
            row.get("referrals", 0),
        )


def test_site_summaries_are_the_metrics_monthly_counts(mixed, site_a):
    scope = MetricScope.for_site(site_a)
    assert compute_site_months(site_a.pk) == counts_by_month(scope, keys=SUMMARY_FIELDS)
    since = date(2015, 5, 1)
    later = compute_site_months(site_a.pk, since)
    assert later and min(later) >= since
    assert later == {m: c for m, c in counts_by_month(scope).items() if m >= since}


def test_monthly_counts_take_a_fixed_number_of_queries(
    mixed, site_a, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        counts_by_month(MetricScope.for_site(site_a))
