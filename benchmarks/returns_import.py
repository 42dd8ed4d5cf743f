"""Benchmark: monthly return import speed and memory (prints figures; not a test).

    .venv/bin/python benchmarks/returns_import.py [--rows 10000 100000] [--formats xlsx csv]
        [--apply-limit N]

For each format and size it writes a synthetic return (one caseload row per new person, a job
for every tenth; xlsx, or caseload.csv and jobs.csv), then measures on a scratch SQLite
database (or DATABASE_URL), each size in a site of its own:
  raw read   the reader alone, iterating every row of both sheets (python-calamine for xlsx,
             the csv module for csv);
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


def raw_read(paths: list[Path]) -> int:
    n = 0
    for path in paths:
        if path.suffix == ".csv":
            import csv

            with open(path, newline="", encoding="utf-8-sig") as handle:
                for _row in csv.reader(handle):
                    n += 1
            continue
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            for _row in wb.get_sheet_by_name(name).iter_rows():
                n += 1
        wb.close()
    return n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", choices=["xlsx", "csv"], default=["xlsx", "csv"])
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
    from ipsworks.returns.synthetic import write_big_return, write_big_return_csv

    programme, _ = Programme.objects.get_or_create(name="Benchmark programme")
    actor = system_actor()
    spec, _ = User.objects.get_or_create(username="bench.es")
    print(
        f"{'format':<6} {'rows':>8} {'step':<10} {'seconds':>8} {'rows/s':>9} {'+RSS MB':>8} "
        f"{'x raw':>6}"
    )
    for fmt in args.formats:
        for size in args.rows:
            site = Site.objects.create(
                programme=programme,
                name=f"Bench {fmt} {size}",
                slug=f"bench-{fmt}-{size}",
                start_date=date(2015, 1, 1),
            )
            Membership.objects.create(user=spec, role="specialist", programme=programme, site=site)
            folder = Path(scratch) / f"{fmt}-{size}"
            folder.mkdir()
            if fmt == "xlsx":
                paths = [write_big_return(folder / "return.xlsx", size, specialist="bench.es")]
            else:
                paths = write_big_return_csv(folder, size, specialist="bench.es")
            files = [(p.name, p) for p in paths]
            month = date(2016, 3, 1)

            def line(step, seconds, rows, mb, raw_s, fmt=fmt, size=size):
                print(
                    f"{fmt:<6} {size:>8} {step:<10} {seconds:>8.2f} {rows / seconds:>9.0f} "
                    f"{mb:>8.1f} {seconds / raw_s:>6.2f}"
                )

            n, raw_s, raw_mb = measure(lambda p=paths: raw_read(p))
            line("raw read", raw_s, n, raw_mb, raw_s)
            report, s, mb = measure(
                lambda s=site, f=files, m=month: importer.process(site=s, month=m, files=f)
            )
            assert report.error_count == 0, report.errors[:5]
            line("check", s, report.rows, mb, raw_s)
            if size > args.apply_limit:
                print(f"{fmt:<6} {size:>8} {'apply':<10} skipped (over --apply-limit)")
                continue
            kwargs = {"actor": actor, "site": site, "month": month, "files": files, "apply": True}
            report, s, mb = measure(lambda k=kwargs: run_return(**k))
            assert report.error_count == 0, report.errors[:5]
            line("apply", s, report.rows, mb, raw_s)
            report, s, mb = measure(lambda k=kwargs: run_return(**k))
            assert report.total_changes == 0
            line("re-import", s, report.rows, mb, raw_s)


if __name__ == "__main__":
    main()
