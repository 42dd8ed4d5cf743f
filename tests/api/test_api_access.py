"""Who may call the API: a usable token is needed, and it reads only what its account may see."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_request_without_a_token_is_refused_with_401_and_a_bearer_challenge(client, users):
    response = client.get("/api/v1/sites/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="ipsworks"'
    assert "Authorization: Bearer" in response.json()["error"]


@pytest.mark.parametrize(
    "header",
    ["Bearer ipw_not-a-real-token", "Bearer ", "Basic cG06cHc=", "ipw_no-scheme", "Bearer x" * 50],
)
def test_a_wrong_or_malformed_token_is_refused(client, users, header):
    response = client.get("/api/v1/sites/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_signed_in_browser_session_is_not_enough(client, users):
    client.force_login(users["programme_manager"])
    assert client.get("/api/v1/sites/").status_code == 401


def test_a_revoked_token_stops_working(api, users, token_for):
    from ipsworks.api.models import ApiToken
    from ipsworks.api.services import revoke_api_token

    pm = users["programme_manager"]
    secret = token_for(pm)
    assert api(secret, "/api/v1/sites/").status_code == 200
    revoke_api_token(actor=pm, token=ApiToken.objects.get(user=pm))
    assert api(secret, "/api/v1/sites/").status_code == 401


def test_an_expired_token_stops_working(api, users, token_for):
    from ipsworks.api.models import ApiToken

    secret = token_for(users["programme_manager"])
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(secret, "/api/v1/sites/").status_code == 401


def test_a_deactivated_account_s_token_stops_working(api, users, token_for):
    pm = users["programme_manager"]
    secret = token_for(pm)
    pm.is_active = False
    pm.save()
    assert api(secret, "/api/v1/sites/").status_code == 401


def test_a_token_reads_with_its_account_s_current_roles(api, users, token_for):
    from ipsworks.accounts.models import Membership

    im = users["implementation_manager"]
    secret = token_for(im)
    assert api(secret, "/api/v1/sites/alpha/measures/").status_code == 200
    Membership.objects.filter(user=im).update(end_date=date.today() - timedelta(days=1))
    assert api(secret, "/api/v1/sites/alpha/measures/").status_code == 404
    assert api(secret, "/api/v1/sites/").json() == {"sites": []}


def test_the_api_is_read_only(client, users, token_for):
    secret = token_for(users["programme_manager"])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            "/api/v1/outcomes/", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
        assert response.status_code == 405, method
        assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "role, visible",
    [
        ("specialist", ["alpha"]),
        ("team_leader", ["alpha"]),
        ("implementation_manager", ["alpha"]),
        ("implementation_manager_b", ["beta"]),
        ("programme_manager", ["alpha", "beta"]),
        ("commissioner", ["alpha", "beta"]),
        ("reviewer", ["alpha", "beta"]),
    ],
)
def test_each_role_lists_and_reads_only_its_own_sites(api, users, role, visible):
    user = users[role]
    listed = [s["slug"] for s in api(user, "/api/v1/sites/").json()["sites"]]
    assert listed == visible
    for slug in ("alpha", "beta"):
        for what in ("outcomes", "measures"):
            response = api(user, f"/api/v1/sites/{slug}/{what}/")
            assert response.status_code == (200 if slug in visible else 404), (slug, what)


@pytest.mark.parametrize("role", ["specialist", "team_leader", "implementation_manager"])
def test_site_roles_cannot_read_programme_figures(api, users, role):
    for path in ("/api/v1/outcomes/", "/api/v1/measures/"):
        response = api(users[role], path)
        assert response.status_code == 404
        assert response.json() == {"error": "Not found."}


def test_another_programme_is_not_found(api, users):
    from ipsworks.organisation.models import Programme

    other = Programme.objects.create(name="Elsewhere")
    pm = users["programme_manager"]
    assert api(pm, "/api/v1/outcomes/", programme=str(other.pk)).status_code == 404


def test_last_use_is_recorded(api, users, token_for):
    from ipsworks.api.models import ApiToken

    secret = token_for(users["commissioner"])
    assert ApiToken.objects.get().last_used_at is None
    api(secret, "/api/v1/")
    assert ApiToken.objects.get().last_used_at is not None


def test_responses_are_not_cached_and_vary_by_token(api, users):
    response = api(users["programme_manager"], "/api/v1/sites/")
    assert "no-store" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def test_a_site_role_in_another_programme_does_not_open_that_programme(api, users, make_user):
    from ipsworks.accounts.models import Membership
    from ipsworks.organisation.models import Programme, Site

    other = Programme.objects.create(name="Elsewhere")
    omega = Site.objects.create(
        programme=other, name="Omega", slug="omega", start_date=date(2016, 1, 1)
    )
    Site.objects.create(
        programme=other, name="Omicron", slug="omicron", start_date=date(2016, 1, 1)
    )
    commissioner = users["commissioner"]  # programme-wide in the test programme only
    Membership.objects.create(user=commissioner, role="specialist", programme=other, site=omega)
    for path in ("/api/v1/outcomes/", "/api/v1/measures/"):
        response = api(commissioner, path, programme=str(other.pk))
        assert response.status_code == 404, path
    assert api(commissioner, "/api/v1/sites/omega/outcomes/").status_code == 200
    assert api(commissioner, "/api/v1/sites/omicron/outcomes/").status_code == 404


@pytest.mark.parametrize("value", ["\u00b2", "\u0661", "9" * 30, "abc", "-1"])
def test_odd_programme_parameters_never_give_a_server_error(api, users, client, value):
    response = api(users["programme_manager"], "/api/v1/outcomes/", programme=value)
    assert response.status_code in (200, 404)
    client.force_login(users["programme_manager"])
    assert client.get("/outcomes/", {"programme": value}).status_code in (200, 404)


@pytest.mark.parametrize("path", ["/api/v2/", "/api/v1/sites/%C3%A9t%C3%A9/outcomes/", "/api/x"])
def test_unknown_api_addresses_get_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"].startswith("Not found")


BUSY_SCRIPT = """
import sqlite3
from datetime import timedelta
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
from ipsworks.accounts.models import Membership, User
from ipsworks.api.models import ApiToken
from ipsworks.api.services import create_api_token
from ipsworks.organisation.models import Programme

call_command("migrate", verbosity=0)
user = User.objects.create_user(username="comm", password="a-long-test-password")
programme = Programme.objects.create(name="P")
Membership.objects.create(user=user, role="commissioner", programme=programme)
secret = create_api_token(actor=user, user=user, name="x", days=30)[1]
ApiToken.objects.update(last_used_at=None)  # due for a last-use note
connection.close()
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.1)
other.execute("BEGIN IMMEDIATE")  # what a long return apply holds
response = Client().get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Bearer {secret}")
print(response.status_code, response["Content-Type"])
other.rollback()
"""


def test_a_read_succeeds_while_sqlite_is_busy_with_a_long_write(run_on_sqlite_file):
    out = run_on_sqlite_file(BUSY_SCRIPT)
    assert out.split()[-2:] == ["200", "application/json"], out


def test_a_staff_account_without_superuser_rights_cannot_list_tokens(client, users, token_for):
    pm = users["programme_manager"]
    token_for(pm, name="private script")
    staff = users["commissioner"]
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    response = client.get("/admin/api/apitoken/")
    assert response.status_code == 403
    assert "private script" not in response.content.decode()
