"""Benchmark: caseload demo load time and caseload page costs (prints figures; not a test).

    .venv/bin/python benchmarks/caseload_pages.py

Migrates a scratch SQLite database (or DATABASE_URL), loads the caseload part of the demo
(1,161 synthetic referrals, 421 job starts, about 14,000 activities) and prints how long it took,
then renders the caseload pages for several roles and prints the SQL query count and the time
(best of 3) of each.
"""

import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
scratch = tempfile.mkdtemp(prefix="ipsworks-bench-")
atexit.register(shutil.rmtree, scratch, True)  # the scratch database goes when the run ends
os.environ.setdefault("IPSWORKS_ENV", "development")
os.environ.setdefault("IPSWORKS_DATA_DIR", scratch)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipsworks.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    from ipsworks.caseload import demo
    from ipsworks.caseload.models import Activity, Episode, Job
    from ipsworks.demo import organisation
    from ipsworks.demo.context import DemoContext

    ctx = DemoContext(seed=2014)
    with transaction.atomic():
        organisation.load(ctx)
        started = time.perf_counter()
        demo.load(ctx)
        took = time.perf_counter() - started
    print(
        f"caseload demo: {Episode.objects.count()} referrals, {Job.objects.count()} jobs, "
        f"{Activity.objects.count()} activities in {took:.2f} s"
    )
    person = Episode.objects.filter(site__slug="berkshire", jobs__isnull=False).first()
    pages = [
        ("berkshire.es1", "/caseload/people/"),
        ("berkshire.es1", "/caseload/people/?stage=engaged&sort=-activity&page=2"),
        ("berkshire.es1", f"/caseload/people/{person.service_user_id}/"),
        ("berkshire.tl", "/caseload/supervision/"),
        ("berkshire.im", "/caseload/sites/berkshire/"),
        ("programme.manager", "/caseload/people/"),
    ]
    client = Client()
    print(f"{'user':<20} {'page':<55} {'queries':>7} {'ms':>8}")
    for username, url in pages:
        client.force_login(ctx.users[username])
        best = None
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            best = elapsed if best is None else min(best, elapsed)
        print(f"{username:<20} {url:<55} {len(queries.captured_queries):>7} {best:>8.1f}")


if __name__ == "__main__":
    main()
