"""Reading one spreadsheet cell into a Python value, with a plain-words message when it can't.

Accepts what real returns contain: UK day-first dates (31/01/2016, 31-1-16, 31 Jan 2016), ISO
dates (2016-01-31), Excel serial dates (42400, as a number or as text), numbers stored as text
("7.20", "£7.20", " 16 "), and stray spaces.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ipsworks.core.spreadsheets import unguarded

from .columns import Column, normalise


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user as it is."""


class SheetError(str):
    """A cell holding a spreadsheet error such as #N/A (a formula that failed). The readers
    put it where calamine would give a blank, so it is reported, never read as "no value"."""

    __slots__ = ()


# What spreadsheet programs show for a failed formula. An .xls or .ods file (and a CSV saved
# from one) carries these as text; they are refused as SheetError is.
ERROR_TEXTS = frozenset(
    ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"]
)


def _refuse_error(value: str):
    raise CellError(
        f"holds the spreadsheet error {value}: the formula in this cell did not work. "
        "Correct the formula or type the value in."
    )


# Characters that show as nothing: a cell holding only these is blank, and they are taken out
# of text (IDs copied from web pages and e-mails often carry them).
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def _visible(text: str) -> str:
    return text if text.isascii() else text.translate(INVISIBLE)


EXCEL_EPOCH = date(1899, 12, 30)
# Return dates are all from the service's own lifetime: a year before 1950 is a typing slip
# (or a small number read as an Excel date: 5 would be 04/01/1900).
MIN_YEAR, MAX_YEAR = 1950, 2200
EARLIEST_SERIAL, LATEST_SERIAL = 18_264, 109_574  # 01/01/1950 .. 31/12/2199
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DAY_FIRST = re.compile(
    r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$"
)
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ \-]([a-z]+)\.?,?[ \-](\d{2}|\d{4})$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.0+)?$")
_EXPONENT = re.compile(r"^[-+]?[\d.,]+[eE][-+]?\d+$")
_THOUSANDS = re.compile(r"^[-+]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?$")


def shown(value: object) -> str:
    """How a cell's value is quoted in a message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime | date):
        value = f"{value:%d/%m/%Y}"
    text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "..."


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if type(value) is SheetError:
        return False
    return isinstance(value, str) and not _visible(value).strip()


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _make(value: object, year: int, month: int, day: int) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CellError(
            f"{shown(value)} is not a date in the years {MIN_YEAR} to {MAX_YEAR}: check the year"
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"{shown(value)} is not a date") from None


def _serial(value: object, number: float) -> date:
    if not math.isfinite(number) or not 1 <= number <= LATEST_SERIAL:
        raise CellError(f"{shown(value)} is not a date")
    day = EXCEL_EPOCH + timedelta(days=int(number))
    if number < EARLIEST_SERIAL:
        raise CellError(
            f"{shown(value)} is not a date (read as a spreadsheet date number it would be "
            f"{day:%d/%m/%Y}): write the date as day/month/year"
        )
    return day


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return _make(value, value.year, value.month, value.day)
    if isinstance(value, date):
        return _make(value, value.year, value.month, value.day)
    if isinstance(value, time):
        raise CellError(f"{shown(value)} is a time of day, not a date")
    if isinstance(value, bool):
        raise CellError(f"{shown(value)} is not a date")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise CellError(f"{shown(value)} is not a date")
        return _serial(value, float(value))
    text = " ".join(_visible(str(value)).split()).lower()
    if m := _ISO.match(text):
        return _make(value, int(m[1]), int(m[2]), int(m[3]))
    if m := _DAY_FIRST.match(text):
        return _make(value, _year(m[3]), int(m[2]), int(m[1]))
    if m := _WORDS.match(text):
        month = MONTHS.get(m[2])
        if month is None:
            raise CellError(f"{shown(value)} is not a date")
        return _make(value, _year(m[3]), month, int(m[1]))
    if _SERIAL.match(text):
        return _serial(value, float(text))
    raise CellError(f"{shown(value)} is not a date (write it as day/month/year, e.g. 31/01/2016)")


def _number(value: object) -> Decimal:
    if isinstance(value, bool):
        raise CellError(f"{shown(value)} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"{shown(value)} is not a number")
        return Decimal(repr(value))
    text = _visible(str(value)).strip().replace("£", "").replace(" ", "").replace("\u2212", "-")
    if _EXPONENT.match(text):
        raise CellError(f"{shown(value)} is not a number: write it out in full (1000, not 1e3)")
    if "," in text:
        if not _THOUSANDS.match(text):
            raise CellError(
                f"{shown(value)} is not a number: write decimals with a full stop (8.50), "
                "and commas only between thousands (1,500)"
            )
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{shown(value)} is not a number") from None
    if not number.is_finite():
        raise CellError(f"{shown(value)} is not a number")
    return number


def parse_decimal(value: object, places: int) -> Decimal:
    number = _number(value)
    if abs(number) >= Decimal(10) ** 9:
        raise CellError(f"{shown(value)} is too large")
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def parse_count(value: object) -> int:
    number = _number(value)
    if number != number.to_integral_value():
        raise CellError(f"{shown(value)} is not a whole number")
    if number < 0:
        raise CellError(f"{shown(value)} is below zero")
    if number > 10_000:
        raise CellError(f"{shown(value)} is too large for one month")
    return int(number)


def parse_text(value: object, max_length: int) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an ID typed as a number: 1001.0 -> "1001"
    elif isinstance(value, datetime | date):
        value = f"{value:%d/%m/%Y}"
    text = unguarded(" ".join(_visible(str(value)).split()))
    if len(text) > max_length:
        raise CellError(f"is {len(text)} characters long; at most {max_length} are allowed")
    return text


def parse_choice(value: object, column: Column) -> str:
    key = normalise(shown(value))
    for code, label in column.choices:
        if key in (normalise(code), normalise(label)):
            return code
    options = "; ".join(column.choice_labels())
    raise CellError(f"{shown(value)} is not one of the allowed values ({options})")


DECIMAL_PLACES = {"hours_per_week": 1, "hourly_pay": 2}


def parse_cell(column: Column, value: object):
    """The cell's value for `column`, or None when blank. Raises CellError."""
    if type(value) is SheetError or (type(value) is str and value.strip().upper() in ERROR_TEXTS):
        _refuse_error(value.strip())
    if is_blank(value):
        return None
    if column.kind == "date":
        return parse_date(value)
    if column.kind == "count":
        return parse_count(value)
    if column.kind == "decimal":
        return parse_decimal(value, DECIMAL_PLACES.get(column.key, 2))
    if column.kind == "choice":
        return parse_choice(value, column)
    return parse_text(value, column.max_length) or None


KNOWN_SPELLINGS = 4096  # per column: text cells already read, and what they gave


def parser_for(column: Column):
    """A function that reads one cell of `column`: the same result (or CellError) as
    ``parse_cell(column, value)``, with a short path for the values spreadsheets usually hold
    (dates as dates, counts as whole numbers, tidy text) and a memory of text already read in
    dates, numbers and choices ("04/01/2016", "1", "Out of work" recur on many rows; what they
    give is immutable, so it is shared). Used by the importer, which calls it once per cell."""
    kind = column.kind

    if kind == "text" or kind not in ("date", "count", "decimal", "choice"):
        limit = column.max_length

        def parse(value):
            if type(value) is str:
                text = " ".join(value.split() if value.isascii() else _visible(value).split())
                if not text:
                    return None
                if text[0] == "'":
                    text = unguarded(text)  # ipsworks' own guard on exported text
                if len(text) > limit:
                    raise CellError(f"is {len(text)} characters long; at most {limit} are allowed")
                if text[0] == "#" and text.upper() in ERROR_TEXTS:
                    _refuse_error(text)
                return text
            return parse_cell(column, value)

        return parse

    known: dict[str, object] = {}

    def from_text(value: str):
        try:
            return known[value]
        except KeyError:
            result = parse_cell(column, value)  # a CellError is not remembered
            if len(known) < KNOWN_SPELLINGS:
                known[value] = result
            return result

    if kind == "date":

        def parse(value):
            kind_of = type(value)
            if kind_of is date and MIN_YEAR <= value.year <= MAX_YEAR:
                return value
            if kind_of is datetime and MIN_YEAR <= value.year <= MAX_YEAR:
                return value.date()
            if kind_of is str:
                return from_text(value)
            return parse_cell(column, value)

    elif kind == "count":

        def parse(value):
            kind_of = type(value)
            if kind_of is float and value.is_integer() and 0 <= value <= 10_000:
                return int(value)
            if kind_of is int and 0 <= value <= 10_000:
                return value
            if kind_of is str:
                return from_text(value)
            return parse_cell(column, value)

    else:  # decimal, choice

        def parse(value):
            if type(value) is str:
                return from_text(value)
            return parse_cell(column, value)

    return parse
