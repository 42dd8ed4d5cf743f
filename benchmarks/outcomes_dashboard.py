"""Benchmark: programme dashboard cost against the number of raw records (prints figures; not a
test).

    .venv/bin/python benchmarks/outcomes_dashboard.py [--episodes 1000 10000 50000]

For each size it fills a scratch SQLite database (or DATABASE_URL) with synthetic episodes,
jobs (one in three) and employer contacts spread over six sites, rebuilds the monthly
summaries, then renders /outcomes/ as the programme manager and prints the number of SQL
queries and the time taken (best of 3), plus the time of a single summary refresh after one
write (what the records_changed receiver costs a caseload write).
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def fill(first: int, n: int, sites, rng) -> None:
    from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser

    people, episodes = [], []
    for i in range(first, first + n):
        site = sites[i % len(sites)]
        people.append(ServiceUser(site=site, reference=f"BENCH{i:07d}", is_synthetic=True))
    ServiceUser.objects.bulk_create(people, batch_size=2000)
    for person in people:
        referred = person.site.start_date + timedelta(days=rng.randrange(500))
        episodes.append(
            Episode(
                service_user=person,
                site=person.site,
                referral_date=referred,
                profile_started=referred + timedelta(days=7),
            )
        )
    Episode.objects.bulk_create(episodes, batch_size=2000)
    jobs, acts = [], []
    for i, ep in enumerate(episodes):
        acts.append(
            Activity(
                episode=ep,
                site=ep.site,
                kind="employer_contact",
                date=ep.referral_date + timedelta(days=14),
            )
        )
        if i % 3 == 0:
            jobs.append(
                Job(
                    episode=ep,
                    site=ep.site,
                    start_date=ep.referral_date + timedelta(days=60),
                    employer="Employer",
                    job_title="Job",
                    hours_per_week=Decimal("16"),
                    hourly_pay=Decimal("8.00"),
                    is_competitive=True,
                )
            )
    Job.objects.bulk_create(jobs, batch_size=2000)
    Activity.objects.bulk_create(acts, batch_size=2000)


def main() -> None:
    import random

    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, nargs="+", default=[1000, 10000, 50000])
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    from ipsworks.caseload.models import Episode
    from ipsworks.caseload.signals import records_changed
    from ipsworks.demo.context import DemoContext
    from ipsworks.demo.organisation import load as load_organisation
    from ipsworks.outcomes.summaries import rebuild_all

    ctx = DemoContext(seed=1)
    load_organisation(ctx)
    sites = list(ctx.sites.values())
    client = Client()
    client.force_login(ctx.users["programme.manager"])
    rng = random.Random(1)
    loaded = 0
    print(f"{'episodes':>10} {'queries':>8} {'dashboard s':>12} {'refresh s':>10}")
    for target in sorted(args.episodes):
        fill(loaded, target - loaded, sites, rng)
        loaded = target
        rebuild_all()
        timings, queries = [], 0
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx_q:
                start = time.perf_counter()
                response = client.get("/outcomes/")
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200
            queries = len(ctx_q)
        start = time.perf_counter()
        records_changed.send(sender=Episode, site=sites[0], dates=[date(2016, 6, 1)])
        refresh = time.perf_counter() - start
        print(f"{target:>10} {queries:>8} {min(timings):>12.3f} {refresh:>10.3f}")


if __name__ == "__main__":
    main()
