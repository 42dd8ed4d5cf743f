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
