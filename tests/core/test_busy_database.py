"""When SQLite's one write lock is held (a large return being applied), a request that must
write gets a plain 503 page saying nothing was saved, not a server error."""

SCRIPT = """
import sqlite3, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
from ipsworks.accounts.models import User

call_command("migrate", verbosity=0)
User.objects.create_user(username="pm", password="a-long-test-password")
connection.close()
connection.settings_dict["OPTIONS"]["timeout"] = 0.2  # not 20 s: the lock will not be freed
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.1)
other.execute("BEGIN IMMEDIATE")  # what a long apply holds
page = Client().post(
    "/account/sign-in/", {"username": "pm", "password": "a-long-test-password"}
)
said = "Nothing you sent was saved" in page.content.decode()
print(page.status_code, page.get("Retry-After"), said)
other.rollback()
"""


def test_a_write_that_finds_sqlite_locked_gets_a_plain_busy_page(run_on_sqlite_file):
    out = run_on_sqlite_file(SCRIPT)
    assert out.split()[-3:] == ["503", "30", "True"], out
