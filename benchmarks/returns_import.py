"""Benchmark: monthly return import speed and memory (prints figures; not a test).

    .venv/bin/python benchmarks/returns_import.py [--rows 10000 100000] [--apply-limit N]

For each size it writes a synthetic xlsx (one caseload row per new person, a job for every
tenth), then measures on a scratch SQLite database (or DATABASE_URL):
  raw read   python-calamine alone, iterating every row of both sheets;
  check      reading + parsing + validating against the database (no writes);
  apply      the accepted import: the file checked again and every change written through
             caseload.services.bulk_apply (bulk inserts, one audit row per record), in one
             transaction;
  re-import  the same file again (zero changes).
Peak memory is the growth of the process's resident memory during each step (sampled every
20 ms; it includes python-calamine's own buffers).
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
scratch = tempfile.mkdtemp(prefix="ipsworks-bench-")
os.environ.setdefault("IPSWORKS_ENV", "development")
os.environ.setdefault("IPSWORKS_DATA_DIR", scratch)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipsworks.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def measure(fn):
    """(result, seconds, peak resident memory growth in MB during the step)."""
    base = rss_mb()
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    peak[0] = max(peak[0], rss_mb())
    return result, seconds, peak[0] - base


def raw_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    n = 0
    for name in wb.sheet_names:
        for _row in wb.get_sheet_by_name(name).iter_rows():
            n += 1
    wb.close()
    return n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--apply-limit",
        type=int,
        default=1_000_000,
        help="skip the apply and re-import steps above this many rows",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    from ipsworks.accounts.models import Membership, User
    from ipsworks.organisation.models import Programme, Site
    from ipsworks.returns import importer
    from ipsworks.returns.services import run_return, system_actor
    from ipsworks.returns.synthetic import write_big_return

    programme, _ = Programme.objects.get_or_create(name="Benchmark programme")
    actor = system_actor()
    spec, _ = User.objects.get_or_create(username="bench.es")
    print(f"{'rows':>8} {'step':<10} {'seconds':>8} {'rows/s':>9} {'+RSS MB':>8} {'x raw':>6}")
    for size in args.rows:
        site = Site.objects.create(
            programme=programme,
            name=f"Bench {size}",
            slug=f"bench-{size}",
            start_date=date(2015, 1, 1),
        )
        Membership.objects.create(user=spec, role="specialist", programme=programme, site=site)
        path = Path(scratch) / f"return-{size}.xlsx"
        write_big_return(path, size, specialist="bench.es")
        files = [(path.name, path)]
        month = date(2016, 3, 1)
        n, raw_s, raw_mb = measure(lambda p=path: raw_read(p))
        print(
            f"{size:>8} {'raw read':<10} {raw_s:>8.2f} {n / raw_s:>9.0f} {raw_mb:>8.1f} {1:>6.2f}"
        )
        report, s, mb = measure(
            lambda s=site, f=files, m=month: importer.process(site=s, month=m, files=f)
        )
        assert report.error_count == 0, report.errors[:5]
        print(
            f"{size:>8} {'check':<10} {s:>8.2f} {report.rows / s:>9.0f} {mb:>8.1f} "
            f"{s / raw_s:>6.2f}"
        )
        if size > args.apply_limit:
            print(f"{size:>8} {'apply':<10} skipped (over --apply-limit {args.apply_limit})")
            continue
        kwargs = {"actor": actor, "site": site, "month": month, "files": files, "apply": True}
        report, s, mb = measure(lambda k=kwargs: run_return(**k))
        assert report.error_count == 0, report.errors[:5]
        print(
            f"{size:>8} {'apply':<10} {s:>8.2f} {report.rows / s:>9.0f} {mb:>8.1f} "
            f"{s / raw_s:>6.2f}"
        )
        report, s, mb = measure(lambda k=kwargs: run_return(**k))
        assert report.total_changes == 0
        print(
            f"{size:>8} {'re-import':<10} {s:>8.2f} {report.rows / s:>9.0f} {mb:>8.1f} "
            f"{s / raw_s:>6.2f}"
        )


if __name__ == "__main__":
    main()
