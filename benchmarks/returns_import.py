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
  re-import  the same file again (zero changes);
  db floor   what the database alone needs to store what the apply wrote: the same rows
             (people, referrals, activities, jobs, audit events), already prepared, inserted
             into empty copies of the same tables with the same indexes by plain multi-row
             INSERTs (SQLite, in a scratch database file) or COPY (PostgreSQL, in a scratch
             schema), and committed. No import that stores those records can apply the file
             faster than this on that database; reading, parsing and checking come on top.
Each step runs in a fresh process. Peak memory is the growth of that process's resident memory
during the step (sampled every 20 ms; it includes python-calamine's own buffers, which hold a
whole xlsx sheet: the "raw read" line shows how much). "x raw" is the step's time over the
raw read's.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The files and (unless DATABASE_URL says otherwise) the SQLite database live in a scratch
# directory that the steps' processes inherit through the environment.
# The first process makes the folder (and removes it at the end); the steps' processes find it.
MADE_HERE = "IPSWORKS_BENCH_DIR" not in os.environ
if MADE_HERE:
    os.environ["IPSWORKS_BENCH_DIR"] = tempfile.mkdtemp(prefix="ipsworks-bench-")
SHARED = Path(os.environ["IPSWORKS_BENCH_DIR"])
os.environ.setdefault("IPSWORKS_DATA_DIR", str(SHARED))
os.environ.setdefault("IPSWORKS_ENV", "development")
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
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[10_000, 100_000], help="sizes (any; 10000 100000)"
    )
    parser.add_argument("--formats", nargs="+", choices=["xlsx", "csv"], default=["xlsx", "csv"])
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch folder (files and database)"
    )
    parser.add_argument(
        "--apply-limit",
        type=int,
        default=1_000_000,
        help="skip the apply and re-import steps above this many rows",
    )
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)  # format rows step tag
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_step(*args.one)))
        return
    try:
        run_all(args)
    finally:
        if MADE_HERE and not args.keep:
            shutil.rmtree(SHARED, ignore_errors=True)
        elif MADE_HERE:
            print(f"Scratch folder kept: {SHARED}")


def run_all(args) -> None:
    # Each step runs in a fresh process (sharing one scratch database), so that memory one step
    # grew and the process kept does not hide the next step's.
    print(
        f"{'format':<6} {'rows':>8} {'step':<10} {'seconds':>8} {'rows/s':>9} "
        f"{'+RSS MB':>8} {'x raw':>6}",
        flush=True,
    )
    for fmt in args.formats:
        for size in args.rows:
            tag = os.urandom(4).hex()
            raw_s = None
            for step in STEPS:
                if step in ("apply", "re-import", "db floor") and size > args.apply_limit:
                    print(f"{fmt:<6} {size:>8} {step:<10} skipped (over --apply-limit)")
                    continue
                command = [sys.executable, __file__, "--one", fmt, str(size), step, tag]
                out = subprocess.run(  # noqa: S603 - this script itself
                    command, check=True, capture_output=True, text=True
                ).stdout
                seconds, rows, mb = json.loads(out.strip().splitlines()[-1])
                raw_s = raw_s or seconds
                memory = "-" if step == "db floor" else f"{mb:.1f}"  # not measured
                print(
                    f"{fmt:<6} {size:>8} {step:<10} {seconds:>8.2f} {rows / seconds:>9.0f} "
                    f"{memory:>8} {seconds / raw_s:>6.2f}",
                    flush=True,
                )


STEPS = ("raw read", "check", "apply", "re-import", "db floor")
FLOOR_MODELS = ("ServiceUser", "Episode", "Activity", "Job")


def run_step(fmt: str, size: str, step: str, tag: str) -> tuple[float, int, float]:
    """One step of one run: (seconds, rows, peak resident memory growth in MB)."""
    size = int(size)
    call_command("migrate", verbosity=0)
    from ipsworks.accounts.models import Membership, User
    from ipsworks.organisation.models import Programme, Site
    from ipsworks.returns import importer
    from ipsworks.returns.services import run_return, system_actor
    from ipsworks.returns.synthetic import write_big_return, write_big_return_csv

    programme, _ = Programme.objects.get_or_create(name="Benchmark programme")
    spec, _ = User.objects.get_or_create(username="bench.es")
    site, created = Site.objects.get_or_create(
        slug=f"bench-{fmt}-{size}-{tag}",
        defaults={
            "programme": programme,
            "name": f"Bench {fmt} {size} {tag}",
            "start_date": date(2015, 1, 1),
        },
    )
    if created:
        Membership.objects.create(user=spec, role="specialist", programme=programme, site=site)
    actor = system_actor(site=site)
    folder = SHARED / f"{fmt}-{size}-{tag}"
    if not folder.exists():
        folder.mkdir()
        if fmt == "xlsx":
            write_big_return(folder / "return.xlsx", size, specialist="bench.es")
        else:
            write_big_return_csv(folder, size, specialist="bench.es")
    paths = sorted(folder.iterdir())
    files = [(p.name, p) for p in paths]
    month = date(2016, 3, 1)
    if step == "raw read":
        n, seconds, mb = measure(lambda: raw_read(paths))
        return seconds, n, mb
    if step == "check":
        report, seconds, mb = measure(lambda: importer.process(site=site, month=month, files=files))
        assert report.error_count == 0, report.errors[:5]
        return seconds, report.rows, mb
    if step == "db floor":
        seconds = db_floor(site)
        return seconds, size + size // 10, 0.0
    kwargs = {"actor": actor, "site": site, "month": month, "files": files, "apply": True}
    report, seconds, mb = measure(lambda: run_return(**kwargs))
    assert report.error_count == 0, report.errors[:5]
    if step == "re-import":
        assert report.total_changes == 0
    return seconds, report.rows, mb


def db_floor(site) -> float:
    """Seconds to insert and commit, into empty copies of the tables, the rows the site holds
    (written by the apply step), with nothing else to do: see the module docstring."""
    from django.apps import apps
    from django.db import connection

    from ipsworks.audit.models import AuditEvent

    models = [apps.get_model("caseload", name) for name in FLOOR_MODELS] + [AuditEvent]
    tables = {}
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}" WHERE site_id = %s', [site.pk])  # noqa: S608
            tables[table] = cursor.fetchall()
    if connection.vendor == "postgresql":
        return _pg_floor(connection, tables)
    return _sqlite_floor(connection, tables)


def _sqlite_floor(connection, tables: dict[str, list[tuple]]) -> float:
    import sqlite3

    scratch = SHARED / f"floor-{os.urandom(4).hex()}.sqlite3"
    target = sqlite3.connect(scratch)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY type = 'index'",
                [table],
            )
            for (sql,) in cursor.fetchall():
                target.execute(sql)
    target.commit()
    limit = 32766  # SQLite's most parameters in one statement (since 3.32)
    started = time.perf_counter()
    for table, rows in tables.items():
        if not rows:
            continue
        width = len(rows[0])
        one = "(" + ",".join("?" * width) + ")"
        size = limit // width
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            target.execute(
                f'INSERT INTO "{table}" VALUES {",".join([one] * len(chunk))}',  # noqa: S608
                [value for row in chunk for value in row],
            )
    target.commit()
    seconds = time.perf_counter() - started
    target.close()
    scratch.unlink()
    return seconds


def _pg_floor(connection, tables: dict[str, list[tuple]]) -> float:
    import json as json_module

    schema = f"floor_{os.urandom(4).hex()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
        for table in tables:
            cursor.execute(f'CREATE TABLE {schema}."{table}" (LIKE "{table}" INCLUDING ALL)')
    try:
        from django.db import transaction

        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for table, rows in tables.items():
                with cursor.cursor.copy(f'COPY {schema}."{table}" FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(
                            [json_module.dumps(v) if isinstance(v, dict | list) else v for v in row]
                        )
        return time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
