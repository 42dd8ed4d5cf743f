"""The minimum wage in force on a date, and whether a job counts as competitive.

A job is *competitive* when it is open to anyone (not set aside for disabled people) and pays at
least the minimum hourly rate in force on its start date for the person's age band. Rates come
from :class:`~ipsworks.caseload.models.MinimumWageRate` (shipped with the UK rates; editable by
administrators in the admin site).

When the age band is not recorded we compare with the top (adult) rate in force, the strictest
choice, and say so in the explanation. Usage::

    table = WageTable.load()                     # one query; reuse it for many jobs
    decision = table.decide(start_date=..., age_band="25-34", hourly_pay=Decimal("7.50"),
                            open_to_anyone=True)
    decision.minimum_wage, decision.is_competitive, decision.explanation
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .models import AGE_BAND_MIN_AGE, MinimumWageRate


@dataclass(frozen=True)
class RateInForce:
    hourly_rate: Decimal | None
    label: str
    valid_from: date | None
    explanation: str


@dataclass(frozen=True)
class WageDecision:
    minimum_wage: Decimal | None
    is_competitive: bool
    explanation: str


def _money(value: Decimal) -> str:
    return f"£{value:.2f}"


class WageTable:
    """All the rates of one country, loaded once."""

    def __init__(self, rates: list[MinimumWageRate]):
        self.by_date: dict[date, list[MinimumWageRate]] = {}
        for rate in rates:
            self.by_date.setdefault(rate.valid_from, []).append(rate)
        self.dates = sorted(self.by_date)

    @classmethod
    def load(cls, country: str = "GB") -> WageTable:
        return cls(list(MinimumWageRate.objects.filter(country=country)))

    def rate_in_force(self, on: date, age_band: str = "") -> RateInForce:
        """The hourly rate in force on `on` for `age_band` (top rate when the band is unknown)."""
        current = [d for d in self.dates if d <= on]
        if not current:
            return RateInForce(
                None,
                "",
                None,
                f"No minimum wage rate is recorded for {on:%d/%m/%Y}, so the pay could not be "
                "checked against it.",
            )
        valid_from = current[-1]
        rates = sorted(self.by_date[valid_from], key=lambda r: r.min_age)
        top = rates[-1]
        min_age = AGE_BAND_MIN_AGE.get(age_band or "")
        since = f"in force from {valid_from:%d/%m/%Y}"
        if min_age is None:
            return RateInForce(
                top.hourly_rate,
                top.label,
                valid_from,
                f"The age band is not recorded, so the top rate was used: {top.label or 'adult'}"
                f" {_money(top.hourly_rate)} an hour, {since}.",
            )
        for rate in reversed(rates):
            if rate.min_age <= min_age and (rate.max_age is None or min_age <= rate.max_age):
                return RateInForce(
                    rate.hourly_rate,
                    rate.label,
                    valid_from,
                    f"Rate for age band {age_band}: {rate.label or 'minimum wage'} "
                    f"{_money(rate.hourly_rate)} an hour, {since}.",
                )
        # A band younger than every rate's minimum age: use the lowest rate and say so.
        low = rates[0]
        return RateInForce(
            low.hourly_rate,
            low.label,
            valid_from,
            f"No rate covers age band {age_band}, so the lowest rate was used: {low.label} "
            f"{_money(low.hourly_rate)} an hour, {since}.",
        )

    def decide(
        self, *, start_date: date, age_band: str, hourly_pay: Decimal, open_to_anyone: bool
    ) -> WageDecision:
        rate = self.rate_in_force(start_date, age_band)
        pay = Decimal(hourly_pay)
        if rate.hourly_rate is None:
            return WageDecision(
                None,
                bool(open_to_anyone),
                rate.explanation
                + (
                    " It counts as competitive because it is open to anyone."
                    if open_to_anyone
                    else " It is not competitive: it is not open to anyone."
                ),
            )
        pays_enough = pay >= rate.hourly_rate
        reasons = []
        if not open_to_anyone:
            reasons.append("it is set aside rather than open to anyone")
        if not pays_enough:
            reasons.append(f"it pays {_money(pay)} an hour, below the minimum")
        if reasons:
            verdict = "Not competitive: " + " and ".join(reasons) + "."
        else:
            verdict = "Competitive: open to anyone and paid at least the minimum."
        return WageDecision(rate.hourly_rate, not reasons, f"{verdict} {rate.explanation}")


def rate_in_force(on: date, age_band: str = "", country: str = "GB") -> RateInForce:
    return WageTable.load(country).rate_in_force(on, age_band)


def decide(
    *,
    start_date: date,
    age_band: str,
    hourly_pay: Decimal,
    open_to_anyone: bool,
    table: WageTable | None = None,
) -> WageDecision:
    """Minimum wage and competitiveness for one job (pass `table` when deciding many)."""
    return (table or WageTable.load()).decide(
        start_date=start_date,
        age_band=age_band,
        hourly_pay=hourly_pay,
        open_to_anyone=open_to_anyone,
    )
