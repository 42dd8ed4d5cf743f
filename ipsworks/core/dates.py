"""Date helpers shared by every app: month arithmetic and month keys."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from `first`'s month to `last`'s month, inclusive."""
    out = []
    current = month_start(first)
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


# Dates people can sensibly ask about; outside these, date arithmetic (a year on, six months
# on) would overflow Python's calendar, so parameters are refused with a message instead.
MIN_YEAR = 1900
MAX_YEAR = 2200


def _check_year(day: date, text: str, what: str) -> date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(
            f"{text!r} is outside the years {MIN_YEAR} to {MAX_YEAR}: give a real {what}"
        )
    return day


def parse_month(text: str) -> date:
    """'2016-03' -> date(2016, 3, 1); raises ValueError with a plain message otherwise."""
    try:
        year, month = text.strip().split("-")
        day = date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM") from None
    return _check_year(day, text, "month")


def parse_day(text: str) -> date:
    """'2016-03-31' -> date(2016, 3, 31); raises ValueError with a plain message otherwise."""
    try:
        day = date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD") from None
    return _check_year(day, text, "date")
