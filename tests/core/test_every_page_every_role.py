"""A crawl of every URL pattern as every demo role: never a server error, and a site's pages
are "not found" for staff of another site."""

import pytest

from tests.pages import ROLES, SLUG_NAMES, concrete_paths, patterns, sign_in

pytestmark = pytest.mark.django_db


def test_the_crawl_covers_every_app():
    paths = concrete_paths("berkshire")
    for app in ["caseload", "returns", "outcomes", "fidelity", "evaluation", "funding", "api"]:
        assert any(p.startswith(f"/{app}/") for p in paths), app


@pytest.mark.parametrize("username", ROLES)
def test_no_page_gives_a_server_error_to_any_role(demo, client, username):
    sign_in(client, demo.users[username])
    failures = []
    for path in concrete_paths("berkshire") + concrete_paths("bradford"):
        status = client.get(path).status_code
        if status >= 500 or status not in {200, 302, 400, 403, 404, 405}:
            failures.append((path, status))
    assert not failures


@pytest.mark.parametrize("username", ["berkshire.es1", "berkshire.tl", "berkshire.im"])
def test_another_sites_pages_are_not_found_for_site_staff(demo, client, username):
    sign_in(client, demo.users[username])
    leaks, checked = [], []
    for route, entry in patterns():
        names = set(getattr(entry.pattern, "converters", {}))
        if len(names) != 1 or not names <= SLUG_NAMES:
            continue
        (name,) = names
        path = "/" + route.replace(f"<slug:{name}>", "bradford").replace(
            f"<str:{name}>", "bradford"
        )
        own = "/" + route.replace(f"<slug:{name}>", "berkshire").replace(
            f"<str:{name}>", "berkshire"
        )
        checked.append(path)
        other_status = client.get(path).status_code
        if other_status not in {404, 405}:
            leaks.append((path, other_status, "own site:", client.get(own).status_code))
    assert len(checked) >= 5
    assert not leaks
