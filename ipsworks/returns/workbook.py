"""Writing the return layout: the template workbook and exports (xlsx, or CSV files).

The workbook has an Instructions sheet, a Caseload sheet (one row per referral episode), a
Jobs sheet (one row per job) and a hidden Lists sheet that feeds the dropdowns of coded columns.
CSV exports are two files, caseload.csv and jobs.csv, with the same header rows (in a .zip for
downloads). Dates are written day-first (31/01/2016) in CSV and as date cells in xlsx.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ipsworks.core.spreadsheets import safe_cell

from .columns import CASELOAD, CASELOAD_COLUMNS, INSTRUCTIONS, JOB_COLUMNS, JOBS, Column

LISTS = "Lists"
DROPDOWN_ROWS = 5000

INSTRUCTIONS_TEXT = [
    "Monthly return for ipsworks",
    "",
    "Fill in one row per referral on the Caseload sheet and one row per job on the Jobs sheet.",
    "Use the site's own pseudonymous service user ID: never a name, NHS number or address.",
    "Write dates as day/month/year (for example 31/01/2016); ISO dates (2016-01-31) also work.",
    "Coded columns have a dropdown: choose one of the listed values.",
    "A referral is matched by service user ID and referral date; a job by service user ID and "
    "job start date. Sending the same rows again changes nothing.",
    "The '... this month' columns count the applications, employer contacts and employer "
    "interviews in the month the return is for. Leave a cell blank to keep what is recorded.",
    "A blank cell in any other column clears that value. Rows missing from the file are never "
    "removed.",
    "Column headings may be in any case, and some other names are understood (for example "
    "'Client ID' for 'Service user ID'). Extra columns are ignored, with a warning.",
    "You can also send the two sheets as CSV files (caseload.csv and jobs.csv) with the same "
    "headings: ipsworks tells them apart by their headings.",
    "",
    "Columns",
]


def _column_notes() -> list[list[str]]:
    rows = []
    for sheet, columns in ((CASELOAD, CASELOAD_COLUMNS), (JOBS, JOB_COLUMNS)):
        for c in columns:
            need = "required" if c.required else "optional"
            extra = f" Values: {'; '.join(c.choice_labels())}." if c.choices else ""
            rows.append([sheet, c.label, need, (c.help + extra).strip()])
    return rows


def _cell_value(column: Column, value):
    if value is None or value == "":
        return None
    if column.choices:
        return dict(column.choices).get(value, value)
    if isinstance(value, Decimal):
        return float(value)
    if column.kind == "text":
        return safe_cell(value)  # typed text never runs as a formula; the importer unguards it
    return value


def _text_value(column: Column, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if column.choices:
        return str(dict(column.choices).get(value, value))
    if column.kind == "text":
        return safe_cell(str(value))
    return str(value)


def write_xlsx(
    target, caseload_rows: Iterable[dict], job_rows: Iterable[dict], *, note: str = ""
) -> None:
    """Write the workbook to `target` (a path or a binary stream). Rows are dicts by column key.
    Uses openpyxl's write-only mode so memory stays small for big exports."""
    wb = Workbook(write_only=True)
    info = wb.create_sheet(INSTRUCTIONS)
    bold = Font(bold=True)
    for index, line in enumerate(INSTRUCTIONS_TEXT):
        cell = WriteOnlyCell(info, value=line)
        if index == 0:
            cell.font = Font(bold=True, size=14)
        info.append([cell])
    if note:
        info.append([note])
    info.append([WriteOnlyCell(info, value=h) for h in ("Sheet", "Column", "Required", "Notes")])
    for row in _column_notes():
        info.append(row)

    lists = wb.create_sheet(LISTS)
    coded = [c for c in (*CASELOAD_COLUMNS, *JOB_COLUMNS) if c.choices]
    list_ranges = {}
    longest = max(len(c.choices) for c in coded)
    for number in range(longest):
        lists.append(
            [c.choice_labels()[number] if number < len(c.choices) else None for c in coded]
        )
    for index, column in enumerate(coded, start=1):
        letter = get_column_letter(index)
        list_ranges[column.key] = f"={LISTS}!${letter}$1:${letter}${len(column.choices)}"
    lists.sheet_state = "hidden"

    for name, columns, rows in (
        (CASELOAD, CASELOAD_COLUMNS, caseload_rows),
        (JOBS, JOB_COLUMNS, job_rows),
    ):
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(14, len(column.label) + 4)
            if column.key in list_ranges:
                dv = DataValidation(
                    type="list",
                    formula1=list_ranges[column.key],
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Not one of the listed values",
                    error="Choose a value from the list.",
                )
                letter = get_column_letter(index)
                dv.add(f"{letter}2:{letter}{DROPDOWN_ROWS}")
                ws.data_validations.append(dv)
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column.label)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for record in rows:
            out = []
            for column in columns:
                value = _cell_value(column, record.get(column.key))
                if isinstance(value, date):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "DD/MM/YYYY"
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
    wb.save(target)


def _csv_text(columns, rows) -> Iterable[list[str]]:
    yield [c.label for c in columns]
    for record in rows:
        yield [_text_value(c, record.get(c.key)) for c in columns]


def write_csv_files(folder: Path, caseload_rows, job_rows) -> list[Path]:
    """caseload.csv and jobs.csv (UTF-8 with a byte-order mark, which Excel opens correctly)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, columns, rows in (
        ("caseload.csv", CASELOAD_COLUMNS, caseload_rows),
        ("jobs.csv", JOB_COLUMNS, job_rows),
    ):
        path = folder / name
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(_csv_text(columns, rows))
        out.append(path)
    return out


def write_csv_zip(target, caseload_rows, job_rows) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, columns, rows in (
            ("caseload.csv", CASELOAD_COLUMNS, caseload_rows),
            ("jobs.csv", JOB_COLUMNS, job_rows),
        ):
            with archive.open(name, "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                csv.writer(text).writerows(_csv_text(columns, rows))
                text.flush()
                text.detach()


def write_template(target) -> None:
    write_xlsx(target, [], [])
