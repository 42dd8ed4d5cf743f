"""Streaming readers for return files: xlsx, xls, ods (python-calamine) and csv.

`open_return(paths)` yields `SheetRows` for each recognised sheet: the sheet it holds (Caseload
or Jobs), its header row and an iterator of (row number, cells). Rows are produced one at a
time, so the Python side never holds the whole file.

CSV files carry one sheet each; which one is told by the headers: a "Job start date" column
makes it the Jobs sheet, a "Referral date" column the Caseload sheet. CSV text may be UTF-8
(with or without a byte-order mark) or Windows-1252 (what Excel writes on Windows). A .zip of
CSV files is read as its CSV files.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .cells import is_blank
from .columns import INSTRUCTIONS, normalise, sheet_for_headers, sheet_for_name

SPREADSHEET_TYPES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
ACCEPTED_TYPES = SPREADSHEET_TYPES | {".csv", ".zip"}
HEADER_SEARCH_ROWS = 10
csv.field_size_limit(1_000_000)


class ReturnFileError(ValueError):
    """The file as a whole cannot be read; the message says why in plain words."""


@dataclass
class SheetRows:
    sheet: str  # columns.CASELOAD or columns.JOBS
    source: str  # the sheet's or file's own name, for messages
    header_row: int
    headers: list
    rows: Iterator[tuple[int, list]]
    total: int = 0  # data rows expected (for the progress bar; blank rows included)


def _is_blank_row(cells: list) -> bool:
    return all(is_blank(c) for c in cells)


def _split_header(
    numbered: Iterator[tuple[int, list]],
) -> tuple[int, list, Iterator[tuple[int, list]]] | None:
    """The first non-blank row (within the first few) is the header row."""
    for _ in range(HEADER_SEARCH_ROWS):
        try:
            number, cells = next(numbered)
        except StopIteration:
            return None
        if not _is_blank_row(cells):
            return number, cells, numbered
    return None


def _calamine_rows(sheet) -> Iterator[tuple[int, list]]:
    first = sheet.start[0] if sheet.start else 0
    for index, row in enumerate(sheet.iter_rows()):
        yield first + index + 1, row


def detect_encoding(open_binary) -> tuple[str, int]:
    """('utf-8-sig' when the whole stream decodes as UTF-8, else 'cp1252'; number of lines).
    Reads in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    lines = 0
    with open_binary() as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            if encoding == "utf-8-sig":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = "cp1252"
        if encoding == "utf-8-sig":
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = "cp1252"
    return encoding, lines


def _csv_rows(open_binary, encoding: str) -> Iterator[tuple[int, list]]:
    with open_binary() as handle:
        text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
        first = text.readline()
        dialect = "excel"
        if first.count(";") > first.count(",") and first.count(";") >= first.count("\t"):
            dialect = "semicolon"
        elif first.count("\t") > first.count(","):
            dialect = "excel-tab"
        reader = csv.reader(_chain_line(first, text), **_DIALECTS[dialect])
        yield from enumerate(reader, start=1)


_DIALECTS = {
    "excel": {"dialect": "excel"},
    "semicolon": {"dialect": "excel", "delimiter": ";"},
    "excel-tab": {"dialect": "excel-tab"},
}


def _chain_line(first: str, rest) -> Iterator[str]:
    yield first
    yield from rest


def _csv_sheet(name: str, open_binary, warnings: list[str]) -> SheetRows | None:
    encoding, lines = detect_encoding(open_binary)
    split = _split_header(_csv_rows(open_binary, encoding))
    if split is None:
        warnings.append(f"{name}: the file is empty, so it was not read.")
        return None
    header_row, headers, rows = split
    sheet = sheet_for_headers(headers)
    if sheet is None:
        raise ReturnFileError(
            f"{name}: cannot tell whether this is the Caseload or the Jobs sheet. "
            'A Caseload file needs a "Referral date" column and a Jobs file a '
            '"Job start date" column in its first row.'
        )
    return SheetRows(sheet, name, header_row, headers, rows, max(0, lines - header_row))


def _workbook_sheets(path: Path, display: str, stack: ExitStack, warnings: list[str]):
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several kinds for damaged files
        raise ReturnFileError(
            f"{display} could not be opened as a spreadsheet ({type(exc).__name__}). "
            "Check it is an .xlsx, .xls or .ods file and not password-protected."
        ) from None
    stack.callback(workbook.close)
    out = []
    for name in workbook.sheet_names:
        if normalise(name) in (normalise(INSTRUCTIONS), "lists"):
            continue
        try:
            sheet = workbook.get_sheet_by_name(name)
        except Exception:
            warnings.append(f'Sheet "{name}" could not be read, so it was skipped.')
            continue
        split = _split_header(_calamine_rows(sheet))
        kind = sheet_for_name(name)
        if split is None:
            if kind:
                warnings.append(f'Sheet "{name}" is empty.')
            continue
        header_row, headers, rows = split
        kind = kind or sheet_for_headers(headers)
        if kind is None:
            warnings.append(
                f'Sheet "{name}" is neither a Caseload nor a Jobs sheet, so it was not read.'
            )
            continue
        total = max(0, (sheet.start[0] if sheet.start else 0) + sheet.height - header_row)
        out.append(SheetRows(kind, name, header_row, headers, rows, total))
    return out


@contextmanager
def open_return(files: list[tuple[str, Path]]):
    """Open the files of one return: [(display name, path), ...]. Yields (sheets, warnings).

    Raises ReturnFileError for a file that cannot be read at all.
    """
    warnings: list[str] = []
    sheets: list[SheetRows] = []
    with ExitStack() as stack:
        for display, path in files:
            suffix = Path(display).suffix.lower() or Path(path).suffix.lower()
            if suffix in SPREADSHEET_TYPES:
                sheets.extend(_workbook_sheets(path, display, stack, warnings))
            elif suffix == ".csv":
                sheet = _csv_sheet(display, lambda p=path: open(p, "rb"), warnings)  # noqa: SIM115
                if sheet:
                    sheets.append(sheet)
            elif suffix == ".zip":
                try:
                    archive = stack.enter_context(zipfile.ZipFile(path))
                    members = [
                        m
                        for m in archive.infolist()
                        if m.filename.lower().endswith(".csv") and not m.is_dir()
                    ]
                except (zipfile.BadZipFile, OSError):
                    raise ReturnFileError(f"{display} is not a readable .zip file.") from None
                if not members:
                    raise ReturnFileError(f"{display} holds no .csv files.")
                for member in members:
                    sheet = _csv_sheet(
                        Path(member.filename).name,
                        lambda m=member, a=archive: a.open(m),
                        warnings,
                    )
                    if sheet:
                        sheets.append(sheet)
            else:
                raise ReturnFileError(
                    f"{display}: ipsworks reads .xlsx, .xls, .ods and .csv files (or a .zip of "
                    ".csv files), not {suffix or 'files without an extension'}."
                )
        seen: dict[str, str] = {}
        for sheet in sheets:
            if sheet.sheet in seen:
                raise ReturnFileError(
                    f'Both "{seen[sheet.sheet]}" and "{sheet.source}" look like the '
                    f"{sheet.sheet} sheet; send only one."
                )
            seen[sheet.sheet] = sheet.source
        if not sheets:
            raise ReturnFileError("No Caseload or Jobs sheet was found in the file.")
        yield sheets, warnings
