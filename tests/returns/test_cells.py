"""Reading cells as real returns contain them."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsworks.returns.cells import CellError, parse_cell, parse_date, parser_for
from ipsworks.returns.columns import CASELOAD_COLUMNS, JOB_COLUMNS, match_headers, normalise

COL = {c.key: c for c in (*CASELOAD_COLUMNS, *JOB_COLUMNS)}
ALL_COLUMNS = [*CASELOAD_COLUMNS, *JOB_COLUMNS]
ANY_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=50),
    st.integers(min_value=-(10**7), max_value=10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
    st.sampled_from(
        ["Out of work", "out of work", " 3 ", "3.0", "10000", "10001", "-1", "x" * 300, ""]
    ),
    st.sampled_from([0, -1, 10_000, 10_001, 0.0, -1.0, 10_000.0, 10_001.0, 2.5, 1e20]),
)


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
    positions, missing, unknown, repeated = match_headers(
        "Caseload", ["CLIENT ID", "date_referred", "Favourite colour", "Applications"]
    )
    assert [c.key for c in positions.values()] == [
        "service_user_id",
        "referral_date",
        "applications",
    ]
    assert missing == []
    assert unknown == ["Favourite colour"]
    assert repeated == {}
    for synonym in ("ID", "Client ID", "Service user ID"):
        assert match_headers("Jobs", [synonym])[0][0].key == "service_user_id"


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from(ALL_COLUMNS), value=ANY_CELL)
def test_the_importers_cell_readers_agree_with_parse_cell(column, value):
    """parser_for is a faster path to the same answer: same value, or the same message."""
    try:
        expected = ("value", parse_cell(column, value))
    except CellError as exc:
        expected = ("error", str(exc))
    parse = parser_for(column)
    for _ in range(2):  # the second call may come from the choice cache
        try:
            got = ("value", parse(value))
        except CellError as exc:
            got = ("error", str(exc))
        assert got == expected


TRICKY = [
    None,
    "",
    "  ",
    True,
    0,
    -1,
    10_000,
    10_001,
    0.0,
    10_000.0,
    10_001.0,
    2.5,
    7.2,
    date(2016, 3, 1),
    datetime(2016, 3, 1, 9, 30),
    "31/02/2016",
    "Out of work",
    " out  of WORK ",
    "x" * 300,
    " Greggs  plc ",
    1001.0,
    "42430",
]


@pytest.mark.parametrize("column", ALL_COLUMNS, ids=lambda c: c.key)
def test_the_importers_cell_readers_agree_at_the_edges(column):
    parse = parser_for(column)
    for value in TRICKY * 2:
        try:
            expected = ("value", parse_cell(column, value))
        except CellError as exc:
            expected = ("error", str(exc))
        try:
            got = ("value", parse(value))
        except CellError as exc:
            got = ("error", str(exc))
        assert got == expected, value
