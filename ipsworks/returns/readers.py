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
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from .cells import SheetError, is_blank
from .columns import (
    CASELOAD,
    INSTRUCTIONS,
    JOBS,
    known_headers,
    normalise,
    sheet_for_headers,
    sheet_for_name,
)
from .sheet_errors import ErrorsNotPlaced, error_cells

# (.xlsb is not taken: its failed formulas could not be told from blank cells; see sheet_errors)
SPREADSHEET_TYPES = {".xlsx", ".xlsm", ".xls", ".ods"}
MAX_ZIP_TEXT_BYTES = 500 * 1000 * 1000  # CSV text in one .zip, once unpacked
ACCEPTED_TYPES = SPREADSHEET_TYPES | {".csv", ".zip"}
HEADER_SEARCH_ROWS = 10
FIELD_LIMIT = 1_000_000  # characters in one CSV cell
csv.field_size_limit(FIELD_LIMIT)


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
    hidden: bool = False  # a workbook sheet hidden from view


def _is_blank_row(cells: list) -> bool:
    return all(is_blank(c) for c in cells)


def _split_header(
    numbered: Iterator[tuple[int, list]],
) -> tuple[int, list, Iterator[tuple[int, list]], list[int]] | None:
    """Find the header row: of the first few non-blank rows, the one naming the most columns
    of the return (at least two), so that title, group and note rows above it are passed over;
    else the first non-blank row. Returns (header row number, headers, the rows after it, the
    numbers of the rows passed over), or None when there is no non-blank row. Blank rows are
    skipped whatever their number."""
    seen: list[tuple[int, list]] = []
    for number, cells in numbered:
        if not _is_blank_row(cells):
            seen.append((number, cells))
            if len(seen) >= HEADER_SEARCH_ROWS:
                break
    if not seen:
        return None
    named = [known_headers(cells) for _number, cells in seen]
    best = max(named)
    at = named.index(best) if best >= 2 else 0
    number, headers = seen[at]
    return number, headers, chain(seen[at + 1 :], numbered), [n for n, _c in seen[:at]]


def _passed_over(source: str, numbers: list[int], warnings: list[str]) -> None:
    if len(numbers) == 1:
        warnings.append(f"{source}: row {numbers[0]}, above the header row, was not read.")
    elif numbers:
        warnings.append(f"{source}: rows {_ranges(numbers)}, above the header row, were not read.")


def _ranges(numbers: list[int]) -> str:
    return (
        ", ".join(str(n) for n in numbers) if len(numbers) < 4 else f"{numbers[0]} to {numbers[-1]}"
    )


def _calamine_rows(sheet, errors: dict[int, dict[int, str]]) -> Iterator[tuple[int, list]]:
    """(row number, cells) for each row of a calamine sheet. python-calamine yields the blank
    rows above the sheet's used range too, so row numbers count from the sheet's first row.
    Cells that hold a spreadsheet error (which calamine gives as blank) are put back as
    :class:`cells.SheetError`, so they are reported instead of read as blank."""
    first_column = sheet.start[1] if sheet.start else 0
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number in errors:
            for column, text in errors[number].items():
                if 0 <= column - first_column < len(row):
                    row[column - first_column] = SheetError(text)
        yield number, row


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
# What can go wrong while reading a CSV file or a .zip member part way through.
_READ_ERRORS = (csv.Error, zipfile.BadZipFile, RuntimeError, OSError, EOFError, zlib.error)


def detect_encoding(
    open_binary, warnings: list[str] | None = None, name: str = ""
) -> tuple[str, int]:
    """('utf-16' when the text starts with a UTF-16 byte-order mark (Excel's "Unicode text"),
    'utf-8-sig' when the whole stream decodes as UTF-8, else MIXED; number of lines). Reads in
    chunks. A file that is not all UTF-8 is decoded line by line (:func:`_mixed_lines`): each
    line as UTF-8 when it is, else as Windows-1252 (what Excel writes on Windows), so a file
    that mixes the two reads right either way. When it holds UTF-8 letters as well as a line
    that is not UTF-8, a warning names the first such line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    lines = 0
    first_bad_line = None
    utf8_letters = False  # a multi-byte UTF-8 sequence anywhere in the file
    with open_binary() as handle:
        first = True
        while chunk := handle.read(1 << 20):
            if first and chunk[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                encoding = "utf-16"
            first = False
            if encoding != "utf-16":
                utf8_letters = utf8_letters or bool(_UTF8_SEQUENCE.search(chunk))
            if encoding == "utf-8-sig":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    encoding = MIXED
                    first_bad_line = lines + chunk[: exc.start].count(b"\n") + 1
            lines += chunk.count(b"\n")
        if encoding == "utf-8-sig":
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = MIXED
                first_bad_line = lines + 1
    if encoding == MIXED and utf8_letters and warnings is not None:
        warnings.append(
            f"{name}: the file mixes two text encodings (line {first_bad_line} is the first "
            "that is not UTF-8). Each line was read in the encoding it is written in; check "
            "that names with accents read correctly in the changes below."
        )
    return encoding, lines


MIXED = "mixed"  # mostly UTF-8, some lines Windows-1252: decoded line by line


def _mixed_lines(handle) -> Iterator[str]:
    """The lines of a file that mixes UTF-8 and Windows-1252, each decoded in its own."""
    for raw in handle:
        try:
            yield raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield raw.decode("cp1252", errors="replace")


def _csv_rows(open_binary, encoding: str, name: str) -> Iterator[tuple[int, list]]:
    number = 0
    try:
        with open_binary() as handle:
            if encoding == MIXED:
                text = _mixed_lines(handle)
            else:
                text = iter(
                    io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
                )
            first = next(text, "")
            start = 1
            if hint := _SEPARATOR_HINT.match(first):  # Excel's "sep=;" first line
                options = {"dialect": "excel", "delimiter": hint[1]}
                lines = []
                start = 2
            else:
                lines = [first]
                while len(lines) < HEADER_SEARCH_ROWS * 2 and (line := next(text, "")):
                    lines.append(line)
                options = _DIALECTS[_separator(lines)]
            reader = csv.reader(chain(lines, text), **options)
            for number, row in enumerate(reader, start=start):  # noqa: B007 - used below
                yield number, row
    except _READ_ERRORS as exc:
        raise ReturnFileError(f"{name}: {_read_problem(exc)} (after row {number}).") from None


def _read_problem(exc: Exception) -> str:
    """A reading failure in plain words."""
    text = str(exc).lower()
    if isinstance(exc, csv.Error) and "field larger" in text:
        return f"a cell holds more than {FIELD_LIMIT:,} characters, which a return never needs"
    if "encrypted" in text or "password" in text:
        return "the file is protected with a password; remove the password and send it again"
    if isinstance(exc, csv.Error):
        return f"the text could not be read as CSV ({exc})"
    return "the file is damaged and could not be read to its end; export or save it again"


_SEPARATOR_HINT = re.compile(r"^\ufeff?sep=(.)\r?\n?$")


def _separator(lines: list[str]) -> str:
    """Which of comma, semicolon and tab separates the columns, judged on the first lines:
    the one that splits some line into the most column headers of the return, else the one
    that appears most often on a line (so a title line with other punctuation does not
    decide)."""

    def score(name: str) -> tuple[int, int]:
        delimiter = _DIALECTS[name].get("delimiter", "\t" if name == "excel-tab" else ",")
        try:
            rows = list(csv.reader(lines, **_DIALECTS[name]))
        except csv.Error:
            rows = []
        named = max((known_headers(row) for row in rows), default=0)
        return named, max((line.count(delimiter) for line in lines), default=0)

    return max(["excel", "semicolon", "excel-tab"], key=score)  # first wins a tie


_DIALECTS = {
    "excel": {"dialect": "excel"},
    "semicolon": {"dialect": "excel", "delimiter": ";"},
    "excel-tab": {"dialect": "excel-tab"},
}


def _csv_sheet(name: str, open_binary, warnings: list[str]) -> SheetRows | None:
    try:
        encoding, lines = detect_encoding(open_binary, warnings, name)
    except _READ_ERRORS as exc:
        raise ReturnFileError(f"{name}: {_read_problem(exc)}.") from None
    split = _split_header(_csv_rows(open_binary, encoding, name))
    if split is None:
        warnings.append(f"{name}: the file is empty, so it was not read.")
        return None
    header_row, headers, rows, passed_over = split
    sheet = sheet_for_headers(headers)
    if sheet is None:
        raise ReturnFileError(
            f"{name}: cannot tell whether this is the Caseload or the Jobs sheet. "
            'A Caseload file needs a "Referral date" column and a Jobs file a '
            '"Job start date" column in its header row.'
        )
    _passed_over(name, passed_over, warnings)
    return SheetRows(sheet, name, header_row, headers, rows, max(0, lines - header_row))


def _workbook_sheets(path: Path, display: str, stack: ExitStack, warnings: list[str]):
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - calamine raises several kinds for damaged files
        raise ReturnFileError(
            f"{display} could not be opened as a spreadsheet. It may be damaged, protected "
            "with a password, or a different kind of file under a spreadsheet's name: open it "
            "in your spreadsheet program, save it as .xlsx, and send that."
        ) from None
    stack.callback(workbook.close)
    hidden = {m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    suffix = Path(display).suffix.lower() or Path(path).suffix.lower()
    scan_as = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".xls": "xls"}.get(suffix, "")
    out = []
    for name in workbook.sheet_names:
        if normalise(name) in (normalise(INSTRUCTIONS), "lists"):
            continue
        kind = sheet_for_name(name)
        try:
            sheet = workbook.get_sheet_by_name(name)
        except Exception:  # noqa: BLE001 - a damaged sheet
            if kind:
                raise ReturnFileError(
                    f'Sheet "{name}" could not be read: the file may be damaged. Open it in '
                    "your spreadsheet program, save it again, and send that."
                ) from None
            warnings.append(f'Sheet "{name}" could not be read, so it was skipped.')
            continue
        try:
            errors = error_cells(path, name, scan_as) if scan_as else {}
        except ErrorsNotPlaced:
            raise ReturnFileError(
                f'Sheet "{name}" seems to hold a cell with a spreadsheet error (such as #N/A), '
                "but ipsworks could not tell which cell. Open the file in your spreadsheet "
                "program, correct or clear the failed formulas, save it again and send that."
            ) from None
        split = _split_header(_calamine_rows(sheet, errors))
        if split is None:
            if kind:
                warnings.append(f'Sheet "{name}" is empty.')
            continue
        header_row, headers, rows, passed_over = split
        kind = kind or sheet_for_headers(headers)
        if kind is None:
            warnings.append(
                f'Sheet "{name}" is neither a Caseload nor a Jobs sheet, so it was not read.'
            )
            continue
        _passed_over(f'Sheet "{name}"', passed_over, warnings)
        total = max(0, (sheet.start[0] if sheet.start else 0) + sheet.height - header_row)
        out.append(SheetRows(kind, name, header_row, headers, rows, total, name in hidden))
    return out


def _zip_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The CSV files in a .zip, leaving out the folders and the "._" copies macOS adds."""
    return [
        m
        for m in archive.infolist()
        if m.filename.lower().endswith(".csv")
        and not m.is_dir()
        and not m.filename.startswith("__MACOSX/")
        and not Path(m.filename).name.startswith("._")
    ]


def _one_of_each(sheets: list[SheetRows], warnings: list[str]) -> list[SheetRows]:
    """At most one Caseload and one Jobs sheet. Where a hidden sheet and a visible one look like
    the same sheet, the visible one is read (and the hidden one named in a warning); two that
    are both visible, or both hidden, are refused."""
    kept: list[SheetRows] = []
    for kind in (CASELOAD, JOBS):
        alike = [s for s in sheets if s.sheet == kind]
        visible = [s for s in alike if not s.hidden]
        if len(alike) > 1 and len(visible) == 1:
            for other in alike:
                if other.hidden:
                    warnings.append(
                        f'Sheet "{other.source}" is hidden, so it was not read: the visible '
                        f'sheet "{visible[0].source}" was read as the {kind} sheet.'
                    )
            alike = visible
        if len(alike) > 1:
            first, second = alike[0], alike[1]
            hint = " (one of them is hidden)" if first.hidden or second.hidden else ""
            raise ReturnFileError(
                f'Both "{first.source}" and "{second.source}" look like the {kind} '
                f"sheet{hint}; send only one."
            )
        kept += alike
    return kept


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
                    members = _zip_members(archive)
                except (zipfile.BadZipFile, OSError):
                    raise ReturnFileError(f"{display} is not a readable .zip file.") from None
                if not members:
                    raise ReturnFileError(f"{display} holds no .csv files.")
                if sum(m.file_size for m in members) > MAX_ZIP_TEXT_BYTES:
                    raise ReturnFileError(
                        f"{display} unpacks to more than {MAX_ZIP_TEXT_BYTES // 1_000_000} MB of "
                        "CSV text, far more than any return: check it is the right file."
                    )
                for member in members:
                    sheet = _csv_sheet(
                        Path(member.filename).name,
                        lambda m=member, a=archive: a.open(m),
                        warnings,
                    )
                    if sheet:
                        sheets.append(sheet)
            else:
                kind = suffix or "files without an extension"
                if suffix == ".xlsb":
                    kind = ".xlsb files (save it as .xlsx in Excel and send that)"
                raise ReturnFileError(
                    f"{display}: ipsworks reads .xlsx, .xls, .ods and .csv files (or a .zip of "
                    f".csv files), not {kind}."
                )
        sheets = _one_of_each(sheets, warnings)
        if not sheets:
            raise ReturnFileError("No Caseload or Jobs sheet was found in the file.")
        yield sheets, warnings
