"""Funding alerts at their date boundaries: ending within 6 calendar months, or ended with no
continuing post."""

from datetime import date, timedelta

import pytest

from ipsworks.funding.selectors import (
    ENDED_NO_SUCCESSOR,
    ENDING_SOON,
    alert_window,
    funding_alerts,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 15)


def kinds(as_of=AS_OF, **kw):
    return {a.post.pk: a.kind for a in funding_alerts(as_of=as_of, **kw)}


def test_funding_ending_exactly_six_calendar_months_ahead_raises_an_alert(site_a, make_post):
    post = make_post(site_a, end_date=date(2026, 9, 15))
    assert kinds() == {post.pk: ENDING_SOON}


def test_funding_ending_one_day_after_six_months_raises_no_alert(site_a, make_post):
    make_post(site_a, end_date=date(2026, 9, 16))
    assert kinds() == {}


def test_funding_ending_today_is_ending_soon(site_a, make_post):
    post = make_post(site_a, end_date=AS_OF)
    alerts = funding_alerts(as_of=AS_OF)
    assert [(a.post.pk, a.kind, a.days) for a in alerts] == [(post.pk, ENDING_SOON, 0)]
    assert "today" in alerts[0].message


def test_funding_ended_yesterday_without_successor_is_ended_not_continued(site_a, make_post):
    post = make_post(site_a, end_date=AS_OF - timedelta(days=1))
    assert kinds() == {post.pk: ENDED_NO_SUCCESSOR}


def test_funding_ended_yesterday_with_successor_raises_no_alert(site_a, make_post):
    successor = make_post(site_a, funding_type="trust", start_date=AS_OF)
    make_post(site_a, end_date=AS_OF - timedelta(days=1), successor=successor)
    assert kinds() == {}


def test_funding_ending_soon_with_a_successor_raises_no_alert(site_a, make_post):
    successor = make_post(site_a, funding_type="commissioners", start_date=date(2026, 5, 1))
    make_post(site_a, end_date=date(2026, 4, 30), successor=successor)
    assert kinds() == {}


def test_a_successor_that_itself_ends_soon_raises_its_own_alert(site_a, make_post):
    successor = make_post(site_a, start_date=date(2025, 1, 1), end_date=date(2026, 6, 1))
    make_post(site_a, end_date=date(2024, 12, 31), successor=successor)
    assert kinds() == {successor.pk: ENDING_SOON}


def test_posts_without_an_end_date_never_raise_an_alert(site_a, make_post):
    make_post(site_a, end_date=None)
    assert kinds() == {}


def test_six_months_from_the_31st_of_august_ends_on_the_last_day_of_february(site_a, make_post):
    as_of = date(2026, 8, 31)
    assert alert_window(as_of) == (as_of, date(2027, 2, 28))
    inside = make_post(site_a, end_date=date(2027, 2, 28))
    make_post(site_a, end_date=date(2027, 3, 1))
    assert kinds(as_of=as_of) == {inside.pk: ENDING_SOON}


def test_leap_year_window_ends_on_the_29th_of_february(site_a, make_post):
    as_of = date(2027, 8, 31)
    inside = make_post(site_a, end_date=date(2028, 2, 29))
    make_post(site_a, end_date=date(2028, 3, 1))
    assert kinds(as_of=as_of) == {inside.pk: ENDING_SOON}


def test_the_same_post_moves_from_no_alert_to_ending_soon_to_ended(site_a, make_post):
    post = make_post(site_a, end_date=date(2026, 9, 15))
    assert kinds(as_of=date(2026, 3, 14)) == {}
    assert kinds(as_of=date(2026, 3, 15)) == {post.pk: ENDING_SOON}
    assert kinds(as_of=date(2026, 9, 15)) == {post.pk: ENDING_SOON}
    assert kinds(as_of=date(2026, 9, 16)) == {post.pk: ENDED_NO_SUCCESSOR}


def test_alerts_can_be_narrowed_to_some_sites_and_list_ended_posts_first(site_a, site_b, make_post):
    from ipsworks.organisation.models import Site

    soon = make_post(site_a, end_date=date(2026, 4, 1))
    ended = make_post(site_a, end_date=date(2025, 1, 1))
    other = make_post(site_b, end_date=date(2026, 4, 1))
    assert [a.post.pk for a in funding_alerts(as_of=AS_OF)] == [ended.pk, soon.pk, other.pk]
    only_a = funding_alerts(as_of=AS_OF, sites=Site.objects.filter(pk=site_a.pk))
    assert [a.post.pk for a in only_a] == [ended.pk, soon.pk]
