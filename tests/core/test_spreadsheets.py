"""Exported cells never carry a formula a spreadsheet program would run."""

from datetime import date
from decimal import Decimal

import pytest

from ipsworks.core.spreadsheets import safe_cell, safe_row


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_made_inert(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Tesco", "a=b", "", 5, -3, Decimal("-1.5"), date(2016, 1, 1), None]
)
def test_ordinary_values_pass_through(value):
    assert safe_cell(value) == value


def test_safe_row_applies_to_every_cell():
    assert safe_row(["=1", "ok", 2]) == ["'=1", "ok", 2]


def test_control_characters_are_left_out_of_exported_text():
    from ipsworks.core.spreadsheets import safe_cell

    assert safe_cell("quote\x0bwith\x01 controls\x1f") == "quotewith controls"
    assert safe_cell("line one\nline two\ttab") == "line one\nline two\ttab"  # kept
    assert safe_cell("\x01=SUM(A1)") == "'=SUM(A1)"  # still guarded once cleaned


def test_unguarded_undoes_the_guard_only():
    from ipsworks.core.spreadsheets import safe_cell, unguarded

    for text in ["=SUM(A1)", "+1", "-x", "@me", "plain", "'quoted"]:
        assert unguarded(safe_cell(text)) == text
