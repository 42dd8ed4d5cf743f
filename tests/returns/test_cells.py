"""Reading cells as real returns contain them."""

from datetime import date
from decimal import Decimal

import pytest

from ipsworks.returns.cells import CellError, parse_cell, parse_date
from ipsworks.returns.columns import CASELOAD_COLUMNS, JOB_COLUMNS, match_headers, normalise

COL = {c.key: c for c in (*CASELOAD_COLUMNS, *JOB_COLUMNS)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/01/2016", date(2016, 1, 31)),
        (" 1/3/16 ", date(2016, 3, 1)),
        ("01-03-2016", date(2016, 3, 1)),
        ("2016-03-01", date(2016, 3, 1)),
        ("2016-03-01 00:00:00", date(2016, 3, 1)),
        ("1 March 2016", date(2016, 3, 1)),
        ("1 Mar 2016", date(2016, 3, 1)),
        (42430, date(2016, 3, 1)),
        (42430.0, date(2016, 3, 1)),
        ("42430", date(2016, 3, 1)),
    ],
)
def test_dates_are_read_day_first_iso_or_excel_serial(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2016", "13/13/2016", "soon", "2016-02-30", -5, 1e12])
def test_impossible_dates_are_refused_in_plain_words(value):
    with pytest.raises(CellError, match="is not a date"):
        parse_date(value)


def test_numbers_stored_as_text_and_stray_spaces_are_read():
    assert parse_cell(COL["hourly_pay"], " £7.20 ") == Decimal("7.20")
    assert parse_cell(COL["hours_per_week"], "16") == Decimal("16.0")
    assert parse_cell(COL["applications"], "3.0") == 3
    assert parse_cell(COL["service_user_id"], 1001.0) == "1001"
    assert parse_cell(COL["employer"], "  Greggs   plc ") == "Greggs plc"
    assert parse_cell(COL["employer"], "   ") is None


def test_coded_values_accept_the_label_or_the_code_in_any_case():
    assert parse_cell(COL["discharge_reason"], "moved away or transferred") == "moved"
    assert parse_cell(COL["occupation_group"], 7.0) == "7"
    with pytest.raises(CellError, match="not one of the allowed values"):
        parse_cell(COL["end_reason"], "fired")


def test_counts_must_be_whole_and_not_negative():
    with pytest.raises(CellError, match="whole number"):
        parse_cell(COL["applications"], "2.5")
    with pytest.raises(CellError, match="below zero"):
        parse_cell(COL["applications"], -1)


def test_headers_match_without_case_spacing_punctuation_and_with_synonyms():
    assert normalise(" Service-user ID ") == "serviceuserid"
    positions, missing, unknown = match_headers(
        "Caseload", ["CLIENT ID", "date_referred", "Favourite colour", "Applications"]
    )
    assert [c.key for c in positions.values()] == [
        "service_user_id",
        "referral_date",
        "applications",
    ]
    assert missing == []
    assert unknown == ["Favourite colour"]
    for synonym in ("ID", "Client ID", "Service user ID"):
        assert match_headers("Jobs", [synonym])[0][0].key == "service_user_id"
