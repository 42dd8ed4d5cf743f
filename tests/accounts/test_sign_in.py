"""Sign-in, lockout, sign-out, password change and session expiry."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def test_sign_in_then_home_then_sign_out(client, users):
    response = client.post("/account/sign-in/", {"username": "a.es1", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/account/sign-out/").status_code == 302
    assert client.get("/").status_code == 302


def test_sign_out_is_post_only(client, users):
    client.force_login(users["specialist"])
    assert client.get("/account/sign-out/").status_code == 405


def test_wrong_password_shows_an_error_and_no_session(client, users):
    response = client.post("/account/sign-in/", {"username": "a.es1", "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert client.get("/").status_code == 302


def test_account_locks_after_repeated_failures(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/account/sign-in/", {"username": "a.es1", "password": "wrong-password-x"})
    locked = client.post("/account/sign-in/", {"username": "a.es1", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert client.get("/").status_code == 302


def test_password_change_enforces_validators(client, users):
    client.force_login(users["specialist"])
    weak = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    ok = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "correct horse battery staple 9",
            "new_password2": "correct horse battery staple 9",
        },
    )
    assert ok.status_code == 302


def test_sessions_expire_and_forms_need_csrf(users):
    from django.test import Client

    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/account/sign-in/", {"username": "a.es1", "password": PASSWORD})
    assert response.status_code == 403
