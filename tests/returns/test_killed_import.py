"""A process killed in the middle of a large import leaves the database as it was."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser
from ipsworks.returns.synthetic import write_big_return

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def counts():
    return tuple(m.objects.count() for m in (ServiceUser, Episode, Job, Activity))


def writer_in_transaction() -> bool:
    """Another backend has inserted into caseload_episode and not yet committed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class t ON l.relation = t.oid "
            "WHERE t.relname = 'caseload_episode' AND l.mode = 'RowExclusiveLock' "
            "AND l.pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_sigkill_mid_import_applies_nothing(users, site_a, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the test kills a second process mid-transaction and watches its "
            "locks through pg_locks (run with DATABASE_URL=postgres://...)"
        )
    # Large enough that the (bulk) apply is still running a second after its first insert.
    path = write_big_return(tmp_path / "big.xlsx", 20000, specialist="a.es1")
    before = counts()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "IPSWORKS_ENV": "test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ipsworks.cli",
            "import_return",
            "--site",
            "alpha",
            "--month",
            "2016-03",
            str(path),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90
    while not writer_in_transaction():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.05)
    time.sleep(1.0)  # well into the file
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert counts() == before
