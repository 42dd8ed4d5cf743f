"""The layout of a monthly return: its two sheets, their columns, and how headers are matched.

Headers match whatever their case, spacing and punctuation ("Client ID", "client_id" and
"CLIENT-ID" are the same header), and each column accepts a few common synonyms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ipsworks.caseload.models import (
    DischargeReason,
    EmploymentStatus,
    JobEndReason,
    OccupationGroup,
)

CASELOAD = "Caseload"
JOBS = "Jobs"
INSTRUCTIONS = "Instructions"

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: object) -> str:
    """'  Service-user ID ' -> 'serviceuserid' (case, spacing and punctuation ignored)."""
    return _NON_ALNUM.sub("", str(text or "").lower())


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # text, date, count, decimal, choice, specialist
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (code, label)
    max_length: int = 200
    help: str = ""
    names: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self):
        object.__setattr__(
            self, "names", frozenset(normalise(n) for n in (self.label, self.key, *self.synonyms))
        )

    def choice_labels(self) -> list[str]:
        return [label for _code, label in self.choices]


ID_SYNONYMS = (
    "ID",
    "Client ID",
    "Client reference",
    "Service user",
    "Service user reference",
    "SU ID",
    "Person ID",
    "Participant ID",
    "Pseudonymous ID",
    "Reference",
)

SERVICE_USER_ID = Column(
    "service_user_id",
    "Service user ID",
    "text",
    required=True,
    synonyms=ID_SYNONYMS,
    max_length=40,
    help="The site's own pseudonymous ID for the person. Never a name or NHS number.",
)

CASELOAD_COLUMNS: tuple[Column, ...] = (
    SERVICE_USER_ID,
    Column(
        "referral_date",
        "Referral date",
        "date",
        required=True,
        synonyms=("Date referred", "Date of referral", "Referral accepted", "Referral received"),
        help="The day the referral was received and accepted onto the caseload.",
    ),
    Column(
        "referral_source",
        "Referral source",
        "text",
        synonyms=("Referred by", "Source of referral", "Referring team", "Referrer"),
        help="The team or service that made the referral.",
    ),
    Column(
        "specialist",
        "Employment specialist",
        "specialist",
        synonyms=("Specialist", "ES", "IPS worker", "Worker", "Employment specialist username"),
        help="The specialist's ipsworks username (or full name).",
    ),
    Column(
        "profile_started",
        "Date vocational profile started",
        "date",
        synonyms=(
            "Vocational profile started",
            "Profile started",
            "Profile start date",
            "Vocational profile date",
            "Date engaged",
        ),
        help="Usually the first face-to-face meeting; counts the person as engaged.",
    ),
    Column(
        "employment_status",
        "Employment status at referral",
        "choice",
        synonyms=("Employment status", "Status at referral"),
        choices=tuple(EmploymentStatus.choices),
        help="Out of work, or in work needing support to keep the job. Blank means out of work.",
    ),
    Column(
        "discharge_date",
        "Discharge date",
        "date",
        synonyms=("Date discharged", "Discharged", "Date of discharge"),
    ),
    Column(
        "discharge_reason",
        "Discharge reason",
        "choice",
        synonyms=("Reason for discharge", "Reason discharged"),
        choices=tuple(DischargeReason.choices),
    ),
    Column(
        "applications",
        "Applications this month",
        "count",
        synonyms=("Job applications this month", "Applications", "Job applications"),
        help="Job applications made in the return's month.",
    ),
    Column(
        "employer_contacts",
        "Employer contacts this month",
        "count",
        synonyms=("Employer contacts", "Contacts with employers this month"),
        help="Employer contacts the specialist made for the person in the return's month.",
    ),
    Column(
        "employer_interviews",
        "Employer interviews this month",
        "count",
        synonyms=(
            "Interviews this month",
            "Employer interviews",
            "Interviews",
            "Employer meetings this month",
        ),
        help="Interviews or meetings with an employer in the return's month.",
    ),
)

JOB_COLUMNS: tuple[Column, ...] = (
    SERVICE_USER_ID,
    Column(
        "start_date",
        "Job start date",
        "date",
        required=True,
        synonyms=("Start date", "Date started", "Date job started", "Job started"),
    ),
    Column(
        "employer",
        "Employer",
        "text",
        required=True,
        synonyms=("Employer name", "Company", "Organisation"),
    ),
    Column("job_title", "Job title", "text", required=True, synonyms=("Title", "Job", "Role")),
    Column(
        "occupation_group",
        "Occupation group",
        "choice",
        synonyms=("Occupation", "SOC group", "SOC 2020 group", "SOC", "SOC major group"),
        choices=tuple(OccupationGroup.choices),
        help="The SOC 2020 major group (1 to 9).",
    ),
    Column(
        "hours_per_week",
        "Hours per week",
        "decimal",
        required=True,
        synonyms=("Hours", "Weekly hours", "Hours worked per week"),
    ),
    Column(
        "hourly_pay",
        "Hourly pay",
        "decimal",
        required=True,
        synonyms=("Pay per hour", "Hourly rate", "Pay", "Wage", "Hourly wage", "Pay (£ per hour)"),
        help="In pounds per hour, before tax.",
    ),
    Column(
        "end_date",
        "Job end date",
        "date",
        synonyms=("End date", "Date ended", "Date left", "Job ended"),
    ),
    Column(
        "end_reason",
        "End reason",
        "choice",
        synonyms=("Job end reason", "Reason job ended", "Reason for leaving", "Reason left"),
        choices=tuple(JobEndReason.choices),
    ),
)

SHEETS: dict[str, tuple[Column, ...]] = {CASELOAD: CASELOAD_COLUMNS, JOBS: JOB_COLUMNS}
SHEET_SYNONYMS = {
    CASELOAD: {"caseload", "episodes", "referrals", "serviceusers", "clients", "caseloadcsv"},
    JOBS: {"jobs", "jobstarts", "employment", "jobscsv"},
}


def sheet_for_name(name: str) -> str | None:
    key = normalise(name)
    for sheet, names in SHEET_SYNONYMS.items():
        if key in names:
            return sheet
    return None


_HINT = re.compile(r"\([^)]*\)|\[[^\]]*\]")


# What a bracket after a header may say and still be only a hint on how to fill the column
# (normalised). Anything else ("Applications (year to date)") may change what the column
# holds, so such a header is not matched.
FORMAT_HINTS = frozenset(
    [
        "ddmmyyyy", "ddmmyy", "dmyyyy", "dmyy", "yyyymmdd", "date", "text", "number", "count",
        "optional", "required", "ifany", "ifknown", "ifended", "ifdischarged",
        "perhour", "perweek", "hours", "hrs", "hoursperweek", "gbp", "gbpperhour", "pounds",
        "poundsperhour", "",
    ]
)  # fmt: skip


def header_keys(header: object) -> tuple[str, ...]:
    """The normalised forms a header may match under: as written, then without a formatting
    hint in brackets ("Referral date (dd/mm/yyyy)" is "Referral date"; "Hourly pay (£)" is
    "Hourly pay"; but "Applications (year to date)" is not "Applications")."""
    text = str(header or "")
    key = normalise(text)
    hints = _HINT.findall(text)
    if not hints or any(normalise(h) not in FORMAT_HINTS for h in hints):
        return (key,)
    bare = normalise(_HINT.sub("", text))
    return (key, bare) if bare and bare != key else (key,)


def _column_for(header: object, by_name: dict[str, Column]) -> Column | None:
    for key in header_keys(header):
        if key in by_name:
            return by_name[key]
    return None


_ANY_COLUMN = {
    name: c for columns in (CASELOAD_COLUMNS, JOB_COLUMNS) for c in columns for name in c.names
}


def known_headers(cells: list[object]) -> int:
    """How many cells of a row are headers of the return (of either sheet): used to find the
    header row below any title rows."""
    return sum(1 for cell in cells if _column_for(cell, _ANY_COLUMN) is not None)


def sheet_for_headers(headers: list[object]) -> str | None:
    """Which sheet a header row belongs to (used for CSV files, which have no sheet names):
    a 'Job start date' column means Jobs; a 'Referral date' column means Caseload."""
    keys = {key for h in headers for key in header_keys(h)}
    if keys & JOB_COLUMNS[1].names:
        return JOBS
    if keys & CASELOAD_COLUMNS[1].names:
        return CASELOAD
    return None


class HeaderMatch(NamedTuple):
    positions: dict[int, Column]  # header position -> column
    missing: list[str]  # labels of required columns not found
    unknown: list[str]  # headers that are not columns of the sheet
    repeated: dict[str, list[str]]  # column label -> the headers naming it, when 2 or more


def match_headers(sheet: str, headers: list[object]) -> HeaderMatch:
    """Map header positions to columns. A column named by two headers is reported in
    ``repeated`` (the importer refuses the sheet: it cannot tell which one is meant)."""
    columns = SHEETS[sheet]
    by_name = {name: column for column in columns for name in column.names}
    positions: dict[int, Column] = {}
    named: dict[str, list[str]] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        if not normalise(header):
            continue
        column = _column_for(header, by_name)
        if column is None:
            unknown.append(str(header).strip())
            continue
        named.setdefault(column.label, []).append(str(header).strip())
        if len(named[column.label]) == 1:
            positions[index] = column
    seen = {c.key for c in positions.values()}
    missing = [c.label for c in columns if c.required and c.key not in seen]
    repeated = {label: texts for label, texts in named.items() if len(texts) > 1}
    return HeaderMatch(positions, missing, unknown, repeated)
