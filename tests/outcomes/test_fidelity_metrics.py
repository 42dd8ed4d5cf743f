"""The metrics behind fidelity items 1, 16, 19, 20 and 23, against hand-worked cases
(boundaries, empty periods, other scopes)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ipsworks.caseload.models import ActivityKind as K
from ipsworks.outcomes.metrics import MetricScope, Period, compute, normalise_name

pytestmark = pytest.mark.django_db

H1 = Period(date(2016, 1, 1), date(2016, 6, 30))


def result(key, site, period=H1):
    return compute(key, scope=MetricScope.for_site(site), period=period)


def job(rows, episode, start, *, title="Job", employer="Employer"):
    j = rows.job(episode, start)
    j.job_title, j.employer = title, employer
    j.save(update_fields=["job_title", "employer"])
    return j


def contact(rows, episode, day, matches, **kwargs):
    a = rows.activity(episode, K.EMPLOYER_CONTACT, day, **kwargs)
    a.matches_preferences = matches
    a.save(update_fields=["matches_preferences"])
    return a


def test_names_are_compared_without_case_or_spacing():
    assert normalise_name("  Riverside   CAFE ") == normalise_name("riverside cafe")
    assert normalise_name("Riverside Cafe") != normalise_name("Riverside Cafes")
    assert normalise_name("   ") == ""


# --- item 19: job-type diversity -----------------------------------------------------------


def test_job_type_diversity_is_distinct_titles_over_job_starts(rows, site_a):
    ep = rows.episode(date(2015, 12, 1))
    # 10 job starts in the period: 3 cleaners (one type, however written) + 7 other titles
    for title in ["Cleaner", "cleaner", "  CLEANER "]:
        job(rows, ep, date(2016, 2, 1), title=title)
    for n in range(7):
        job(rows, ep, date(2016, 3, 1), title=f"Title {n}")
    job(rows, ep, date(2015, 12, 31), title="Outside before")  # not a start in the period
    job(rows, ep, date(2016, 7, 1), title="Outside after")
    r = result("job_type_diversity", site_a)
    assert (r.numerator, r.denominator, r.value) == (8, 10, 0.8)


def test_job_type_diversity_counts_jobs_on_the_first_and_last_day(rows, site_a):
    ep = rows.episode(date(2015, 12, 1))
    job(rows, ep, H1.start, title="Barista")
    job(rows, ep, H1.end, title="Barista")
    r = result("job_type_diversity", site_a)
    assert (r.numerator, r.denominator, r.value) == (1, 2, 0.5)


def test_job_type_diversity_of_a_single_job_is_full_and_of_none_is_no_value(rows, site_a):
    ep = rows.episode(date(2015, 12, 1))
    assert result("job_type_diversity", site_a).value is None
    job(rows, ep, date(2016, 4, 4), title="Gardener")
    assert result("job_type_diversity", site_a).value == 1.0


# --- item 20: employer diversity -----------------------------------------------------------


def test_employer_diversity_is_distinct_employers_over_job_starts(rows, site_a):
    a = rows.episode(date(2015, 12, 1))
    b = rows.episode(date(2015, 12, 1))
    job(rows, a, date(2016, 1, 10), employer="Riverside Cafe")
    job(rows, b, date(2016, 2, 10), employer="riverside  cafe")  # same employer, another person
    job(rows, a, date(2016, 5, 10), employer="RIVERSIDE CAFE ")  # same person's second job there
    job(rows, a, date(2016, 3, 10), employer="Town Library")
    r = result("employer_diversity", site_a)
    assert (r.numerator, r.denominator, r.value) == (2, 4, 0.5)


def test_employer_diversity_follows_the_scope(rows, site_a, site_b, make_user):
    north, south = list(site_a.teams.order_by("name"))
    other = make_user("specialist", site_a, south, username="south-div")
    job(rows, rows.episode(date(2016, 1, 1)), date(2016, 2, 1), employer="Crown Hotel")
    mine = rows.episode(date(2016, 1, 1), team=south, specialist=other)
    job(rows, mine, date(2016, 2, 1), employer="Crown Hotel")
    job(rows, mine, date(2016, 3, 1), employer="Crown Hotel")
    job(rows, rows.episode(date(2016, 1, 1), site=site_b), date(2016, 2, 1), employer="Other")
    assert result("employer_diversity", site_a).value == pytest.approx(1 / 3)
    team = compute("employer_diversity", scope=MetricScope.for_team(north), period=H1)
    assert (team.numerator, team.denominator) == (1, 1)
    theirs = compute("employer_diversity", scope=MetricScope.for_specialist(other), period=H1)
    assert (theirs.numerator, theirs.denominator) == (1, 2)
    programme = compute(
        "employer_diversity", scope=MetricScope.for_programme(site_a.programme_id), period=H1
    )
    assert (programme.numerator, programme.denominator) == (2, 4)


def test_employer_diversity_with_no_job_starts_has_no_value(rows, site_a):
    r = result("employer_diversity", site_a)
    assert (r.value, r.numerator, r.denominator) == (None, 0, 0)


# --- item 23: in-work support within 3 days ------------------------------------------------


def test_in_work_support_counts_a_contact_from_the_start_day_to_3_days_after(rows, site_a):
    start = date(2016, 3, 10)
    outcomes = {}
    for offset in (-1, 0, 3, 4, None):
        ep = rows.episode(date(2016, 1, 1))
        job(rows, ep, start)
        if offset is not None:
            rows.activity(ep, K.IN_WORK_SUPPORT, start + timedelta(days=offset))
        outcomes[offset] = ep
    # counted: contacts on day 0 and day 3; not: the day before, day 4, none at all
    r = result("in_work_support_within_3_days", site_a)
    assert (r.numerator, r.denominator, r.value) == (2, 5, 0.4)


def test_in_work_support_needs_that_kind_of_contact_for_the_same_person(rows, site_a):
    ep = rows.episode(date(2016, 1, 1))
    other = rows.episode(date(2016, 1, 1))
    job(rows, ep, date(2016, 3, 10))
    rows.activity(ep, K.EMPLOYER_CONTACT, date(2016, 3, 11))  # not in-work support
    rows.activity(other, K.IN_WORK_SUPPORT, date(2016, 3, 11))  # someone else
    r = result("in_work_support_within_3_days", site_a)
    assert (r.numerator, r.denominator) == (0, 1)


def test_in_work_support_judges_each_job_and_may_look_past_the_period_end(rows, site_a):
    ep = rows.episode(date(2016, 1, 1))
    job(rows, ep, date(2016, 2, 1))  # first job: contact 2 days later
    job(rows, ep, date(2016, 6, 30))  # started on the last day: contact on 3 July counts
    job(rows, ep, date(2016, 4, 1))  # second job, no contact near its start
    rows.activity(ep, K.IN_WORK_SUPPORT, date(2016, 2, 3))
    rows.activity(ep, K.IN_WORK_SUPPORT, date(2016, 7, 3))
    r = result("in_work_support_within_3_days", site_a)
    assert (r.numerator, r.denominator) == (2, 3)


def test_in_work_support_leaves_out_starts_whose_window_is_not_over(rows, site_a):
    today = timezone.localdate()
    ep = rows.episode(today - timedelta(days=60))
    job(rows, ep, today - timedelta(days=3))  # window ends today: counted
    job(rows, ep, today - timedelta(days=2))  # window still open: left out
    rows.activity(ep, K.IN_WORK_SUPPORT, today - timedelta(days=2))  # in both windows
    period = Period(today - timedelta(days=30), today)
    r = result("in_work_support_within_3_days", site_a, period)
    assert (r.numerator, r.denominator) == (1, 1)
    recent = result("in_work_support_within_3_days", site_a, Period(today, today))
    assert (recent.value, recent.denominator) == (None, 0)


def test_in_work_support_with_no_job_starts_has_no_value(rows, site_a):
    assert result("in_work_support_within_3_days", site_a).value is None


# --- item 16: employer contacts matching preferences ---------------------------------------


def test_matching_preferences_counts_only_contacts_with_an_answer(rows, site_a):
    ep = rows.episode(date(2016, 1, 1))
    for answer in (True, True, True, False):
        contact(rows, ep, date(2016, 2, 1), answer)
    contact(rows, ep, date(2016, 2, 1), None)  # not recorded: left out
    contact(rows, ep, date(2015, 12, 31), True)  # before the period
    contact(rows, ep, date(2016, 7, 1), True)  # after the period
    a = rows.activity(ep, K.APPLICATION, date(2016, 2, 1))  # not an employer contact
    a.matches_preferences = False
    a.save(update_fields=["matches_preferences"])
    r = result("employer_contacts_matching_preferences", site_a)
    assert (r.numerator, r.denominator, r.value) == (3, 4, 0.75)


def test_matching_preferences_on_the_period_boundaries_and_by_who_made_the_contact(
    rows, site_a, specialist, make_user
):
    other = make_user("specialist", site_a, username="pref-es")
    ep = rows.episode(date(2016, 1, 1))
    contact(rows, ep, H1.start, True)
    contact(rows, ep, H1.end, False, specialist=other)
    assert result("employer_contacts_matching_preferences", site_a).value == 0.5
    mine = compute(
        "employer_contacts_matching_preferences",
        scope=MetricScope.for_specialist(specialist),
        period=H1,
    )
    assert (mine.numerator, mine.denominator) == (1, 1)


def test_matching_preferences_with_no_answers_has_no_value(rows, site_a):
    ep = rows.episode(date(2016, 1, 1))
    contact(rows, ep, date(2016, 2, 1), None)
    r = result("employer_contacts_matching_preferences", site_a)
    assert (r.value, r.denominator) == (None, 0)


# --- item 1: caseload per full-time specialist ---------------------------------------------


def test_caseload_per_fte_on_the_periods_last_day(rows, site_a, make_user):
    # the fixture specialist is full time from 2015; a half-time one joins on 30 June 2016
    # and a third leaves on 29 June 2016 (not in post on the last day)
    make_user("specialist", site_a, fte="0.5", start_date=H1.end, username="half-es")
    make_user(
        "specialist", site_a, start_date=date(2015, 1, 1), end_date=date(2016, 6, 29),
        username="gone-es",
    )  # fmt: skip
    for _ in range(30):
        rows.episode(date(2016, 1, 1), profile=date(2016, 1, 5))
    rows.episode(date(2016, 1, 1), profile=date(2016, 1, 5), discharged=date(2016, 6, 29))
    rows.episode(date(2016, 1, 1))  # not engaged: not on the active caseload
    r = result("caseload_per_specialist_fte", site_a)
    assert (r.numerator, r.denominator) == (30, 1.5)
    assert r.value == pytest.approx(20.0)


def test_caseload_per_fte_counts_a_leaver_on_their_last_day(rows, site_a, make_user, specialist):
    make_user("specialist", site_a, end_date=H1.end, start_date=date(2015, 1, 1), username="l-es")
    rows.episode(date(2016, 1, 1), profile=date(2016, 1, 5))
    r = result("caseload_per_specialist_fte", site_a)
    assert (r.numerator, r.denominator, r.value) == (1, 2.0, 0.5)


def test_caseload_per_fte_without_specialists_has_no_value(site_a, site_b):
    r = result("caseload_per_specialist_fte", site_b)
    assert (r.value, r.numerator, r.denominator) == (None, 0, 0.0)


def test_caseload_per_fte_for_one_specialist(rows, site_a, specialist, make_user):
    half = make_user("specialist", site_a, fte="0.5", start_date=date(2015, 1, 1), username="h")
    for _ in range(4):
        rows.episode(date(2016, 1, 1), profile=date(2016, 1, 5))
    for _ in range(6):
        rows.episode(date(2016, 1, 1), profile=date(2016, 1, 5), specialist=half)
    theirs = compute(
        "caseload_per_specialist_fte", scope=MetricScope.for_specialist(half), period=H1
    )
    assert (theirs.numerator, theirs.denominator, theirs.value) == (6, 0.5, 12.0)
    mine = compute(
        "caseload_per_specialist_fte", scope=MetricScope.for_specialist(specialist), period=H1
    )
    assert mine.value == 4.0
    assert Decimal(str(mine.denominator)) == Decimal("1")
