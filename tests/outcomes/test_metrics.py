"""Each metric against hand-worked cases: second jobs, jobs under 4 hours, in-work referrals,
jobs spanning quarters and discharged clients."""

from datetime import date

import pytest

from ipsworks.outcomes.metrics import REGISTRY, MetricScope, Period, compute
from ipsworks.outcomes.stats import wilson_interval

pytestmark = pytest.mark.django_db

Y2015 = Period(date(2015, 1, 1), date(2015, 12, 31))
Q1 = Period.quarter_of(date(2015, 2, 10))
Q2 = Period.quarter_of(date(2015, 5, 10))


def value(key, site, period=Y2015):
    return compute(key, scope=MetricScope.for_site(site), period=period).value


def test_every_metric_documents_its_counting_rule():
    for key, entry in REGISTRY.items():
        assert entry.label and entry.unit, key
        assert "period" in entry.description.lower(), key
        assert len(entry.description) > 80, key


def test_quarters_are_calendar_quarters():
    assert Period(date(2015, 1, 1), date(2015, 3, 31)) == Q1
    assert Period(date(2015, 4, 1), date(2015, 6, 30)) == Q2
    with pytest.raises(ValueError):
        Period(date(2015, 2, 1), date(2015, 1, 1))
    with pytest.raises(ValueError):
        MetricScope()


def test_referrals_count_episodes_in_the_period_including_re_referrals(rows, site_a, site_b):
    first = rows.episode(date(2015, 2, 1), discharged=date(2015, 3, 1))
    rows.episode(date(2015, 6, 1), person=first.service_user)  # re-referred: counts again
    rows.episode(date(2014, 12, 31))  # before the period
    rows.episode(date(2015, 5, 1), site=site_b)  # another site
    assert value("referrals", site_a) == 2
    assert value("referrals", site_b) == 1
    assert (
        compute("referrals", scope=MetricScope.for_programme(site_a.programme), period=Y2015).value
        == 3
    )


def test_people_engaged_counts_profiles_started_in_the_period(rows, site_a):
    rows.episode(date(2014, 12, 1), profile=date(2015, 1, 5))  # referred before, engaged in
    rows.episode(date(2015, 3, 1), profile=date(2016, 1, 2))  # engaged after the period
    rows.episode(date(2015, 3, 1))  # never engaged
    assert value("people_engaged", site_a) == 1


def test_active_caseload_excludes_discharged_and_not_engaged(rows, site_a):
    rows.episode(date(2015, 1, 5), profile=date(2015, 1, 10))  # active all year
    rows.episode(date(2015, 1, 5), profile=date(2015, 1, 10), discharged=date(2015, 2, 1))
    rows.episode(date(2015, 3, 5))  # never engaged
    # Q1: both engaged people were on the caseload; Q2: the discharged one is gone.
    assert value("active_caseload", site_a, Q1) == 2
    assert value("active_caseload", site_a, Q2) == 1
    # Point in time: 1 February still includes the person discharged that day.
    assert value("active_caseload", site_a, Period(date(2015, 2, 1), date(2015, 2, 1))) == 2


def test_job_starts_count_every_job_including_second_and_short_jobs(rows, site_a):
    ep = rows.episode(date(2015, 1, 5), profile=date(2015, 1, 10))
    rows.job(ep, date(2015, 2, 1), hours=2)  # under 4 hours: still a job start
    rows.job(ep, date(2015, 3, 1), hours=16)  # second job
    rows.job(ep, date(2015, 4, 1), hours=10)  # third, concurrent part-time
    rows.job(ep, date(2016, 1, 1), hours=10)  # outside the period
    assert value("job_starts", site_a) == 3


def test_people_into_work_counts_first_job_of_4_hours_once(rows, site_a):
    a = rows.episode(date(2015, 1, 5))
    rows.job(a, date(2015, 2, 1), hours=3.5)  # under 4 hours: ignored
    rows.job(a, date(2015, 3, 1), hours=4)  # first job of 4+ hours: counts, in March
    rows.job(a, date(2015, 5, 1), hours=20)  # second job: not counted again
    b = rows.episode(date(2015, 1, 5))
    rows.job(b, date(2015, 2, 1), hours=30)
    # b re-referred later and finds another job: still only their first job counts
    b2 = rows.episode(date(2015, 8, 1), person=b.service_user)
    rows.job(b2, date(2015, 9, 1), hours=30)
    assert value("people_into_work", site_a) == 2
    assert value("people_into_work", site_a, Period.month(2015, 2)) == 1  # only b
    assert value("people_into_work", site_a, Period.month(2015, 3)) == 1  # a, on the 4h job
    assert value("people_into_work", site_a, Period.month(2015, 9)) == 0
    assert value("job_starts", site_a) == 5


def test_job_start_rate_is_job_starts_per_referral(rows, site_a):
    for _ in range(4):
        rows.episode(date(2015, 1, 5))
    ep = rows.episode(date(2015, 1, 5))
    rows.job(ep, date(2015, 2, 1))
    rows.job(ep, date(2015, 3, 1))
    result = compute("job_start_rate", scope=MetricScope.for_site(site_a), period=Y2015)
    assert (result.numerator, result.denominator, result.value) == (2, 5, 0.4)
    assert value("job_start_rate", site_a, Period.month(2016, 1)) is None  # no referrals


def test_out_of_work_employment_rate_excludes_in_work_referrals(rows, site_a):
    out1 = rows.episode(date(2015, 1, 5), profile=date(2015, 1, 6))
    rows.job(out1, date(2015, 3, 1), hours=10)
    rows.episode(date(2015, 1, 5), profile=date(2015, 1, 6))  # out of work, no job
    short = rows.episode(date(2015, 1, 5), profile=date(2015, 1, 6))
    rows.job(short, date(2015, 3, 1), hours=2)  # under 4 hours: not into work
    retained = rows.episode(date(2015, 1, 5), profile=date(2015, 1, 6), in_work=True)
    rows.job(retained, date(2015, 3, 1), hours=30)  # in-work referral: excluded entirely
    result = compute(
        "out_of_work_employment_rate", scope=MetricScope.for_site(site_a), period=Y2015
    )
    assert (result.numerator, result.denominator) == (1, 3)


def test_quarterly_employment_rate_counts_jobs_spanning_quarters(rows, site_a):
    spanning = rows.episode(date(2015, 1, 5), profile=date(2015, 1, 6))
    rows.job(spanning, date(2015, 3, 15), end=date(2015, 4, 20))  # Q1 and Q2
    ended = rows.episode(date(2015, 1, 5), profile=date(2015, 1, 6))
    rows.job(ended, date(2015, 1, 15), end=date(2015, 3, 31))  # Q1 only
    noncomp = rows.episode(date(2015, 1, 5), profile=date(2015, 1, 6))
    rows.job(noncomp, date(2015, 2, 1), competitive=False)  # not competitive
    gone = rows.episode(date(2015, 1, 5), profile=date(2015, 1, 6), discharged=date(2015, 3, 1))
    rows.job(gone, date(2015, 2, 1))  # discharged in Q1: absent from Q2 entirely
    q1 = compute("quarterly_employment_rate", scope=MetricScope.for_site(site_a), period=Q1)
    q2 = compute("quarterly_employment_rate", scope=MetricScope.for_site(site_a), period=Q2)
    assert (q1.numerator, q1.denominator) == (3, 4)
    assert (q2.numerator, q2.denominator) == (1, 3)


def test_in_work_referral_share(rows, site_a):
    rows.episode(date(2015, 1, 5), in_work=True)
    for _ in range(3):
        rows.episode(date(2015, 1, 5))
    assert value("in_work_referral_share", site_a) == 0.25


def test_median_days_to_first_employer_contact_and_job(rows, site_a):
    from ipsworks.caseload.models import ActivityKind as K

    a = rows.episode(date(2015, 1, 1))
    rows.activity(a, K.EMPLOYER_CONTACT, date(2015, 1, 11))  # 10 days
    rows.activity(a, K.EMPLOYER_CONTACT, date(2015, 1, 5))  # the first one: 4 days
    rows.activity(a, K.APPLICATION, date(2015, 1, 2))  # not an employer contact
    b = rows.episode(date(2015, 1, 1))
    rows.activity(b, K.EMPLOYER_CONTACT, date(2015, 1, 31))  # 30 days
    c = rows.episode(date(2015, 1, 1))
    rows.activity(c, K.EMPLOYER_CONTACT, date(2015, 1, 21))  # 20 days
    rows.episode(date(2015, 1, 1))  # no contact yet: not included
    contact = compute(
        "median_days_to_employer_contact", scope=MetricScope.for_site(site_a), period=Y2015
    )
    assert (contact.value, contact.n) == (20.0, 3)
    rows.job(a, date(2015, 3, 2))  # 60 days
    rows.job(a, date(2015, 6, 1))  # second job: not the first
    rows.job(b, date(2015, 1, 31))  # 30 days
    job = compute("median_days_to_job_start", scope=MetricScope.for_site(site_a), period=Y2015)
    assert (job.value, job.n) == (45.0, 2)


def test_job_starts_per_fte_year(rows, site_a, make_user):
    team = site_a.teams.first()
    # a second, half-time specialist for half of 2016 (the fixture one is full time all year)
    make_user(
        "specialist",
        site_a,
        team,
        fte="0.5",
        start_date=date(2016, 1, 1),
        end_date=date(2016, 7, 1),
    )
    ep = rows.episode(date(2016, 1, 5))
    for month in range(1, 13):
        rows.job(ep, date(2016, month, 3))
    period = Period(date(2016, 1, 1), date(2016, 12, 31))
    result = compute("job_starts_per_fte_year", scope=MetricScope.for_site(site_a), period=period)
    # 366 days full time + 183 days half time = (366 + 91.5) / 365.25 FTE-years
    assert result.numerator == 12
    assert result.denominator == pytest.approx((366 + 91.5) / 365.25)
    assert result.value == pytest.approx(12 / ((366 + 91.5) / 365.25))


def test_sustained_13_weeks(rows, site_a):
    ep = rows.episode(date(2015, 1, 1))
    rows.job(ep, date(2015, 1, 1))  # still going: sustained (13-week point 2 April)
    rows.job(ep, date(2015, 1, 1), end=date(2015, 4, 2))  # ended on the 13-week point: sustained
    rows.job(ep, date(2015, 1, 1), end=date(2015, 4, 1))  # ended the day before: not
    rows.job(ep, date(2015, 6, 1))  # 13-week point in Q3: not in Q2's figure
    q2 = compute("sustained_13_weeks_rate", scope=MetricScope.for_site(site_a), period=Q2)
    assert (q2.numerator, q2.denominator) == (2, 3)


def test_competitive_job_share(rows, site_a):
    ep = rows.episode(date(2015, 1, 1))
    rows.job(ep, date(2015, 2, 1), competitive=True)
    rows.job(ep, date(2015, 2, 1), competitive=True)
    rows.job(ep, date(2015, 2, 1), competitive=True)
    rows.job(ep, date(2015, 2, 1), competitive=False)
    assert value("competitive_job_share", site_a) == 0.75


def test_activity_per_specialist_week_by_who_did_the_work(rows, site_a, specialist, make_user):
    from ipsworks.caseload.models import ActivityKind as K

    other = make_user("specialist", site_a, username="other-es", start_date=date(2015, 1, 1))
    ep = rows.episode(date(2015, 1, 1))
    week = Period(date(2015, 3, 2), date(2015, 3, 8))
    rows.activity(ep, K.APPLICATION, date(2015, 3, 2))
    rows.activity(ep, K.APPLICATION, date(2015, 3, 8))
    rows.activity(ep, K.APPLICATION, date(2015, 3, 9))  # next week
    rows.activity(ep, K.EMPLOYER_CONTACT, date(2015, 3, 3), face_to_face=True)
    rows.activity(ep, K.EMPLOYER_CONTACT, date(2015, 3, 4), specialist=other)  # other's work
    mine = MetricScope.for_specialist(specialist)
    apps = compute("applications_per_specialist_week", scope=mine, period=week)
    contacts = compute("employer_contacts_per_specialist_week", scope=mine, period=week)
    assert (apps.numerator, apps.value) == (2, pytest.approx(2.0))
    assert (contacts.numerator, contacts.value) == (1, pytest.approx(1.0))
    # Site-wide: two specialists in post, 3 employer... 2 contacts over 2 specialist-weeks
    site = compute(
        "employer_contacts_per_specialist_week", scope=MetricScope.for_site(site_a), period=week
    )
    assert (site.numerator, site.value) == (2, pytest.approx(1.0))
    f2f = compute("face_to_face_employer_contacts_per_specialist_week", scope=mine, period=week)
    assert f2f.numerator == 1


def test_team_and_specialist_scopes(rows, site_a, specialist, make_user):
    north, south = list(site_a.teams.order_by("name"))
    other = make_user("specialist", site_a, south, username="south-es")
    rows.episode(date(2015, 1, 1))  # north, fixture specialist
    rows.episode(date(2015, 1, 1), team=south, specialist=other)
    rows.episode(date(2015, 1, 1), team=south, specialist=other)
    assert compute("referrals", scope=MetricScope.for_team(north), period=Y2015).value == 1
    assert compute("referrals", scope=MetricScope.for_team(south), period=Y2015).value == 2
    assert compute("referrals", scope=MetricScope.for_specialist(other), period=Y2015).value == 2


def test_wilson_interval_matches_a_hand_worked_value():
    low, high = wilson_interval(74, 240)
    assert low == pytest.approx(0.2527, abs=1e-3)
    assert high == pytest.approx(0.3696, abs=1e-3)
    assert wilson_interval(0, 0) is None


def test_weekly_counts_by_specialist_agree_with_the_per_week_metric(rows, site_a, specialist):
    from ipsworks.caseload.models import Activity
    from ipsworks.caseload.models import ActivityKind as K
    from ipsworks.outcomes.metrics import activity_counts_by_specialist_week

    ep = rows.episode(date(2015, 1, 1))
    rows.activity(ep, K.APPLICATION, date(2015, 3, 2))  # Monday
    rows.activity(ep, K.APPLICATION, date(2015, 3, 8))  # Sunday, same week
    rows.activity(ep, K.EMPLOYER_CONTACT, date(2015, 3, 9), face_to_face=True)  # next week
    counts = activity_counts_by_specialist_week(Activity.objects.filter(site=site_a))
    assert counts[(specialist.pk, date(2015, 3, 2))]["applications"] == 2
    assert counts[(specialist.pk, date(2015, 3, 9))]["face_to_face_employer_contacts"] == 1
    week = Period(date(2015, 3, 2), date(2015, 3, 8))
    metric = compute(
        "applications_per_specialist_week",
        scope=MetricScope.for_specialist(specialist),
        period=week,
    )
    assert metric.numerator == counts[(specialist.pk, date(2015, 3, 2))]["applications"]
