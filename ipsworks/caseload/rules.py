"""Validation rules for caseload records, as pure functions (no database access).

Each function takes plain values and returns :data:`Errors`: a dict mapping a field name to a
list of plain-English messages (empty dict = valid). The same functions are used by the caseload
services (which raise ``django.core.exceptions.ValidationError(errors)``) and by the monthly
returns import (which reports them per row). Field names are the model field names:

- service user: ``reference``
- episode: ``referral_date``, ``profile_started``, ``discharge_date``, ``discharge_reason``
- activity: ``date``
- job: ``start_date``, ``end_date``, ``end_reason``, ``hours_per_week``, ``hourly_pay``,
  ``employer``, ``job_title``

Rules (issue 3): referral <= profile start <= job start; job end >= job start; no future dates;
no job (or activity) before the referral, nor after the discharge; hours 0-80; pay >= 0;
duplicate service-user IDs within a site refused; a person has at most one open episode, and
discharging closes it (a discharge needs a date and a reason, on or after the last recorded
start).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

Errors = dict[str, list[str]]

MAX_HOURS = Decimal("80")
REFERENCE_MAX_LENGTH = 40
_REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_DIGIT_RE = re.compile(r"[0-9]")


def day(value: date | None) -> str:
    """A date as people write it in the UK: 5 March 2016."""
    return f"{value.day} {value:%B %Y}" if value else ""


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def merge(*many: Errors) -> Errors:
    out: Errors = {}
    for errors in many:
        for field, messages in errors.items():
            for message in messages:
                if message not in out.get(field, []):
                    _add(out, field, message)
    return out


def check_not_future(values: dict[str, date | None], *, today: date, labels: dict) -> Errors:
    """No date may be after today."""
    errors: Errors = {}
    for field, value in values.items():
        if value is not None and value > today:
            label = labels.get(field, field.replace("_", " "))
            _add(
                errors,
                field,
                f"The {label} ({day(value)}) is in the future: enter a date on or before today.",
            )
    return errors


def check_reference(reference: str) -> Errors:
    """The site's own pseudonymous ID: letters, digits and . _ / - only; never a name."""
    errors: Errors = {}
    text = (reference or "").strip()
    if not text:
        _add(errors, "reference", "Enter the service user ID.")
    elif len(text) > REFERENCE_MAX_LENGTH:
        _add(
            errors,
            "reference",
            f"The service user ID must be {REFERENCE_MAX_LENGTH} characters or fewer.",
        )
    elif not _REFERENCE_RE.match(text):
        _add(
            errors,
            "reference",
            "The service user ID may contain only letters, numbers, dots, dashes, slashes and "
            "underscores (no spaces). Use the site's pseudonymous ID, never a name.",
        )
    elif not _DIGIT_RE.search(text):
        _add(
            errors,
            "reference",
            "The service user ID must contain at least one number: use the site's pseudonymous "
            "ID, never a name.",
        )
    return errors


def check_unique_reference(reference: str, *, existing: Iterable[str]) -> Errors:
    """Refuse an ID already used at the site (compared without case or surrounding spaces)."""
    wanted = (reference or "").strip().casefold()
    if wanted and wanted in {e.strip().casefold() for e in existing}:
        return {
            "reference": [
                f"The service user ID {reference.strip()} is already used at this site. "
                "If this is the same person coming back, record a new referral on their page."
            ]
        }
    return {}


def duplicate_references(references: Iterable[str]) -> set[str]:
    """IDs that occur more than once in one batch (e.g. one monthly return), case-insensitive."""
    counts = Counter((r or "").strip().casefold() for r in references if (r or "").strip())
    return {r for r, n in counts.items() if n > 1}


EPISODE_LABELS = {
    "referral_date": "referral date",
    "profile_started": "vocational profile start date",
    "discharge_date": "discharge date",
}


def check_episode(
    *,
    referral_date: date | None,
    profile_started: date | None = None,
    discharge_date: date | None = None,
    discharge_reason: str = "",
    today: date,
    first_job_start: date | None = None,
    first_activity: date | None = None,
    last_record: date | None = None,
) -> Errors:
    """An episode's own dates, and their order against the jobs and activities recorded in it.

    ``first_job_start``/``first_activity``: the earliest job start and activity already
    recorded in the episode; ``last_record``: the latest dated record (for the discharge).
    """
    errors: Errors = {}
    if referral_date is None:
        _add(errors, "referral_date", "Enter the referral date.")
    errors = merge(
        errors,
        check_not_future(
            {
                "referral_date": referral_date,
                "profile_started": profile_started,
                "discharge_date": discharge_date,
            },
            today=today,
            labels=EPISODE_LABELS,
        ),
    )
    if referral_date and profile_started and profile_started < referral_date:
        _add(
            errors,
            "profile_started",
            f"The vocational profile start ({day(profile_started)}) is before the referral "
            f"date ({day(referral_date)}): it must be on or after it.",
        )
    if referral_date and first_job_start and first_job_start < referral_date:
        _add(
            errors,
            "referral_date",
            f"A job in this referral starts on {day(first_job_start)}, before this referral "
            f"date ({day(referral_date)}).",
        )
    if profile_started and first_job_start and first_job_start < profile_started:
        _add(
            errors,
            "profile_started",
            f"A job in this referral starts on {day(first_job_start)}, before the vocational "
            f"profile start ({day(profile_started)}).",
        )
    if referral_date and first_activity and first_activity < referral_date:
        _add(
            errors,
            "referral_date",
            f"An activity in this referral is dated {day(first_activity)}, before this referral "
            f"date ({day(referral_date)}).",
        )
    if discharge_date or discharge_reason:
        errors = merge(
            errors,
            check_discharge(
                referral_date=referral_date,
                profile_started=profile_started,
                discharge_date=discharge_date,
                discharge_reason=discharge_reason,
                today=today,
                last_record=last_record,
            ),
        )
    return errors


def check_discharge(
    *,
    referral_date: date | None,
    profile_started: date | None = None,
    discharge_date: date | None,
    discharge_reason: str,
    today: date,
    last_record: date | None = None,
    already_discharged: date | None = None,
) -> Errors:
    """Discharging closes the open episode: a date (not before the referral, the profile start
    or anything recorded) and a reason are both needed, and a closed episode stays closed."""
    errors: Errors = {}
    if already_discharged:
        _add(
            errors,
            "discharge_date",
            f"This referral was already closed on {day(already_discharged)}.",
        )
        return errors
    if discharge_date is None:
        _add(errors, "discharge_date", "Enter the discharge date.")
    if not discharge_reason:
        _add(errors, "discharge_reason", "Choose the reason for the discharge.")
    if discharge_date is None:
        return errors
    errors = merge(
        errors,
        check_not_future({"discharge_date": discharge_date}, today=today, labels=EPISODE_LABELS),
    )
    if referral_date and discharge_date < referral_date:
        _add(
            errors,
            "discharge_date",
            f"The discharge date ({day(discharge_date)}) is before the referral date "
            f"({day(referral_date)}).",
        )
    elif profile_started and discharge_date < profile_started:
        _add(
            errors,
            "discharge_date",
            f"The discharge date ({day(discharge_date)}) is before the vocational profile start "
            f"({day(profile_started)}).",
        )
    elif last_record and discharge_date < last_record:
        _add(
            errors,
            "discharge_date",
            f"Something is recorded for this referral on {day(last_record)}, after the "
            f"discharge date ({day(discharge_date)}).",
        )
    return errors


def check_new_episode(*, open_episode_referral: date | None) -> Errors:
    """A person may have only one open referral at a time."""
    if open_episode_referral:
        return {
            "referral_date": [
                f"This person already has an open referral (referred {day(open_episode_referral)})"
                ". Discharge it before recording a new one."
            ]
        }
    return {}


def _within_episode(
    errors: Errors,
    field: str,
    what: str,
    value: date | None,
    *,
    referral_date: date | None,
    discharge_date: date | None,
) -> None:
    if value is None:
        return
    if referral_date and value < referral_date:
        _add(
            errors,
            field,
            f"The {what} ({day(value)}) is before the referral date ({day(referral_date)}).",
        )
    if discharge_date and value > discharge_date:
        _add(
            errors,
            field,
            f"The {what} ({day(value)}) is after the person was discharged "
            f"({day(discharge_date)}).",
        )


def check_activity(
    *,
    date_: date | None,
    referral_date: date | None,
    discharge_date: date | None = None,
    today: date,
) -> Errors:
    """An activity is dated, not in the future, and within its referral episode."""
    errors: Errors = {}
    if date_ is None:
        _add(errors, "date", "Enter the date.")
        return errors
    errors = check_not_future({"date": date_}, today=today, labels={"date": "date"})
    _within_episode(
        errors,
        "date",
        "date",
        date_,
        referral_date=referral_date,
        discharge_date=discharge_date,
    )
    return errors


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().lstrip("£"))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def check_hours(value) -> Errors:
    hours = _decimal(value)
    if value is None or value == "":
        return {"hours_per_week": ["Enter the hours worked per week."]}
    if hours is None:
        return {"hours_per_week": [f"The hours per week ({value}) must be a number, like 16."]}
    if hours < 0 or hours > MAX_HOURS:
        return {
            "hours_per_week": [
                f"The hours per week ({value}) must be between 0 and {MAX_HOURS:.0f}."
            ]
        }
    return {}


MAX_HOURLY_PAY = Decimal("1000")  # pounds: above this it is a weekly or yearly figure


def check_pay(value) -> Errors:
    pay = _decimal(value)
    if value is None or value == "":
        return {"hourly_pay": ["Enter the hourly pay in pounds, like 7.50."]}
    if pay is None:
        return {"hourly_pay": [f"The hourly pay ({value}) must be an amount, like 7.50."]}
    if pay < 0:
        return {"hourly_pay": [f"The hourly pay ({value}) cannot be negative."]}
    if pay >= MAX_HOURLY_PAY:
        return {
            "hourly_pay": [
                f"The hourly pay ({value}) is too large for an hourly rate: give the pay for "
                "one hour, not a week's or a year's."
            ]
        }
    return {}


JOB_LABELS = {"start_date": "job start date", "end_date": "job end date"}


def check_job(
    *,
    start_date: date | None,
    end_date: date | None = None,
    end_reason: str = "",
    hours_per_week=None,
    hourly_pay=None,
    employer: str = "x",
    job_title: str = "x",
    referral_date: date | None,
    profile_started: date | None = None,
    discharge_date: date | None = None,
    today: date,
) -> Errors:
    """A job: dated within its referral, after the profile start, ending on or after it starts,
    with hours from 0 to 80 and pay of at least zero."""
    errors: Errors = {}
    if start_date is None:
        _add(errors, "start_date", "Enter the date the job started.")
    if not (employer or "").strip():
        _add(errors, "employer", "Enter the employer.")
    if not (job_title or "").strip():
        _add(errors, "job_title", "Enter the job title.")
    errors = merge(
        errors,
        check_not_future(
            {"start_date": start_date, "end_date": end_date}, today=today, labels=JOB_LABELS
        ),
        check_hours(hours_per_week),
        check_pay(hourly_pay),
    )
    if start_date:
        if referral_date and start_date < referral_date:
            _add(
                errors,
                "start_date",
                f"The job start date ({day(start_date)}) is before the referral date "
                f"({day(referral_date)}): a job must start after the person was referred.",
            )
        elif profile_started and start_date < profile_started:
            _add(
                errors,
                "start_date",
                f"The job start date ({day(start_date)}) is before the vocational profile "
                f"started ({day(profile_started)}).",
            )
        if discharge_date and start_date > discharge_date:
            _add(
                errors,
                "start_date",
                f"The job start date ({day(start_date)}) is after the person was discharged "
                f"({day(discharge_date)}).",
            )
    if end_date and start_date and end_date < start_date:
        _add(
            errors,
            "end_date",
            f"The job end date ({day(end_date)}) is before its start date ({day(start_date)}).",
        )
    if end_reason and not end_date:
        _add(errors, "end_date", "Enter the date the job ended, or leave the reason empty.")
    return errors


def check_job_end(
    *, start_date: date, end_date: date | None, end_reason: str, today: date
) -> Errors:
    """Recording the end of a job: a date on or after the start, not in the future, a reason."""
    errors: Errors = {}
    if end_date is None:
        _add(errors, "end_date", "Enter the date the job ended.")
    if not end_reason:
        _add(errors, "end_reason", "Choose why the job ended.")
    if end_date is not None:
        errors = merge(
            errors,
            check_not_future({"end_date": end_date}, today=today, labels=JOB_LABELS),
        )
        if end_date < start_date:
            _add(
                errors,
                "end_date",
                f"The job end date ({day(end_date)}) is before its start date ({day(start_date)}).",
            )
    return errors
