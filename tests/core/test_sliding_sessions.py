"""Sessions slide their expiry without writing to the database on every request, and a page
never fails because a refresh found the database busy."""

import time

import pytest
from django.contrib.sessions.models import Session

from ipsworks.core import sessions

pytestmark = pytest.mark.django_db


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_an_unchanged_session_is_saved_at_most_once_a_minute(client, users, monkeypatch):
    client.force_login(users["programme_manager"])
    client.get("/")  # the first request refreshes
    first = expiry(client)
    client.get("/")
    assert expiry(client) == first  # no write within the minute
    clock = time.time() + sessions.REFRESH_EVERY + 1
    monkeypatch.setattr(sessions.time, "time", lambda: clock)
    client.get("/")
    assert expiry(client) > first  # slid on


def test_a_changed_session_is_always_saved(client, users):
    client.force_login(users["programme_manager"])
    client.get("/")
    session = client.session
    session["note"] = "x"
    session.save()
    client.get("/")
    assert Session.objects.get(session_key=session.session_key).get_decoded()["note"] == "x"


BUSY_SCRIPT = """
import os, sqlite3, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
from ipsworks.accounts.models import User
from ipsworks.core import sessions

call_command("migrate", verbosity=0)
user = User.objects.create_user(username="pm", password="a-long-test-password")
client = Client()
client.force_login(user)
client.get("/")
sessions.BUSY_WAIT_MS = 50
later = time.time() + sessions.REFRESH_EVERY + 1
sessions.time.time = lambda: later
connection.close()
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.1)
other.execute("BEGIN IMMEDIATE")  # what a long apply holds
started = time.monotonic()
page = client.get("/")
print(page.status_code, round(time.monotonic() - started, 2))
other.rollback()
"""


def test_a_refresh_that_finds_sqlite_busy_is_skipped_not_failed(run_on_sqlite_file):
    """On a SQLite file, with another connection holding the write lock, a page whose session
    is due a refresh still answers, and quickly."""
    status, seconds = run_on_sqlite_file(BUSY_SCRIPT).split()[-2:]
    assert status == "200"
    assert float(seconds) < 5  # not the 20-second lock timeout
