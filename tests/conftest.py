"""Shared fixtures: a small programme with two sites, and users in every role."""

from datetime import date

import pytest


@pytest.fixture
def programme(db):
    from ipsworks.organisation.models import Programme

    return Programme.objects.create(name="Test programme")


@pytest.fixture
def site_a(programme):
    from ipsworks.organisation.models import Site, Team

    site = Site.objects.create(
        programme=programme, name="Alpha", slug="alpha", start_date=date(2015, 1, 28)
    )
    Team.objects.create(site=site, name="Alpha North CMHT")
    Team.objects.create(site=site, name="Alpha South CMHT")
    return site


@pytest.fixture
def site_b(programme):
    from ipsworks.organisation.models import Site, Team

    site = Site.objects.create(
        programme=programme, name="Beta", slug="beta", start_date=date(2015, 10, 1)
    )
    Team.objects.create(site=site, name="Beta CMHT")
    return site


@pytest.fixture
def make_user(programme):
    """make_user(role, site=None, team=None, username=None, **membership) -> User"""
    from ipsworks.accounts.models import Membership, User

    counter = {"n": 0}

    def make(role, site=None, team=None, username=None, **membership):
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"{role}-{counter['n']}", password="a-long-test-password"
        )
        Membership.objects.create(
            user=user, role=role, programme=programme, site=site, team=team, **membership
        )
        return user

    return make


@pytest.fixture
def users(site_a, site_b, make_user):
    """One user per role; site roles at site A (plus a specialist at site B)."""
    team_north, team_south = list(site_a.teams.order_by("name"))
    return {
        "specialist": make_user("specialist", site_a, team_north, username="a.es1"),
        "specialist_south": make_user("specialist", site_a, team_south, username="a.es2"),
        "specialist_b": make_user("specialist", site_b, site_b.teams.first(), username="b.es1"),
        "team_leader": make_user("team_leader", site_a, team_north, username="a.tl"),
        "implementation_manager": make_user("implementation_manager", site_a, username="a.im"),
        "implementation_manager_b": make_user("implementation_manager", site_b, username="b.im"),
        "programme_manager": make_user("programme_manager", username="pm"),
        "reviewer": make_user("reviewer", username="rev"),
        "evaluator": make_user("evaluator", username="eval"),
        "commissioner": make_user("commissioner", username="comm"),
        "administrator": make_user("administrator", username="adm"),
    }


@pytest.fixture
def staff_admin(users):
    """The administrator, made a superuser with access to the Django admin."""
    admin = users["administrator"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return admin


@pytest.fixture
def run_on_sqlite_file(tmp_path):
    """run_on_sqlite_file(script) -> its output: runs a Python script in a fresh process with
    ipsworks on a SQLite database file of its own (as the embedded default runs), for what the
    in-memory test database cannot show, such as a second connection holding the write lock."""
    import os
    import subprocess
    import sys

    def run(script: str) -> str:
        env = {
            **os.environ,
            "IPSWORKS_ENV": "development",
            "IPSWORKS_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "ipsworks.settings",
        }
        env.pop("DATABASE_URL", None)
        out = subprocess.run(  # noqa: S603 - this interpreter, the test's own script
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout

    return run


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo programme (every app's demo records), loaded once per test module.

    Afterwards the database is flushed; reference data comes back through post_migrate."""
    from django.core.management import call_command

    from ipsworks.demo.loader import load_demo

    with django_db_blocker.unblock():
        ctx = load_demo(seed=2014)
    yield ctx
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def pytest_terminal_summary(terminalreporter):
    """Say which database the suite ran on and how many browser tests ran (CI reads this)."""
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in counts:
        for report in terminalreporter.stats.get(outcome, []):
            in_browser_suite = "tests/browser/" in getattr(report, "nodeid", "")
            counted_phase = report.when == "call" or (
                outcome != "passed" and report.when == "setup"
            )
            if in_browser_suite and counted_phase:
                counts[outcome] += 1
    terminalreporter.write_line(
        f"ipsworks: database {vendor}; browser tests (Chromium + axe-core): "
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
    )
