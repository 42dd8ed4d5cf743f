"""Finding the cells of a workbook sheet that hold a spreadsheet error (#N/A, #DIV/0!, #REF!,
LibreOffice's Err:502 ...).

python-calamine reads such a cell as blank (or, in an .ods file written by Excel, as 0), and a
blank cell in a return clears what ipsworks holds: a failed formula must never be taken as "no
value". So the sheet is read once more for its error cells only:

- .xlsx: the sheet's XML is streamed in 1 MB pieces looking for a cell typed as an error
  (``t="e"``, however quoted or spaced). Real returns hold none, so this is all it costs. Only
  when one may be there is the sheet parsed as XML (ElementTree, row by row, memory flat) to
  find exactly where.
- .ods: the same, in content.xml: an error value type (LibreOffice) or an error shown as a
  cell's text (Excel's way of writing .ods).
- .xls: xlrd reports error cells as such (an .xls sheet has at most 65,536 rows).

.xlsb files are refused (see readers.SPREADSHEET_TYPES): they could not be scanned.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from .cells import ERROR_TEXTS

ErrorCells = dict[int, dict[int, str]]  # row number (from 1) -> column index (from 0) -> text

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CHUNK = 1 << 20
_OVERLAP = 64  # bytes carried between pieces, so a marker cut in two is still seen
_XLSX_MAYBE = re.compile(rb"""\st\s*=\s*["']e["']""")
_ODS_MAYBE = re.compile(
    rb"""value-type\s*=\s*["']error["']|>\s*(?:#N/A|#DIV/0!|#VALUE!|#REF!|#NAME\?|#NUM!|"""
    rb"""#NULL!|#SPILL!|#CALC!|Err:\d+)\s*<"""
)
_CELL_REFERENCE = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


class ErrorsNotPlaced(ValueError):
    """The sheet seems to hold an error cell, but its XML could not be read to say which."""


def error_cells(path: Path | str, sheet_name: str, kind: str) -> ErrorCells:
    """The error cells of the named sheet of the workbook at `path` (`kind`: xlsx, xls or ods).
    Empty when there are none, or when the file's layout is not understood (calamine has read
    the file; its read then stands). Raises :class:`ErrorsNotPlaced` when the sheet seems to
    hold an error but its XML cannot be parsed to find where: the file must then be refused,
    not read with the error as a blank."""
    try:
        if kind == "xlsx":
            return _xlsx(path, sheet_name)
        if kind == "ods":
            return _ods(path, sheet_name)
        if kind == "xls":
            return _xls(path, sheet_name)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, EOFError):
        pass
    except ElementTree.ParseError:
        raise ErrorsNotPlaced(sheet_name) from None
    return {}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _may_hold(archive: zipfile.ZipFile, part: str, pattern: re.Pattern) -> bool:
    """Whether the part's text matches `pattern` anywhere (streamed)."""
    with archive.open(part) as stream:
        carry = b""
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            if pattern.search(data):
                return True
            carry = data[-_OVERLAP:]
    return False


# --- xlsx --------------------------------------------------------------------------------


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding the named sheet's XML (found through the workbook's relations)."""
    # The workbook and its relations are small parts of the file being imported; ElementTree
    # resolves no external entities.
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except ElementTree.ParseError:
        return None
    rel_id = next(
        (
            el.get(_REL)
            for el in workbook.iter()
            if _local(el.tag) == "sheet" and el.get("name") == sheet_name
        ),
        None,
    )
    target = next(
        (el.get("Target") for el in rels.iter() if rel_id and el.get("Id") == rel_id), None
    )
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def _xlsx(path, sheet_name: str) -> ErrorCells:
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet_name)
        if part is None or not _may_hold(archive, part, _XLSX_MAYBE):
            return {}
        found: ErrorCells = {}
        row = 0
        column = -1
        with archive.open(part) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):  # noqa: S314
                name = _local(element.tag)
                if event == "start":
                    if name == "row":
                        row = int(element.get("r") or row + 1)
                        column = -1
                    elif name == "c":
                        reference = _CELL_REFERENCE.match(element.get("r") or "")
                        column = _column_index(reference[1]) if reference else column + 1
                    continue
                if name == "c" and element.get("t") == "e":
                    value = next((v.text for v in element if _local(v.tag) == "v"), None)
                    found.setdefault(row, {})[column] = (value or "").strip() or "#ERROR"
                elif name == "row":
                    element.clear()  # keep memory flat
        return found


# --- ods ---------------------------------------------------------------------------------


def _ods(path, sheet_name: str) -> ErrorCells:
    with zipfile.ZipFile(path) as archive:
        if not _may_hold(archive, "content.xml", _ODS_MAYBE):
            return {}
        found: ErrorCells = {}
        inside = False
        row = 0
        column = 0
        with archive.open("content.xml") as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):  # noqa: S314
                name = _local(element.tag)
                if name == "table":
                    if event == "start":
                        inside = element.get(f"{{{_TABLE}}}name") == sheet_name
                        row = 0
                    elif inside:
                        break
                    continue
                if event == "start":
                    if name == "table-row":
                        column = 0
                    continue
                if not inside:
                    if name == "table-row":
                        element.clear()  # another sheet's row: keep memory flat
                    continue
                if name in ("table-cell", "covered-table-cell"):
                    repeat = int(element.get(f"{{{_TABLE}}}number-columns-repeated") or 1)
                    text = _ods_error(element)
                    if text:
                        for offset in range(min(repeat, 1024)):
                            found.setdefault(row + 1, {})[column + offset] = text
                    column += repeat
                elif name == "table-row":
                    row += int(element.get(f"{{{_TABLE}}}number-rows-repeated") or 1)
                    element.clear()
        return found


def _ods_error(cell) -> str | None:
    """The error a cell of content.xml shows, if it holds one."""
    text = " ".join("".join(p.itertext()) for p in cell if _local(p.tag) == "p").strip()
    if cell.get(f"{{{_CALCEXT}}}value-type") == "error":
        return text or "#ERROR"
    if text.upper() in ERROR_TEXTS or re.fullmatch(r"Err:\d+", text):
        value_type = cell.get(f"{{{_OFFICE}}}value-type")
        if value_type and value_type != "string":  # Excel writes the error over a number
            return text
    return None


# --- xls ---------------------------------------------------------------------------------


def _xls(path, sheet_name: str) -> ErrorCells:
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        sheet = book.sheet_by_name(sheet_name)
        found: ErrorCells = {}
        for row in range(sheet.nrows):
            types = sheet.row_types(row)
            if xlrd.XL_CELL_ERROR in types:
                for column, kind in enumerate(types):
                    if kind == xlrd.XL_CELL_ERROR:
                        code = sheet.cell_value(row, column)
                        text = xlrd.error_text_from_code.get(code, "#ERROR")
                        found.setdefault(row + 1, {})[column] = text
        return found
    finally:
        book.release_resources()
