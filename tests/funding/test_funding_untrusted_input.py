"""Dates far outside the calendar the service uses are refused with a message (never a 500),
and roles held through memberships that have ended give no funding access."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from ipsworks.funding.access import can_edit_site, can_see_stakeholders, funding_sites
from ipsworks.funding.models import Post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_a_check_date_outside_1900_to_2200_is_explained_not_a_server_error(
    client, users, site_a, as_of
):
    client.force_login(users["programme_manager"])
    response = client.get(f"/funding/?as_of={as_of}")
    assert response.status_code == 200
    assert f"“{as_of}” is not a date: showing today" in response.content.decode()


@pytest.mark.parametrize("as_of", ["1900-01-01", "2200-06-30"])
def test_check_dates_at_the_ends_of_the_range_are_shown(client, users, site_a, as_of):
    client.force_login(users["programme_manager"])
    response = client.get(f"/funding/?as_of={as_of}")
    assert response.status_code == 200
    assert "is not a date" not in response.content.decode()


def test_the_command_refuses_a_check_date_outside_the_range_with_a_message(site_a):
    with pytest.raises(CommandError, match="1900-2200"):
        call_command("funding_alerts", "--as-of", "9999-12-31")


@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_a_post_dated_beyond_the_range_is_refused_on_the_form(client, users, site_a, field):
    client.force_login(users["implementation_manager"])
    data = {
        "role": "specialist",
        "fte": "1",
        "funding_type": "grant",
        "start_date": "2016-07-29",
        "end_date": "2017-07-28",
    }
    data[field] = "9999-12-31"
    response = client.post("/funding/sites/alpha/posts/add/", data)
    assert response.status_code == 200
    assert "1900" in response.content.decode()
    assert not Post.objects.exists()


def test_the_dashboard_still_works_with_a_post_ending_far_in_the_future(
    client, users, site_a, make_post
):
    make_post(site_a, title="Open ended", end_date=date(2200, 12, 31))
    client.force_login(users["programme_manager"])
    assert client.get("/funding/").status_code == 200
    assert client.get("/funding/sites/alpha/").status_code == 200


def _end(user):
    yesterday = date.today() - timedelta(days=1)
    user.memberships.update(start_date=yesterday - timedelta(days=30), end_date=yesterday)
    from ipsworks.accounts.models import User

    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("who", ["programme_manager", "implementation_manager", "commissioner"])
def test_an_ended_membership_gives_no_funding_access(client, users, site_a, who):
    assert funding_sites(users[who]).filter(pk=site_a.pk).exists()
    user = _end(users[who])
    assert not funding_sites(user).exists()
    assert not can_edit_site(user, site_a)
    assert not can_see_stakeholders(user, site_a)
    client.force_login(user)
    assert client.get("/funding/").status_code == 404
    assert client.get("/funding/sites/alpha/").status_code == 404


def test_an_ended_programme_manager_role_does_not_keep_edit_rights_next_to_a_live_one(
    users, site_a, programme
):
    """Still a commissioner, no longer the programme manager: may read, may not change."""
    from ipsworks.accounts.models import Membership, User

    user = users["programme_manager"]
    _end(user)
    Membership.objects.create(user=user, role="commissioner", programme=programme)
    fresh = User.objects.get(pk=user.pk)
    assert funding_sites(fresh).filter(pk=site_a.pk).exists()
    assert not can_edit_site(fresh, site_a)


def test_funding_records_are_not_in_the_django_admin():
    from django.contrib import admin

    from ipsworks.funding import models

    registered = {m for m in admin.site._registry if m._meta.app_label == "funding"}
    assert registered == set(), "funding changes go through the audited screens only"
    assert models.Post not in admin.site._registry
