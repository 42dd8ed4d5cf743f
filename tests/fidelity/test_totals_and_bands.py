"""Totals out of 125 and the band each total falls in, at every band boundary."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsworks.fidelity.scale_io import DEFAULT_SCALE_FILE, read_scale_file
from ipsworks.fidelity.scoring import band_for, compute_totals

from .conftest import spread

SCALE = read_scale_file(DEFAULT_SCALE_FILE)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (25, "not_supported"),
        (73, "not_supported"),
        (74, "fair"),
        (99, "fair"),
        (100, "good"),
        (114, "good"),
        (115, "exemplary"),
        (125, "exemplary"),
    ],
)
def test_each_total_at_a_boundary_falls_in_the_right_band(total, band):
    assert band_for(total, SCALE["bands"]).key == band
    totals = compute_totals(spread(total), SCALE["sections"], SCALE["bands"])
    assert totals.total == total
    assert totals.band.key == band


def test_totals_outside_the_scale_have_no_band():
    assert band_for(24, SCALE["bands"]) is None
    assert band_for(126, SCALE["bands"]) is None


def test_section_subtotals_add_up_and_show_each_sections_maximum():
    scores = {n: 5 if n <= 3 else 3 for n in range(1, 26)}
    totals = compute_totals(scores, SCALE["sections"], SCALE["bands"])
    by_key = {s["key"]: s for s in totals.sections}
    assert by_key["staffing"]["total"] == 15 and by_key["staffing"]["max"] == 15
    assert by_key["organisation"]["total"] == 8 * 3 and by_key["organisation"]["max"] == 40
    assert by_key["services"]["total"] == 14 * 3 and by_key["services"]["max"] == 70
    assert totals.max_total == 125
    assert totals.total == sum(s["total"] for s in totals.sections)


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=25, max_size=25))
def test_every_possible_sheet_gets_exactly_one_band(scores):
    totals = compute_totals(dict(enumerate(scores, start=1)), SCALE["sections"], SCALE["bands"])
    assert totals.total == sum(scores)
    matching = [b for b in SCALE["bands"] if b["min"] <= totals.total <= b["max"]]
    assert len(matching) == 1 and totals.band.key == matching[0]["key"]
