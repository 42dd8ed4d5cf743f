"""Scores, totals, bands and suggested scores. Pure functions over plain data (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    min: int
    max: int


def band_for(total: int, bands: list[dict] | list[Band]) -> Band | None:
    """The band whose min..max (inclusive) holds `total`, from the scale's own band data."""
    for band in bands:
        b = band if isinstance(band, Band) else Band(**{k: band[k] for k in Band.__annotations__})
        if b.min <= total <= b.max:
            return b
    return None


@dataclass(frozen=True)
class Suggestion:
    score: int | None
    reason: str


def suggest_score(measure: dict, figure: float | Decimal | None, count: int | None = None):
    """Map a figure from the records to a score with the item's cut-offs (its scale data).

    "higher" measures: the first cut-off whose limit the figure reaches (figure >= limit).
    "lower" measures: the first cut-off the figure does not exceed (figure <= limit).
    Below every cut-off the measure's "otherwise" score applies (None: no suggestion).
    A measure with "min_count" suggests its "otherwise" score when `count` is below it.
    """
    if figure is None:
        return Suggestion(None, "No figure could be computed from the records for this period.")
    value = Decimal(str(figure))
    min_count = measure.get("min_count")
    if min_count is not None and count is not None and count < min_count:
        label = measure.get("min_count_label", "records")
        return Suggestion(
            measure.get("otherwise"),
            f"Fewer than {min_count} {label} ({count}), so the lowest anchor applies.",
        )
    higher = measure["direction"] == "higher"
    for cut in measure["cutoffs"]:
        limit = Decimal(str(cut["limit"]))
        if (higher and value >= limit) or (not higher and value <= limit):
            sign = "at least" if higher else "at most"
            return Suggestion(cut["score"], f"{_fmt(value)} is {sign} {_fmt(limit)}.")
    otherwise = measure.get("otherwise")
    if otherwise is None:
        return Suggestion(
            None, f"{_fmt(value)} is below the anchors with numbers: reviewer's judgement."
        )
    return Suggestion(otherwise, f"{_fmt(value)} is beyond every other anchor.")


def _fmt(value: Decimal) -> str:
    text = f"{value:.1f}"
    return text.removesuffix(".0")


@dataclass
class Totals:
    total: int
    max_total: int
    band: Band | None
    sections: list[dict]  # {"key", "title", "total", "max", "items"}


def compute_totals(scores: dict[int, int], sections: list[dict], bands: list[dict], high: int = 5):
    """Total, band and section subtotals for {item number: score}; sections as in the scale."""
    out = []
    total = 0
    for section in sections:
        numbers = [item["number"] for item in section["items"]]
        sub = sum(scores.get(n, 0) for n in numbers)
        total += sub
        out.append(
            {
                "key": section["key"],
                "title": section["title"],
                "total": sub,
                "max": high * len(numbers),
                "items": len(numbers),
            }
        )
    max_total = sum(s["max"] for s in out)
    return Totals(total, max_total, band_for(total, bands), out)
