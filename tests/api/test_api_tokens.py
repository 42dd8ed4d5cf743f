"""Making, listing and revoking one's own API tokens, on the account's API tokens page."""

import pytest

pytestmark = pytest.mark.django_db


def make(client, user, name="Monthly report", days="90"):
    client.force_login(user)
    return client.post("/account/api-tokens/", {"name": name, "days": days})


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client, users):
    from ipsworks.api.models import ApiToken, hash_token

    response = make(client, users["commissioner"])
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("ipw_") and len(secret) > 40
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(secret) and secret not in token.key_hash
    assert token.hint == secret[:8]
    listing = client.get("/account/api-tokens/").content.decode()
    assert "Monthly report" in listing and secret not in listing


def test_the_new_token_works_against_the_api(client, users):
    secret = make(client, users["commissioner"]).context["secret"]
    client.logout()
    response = client.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name, days, field, message",
    [
        ("", "90", "name", "This field is required."),
        ("   ", "90", "name", "This field is required."),
        ("x" * 61, "90", "name", "at most 60 characters"),
        ("Report", "7", "days", "Select a valid choice"),
    ],
)
def test_bad_input_is_named_by_field_and_makes_nothing(client, users, name, days, field, message):
    from ipsworks.api.models import ApiToken

    response = make(client, users["programme_manager"], name=name, days=days)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert not ApiToken.objects.exists()


def test_at_most_ten_working_tokens(client, users, token_for):
    from ipsworks.api.models import ApiToken

    pm = users["programme_manager"]
    for n in range(10):
        token_for(pm, name=f"script {n}")
    response = make(client, pm, name="one more")
    assert response.status_code == 400
    assert "You already have 10 tokens. Revoke one no longer in use." in response.content.decode()
    assert ApiToken.objects.count() == 10


def test_the_owner_revokes_a_token_and_the_change_is_audited(client, users, token_for):
    from ipsworks.api.models import ApiToken
    from ipsworks.audit.models import AuditEvent

    pm = users["programme_manager"]
    token_for(pm)
    token = ApiToken.objects.get()
    client.force_login(pm)
    response = client.post(f"/account/api-tokens/{token.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert "revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    events = list(AuditEvent.objects.filter(entity="api.ApiToken").order_by("id"))
    assert [e.event for e in events] == ["api_token.created", "api_token.revoked"]
    assert all(e.actor == pm for e in events)
    assert token.key_hash not in str([e.after for e in events])


def test_another_person_s_token_cannot_be_revoked_or_seen(client, users, token_for):
    from ipsworks.api.models import ApiToken

    token_for(users["programme_manager"], name="PM's script")
    token = ApiToken.objects.get()
    client.force_login(users["commissioner"])
    assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    assert "PM&#x27;s script" not in client.get("/account/api-tokens/").content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(client, users, token_for):
    from ipsworks.api.models import ApiToken

    token_for(users["programme_manager"])
    client.force_login(users["programme_manager"])
    response = client.get(f"/account/api-tokens/{ApiToken.objects.get().pk}/revoke/")
    assert response.status_code == 405


def test_the_page_needs_sign_in(client, users):
    response = client.get("/account/api-tokens/")
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_a_command_cannot_make_a_token_for_someone_else_through_the_service(users):
    from django.core.exceptions import PermissionDenied

    from ipsworks.api.services import create_api_token

    with pytest.raises(PermissionDenied):
        create_api_token(
            actor=users["commissioner"], user=users["programme_manager"], name="x", days=90
        )


def test_a_superuser_revokes_a_leaked_token_in_the_admin(client, users, staff_admin, token_for):
    from ipsworks.api.models import ApiToken
    from ipsworks.audit.models import AuditEvent

    secret = token_for(users["programme_manager"], name="leaked")
    token = ApiToken.objects.get()
    client.force_login(staff_admin)
    listing = client.get("/admin/api/apitoken/")
    assert listing.status_code == 200 and "leaked" in listing.content.decode()
    assert token.key_hash not in listing.content.decode()
    detail = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in detail and 'name="_save"' not in detail  # view only
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(event="api_token.revoked")
    assert event.actor == staff_admin
    client.logout()
    assert client.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
