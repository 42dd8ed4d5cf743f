"""Row-level messages, all-or-nothing, idempotence and amendments."""

from datetime import date

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload.models import Activity, Episode, Job, ServiceUser
from ipsworks.returns.services import run_return

from .conftest import MONTH
from .helpers import export, read_sheets, write_xlsx_rows

CASELOAD_HEAD = [
    "Service user ID",
    "Referral date",
    "Employment specialist",
    "Date vocational profile started",
    "Applications this month",
]
JOBS_HEAD = [
    "Service user ID",
    "Job start date",
    "Employer",
    "Job title",
    "Hours per week",
    "Hourly pay",
]


def run(site, actor, path, apply=True):
    return run_return(
        actor=actor, site=site, month=MONTH, files=[(path.name, path)], apply=apply, sha256="test"
    )


def test_a_bad_date_is_reported_with_sheet_row_column_and_nothing_is_applied(
    users, site_a, im, tmp_path
):
    rows = [CASELOAD_HEAD] + [[f"B{n}", "04/01/2016", "a.es1", "", 1] for n in range(12)]
    jobs = [JOBS_HEAD] + [["B1", "01/03/2016", "Tesco", "Cashier", 16, 7.2]] * 1
    jobs += [[]] * 11 + [["B2", "31/02/2016", "Tesco", "Cashier", 16, 7.2]]
    path = write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows, "Jobs": jobs})
    report = run(site_a, im, path)
    assert 'Jobs, row 14, "Job start date": 31/02/2016 is not a date' in report.errors
    assert ServiceUser.objects.count() == 0
    assert not AuditEvent.objects.filter(event="returns.applied").exists()


def test_rule_breaches_name_the_row_and_column(users, site_a, im, tmp_path):
    rows = [
        CASELOAD_HEAD,
        ["C1", "10/02/2016", "a.es1", "01/02/2016", ""],
        ["C2", "10/02/2016", "nobody", "", ""],
        ["C1", "10/02/2016", "a.es1", "", ""],
    ]
    jobs = [JOBS_HEAD, ["C9", "01/03/2016", "Tesco", "Cashier", 90, 7.2]]
    path = write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows, "Jobs": jobs})
    report = run(site_a, im, path)
    text = "\n".join(report.errors)
    assert (
        'Caseload, row 2, "Date vocational profile started": The vocational profile start' in text
    )
    assert 'Caseload, row 3, "Employment specialist": nobody is not a member of staff' in text
    assert 'Caseload, row 4, "Service user ID"' in text
    assert 'Jobs, row 2, "Service user ID": C9 has no referral' in text
    assert ServiceUser.objects.count() == 0


def test_pay_below_minimum_wage_is_a_warning_naming_the_rate(users, site_a, im, tmp_path):
    rows = [CASELOAD_HEAD, ["D1", "04/01/2016", "a.es1", "05/01/2016", 2]]
    jobs = [JOBS_HEAD, ["D1", "01/03/2016", "Tesco", "Cashier", 16, "5.00"]]
    path = write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows, "Jobs": jobs})
    report = run(site_a, im, path)
    assert report.error_count == 0, report.errors
    assert any("below the minimum wage" in w and "£6.70" in w for w in report.warnings)
    job = Job.objects.get()
    assert job.is_competitive is False
    assert Activity.objects.filter(episode=job.episode, kind="application").count() == 2


def test_the_same_file_twice_changes_nothing_and_a_corrected_file_is_an_amendment(
    populated, im, tmp_path
):
    files = export(im, populated, MONTH, tmp_path, "xlsx")
    sheets = read_sheets(files[0])
    header = sheets["Jobs"][0]
    sheets["Jobs"][1][header.index("Employer")] = "Greggs plc"
    sheets["Caseload"].append(["A999", date(2016, 3, 2), "", "a.es1", None, "", None, "", 1, 0, 0])
    path = write_xlsx_rows(tmp_path / "corrected.xlsx", sheets)
    first = run(populated, im, path)
    assert first.error_count == 0, first.errors
    assert first.counts["Jobs"]["changed"] == 1 and first.counts["Caseload"]["new"] == 1
    assert Job.objects.filter(employer="Greggs plc").exists()
    changed = AuditEvent.objects.filter(event="caseload.job_changed")
    assert changed.count() == 1
    episodes = Episode.objects.count()
    again = run(populated, im, path)
    assert again.total_changes == 0 and Episode.objects.count() == episodes


def test_extra_columns_are_warned_about_and_blank_rows_skipped(users, site_a, im, tmp_path):
    rows = [CASELOAD_HEAD + ["Notes"], [], ["E1", "2016-01-04", "a.es1", "", "", "x"], [None] * 6]
    path = write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows})
    report = run(site_a, im, path, apply=False)
    assert report.error_count == 0, report.errors
    assert report.rows == 1
    assert any('"Notes": this column is not part of the return' in w for w in report.warnings)
    assert ServiceUser.objects.count() == 0  # a check applies nothing


def test_windows_1252_csv_with_day_first_dates_is_read(users, site_a, im, tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_bytes(
        "Client ID,Date referred,Referral source,Employment specialist\r\n"
        "F1,04/01/2016,Café team – north,a.es1\r\n".encode("cp1252")
    )
    report = run(site_a, im, path)
    assert report.error_count == 0, report.errors
    assert Episode.objects.get().referral_source == "Café team – north"


def test_an_unreadable_file_gets_a_plain_message(users, site_a, im, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"this is not a spreadsheet")
    report = run(site_a, im, path)
    assert report.error_count == 1
    assert "could not be opened as a spreadsheet" in report.errors[0]


def test_a_specialist_who_has_left_is_a_row_error_and_nothing_is_applied(
    users, site_a, im, tmp_path, make_user
):
    north = users["specialist"].memberships.get().team
    make_user(
        "specialist",
        site_a,
        north,
        username="a.left",
        start_date=date(2015, 1, 1),
        end_date=date(2016, 1, 31),
    )
    rows = [
        CASELOAD_HEAD,
        ["L1", "10/02/2016", "a.es1", "", ""],
        ["L2", "10/02/2016", "a.left", "", ""],
    ]
    path = write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows, "Jobs": [JOBS_HEAD]})
    report = run(site_a, im, path)
    text = "\n".join(report.errors)
    assert 'Caseload, row 3, "Employment specialist": a.left is no longer an employment' in text
    assert "row 2" not in text
    assert not Episode.objects.filter(specialist__username="a.left").exists()
    assert ServiceUser.objects.count() == 0


def test_an_id_with_control_characters_is_a_row_error_not_a_database_error(
    users, site_a, im, tmp_path
):
    """PostgreSQL refuses NUL in text: such an ID must be reported, never sent to look up."""
    path = tmp_path / "caseload.csv"
    path.write_bytes(
        b"Service user ID,Referral date\r\n"
        b"\x00,04/01/2016\r\nG\x001,04/01/2016\r\nG2,04/01/2016\r\n"
    )
    report = run(site_a, im, path)
    assert [e.split(":")[0] for e in report.errors] == [
        'caseload.csv, row 2, "Service user ID"',
        'caseload.csv, row 3, "Service user ID"',
    ]
    assert ServiceUser.objects.count() == 0


def test_a_late_return_may_name_a_specialist_who_has_left_since_the_month(
    users, site_a, im, tmp_path, make_user
):
    """The March return is about March: someone in post on 31 March counts, even though they
    left in April (before the file was sent); someone who left in February does not."""
    north = users["specialist"].memberships.get().team
    for username, end in (("a.april", date(2016, 4, 15)), ("a.feb", date(2016, 2, 20))):
        make_user(
            "specialist",
            site_a,
            north,
            username=username,
            start_date=date(2015, 1, 1),
            end_date=end,
        )
    rows = [CASELOAD_HEAD, ["P1", "10/03/2016", "a.april", "", ""]]
    path = write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows, "Jobs": [JOBS_HEAD]})
    report = run(site_a, im, path)
    assert report.errors == []
    assert Episode.objects.get(service_user__reference="P1").specialist.username == "a.april"
    rows = [CASELOAD_HEAD, ["P2", "10/03/2016", "a.feb", "", ""]]
    path = write_xlsx_rows(tmp_path / "r2.xlsx", {"Caseload": rows, "Jobs": [JOBS_HEAD]})
    report = run(site_a, im, path)
    assert len(report.errors) == 1 and "a.feb is no longer an employment" in report.errors[0]
