"""The demo programme: six sites of the seed's Table 1, and every demo account signs in."""

import os
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from ipsworks.accounts.models import Membership, User
from ipsworks.demo.context import DEMO_PASSWORD
from ipsworks.organisation.models import Site

pytestmark = pytest.mark.django_db

SLUGS = [
    "berkshire",
    "lincolnshire",
    "bradford",
    "wiltshire",
    "bedfordshire-luton",
    "northamptonshire",
]
PROGRAMME_ACCOUNTS = ["programme.manager", "reviewer", "evaluator", "commissioner", "admin"]


def demo_usernames():
    names = list(PROGRAMME_ACCOUNTS)
    for slug in SLUGS:
        names += [f"{slug}.im", f"{slug}.tl", f"{slug}.es1", f"{slug}.es2"]
    return names


def test_six_sites_with_the_seed_start_dates(demo):
    starts = dict(Site.objects.values_list("slug", "start_date"))
    assert starts == {
        "berkshire": date(2015, 1, 28),
        "lincolnshire": date(2015, 1, 28),
        "bradford": date(2015, 1, 28),
        "wiltshire": date(2015, 10, 1),
        "bedfordshire-luton": date(2015, 9, 28),
        "northamptonshire": date(2015, 12, 1),
    }
    assert set(Site.objects.values_list("referral_target", "job_start_target")) == {(120, 60)}
    assert {s.programme.name for s in Site.objects.all()} == {"Making IPS Work"}


@pytest.mark.parametrize("username", demo_usernames())
def test_every_demo_account_signs_in_with_the_demo_password(demo, client, username):
    response = client.post("/account/sign-in/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_site_accounts_hold_the_expected_roles(demo):
    roles = dict(
        Membership.objects.filter(site__slug="wiltshire").values_list("user__username", "role")
    )
    # The caseload demo may add further specialists (S.es3, ...); the public accounts are these.
    expected = {
        "wiltshire.im": "implementation_manager",
        "wiltshire.tl": "team_leader",
        "wiltshire.es1": "specialist",
        "wiltshire.es2": "specialist",
    }
    assert {name: roles.get(name) for name in expected} == expected
    extra = {name: role for name, role in roles.items() if name not in expected}
    assert set(extra.values()) <= {"specialist"}
    assert User.objects.get(username="admin").is_superuser


def run_demo_command(**env_overrides) -> subprocess.CompletedProcess:
    """`ipsworks demo --no-serve` in a fresh process, with no IPSWORKS_ or DATABASE_URL
    settings but those given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPSWORKS_", "DATABASE_URL"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "ipsworks.cli", "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_demo_command_loads_and_exits_with_no_serve(tmp_path):
    result = run_demo_command(IPSWORKS_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8000/" in result.stdout
    assert "berkshire.im, berkshire.tl, berkshire.es1, berkshire.es2" in result.stdout
    others = next(line for line in result.stdout.splitlines() if line.startswith("Other demo"))
    for account in ["reviewer2", "evaluator2", "bradford.es5", "bedfordshire-luton.es7"]:
        assert account in others
    assert (
        'curl -H "Authorization: Bearer ipw_demo-programme-manager" '
        "http://127.0.0.1:8000/api/v1/outcomes/"
    ) in result.stdout
    assert (tmp_path / "ipsworks.sqlite3").exists()
    assert (tmp_path / "ipsworks.sqlite3.demo").exists()  # the demo may replace it next time


def test_demo_refuses_a_non_sqlite_database(tmp_path):
    result = run_demo_command(DATABASE_URL="postgres://postgres@127.0.0.1:5432/never_used_by_demo")
    assert result.returncode != 0
    assert "embedded SQLite database only" in result.stderr


def people_db(path, *synthetic: bool):
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE accounts_user (id integer primary key)")
        con.execute("CREATE TABLE caseload_serviceuser (id integer primary key, is_synthetic bool)")
        con.executemany(
            "INSERT INTO caseload_serviceuser (is_synthetic) VALUES (?)", [(s,) for s in synthetic]
        )
    return path


def test_the_demo_replaces_only_databases_it_made(tmp_path):
    from ipsworks.demo.management.commands.demo import _replaceable

    assert _replaceable(tmp_path / "none.sqlite3")
    assert _replaceable(people_db(tmp_path / "old-demo.sqlite3", True, True))
    assert not _replaceable(people_db(tmp_path / "real.sqlite3", True, False))
    assert not _replaceable(people_db(tmp_path / "no-people-yet.sqlite3"))
    (tmp_path / "no-people-yet.sqlite3.demo").write_text("made by the demo")
    assert _replaceable(tmp_path / "no-people-yet.sqlite3")
    (tmp_path / "garbage.sqlite3").write_bytes(b"not a database at all" * 100)
    assert not _replaceable(tmp_path / "garbage.sqlite3")


def test_the_demo_command_leaves_a_real_database_alone(tmp_path):
    real = people_db(tmp_path / "ipsworks.sqlite3", False)
    result = run_demo_command(IPSWORKS_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "holds records that the demo did not make" in result.stderr
    with sqlite3.connect(real) as con:  # (opening it may switch its journal to WAL: no matter)
        assert con.execute("SELECT is_synthetic FROM caseload_serviceuser").fetchall() == [(0,)]
