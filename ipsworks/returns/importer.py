"""Checking and applying a monthly return file, row by row, streaming.

`check_file(...)` reads the file once and reports, without writing anything: counts of new,
changed and unchanged records per sheet, the changes row by row, errors and warnings.
Applying (``process(..., applier=...)``) reads it again, re-runs every check against the
records and hands each change to the applier (services.BulkCaseloadApplier: the caseload bulk
writer; services.CaseloadApplier: the per-record services) inside the caller's transaction; it
raises :class:`ReturnHasErrors` (so the transaction rolls back and nothing is applied) if any
error turns up.

Matching rows with records:
- a Caseload row is one referral episode, keyed by (service user ID, referral date);
- a Jobs row is one job, keyed by (service user ID, job start date) – when one person has two
  jobs starting the same day, the rows are matched in file order with the jobs in the order
  they were recorded;
- the "... this month" columns are the number of activities of that kind (application, employer
  contact, employer interview) recorded for the episode and dated in the return's month. A
  larger number adds the missing activities, dated the last day of the month (or the discharge
  date or today when earlier); a smaller number than recorded is only warned about (ipsworks
  never deletes a specialist's records from a file); a blank cell leaves the count as recorded.
- A blank cell in any other column clears the value; a column missing from the file leaves that
  value alone. Records missing from the file are never removed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import batched
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Lower
from django.utils import timezone

from ipsworks.caseload import rules
from ipsworks.caseload.models import (
    Activity,
    ActivityKind,
    EmploymentStatus,
    Episode,
    Job,
    ServiceUser,
)
from ipsworks.caseload.wages import WageTable

from .cells import CellError, is_blank, parser_for, shown
from .columns import CASELOAD, CASELOAD_COLUMNS, JOB_COLUMNS, JOBS, match_headers
from .filestate import EpisodeState, FileState
from .models import month_last_day
from .readers import ReturnFileError, open_return

MAX_LISTED = 1000  # errors, warnings and changes kept for the preview (all are counted)
PROGRESS_EVERY = 250
CHUNK_ROWS = 1000  # rows read, matched with the records and written together

COUNT_KINDS = {
    "applications": ActivityKind.APPLICATION,
    "employer_contacts": ActivityKind.EMPLOYER_CONTACT,
    "employer_interviews": ActivityKind.EMPLOYER_INTERVIEW,
}
_COUNTED = frozenset(COUNT_KINDS.values())
EPISODE_FIELDS = [
    "referral_source",
    "specialist",
    "profile_started",
    "employment_status",
    "discharge_date",
    "discharge_reason",
]
JOB_FIELDS = [
    "employer",
    "job_title",
    "occupation_group",
    "hours_per_week",
    "hourly_pay",
    "end_date",
    "end_reason",
]
CASELOAD_LABELS = {c.key: c.label for c in CASELOAD_COLUMNS}
JOB_LABELS = {c.key: c.label for c in JOB_COLUMNS}
_BLANK_AS_EMPTY = frozenset({"referral_source", "discharge_reason"})
_EPISODE_DEFAULTS = {
    "employment_status": EmploymentStatus.OUT_OF_WORK,
    "referral_source": "",
    "discharge_reason": "",
}
RULE_FIELD_TO_COLUMN = {
    "reference": "service_user_id",
    "referral_date": "referral_date",
    "profile_started": "profile_started",
    "discharge_date": "discharge_date",
    "discharge_reason": "discharge_reason",
    "start_date": "start_date",
    "end_date": "end_date",
    "end_reason": "end_reason",
    "hours_per_week": "hours_per_week",
    "hourly_pay": "hourly_pay",
    "employer": "employer",
    "job_title": "job_title",
}


def specialists_in_post_on(month: date, today: date) -> date:
    """The day on which a return's specialists must have been in post: the month's last day,
    or today while the month is still running."""
    return min(month_last_day(month), today)


class ReturnHasErrors(Exception):
    def __init__(self, report: Report):
        super().__init__(f"{report.error_count} error(s)")
        self.report = report


@dataclass
class Report:
    rows: int = 0
    counts: dict = field(
        default_factory=lambda: {
            s: {"new": 0, "changed": 0, "unchanged": 0} for s in (CASELOAD, JOBS)
        }
    )
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    changes: list[dict] = field(default_factory=list)
    change_count: int = 0
    fingerprint: str = ""  # the site's records when checked (caseload.records_fingerprint)
    records_changed: bool = False  # an apply refused because the records changed since the check

    def error(self, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(text)

    def warn(self, text: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(text)

    def change(self, sheet: str, row: int, record: str, kind: str, fields: list) -> None:
        self.counts[sheet][kind] += 1
        if kind == "unchanged":
            return
        self.change_count += 1
        if len(self.changes) < MAX_LISTED:
            self.changes.append(
                {"sheet": sheet, "row": row, "record": record, "kind": kind, "fields": fields}
            )

    @property
    def listing(self) -> bool:
        """Whether changes are still being listed (the first MAX_LISTED are)."""
        return len(self.changes) < MAX_LISTED

    @property
    def total_changes(self) -> int:
        return sum(self.counts[s]["new"] + self.counts[s]["changed"] for s in self.counts)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "counts": self.counts,
            "errors": self.errors,
            "error_count": self.error_count,
            "warnings": self.warnings,
            "warning_count": self.warning_count,
            "changes": self.changes,
            "change_count": self.change_count,
            "fingerprint": self.fingerprint,
        }

    def lines(self) -> list[str]:
        """Plain-text lines for the command line."""
        out = [f"Error: {e}" for e in self.errors]
        if self.error_count > len(self.errors):
            out.append(f"... and {self.error_count - len(self.errors)} more errors")
        out += [f"Warning: {w}" for w in self.warnings]
        for sheet, c in self.counts.items():
            out.append(
                f"{sheet}: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged"
            )
        return out


def message(sheet: str, row: int | None, column: str | None, text: str) -> str:
    where = sheet if row is None else f"{sheet}, row {row}"
    if column:
        where += f', "{column}"'
    return f"{where}: {text}"


def _display(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


class Context:
    """What the checks need to know about the site's records.

    Site-wide facts (its specialists, the wage table) are loaded once. The records of the
    people a file names are loaded a chunk of rows at a time (:meth:`load`), with what the file
    said of them in earlier chunks (:class:`~.filestate.FileState`), so memory stays flat
    whatever the size of the file or of the site.

    It reads the site's records without ``scoped_cases``: it is reached only through
    ``returns.services.run_return``, which first requires ``can_manage_returns`` (a role whose
    scope is the whole site), and matching a file against the site needs every record."""

    def __init__(self, site, month: date, today: date, state: FileState):
        self.site = site
        self.month = month
        self.month_end = month_last_day(month)
        self.today = today
        self.state = state
        self.specialists: dict[str, int] = {}
        self.specialist_names: dict[int, str] = {}
        self.former_specialists: set[str] = set()
        from ipsworks.accounts.models import Membership

        # A return speaks of its month: a specialist counts as in post if they were on the
        # month's last day (or today, while the month is still running), so a late return may
        # name someone who has left since.
        in_post_on = specialists_in_post_on(month, today)
        for m in Membership.objects.filter(site=site).select_related("user"):
            ended = (m.end_date is not None and m.end_date < in_post_on) or (
                m.start_date is not None and m.start_date > in_post_on
            )
            if m.role != "specialist" or ended:
                # Named in what the records already hold, but never matched for new rows: a
                # specialist who has left (or not yet started) cannot be given referrals.
                self.specialist_names.setdefault(m.user_id, m.user.username)
                if m.role == "specialist":
                    for name in (m.user.username, m.user.get_full_name()):
                        key = " ".join(name.split()).casefold()
                        if key:
                            self.former_specialists.add(key)
                continue
            user = m.user
            self.specialist_names[user.id] = user.username
            for name in (user.username, user.get_full_name()):
                key = " ".join(name.split()).casefold()
                if key:
                    self.specialists.setdefault(key, user.id)
        self.wages = WageTable.load()
        self.load(set())

    def load(self, keys: set[str]) -> None:
        """The records (and earlier rows) of the people with these IDs (casefolded), in place
        of the previous chunk's. Four queries, each through an index."""
        site = self.site
        self.users: dict[str, dict] = {}
        self.episodes: dict[tuple[int, date], dict] = {}
        self.person_episodes: dict[int, list[EpisodeState]] = defaultdict(list)
        self.first_job: dict[int, date] = {}
        self.last_record: dict[int, date] = {}
        self.first_activity: dict[int, date] = {}
        self.counts: dict[tuple[int, str], int] = {}
        self.jobs: dict[tuple[int, date], list[dict]] = defaultdict(list)
        # What the file said of these people in earlier chunks, and what this chunk adds.
        self.file_people: dict[str, list] = self.state.people(keys) if keys else {}
        self.file_job_seen: dict[tuple[str, date], int] = self.state.jobs_seen(keys) if keys else {}
        self.new_people: dict[str, tuple[str, int]] = {}
        self.new_states: list[tuple[str, EpisodeState]] = []
        self.jobs_seen_changed: set[tuple[str, date]] = set()
        self.several: set[str] = set()
        if not keys:
            return
        people = (
            ServiceUser.objects.filter(site=site)
            .annotate(key=Lower("reference"))
            .filter(key__in=keys)
            .order_by()  # (no ordering, so the index on LOWER(reference) is used)
        )
        for su in people.values("id", "reference", "age_band"):
            self.users[su["reference"].strip().casefold()] = su
        if not self.users:
            return
        # By the people's and episodes' own ids (their indexes), not by site: the site's other
        # records are never read.
        ids = [su["id"] for su in self.users.values()]
        for ep in (
            Episode.objects.filter(service_user_id__in=ids)
            .order_by()
            .values(
                "id",
                "service_user_id",
                "referral_date",
                "referral_source",
                "specialist_id",
                "employment_status",
                "profile_started",
                "discharge_date",
                "discharge_reason",
            )
        ):
            self.episodes[(ep["service_user_id"], ep["referral_date"])] = ep
            self.person_episodes[ep["service_user_id"]].append(
                EpisodeState(
                    ep["id"], ep["referral_date"], ep["profile_started"], ep["discharge_date"]
                )
            )
        if not self.episodes:
            return
        # The same bounds the caseload services use: first job start, first activity, and the
        # latest job start or activity (a job may end after the discharge).
        first_job, last_record = self.first_job, self.last_record
        episode_ids = [ep["id"] for ep in self.episodes.values()]
        for job in (
            Job.objects.filter(episode_id__in=episode_ids)
            .order_by("id")
            .values(
                "id",
                "episode_id",
                "episode__service_user_id",
                "start_date",
                *list(JOB_FIELDS),
                "open_to_anyone",
            )
        ):
            self.jobs[(job["episode__service_user_id"], job["start_date"])].append(job)
            episode, start = job["episode_id"], job["start_date"]
            if episode not in first_job or start < first_job[episode]:
                first_job[episode] = start
            if episode not in last_record or start > last_record[episode]:
                last_record[episode] = start
        in_month = Q(date__gte=self.month, date__lte=self.month_end)
        for row in (
            Activity.objects.filter(episode_id__in=episode_ids)
            .order_by()
            .values("episode_id", "kind")
            .annotate(first=Min("date"), last=Max("date"), n=Count("id", filter=in_month))
        ):
            episode = row["episode_id"]
            if episode not in self.first_activity or row["first"] < self.first_activity[episode]:
                self.first_activity[episode] = row["first"]
            if episode not in last_record or row["last"] > last_record[episode]:
                last_record[episode] = row["last"]
            if row["n"] and row["kind"] in _COUNTED:
                self.counts[(episode, row["kind"])] = row["n"]

    def referrals(self, key_cf: str, person: dict | None) -> dict[date, EpisodeState]:
        """A person's referrals by referral date: recorded ones, then the file's over them."""
        states: dict[date, EpisodeState] = {}
        if person:
            states = {s.referral_date: s for s in self.person_episodes.get(person["id"], ())}
        for state in self.file_people.get(key_cf, [None])[1:]:
            states[state.referral_date] = state
        return states

    def remember(self, key_cf: str, reference: str, state: EpisodeState, person_id) -> None:
        """A Caseload row's referral, for later rows, the Jobs sheet and (when the person now
        has more than one referral) the one-open-referral check."""
        earlier = self.file_people.get(key_cf)
        if earlier is None:
            earlier = self.file_people[key_cf] = [reference, state]
            self.new_people[key_cf] = (reference, state.row)
        else:
            earlier.append(state)
        self.new_states.append((key_cf, state))
        referrals = {s.referral_date for s in earlier[1:]}
        referrals.update(s.referral_date for s in self.person_episodes.get(person_id, ()))
        if len(referrals) > 1:
            self.several.add(key_cf)

    def job_seen(self, key_cf: str, start: date) -> int:
        """How many Jobs rows for this person and start date came before this one."""
        n = self.file_job_seen.get((key_cf, start), 0)
        self.file_job_seen[(key_cf, start)] = n + 1
        self.jobs_seen_changed.add((key_cf, start))
        return n

    def save(self) -> None:
        """Keep what this chunk added to the file's state (call after its writes are flushed,
        so new referrals have their ids)."""
        self.state.add(
            self.new_people,
            self.new_states,
            {k: self.file_job_seen[k] for k in self.jobs_seen_changed},
            self.several,
        )


@dataclass
class ParsedRow:
    number: int
    values: dict  # column key -> parsed value (None for blank)
    present: set  # column keys that are in the file
    headers: dict  # column key -> header text as written
    ok: bool = True
    failed: frozenset = frozenset()  # column keys whose cells could not be read (reported)


class _SheetReader:
    """Reads the rows of one sheet against its header row. ``ok`` is False when a required
    column is missing (reported; the sheet's rows are then not read)."""

    def __init__(self, sheet_rows, report: Report, sheet_label: str):
        self.report = report
        self.label = sheet_label
        positions, missing, unknown, repeated = match_headers(sheet_rows.sheet, sheet_rows.headers)
        for label, texts in repeated.items():
            named = " and ".join(f'"{t}"' for t in texts)
            report.error(
                message(
                    sheet_label,
                    sheet_rows.header_row,
                    None,
                    f"{named} are all read as the {label} column, so ipsworks cannot tell which "
                    "one to use. Keep one of them and delete or rename the others.",
                )
            )
        for header in unknown:
            report.warn(
                message(
                    sheet_label,
                    None,
                    header,
                    "this column is not part of the return, so it was ignored.",
                )
            )
        for label in missing:
            report.error(
                message(
                    sheet_label,
                    sheet_rows.header_row,
                    label,
                    "this column is missing from the header row.",
                )
            )
        self.ok = not missing and not repeated
        self.present = {c.key for c in positions.values()}
        self.headers = {c.key: str(sheet_rows.headers[i]).strip() for i, c in positions.items()}
        self.plan = [(index, column.key, parser_for(column)) for index, column in positions.items()]
        self.id_at = next((i for i, c in positions.items() if c.key == "service_user_id"), None)
        self.id_parse = parser_for(positions[self.id_at]) if self.id_at is not None else None

    def key(self, cells: list) -> str | None:
        """The row's service user ID, casefolded (None when blank, unreadable or not a valid
        ID: only valid IDs are looked up)."""
        if self.id_at is None or self.id_at >= len(cells):
            return None
        try:
            reference = self.id_parse(cells[self.id_at])
        except Exception:  # noqa: BLE001 - reported when the row itself is read
            return None
        if not reference or rules.check_reference(reference):
            return None  # blank or not an ID (reported when the row is read): nothing to match
        return reference.strip().casefold()

    def parse(self, number: int, cells: list) -> ParsedRow | None:
        """The row's values, each unreadable cell reported; None for a blank row."""
        report, label, headers = self.report, self.label, self.headers
        width = len(cells)
        values: dict = {}
        failed: set = set()
        for index, key, parse in self.plan:
            raw = cells[index] if index < width else None
            try:
                values[key] = parse(raw)
            except CellError as exc:
                values[key] = None
                failed.add(key)
                report.error(message(label, number, headers[key], str(exc)))
            except Exception:  # noqa: BLE001 - a cell must never break the import
                values[key] = None
                failed.add(key)
                report.error(
                    message(label, number, headers[key], f"{shown(raw)} could not be read")
                )
        ok = not failed
        if ok and all(v is None for v in values.values()) and all(is_blank(c) for c in cells):
            return None  # a blank row (a readable blank cell gives None)
        report.rows += 1
        return ParsedRow(number, values, self.present, headers, ok, frozenset(failed))


def _rule_errors(report: Report, sheet_label: str, row: ParsedRow, errors: dict, columns) -> bool:
    if not errors:
        return False
    labels = {c.key: c.label for c in columns}
    for field_name, texts in errors.items():
        key = RULE_FIELD_TO_COLUMN.get(field_name, field_name)
        header = row.headers.get(key) or labels.get(key, field_name.replace("_", " "))
        for text in texts:
            report.error(message(sheet_label, row.number, header, text))
    return True


def _applying(applier, report: Report) -> bool:
    """Write only while the file is still clean: after the first error the rest is checked
    but not written (the whole file will be rolled back anyway)."""
    return applier is not None and report.error_count == 0


def _write(report: Report, sheet: str, row: ParsedRow, columns, write) -> None:
    """Run a write; the caseload services' own refusals become row-level errors."""
    try:
        write()
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", None) or {"": exc.messages}
        labels = {c.key: c.label for c in columns}
        for field_name, texts in errors.items():
            key = RULE_FIELD_TO_COLUMN.get(field_name, field_name)
            header = row.headers.get(key) or labels.get(key) or None
            for text in texts:
                report.error(message(sheet, row.number, header, text))
    except PermissionDenied as exc:
        report.error(message(sheet, row.number, None, f"not allowed: {exc}"))


class Applier:
    """Interface for writing changes (see services.CaseloadApplier). None = check only."""

    def new_episode(self, person_id: int | None, reference: str, values: dict) -> tuple: ...
    def update_episode(self, episode_id: int, changes: dict) -> None: ...
    def add_activities(self, episode_id: int, kind: str, day: date, number: int) -> None: ...
    def new_job(self, episode_id: int, values: dict) -> int: ...
    def update_job(self, job_id: int, changes: dict) -> None: ...
    def flush(self) -> None:
        """Write what is queued (called after each chunk of rows)."""


def process(
    *,
    site,
    month: date,
    files: list[tuple[str, Path]],
    applier: Applier | None = None,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> Report:
    """Check (applier=None) or apply the return `files` for `site` and `month`."""
    report = Report()
    today = today or timezone.localdate()
    try:
        with open_return(files) as (sheets, warnings), FileState() as state:
            for text in warnings:
                report.warn(text)
            ctx = Context(site, month, today, state)
            total = sum(s.total for s in sheets)
            done = 0
            order = {CASELOAD: 0, JOBS: 1}
            for sheet_rows in sorted(sheets, key=lambda s: order[s.sheet]):
                handler = _caseload_row if sheet_rows.sheet == CASELOAD else _job_row
                reader = _SheetReader(sheet_rows, report, sheet_rows.source)
                if not reader.ok:
                    continue
                for chunk in batched(sheet_rows.rows, CHUNK_ROWS):
                    ctx.load({k for number, cells in chunk if (k := reader.key(cells))})
                    for number, cells in chunk:
                        row = reader.parse(number, cells)
                        if row is None:
                            continue
                        handler(ctx, report, sheet_rows.source, row, applier)
                        done += 1
                        if progress and done % PROGRESS_EVERY == 0:
                            progress(done, total)
                    if _applying(applier, report):
                        applier.flush()  # new referrals get their ids; later chunks see them
                    ctx.save()
            if sheets and CASELOAD in {s.sheet for s in sheets}:
                _check_open_episodes(ctx, report)
    except ReturnFileError as exc:
        report.error(str(exc))
    if applier is not None and report.error_count:
        raise ReturnHasErrors(report)
    return report


# --- Caseload rows ---------------------------------------------------------------------------


def _caseload_row(ctx: Context, report: Report, sheet: str, row: ParsedRow, applier) -> None:
    v = row.values
    reference = v.get("service_user_id") or ""
    ok = row.ok
    if "service_user_id" in row.failed:
        return  # the ID cell could not be read (reported): nothing to match the row to
    if _rule_errors(report, sheet, row, rules.check_reference(reference), CASELOAD_COLUMNS):
        return
    key_cf = reference.strip().casefold()
    person = ctx.users.get(key_cf)
    referral_date = v.get("referral_date")
    if referral_date is None:
        if "referral_date" in row.present and ok is not False or ok:
            _rule_errors(
                report,
                sheet,
                row,
                {"referral_date": ["Enter the referral date."]},
                CASELOAD_COLUMNS,
            )
        return
    earlier = ctx.file_people.get(key_cf)
    if earlier is not None and any(s.referral_date == referral_date for s in earlier[1:]):
        report.error(
            message(
                sheet,
                row.number,
                row.headers["service_user_id"],
                f"{reference} referred on {referral_date:%d/%m/%Y} is already on an earlier "
                "row: each referral may appear once.",
            )
        )
        return

    specialist_id = None
    if v.get("specialist"):
        spec_key = " ".join(v["specialist"].split()).casefold()
        specialist_id = ctx.specialists.get(spec_key)
        if specialist_id is None:
            if spec_key in ctx.former_specialists:
                problem = (
                    f"{v['specialist']} is no longer an employment specialist at "
                    f"{ctx.site.name}: name a specialist in post now."
                )
            else:
                problem = (
                    f"{v['specialist']} is not a member of staff at {ctx.site.name} "
                    "(write their ipsworks username)."
                )
            report.error(message(sheet, row.number, row.headers["specialist"], problem))
            ok = False
    existing = ctx.episodes.get((person["id"], referral_date)) if person else None
    ep_id = existing["id"] if existing else None

    # Each field's value after the row: the file's where the column is there, else what is
    # recorded (or the default for a new referral).
    present = row.present
    final = {}
    for name in EPISODE_FIELDS:
        if name in present:
            value = specialist_id if name == "specialist" else v.get(name)
            if name in _BLANK_AS_EMPTY:
                value = value or ""
            elif name == "employment_status":
                value = value or EmploymentStatus.OUT_OF_WORK
        elif existing:
            value = existing["specialist_id" if name == "specialist" else name]
        else:
            value = _EPISODE_DEFAULTS.get(name)
        final[name] = value
    discharge_date = final["discharge_date"]
    errors = rules.check_episode(
        referral_date=referral_date,
        profile_started=final["profile_started"],
        discharge_date=discharge_date,
        discharge_reason=final["discharge_reason"],
        today=ctx.today,
        first_job_start=ctx.first_job.get(ep_id) if ep_id else None,
        first_activity=ctx.first_activity.get(ep_id) if ep_id else None,
        last_record=ctx.last_record.get(ep_id) if ep_id else None,
    )
    if errors and _rule_errors(report, sheet, row, errors, CASELOAD_COLUMNS):
        ok = False

    # Activity counts for the month.
    activity_day = ctx.month_end if ctx.month_end < ctx.today else ctx.today
    if discharge_date is not None and discharge_date < activity_day:
        activity_day = discharge_date
    additions: dict[str, int] = {}
    no_day = None  # whether the month has no day for new activities (worked out when needed)
    for column_key, kind in COUNT_KINDS.items():
        wanted = v.get(column_key)
        if wanted is None:
            continue
        have = ctx.counts.get((ep_id, kind), 0) if ep_id else 0
        if wanted > have:
            if no_day is None:
                no_day = activity_day < ctx.month or bool(
                    rules.check_activity(
                        date_=activity_day,
                        referral_date=referral_date,
                        discharge_date=discharge_date,
                        today=ctx.today,
                    )
                )
            if no_day:
                report.error(
                    message(
                        sheet,
                        row.number,
                        row.headers[column_key],
                        f"{wanted} given, but this referral has no day in "
                        f"{ctx.month:%B %Y} on which they could be recorded.",
                    )
                )
                ok = False
            additions[kind] = wanted - have
        elif wanted < have:
            report.warn(
                message(
                    sheet,
                    row.number,
                    row.headers[column_key],
                    f"{wanted} given, but {have} are recorded in ipsworks for "
                    f"{ctx.month:%B %Y}; ipsworks keeps the {have} (remove any recorded in "
                    "error on the person's page).",
                )
            )

    # Remember the episode for the Jobs sheet and the one-open-episode check.
    pid = person["id"] if person else None
    state = EpisodeState(ep_id, referral_date, final["profile_started"], discharge_date, row.number)
    ctx.remember(key_cf, reference, state, pid)
    if not ok:
        return

    record = f"{reference} referred {referral_date:%d/%m/%Y}"
    if existing is None:
        fields = []
        if report.listing:
            fields = [
                [CASELOAD_LABELS[n], "", _display(_shown_value(ctx, n, final[n]))]
                for n in EPISODE_FIELDS
                if final[n] not in (None, "")
            ]
            fields += [[CASELOAD_LABELS[k], "", str(v[k])] for k in COUNT_KINDS if v.get(k)]
        report.change(CASELOAD, row.number, record, "new", fields)
        if _applying(applier, report):

            def write():
                person_id, new_id = applier.new_episode(
                    pid, reference, {"referral_date": referral_date, **final}
                )
                if pid is None:
                    ctx.users[key_cf] = {"id": person_id, "reference": reference, "age_band": ""}
                state.id = new_id
                for kind, n in additions.items():
                    applier.add_activities(new_id, kind, activity_day, n)

            _write(report, sheet, row, CASELOAD_COLUMNS, write)
        return
    changed = {}
    for name in EPISODE_FIELDS:
        old = existing["specialist_id" if name == "specialist" else name]
        if final[name] != old:
            changed[name] = (old, final[name])
    fields = [
        [
            CASELOAD_LABELS[n],
            _display(_shown_value(ctx, n, o)),
            _display(_shown_value(ctx, n, nv)),
        ]
        for n, (o, nv) in changed.items()
    ]
    for column_key, kind in COUNT_KINDS.items():
        if kind in additions:
            have = ctx.counts.get((ep_id, kind), 0)
            fields.append([CASELOAD_LABELS[column_key], str(have), str(have + additions[kind])])
    if not fields:
        report.change(CASELOAD, row.number, record, "unchanged", [])
        return
    report.change(CASELOAD, row.number, record, "changed", fields)
    if _applying(applier, report):

        def write():
            if changed:
                applier.update_episode(ep_id, {n: nv for n, (_o, nv) in changed.items()})
            for kind, n in additions.items():
                applier.add_activities(ep_id, kind, activity_day, n)

        _write(report, sheet, row, CASELOAD_COLUMNS, write)


def _shown_value(ctx: Context, name: str, value):
    if name == "specialist" and value:
        return ctx.specialist_names.get(value, value)
    if name in ("employment_status", "discharge_reason") and value:
        column = next(c for c in CASELOAD_COLUMNS if c.key == name)
        return dict(column.choices).get(value, value)
    return value


def _check_open_episodes(ctx: Context, report: Report) -> None:
    """After the file, a person may still have only one open referral."""
    for keys in ctx.state.people_in_order(CHUNK_ROWS):
        ctx.load(set(keys))
        for key_cf in keys:
            reference = ctx.file_people[key_cf][0]
            states = ctx.referrals(key_cf, ctx.users.get(key_cf))
            open_ones = sorted(
                (s for s in states.values() if s.discharge_date is None),
                key=lambda s: s.referral_date,
            )
            if len(open_ones) > 1:
                newest = open_ones[-1]
                errors = rules.check_new_episode(open_episode_referral=open_ones[0].referral_date)
                for text in errors.get("referral_date", []):
                    report.error(
                        message(CASELOAD, newest.row, "Referral date", f"{reference}: {text}")
                    )


# --- Jobs rows -------------------------------------------------------------------------------


def _episode_for_job(ctx: Context, key_cf: str, person, start: date) -> EpisodeState | None:
    states = ctx.referrals(key_cf, person)
    if not states:
        return None
    before = [s for d, s in sorted(states.items()) if d <= start]
    return before[-1] if before else min(states.values(), key=lambda s: s.referral_date)


def _job_row(ctx: Context, report: Report, sheet: str, row: ParsedRow, applier) -> None:
    v = row.values
    reference = v.get("service_user_id") or ""
    ok = row.ok
    if "service_user_id" in row.failed:
        return  # the ID cell could not be read (reported): nothing to match the row to
    if _rule_errors(report, sheet, row, rules.check_reference(reference), JOB_COLUMNS):
        return
    key_cf = reference.strip().casefold()
    person = ctx.users.get(key_cf)
    start = v.get("start_date")
    episode = _episode_for_job(ctx, key_cf, person, start or ctx.today)
    if episode is None:
        report.error(
            message(
                sheet,
                row.number,
                row.headers["service_user_id"],
                f"{reference} has no referral in ipsworks or on the Caseload sheet, so their "
                "job cannot be recorded.",
            )
        )
        return
    errors = rules.check_job(
        start_date=start,
        end_date=v.get("end_date"),
        end_reason=v.get("end_reason") or "",
        hours_per_week=v.get("hours_per_week"),
        hourly_pay=v.get("hourly_pay"),
        employer=v.get("employer") or "",
        job_title=v.get("job_title") or "",
        referral_date=episode.referral_date,
        profile_started=episode.profile_started,
        discharge_date=episode.discharge_date,
        today=ctx.today,
    )
    if row.ok:
        if _rule_errors(report, sheet, row, errors, JOB_COLUMNS):
            ok = False
    else:
        # Don't repeat "enter a value" for cells already reported as unreadable.
        errors = {
            f: m
            for f, m in errors.items()
            if v.get(RULE_FIELD_TO_COLUMN.get(f)) is not None
            or f in ("start_date",)
            and start is not None
        }
        if _rule_errors(report, sheet, row, errors, JOB_COLUMNS):
            ok = False
    if not ok or start is None:
        return
    pid = person["id"] if person else None
    nth = ctx.job_seen(key_cf, start)
    candidates = ctx.jobs.get((pid, start), []) if pid else []
    existing = candidates[nth] if nth < len(candidates) else None

    def current(name):
        if name in row.present:
            value = v.get(name)
            return (
                value
                if value is not None or name in ("end_date",)
                else (
                    ""
                    if name in ("occupation_group", "end_reason", "employer", "job_title")
                    else None
                )
            )
        return (
            existing[name]
            if existing
            else ("" if name in ("occupation_group", "end_reason") else None)
        )

    final = {name: current(name) for name in JOB_FIELDS}
    record = f"{reference} job started {start:%d/%m/%Y}"
    age_band = (person or {}).get("age_band", "")
    open_to_anyone = existing["open_to_anyone"] if existing else True
    decision = ctx.wages.decide(
        start_date=start,
        age_band=age_band or "",
        hourly_pay=final["hourly_pay"],
        open_to_anyone=open_to_anyone,
    )
    if decision.minimum_wage is not None and final["hourly_pay"] < decision.minimum_wage:
        report.warn(
            message(
                sheet,
                row.number,
                row.headers.get("hourly_pay", "Hourly pay"),
                f"£{final['hourly_pay']:.2f} an hour is below the minimum wage, so this job "
                f"will not count as competitive. {decision.explanation}",
            )
        )
    labels = JOB_LABELS
    if existing is None:
        fields = []
        if report.listing:
            fields = [
                [labels[n], "", _display(final[n])]
                for n in JOB_FIELDS
                if final[n] not in (None, "")
            ]
        report.change(JOBS, row.number, record, "new", fields)
        if _applying(applier, report):

            def write():
                # A referral new in this file has had its (pending) id set by its own row.
                applier.new_job(episode.id, {"start_date": start, **final})

            _write(report, sheet, row, JOB_COLUMNS, write)
        return
    changed = {n: (existing[n], final[n]) for n in JOB_FIELDS if existing[n] != final[n]}
    if not changed:
        report.change(JOBS, row.number, record, "unchanged", [])
        return
    report.change(
        JOBS,
        row.number,
        record,
        "changed",
        [[labels[n], _display(o), _display(nv)] for n, (o, nv) in changed.items()],
    )
    if _applying(applier, report):
        _write(
            report,
            sheet,
            row,
            JOB_COLUMNS,
            lambda: applier.update_job(existing["id"], {n: nv for n, (_o, nv) in changed.items()}),
        )
