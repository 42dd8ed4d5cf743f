"""Evidence from the site's records for the fidelity items that can be measured.

Every figure comes from :mod:`ipsworks.outcomes.metrics` (the one definition of each IPS metric);
this module only chooses which metric answers which item, words the underlying numbers, and maps
the figure to a suggested score with the item's own cut-offs (:func:`scoring.suggest_score`).
The reviewer always decides: the suggestion is stored beside the agreed score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .scoring import suggest_score


@dataclass
class Evidence:
    item: int
    measure: str
    available: bool
    figure: float | None = None
    count: int | None = None
    display: str = ""
    detail: str = ""
    suggested: int | None = None
    reason: str = ""
    metric: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _metrics():
    try:
        from ipsworks.outcomes import metrics
    except ImportError:  # the outcomes app is not installed yet
        return None
    return metrics


def _fmt(value: float, places: int = 1) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _caseload_per_fte(m, scope, period):
    r = m.compute("caseload_per_specialist_fte", scope=scope, period=period)
    day = max(min(period.end, timezone.localdate()), period.start)  # the day the metric uses
    if r.value is None:
        return None, None, f"No specialist was in post on {day:%d %b %Y}."
    if not r.numerator:
        return None, 0, f"No one was on the active caseload on {day:%d %b %Y}."
    detail = (
        f"{r.numerator} people on the active caseload on {day:%d %b %Y}, "
        f"{_fmt(r.denominator, 2)} full-time-equivalent specialists in post"
    )
    return r.value, r.numerator, detail


def _median_days(m, scope, period):
    r = m.compute("median_days_to_employer_contact", scope=scope, period=period)
    if r.value is None:
        return None, 0, "No first employer contact was recorded in the period."
    detail = (
        f"median {_fmt(r.value)} days from referral to first employer contact, {r.n} people "
        "(any logged employer contact)"
    )
    return r.value, r.n, detail


def _contacts_per_week(m, scope, period):
    r = m.compute("face_to_face_employer_contacts_per_specialist_week", scope=scope, period=period)
    if r.value is None:
        return None, None, "No specialist time in post in the period."
    if not r.numerator:
        return None, 0, "No face-to-face employer contacts were recorded in the period."
    detail = (
        f"{r.numerator} face-to-face employer contacts over {_fmt(r.denominator)} "
        "specialist-weeks in post"
    )
    return r.value, r.numerator, detail


def _rate(metric_key: str, of_what: str, which: str, empty: str):
    """A percentage: "<numerator> of <denominator> <of_what> <which>"."""

    def provider(m, scope, period):
        r = m.compute(metric_key, scope=scope, period=period)
        if r.value is None:
            return None, r.denominator, empty
        detail = f"{r.numerator} of {r.denominator} {of_what} {which}"
        return r.value * 100, r.denominator, detail

    return provider


def _diversity(metric_key: str, kinds: str, how: str):
    def provider(m, scope, period):
        r = m.compute(metric_key, scope=scope, period=period)
        if r.value is None:
            return None, 0, "No job started in the period."
        jobs = "job start" if r.denominator == 1 else "job starts"
        detail = f"{r.numerator} different {kinds} among {r.denominator} {jobs} ({how})"
        return r.value * 100, r.denominator, detail

    return provider


NOT_IN_RECORDS = (
    "Not available from the records: ipsworks does not record how specialists' scheduled time "
    "is split between the community and the office. Score this item from diaries and "
    "interviews at the visit."
)

# measure key (in the scale file) -> (metric key in outcomes.metrics, provider); a provider of
# None with a message: the records cannot give this figure (the message is shown instead).
PROVIDERS = {
    "caseload_per_specialist": ("caseload_per_specialist_fte", _caseload_per_fte),
    "days_to_first_employer_contact": ("median_days_to_employer_contact", _median_days),
    "employer_contacts_per_specialist_week": (
        "face_to_face_employer_contacts_per_specialist_week",
        _contacts_per_week,
    ),
    "competitive_job_share": (
        "competitive_job_share",
        _rate(
            "competitive_job_share",
            "job starts",
            "were competitive",
            "No job started in the period.",
        ),
    ),
    "job_type_diversity": (
        "job_type_diversity",
        _diversity("job_type_diversity", "job titles", "titles compared ignoring case and spacing"),
    ),
    "employer_diversity": (
        "employer_diversity",
        _diversity("employer_diversity", "employers", "names compared ignoring case and spacing"),
    ),
    "in_work_support_within_3_days": (
        "in_work_support_within_3_days",
        _rate(
            "in_work_support_within_3_days",
            "job starts",
            "had an in-work support contact on the start day or within 3 days after it",
            "No job started in the period (or every start was under 3 days ago).",
        ),
    ),
    "employer_contacts_matching_preferences": (
        "employer_contacts_matching_preferences",
        _rate(
            "employer_contacts_matching_preferences",
            "employer contacts with a recorded answer",
            "fitted the person's stated job preferences",
            "No employer contact in the period recorded whether it fitted the person's "
            "preferences.",
        ),
    ),
}

# measure key -> why the records cannot give the figure (shown on the consensus screen)
NOT_AVAILABLE = {"community_time_share": NOT_IN_RECORDS}


def evidence_for_item(item, site, start, end) -> Evidence | None:
    """The figure, its underlying numbers and suggested score for one item, or None when the
    item has no measure. `available` is False when outcomes does not (yet) offer the figure."""
    measure = item.measure
    if not measure:
        return None
    key = measure["key"]
    if key in NOT_AVAILABLE:
        return Evidence(item=item.number, measure=key, available=False, detail=NOT_AVAILABLE[key])
    m = _metrics()
    metric_key, provider = PROVIDERS.get(key, (key, None))
    if m is None or provider is None or metric_key not in m.REGISTRY:
        return Evidence(
            item=item.number,
            measure=key,
            available=False,
            metric=metric_key,
            detail="This figure is not yet available from the records' metrics; score from the "
            "visit.",
        )
    scope = m.MetricScope.for_site(site)
    period = m.Period(start, end)
    figure, count, detail = provider(m, scope, period)
    suggestion = suggest_score(measure, figure, count)
    label = measure["label"]
    display = (
        "" if figure is None else f"{_fmt(figure)}{'' if label.startswith('%') else ' '}{label}"
    )
    return Evidence(
        item=item.number,
        measure=key,
        available=True,
        figure=None if figure is None else float(Decimal(str(figure)).quantize(Decimal("0.01"))),
        count=count,
        display=display,
        detail=detail,
        suggested=suggestion.score,
        reason=suggestion.reason,
        metric=metric_key,
    )


def evidence_for_review(review) -> dict[int, Evidence]:
    out = {}
    for item in review.scale.items.order_by("number"):
        if not item.measure:
            continue
        ev = evidence_for_item(item, review.site, review.period_start, review.period_end)
        if ev is not None:
            out[item.number] = ev
    return out


def default_period(visit_start):
    """The six months before the visit: the usual window of records a review looks at."""
    from ipsworks.core.dates import add_months

    end = visit_start - timedelta(days=1)
    return add_months(visit_start, -6), end
