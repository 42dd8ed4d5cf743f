"""Every write to caseload records goes through these functions.

Each function is keyword-only, typed and atomic, and takes the ``actor`` (the signed-in user).
Each one, in one transaction:

1. checks permission through :mod:`ipsworks.accounts.scoping`: the record must be within the
   actor's case scope (a specialist: own caseload; a team leader: the team; an implementation
   manager: the site; programme managers and administrators: their programme). Commissioners,
   reviewers and evaluators never write. A refusal raises :class:`CaseloadPermissionError`
   (a ``PermissionDenied``). Views fetch records with ``get_case_or_404`` first, so a record
   outside the user's scope is a 404 before any service is called;
2. validates with :mod:`ipsworks.caseload.rules` and raises
   ``django.core.exceptions.ValidationError({field: [messages]})`` (``.message_dict``);
3. for changes to existing records, checks ``expected_version`` (the ``version`` the caller
   read). If someone else saved in between, :class:`ConflictError` is raised, carrying what
   changed (``.changes``: field, label, value before, value now; ``.changed_by``), and nothing
   is overwritten. Pass ``expected_version=None`` only for trusted batch paths (imports);
4. saves, bumping ``version``;
5. records the audit event (``ipsworks.audit.services.record``, event names like
   ``caseload.job_started``) with before/after snapshots;
6. sends ``ipsworks.caseload.signals.records_changed(sender=<model class>, site=site,
   dates=[...])`` with the record dates touched (before and after).

Functions: :func:`refer_service_user` (a new person and their first referral),
:func:`add_episode` (a new referral for a known person), :func:`update_service_user`,
:func:`update_episode`, :func:`discharge_episode`, :func:`record_activity`,
:func:`delete_activity`, :func:`record_job_start`, :func:`update_job`, :func:`record_job_end`,
:func:`remove_service_user` (administrators only).

Bulk use (the monthly returns import)
-------------------------------------
Wrap many calls in :func:`batch`::

    from ipsworks.caseload import services
    with services.batch(actor=user, audit_rows=False, event="returns.applied",
                        summary="March 2016 return") as b:
        for row in rows:
            try:
                with transaction.atomic():        # a savepoint per row, if you want to go on
                    services.refer_service_user(actor=user, site=site, reference=row.id, ...)
            except ValidationError as exc:
                errors[row.number] = exc.message_dict
    b.counts   # Counter of events applied, e.g. {"caseload.referred": 12, ...}

Inside a batch, ``records_changed`` is sent once per site when the batch ends (with every date
touched), and with ``audit_rows=False`` one summary audit event replaces the per-row events. The
batch is one transaction: an exception escaping it rolls everything back. Look-ups the import
needs are in :mod:`ipsworks.caseload.selectors` (``find_service_user``, ``open_episode_for``).

For large files use :func:`bulk_apply` instead (the returns import does): a
:class:`BulkWriter` queues new referrals, activities and jobs and changes to referrals and jobs,
and writes them every ``batch_size`` records with multi-row INSERTs and ``bulk_update``, in one
transaction, with one audit row per created or changed record (bulk-inserted, before/after as
the per-record services write them) and one ``records_changed`` for the site. It expects the
caller to have run the :mod:`~ipsworks.caseload.rules` checks on every row (the returns importer
does, with the records loaded once); it adds the checks the per-record services make beyond
them. :func:`records_fingerprint` lets a caller refuse to apply when the records changed since a
preview. ``tests/returns/test_bulk_apply.py`` checks it leaves exactly the database the
per-record services leave.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, transaction
from django.db.models import Max, Min
from django.utils import timezone

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import scope_for, scoped_cases
from ipsworks.audit.models import AuditEvent
from ipsworks.audit.services import changed_fields, record, snapshot
from ipsworks.organisation.models import Site, Team

from . import rules
from .models import (
    Activity,
    ActivityKind,
    EmploymentStatus,
    Episode,
    Job,
    ServiceUser,
)
from .signals import records_changed
from .wages import WageTable

WRITE_ROLES = frozenset(
    {
        Role.SPECIALIST,
        Role.TEAM_LEADER,
        Role.IMPLEMENTATION_MANAGER,
        Role.PROGRAMME_MANAGER,
        Role.ADMINISTRATOR,
    }
)
BOOKKEEPING = {"version", "created_at", "updated_at", "id"}


class CaseloadPermissionError(PermissionDenied):
    """The actor may not make this change."""


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    was: str
    now: str
    yours: str = ""


class ConflictError(Exception):
    """Someone else saved the record after the caller read it; nothing was overwritten."""

    def __init__(
        self,
        *,
        instance: models.Model,
        expected_version: int,
        changes: list[FieldChange],
        changed_by: list[str],
    ):
        self.instance = instance
        self.expected_version = expected_version
        self.current_version = instance.version
        self.changes = changes
        self.changed_by = changed_by
        who = ", ".join(changed_by) or "someone else"
        super().__init__(
            f"{instance._meta.verbose_name.capitalize()} was changed by {who} after you opened "
            f"it (version {expected_version} -> {instance.version}); nothing was saved."
        )


# --------------------------------------------------------------------------------------------
# Batches


@dataclass
class Batch:
    actor: Any
    audit_rows: bool = True
    event: str = "caseload.batch"
    summary: str = ""
    sites: dict[int, Site] = field(default_factory=dict)
    dates: dict[int, set[date]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    wage_table: WageTable | None = None


_BATCH: ContextVar[Batch | None] = ContextVar("caseload_batch", default=None)


@contextlib.contextmanager
def batch(
    *, actor, audit_rows: bool = True, event: str = "caseload.batch", summary: str = ""
) -> Iterator[Batch]:
    """Apply many changes in one transaction, with one `records_changed` per site at the end."""
    with transaction.atomic():
        current = Batch(actor=actor, audit_rows=audit_rows, event=event, summary=summary)
        current.wage_table = WageTable.load()
        token = _BATCH.set(current)
        try:
            yield current
        finally:
            _BATCH.reset(token)
        for site_id, dates in current.dates.items():
            records_changed.send(
                sender=ServiceUser, site=current.sites[site_id], dates=sorted(dates)
            )
        if not audit_rows and current.counts:
            for site in current.sites.values():
                record(
                    actor=actor,
                    action=AuditEvent.Action.IMPORT,
                    event=event,
                    entity="caseload",
                    site=site,
                    summary=(summary + ": " if summary else "")
                    + ", ".join(f"{k} x{v}" for k, v in sorted(current.counts.items())),
                )


def _changed(model, site: Site, dates) -> None:
    touched = {d for d in dates if d is not None}
    current = _BATCH.get()
    if current is not None:
        current.sites[site.pk] = site
        current.dates.setdefault(site.pk, set()).update(touched)
        return
    records_changed.send(sender=model, site=site, dates=sorted(touched))


def _audit(*, actor, action: str, event: str, instance, site, summary, before=None, after=None):
    current = _BATCH.get()
    if current is not None:
        current.counts[event] += 1
        if not current.audit_rows:
            return
    record(
        actor=actor,
        action=action,
        event=event,
        instance=instance,
        site=site,
        summary=summary,
        before=before,
        after=after,
    )


def _wages() -> WageTable:
    current = _BATCH.get()
    if current is not None and current.wage_table is not None:
        return current.wage_table
    return WageTable.load()


# --------------------------------------------------------------------------------------------
# Permission and concurrency helpers


def _today() -> date:
    return timezone.localdate()


def can_write(actor) -> bool:
    scope = scope_for(actor)
    return scope.is_superuser or bool(scope.roles & WRITE_ROLES)


def _require_writer(actor) -> None:
    if not can_write(actor):
        raise CaseloadPermissionError("Your role cannot change caseload records.")


def _require_in_scope(actor, instance: models.Model) -> None:
    _require_writer(actor)
    model = type(instance)
    if not scoped_cases(actor, model._default_manager.filter(pk=instance.pk)).exists():
        raise CaseloadPermissionError("This record is outside your caseload.")


def _invalid(errors: rules.Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _display(model, attname: str, value) -> str:
    if value is None or value == "":
        return "(blank)"
    try:
        fld = next(f for f in model._meta.concrete_fields if f.attname == attname)
    except StopIteration:
        return str(value)
    if fld.choices:
        return str(dict(fld.flatchoices).get(value, value))
    if fld.is_relation:
        obj = fld.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj else str(value)
    if isinstance(fld, models.DateField) and isinstance(value, str):
        try:
            return rules.day(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(fld, models.BooleanField):
        return "Yes" if value else "No"
    return str(value)


def _label(model, attname: str) -> str:
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return str(f.verbose_name).capitalize()
    return attname


def _lock(instance, expected_version: int | None, attempted: Mapping[str, Any] | None = None):
    """Re-read the row for update; raise ConflictError when its version moved on."""
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is None or current.version == expected_version:
        return current
    events = AuditEvent.objects.filter(
        entity=model._meta.label, entity_id=str(instance.pk)
    ).order_by("at", "id")
    first: dict[str, Any] = {}
    last: dict[str, Any] = {}
    who: list[str] = []
    for ev in events:
        after = ev.after or {}
        if not after or (after.get("version") or 0) <= expected_version:
            continue
        for name in changed_fields(ev.before, after):
            if name in BOOKKEEPING:
                continue
            first.setdefault(name, (ev.before or {}).get(name))
            last[name] = after.get(name)
        if ev.actor_label and ev.actor_label not in who:
            who.append(ev.actor_label)
    now = snapshot(current)
    if not first and attempted:
        for name, value in attempted.items():
            attname = name + "_id" if f"{name}_id" in now else name
            if attname in now and now[attname] != _plain(value):
                first[attname] = None
                last[attname] = now[attname]
    changes = []
    for name in sorted(first):
        mine = ""
        if attempted:
            key = name[:-3] if name.endswith("_id") and name[:-3] in attempted else name
            if key in attempted:
                mine = _display(model, name, _plain(attempted[key]))
        changes.append(
            FieldChange(
                field=name,
                label=_label(model, name),
                was=_display(model, name, first[name]) if first[name] is not None else "",
                now=_display(model, name, now.get(name, last[name])),
                yours=mine,
            )
        )
    raise ConflictError(
        instance=current, expected_version=expected_version, changes=changes, changed_by=who
    )


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _save(instance) -> None:
    instance.version = (instance.version or 0) + 1
    instance.save()


# --------------------------------------------------------------------------------------------
# Assignment (specialist, team)


def _assignment(
    *, site: Site, specialist, team: Team | None
) -> tuple[Any, Team | None, rules.Errors]:
    errors: rules.Errors = {}
    if team is not None and team.site_id != site.pk:
        errors["team"] = [f"The team {team.name} is not part of {site.name}."]
    if specialist is not None:
        membership = (
            Membership.objects.active()
            .filter(user=specialist, role=Role.SPECIALIST, site=site)
            .order_by("-start_date")
            .first()
        )
        if membership is None:
            errors["specialist"] = [
                f"{specialist.username} is not a current employment specialist at {site.name}."
            ]
        elif team is None and membership.team_id:
            team = membership.team
    return specialist, team, errors


def _is_specialist_at(actor, site) -> bool:
    return Membership.objects.active().filter(user=actor, role=Role.SPECIALIST, site=site).exists()


def _episode_bounds(episode: Episode) -> dict[str, date | None]:
    jobs = episode.jobs.aggregate(first=Min("start_date"), last=Max("start_date"))
    acts = episode.activities.aggregate(first=Min("date"), last=Max("date"))
    lasts = [d for d in (jobs["last"], acts["last"]) if d]
    return {
        "first_job_start": jobs["first"],
        "first_activity": acts["first"],
        "last_record": max(lasts) if lasts else None,
    }


# --------------------------------------------------------------------------------------------
# Service users and referrals

EQUALITY_FIELDS = ("age_band", "gender", "ethnicity", "diagnosis_group")


@transaction.atomic
def refer_service_user(
    *,
    actor,
    site: Site,
    reference: str,
    referral_date: date,
    specialist=None,
    team: Team | None = None,
    referral_source: str = "",
    employment_status: str = EmploymentStatus.OUT_OF_WORK,
    profile_started: date | None = None,
    age_band: str = "",
    gender: str = "",
    ethnicity: str = "",
    diagnosis_group: str = "",
    is_synthetic: bool = False,
) -> Episode:
    """Record a new person (by the site's pseudonymous ID) and their first referral.

    A duplicate ID at the site is refused: use :func:`add_episode` for someone coming back.
    A specialist who refers someone without naming a specialist takes them on themselves.
    """
    _require_writer(actor)
    reference = (reference or "").strip()
    if specialist is None and _is_specialist_at(actor, site):
        specialist = actor
    specialist, team, assign_errors = _assignment(site=site, specialist=specialist, team=team)
    errors = rules.merge(
        rules.check_reference(reference),
        rules.check_unique_reference(
            reference,
            existing=ServiceUser.objects.filter(site=site, reference__iexact=reference)
            .values_list("reference", flat=True)
            .order_by(),
        ),
        rules.check_episode(
            referral_date=referral_date, profile_started=profile_started, today=_today()
        ),
        assign_errors,
    )
    _invalid(errors)
    person = ServiceUser(
        site=site,
        reference=reference,
        age_band=age_band,
        gender=gender,
        ethnicity=ethnicity,
        diagnosis_group=diagnosis_group,
        is_synthetic=is_synthetic,
    )
    person.save()
    episode = _create_episode(
        actor=actor,
        service_user=person,
        referral_date=referral_date,
        referral_source=referral_source,
        team=team,
        specialist=specialist,
        employment_status=employment_status,
        profile_started=profile_started,
    )
    _audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="caseload.referred",
        instance=episode,
        site=site,
        summary=f"Referred {reference} on {rules.day(referral_date)}",
        after={"service_user": snapshot(person), "episode": snapshot(episode)},
    )
    _changed(Episode, site, [referral_date, profile_started])
    return episode


def _create_episode(*, actor, service_user: ServiceUser, **fields) -> Episode:
    """Save a new referral episode for `service_user` and check the actor may still see it
    (so nobody can create a referral outside their own scope). Callers validate and audit."""
    episode = Episode(service_user=service_user, site=service_user.site, **fields)
    episode.save()
    _require_in_scope(actor, episode)
    return episode


@transaction.atomic
def add_episode(
    *,
    actor,
    service_user: ServiceUser,
    referral_date: date,
    specialist=None,
    team: Team | None = None,
    referral_source: str = "",
    employment_status: str = EmploymentStatus.OUT_OF_WORK,
    profile_started: date | None = None,
) -> Episode:
    """A new referral for a person already known at the site (their last one must be closed)."""
    _require_in_scope(actor, service_user)
    site = service_user.site
    if specialist is None and _is_specialist_at(actor, site):
        specialist = actor
    specialist, team, assign_errors = _assignment(site=site, specialist=specialist, team=team)
    open_episode = service_user.episodes.filter(discharge_date__isnull=True).first()
    errors = rules.merge(
        rules.check_new_episode(
            open_episode_referral=open_episode.referral_date if open_episode else None
        ),
        rules.check_episode(
            referral_date=referral_date, profile_started=profile_started, today=_today()
        ),
        assign_errors,
    )
    last_close = service_user.episodes.aggregate(last=Max("discharge_date"))["last"]
    errors = rules.merge(errors, _after_last_close(referral_date, last_close))
    _invalid(errors)
    episode = _create_episode(
        actor=actor,
        service_user=service_user,
        referral_date=referral_date,
        referral_source=referral_source,
        team=team,
        specialist=specialist,
        employment_status=employment_status,
        profile_started=profile_started,
    )
    _audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="caseload.re_referred",
        instance=episode,
        site=site,
        summary=f"New referral for {service_user.reference} on {rules.day(referral_date)}",
        after=snapshot(episode),
    )
    _changed(Episode, site, [referral_date, profile_started])
    return episode


@transaction.atomic
def update_service_user(
    *,
    actor,
    service_user: ServiceUser,
    expected_version: int | None,
    values: Mapping[str, Any],
) -> ServiceUser:
    """Change a person's ID or equality fields (age band, gender, ethnicity, diagnosis group).

    A changed age band re-decides the minimum wage and competitiveness of their jobs.
    """
    _require_in_scope(actor, service_user)
    allowed = {"reference", *EQUALITY_FIELDS}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"update_service_user cannot change {sorted(unknown)}")
    person = _lock(service_user, expected_version, values)
    before = snapshot(person)
    errors: rules.Errors = {}
    if "reference" in values:
        reference = (values["reference"] or "").strip()
        errors = rules.merge(
            rules.check_reference(reference),
            rules.check_unique_reference(
                reference,
                existing=ServiceUser.objects.filter(site=person.site, reference__iexact=reference)
                .exclude(pk=person.pk)
                .values_list("reference", flat=True)
                .order_by(),
            ),
        )
        values = {**values, "reference": reference}
    _invalid(errors)
    for name, value in values.items():
        setattr(person, name, value or "")
    _save(person)
    after = snapshot(person)
    dates: list[date] = []
    if before["age_band"] != after["age_band"]:
        table = _wages()
        for job in Job.objects.filter(episode__service_user=person).select_related("site"):
            if _recheck_job(actor, job, table, person.age_band, why="after the age band changed"):
                dates.append(job.start_date)
    _audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="caseload.service_user_changed",
        instance=person,
        site=person.site,
        summary=f"Changed {', '.join(changed_fields(before, after)) or 'nothing'} "
        f"for {person.reference}",
        before=before,
        after=after,
    )
    _changed(ServiceUser, person.site, dates)
    return person


EPISODE_FIELDS = {
    "referral_date",
    "referral_source",
    "team",
    "specialist",
    "employment_status",
    "profile_started",
    "discharge_date",
    "discharge_reason",
}


@transaction.atomic
def update_episode(
    *,
    actor,
    episode: Episode,
    expected_version: int | None,
    values: Mapping[str, Any],
) -> Episode:
    """Correct a referral: dates, source, assignment, status at referral, discharge.

    A change of specialist or team must leave the referral within the actor's own case scope
    (checked after the change, in the same transaction, so a refused change saves nothing):
    a team leader may reassign within their team (or site, if they lead no one team), an
    implementation manager within the site, a programme manager or administrator within the
    programme; a specialist cannot hand a referral to a colleague, since it would leave their
    own caseload. The refusal is a ``ValidationError`` on the ``specialist`` (or ``team``)
    field."""
    _require_in_scope(actor, episode)
    unknown = set(values) - EPISODE_FIELDS
    if unknown:
        raise ValueError(f"update_episode cannot change {sorted(unknown)}")
    current = _lock(episode, expected_version, values)
    before = snapshot(current)
    before_team = current.team
    for name, value in values.items():
        if name in {"referral_source", "discharge_reason", "employment_status"}:
            value = (value or "").strip()
        if name == "employment_status" and not value:
            value = EmploymentStatus.OUT_OF_WORK
        setattr(current, name, value)
    errors: rules.Errors = {}
    if "specialist" in values or "team" in values:
        # A new specialist brings their own team (as a new referral does) unless a different
        # team is named: the edit form sends the team unchanged along with a new specialist.
        new_specialist_only = "specialist" in values and (
            "team" not in values
            or (
                _plain(values["team"]) == before["team_id"]
                and _plain(values["specialist"]) != before["specialist_id"]
            )
        )
        spec, team, errors = _assignment(
            site=current.site,
            specialist=current.specialist,
            team=None if new_specialist_only else current.team,
        )
        current.specialist, current.team = (
            spec,
            team or (before_team if new_specialist_only else None),
        )
    bounds = _episode_bounds(current)
    errors = rules.merge(
        errors,
        rules.check_episode(
            referral_date=current.referral_date,
            profile_started=current.profile_started,
            discharge_date=current.discharge_date,
            discharge_reason=current.discharge_reason,
            today=_today(),
            **bounds,
        ),
    )
    if current.discharge_date is None:
        other_open = (
            Episode.objects.filter(
                service_user_id=current.service_user_id, discharge_date__isnull=True
            )
            .exclude(pk=current.pk)
            .first()
        )
        if other_open is not None:
            errors = rules.merge(
                errors,
                {
                    "discharge_date": [
                        "This person has another open referral "
                        f"(referred {rules.day(other_open.referral_date)}): only one may be open."
                    ]
                },
            )
    _invalid(errors)
    _save(current)
    if ("specialist" in values or "team" in values) and not scoped_cases(
        actor, Episode.objects.filter(pk=current.pk)
    ).exists():
        # Raised inside this function's transaction: the save above is rolled back.
        field_name = "specialist" if "specialist" in values else "team"
        raise ValidationError(
            {
                field_name: [
                    "You can only assign this referral to a specialist or team whose caseload "
                    "you look after; after this change it would leave your caseload."
                ]
            }
        )
    after = snapshot(current)
    _audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="caseload.episode_changed",
        instance=current,
        site=current.site,
        summary=f"Changed {', '.join(changed_fields(before, after)) or 'nothing'} "
        f"in the referral of {current.service_user.reference}",
        before=before,
        after=after,
    )
    _changed(
        Episode,
        current.site,
        [
            _as_date(before["referral_date"]),
            _as_date(before["profile_started"]),
            _as_date(before["discharge_date"]),
            current.referral_date,
            current.profile_started,
            current.discharge_date,
        ],
    )
    return current


def _as_date(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@transaction.atomic
def discharge_episode(
    *,
    actor,
    episode: Episode,
    expected_version: int | None,
    discharge_date: date,
    discharge_reason: str,
) -> Episode:
    """Close the open referral on a date with a reason."""
    _require_in_scope(actor, episode)
    current = _lock(
        episode,
        expected_version,
        {"discharge_date": discharge_date, "discharge_reason": discharge_reason},
    )
    bounds = _episode_bounds(current)
    _invalid(
        rules.check_discharge(
            referral_date=current.referral_date,
            profile_started=current.profile_started,
            discharge_date=discharge_date,
            discharge_reason=discharge_reason,
            today=_today(),
            last_record=bounds["last_record"],
            already_discharged=current.discharge_date,
        )
    )
    before = snapshot(current)
    current.discharge_date = discharge_date
    current.discharge_reason = discharge_reason
    _save(current)
    _audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="caseload.discharged",
        instance=current,
        site=current.site,
        summary=f"Discharged {current.service_user.reference} on {rules.day(discharge_date)}",
        before=before,
        after=snapshot(current),
    )
    _changed(Episode, current.site, [discharge_date])
    return current


# --------------------------------------------------------------------------------------------
# Activities

ACTIVITY_EVENTS = {
    ActivityKind.APPLICATION: "caseload.application_logged",
    ActivityKind.EMPLOYER_CONTACT: "caseload.employer_contact_logged",
    ActivityKind.EMPLOYER_INTERVIEW: "caseload.employer_interview_logged",
    ActivityKind.BENEFITS_PLANNING: "caseload.benefits_planning_logged",
    ActivityKind.IN_WORK_SUPPORT: "caseload.in_work_support_logged",
}


@transaction.atomic
def record_activity(
    *,
    actor,
    episode: Episode,
    kind: str,
    date: date,
    face_to_face: bool = False,
    matches_preferences: bool | None = None,
    employer: str = "",
    specialist=None,
) -> Activity:
    """Log a dated piece of work (application, employer contact, interview, benefits planning,
    in-work support). The work is credited to `specialist`, else to the actor when they are a
    specialist at the site, else to the episode's specialist."""
    _require_in_scope(actor, episode)
    errors: rules.Errors = {}
    if kind not in ActivityKind.values:
        errors["kind"] = ["Choose what kind of activity this was."]
    errors = rules.merge(
        errors,
        rules.check_activity(
            date_=date,
            referral_date=episode.referral_date,
            discharge_date=episode.discharge_date,
            today=_today(),
        ),
    )
    _invalid(errors)
    if specialist is None:
        specialist = actor if _is_specialist_at(actor, episode.site) else episode.specialist
    activity = Activity(
        episode=episode,
        site_id=episode.site_id,
        kind=kind,
        date=date,
        face_to_face=face_to_face if kind != ActivityKind.APPLICATION else False,
        matches_preferences=matches_preferences,
        employer=(employer or "").strip(),
        specialist=specialist,
    )
    activity.save()
    _audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event=ACTIVITY_EVENTS.get(kind, "caseload.activity_logged"),
        instance=activity,
        site=episode.site,
        summary=f"{activity.get_kind_display()} for {episode.service_user.reference} on "
        f"{rules.day(date)}",
        after=snapshot(activity),
    )
    _changed(Activity, episode.site, [date])
    return activity


@transaction.atomic
def delete_activity(*, actor, activity: Activity, expected_version: int | None) -> None:
    """Remove an activity logged by mistake (audited, with what it was)."""
    _require_in_scope(actor, activity)
    current = _lock(activity, expected_version)
    before = snapshot(current)
    site = current.episode.site
    reference = current.episode.service_user.reference
    current.delete()
    _audit(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        event="caseload.activity_removed",
        instance=None,
        site=site,
        summary=f"Removed an activity of {reference} dated {before['date']}",
        before=before,
    )
    _changed(Activity, site, [_as_date(before["date"])])


# --------------------------------------------------------------------------------------------
# Jobs


def _job_errors(episode: Episode, job: Job) -> rules.Errors:
    return rules.check_job(
        start_date=job.start_date,
        end_date=job.end_date,
        end_reason=job.end_reason,
        hours_per_week=job.hours_per_week,
        hourly_pay=job.hourly_pay,
        employer=job.employer,
        job_title=job.job_title,
        referral_date=episode.referral_date,
        profile_started=episode.profile_started,
        discharge_date=episode.discharge_date,
        today=_today(),
    )


def _decide_wage(job: Job, age_band: str) -> None:
    decision = _wages().decide(
        start_date=job.start_date,
        age_band=age_band,
        hourly_pay=job.hourly_pay,
        open_to_anyone=job.open_to_anyone,
    )
    job.minimum_wage = decision.minimum_wage
    job.is_competitive = decision.is_competitive


def _to_decimal(value):
    if value is None or value == "" or isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().lstrip("£"))
    except ArithmeticError:
        return value


@transaction.atomic
def record_job_start(
    *,
    actor,
    episode: Episode,
    start_date: date,
    employer: str,
    job_title: str,
    hours_per_week: Decimal,
    hourly_pay: Decimal,
    occupation_group: str = "",
    open_to_anyone: bool = True,
    end_date: date | None = None,
    end_reason: str = "",
) -> Job:
    """Record a job the person started (second and later jobs too). Decides the minimum wage
    in force on the start date and whether the job is competitive (see wages.py)."""
    _require_in_scope(actor, episode)
    job = Job(
        episode=episode,
        site_id=episode.site_id,
        start_date=start_date,
        employer=(employer or "").strip(),
        job_title=(job_title or "").strip(),
        occupation_group=occupation_group or "",
        hours_per_week=_to_decimal(hours_per_week),
        hourly_pay=_to_decimal(hourly_pay),
        open_to_anyone=open_to_anyone,
        end_date=end_date,
        end_reason=end_reason or "",
    )
    _invalid(_job_errors(episode, job))
    job.hours_per_week = Decimal(job.hours_per_week)
    job.hourly_pay = Decimal(job.hourly_pay)
    _decide_wage(job, episode.service_user.age_band)
    job.save()
    _audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        event="caseload.job_started",
        instance=job,
        site=episode.site,
        summary=f"{episode.service_user.reference} started work as {job.job_title} on "
        f"{rules.day(start_date)}",
        after=snapshot(job),
    )
    _changed(Job, episode.site, [start_date, end_date])
    return job


JOB_FIELDS = {
    "start_date",
    "employer",
    "job_title",
    "occupation_group",
    "hours_per_week",
    "hourly_pay",
    "open_to_anyone",
    "end_date",
    "end_reason",
}


@transaction.atomic
def update_job(*, actor, job: Job, expected_version: int | None, values: Mapping[str, Any]) -> Job:
    """Correct a job's details (re-deciding the minimum wage and competitiveness)."""
    _require_in_scope(actor, job)
    unknown = set(values) - JOB_FIELDS
    if unknown:
        raise ValueError(f"update_job cannot change {sorted(unknown)}")
    current = _lock(job, expected_version, values)
    before = snapshot(current)
    for name, value in values.items():
        if name in {"hours_per_week", "hourly_pay"}:
            value = _to_decimal(value)
        elif name in {"employer", "job_title", "occupation_group", "end_reason"}:
            value = (value or "").strip()
        if name == "employment_status" and not value:
            value = EmploymentStatus.OUT_OF_WORK
        setattr(current, name, value)
    episode = current.episode
    _invalid(_job_errors(episode, current))
    _decide_wage(current, episode.service_user.age_band)
    _save(current)
    after = snapshot(current)
    ended = not before["end_date"] and after["end_date"]
    _audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="caseload.job_ended" if ended else "caseload.job_changed",
        instance=current,
        site=episode.site,
        summary=f"Changed {', '.join(changed_fields(before, after)) or 'nothing'} in the job "
        f"of {episode.service_user.reference}",
        before=before,
        after=after,
    )
    _changed(
        Job,
        episode.site,
        [
            _as_date(before["start_date"]),
            _as_date(before["end_date"]),
            current.start_date,
            current.end_date,
        ],
    )
    return current


@transaction.atomic
def record_job_end(
    *,
    actor,
    job: Job,
    expected_version: int | None,
    end_date: date,
    end_reason: str,
) -> Job:
    """Record that a job ended, on a date (not before it started) and for a reason."""
    _require_in_scope(actor, job)
    current = _lock(job, expected_version, {"end_date": end_date, "end_reason": end_reason})
    errors = rules.check_job_end(
        start_date=current.start_date, end_date=end_date, end_reason=end_reason, today=_today()
    )
    if current.end_date and not errors:
        errors = {
            "end_date": [
                f"This job already ended on {rules.day(current.end_date)}; "
                "change it from the job's page instead."
            ]
        }
    _invalid(errors)
    before = snapshot(current)
    current.end_date = end_date
    current.end_reason = end_reason
    _save(current)
    episode = current.episode
    _audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="caseload.job_ended",
        instance=current,
        site=episode.site,
        summary=f"The job of {episode.service_user.reference} as {current.job_title} ended on "
        f"{rules.day(end_date)}",
        before=before,
        after=snapshot(current),
    )
    _changed(Job, episode.site, [end_date])
    return current


# --------------------------------------------------------------------------------------------
# Removal (administrators)


@transaction.atomic
def remove_service_user(*, actor, service_user: ServiceUser, reason: str = "") -> None:
    """Delete a person and all their records. Administrators only.

    The audit event keeps only what is needed to account for the removal: the pseudonymous ID,
    the site, the ids and counts of the referrals, activities and jobs removed, who removed them
    and why. It deliberately keeps no copy of the person's details or of their records, so a
    removal (a record entered in error, or an erasure) does not leave them in the audit trail."""
    scope = scope_for(actor)
    if not scope.has_role(Role.ADMINISTRATOR):
        raise CaseloadPermissionError("Only an administrator can remove a service user.")
    _require_in_scope(actor, service_user)
    person = ServiceUser.objects.select_for_update().get(pk=service_user.pk)
    site = person.site
    episodes = list(person.episodes.all())
    jobs = list(Job.objects.filter(episode__service_user=person))
    activities = list(
        Activity.objects.filter(episode__service_user=person).values_list("id", "date")
    )
    dates = [d for e in episodes for d in (e.referral_date, e.profile_started, e.discharge_date)]
    dates += [d for j in jobs for d in (j.start_date, j.end_date)]
    dates += [day for _, day in activities]
    pk = person.pk
    reference = person.reference
    before = {
        "service_user": {"id": pk, "reference": reference, "site": site.pk},
        "episode_ids": sorted(e.pk for e in episodes),
        "activity_ids": sorted(a for a, _ in activities),
        "job_ids": sorted(j.pk for j in jobs),
        "counts": {
            "episodes": len(episodes),
            "activities": len(activities),
            "jobs": len(jobs),
        },
        "reason": reason,
    }
    person.delete()
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        event="caseload.service_user_removed",
        entity=ServiceUser._meta.label,
        entity_id=pk,
        site=site,
        summary=f"Removed {reference} at {site.name} with {len(episodes)} referral(s), "
        f"{len(activities)} activities and {len(jobs)} job(s)"
        + (f". Reason: {reason}" if reason else ""),
        before=before,
    )
    _changed(ServiceUser, site, dates)


# --------------------------------------------------------------------------------------------
# Minimum-wage rate changes


@transaction.atomic
def recheck_minimum_wage(*, actor, site: Site | None = None) -> int:
    """Re-decide every job's minimum wage and competitiveness against the current rate table
    (after an administrator edits the rates). Administrators only. Returns how many jobs
    changed; each change is audited and `records_changed` is sent per site."""
    if not scope_for(actor).has_role(Role.ADMINISTRATOR):
        raise CaseloadPermissionError("Only an administrator can re-check jobs against the rates.")
    table = _wages()
    jobs = scoped_cases(actor, Job.objects.all()).select_related("episode__service_user", "site")
    if site is not None:
        jobs = jobs.filter(site=site)
    changed = 0
    for job in jobs.select_for_update(of=("self",)).order_by("pk"):
        if _recheck_job(actor, job, table, job.episode.service_user.age_band):
            changed += 1
            _changed(Job, job.site, [job.start_date])
    return changed


def _recheck_job(actor, job: Job, table, age_band: str, why: str = "") -> bool:
    """Re-decide one job's minimum wage and competitiveness; save and audit it if they
    change. Returns whether they did."""
    decision = table.decide(
        start_date=job.start_date,
        age_band=age_band,
        hourly_pay=job.hourly_pay,
        open_to_anyone=job.open_to_anyone,
    )
    if (job.minimum_wage, job.is_competitive) == (decision.minimum_wage, decision.is_competitive):
        return False
    before = snapshot(job)
    job.minimum_wage = decision.minimum_wage
    job.is_competitive = decision.is_competitive
    _save(job)
    _audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        event="caseload.job_rechecked",
        instance=job,
        site=job.site,
        summary=f"Re-checked against the minimum wage{' ' + why if why else ''}: "
        f"{decision.explanation}",
        before=before,
        after=snapshot(job),
    )
    return True


# --------------------------------------------------------------------------------------------
# Bulk writes (the monthly returns import)


def records_fingerprint(*, site: Site) -> str:
    """A short fingerprint of the site's case records, in four aggregate queries.

    Any service write changes it: a new or removed record changes the count or the highest id,
    and every change bumps a ``version`` (so its sum) and ``updated_at``. The returns preview
    stores it; :func:`bulk_apply` refuses to apply when it has moved on."""
    parts = []
    for model in (ServiceUser, Episode, Activity, Job):
        agg = model._default_manager.filter(site=site).aggregate(
            n=models.Count("id"),
            top=Max("id"),
            versions=models.Sum("version"),
            latest=Max("updated_at"),
        )
        latest = agg["latest"].isoformat() if agg["latest"] else "-"
        parts.append(f"{agg['n']}:{agg['top'] or 0}:{agg['versions'] or 0}:{latest}")
    return "|".join(parts)


class RecordsChangedError(ValidationError):
    """The site's records changed after the file was checked (see :func:`records_fingerprint`)."""


class PendingRecord:
    """A record queued by :class:`BulkWriter`; ``pk`` is set once it is written."""

    __slots__ = ("pk",)

    def __init__(self) -> None:
        self.pk: int | None = None


RecordRef = int | PendingRecord


def _pk(ref: RecordRef | None) -> int | None:
    return ref.pk if isinstance(ref, PendingRecord) else ref


def _key(ref: RecordRef | None):
    """A dictionary key for a record: its pk once written, else the pending reference."""
    if isinstance(ref, PendingRecord) and ref.pk is not None:
        return ref.pk
    return ref


_PLAIN_JSON = (type(None), bool, int, str, float)


def _json_value(value):
    """A field value as the audit's JSON holds it (as DjangoJSONEncoder writes it)."""
    kind = type(value)
    if kind in _PLAIN_JSON:
        return value
    if kind is date:
        return _date_json(value)
    if kind is Decimal:
        return str(value)
    if isinstance(value, bool | int | str | float):
        return value
    last = _LAST_DATETIME.__dict__
    if kind is datetime and value is last.get("value"):
        return last["text"]  # a batch's records share one timestamp
    text = _json_encoder().default(value)
    if kind is datetime:
        last["value"], last["text"] = value, text
    return text


_date_json = functools.lru_cache(maxsize=4096)(date.isoformat)  # days repeat across records
# The last timestamp turned into JSON, matched by identity (equal datetimes in different time
# zones would hash alike but print differently); one per thread (applies may run side by side).
_LAST_DATETIME = threading.local()


_SNAPSHOT_FIELDS: dict[type, list[str]] = {}
_day = functools.lru_cache(maxsize=4096)(rules.day)
_ACTIVITY_KINDS = frozenset(ActivityKind.values)


def _fast_snapshot(instance: models.Model) -> dict[str, Any]:
    """The same dict as :func:`ipsworks.audit.services.snapshot`, without a JSON round trip."""
    model = type(instance)
    names = _SNAPSHOT_FIELDS.get(model)
    if names is None:
        names = _SNAPSHOT_FIELDS[model] = [f.attname for f in model._meta.concrete_fields]
    values = instance.__dict__
    return {name: _json_value(values[name]) for name in names}


_ROW_TEMPLATES: dict[type, dict[str, Any]] = {}


def _new_row(model, **values) -> dict[str, Any]:
    """A new record as a plain dict (every concrete field by attname, in the model's order,
    defaults filled in, ``id`` None until inserted): what :class:`BulkWriter` queues instead of
    building a model instance per record."""
    template = _ROW_TEMPLATES.get(model)
    if template is None:
        template = _ROW_TEMPLATES[model] = {
            f.attname: None
            if f.primary_key
            else (str(f.get_default()) if isinstance(f.get_default(), str) else f.get_default())
            for f in model._meta.concrete_fields
        }
    row = dict(template)
    row.update(values)
    return row


def _row_snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """The audit snapshot of a row made by :func:`_new_row` (as :func:`_fast_snapshot`)."""
    snap = dict(row)
    plain = _PLAIN_JSON
    for name, value in row.items():
        if type(value) not in plain:
            snap[name] = _json_value(value)
    return snap


def _insert_rows(model, rows: list[dict[str, Any]], *, batch_size: int) -> None:
    """Insert rows made by :func:`_new_row`; sets each row's ``id``."""
    if not rows:
        return
    names = [name for name in rows[0] if name != "id"]
    values = [tuple(row[name] for name in names) for row in rows]
    pks = _bulk_insert(model, names, values, batch_size=batch_size, returning=True)
    for row, pk in zip(rows, pks, strict=True):
        row["id"] = pk


def _bulk_insert(model, fields: list[str], rows: list[tuple], *, batch_size: int, returning: bool):
    """Insert `rows` (values in the order of `fields`) with multi-row INSERT statements (COPY
    on PostgreSQL, see :func:`_bulk_copy`) and return the new primary keys in order
    (``returning=True``). The same SQL ``bulk_create``
    sends, without building a model instance and a compiler per row: values are prepared with
    each field's own ``get_db_prep_save``."""
    connection = connections[model._default_manager.db]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    if connection.vendor == "postgresql":
        return _bulk_copy(connection, meta, columns, rows, returning)
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)})"
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    limit = connection.features.max_query_params
    size = min(batch_size, limit // len(columns)) if limit else batch_size
    preps = [_prep_for(f, connection) for f in columns]
    pks: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            # Column by column (the loops run in C), preparing only the columns that need it.
            values = list(zip(*chunk, strict=True))
            for n, prep in enumerate(preps):
                if prep is not None:
                    values[n] = map(prep, values[n])
            params = list(chain.from_iterable(zip(*values, strict=True)))
            cursor.execute(f"{head} VALUES {', '.join([one] * len(chunk))}{tail}", params)
            if returning:
                pks += [r[0] for r in cursor.fetchall()]
    return pks


def _bulk_copy(connection, meta, columns, rows, returning: bool) -> list[int]:
    """PostgreSQL: ``COPY ... FROM STDIN`` (psycopg's copy, which formats rows in C), the
    fastest way in. When the new primary keys are wanted they are drawn from the table's own
    sequence first (``nextval``, as an INSERT would) and copied in with the rows. JSON columns
    travel as JSON text."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    names = [f.column for f in columns]
    json_at = [n for n, f in enumerate(columns) if isinstance(f, models.JSONField)]
    pks: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            pks = [r[0] for r in cursor.fetchall()]
            names = [meta.pk.column, *names]
        # Identifiers come from the model's metadata; the values go through COPY's own format.
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        encode = _json_encoder().encode
        with cursor.cursor.copy(sql) as copy:
            for index, row in enumerate(rows):
                if json_at:
                    row = list(row)
                    for n in json_at:
                        if row[n] is not None:
                            row[n] = encode(row[n])
                copy.write_row((pks[index], *row) if returning else row)
    return pks


_JSON_ENCODER = None


def _json_encoder():
    """One DjangoJSONEncoder for the audit JSON the bulk path writes."""
    global _JSON_ENCODER
    if _JSON_ENCODER is None:
        from django.core.serializers.json import DjangoJSONEncoder

        _JSON_ENCODER = DjangoJSONEncoder()
    return _JSON_ENCODER


def _prep_for(field, connection):
    """How a value of `field` is made ready for the database: None when it goes as it is
    (text, whole numbers, booleans), JSON text for a JSON field without its own encoder on
    SQLite (what ``get_db_prep_save`` writes there, without building an encoder per value),
    else :func:`_cached_prep`."""
    if isinstance(field, models.CharField | models.BooleanField | models.IntegerField):
        return None
    if (
        isinstance(field, models.JSONField)
        and field.encoder is None
        and connection.vendor == "sqlite"
    ):
        encode = _PLAIN_ENCODER.encode
        return lambda value: None if value is None else encode(value)
    return _cached_prep(field, connection)


_PLAIN_ENCODER = json.JSONEncoder()  # what json.dumps uses when given no options


def _cached_prep(field, connection):
    """``field.get_db_prep_save`` remembered per value (dates, ids and timestamps repeat)."""
    cache: dict = {}

    def prep(value):
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = field.get_db_prep_save(value, connection)
            return result
        except TypeError:  # unhashable (JSON)
            return field.get_db_prep_save(value, connection)

    return prep


AUDIT_FIELDS = [
    "at",
    "actor",
    "actor_label",
    "action",
    "event",
    "entity",
    "entity_id",
    "site",
    "programme",
    "summary",
    "before",
    "after",
]
ACTIVITY_INSERT = [
    "episode",
    "site",
    "kind",
    "date",
    "face_to_face",
    "matches_preferences",
    "specialist",
    "employer",
    "version",
    "created_at",
    "updated_at",
]


@dataclass(slots=True)
class _NewEpisode:
    person: PendingRecord | int
    person_row: dict | None  # the new person (a _new_row), or None for a known one
    ref: PendingRecord
    row: dict  # the episode (a _new_row)
    reference: str


class BulkWriter:
    """Queues caseload writes for one site and writes them with ``bulk_create``/``bulk_update``
    every ``batch_size`` records. Obtained from :func:`bulk_apply`; do not build one yourself.

    Each method takes what the per-record services take, applies the checks the services make
    beyond :mod:`ipsworks.caseload.rules` (which the caller has already run on every row:
    the returns importer does), and raises ``ValidationError`` for the row, before anything of
    the row is queued. Memory is bounded by ``batch_size`` plus a few small per-site maps."""

    def __init__(
        self, *, actor, site: Site, batch_size: int, note: str, in_post_on: date | None = None
    ):
        self.actor = actor
        self.site = site
        self.batch_size = batch_size
        self.note = note
        self.now = timezone.now()
        self.now_json = _json_value(self.now)
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.actor_label = getattr(actor, "username", "") or "system"
        self.wages = WageTable.load()
        self.actor_is_specialist = _is_specialist_at(actor, site)
        # The team of each specialist in post at the site (their latest active membership), as
        # _assignment: someone who has left cannot be given referrals. "In post" is judged on
        # `in_post_on` (default today): a return for a past month may name who was in post then.
        self.specialist_team: dict[int, int | None] = {}
        for user_id, team_id in (
            Membership.objects.active(on=in_post_on)
            .filter(role=Role.SPECIALIST, site=site)
            .order_by("user_id", "-start_date", "-id")
            .values_list("user_id", "team_id")
        ):
            self.specialist_team.setdefault(user_id, team_id)
        # Per person, for the records queued since the last flush: age band (jobs' minimum
        # wage) and latest discharge (new referrals). Looked up when needed and forgotten at
        # each flush (what is flushed is then in the database), so memory stays flat.
        self.age_band: dict[Any, str] = {}
        self.last_close: dict[Any, date | None] = {}
        self.dates: set[date] = set()
        self.counts: Counter = Counter()
        self._people: list[tuple[PendingRecord, dict]] = []
        self._episodes: list[_NewEpisode] = []
        self._episode_changes: dict[int, dict[str, Any]] = {}
        self._activities: list[tuple[RecordRef, str, date, int]] = []
        self._jobs: list[tuple[RecordRef, dict]] = []
        self._job_changes: dict[int, dict[str, Any]] = {}
        # A cache for one flush: episode pk -> (person pk, person's ID, specialist pk).
        self._episode_people: dict[int, tuple[int, str, int | None]] = {}
        self._pending = 0

    # -- queueing ------------------------------------------------------------------------------

    def _last_close(self, person: RecordRef) -> date | None:
        """The person's latest discharge: queued in this batch, else recorded."""
        key = _key(person)
        if key not in self.last_close:
            pk = _pk(person)
            self.last_close[key] = (
                Episode.objects.filter(service_user_id=pk, discharge_date__isnull=False).aggregate(
                    last=Max("discharge_date")
                )["last"]
                if pk is not None
                else None
            )
        return self.last_close[key]

    def _queued(self, n: int = 1) -> None:
        self._pending += n
        if self._pending >= self.batch_size:
            self.flush()

    def new_episode(
        self,
        *,
        service_user: RecordRef | None,
        reference: str,
        referral_date: date,
        specialist_id: int | None = None,
        referral_source: str = "",
        employment_status: str = EmploymentStatus.OUT_OF_WORK,
        profile_started: date | None = None,
        discharge_date: date | None = None,
        discharge_reason: str = "",
    ) -> tuple[RecordRef, PendingRecord]:
        """A referral: of a new person (``service_user=None``, as :func:`refer_service_user`) or
        of a known one (as :func:`add_episode`), discharged at once when a discharge is given
        (as :func:`discharge_episode`). Returns (person, episode) references."""
        if specialist_id is None and self.actor_is_specialist:
            specialist_id = self.actor.pk
        errors: rules.Errors = {}
        if specialist_id is not None and specialist_id not in self.specialist_team:
            errors["specialist"] = [
                f"This specialist is not an employment specialist at {self.site.name}."
            ]
        last_close = self._last_close(service_user) if service_user is not None else None
        errors = rules.merge(errors, _after_last_close(referral_date, last_close))
        discharged = bool(discharge_date or discharge_reason)
        if discharged:
            errors = rules.merge(
                errors,
                rules.check_discharge(
                    referral_date=referral_date,
                    profile_started=profile_started,
                    discharge_date=discharge_date,
                    discharge_reason=discharge_reason or "",
                    today=_today(),
                ),
            )
        _invalid(errors)
        reference = (reference or "").strip()
        person_row = None
        if service_user is None:
            person_ref: RecordRef = PendingRecord()
            person_row = _new_row(
                ServiceUser,
                created_at=self.now,
                updated_at=self.now,
                site_id=self.site.pk,
                reference=reference,
            )
            self._people.append((person_ref, person_row))
        else:
            person_ref = service_user
        episode = _new_row(
            Episode,
            created_at=self.now,
            updated_at=self.now,
            site_id=self.site.pk,
            referral_date=referral_date,
            referral_source=referral_source or "",
            team_id=self.specialist_team.get(specialist_id) if specialist_id else None,
            specialist_id=specialist_id,
            employment_status=str(employment_status or EmploymentStatus.OUT_OF_WORK),
            profile_started=profile_started,
        )
        if discharged:
            episode["discharge_date"] = discharge_date
            episode["discharge_reason"] = discharge_reason or ""
            episode["version"] = 2  # created, then discharged: as the per-record services leave it
            self.last_close[_key(person_ref)] = discharge_date
        ref = PendingRecord()
        self._episodes.append(_NewEpisode(person_ref, person_row, ref, episode, reference))
        self.dates.update(d for d in (referral_date, profile_started, discharge_date) if d)
        self._queued(2 if person_row else 1)
        return person_ref, ref

    def update_episode(self, *, episode_id: int, changes: Mapping[str, Any]) -> None:
        """Correct fields of an existing referral (as :func:`update_episode`; ``specialist``
        given as a user id)."""
        unknown = set(changes) - EPISODE_FIELDS
        if unknown:
            raise ValueError(f"update_episode cannot change {sorted(unknown)}")
        spec = changes.get("specialist")
        if spec is not None and _pk(spec) not in self.specialist_team:
            raise ValidationError(
                {
                    "specialist": [
                        f"This specialist is not an employment specialist at {self.site.name}."
                    ]
                }
            )
        self._episode_changes.setdefault(episode_id, {}).update(changes)
        self._queued()

    def add_activities(self, *, episode: RecordRef, kind: str, day: date, number: int) -> None:
        """`number` activities of `kind` on `day` (as :func:`record_activity` each)."""
        if kind not in _ACTIVITY_KINDS:
            raise ValidationError({"kind": ["Choose what kind of activity this was."]})
        if number <= 0:
            return
        self._activities.append((episode, kind, day, number))
        self.dates.add(day)
        self._queued(number)

    def new_job(
        self,
        *,
        episode: RecordRef,
        start_date: date,
        employer: str,
        job_title: str,
        hours_per_week: Decimal,
        hourly_pay: Decimal,
        occupation_group: str = "",
        end_date: date | None = None,
        end_reason: str = "",
    ) -> None:
        """A job start (as :func:`record_job_start`; the minimum wage is decided from the
        person's age band with the table loaded once)."""
        job = _new_row(
            Job,
            created_at=self.now,
            updated_at=self.now,
            site_id=self.site.pk,
            start_date=start_date,
            employer=(employer or "").strip(),
            job_title=(job_title or "").strip(),
            occupation_group=occupation_group or "",
            hours_per_week=Decimal(_to_decimal(hours_per_week)),
            hourly_pay=Decimal(_to_decimal(hourly_pay)),
            open_to_anyone=True,
            end_date=end_date,
            end_reason=end_reason or "",
        )
        self._jobs.append((episode, job))
        self.dates.update(d for d in (start_date, end_date) if d)
        self._queued()

    def update_job(self, *, job_id: int, changes: Mapping[str, Any]) -> None:
        """Correct an existing job (as :func:`update_job`)."""
        unknown = set(changes) - JOB_FIELDS
        if unknown:
            raise ValueError(f"update_job cannot change {sorted(unknown)}")
        self._job_changes.setdefault(job_id, {}).update(changes)
        self._queued()

    # -- writing -------------------------------------------------------------------------------

    def _event(self, *, action, event, entity, pk, summary, before=None, after=None) -> tuple:
        """One audit row (values in AUDIT_FIELDS order)."""
        self.counts[event] += 1
        return (
            self.now,
            self.actor_id,
            self.actor_label,
            action,
            event,
            entity,
            str(pk),
            self.site.pk,
            self.site.programme_id,
            (summary + self.note)[:500],
            before,
            after,
        )

    def flush(self) -> None:
        """Write everything queued (a few bulk statements per kind of record)."""
        size = self.batch_size
        audit: list[tuple] = []
        if self._people:
            _insert_rows(ServiceUser, [p for _r, p in self._people], batch_size=size)
            for ref, person in self._people:
                ref.pk = person["id"]
        if self._episodes:
            for item in self._episodes:
                item.row["service_user_id"] = _pk(item.person)
            _insert_rows(Episode, [i.row for i in self._episodes], batch_size=size)
            for item in self._episodes:
                ep = item.row
                item.ref.pk = ep["id"]
                self._episode_people[ep["id"]] = (
                    ep["service_user_id"],
                    item.reference,
                    ep["specialist_id"],
                )
                after_episode = _row_snapshot(ep)
                if item.person_row is not None:
                    audit.append(
                        self._event(
                            action=AuditEvent.Action.CREATE,
                            event="caseload.referred",
                            entity=Episode._meta.label,
                            pk=ep["id"],
                            summary=f"Referred {item.reference} on {_day(ep['referral_date'])}",
                            after={
                                "service_user": _row_snapshot(item.person_row),
                                "episode": after_episode,
                            },
                        )
                    )
                else:
                    audit.append(
                        self._event(
                            action=AuditEvent.Action.CREATE,
                            event="caseload.re_referred",
                            entity=Episode._meta.label,
                            pk=ep["id"],
                            summary=f"New referral for {item.reference} on "
                            f"{_day(ep['referral_date'])}",
                            after=after_episode,
                        )
                    )
        if self._episode_changes:
            audit += self._flush_episode_changes()
        if self._activities:
            audit += self._flush_activities()
        if self._jobs:
            audit += self._flush_jobs()
        if self._job_changes:
            audit += self._flush_job_changes()
        _bulk_insert(AuditEvent, AUDIT_FIELDS, audit, batch_size=size, returning=False)
        self._people.clear()
        self._episodes.clear()
        self._episode_people.clear()
        self.age_band.clear()
        self.last_close.clear()
        self._pending = 0

    def _references(self, episode_ids) -> None:
        missing = [pk for pk in episode_ids if pk not in self._episode_people]
        for start in range(0, len(missing), 900):
            for pk, person, reference, band, spec in Episode.objects.filter(
                pk__in=missing[start : start + 900]
            ).values_list(
                "id",
                "service_user_id",
                "service_user__reference",
                "service_user__age_band",
                "specialist_id",
            ):
                self._episode_people[pk] = (person, reference, spec)
                self.age_band.setdefault(person, band)

    def _flush_episode_changes(self) -> list[tuple]:
        changes, self._episode_changes = self._episode_changes, {}
        audit = []
        rows = []
        ids = list(changes)
        for start in range(0, len(ids), 900):
            rows += list(Episode.objects.filter(site=self.site, pk__in=ids[start : start + 900]))
        if len(rows) != len(ids):
            raise ValidationError("A referral in the file is no longer in ipsworks.")
        for current in rows:
            before = _fast_snapshot(current)
            for name, value in changes[current.pk].items():
                if name in {"referral_source", "discharge_reason", "employment_status"}:
                    value = (value or "").strip()
                if name == "employment_status" and not value:
                    value = EmploymentStatus.OUT_OF_WORK
                if name == "specialist":
                    current.specialist_id = _pk(value)
                    continue
                if name == "team":
                    current.team_id = _pk(value)
                    continue
                setattr(current, name, value)
            changed = changes[current.pk]
            if "specialist" in changed and "team" not in changed:
                # As update_episode: a new specialist brings their own team.
                if current.specialist_id is not None:
                    current.team_id = (
                        self.specialist_team.get(current.specialist_id) or current.team_id
                    )
            elif "team" in changed and current.team_id is None and current.specialist_id:
                current.team_id = self.specialist_team.get(current.specialist_id)
            current.version = (current.version or 0) + 1
            current.updated_at = self.now
            after = _fast_snapshot(current)
            self.dates.update(
                d
                for d in (
                    _as_date(before["referral_date"]),
                    _as_date(before["profile_started"]),
                    _as_date(before["discharge_date"]),
                    current.referral_date,
                    current.profile_started,
                    current.discharge_date,
                )
                if d
            )
            self._references([current.pk])
            reference = self._episode_people[current.pk][1]
            audit.append(
                self._event(
                    action=AuditEvent.Action.UPDATE,
                    event="caseload.episode_changed",
                    entity=Episode._meta.label,
                    pk=current.pk,
                    summary=f"Changed {', '.join(changed_fields(before, after)) or 'nothing'} "
                    f"in the referral of {reference}",
                    before=before,
                    after=after,
                )
            )
        fields = sorted(
            {"version", "updated_at", "team"} | {n for c in changes.values() for n in c}
        )
        Episode.objects.bulk_update(rows, fields, batch_size=self.batch_size)
        return audit

    def _flush_activities(self) -> list[tuple]:
        queued, self._activities = self._activities, []
        self._references(list({_pk(ref) for ref, *_rest in queued}))
        rows = []
        for ref, kind, day, number in queued:
            ep_id = _pk(ref)
            spec = self.actor.pk if self.actor_is_specialist else self._episode_people[ep_id][2]
            row = (ep_id, self.site.pk, kind, day, False, None, spec, "", 1, self.now, self.now)
            rows += [row] * number
        pks = _bulk_insert(
            Activity, ACTIVITY_INSERT, rows, batch_size=self.batch_size, returning=True
        )
        audit = []
        labels = dict(ActivityKind.choices)
        now = self.now_json
        for pk, (ep_id, site_id, kind, day, _f, _m, spec, _e, _v, _c, _u) in zip(
            pks, rows, strict=True
        ):
            reference = self._episode_people[ep_id][1]
            audit.append(
                self._event(
                    action=AuditEvent.Action.CREATE,
                    event=ACTIVITY_EVENTS.get(kind, "caseload.activity_logged"),
                    entity=Activity._meta.label,
                    pk=pk,
                    summary=f"{labels[kind]} for {reference} on {_day(day)}",
                    after={
                        "id": pk,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                        "episode_id": ep_id,
                        "site_id": site_id,
                        "kind": kind,
                        "date": day.isoformat(),
                        "face_to_face": False,
                        "matches_preferences": None,
                        "specialist_id": spec,
                        "employer": "",
                    },
                )
            )
        return audit

    def _flush_jobs(self) -> list[tuple]:
        queued, self._jobs = self._jobs, []
        self._references([_pk(ref) for ref, _job in queued])
        rows = []
        for ref, job in queued:
            job["episode_id"] = episode_id = _pk(ref)
            person_id = self._episode_people[episode_id][0]
            decision = self.wages.decide(
                start_date=job["start_date"],
                age_band=self.age_band.get(person_id, ""),
                hourly_pay=job["hourly_pay"],
                open_to_anyone=job["open_to_anyone"],
            )
            job["minimum_wage"] = decision.minimum_wage
            job["is_competitive"] = decision.is_competitive
            rows.append(job)
        _insert_rows(Job, rows, batch_size=self.batch_size)
        return [
            self._event(
                action=AuditEvent.Action.CREATE,
                event="caseload.job_started",
                entity=Job._meta.label,
                pk=job["id"],
                summary=f"{self._episode_people[job['episode_id']][1]} started work as "
                f"{job['job_title']} on {_day(job['start_date'])}",
                after=_row_snapshot(job),
            )
            for job in rows
        ]

    def _flush_job_changes(self) -> list[tuple]:
        changes, self._job_changes = self._job_changes, {}
        ids = list(changes)
        rows = []
        for start in range(0, len(ids), 900):
            rows += list(Job.objects.filter(site=self.site, pk__in=ids[start : start + 900]))
        if len(rows) != len(ids):
            raise ValidationError("A job in the file is no longer in ipsworks.")
        self._references([j.episode_id for j in rows])
        audit = []
        for current in rows:
            before = _fast_snapshot(current)
            for name, value in changes[current.pk].items():
                if name in {"hours_per_week", "hourly_pay"}:
                    value = _to_decimal(value)
                elif name in {"employer", "job_title", "occupation_group", "end_reason"}:
                    value = (value or "").strip()
                setattr(current, name, value)
            person_id, reference, _spec = self._episode_people[current.episode_id]
            decision = self.wages.decide(
                start_date=current.start_date,
                age_band=self.age_band.get(person_id, ""),
                hourly_pay=current.hourly_pay,
                open_to_anyone=current.open_to_anyone,
            )
            current.minimum_wage = decision.minimum_wage
            current.is_competitive = decision.is_competitive
            current.version = (current.version or 0) + 1
            current.updated_at = self.now
            after = _fast_snapshot(current)
            ended = not before["end_date"] and after["end_date"]
            self.dates.update(
                d
                for d in (
                    _as_date(before["start_date"]),
                    _as_date(before["end_date"]),
                    current.start_date,
                    current.end_date,
                )
                if d
            )
            audit.append(
                self._event(
                    action=AuditEvent.Action.UPDATE,
                    event="caseload.job_ended" if ended else "caseload.job_changed",
                    entity=Job._meta.label,
                    pk=current.pk,
                    summary=f"Changed {', '.join(changed_fields(before, after)) or 'nothing'} "
                    f"in the job of {reference}",
                    before=before,
                    after=after,
                )
            )
        fields = sorted(
            {"version", "updated_at", "minimum_wage", "is_competitive"}
            | {n for c in changes.values() for n in c}
        )
        Job.objects.bulk_update(rows, fields, batch_size=self.batch_size)
        return audit


ANALYZE_AFTER = 10_000  # records written in one bulk apply


def _refresh_planner_statistics() -> None:
    """After a large load, PostgreSQL's planner still believes the tables as small as before
    until autovacuum gets to them, and may scan whole tables where an index is far better (the
    next import reads people a chunk at a time). ANALYZE refreshes its statistics at once (it
    runs inside the transaction). SQLite plans without statistics, so nothing is done there."""
    connection = connections[ServiceUser._default_manager.db]
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (ServiceUser, Episode, Activity, Job)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _after_last_close(referral_date: date | None, last_close: date | None) -> rules.Errors:
    """A new referral may not start before the person's previous referral was closed."""
    if referral_date and last_close and referral_date < last_close:
        return {
            "referral_date": [
                f"The new referral date ({_day(referral_date)}) is before the previous "
                f"referral was closed ({_day(last_close)})."
            ]
        }
    return {}


@contextlib.contextmanager
def bulk_apply(
    *,
    actor,
    site: Site,
    expected_fingerprint: str | None = None,
    batch_size: int = 2000,
    note: str = "",
    in_post_on: date | None = None,
) -> Iterator[BulkWriter]:
    """Apply many changes to one site's records with bulk statements, all or nothing.

    One transaction: an exception escaping the block rolls everything back. Before anything is
    written, the actor's right to change the site's records is checked and, when
    ``expected_fingerprint`` is given (from :func:`records_fingerprint` at preview time), the
    records must not have changed since (:class:`RecordsChangedError` otherwise). Every created
    or changed record gets its own audit row (bulk-inserted, with before/after like the per-record
    services; ``note`` is appended to each summary, e.g. the file's hash), and
    ``records_changed`` is sent once for the site, with every date touched, before the
    transaction commits (so the outcomes summaries refresh in it). A specialist may be given
    referrals if in post at the site on ``in_post_on`` (default today; a return for a past month
    passes that month's last day)::

        with services.bulk_apply(actor=user, site=site, expected_fingerprint=fp) as writer:
            person, episode = writer.new_episode(service_user=None, reference="A1", ...)
            writer.add_activities(episode=episode, kind="application", day=d, number=2)
        writer.counts  # Counter of audit events written
    """
    _require_writer(actor)
    scope = scope_for(actor)
    if not (scope.is_superuser or site.pk in scope.case_site_ids):
        raise CaseloadPermissionError(
            f"Importing records needs access to every record of {site.name}."
        )
    with transaction.atomic():
        # Two imports for one site wait for each other (the per-record services are not held).
        Site.objects.select_for_update().filter(pk=site.pk).first()
        if expected_fingerprint is not None and records_fingerprint(site=site) != (
            expected_fingerprint
        ):
            raise RecordsChangedError(
                f"The records of {site.name} changed after this file was checked, so nothing "
                "was applied. Check the file again to see the changes it would make now."
            )
        writer = BulkWriter(
            actor=actor, site=site, batch_size=batch_size, note=note, in_post_on=in_post_on
        )
        yield writer
        writer.flush()
        if writer.dates or writer.counts:
            records_changed.send(sender=ServiceUser, site=site, dates=sorted(writer.dates))
        if sum(writer.counts.values()) >= ANALYZE_AFTER:
            _refresh_planner_statistics()
