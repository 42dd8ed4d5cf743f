"""A file is read, checked and written a chunk of rows at a time (memory stays flat): the
chunk size must change nothing. Each file here is run with chunks of one row, two rows and
the default, and every report and every resulting record must be the same."""

from datetime import date

import pytest
from django.db import transaction

from ipsworks.returns import importer
from ipsworks.returns.services import run_return

from .conftest import MONTH
from .helpers import write_xlsx_rows
from .test_bulk_apply import mixed_file, state

CHUNKS = (1, 2, importer.CHUNK_ROWS)


class _Undo(Exception):
    pass


def outcomes(monkeypatch, im, site, files):
    """For each chunk size: (the check's report, the applied report, the records after)."""
    out = {}
    for size in CHUNKS:
        monkeypatch.setattr(importer, "CHUNK_ROWS", size)
        checked = run_return(actor=im, site=site, month=MONTH, files=files, apply=False)
        checked = {k: v for k, v in checked.as_dict().items() if k != "fingerprint"}
        try:
            with transaction.atomic():
                applied = run_return(actor=im, site=site, month=MONTH, files=files, apply=True)
                out[size] = (checked, applied.as_dict(), state(site))
                raise _Undo
        except _Undo:
            pass
    return out


def assert_all_the_same(out):
    first = out[CHUNKS[-1]]
    for size in CHUNKS[:-1]:
        for part, (a, b) in enumerate(zip(out[size], first, strict=True)):
            assert a == b, (size, part)


def test_a_mixed_file_gives_the_same_changes_whatever_the_chunk_size(
    populated, im, tmp_path, monkeypatch
):
    out = outcomes(monkeypatch, im, populated, mixed_file(im, populated, tmp_path))
    assert_all_the_same(out)
    checked, applied, records = out[CHUNKS[-1]]
    assert applied["error_count"] == 0 and applied["counts"]["Caseload"]["new"] == 3
    assert len(records["people"]) == 8


CASELOAD_HEAD = [
    "Service user ID",
    "Referral date",
    "Employment specialist",
    "Discharge date",
    "Discharge reason",
    "Applications this month",
]
JOBS_HEAD = ["Service user ID", "Job start date", "Employer", "Job title", "Hours per week"]
JOBS_HEAD += ["Hourly pay"]


def test_a_person_spread_over_many_rows_is_matched_across_chunks(
    populated, im, tmp_path, monkeypatch
):
    """A new person referred twice (first referral closed), a job for each referral and two
    jobs on one day, with other people's rows between them."""
    caseload = [
        CASELOAD_HEAD,
        ["M1", date(2016, 1, 5), "a.es1", date(2016, 2, 1), "Stopped engaging", ""],
        ["M2", date(2016, 3, 2), "a.es1", "", "", 1],
        ["M3", date(2016, 3, 3), "a.es1", "", "", 2],
        ["M1", date(2016, 3, 4), "a.es1", "", "", 1],
        ["A100", date(2016, 1, 4), "a.es2", "", "", 2],
    ]
    jobs = [
        JOBS_HEAD,
        ["M1", date(2016, 1, 20), "Tesco", "Cashier", 10, 7.5],
        ["M2", date(2016, 3, 10), "Boots", "Stock", 12, 7.5],
        ["M1", date(2016, 3, 15), "Aldi", "Stock", 16, 7.5],
        ["M3", date(2016, 3, 12), "Lidl", "Stock", 16, 7.5],
        ["M1", date(2016, 3, 15), "Aldi", "Cleaner", 6, 7.5],
    ]
    path = write_xlsx_rows(tmp_path / "spread.xlsx", {"Caseload": caseload, "Jobs": jobs})
    out = outcomes(monkeypatch, im, populated, [(path.name, path)])
    assert_all_the_same(out)
    checked, applied, records = out[CHUNKS[-1]]
    assert applied["errors"] == []
    assert applied["counts"]["Jobs"] == {"new": 5, "changed": 0, "unchanged": 0}
    m1_jobs = [key for key, _fields in records["jobs"] if key[0] == "M1"]
    assert sorted(d for _ref, d in m1_jobs) == [date(2016, 1, 5)] + [date(2016, 3, 4)] * 2


@pytest.mark.parametrize("size", [1, 2])
def test_errors_that_need_earlier_rows_are_found_across_chunks(
    populated, im, tmp_path, monkeypatch, size
):
    caseload = [
        CASELOAD_HEAD,
        ["D1", date(2016, 3, 1), "a.es1", "", "", 1],
        ["D2", date(2016, 3, 2), "a.es1", "", "", 1],
        ["D1", date(2016, 3, 1), "a.es1", "", "", 1],  # the same referral again
        ["D3", date(2016, 3, 2), "a.es1", "", "", 1],
        ["D2", date(2016, 3, 8), "a.es1", "", "", 1],  # a second open referral
    ]
    jobs = [JOBS_HEAD, ["NOPE9", date(2016, 3, 10), "Boots", "Stock", 12, 7.5]]
    path = write_xlsx_rows(tmp_path / "errors.xlsx", {"Caseload": caseload, "Jobs": jobs})
    files = [(path.name, path)]
    monkeypatch.setattr(importer, "CHUNK_ROWS", size)
    small = run_return(actor=im, site=populated, month=MONTH, files=files, apply=False)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1000)
    whole = run_return(actor=im, site=populated, month=MONTH, files=files, apply=False)
    assert small.errors == whole.errors
    assert len(whole.errors) == 3
    assert "Caseload, row 4" in whole.errors[0] and "already on an earlier row" in whole.errors[0]
    assert whole.errors[1].startswith("Jobs, row 2") and "NOPE9" in whole.errors[1]
    assert whole.errors[2].startswith("Caseload, row 6") and "D2" in whole.errors[2]
