"""Score sheets: a review's scores as CSV or XLSX (item number, score, rationale).

Text cells go through :func:`ipsworks.core.spreadsheets.safe_cell` so a rationale such as
"=HYPERLINK(...)" is never run as a formula; :func:`read_sheet` removes that guard again, so an
exported sheet imports back unchanged.

:func:`read_sheet` reads either format and checks it against the scale's item numbers, raising
:class:`SheetError` with one plain message per problem (row numbers as seen in a spreadsheet).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ipsworks.core.spreadsheets import csv_rows, decoded_text, safe_row, unguarded

HEADERS = ["item", "score", "rationale"]


class SheetError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class SheetRow:
    item: int
    score: int
    rationale: str


def _rows_from_csv(data: bytes) -> list[list[str]]:
    text = decoded_text(data)
    try:
        return csv_rows(text)
    except ValueError as exc:
        raise SheetError([str(exc)]) from None


def _rows_from_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    # Read-only workbooks parse each sheet's XML as it is read, so a damaged sheet fails while
    # rows are read, not when the workbook opens: both are inside the try.
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [
                ["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        finally:
            book.close()
    except Exception:  # openpyxl and the XML parser raise several types for a damaged file
        raise SheetError(["The file is not a readable .xlsx workbook"]) from None


def _whole_number(text: str) -> int | None:
    """'3', '3.0', ' 3 ' -> 3; None for anything else (fractions, 'inf', 'nan', words)."""
    try:
        number = float(text)
        return int(number) if number == int(number) else None
    except (ValueError, OverflowError):
        return None


def read_sheet(
    data: bytes, filename: str, item_numbers: list[int], low=1, high=5
) -> list[SheetRow]:
    """Parse and check a score sheet; every item once, scores whole numbers in low..high."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        raw = _rows_from_csv(data)
    elif suffix == ".xlsx":
        raw = _rows_from_xlsx(data)
    else:
        raise SheetError([f"{filename}: use a .csv or .xlsx file"])
    # (spreadsheet row number, cells) for the rows that hold anything
    numbered = [(n, r) for n, r in enumerate(raw, start=1) if any(str(c).strip() for c in r)]
    if not numbered:
        raise SheetError([f"{filename} is empty"])
    header = [str(c).strip().lower() for c in numbered[0][1]]
    if header[:2] != HEADERS[:2]:
        raise SheetError(["The first row should be the headings: item, score, rationale"])
    problems: list[str] = []
    seen: dict[int, int] = {}
    rows: list[SheetRow] = []
    known = set(item_numbers)
    for line, row in numbered[1:]:
        cells = [str(c).strip() for c in row] + ["", "", ""]
        item_text, score_text, rationale = cells[0], cells[1], cells[2]
        item = _whole_number(item_text)
        if item is None:
            problems.append(f"Row {line}: item '{item_text}' is not an item number")
            continue
        if item not in known:
            problems.append(f"Row {line}: there is no item {item} on this scale")
            continue
        if item in seen:
            problems.append(f"Row {line}: item {item} appears twice (first on row {seen[item]})")
            continue
        seen[item] = line
        score = _whole_number(score_text)
        if score is None:
            problems.append(f"Row {line}: item {item} score '{score_text}' is not a whole number")
            continue
        if not low <= score <= high:
            problems.append(f"Row {line}: item {item} score {score} is outside {low}-{high}")
            continue
        rows.append(SheetRow(item, score, unguarded(rationale)))
    missing = sorted(known - set(seen))
    if missing:
        problems.append("Missing items: " + ", ".join(str(n) for n in missing))
    if problems:
        raise SheetError(problems)
    return sorted(rows, key=lambda r: r.item)


def write_csv(rows: list[tuple[int, int | None, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for item, score, rationale in rows:
        writer.writerow(safe_row([item, "" if score is None else score, rationale]))
    return out.getvalue().encode("utf-8")


def write_xlsx(rows: list[tuple[int, int | None, str]], titles: dict[int, str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Scores"
    sheet.append([*HEADERS, "item title (not read back)"])
    for item, score, rationale in rows:
        sheet.append(safe_row([item, score, rationale, titles.get(item, "")]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
