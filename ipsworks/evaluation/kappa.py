"""Cohen's kappa: agreement between two coders beyond what chance alone would give.

kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of items the coders agree on and p_e
the agreement expected by chance from each coder's own rate of using each label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from fractions import Fraction


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Fraction | None:
    """Kappa for two coders' labels of the same items (same order). Exact, as a Fraction.

    Returns None when it is undefined: no items, or chance agreement is already 1 (both coders
    gave every item the same single label, so there is nothing to agree beyond chance).
    """
    if len(a) != len(b):
        raise ValueError("both coders must label the same items")
    n = len(a)
    if n == 0:
        return None
    observed = Fraction(sum(1 for x, y in zip(a, b, strict=True) if x == y), n)
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(
        (Fraction(count_a[label], n) * Fraction(count_b[label], n) for label in count_a),
        Fraction(0),
    )
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def describe(kappa: Fraction | None) -> str:
    """Landis and Koch's usual words for a kappa value."""
    if kappa is None:
        return "not defined"
    value = float(kappa)
    if value < 0:
        return "less than chance"
    for limit, words in ((0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if value <= limit:
            return words
    return "almost perfect"
