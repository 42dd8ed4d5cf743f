"""Cohen's kappa, checked against examples worked out by hand."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsworks.evaluation.kappa import cohen_kappa, describe


def labels(yes_yes, yes_no, no_yes, no_no):
    a = [True] * yes_yes + [True] * yes_no + [False] * no_yes + [False] * no_no
    b = [True] * yes_yes + [False] * yes_no + [True] * no_yes + [False] * no_no
    return a, b


def test_hand_worked_two_by_two_example():
    # 10 quotes. Both coders apply the theme to 4, neither to 3; A alone to 2, B alone to 1.
    # Observed agreement p_o = (4 + 3) / 10 = 0.7.
    # A says yes to 6/10, B to 5/10: chance agreement p_e = 0.6*0.5 + 0.4*0.5 = 0.5.
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    a, b = labels(yes_yes=4, yes_no=2, no_yes=1, no_no=3)
    assert cohen_kappa(a, b) == Fraction(2, 5)
    assert describe(cohen_kappa(a, b)) == "fair"


def test_hand_worked_three_category_example():
    # 6 items labelled x, y or z. The coders agree on items 1, 2 and 4: p_o = 3/6 = 18/36.
    # A used x 3 times, y 2, z 1; B used x 2 times, y 3, z 1.
    # p_e = (3*2 + 2*3 + 1*1) / 36 = 13/36, so kappa = (18/36 - 13/36) / (23/36) = 5/23.
    a = ["x", "y", "x", "z", "x", "y"]
    b = ["x", "y", "y", "z", "y", "x"]
    assert cohen_kappa(a, b) == Fraction(5, 23)


def test_perfect_agreement_is_one_and_systematic_disagreement_is_negative():
    a, b = labels(yes_yes=3, yes_no=0, no_yes=0, no_no=2)
    assert cohen_kappa(a, b) == 1
    a, b = labels(yes_yes=0, yes_no=3, no_yes=2, no_no=0)
    assert cohen_kappa(a, b) < 0
    assert describe(cohen_kappa(a, b)) == "less than chance"


def test_undefined_when_no_items_or_both_coders_always_give_the_same_label():
    assert cohen_kappa([], []) is None
    assert cohen_kappa([False] * 5, [False] * 5) is None
    assert describe(None) == "not defined"


def test_lists_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="same items"):
        cohen_kappa([True], [True, False])


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40))
def test_kappa_is_symmetric_and_at_most_one(pairs):
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    k = cohen_kappa(a, b)
    assert k == cohen_kappa(b, a)
    if k is not None:
        assert -1 <= k <= 1
