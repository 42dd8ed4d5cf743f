"""Which pages each role can reach, and that everything else is a 404."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ALL_ROLES = [
    "specialist",
    "team_leader",
    "implementation_manager",
    "programme_manager",
    "reviewer",
    "evaluator",
    "commissioner",
    "administrator",
]


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/", "/sites/", "/sites/alpha/", "/audit/", "/account/password/"])
def test_nothing_beyond_sign_in_is_reachable_without_signing_in(client, users, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_and_health_check_are_public(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).content == b"ok"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_has_a_home_page_naming_the_role(client, users, role):
    response = signed_in(client, users[role]).get("/")
    assert response.status_code == 200
    label = response.context["membership"].get_role_display()
    assert f"<h1>{label}</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "own_site_ok", "other_site_ok"),
    [
        ("specialist", True, False),
        ("team_leader", True, False),
        ("implementation_manager", True, False),
        ("programme_manager", True, True),
        ("reviewer", True, True),
        ("evaluator", True, True),
        ("commissioner", True, True),
        ("administrator", True, True),
    ],
)
def test_site_pages_by_role(client, users, role, own_site_ok, other_site_ok):
    c = signed_in(client, users[role])
    assert c.get("/sites/alpha/").status_code == (200 if own_site_ok else 404)
    assert c.get("/sites/beta/").status_code == (200 if other_site_ok else 404)


def test_specialist_of_one_site_gets_404_for_another_sites_page(client, users):
    c = signed_in(client, users["specialist_b"])
    response = c.get("/sites/alpha/")
    assert response.status_code == 404
    assert b"Alpha" not in response.content
    listed = c.get("/sites/").content.decode()
    assert "Beta" in listed and "Alpha" not in listed


def test_unknown_site_is_a_404_not_a_500(client, users):
    assert signed_in(client, users["programme_manager"]).get("/sites/nowhere/").status_code == 404


def test_commissioner_site_page_lists_no_staff(client, users):
    response = signed_in(client, users["commissioner"]).get("/sites/alpha/")
    assert response.status_code == 200
    assert "a.es1" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(r, r in {"programme_manager", "administrator"}) for r in ALL_ROLES],
)
def test_audit_trail_is_readable_only_by_administrators_and_programme_managers(
    client, users, role, allowed
):
    assert signed_in(client, users[role]).get("/audit/").status_code == (200 if allowed else 404)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_django_admin_only_for_staff_administrators(client, users, role, django_user_model):
    user = users[role]
    if role == "administrator":
        user.is_staff = True
        user.is_superuser = True
        user.save()
    response = signed_in(client, user).get("/admin/")
    if role == "administrator":
        assert response.status_code == 200
    else:
        assert response.status_code == 302  # to the admin's own sign-in, which refuses them


def test_navigation_shows_audit_link_only_to_roles_that_may_read_it(client, users):
    pm_page = signed_in(client, users["programme_manager"]).get("/").content.decode()
    assert 'href="/audit/"' in pm_page
    client.logout()
    es_page = signed_in(client, users["specialist"]).get("/").content.decode()
    assert 'href="/audit/"' not in es_page
