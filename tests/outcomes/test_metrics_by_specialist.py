"""The grouped (many specialists at once) variants of the metrics equal the per-specialist
metrics, and "who did this activity" has one definition."""

from datetime import date

import pytest

from ipsworks.caseload.models import Activity
from ipsworks.caseload.models import ActivityKind as K
from ipsworks.outcomes.metrics import (
    BY_SPECIALIST_KEYS,
    MetricScope,
    Period,
    activity_specialist,
    compute,
    compute_by_specialist,
    last_employer_contact_by_specialist,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_of_specialists(rows, site_a, site_b, specialist, make_user):
    """Three specialists (one at site B too, one part-time, one who left) and a mixed caseload:
    activities with and without their own specialist, short jobs, second jobs."""
    north, south = list(site_a.teams.order_by("name"))
    second = make_user(
        "specialist", site_a, south, username="es-two", start_date=date(2015, 3, 1), fte=0.5
    )
    third = make_user(
        "specialist",
        site_a,
        north,
        username="es-three",
        start_date=date(2015, 1, 1),
        end_date=date(2015, 6, 30),
    )
    from ipsworks.accounts.models import Membership

    Membership.objects.create(
        user=second,
        role="specialist",
        programme=site_b.programme,
        site=site_b,
        start_date=date(2015, 1, 1),
        fte=0.5,
    )
    people = [specialist, second, third]
    for i in range(12):
        who = people[i % 3]
        ep = rows.episode(date(2015, 1 + i % 6, 3), profile=date(2015, 2, 1), specialist=who)
        rows.job(ep, date(2015, 2 + i % 8, 10), hours=2 if i % 4 == 0 else 16)
        if i % 2:
            rows.job(ep, date(2015, 5 + i % 5, 11))  # a second job
        rows.activity(ep, K.APPLICATION, date(2015, 4, 1 + i))
        rows.activity(ep, K.EMPLOYER_CONTACT, date(2015, 4, 2 + i), face_to_face=i % 2 == 0)
        # work done by someone other than the episode's specialist
        rows.activity(ep, K.EMPLOYER_CONTACT, date(2015, 4, 3 + i), specialist=people[(i + 1) % 3])
    other_site = rows.episode(date(2015, 2, 1), site=site_b, specialist=second)
    rows.job(other_site, date(2015, 3, 1))
    rows.activity(other_site, K.APPLICATION, date(2015, 4, 5))
    return people


PERIODS = [
    Period(date(2015, 1, 1), date(2015, 12, 31)),
    Period(date(2015, 4, 1), date(2015, 4, 28)),
    Period(date(2015, 5, 1), date(2015, 5, 31)),
]


@pytest.mark.parametrize("key", BY_SPECIALIST_KEYS)
@pytest.mark.parametrize("period", PERIODS, ids=["year", "april", "may"])
def test_grouped_figures_equal_the_per_specialist_metric(team_of_specialists, key, period):
    ids = [u.pk for u in team_of_specialists] + [999999]  # one with no data at all
    grouped = compute_by_specialist(key, specialist_ids=ids, period=period)
    assert set(grouped) == set(ids)
    for pk in ids:
        alone = compute(key, scope=MetricScope.for_specialist(pk), period=period)
        assert grouped[pk] == alone, (key, pk)
    if period == PERIODS[0]:
        assert any(r.numerator for r in grouped.values())  # the data exercises the metric


def test_grouped_figures_use_a_fixed_number_of_queries(
    team_of_specialists, django_assert_max_num_queries
):
    ids = [u.pk for u in team_of_specialists]
    with django_assert_max_num_queries(2):
        compute_by_specialist(
            "applications_per_specialist_week", specialist_ids=ids, period=PERIODS[0]
        )
    with django_assert_max_num_queries(1):
        compute_by_specialist("people_into_work", specialist_ids=ids, period=PERIODS[0])


def test_a_metric_without_a_grouped_variant_is_refused():
    with pytest.raises(KeyError, match="No grouped variant"):
        compute_by_specialist("quarterly_employment_rate", specialist_ids=[1], period=PERIODS[0])


def test_an_activity_belongs_to_its_specialist_or_else_the_episodes(team_of_specialists):
    first, second, _ = team_of_specialists
    rows = Activity.objects.annotate(who=activity_specialist()).values_list(
        "who", "specialist_id", "episode__specialist_id"
    )
    assert rows
    for who, own, episodes in rows:
        assert who == (own if own is not None else episodes)
    last = last_employer_contact_by_specialist(Activity.objects.all())
    latest_of_first = max(
        a.date
        for a in Activity.objects.filter(kind=K.EMPLOYER_CONTACT).select_related("episode")
        if (a.specialist_id or a.episode.specialist_id) == first.pk
    )
    assert last[first.pk] == latest_of_first
