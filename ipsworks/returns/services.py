"""Writes for monthly returns: storing and checking uploaded files, accepting them (through
``caseload.services.bulk_apply``, in one transaction, refused if the site's records changed since
the check), the monthly cycle (submit, lock, re-open), exports and
reminders. Every write records an audit event.

Background work: a file is checked (and, once accepted, applied) by :func:`process_import`.
Small files are processed inside the request; larger ones (over ``INLINE_MAX_BYTES``) in a
background thread started by the web process, which updates ``rows_done``/``rows_total`` for
the progress bar. The thread only needs the database, so it works the same on SQLite (WAL) and
PostgreSQL. If the web process stops mid-way, the transaction is rolled back (nothing is
half-applied) and ``ipsworks process_return_imports`` (a command a scheduler can run) picks up
anything left waiting.

Commands act as the built-in account ``ipsworks.system`` (it cannot sign in); the audit trail
records it as the actor, with the command named in the summary.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import close_old_connections, transaction
from django.utils import timezone

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import record, snapshot
from ipsworks.caseload import services as caseload
from ipsworks.caseload.models import Episode, Job, ServiceUser
from ipsworks.organisation.models import Site

from . import importer, progress
from .models import MonthlyReturn, ReturnImport
from .readers import ACCEPTED_TYPES
from .selectors import can_lock_returns, can_manage_returns, expected_months, missing_returns

log = logging.getLogger(__name__)
SYSTEM_USERNAME = "ipsworks.system"
INLINE_MAX_BYTES = getattr(settings, "IPSWORKS_RETURNS_INLINE_BYTES", 512 * 1024)
MAX_UPLOAD_BYTES = getattr(settings, "IPSWORKS_RETURNS_MAX_BYTES", 50 * 1000 * 1000)
BULK_BATCH_SIZE = 2000  # records queued before the bulk path writes them


class ReturnsPermissionError(PermissionDenied):
    pass


@transaction.atomic
def system_actor(*, site: Site | None = None):
    """The account commands act as: active but unable to sign in, and not a superuser. It holds
    the administrator role only in the programmes of the sites it has been asked to act for
    (``site``): least privilege, and visible in the audit trail like anyone else."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": True, "first_name": "ipsworks (system)"},
    )
    if created or user.has_usable_password() or user.is_superuser or user.is_staff:
        # It must never be signed in to, and (unlike earlier versions, which made it a
        # superuser) needs no more than its memberships.
        before = None if created else {"superuser": user.is_superuser, "staff": user.is_staff}
        user.set_unusable_password()
        user.is_superuser = user.is_staff = False
        user.save(update_fields=["password", "is_superuser", "is_staff"])
        record(
            actor=None,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            event="account.system_account",
            instance=user,
            summary="The account commands act as was "
            + ("made" if created else "reset: it cannot sign in and has no admin rights"),
            before=before,
            after={"superuser": False, "staff": False, "can_sign_in": False},
        )
    if site is not None and not (
        Membership.objects.active()
        .filter(user=user, role=Role.ADMINISTRATOR, programme_id=site.programme_id)
        .exists()
    ):
        membership = Membership.objects.create(
            user=user, role=Role.ADMINISTRATOR, programme_id=site.programme_id
        )
        record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            event="account.system_role",
            instance=membership,
            programme=site.programme_id,
            summary=f"The account commands act as may now act for {site.programme.name}",
            after=snapshot(membership),
        )
    return user


def _require_manager(actor, site: Site) -> None:
    if not can_manage_returns(actor, site):
        raise ReturnsPermissionError("You cannot send returns for this site.")


def _require_unlocked(site: Site, month: date) -> None:
    r = MonthlyReturn.objects.filter(site=site, month=month).first()
    if r and r.locked_at:
        raise ValidationError(
            f"The return for {month:%B %Y} is locked; a programme manager must re-open it first."
        )


def _lock_site(site: Site) -> None:
    """Lock the site's row for this transaction. Applies, submits and locks at a site take it
    first, so they wait for one another even when the month has no row yet."""
    Site.objects.select_for_update().filter(pk=site.pk).first()


def _require_unlocked_now(site: Site, month: date) -> None:
    """Inside the apply's transaction: the month's row, if it has one, is locked, so a programme
    manager locking the month waits for the apply, or the apply sees the lock. (A month with no
    row has not been submitted, and only a submitted month can be locked.)"""
    _lock_site(site)
    obj = (
        MonthlyReturn.objects.select_for_update()
        .filter(site=site, month=month.replace(day=1))
        .first()
    )
    if obj is not None and obj.locked_at:
        raise ValidationError(
            f"The return for {month:%B %Y} was locked while this file waited; a programme "
            "manager must re-open it first."
        )


# --- Applying through the caseload services -------------------------------------------------


class CaseloadApplier(importer.Applier):
    def __init__(self, actor, site: Site):
        self.actor = actor
        self.site = site
        self._users = {}

    def _user(self, user_id):
        if user_id is None:
            return None
        if user_id not in self._users:
            self._users[user_id] = get_user_model().objects.get(pk=user_id)
        return self._users[user_id]

    def new_episode(self, person_id, reference, values):
        common = {
            "referral_date": values["referral_date"],
            "specialist": self._user(values.get("specialist")),
            "referral_source": values.get("referral_source") or "",
            "employment_status": values.get("employment_status") or "out_of_work",
            "profile_started": values.get("profile_started"),
        }
        if person_id is None:
            episode = caseload.refer_service_user(
                actor=self.actor, site=self.site, reference=reference, **common
            )
        else:
            person = ServiceUser.objects.get(pk=person_id, site=self.site)
            episode = caseload.add_episode(actor=self.actor, service_user=person, **common)
        if values.get("discharge_date") or values.get("discharge_reason"):
            episode = caseload.discharge_episode(
                actor=self.actor,
                episode=episode,
                expected_version=None,
                discharge_date=values.get("discharge_date"),
                discharge_reason=values.get("discharge_reason") or "",
            )
        return episode.service_user_id, episode.pk

    def update_episode(self, episode_id, changes):
        values = dict(changes)
        if "specialist" in values:
            values["specialist"] = self._user(values["specialist"])
        episode = Episode.objects.get(pk=episode_id, site=self.site)
        caseload.update_episode(
            actor=self.actor, episode=episode, expected_version=None, values=values
        )

    def add_activities(self, episode_id, kind, day, number):
        episode = Episode.objects.select_related("service_user", "site").get(
            pk=episode_id, site=self.site
        )
        for _ in range(number):
            caseload.record_activity(actor=self.actor, episode=episode, kind=kind, date=day)

    def new_job(self, episode_id, values):
        episode = Episode.objects.select_related("service_user", "site").get(
            pk=episode_id, site=self.site
        )
        caseload.record_job_start(
            actor=self.actor,
            episode=episode,
            start_date=values["start_date"],
            employer=values.get("employer") or "",
            job_title=values.get("job_title") or "",
            hours_per_week=values.get("hours_per_week"),
            hourly_pay=values.get("hourly_pay"),
            occupation_group=values.get("occupation_group") or "",
            end_date=values.get("end_date"),
            end_reason=values.get("end_reason") or "",
        )

    def update_job(self, job_id, changes):
        job = Job.objects.get(pk=job_id, site=self.site)
        caseload.update_job(actor=self.actor, job=job, expected_version=None, values=changes)

    def flush(self):
        pass  # each record is written as it comes


class BulkCaseloadApplier(importer.Applier):
    """Queues the importer's changes on a :class:`ipsworks.caseload.services.BulkWriter`, which
    writes them in bulk (new records come back as pending references, resolved when written)."""

    def __init__(self, writer: caseload.BulkWriter):
        self.writer = writer

    def new_episode(self, person_id, reference, values):
        return self.writer.new_episode(
            service_user=person_id,
            reference=reference,
            referral_date=values["referral_date"],
            specialist_id=values.get("specialist"),
            referral_source=values.get("referral_source") or "",
            employment_status=values.get("employment_status") or "out_of_work",
            profile_started=values.get("profile_started"),
            discharge_date=values.get("discharge_date"),
            discharge_reason=values.get("discharge_reason") or "",
        )

    def update_episode(self, episode_id, changes):
        self.writer.update_episode(episode_id=episode_id, changes=changes)

    def add_activities(self, episode_id, kind, day, number):
        self.writer.add_activities(episode=episode_id, kind=kind, day=day, number=number)

    def new_job(self, episode_id, values):
        self.writer.new_job(
            episode=episode_id,
            start_date=values["start_date"],
            employer=values.get("employer") or "",
            job_title=values.get("job_title") or "",
            hours_per_week=values.get("hours_per_week"),
            hourly_pay=values.get("hourly_pay"),
            occupation_group=values.get("occupation_group") or "",
            end_date=values.get("end_date"),
            end_reason=values.get("end_reason") or "",
        )

    def update_job(self, job_id, changes):
        self.writer.update_job(job_id=job_id, changes=changes)

    def flush(self):
        self.writer.flush()


class _Rollback(Exception):
    def __init__(self, report):
        self.report = report


def run_return(
    *,
    actor,
    site: Site,
    month: date,
    files: list[tuple[str, Path]],
    apply: bool,
    sha256: str = "",
    progress=None,
    source: str = "upload",
    expected_fingerprint: str | None = None,
    bulk: bool = True,
    on_applied=None,
) -> importer.Report:
    """Check the files (apply=False: read, parse, validate with the caseload rules and compare
    with the records; nothing is written), or apply them (apply=True: all or nothing, in one
    transaction). Returns the report.

    A check stores ``report.fingerprint`` (:func:`ipsworks.caseload.services.records_fingerprint`);
    pass it back as ``expected_fingerprint`` when applying and the file is refused, with nothing
    applied, if the site's records changed in between. Applying re-runs every check inside the
    transaction; ``bulk=True`` (the default) writes through
    :func:`ipsworks.caseload.services.bulk_apply` (bulk inserts/updates, one audit row per record
    bulk-inserted, one ``records_changed``), ``bulk=False`` through the per-record caseload
    services (slow; kept as the reference the bulk path is tested against; it judges whether a
    specialist is in post on today, where the bulk path and the check use the return month's last
    day). If a write is still refused for a row, the error is reported for that row and nothing
    is applied. ``on_applied(report)`` is called inside the apply's transaction, so what it
    records commits (or rolls back) with the records."""
    _require_manager(actor, site)
    if not apply:
        fingerprint = caseload.records_fingerprint(site=site)
        report = importer.process(site=site, month=month, files=files, progress=progress)
        report.fingerprint = fingerprint
        return report
    _require_unlocked(site, month)

    def applied(report) -> None:
        counts = report.counts
        record(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            event="returns.applied",
            entity="returns.ReturnFile",
            entity_id=sha256[:64],
            site=site,
            summary=(
                f"{site.name} return for {month:%B %Y} applied ({source}); SHA-256 {sha256}; "
                + "; ".join(
                    f"{s}: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged"
                    for s, c in counts.items()
                )
            ),
            after={"sha256": sha256, "files": [n for n, _p in files], "counts": counts},
        )
        if on_applied is not None:
            on_applied(report)

    def run(applier):
        try:
            return importer.process(
                site=site, month=month, files=files, applier=applier, progress=progress
            )
        except importer.ReturnHasErrors as exc:
            raise _Rollback(exc.report) from None

    try:
        if bulk:
            note = f" (return for {month:%B %Y}, SHA-256 {sha256[:16]})" if sha256 else ""
            with caseload.bulk_apply(
                actor=actor,
                site=site,
                expected_fingerprint=expected_fingerprint,
                batch_size=BULK_BATCH_SIZE,
                note=note,
                in_post_on=importer.specialists_in_post_on(month, timezone.localdate()),
            ) as writer:
                _require_unlocked_now(site, month)
                report = run(BulkCaseloadApplier(writer))
                applied(report)
            return report
        with transaction.atomic():
            if expected_fingerprint is not None and (
                caseload.records_fingerprint(site=site) != expected_fingerprint
            ):
                raise caseload.RecordsChangedError(
                    f"The records of {site.name} changed after this file was checked, so "
                    "nothing was applied. Check the file again to see the changes it would make "
                    "now."
                )
            _require_unlocked_now(site, month)
            with caseload.batch(
                actor=actor,
                audit_rows=True,
                event="returns.applied",
                summary=f"{site.name} return for {month:%B %Y}",
            ):
                report = run(CaseloadApplier(actor, site))
            applied(report)
        return report
    except _Rollback as rollback:
        return rollback.report
    except caseload.RecordsChangedError as exc:
        report = importer.Report(records_changed=True)
        report.error(exc.messages[0])
        return report


# --- Uploads and the background worker -------------------------------------------------------


def sha256_of(paths: list[Path]) -> str:
    """SHA-256 of one file; for several (CSV) files, of their sorted SHA-256 digests."""
    digests = []
    for path in paths:
        h = hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                h.update(chunk)
        digests.append(h.hexdigest())
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("".join(sorted(digests)).encode()).hexdigest()


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "returns"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def create_import(*, actor, site: Site, month: date, uploads) -> ReturnImport:
    """Store uploaded files (Django UploadedFile objects) and queue them for checking."""
    _require_manager(actor, site)
    _require_unlocked(site, month)
    size = sum(getattr(upload, "size", 0) or 0 for upload in uploads)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The file is {size / 1e6:.0f} MB; ipsworks takes return files of up to "
            f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB. A return with 100,000 rows is about 10 MB: check "
            "it is the right file, or send it as a .zip of CSV files."
        )
    stored = []
    folder = upload_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    for upload in uploads:
        name = Path(upload.name).name
        suffix = Path(name).suffix.lower()
        if suffix not in ACCEPTED_TYPES:
            shutil.rmtree(folder, ignore_errors=True)
            raise ValidationError(
                f"{name}: send an .xlsx, .xls, .ods or .csv file (or a .zip of CSV files)."
            )
        path = folder / f"{len(stored)}{suffix}"
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        stored.append({"name": name, "path": str(path), "size": path.stat().st_size})
    paths = [Path(f["path"]) for f in stored]
    for item, path in zip(stored, paths, strict=True):
        item["sha256"] = sha256_of([path])
    item = ReturnImport.objects.create(
        site=site,
        month=month,
        created_by=actor,
        actor_label=actor.username,
        files=stored,
        sha256=sha256_of(paths),
    )
    progress.write(item, 0, 0)  # waiting, and alive (see is_stale)
    record(
        actor=actor,
        action=AuditEvent.Action.OTHER,
        event="returns.uploaded",
        instance=item,
        site=site,
        summary=f"Uploaded {item.file_names} for {month:%B %Y} (SHA-256 {item.sha256})",
    )
    return item


def _files(item: ReturnImport) -> list[tuple[str, Path]]:
    return [(f["name"], Path(f["path"])) for f in item.files]


RECHECKED_NOTICE = (
    "The site's records changed after this file was checked (someone edited them, or another "
    "file was applied), so nothing was applied. ipsworks has checked the file again: read "
    "what it would change now, and accept it again if that is right."
)


def process_import(
    import_id: int, *, apply: bool = False, actor=None, notice: str = ""
) -> ReturnImport:
    """Check (or apply) a stored import, updating its state as it goes. Progress and a
    heartbeat go to the import's progress file (:mod:`.progress`), which others can read while
    an apply's transaction is still open.

    An apply that cannot go ahead for a reason that is not the file's fault leaves the file
    ready to accept again, with a notice: the month was locked meanwhile, or the site's records
    changed since the check (the file is then checked again at once). ``notice`` says why the
    work was started again; it is shown from the start and kept in the new report. The result
    is saved only if the import is still in the state this work put it in (a file discarded
    while it was being checked stays discarded)."""
    item = ReturnImport.objects.select_related("site", "created_by").get(pk=import_id)
    if item.state in {ReturnImport.State.DISCARDED, ReturnImport.State.APPLIED}:
        return item  # set aside (or done) before this work began: nothing to do
    actor = actor or item.created_by or system_actor(site=item.site)
    busy = ReturnImport.State.APPLYING if apply else ReturnImport.State.CHECKING
    progress.write(item, 0, item.rows_total)
    started = {"state": busy, "rows_done": 0}
    if notice:
        started["report"] = {**(item.report or {}), "notice": notice}
    done_with = [ReturnImport.State.DISCARDED, ReturnImport.State.APPLIED]
    if not ReturnImport.objects.filter(pk=item.pk).exclude(state__in=done_with).update(**started):
        progress.clear(item)
        item.refresh_from_db()
        return item  # discarded (or applied) just now

    def finish(**fields) -> ReturnImport:
        ReturnImport.objects.filter(pk=item.pk, state=busy).update(**fields)
        progress.clear(item)  # after the state has moved on, so the work never looks dead
        item.refresh_from_db()
        return item

    def applied(report) -> None:
        """Inside the apply's transaction: the file is marked applied with the records, so a
        crash just after the commit cannot leave it looking interrupted (and unapplied)."""
        ReturnImport.objects.filter(pk=item.pk, state=busy).update(
            **_result_fields(report, apply=True, actor=actor, notice=notice)
        )

    try:
        with progress.beating(item):
            report = run_return(
                actor=actor,
                site=item.site,
                month=item.month,
                files=_files(item),
                apply=apply,
                sha256=item.sha256,
                progress=lambda done, total: progress.write(item, done, total),
                expected_fingerprint=(item.report or {}).get("fingerprint") if apply else None,
                on_applied=applied if apply else None,
            )
    except (ValidationError, PermissionDenied) as exc:
        text = "; ".join(getattr(exc, "messages", [str(exc)]))
        if apply:  # nothing was applied, and the file itself is fine: it can be accepted later
            return finish(
                state=ReturnImport.State.CHECKED,
                report={**(item.report or {}), "notice": f"Nothing was applied: {text}"},
            )
        return finish(
            state=ReturnImport.State.FAILED, report={**(item.report or {}), "problem": text}
        )
    except Exception:  # noqa: BLE001 - recorded for the user, logged for the administrator
        log.exception("Return import %s failed", item.pk)
        return finish(
            state=ReturnImport.State.FAILED,
            report={"problem": "ipsworks could not process this file. Nothing was applied."},
        )
    if apply and report.records_changed:
        return process_import(import_id, apply=False, actor=actor, notice=RECHECKED_NOTICE)
    return finish(**_result_fields(report, apply=apply, actor=actor, notice=notice))


def _result_fields(report, *, apply: bool, actor, notice: str) -> dict:
    """What a finished check or apply leaves on its import."""
    fields = {
        "report": report.as_dict() | ({"notice": notice} if notice else {}),
        "rows_done": report.rows,
        "rows_total": report.rows,
    }
    if report.error_count:
        fields["state"] = ReturnImport.State.INVALID
    elif apply:
        fields |= {
            "state": ReturnImport.State.APPLIED,
            "applied_at": timezone.now(),
            "applied_by": actor,
        }
    else:
        fields["state"] = ReturnImport.State.CHECKED
    return fields


def _in_background(import_id: int, apply: bool, actor_id: int | None, notice: str = "") -> None:
    def work():
        close_old_connections()
        try:
            actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
            process_import(import_id, apply=apply, actor=actor, notice=notice)
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"return-import-{import_id}", daemon=True).start()


def start_processing(item: ReturnImport, *, apply: bool, actor, notice: str = "") -> ReturnImport:
    """Process now when the file is small, else in a background thread."""
    size = sum(f.get("size", 0) for f in item.files)
    if size <= INLINE_MAX_BYTES:
        return process_import(item.pk, apply=apply, actor=actor, notice=notice)
    state = ReturnImport.State.APPLYING if apply else ReturnImport.State.CHECKING
    ReturnImport.objects.filter(pk=item.pk).update(state=state, rows_done=0)
    progress.write(item, 0, item.rows_total)  # alive from now: the thread's heartbeat follows
    if notice:
        item.report = {**(item.report or {}), "notice": notice}
        ReturnImport.objects.filter(pk=item.pk).update(report=item.report)
    transaction.on_commit(lambda: _in_background(item.pk, apply, actor.pk, notice))
    item.refresh_from_db()
    return item


INTERRUPTED_APPLY_NOTICE = (
    "Applying this file was interrupted (ipsworks stopped before it finished), so nothing was "
    "applied. Accept it again, or discard it."
)
INTERRUPTED_CHECK_NOTICE = (
    "Checking this file was interrupted (ipsworks stopped before it finished), so ipsworks "
    "started the check again from the beginning."
)


def is_stale(item: ReturnImport) -> bool:
    """Whether an import shown as waiting, being checked or being applied has no live work
    behind it: no heartbeat for ``progress.STALE_AFTER`` seconds (the process doing it was
    stopped or killed)."""
    if not item.is_busy:
        return False
    _done, _total, age = progress.read(item)
    if age is None:  # no progress file at all: judged by the import's age
        age = (timezone.now() - item.created_at).total_seconds()
    return age > progress.STALE_AFTER


def recover_if_stale(item: ReturnImport, *, restart: bool = True) -> ReturnImport:
    """Put back an import whose work died (see :func:`is_stale`). The database rolled the
    work back, so: an interrupted apply goes back to "checked", with a notice, to be accepted
    again or discarded; an interrupted check is started again. Each recovery is audited. Safe
    to call from any number of requests at once: the import's row is locked, staleness judged
    again under the lock, and a fresh heartbeat written before the lock is released, so only
    one caller recovers an import. With ``restart=False`` an interrupted check is left waiting
    (for a caller that checks it itself, in its own process)."""
    if not is_stale(item):
        return item
    State = ReturnImport.State
    with transaction.atomic():
        current = ReturnImport.objects.select_for_update().select_related("site").get(pk=item.pk)
        if not is_stale(current):
            return current
        progress.write(current, 0, current.rows_total)  # alive again: others now leave it
        if current.state == State.APPLYING:
            current.state, notice = State.CHECKED, INTERRUPTED_APPLY_NOTICE
        else:
            current.state, notice = State.QUEUED, INTERRUPTED_CHECK_NOTICE
        current.report = {**(current.report or {}), "notice": notice}
        current.save(update_fields=["state", "report"])
        record(
            actor=None,
            action=AuditEvent.Action.OTHER,
            event="returns.interrupted",
            instance=current,
            site=current.site,
            summary=f"{current.site.name} return for {current.month:%B %Y}: {notice}",
        )
    if current.state == State.QUEUED and restart:
        actor = current.created_by or system_actor(site=current.site)
        return start_processing(current, apply=False, actor=actor, notice=notice)
    if current.state != State.QUEUED:
        progress.clear(current)
    return current


def accept_import(*, actor, item: ReturnImport) -> ReturnImport:
    """Apply a checked file (all or nothing).

    The move from "checked" to "applying" is one conditional UPDATE, so of two accepts of the
    same file (a double click, two people) exactly one goes ahead; the other is refused with a
    message and changes nothing."""
    _require_manager(actor, item.site)
    _require_unlocked(item.site, item.month)  # before claiming: the file stays ready to accept
    with transaction.atomic():  # the row lock keeps recover_if_stale out until the heartbeat
        claimed = ReturnImport.objects.filter(pk=item.pk, state=ReturnImport.State.CHECKED).update(
            state=ReturnImport.State.APPLYING, rows_done=0
        )
        if claimed:
            progress.write(item, 0, item.rows_total)  # alive from the claim on (see is_stale)
    if not claimed:
        current = ReturnImport.objects.filter(pk=item.pk).values_list("state", flat=True).first()
        if current in {ReturnImport.State.APPLYING, ReturnImport.State.APPLIED}:
            raise ValidationError(
                "This file has already been accepted (it is being applied or was applied): "
                "it was not applied a second time."
            )
        raise ValidationError("Only a checked file without errors can be accepted.")
    item.refresh_from_db()
    return start_processing(item, apply=True, actor=actor)


@transaction.atomic
def discard_import(*, actor, item: ReturnImport) -> None:
    """Set a file aside without applying it (audited)."""
    _require_manager(actor, item.site)
    current = ReturnImport.objects.select_for_update().get(pk=item.pk)
    if current.state in {ReturnImport.State.APPLIED, ReturnImport.State.APPLYING}:
        raise ValidationError("An applied file cannot be discarded.")
    if current.state == ReturnImport.State.DISCARDED:
        raise ValidationError("This file was already discarded.")
    before = snapshot(current)
    current.state = ReturnImport.State.DISCARDED
    current.save(update_fields=["state"])
    names = ", ".join(f.get("name", "") for f in current.files or []) or "a file"
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="returns.discarded",
        instance=current,
        site=current.site,
        summary=f"{current.site.name} return for {current.month:%B %Y}: discarded {names} "
        "without applying it",
        before=before,
        after=snapshot(current),
    )
    item.state = current.state


# --- The monthly cycle -----------------------------------------------------------------------


def _require_expected_month(site: Site, month: date) -> None:
    """Only the months the site owes a return for (its period, up to the current month)."""
    if month.replace(day=1) not in expected_months(site, timezone.localdate()):
        raise ValidationError(
            f"{site.name} has no return for {month:%B %Y}: choose a month from "
            f"{site.start_date:%B %Y} up to this month, within the site's period."
        )


def _monthly(site: Site, month: date) -> MonthlyReturn:
    """The month's row, locked for this transaction (after the site's: see :func:`_lock_site`)."""
    _lock_site(site)
    obj, _ = MonthlyReturn.objects.select_for_update().get_or_create(
        site=site, month=month.replace(day=1)
    )
    return obj


@transaction.atomic
def submit_month(*, actor, site: Site, month: date) -> MonthlyReturn:
    """The implementation manager marks the site's return for `month` as submitted."""
    _require_manager(actor, site)
    _require_expected_month(site, month)
    obj = _monthly(site, month)
    if obj.locked_at:
        raise ValidationError(f"{month:%B %Y} is locked.")
    if obj.submitted_at:
        raise ValidationError(f"{month:%B %Y} was already submitted.")
    before = snapshot(obj)
    obj.submitted_at = timezone.now()
    obj.submitted_by = actor
    obj.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="returns.submitted",
        instance=obj,
        site=site,
        summary=f"{site.name} return for {month:%B %Y} submitted",
        before=before,
        after=snapshot(obj),
    )
    return obj


@transaction.atomic
def lock_month(*, actor, site: Site, month: date) -> MonthlyReturn:
    """A programme manager locks a submitted month: no file can change it until re-opened."""
    if not can_lock_returns(actor, site):
        raise ReturnsPermissionError("Only a programme manager can lock a month.")
    _require_expected_month(site, month)
    obj = _monthly(site, month)
    if not obj.submitted_at:
        raise ValidationError(f"{month:%B %Y} has not been submitted, so it cannot be locked.")
    if obj.locked_at:
        raise ValidationError(f"{month:%B %Y} is already locked.")
    before = snapshot(obj)
    obj.locked_at = timezone.now()
    obj.locked_by = actor
    obj.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="returns.locked",
        instance=obj,
        site=site,
        summary=f"{site.name} return for {month:%B %Y} locked",
        before=before,
        after=snapshot(obj),
    )
    return obj


@transaction.atomic
def reopen_month(*, actor, site: Site, month: date, reason: str) -> MonthlyReturn:
    """Re-open a locked month; a reason is required and kept in the audit trail."""
    if not can_lock_returns(actor, site):
        raise ReturnsPermissionError("Only a programme manager can re-open a month.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the month is being re-opened."]})
    _require_expected_month(site, month)
    obj = _monthly(site, month)
    if not obj.locked_at:
        raise ValidationError(f"{month:%B %Y} is not locked.")
    before = snapshot(obj)
    obj.locked_at = None
    obj.locked_by = None
    obj.submitted_at = None
    obj.submitted_by = None
    obj.reopen_reason = reason
    obj.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="returns.reopened",
        instance=obj,
        site=site,
        summary=f"{site.name} return for {month:%B %Y} re-opened: {reason}",
        before=before,
        after=snapshot(obj),
    )
    return obj


# --- Exports and reminders -------------------------------------------------------------------


def record_export(*, actor, site: Site, month: date | None, file_format: str, rows: int) -> None:
    record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        event="returns.exported",
        entity="returns.ReturnFile",
        site=site,
        summary=f"Exported {site.name} {'all months' if month is None else f'{month:%B %Y}'} "
        f"as {file_format} ({rows} rows)",
    )


def send_reminders(*, as_of: date, actor=None) -> list[tuple[str, list[str]]]:
    """E-mail each implementation manager of a site with missing returns. Returns what was sent
    as (address, [months])."""
    actor = actor or system_actor()
    by_site: dict[int, list] = {}
    for missing in missing_returns(as_of):
        by_site.setdefault(missing.site.pk, []).append(missing)
    sent = []
    for items in by_site.values():
        site = items[0].site
        months = [f"{m.month:%B %Y} (due {m.due:%d/%m/%Y})" for m in items]
        managers = (
            Membership.objects.active(as_of)
            .filter(site=site, role=Role.IMPLEMENTATION_MANAGER)
            .select_related("user")
        )
        for membership in managers:
            address = membership.user.email or f"{membership.user.username}@localhost"
            body = (
                f"Hello {membership.user.username},\n\nipsworks has no monthly return from "
                f"{site.name} for:\n\n" + "\n".join(f"- {m}" for m in months) + "\n\nPlease "
                "upload the return and mark the month as submitted in ipsworks (Returns).\n"
            )
            send_mail(
                f"Monthly return missing: {site.name}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
            sent.append((address, months))
        record(
            actor=actor,
            action=AuditEvent.Action.OTHER,
            event="returns.reminder_sent",
            entity="returns.MonthlyReturn",
            site=site,
            summary=f"Reminder sent for {len(months)} missing return(s) of {site.name}",
        )
    return sent
