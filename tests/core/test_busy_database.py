"""When SQLite's one write lock is held (a large return being applied), a request that must
write gets a plain 503 page saying nothing was saved, not a server error."""

import os
import subprocess
import sys

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


def test_a_write_that_finds_sqlite_locked_gets_a_plain_busy_page(tmp_path):
    env = {
        **os.environ,
        "IPSWORKS_ENV": "development",
        "IPSWORKS_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "ipsworks.settings",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-3:] == ["503", "30", "True"], out.stdout + out.stderr[-2000:]
