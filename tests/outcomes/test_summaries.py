"""Monthly summaries stay equal to a recomputation from raw records after any writes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsworks.caseload.models import Activity, Episode, Job
from ipsworks.caseload.signals import records_changed
from ipsworks.outcomes.metrics import MetricScope, Period, compute
from ipsworks.outcomes.models import SUMMARY_FIELDS, MonthlySiteSummary
from ipsworks.outcomes.summaries import compute_site_months, rebuild_all

pytestmark = pytest.mark.django_db

BASE = date(2015, 1, 1)
day = st.integers(min_value=0, max_value=150).map(lambda n: BASE + timedelta(days=n))

op = st.one_of(
    st.tuples(st.just("refer"), day, st.booleans()),
    st.tuples(st.just("engage"), st.integers(0, 20), day),
    st.tuples(st.just("job"), st.integers(0, 20), day, st.sampled_from([2, 3.5, 4, 16])),
    st.tuples(st.just("move_job"), st.integers(0, 20), day),
    st.tuples(st.just("delete_job"), st.integers(0, 20)),
    st.tuples(st.just("activity"), st.integers(0, 20), day, st.booleans()),
    st.tuples(st.just("delete_episode"), st.integers(0, 20)),
)


def snapshot(site):
    rows = MonthlySiteSummary.objects.filter(site=site).values("month", *SUMMARY_FIELDS)
    return {r.pop("month"): r for r in rows}


def expected(site):
    return {m: c for m, c in compute_site_months(site.pk).items() if any(c.values())}


def apply(rows, site, operation):
    """One write of the kind the caseload services make, then the signal they send."""
    kind = operation[0]
    episodes = list(Episode.objects.filter(site=site).order_by("id"))
    jobs = list(Job.objects.filter(site=site).order_by("id"))
    dates = []
    if kind == "refer":
        person = rows.person() if not episodes or operation[2] else episodes[0].service_user
        rows.episode(operation[1], person=person, in_work=operation[2])
        dates = [operation[1]]
    elif kind == "engage" and episodes:
        ep = episodes[operation[1] % len(episodes)]
        dates = [ep.profile_started, operation[2]]
        ep.profile_started = operation[2]
        ep.save()
    elif kind == "job" and episodes:
        ep = episodes[operation[1] % len(episodes)]
        rows.job(ep, operation[2], hours=operation[3])
        dates = [operation[2]]
    elif kind == "move_job" and jobs:
        job = jobs[operation[1] % len(jobs)]
        dates = [job.start_date, operation[2]]
        job.start_date = operation[2]
        job.hours_per_week = Decimal("4") if job.hours_per_week < 4 else Decimal("2")
        job.save()
    elif kind == "delete_job" and jobs:
        job = jobs[operation[1] % len(jobs)]
        dates = [job.start_date]
        job.delete()
    elif kind == "activity" and episodes:
        ep = episodes[operation[1] % len(episodes)]
        rows.activity(ep, "employer_contact" if operation[3] else "application", operation[2])
        dates = [operation[2]]
    elif kind == "delete_episode" and episodes:
        ep = episodes[operation[1] % len(episodes)]
        dates = [ep.referral_date, ep.profile_started]
        dates += list(ep.jobs.values_list("start_date", flat=True))
        dates += list(ep.activities.values_list("date", flat=True))
        ep.delete()
    else:
        return
    records_changed.send(sender=Episode, site=site, dates=dates)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op, min_size=1, max_size=12))
def test_summaries_equal_a_recomputation_after_random_writes(rows, site_a, ops):
    with transaction.atomic():
        for operation in ops:
            apply(rows, site_a, operation)
        assert snapshot(site_a) == expected(site_a)
        transaction.set_rollback(True)


def test_summary_columns_equal_the_metrics_of_the_same_key(rows, site_a):
    ep = rows.episode(date(2015, 1, 5), profile=date(2015, 2, 1), in_work=True)
    rows.job(ep, date(2015, 2, 3), hours=2)
    rows.job(ep, date(2015, 3, 3), hours=20)
    rows.activity(ep, "employer_contact", date(2015, 2, 9))
    records_changed.send(sender=Episode, site=site_a, dates=[date(2015, 1, 5)])
    scope = MetricScope.for_site(site_a)
    by_month = snapshot(site_a)
    for month in (date(2015, 1, 1), date(2015, 2, 1), date(2015, 3, 1)):
        period = Period.month(month.year, month.month)
        row = by_month[month]
        for key in ("referrals", "people_engaged", "job_starts", "people_into_work"):
            assert row[key] == compute(key, scope=scope, period=period).value, (month, key)
    assert by_month[date(2015, 2, 1)]["people_into_work"] == 0
    assert by_month[date(2015, 3, 1)]["people_into_work"] == 1
    assert by_month[date(2015, 1, 1)]["referrals_in_work"] == 1


def test_rebuild_summaries_command_recreates_rows_from_scratch(rows, site_a, capsys):
    ep = rows.episode(date(2015, 1, 5))
    rows.job(ep, date(2015, 4, 1))
    MonthlySiteSummary.objects.create(site=site_a, month=date(2014, 1, 1), referrals=99)
    call_command("rebuild_summaries")
    assert snapshot(site_a) == expected(site_a)
    assert not MonthlySiteSummary.objects.filter(month=date(2014, 1, 1)).exists()
    assert "2 monthly summary rows" in capsys.readouterr().out


def test_rebuild_all_for_one_site_keeps_other_sites(rows, site_a, site_b):
    MonthlySiteSummary.objects.create(site=site_b, month=date(2015, 1, 1), referrals=3)
    rows.episode(date(2015, 1, 5))
    rebuild_all([site_a])
    assert MonthlySiteSummary.objects.get(site=site_b).referrals == 3
    assert Activity.objects.count() == 0
