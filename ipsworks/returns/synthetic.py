"""Synthetic return files for benchmarks and robustness tests (never for real data)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from .columns import CASELOAD_COLUMNS, JOB_COLUMNS


def _caseload_rows(rows: int, specialist: str, start: date):
    for n in range(rows):
        referred = start + timedelta(days=n % 50)
        yield [
            f"BM{n:07d}",
            referred,
            "Benchmark CMHT",
            specialist,
            referred + timedelta(days=7),
            "Out of work",
            None,
            None,
            1,
            1,
            0,
        ]


def _job_rows(rows: int, start: date):
    for n in range(0, rows, 10):
        yield [
            f"BM{n:07d}",
            start + timedelta(days=60),
            "Employer Ltd",
            "Assistant",
            "7 Sales and customer service occupations",
            16,
            7.5,
            None,
            None,
        ]


def write_big_return(
    path: Path, rows: int, *, specialist: str, start: date = date(2016, 1, 4)
) -> Path:
    """An xlsx with `rows` caseload rows (new people) and a job for every tenth, streamed out
    with openpyxl's write-only mode."""
    wb = Workbook(write_only=True)
    caseload = wb.create_sheet("Caseload")
    caseload.append([c.label for c in CASELOAD_COLUMNS])
    for row in _caseload_rows(rows, specialist, start):
        caseload.append(row)
    jobs = wb.create_sheet("Jobs")
    jobs.append([c.label for c in JOB_COLUMNS])
    for row in _job_rows(rows, start):
        jobs.append(row)
    wb.save(path)
    return path


def write_big_return_csv(
    folder: Path, rows: int, *, specialist: str, start: date = date(2016, 1, 4)
) -> list[Path]:
    """The same return as :func:`write_big_return`, as caseload.csv and jobs.csv (UK dates)."""

    def cell(value):
        if isinstance(value, date):
            return f"{value:%d/%m/%Y}"
        return "" if value is None else value

    paths = []
    for name, columns, data in (
        ("caseload.csv", CASELOAD_COLUMNS, _caseload_rows(rows, specialist, start)),
        ("jobs.csv", JOB_COLUMNS, _job_rows(rows, start)),
    ):
        path = folder / name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.label for c in columns])
            writer.writerows([cell(v) for v in row] for row in data)
        paths.append(path)
    return paths
