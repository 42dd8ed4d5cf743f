"""A Django admin change form opened before someone else saved the record (or one of its
inline rows) is refused instead of silently putting the old values back."""

from datetime import date

import pytest

from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def change_page(client, path):
    page = client.get(path)
    assert page.status_code == 200
    return page


def test_an_account_deactivated_meanwhile_is_not_reactivated_by_an_old_form(
    client, users, staff_admin
):
    from ipsworks.accounts.models import User

    target = users["specialist"]
    client.force_login(staff_admin)
    path = f"/admin/accounts/user/{target.pk}/change/"
    data = form_data(change_page(client, path), field="username") | {"first_name": "Sam"}
    User.objects.filter(pk=target.pk).update(is_active=False)  # another administrator
    refused = client.post(path, data)
    assert refused.status_code == 200
    assert "Someone else changed this record" in refused.content.decode()
    target.refresh_from_db()
    assert (target.is_active, target.first_name) == (False, "")


def test_a_membership_ended_meanwhile_is_not_reopened_by_an_old_form(client, users, staff_admin):
    from ipsworks.accounts.models import Membership

    target = users["specialist"]
    client.force_login(staff_admin)
    path = f"/admin/accounts/user/{target.pk}/change/"
    data = form_data(change_page(client, path), field="username") | {"first_name": "Sam"}
    Membership.objects.filter(user=target).update(end_date=date(2016, 1, 31))
    assert client.post(path, data).status_code == 200
    assert Membership.objects.get(user=target).end_date == date(2016, 1, 31)


def test_a_site_renamed_meanwhile_keeps_its_new_name(client, site_a, staff_admin):
    from ipsworks.organisation.models import Site

    client.force_login(staff_admin)
    path = f"/admin/organisation/site/{site_a.pk}/change/"
    data = form_data(change_page(client, path), field="name") | {"referral_target": "130"}
    Site.objects.filter(pk=site_a.pk).update(name="Alpha and Omega")
    refused = client.post(path, data)
    assert refused.status_code == 200
    # Pressing Save again on the refusal page (still showing the old name) is refused too.
    assert client.post(path, form_data(refused, field="name")).status_code == 200
    site_a.refresh_from_db()
    assert (site_a.name, site_a.referral_target) == ("Alpha and Omega", 120)
    # Opened afresh, the record saves.
    fresh = form_data(change_page(client, path), field="name") | {"referral_target": "130"}
    assert client.post(path, fresh).status_code == 302
    site_a.refresh_from_db()
    assert (site_a.name, site_a.referral_target) == ("Alpha and Omega", 130)


def test_an_up_to_date_form_saves_and_a_sign_in_meanwhile_is_no_clash(client, users, staff_admin):
    from django.utils import timezone

    from ipsworks.accounts.models import User

    target = users["specialist"]
    client.force_login(staff_admin)
    path = f"/admin/accounts/user/{target.pk}/change/"
    data = form_data(change_page(client, path), field="username") | {"first_name": "Sam"}
    User.objects.filter(pk=target.pk).update(last_login=timezone.now())  # they signed in
    assert client.post(path, data).status_code == 302
    target.refresh_from_db()
    assert target.first_name == "Sam"
