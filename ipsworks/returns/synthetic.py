"""Synthetic return files for benchmarks and robustness tests (never for real data)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from .columns import CASELOAD_COLUMNS, JOB_COLUMNS


def write_big_return(
    path: Path, rows: int, *, specialist: str, start: date = date(2016, 1, 4)
) -> Path:
    """An xlsx with `rows` caseload rows (new people) and a job for every tenth, streamed out
    with openpyxl's write-only mode."""
    wb = Workbook(write_only=True)
    caseload = wb.create_sheet("Caseload")
    caseload.append([c.label for c in CASELOAD_COLUMNS])
    for n in range(rows):
        referred = start + timedelta(days=n % 50)
        caseload.append(
            [
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
        )
    jobs = wb.create_sheet("Jobs")
    jobs.append([c.label for c in JOB_COLUMNS])
    for n in range(0, rows, 10):
        jobs.append(
            [
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
        )
    wb.save(path)
    return path
