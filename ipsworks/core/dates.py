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


def parse_month(text: str) -> date:
    """'2016-03' -> date(2016, 3, 1); raises ValueError with a plain message otherwise."""
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM") from None
