"""Helpers for every spreadsheet and CSV download.

Text that people typed (employer names, quotes, rationales) can start with a character a
spreadsheet program reads as the start of a formula ("=HYPERLINK(...)"). Every exported cell goes
through :func:`safe_cell`, which makes such text inert by prefixing an apostrophe, the usual
spreadsheet marker for "this is text".
"""

import csv
import io
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an xlsx file cannot hold (openpyxl refuses them): invisible in any case,
# they are left out of downloads rather than let one stored character break the file.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value):
    """The value to write into a spreadsheet or CSV cell; formula-like text is made inert.

    Numbers, dates and other non-text values pass through unchanged (so "-3" typed as a number
    stays a number; only text that starts with a formula character is prefixed). Control
    characters are left out of text (see CONTROL_CHARACTERS)."""
    if isinstance(value, str):
        value = CONTROL_CHARACTERS.sub("", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def unguarded(text: str) -> str:
    """Undo :func:`safe_cell` on text read back from a file ipsworks wrote: the apostrophe it
    put before "=", "+", "-" or "@" is not part of the text. (Text typed as "'=..." itself
    would lose its apostrophe; nobody writes one on purpose.)"""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def safe_row(values):
    return [safe_cell(v) for v in values]


def decoded_text(data: bytes) -> str:
    """The text of a small uploaded CSV file: UTF-8 (with or without a byte-order mark), else
    Windows-1252, the encoding Excel uses when it saves "CSV" on Windows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(text: str) -> list[list[str]]:
    """Every row of CSV text. Raises ValueError with a plain message naming the line when the
    csv module cannot read it (a cell over its size limit, a NUL character)."""
    if "\x00" in text:
        # Python's csv module reads NUL as text, which most databases cannot store.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValueError(
            f"line {line}: the file could not be read as CSV: it holds a NUL character "
            "(is it really a CSV file?)"
        )
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            problem = f"a cell is longer than {csv.field_size_limit():,} characters"
        elif "NUL" in str(exc):
            problem = "it holds a NUL character (is it really a CSV file?)"
        else:
            problem = str(exc)
        raise ValueError(
            f"line {reader.line_num}: the file could not be read as CSV: {problem}"
        ) from None
