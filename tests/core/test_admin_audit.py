"""Changes made in the Django admin to accounts, roles, programmes, sites and teams are audited
(they decide who may see which records), and site-less audit events stay in their programme."""

from datetime import date

import pytest

from ipsworks.accounts.models import Membership, User
from ipsworks.audit.models import AuditEvent
from ipsworks.audit.selectors import audit_events_for
from ipsworks.audit.services import record
from ipsworks.organisation.models import Programme, Site, Team

pytestmark = pytest.mark.django_db


def membership_form(m, **changes):
    data = {
        "user": m.user_id,
        "role": m.role,
        "programme": m.programme_id,
        "site": m.site_id or "",
        "team": m.team_id or "",
        "fte": m.fte if m.fte is not None else "",
        "start_date": m.start_date or "",
        "end_date": m.end_date or "",
    }
    data.update(changes)
    return data


def test_a_role_changed_in_the_admin_is_audited_with_before_and_after(client, users, staff_admin):
    m = Membership.objects.get(user=users["specialist"])
    client.force_login(staff_admin)
    page = client.post(
        f"/admin/accounts/membership/{m.pk}/change/",
        membership_form(m, role="implementation_manager", team=""),
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    event = AuditEvent.objects.get(event="admin.saved", entity="accounts.Membership")
    assert event.actor == staff_admin and event.site_id == m.site_id
    assert event.before["role"] == "specialist"
    assert event.after["role"] == "implementation_manager"
    assert "role" in event.summary


def test_a_password_set_in_the_admin_is_audited_without_its_hash(client, users, staff_admin):
    user = users["team_leader"]
    client.force_login(staff_admin)
    page = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "another-long-password-9", "password2": "another-long-password-9"},
    )
    assert page.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-password-9")
    event = AuditEvent.objects.get(event="admin.saved", entity="accounts.User")
    assert event.after["password"] == "(changed)"
    assert event.before["password"] == "(unchanged)"
    dumped = str(event.before) + str(event.after)
    assert user.password not in dumped and "pbkdf2" not in dumped


def test_removing_a_membership_in_the_admin_is_audited(client, users, staff_admin):
    m = Membership.objects.get(user=users["commissioner"])
    client.force_login(staff_admin)
    page = client.post(f"/admin/accounts/membership/{m.pk}/delete/", {"post": "yes"})
    assert page.status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()
    event = AuditEvent.objects.get(event="admin.deleted")
    assert event.entity_id == str(m.pk) and event.before["role"] == "commissioner"


def test_a_team_added_to_a_site_in_the_admin_is_audited(client, users, staff_admin, site_a):
    client.force_login(staff_admin)
    teams = list(site_a.teams.order_by("id"))
    data = {
        "name": site_a.name,
        "slug": site_a.slug,
        "programme": site_a.programme_id,
        "start_date": site_a.start_date.isoformat(),
        "referral_target": site_a.referral_target or "",
        "job_start_target": site_a.job_start_target or "",
        "teams-TOTAL_FORMS": len(teams) + 1,
        "teams-INITIAL_FORMS": len(teams),
        "teams-MIN_NUM_FORMS": 0,
        "teams-MAX_NUM_FORMS": 1000,
    }
    for n, team in enumerate(teams):
        data |= {
            f"teams-{n}-id": team.pk,
            f"teams-{n}-site": site_a.pk,
            f"teams-{n}-name": team.name,
        }
    data |= {f"teams-{len(teams)}-site": site_a.pk, f"teams-{len(teams)}-name": "Alpha East"}
    form = client.get(f"/admin/organisation/site/{site_a.pk}/change/").context["adminform"].form
    for name in form.fields:  # any other site fields, as they are
        value = form.initial.get(name)
        data.setdefault(name, "" if value is None else value)
    page = client.post(f"/admin/organisation/site/{site_a.pk}/change/", data)
    assert page.status_code == 302, page.context["errors"] if page.context else page
    team = Team.objects.get(name="Alpha East")
    event = AuditEvent.objects.get(event="admin.saved", entity="organisation.Team")
    assert event.entity_id == str(team.pk) and event.site_id == site_a.pk
    assert event.action == "create"


def test_site_less_events_are_read_in_the_programme_they_belong_to(users, programme):
    own = record(
        actor=users["implementation_manager"],
        action="update",
        summary="targets",
        programme=programme,
    )
    other_programme = Programme.objects.create(name="Zeta")
    Site.objects.create(
        programme=other_programme, name="Zeta site", slug="zeta", start_date=date(2015, 1, 1)
    )
    outsider = User.objects.create_user(username="z.pm", password="a-long-test-password")
    Membership.objects.create(user=outsider, role="programme_manager", programme=other_programme)
    # Done by someone of this programme, but about the other one (the review's leak):
    theirs = record(
        actor=users["administrator"], action="update", summary="zeta", programme=other_programme
    )
    account = record(actor=users["administrator"], action="update", summary="an account")
    nobody = record(actor=None, action="sign_in_failed", summary="someone tried")
    seen = set(audit_events_for(users["programme_manager"]).values_list("id", flat=True))
    assert own.pk in seen
    assert theirs.pk not in seen and account.pk not in seen and nobody.pk not in seen
    seen_by_outsider = set(audit_events_for(outsider).values_list("id", flat=True))
    assert theirs.pk in seen_by_outsider and own.pk not in seen_by_outsider
    assert account.pk in set(audit_events_for(users["administrator"]).values_list("id", flat=True))


def test_an_event_takes_its_programme_from_its_site_or_its_record(users, site_a, programme):
    from ipsworks.outcomes.models import TargetSettings

    assert record(actor=None, action="update", site=site_a).programme_id == programme.pk
    settings = TargetSettings.objects.create(programme=programme)
    assert record(actor=None, action="update", instance=settings).programme_id == programme.pk
    assert record(actor=None, action="update", instance=users["specialist"]).programme_id is None


def test_a_superuser_reads_every_event(users, staff_admin):
    nobody = record(actor=None, action="sign_in_failed", summary="someone tried")
    assert audit_events_for(staff_admin).filter(pk=nobody.pk).exists()


def _change_form_data(page):
    """POST data for an admin change page as it stands: the main form's and each inline's
    current values, with the management forms."""
    data = {}
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(field.widget, "decompress"):  # split date and time
            for n, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{n}"] = part.isoformat() if hasattr(part, "isoformat") else part
            continue
        widget_data = value.isoformat() if hasattr(value, "isoformat") else value
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = widget_data
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for inline_form in formset.initial_forms:
            data[inline_form.add_prefix("id")] = inline_form.instance.pk
            for name in inline_form.fields:
                value = inline_form.initial.get(name)
                if value is not None and name != "id":
                    data[inline_form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_a_membership_removed_through_the_user_page_is_audited_with_its_id(
    client, users, staff_admin
):
    user = users["commissioner"]
    membership = Membership.objects.get(user=user)
    client.force_login(staff_admin)
    url = f"/admin/accounts/user/{user.pk}/change/"
    data = _change_form_data(client.get(url))
    prefix = "memberships"
    assert data[f"{prefix}-0-id"] == membership.pk
    data[f"{prefix}-0-DELETE"] = "on"
    page = client.post(url, data)
    assert page.status_code == 302, page.context["adminform"].form.errors if page.context else ""
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(event="admin.deleted", entity="accounts.Membership")
    assert event.entity_id == str(membership.pk)
    assert event.before["id"] == membership.pk and event.before["role"] == "commissioner"
