"""Files as people really send them: title rows, failed formulas, decimal commas, damaged and
password-protected archives, UTF-16 and mixed encodings, macOS zips. Each is either read
correctly or refused with a message that says what to do, and never half-applied."""

import struct
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from ipsworks.caseload.models import Episode, Job, ServiceUser
from ipsworks.returns import importer
from ipsworks.returns.cells import CellError, parse_cell
from ipsworks.returns.columns import CASELOAD_COLUMNS, JOB_COLUMNS, match_headers
from ipsworks.returns.services import run_return
from ipsworks.returns.sheet_errors import _sheet_part, error_cells

from .conftest import MONTH
from .helpers import export, read_sheets, write_ods, write_xls, write_xlsx_rows

COL = {c.key: c for c in CASELOAD_COLUMNS + JOB_COLUMNS}
HEAD = ["Service user ID", "Referral date", "Employment specialist", "Applications this month"]


def check(site, path, name=None):
    return importer.process(site=site, month=MONTH, files=[(name or path.name, path)])


def apply(site, actor, path):
    return run_return(
        actor=actor, site=site, month=MONTH, files=[(path.name, path)], apply=True, sha256="t"
    )


def test_title_rows_above_the_header_are_passed_over_with_a_warning(users, site_a, im, tmp_path):
    rows = [
        ["Monthly IPS return: Site A"],
        ["March 2016"],
        [],
        HEAD,
        ["T1", "04/01/2016", "a.es1", 1],
        ["T2", "bad date", "a.es1", 1],
    ]
    report = check(site_a, write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows}))
    assert report.errors == [
        'Caseload, row 6, "Referral date": bad date is not a date '
        "(write it as day/month/year, e.g. 31/01/2016)"
    ]
    assert 'Sheet "Caseload": rows 1, 2, above the header row, were not read.' in report.warnings


def test_a_csv_with_a_title_line_is_read_from_its_header_row(users, site_a, tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text("IPS return March 2016\n" + ",".join(HEAD) + "\nT1,04/01/2016,a.es1,1\n")
    report = check(site_a, path)
    assert report.errors == []
    assert report.counts["Caseload"]["new"] == 1
    assert "caseload.csv: row 1, above the header row, was not read." in report.warnings


def test_row_numbers_count_from_the_top_of_the_sheet_when_it_starts_lower_down(
    users, site_a, tmp_path
):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Caseload"
    for column, header in enumerate(HEAD, start=3):  # header in C4
        ws.cell(row=4, column=column, value=header)
    for column, value in enumerate(["T1", "31/02/2016", "a.es1", 1], start=3):
        ws.cell(row=5, column=column, value=value)
    wb.save(tmp_path / "r.xlsx")
    report = check(site_a, tmp_path / "r.xlsx")
    assert report.errors[0].startswith('Caseload, row 5, "Referral date": 31/02/2016')


def test_many_blank_rows_above_the_header_do_not_hide_the_sheet(users, site_a, tmp_path):
    rows = [[]] * 15 + [HEAD, ["T1", "04/01/2016", "a.es1", 1]]
    report = check(site_a, write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows}))
    assert report.errors == []
    assert report.counts["Caseload"]["new"] == 1


def test_a_failed_formula_is_an_error_not_a_blank(populated, im, tmp_path):
    sheets = read_sheets(export(im, populated, MONTH, tmp_path, "xlsx")[0])
    path = write_xlsx_rows(tmp_path / "r.xlsx", sheets)
    column = sheets["Caseload"][0].index("Date vocational profile started")
    wb = openpyxl.load_workbook(path)
    cell = wb["Caseload"].cell(row=2, column=column + 1)
    assert cell.value is not None  # a date ipsworks holds
    cell.value, cell.data_type = "#N/A", "e"
    wb.save(path)
    assert error_cells(path, "Caseload", "xlsx") == {2: {column: "#N/A"}}
    before = list(Episode.objects.values_list("id", "profile_started", "version"))
    report = apply(populated, im, path)
    assert any(
        e.startswith(
            'Caseload, row 2, "Date vocational profile started": holds the spreadsheet error #N/A'
        )
        for e in report.errors
    ), report.errors
    assert list(Episode.objects.values_list("id", "profile_started", "version")) == before


def test_error_cells_are_found_across_the_pieces_the_sheet_is_read_in(tmp_path, monkeypatch):
    from ipsworks.returns import sheet_errors

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Caseload"
    for row in range(1, 400):
        ws.append([f"P{row}", "04/01/2016", "x" * 20])
    for ref in ("B7", "C150", "A399"):
        ws[ref].value, ws[ref].data_type = "#DIV/0!", "e"
    wb.save(tmp_path / "r.xlsx")
    monkeypatch.setattr(sheet_errors, "_CHUNK", 97)  # cut cells in two again and again
    assert error_cells(tmp_path / "r.xlsx", "Caseload", "xlsx") == {
        7: {1: "#DIV/0!"},
        150: {2: "#DIV/0!"},
        399: {0: "#DIV/0!"},
    }


@pytest.mark.parametrize("text", ["8,50", "1,2,3", "12,5"])
def test_a_decimal_comma_is_refused_not_read_as_hundreds(text):
    with pytest.raises(CellError, match="full stop"):
        parse_cell(COL["hourly_pay"], text)


def test_commas_between_thousands_are_still_read():
    assert parse_cell(COL["hourly_pay"], "1,500.25") == Decimal("1500.25")
    assert parse_cell(COL["applications"], "1,000") == 1000


@pytest.mark.parametrize("value", [5, "5", 1, 18263, date(1949, 12, 31), "31/12/1949"])
def test_dates_before_1950_are_refused(value):
    with pytest.raises(CellError):
        parse_cell(COL["referral_date"], value)


def test_an_early_date_is_shown_as_written_with_the_years_allowed():
    with pytest.raises(CellError, match=r"^31/12/1949 is not a date in the years 1950 to 2200"):
        parse_cell(COL["referral_date"], date(1949, 12, 31))


def test_a_small_number_in_a_date_column_says_what_it_would_have_meant():
    with pytest.raises(CellError, match=r"5 is not a date \(.* 04/01/1900\)"):
        parse_cell(COL["referral_date"], 5)


def test_iso_date_times_and_invisible_characters_are_read():
    assert parse_cell(COL["referral_date"], "2016-03-01T00:00:00") == date(2016, 3, 1)
    assert parse_cell(COL["service_user_id"], "\u200bAB12\u200d") == "AB12"
    assert parse_cell(COL["referral_date"], "\u200b") is None


def test_a_time_of_day_in_a_date_column_is_named_as_a_time():
    from datetime import time

    with pytest.raises(CellError, match="is a time of day, not a date"):
        parse_cell(COL["referral_date"], time(0, 0))


def test_a_column_named_twice_is_refused_with_both_headers_named(users, site_a, tmp_path):
    head = [*HEAD, "Date referred"]
    rows = [head, ["T1", "", "a.es1", 1, "04/01/2016"]]
    report = check(site_a, write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows}))
    assert report.errors == [
        'Caseload, row 1: "Referral date" and "Date referred" are all read as the Referral date '
        "column, so ipsworks cannot tell which one to use. Keep one of them and delete or "
        "rename the others."
    ]


def test_a_hint_in_brackets_after_a_header_is_ignored():
    match = match_headers("Caseload", ["Client ID", "Referral date (dd/mm/yyyy)"])
    assert [c.key for c in match.positions.values()] == ["service_user_id", "referral_date"]
    assert match.missing == [] and match.unknown == []


def test_a_damaged_caseload_sheet_refuses_the_whole_file(populated, im, tmp_path):
    path = export(im, populated, MONTH, tmp_path, "xlsx")[0]
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as out:
        caseload_part = _sheet_part(src, "Caseload")
        assert caseload_part in src.namelist()
        for item in src.infolist():
            data = src.read(item)
            if item.filename == caseload_part:
                data = data[: len(data) // 2]
            out.writestr(item, data)
    jobs_before = list(Job.objects.values_list("id", "version"))
    report = apply(populated, im, damaged)
    assert report.errors and "could not be read" in report.errors[0], report.errors
    assert list(Job.objects.values_list("id", "version")) == jobs_before


def _zip(path, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


CSV = ",".join(HEAD) + "\r\nT1,04/01/2016,a.es1,1\r\n"


def test_a_password_protected_zip_is_refused_in_plain_words(site_a, tmp_path):
    path = _zip(tmp_path / "r.zip", {"caseload.csv": CSV})
    data = bytearray(path.read_bytes())
    # Mark the member as encrypted (general purpose flag bit 0), as zip -P does, in both the
    # local header and the central directory.
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature)
        flags = struct.unpack_from("<H", data, at + flag_at)[0]
        struct.pack_into("<H", data, at + flag_at, flags | 1)
    path.write_bytes(bytes(data))
    report = check(site_a, path)
    assert report.errors == [
        "caseload.csv: the file is protected with a password; remove the password and send "
        "it again."
    ]


def test_a_zip_with_a_damaged_member_is_refused_in_plain_words(site_a, tmp_path):
    path = _zip(tmp_path / "r.zip", {"caseload.csv": CSV})
    data = path.read_bytes()
    at = data.index(b"T1,04")
    path.write_bytes(data[:at] + b"X" + data[at + 1 :])  # the stored CRC no longer matches
    report = check(site_a, path)
    assert len(report.errors) == 1
    assert report.errors[0].startswith("caseload.csv: the file is damaged")


def test_a_cell_too_long_for_csv_is_refused_in_plain_words(site_a, tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text(CSV + "T2," + "x" * 1_000_001 + ",a.es1,1\r\n")
    report = check(site_a, path)
    assert report.errors == [
        "caseload.csv: a cell holds more than 1,000,000 characters, which a return never "
        "needs (after row 2)."
    ]


def test_macos_extras_in_a_zip_are_left_out(users, site_a, tmp_path):
    path = _zip(
        tmp_path / "r.zip",
        {"caseload.csv": CSV, "__MACOSX/._caseload.csv": "\x00\x05\x16\x07junk"},
    )
    report = check(site_a, path)
    assert report.errors == []
    assert report.counts["Caseload"]["new"] == 1


def test_utf16_text_from_excel_is_read(users, site_a, tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_bytes(("\t".join(HEAD) + "\r\nT1\t04/01/2016\ta.es1\t1\r\n").encode("utf-16"))
    report = check(site_a, path)
    assert report.errors == []
    assert report.counts["Caseload"]["new"] == 1


def test_a_file_mixing_two_encodings_is_read_line_by_line_with_a_warning(users, site_a, tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_bytes(
        ",".join([*HEAD, "Referral source"]).encode()
        + b"\r\nT1,04/01/2016,a.es1,1,Caf\xc3\xa9 Nero\r\n"  # UTF-8
        + b"T2,04/01/2016,a.es1,1,Caf\xe9 Rouge\r\n"  # Windows-1252
    )
    report = check(site_a, path)
    assert report.errors == []
    assert any("line 3 is the first that is not UTF-8" in w for w in report.warnings)
    shown = str(report.changes)
    assert "Café Nero" in shown and "Café Rouge" in shown, shown


def test_an_unknown_kind_of_file_is_named_in_the_message(site_a, tmp_path):
    path = tmp_path / "notes"
    path.write_text("hello")
    report = check(site_a, path)
    assert report.errors == [
        "notes: ipsworks reads .xlsx, .xls, .ods and .csv files (or a .zip of .csv files), "
        "not files without an extension."
    ]


def test_a_hidden_copy_of_a_sheet_gives_way_to_the_visible_one(users, site_a, tmp_path):
    path = write_xlsx_rows(
        tmp_path / "r.xlsx",
        {
            "Caseload": [HEAD, ["T1", "04/01/2016", "a.es1", 1]],
            "Caseload (old)": [HEAD, ["OLD", "bad", "a.es1", 1]],
        },
    )
    wb = openpyxl.load_workbook(path)
    wb["Caseload (old)"].sheet_state = "hidden"
    wb.save(path)
    report = check(site_a, path)
    assert report.errors == []
    assert any('"Caseload (old)" is hidden, so it was not read' in w for w in report.warnings)
    assert ServiceUser.objects.filter(reference="OLD").count() == 0


def test_excels_separator_line_is_obeyed_and_not_counted_as_a_title(users, site_a, tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text("sep=;\r\n" + ";".join(HEAD) + "\r\nT1;31/02/2016;a.es1;1\r\n")
    report = check(site_a, path)
    assert report.errors[0].startswith('caseload.csv, row 3, "Referral date": 31/02/2016')
    assert report.warnings == []


@pytest.mark.parametrize("key", ["employer", "referral_date", "hours_per_week", "service_user_id"])
def test_error_text_from_an_xls_or_ods_file_is_refused_in_any_column(key):
    with pytest.raises(CellError, match="holds the spreadsheet error #n/a: "):
        parse_cell(COL[key], " #n/a ")


def _rewrite_part(path, part_of, change):
    """Copy the zip at `path` with one member's bytes changed by `change`."""
    out = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        part = part_of(src)
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, change(data) if item.filename == part else data)
    return out


def _profile_column_and_file(im, site, tmp_path, fmt):
    sheets = read_sheets(export(im, site, MONTH, tmp_path, "xlsx")[0])
    column = sheets["Caseload"][0].index("Date vocational profile started")
    assert sheets["Caseload"][1][column] not in (None, "")  # a date ipsworks holds
    return sheets, column


def _refused_and_unchanged(site, im, path, text):
    before = list(Episode.objects.values_list("id", "profile_started", "version"))
    report = apply(site, im, path)
    assert any(text in e for e in report.errors), report.errors
    assert list(Episode.objects.values_list("id", "profile_started", "version")) == before


def test_an_error_cell_in_an_xls_file_is_refused(populated, im, tmp_path):
    import xlwt

    sheets, column = _profile_column_and_file(im, populated, tmp_path, "xls")
    path = write_xls(tmp_path / "r.xls", sheets)
    # Put an #N/A (error code 0x2A) where the date was, as Excel stores a failed formula's result.
    book = xlwt.Workbook()
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (name, r, c) == ("Caseload", 1, column):
                    ws.row(r).set_cell_error(c, 0x2A)
                elif value not in (None, ""):
                    ws.write(r, c, value.strftime("%d/%m/%Y") if hasattr(value, "day") else value)
    book.save(str(path))
    assert error_cells(path, "Caseload", "xls") == {2: {column: "#N/A"}}
    _refused_and_unchanged(populated, im, path, "holds the spreadsheet error #N/A")


@pytest.mark.parametrize(
    "error_cell",
    [
        # LibreOffice: an error value type beside an empty string value
        b'<table:table-cell office:value-type="string" office:string-value="" '
        b'calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>',
        # Excel's .ods: the error's text over a number
        b'<table:table-cell office:value-type="float" office:value="0">'
        b"<text:p>#DIV/0!</text:p></table:table-cell>",
    ],
)
def test_an_error_cell_in_an_ods_file_is_refused(populated, im, tmp_path, error_cell):
    sheets, column = _profile_column_and_file(im, populated, tmp_path, "ods")
    sheets["Caseload"][1][column] = "ERRORCELLHERE"
    path = write_ods(tmp_path / "r.ods", sheets)

    def change(xml):
        xml = xml.replace(
            b"<office:document-content ",
            b'<office:document-content xmlns:calcext="urn:org:documentfoundation:names:'
            b'experimental:calc:xmlns:calcext:1.0" ',
            1,
        )
        start = xml.index(b"ERRORCELLHERE")
        start = xml.rindex(b"<table:table-cell", 0, start)
        end = xml.index(b"</table:table-cell>", start) + len(b"</table:table-cell>")
        return xml[:start] + error_cell + xml[end:]

    path = _rewrite_part(path, lambda z: "content.xml", change)
    text = error_cell.split(b"<text:p>")[1].split(b"<")[0].decode()
    assert error_cells(path, "Caseload", "ods") == {2: {column: text}}
    _refused_and_unchanged(populated, im, path, f"holds the spreadsheet error {text}")


def _one_error_workbook(tmp_path):
    """An .xlsx whose Caseload sheet holds #N/A in E2, and the zip member of that sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Caseload"
    ws.append(HEAD)
    ws.append(["T1", "04/01/2016", "a.es1", 1, None])
    ws["E2"].value, ws["E2"].data_type = "#N/A", "e"
    path = tmp_path / "r.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        return path, _sheet_part(archive, "Caseload")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b' t="e">', b" t='e'>"),  # single quotes
        (b' t="e">', b' t = "e">'),  # spaces around =
        (b'<c r="E2"', b"<c"),  # no cell reference (the cell follows the one before it)
    ],
)
def test_error_cells_are_found_however_the_xml_is_written(tmp_path, old, new):
    path, part = _one_error_workbook(tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert old in archive.read(part)
    changed = _rewrite_part(path, lambda z: part, lambda data: data.replace(old, new))
    assert error_cells(changed, "Caseload", "xlsx") == {2: {4: "#N/A"}}


def test_a_sheet_whose_error_cells_cannot_be_placed_is_refused(users, site_a, tmp_path):
    path, part = _one_error_workbook(tmp_path)
    # An attribute with an undeclared prefix: python-calamine reads on, an XML parser cannot.
    changed = _rewrite_part(
        path, lambda z: part, lambda data: data.replace(b' t="e">', b' zz:x="1" t="e">')
    )
    report = check(site_a, changed)
    assert report.errors == [
        'Sheet "Caseload" seems to hold a cell with a spreadsheet error (such as #N/A), but '
        "ipsworks could not tell which cell. Open the file in your spreadsheet program, correct "
        "or clear the failed formulas, save it again and send that."
    ]


def test_a_bracket_that_changes_what_a_column_holds_is_not_stripped():
    match = match_headers(
        "Caseload",
        ["Client ID", "Referral date", "Applications (year to date)", "Employer contacts (total)"],
    )
    assert [c.key for c in match.positions.values()] == ["service_user_id", "referral_date"]
    assert match.unknown == ["Applications (year to date)", "Employer contacts (total)"]
    jobs = match_headers("Jobs", ["ID", "Job start date", "Hourly pay (£)", "Hours (per week)"])
    assert [c.key for c in jobs.positions.values()] == [
        "service_user_id",
        "start_date",
        "hourly_pay",
        "hours_per_week",
    ]


@pytest.mark.parametrize("text", ["0,500", "00,500", "1e3", "2E+1"])
def test_numbers_in_odd_notations_are_refused(text):
    with pytest.raises(CellError):
        parse_cell(COL["applications"], text)


def test_a_unicode_minus_is_read_as_a_minus():
    with pytest.raises(CellError, match="below zero"):
        parse_cell(COL["applications"], "\u22121")
    assert parse_cell(COL["hours_per_week"], "\u22121") == Decimal("-1.0")


def test_an_hourly_pay_of_a_thousand_pounds_or_more_is_refused_as_a_yearly_figure():
    from ipsworks.caseload import rules

    assert rules.check_pay(Decimal("999.99")) == {}
    assert "not a week's or a year's" in rules.check_pay(Decimal("1000"))["hourly_pay"][0]


@pytest.mark.parametrize(
    ("title", "separator"),
    [("Berkshire IPS, March 2016", ";"), ("Berkshire IPS; March 2016", ","), ("IPS, 2016", "\t")],
)
def test_a_title_line_does_not_decide_the_csv_separator(users, site_a, tmp_path, title, separator):
    path = tmp_path / "caseload.csv"
    path.write_text(
        f"{title}\n" + separator.join(HEAD) + f"\nT1{separator}04/01/2016"
        f"{separator}a.es1{separator}1\n"
    )
    report = check(site_a, path)
    assert report.errors == []
    assert report.counts["Caseload"]["new"] == 1


def test_a_group_row_naming_two_columns_gives_way_to_the_header_below(users, site_a, tmp_path):
    rows = [
        ["Job", "", "", "Pay"],  # a group row over the header (two one-word synonyms)
        HEAD,
        ["T1", "04/01/2016", "a.es1", 1],
    ]
    report = check(site_a, write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows}))
    assert report.errors == []
    assert report.counts["Caseload"]["new"] == 1
    assert 'Sheet "Caseload": row 1, above the header row, was not read.' in report.warnings


def test_an_unreadable_id_cell_gives_one_message(users, site_a, tmp_path):
    rows = [HEAD, ["#N/A", "04/01/2016", "a.es1", 1]]
    report = check(site_a, write_xlsx_rows(tmp_path / "r.xlsx", {"Caseload": rows}))
    assert report.errors == [
        'Caseload, row 2, "Service user ID": holds the spreadsheet error #N/A: the formula in '
        "this cell did not work. Correct the formula or type the value in."
    ]


@pytest.mark.parametrize(
    "lines",
    [
        # a Windows-1252 line first:
        [b"T1,04/01/2016,a.es1,1,Zo\xeb\r\n", b"T2,04/01/2016,a.es1,1,Jos\xc3\xa9\r\n"],
        [b"T1,04/01/2016,a.es1,1,Jos\xc3\xa9\r\n" + b"T9,04/01/2016,a.es1,1,x\r\n" * 40_000,
         b"T2,04/01/2016,a.es1,1,Zo\xeb\r\n"],  # the Windows-1252 line beyond the first 1 MB
    ],
)  # fmt: skip
def test_each_line_of_a_mixed_file_is_read_in_its_own_encoding(lines):
    from ipsworks.returns.readers import _csv_rows, detect_encoding

    data = ",".join([*HEAD, "Referral source"]).encode() + b"\r\n" + b"".join(lines)
    warnings = []
    encoding, _lines = detect_encoding(lambda: __import__("io").BytesIO(data), warnings, "x")
    texts = {
        row[0]: row[4]
        for _n, row in _csv_rows(lambda: __import__("io").BytesIO(data), encoding, "x")
    }
    assert texts["T1"] in ("Zoë", "José") and texts["T2"] in ("Zoë", "José")
    assert {texts["T1"], texts["T2"]} == {"Zoë", "José"}
    assert len(warnings) == 1 and "mixes two text encodings" in warnings[0]


def test_a_windows_1252_file_reads_right_without_a_warning():
    from io import BytesIO

    from ipsworks.returns.readers import _csv_rows, detect_encoding

    data = (
        ",".join([*HEAD, "Referral source"]).encode("cp1252")
        + b"\r\nT1,04/01/2016,a.es1,1,Caf\xe9\r\n"
    )
    warnings = []
    encoding, _lines = detect_encoding(lambda: BytesIO(data), warnings, "x")
    assert [row[4] for _n, row in _csv_rows(lambda: BytesIO(data), encoding, "x")][1] == "Café"
    assert warnings == []


def test_an_xlsb_file_is_refused_with_a_way_forward(site_a, tmp_path):
    path = tmp_path / "r.xlsb"
    path.write_bytes(b"PK\x03\x04")
    report = check(site_a, path)
    assert report.errors == [
        "r.xlsb: ipsworks reads .xlsx, .xls, .ods and .csv files (or a .zip of .csv files), not "
        ".xlsb files (save it as .xlsx in Excel and send that)."
    ]


def test_a_zip_that_unpacks_to_far_more_than_a_return_is_refused(site_a, tmp_path, monkeypatch):
    from ipsworks.returns import readers

    monkeypatch.setattr(readers, "MAX_ZIP_TEXT_BYTES", 10_000)
    path = tmp_path / "r.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("caseload.csv", CSV + "T2,04/01/2016,a.es1,1\r\n" * 1000)
    assert path.stat().st_size < 10_000  # small packed, large unpacked
    report = check(site_a, path)
    assert len(report.errors) == 1 and "unpacks to more than" in report.errors[0]
