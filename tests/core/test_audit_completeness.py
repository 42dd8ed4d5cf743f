"""Every change is audited, imports name their file's SHA-256, and nothing that did not change
is recorded as a change (found by a review that performed each write and read the trail)."""

import hashlib
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from ipsworks.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def events(name):
    return list(AuditEvent.objects.filter(event=name).order_by("id"))


def test_changing_one_s_own_password_is_audited_without_the_hash(client, users):
    user = users["commissioner"]
    client.force_login(user)
    response = client.post(
        "/account/password/",
        {
            "old_password": "a-long-test-password",
            "new_password1": "another-long-password-42",
            "new_password2": "another-long-password-42",
        },
    )
    assert response.status_code == 302
    (event,) = events("account.password_changed")
    assert event.actor == user and event.after == {"password": "(changed)"}
    user.refresh_from_db()
    assert user.password.split("$")[-1] not in json.dumps([event.before, event.after])


def test_an_account_s_groups_and_permissions_changed_in_the_admin_are_audited(
    client, users, staff_admin
):
    from tests.html_forms import form_data

    group = Group.objects.create(name="Auditors")
    permission = Permission.objects.get(codename="view_auditevent")
    target = users["commissioner"]
    client.force_login(staff_admin)
    path = f"/admin/accounts/user/{target.pk}/change/"
    data = form_data(client.get(path), field="username")
    data |= {"groups": [str(group.pk)], "user_permissions": [str(permission.pk)]}
    assert client.post(path, data).status_code == 302
    event = next(e for e in events("admin.saved") if "groups" in (e.after or {}))
    assert event.before == {"groups": [], "user_permissions": []}
    assert event.after == {"groups": [group.pk], "user_permissions": [permission.pk]}


def test_a_group_made_in_the_admin_is_audited(client, staff_admin):
    permission = Permission.objects.get(codename="view_auditevent")
    client.force_login(staff_admin)
    response = client.post(
        "/admin/auth/group/add/", {"name": "Readers", "permissions": [permission.pk]}
    )
    assert response.status_code == 302
    assert any(e.entity == "auth.Group" for e in events("admin.saved"))


def test_the_system_account_commands_use_is_made_and_given_its_role_on_the_record(tmp_path, site_a):
    from django.core.management import call_command

    call_command(
        "export_return", "--site", "alpha", "--format", "xlsx", "-o", str(tmp_path / "a.xlsx")
    )
    (made,) = events("account.system_account")
    assert made.action == "create" and made.after["can_sign_in"] is False
    (role,) = events("account.system_role")
    assert role.after["role"] == "administrator" and role.programme_id == site_a.programme_id


def test_a_codebook_import_names_its_file_hash_and_each_change(client, users, programme):
    from ipsworks.evaluation.models import Theme

    Theme.objects.create(programme=programme, name="Leadership", description="Old words")
    body = b"name,parent,description,order\nLeadership,,New words,0\nFunding,,Money,1\n"
    client.force_login(users["evaluator"])
    upload = SimpleUploadedFile("themes.csv", body, content_type="text/csv")
    response = client.post("/evaluation/codebook/", {"file": upload}, follow=True)
    # The message names what the file changed, so an old file re-imported by mistake shows.
    assert "1 theme added, 1 updated (Leadership), 0 unchanged" in response.content.decode()
    (event,) = events("evaluation.codebook.import")
    assert event.after["sha256"] == hashlib.sha256(body).hexdigest()
    assert event.after["file"] == "themes.csv"
    assert event.after["added"] == ["Funding"]
    assert event.after["changes"] == [
        {
            "theme": "Leadership",
            "before": {"description": "Old words"},
            "after": {"description": "New words"},
        }
    ]


def test_loading_the_default_codebook_again_records_nothing(users, programme):
    from ipsworks.evaluation.services import load_default_codebook

    assert load_default_codebook(actor=users["evaluator"], programme=programme) > 0
    assert load_default_codebook(actor=users["evaluator"], programme=programme) == 0
    assert len(events("evaluation.codebook.default")) <= 1


def test_a_scale_upload_names_its_hash_and_the_scale_it_replaces(client, users):
    import copy

    from ipsworks.fidelity.scale_io import DEFAULT_SCALE_FILE
    from ipsworks.fidelity.services import ensure_default_scale

    old = ensure_default_scale()
    data = copy.deepcopy(json.loads(DEFAULT_SCALE_FILE.read_text(encoding="utf-8")))
    data["version"] = "2"
    body = json.dumps(data).encode()
    client.force_login(users["administrator"])
    response = client.post(
        "/fidelity/scales/",
        {"scale_file": SimpleUploadedFile("s.json", body), "make_current": "on"},
    )
    assert response.status_code == 302
    (loaded,) = [e for e in events("fidelity.scale_loaded") if e.after["version"] == "2"]
    assert loaded.after["sha256"] == hashlib.sha256(body).hexdigest()
    (replaced,) = events("fidelity.scale_replaced")
    assert replaced.entity_id == str(old.pk) and replaced.after == {"is_current": False}


def test_saving_a_funding_post_unchanged_records_no_change(client, users, site_a):
    from datetime import date
    from decimal import Decimal

    from ipsworks.funding.services import create_post
    from tests.html_forms import form_data

    post = create_post(
        actor=users["programme_manager"],
        site=site_a,
        data={
            "role": "specialist",
            "fte": Decimal("1"),
            "funding_type": "grant",
            "start_date": date(2015, 1, 28),
        },
    )
    client.force_login(users["programme_manager"])
    path = f"/funding/sites/alpha/posts/{post.pk}/"
    before = AuditEvent.objects.count()
    assert client.post(path, form_data(client.get(path), field="role")).status_code == 302
    assert AuditEvent.objects.count() == before


def test_the_admin_shows_the_whole_trail_to_superusers_only(client, users):
    staff = users["implementation_manager"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(staff)
    assert client.get("/admin/audit/auditevent/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_system_account_and_its_audit_rows_commit_together(site_a, monkeypatch):
    from ipsworks.accounts.models import User
    from ipsworks.returns import services

    def fail(**kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(services, "record", fail)
    with pytest.raises(RuntimeError):
        services.system_actor(site=site_a)
    assert not User.objects.filter(username=services.SYSTEM_USERNAME).exists()
