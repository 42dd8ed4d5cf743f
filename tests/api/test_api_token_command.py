"""`ipsworks api_token create|list|revoke`."""

import io

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_only_the_token_and_it_works(client, users):
    out, _ = run("create", "comm", "--name", "Quarterly report", "--days", "30")
    secret = out.strip()
    assert secret.startswith("ipw_") and "\n" not in secret
    response = client.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_list_shows_tokens_without_their_secret_and_revoke_stops_one(client, users):
    from ipsworks.api.models import ApiToken
    from ipsworks.audit.models import AuditEvent

    secret = run("create", "pm", "--name", "Report")[0].strip()
    listing = run("list", "pm")[0]
    token = ApiToken.objects.get()
    assert f"{token.pk}\tReport\t{secret[:8]}\tActive" in listing
    assert secret not in listing
    _, err = run("revoke", str(token.pk))
    assert "Revoked token" in err
    assert "\tRevoked\t" in run("list", "pm")[0]
    assert "was already revoked" in run("revoke", str(token.pk))[1]
    assert client.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    events = AuditEvent.objects.filter(entity="api.ApiToken").values_list("event", "actor")
    assert sorted(events) == [("api_token.created", None), ("api_token.revoked", None)]


@pytest.mark.parametrize(
    "args, message",
    [
        (("create", "nobody", "--name", "x"), "No account 'nobody'."),
        (("create", "pm", "--name", "   "), "Enter what the token is for."),
        (("revoke", "999"), "No token with id 999."),
        (("list", "nobody"), "No account 'nobody'."),
    ],
)
def test_mistakes_are_reported_plainly(users, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_only_the_offered_lifetimes_are_accepted(users):
    with pytest.raises(CommandError):
        run("create", "pm", "--name", "x", "--days", "1000")


def test_the_limit_names_the_account_when_a_command_makes_the_token(users):
    for n in range(10):
        run("create", "pm", "--name", f"script {n}")
    with pytest.raises(CommandError, match="pm already has 10 tokens"):
        run("create", "pm", "--name", "one more")
