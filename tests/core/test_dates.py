"""Month and date parameters: month arithmetic, and clear refusals outside sensible years."""

from datetime import date

import pytest

from ipsworks.core.dates import add_months, parse_day, parse_month


def test_add_months_clamps_to_the_last_day_of_the_month():
    assert add_months(date(2016, 1, 31), 1) == date(2016, 2, 29)
    assert add_months(date(2015, 8, 31), 6) == date(2016, 2, 29)
    assert add_months(date(2015, 1, 28), 18) == date(2016, 7, 28)


@pytest.mark.parametrize(
    ("text", "expected"), [("2016-03", date(2016, 3, 1)), (" 2017-12 ", date(2017, 12, 1))]
)
def test_parse_month_reads_year_and_month(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["2016-13", "March", "", "0001-01", "9999-12", "1899-12"])
def test_parse_month_refuses_nonsense_and_far_years_with_a_message(text):
    with pytest.raises(ValueError, match="month|years"):
        parse_month(text)


@pytest.mark.parametrize("text", ["2016-02-30", "0001-01-01", "9999-12-31", "31/01/2016"])
def test_parse_day_refuses_bad_dates(text):
    with pytest.raises(ValueError):
        parse_day(text)


def test_parse_day_reads_iso_dates_at_the_year_bounds():
    assert parse_day("1900-01-01") == date(1900, 1, 1)
    assert parse_day("2200-12-31") == date(2200, 12, 31)
