"""Finding the cells of an .xlsx sheet that hold a spreadsheet error (#N/A, #DIV/0!, #REF! ...).

python-calamine reads such a cell as blank, and a blank cell in a return clears what ipsworks
holds: a failed formula must not be taken as "no value". This module reads the sheet's XML once
more, as a stream of 1 MB pieces (memory stays flat), looking only for cells marked as errors
(``t="e"``); real sheets hold few or none, so the scan costs little beside calamine's own read.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>]")
_CELL_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_SPACE = (b" ", b"\t", b"\n", b"\r")
_REFERENCE = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]{0,40})</")
_CHUNK = 1 << 20


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding the named sheet's XML (found through the workbook's relations)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314 - the parts are small and come from the file being imported; no entities are resolved
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        return None
    rel_id = next(
        (
            el.get(_REL)
            for el in workbook.iter()
            if el.tag.endswith("}sheet") and el.get("name") == sheet_name
        ),
        None,
    )
    target = next(
        (el.get("Target") for el in rels.iter() if el.get("Id") == rel_id and rel_id), None
    )
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - 64)
    return index - 1


def error_cells(path: Path | str, sheet_name: str) -> dict[int, dict[int, str]]:
    """{row number (from 1): {column index (from 0): error text}} for the sheet's error cells.
    Empty when there are none, or when the file's layout is not understood (the import then
    goes on as calamine read it)."""
    found: dict[int, dict[int, str]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet_name)
            if part is None:
                return found
            with archive.open(part) as xml:
                carry = b""
                while chunk := xml.read(_CHUNK):
                    carry = _scan(carry + chunk, found)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, EOFError):
        return found  # calamine has read the file; a part it did not need is not our concern
    return found


def _scan(data: bytes, found: dict[int, dict[int, str]]) -> bytes:
    """Record the error cells complete in `data`; return the tail to carry into the next piece
    (from the start of a cell element that may be cut off)."""
    position = 0
    while (at := data.find(b't="e"', position)) != -1:
        if at == 0 or data[at - 1 : at] not in _SPACE:
            position = at + 5  # the end of another attribute's name
            continue
        starts = [m.start() for m in _CELL_START.finditer(data, max(0, at - 512), at)]
        start = starts[-1] if starts else -1
        if start == -1 or b">" in data[start:at]:
            position = at + 5  # not in a cell's start tag
            continue
        tag_end = data.find(b">", at)
        if tag_end == -1:
            return data[start:]  # the cell goes on in the next piece
        if data[tag_end - 1 : tag_end] == b"/":
            element = data[start : tag_end + 1]  # <c r="A1" t="e"/>: no value kept
        else:
            end = _CELL_CLOSE.search(data, tag_end)
            if end is None:
                return data[start:]
            element = data[start : end.end()]
        reference = _REFERENCE.search(data, start, tag_end + 1)
        if reference:
            value = _VALUE.search(element)
            text = value[1].decode("utf-8", "replace").strip() if value else ""
            found.setdefault(int(reference[2]), {})[_column_index(reference[1])] = text or "#ERROR"
        position = start + len(element)
    cut = data.rfind(b"<", max(0, len(data) - 512))
    return data[cut:] if cut != -1 else b""
