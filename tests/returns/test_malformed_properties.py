"""Property-based: malformed cells and files never raise, always name the row and column, and
leave the database as it was."""

import csv
import re
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser
from ipsworks.returns.columns import CASELOAD_COLUMNS, JOB_COLUMNS
from ipsworks.returns.services import run_return

from .conftest import MONTH
from .helpers import write_xlsx_rows

ROW_MESSAGE = re.compile(r'^(Caseload|Jobs|caseload\.csv|jobs\.csv), row \d+, "[^"]+": .+')

cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.sampled_from(["31/02/2016", "2016-13-01", "£-3", "1e400", "  ", "N/A", "0x1F", "🙂"]),
)
EXCEL_SAFE = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2200, 12, 31)),
)


def state():
    return (
        ServiceUser.objects.count(),
        Episode.objects.count(),
        Job.objects.count(),
        Activity.objects.count(),
        sorted(Episode.objects.values_list("version", flat=True)),
    )


def check(report, before):
    for text in report.errors:
        assert ROW_MESSAGE.match(text), text
    if report.error_count:
        assert state() == before


def rows_of(columns, data):
    return [[c.label for c in columns]] + [list(r) for r in data]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    caseload=st.lists(st.lists(cell, min_size=11, max_size=12), min_size=1, max_size=4),
    jobs=st.lists(st.lists(cell, min_size=9, max_size=10), max_size=3),
)
def test_malformed_csv_cells_give_row_and_column_messages(populated, im, tmp_path, caseload, jobs):
    before = state()
    paths = []
    for name, columns, data in (
        ("caseload.csv", CASELOAD_COLUMNS, caseload),
        ("jobs.csv", JOB_COLUMNS, jobs),
    ):
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(
                [
                    [
                        "" if v is None else (f"{v:%d/%m/%Y}" if isinstance(v, date) else v)
                        for v in row
                    ]
                    for row in rows_of(columns, data)
                ]
            )
        paths.append(path)
    report = run_return(
        actor=im,
        site=populated,
        month=MONTH,
        files=[(p.name, p) for p in paths],
        apply=True,
        sha256="h",
    )
    check(report, before)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    caseload=st.lists(st.lists(EXCEL_SAFE, min_size=11, max_size=11), min_size=1, max_size=3),
    jobs=st.lists(st.lists(EXCEL_SAFE, min_size=9, max_size=9), max_size=3),
)
def test_malformed_xlsx_cells_give_row_and_column_messages(populated, im, tmp_path, caseload, jobs):
    before = state()
    clean = [
        [datetime(v.year, v.month, v.day) if isinstance(v, date) else v for v in row]
        for row in caseload
    ]
    path = write_xlsx_rows(
        tmp_path / "r.xlsx",
        {"Caseload": rows_of(CASELOAD_COLUMNS, clean), "Jobs": rows_of(JOB_COLUMNS, jobs)},
    )
    report = run_return(
        actor=im, site=populated, month=MONTH, files=[(path.name, path)], apply=True, sha256="h"
    )
    check(report, before)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from([".xlsx", ".xls", ".ods", ".csv", ".zip", ".txt"]),
)
def test_garbage_files_give_a_message_and_change_nothing(populated, im, tmp_path, data, suffix):
    before = state()
    path = tmp_path / f"upload{suffix}"
    path.write_bytes(data)
    report = run_return(
        actor=im, site=populated, month=MONTH, files=[(path.name, path)], apply=True, sha256="h"
    )
    assert report.error_count >= 1
    assert all(isinstance(e, str) and e for e in report.errors)
    assert state() == before
