"""Reading caseload records. Every case-level query goes through ``scoped_cases``.

Counting rule for the supervision figures (:func:`activity_counts_by_specialist_week`). The
activity counts come from the one definition in
``ipsworks.outcomes.metrics.activity_counts_by_specialist_week``; this module adds job starts:

- an activity counts for the specialist who did the work (``Activity.specialist``), or for the
  episode's specialist when that is blank, in the week (Monday to Sunday) of its date;
- "applications" are activities of kind ``application``; "employer contacts" are activities of
  kind ``employer_contact`` (``face_to_face_employer_contacts`` is the subset met in person);
  "interviews" are ``employer_interview`` activities;
- a job start counts for the episode's specialist in the week of the job's start date; every
  job start counts (second and later jobs too);
- the caseload size of a specialist on a day is the number of their referral episodes open on
  that day (referred on or before it, not discharged before it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from ipsworks.accounts.scoping import get_case_or_404, scoped_cases

from .models import Activity, ActivityKind, EmploymentStatus, Episode, Job, ServiceUser

# The caseload groups, in the order screens show them.
STAGES = [
    ("referred", "Referred"),
    ("engaged", "Engaged and job seeking"),
    ("in_work", "In work"),
    ("discharged", "Discharged"),
]
STAGE_LABELS = dict(STAGES)

SORTS = {
    "id": ("service_user__reference", "pk"),
    "-id": ("-service_user__reference", "-pk"),
    "referred": ("referral_date", "pk"),
    "-referred": ("-referral_date", "-pk"),
    "activity": (F("last_activity").asc(nulls_first=True), "pk"),
    "-activity": (F("last_activity").desc(nulls_last=True), "-pk"),
}
DEFAULT_SORT = "-referred"


def _count_of(kind: str):
    return Coalesce(
        Subquery(
            Activity.objects.filter(episode=OuterRef("pk"), kind=kind)
            .order_by()
            .values("episode")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def with_stage(queryset: QuerySet[Episode], *, on: date | None = None) -> QuerySet[Episode]:
    """Annotate episodes with ``stage`` (referred / engaged / in_work / discharged), whether
    the person holds a job on `on` (``in_job``) and the date of their latest activity."""
    on = on or timezone.localdate()
    current_job = Job.objects.filter(episode=OuterRef("pk"), start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    return queryset.annotate(
        in_job=Exists(current_job),
        last_activity=Subquery(
            Activity.objects.filter(episode=OuterRef("pk")).order_by("-date").values("date")[:1]
        ),
    ).annotate(
        stage=Case(
            When(discharge_date__isnull=False, then=Value("discharged")),
            When(
                Q(in_job=True) | Q(employment_status=EmploymentStatus.IN_WORK),
                then=Value("in_work"),
            ),
            When(profile_started__isnull=False, then=Value("engaged")),
            default=Value("referred"),
            output_field=CharField(),
        )
    )


@dataclass
class CaseloadQuery:
    stage: str = ""
    search: str = ""
    sort: str = DEFAULT_SORT
    specialist_id: int | None = None
    site_id: int | None = None


def caseload(user, query: CaseloadQuery | None = None) -> QuerySet[Episode]:
    """Referral episodes the user may see, with stage and activity counts, filtered and sorted.

    Runs as one query however many rows (plus one for counting when paginated)."""
    query = query or CaseloadQuery()
    qs = scoped_cases(user, Episode.objects.all())
    if query.site_id:
        qs = qs.filter(site_id=query.site_id)
    if query.specialist_id:
        qs = qs.filter(specialist_id=query.specialist_id)
    if query.search.strip():
        qs = qs.filter(service_user__reference__icontains=query.search.strip())
    qs = with_stage(qs).annotate(
        applications=_count_of(ActivityKind.APPLICATION),
        employer_contacts=_count_of(ActivityKind.EMPLOYER_CONTACT),
    )
    if query.stage in STAGE_LABELS:
        qs = qs.filter(stage=query.stage)
    order = SORTS.get(query.sort) or SORTS[DEFAULT_SORT]
    return qs.select_related("service_user", "specialist", "team", "site").order_by(*order)


def stage_counts(user, query: CaseloadQuery | None = None) -> dict[str, int]:
    """How many of the user's visible episodes are in each group (one query)."""
    query = query or CaseloadQuery()
    base = CaseloadQuery(
        search=query.search, specialist_id=query.specialist_id, site_id=query.site_id
    )
    rows = caseload(user, base).order_by().values("stage").annotate(n=Count("pk", distinct=True))
    counts = {key: 0 for key, _ in STAGES}
    for row in rows:
        counts[row["stage"]] = row["n"]
    return counts


def find_service_user(user, *, site, reference: str) -> ServiceUser | None:
    """The person with this ID at the site (case-insensitive), if the user may see them."""
    return (
        scoped_cases(user, ServiceUser.objects.filter(site=site))
        .filter(reference__iexact=(reference or "").strip())
        .first()
    )


def open_episode_for(service_user: ServiceUser) -> Episode | None:
    return service_user.episodes.filter(discharge_date__isnull=True).first()


def get_service_user_or_404(user, pk: int) -> ServiceUser:
    return get_case_or_404(user, ServiceUser.objects.select_related("site"), pk=pk)


def get_episode_or_404(user, pk: int) -> Episode:
    return get_case_or_404(
        user,
        Episode.objects.select_related("service_user", "site", "specialist", "team"),
        pk=pk,
    )


def get_job_or_404(user, pk: int) -> Job:
    return get_case_or_404(user, Job.objects.select_related("episode__service_user", "site"), pk=pk)


def get_activity_or_404(user, pk: int) -> Activity:
    return get_case_or_404(
        user, Activity.objects.select_related("episode__service_user", "site"), pk=pk
    )


@dataclass
class TimelineEntry:
    date: date
    kind: str
    title: str
    detail: str = ""
    episode: Episode | None = None
    job: Job | None = None
    activity: Activity | None = None
    order: int = 0


def episodes_of(user, service_user: ServiceUser) -> list[Episode]:
    return list(
        with_stage(
            scoped_cases(user, Episode.objects.filter(service_user=service_user))
        ).select_related("specialist", "team")
    )


def timeline(user, service_user: ServiceUser) -> tuple[list[Episode], list[TimelineEntry]]:
    """The person's episodes and everything recorded for them, newest first (3 queries)."""
    episodes = episodes_of(user, service_user)
    by_id = {e.pk: e for e in episodes}
    jobs = list(
        scoped_cases(user, Job.objects.filter(episode__in=list(by_id))).order_by("start_date", "pk")
    )
    activities = list(
        scoped_cases(user, Activity.objects.filter(episode__in=list(by_id)))
        .select_related("specialist")
        .order_by("date", "pk")
    )
    entries: list[TimelineEntry] = []
    for ep in episodes:
        ep.job_list = [j for j in jobs if j.episode_id == ep.pk]
        entries.append(
            TimelineEntry(
                ep.referral_date,
                "referral",
                "Referred",
                f"From {ep.referral_source}" if ep.referral_source else "",
                episode=ep,
                order=0,
            )
        )
        if ep.profile_started:
            entries.append(
                TimelineEntry(
                    ep.profile_started, "profile", "Vocational profile started", episode=ep, order=1
                )
            )
        if ep.discharge_date:
            entries.append(
                TimelineEntry(
                    ep.discharge_date,
                    "discharge",
                    "Discharged",
                    ep.get_discharge_reason_display(),
                    episode=ep,
                    order=9,
                )
            )
    for job in jobs:
        job.episode = by_id[job.episode_id]
        entries.append(
            TimelineEntry(
                job.start_date,
                "job_start",
                f"Started work: {job.job_title} at {job.employer}",
                f"{job.hours_per_week:g} hours a week, £{job.hourly_pay} an hour"
                + ("" if job.is_competitive else " (not counted as competitive)"),
                job=job,
                order=5,
            )
        )
        if job.end_date:
            entries.append(
                TimelineEntry(
                    job.end_date,
                    "job_end",
                    f"Job ended: {job.job_title} at {job.employer}",
                    job.get_end_reason_display(),
                    job=job,
                    order=6,
                )
            )
    for act in activities:
        detail = []
        if act.employer:
            detail.append(act.employer)
        if act.kind == ActivityKind.EMPLOYER_CONTACT:
            detail.append("face to face" if act.face_to_face else "not face to face")
        entries.append(
            TimelineEntry(
                act.date, act.kind, act.get_kind_display(), ", ".join(detail), activity=act, order=3
            )
        )
    entries.sort(key=lambda e: (e.date, e.order), reverse=True)
    return episodes, entries


# --------------------------------------------------------------------------------------------
# Supervision


@dataclass
class WeekCounts:
    applications: int = 0
    employer_contacts: int = 0
    face_to_face_employer_contacts: int = 0
    interviews: int = 0
    job_starts: int = 0


def week_start(day: date) -> date:
    """The Monday of the week containing `day`."""
    return day - timedelta(days=day.weekday())


def _restrict(qs, user):
    return qs if user is None else scoped_cases(user, qs)


def activity_counts_by_specialist_week(
    *, site, start: date, end: date, user=None
) -> dict[tuple[int | None, date], WeekCounts]:
    """Applications, employer contacts, interviews and job starts per (specialist id, Monday)
    for dates from `start` to `end` inclusive (two queries). With `user`, only the records the
    user may see are counted; without, the whole site is counted (aggregate figures only)."""
    from ipsworks.outcomes.metrics import activity_counts_by_specialist_week as weekly_activity

    counts: dict[tuple[int | None, date], WeekCounts] = {}
    activities = _restrict(Activity.objects.filter(site=site, date__range=(start, end)), user)
    for key, row in weekly_activity(activities).items():
        counts[key] = WeekCounts(
            applications=row["applications"],
            employer_contacts=row["employer_contacts"],
            face_to_face_employer_contacts=row["face_to_face_employer_contacts"],
            interviews=row["interviews"],
        )
    jobs = (
        _restrict(Job.objects.filter(site=site, start_date__range=(start, end)), user)
        .annotate(week=TruncWeek("start_date"), who=F("episode__specialist_id"))
        .order_by()
        .values("who", "week")
        .annotate(n=Count("pk"))
    )
    for row in jobs:
        counts.setdefault((row["who"], _as_day(row["week"])), WeekCounts()).job_starts += row["n"]
    return counts


def _as_day(value) -> date:
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def caseload_size_by_specialist(*, site, on: date, user=None) -> dict[int | None, int]:
    """Open episodes per specialist on a day (one query)."""
    rows = (
        _restrict(
            Episode.objects.filter(site=site, referral_date__lte=on).filter(
                Q(discharge_date__isnull=True) | Q(discharge_date__gte=on)
            ),
            user,
        )
        .order_by()
        .values("specialist_id")
        .annotate(n=Count("pk"))
    )
    return {row["specialist_id"]: row["n"] for row in rows}


def last_employer_contact_by_specialist(*, site, on: date, user=None) -> dict[int | None, date]:
    """The latest employer contact on or before `on` per specialist (one query)."""
    rows = (
        _restrict(
            Activity.objects.filter(site=site, kind=ActivityKind.EMPLOYER_CONTACT, date__lte=on),
            user,
        )
        .annotate(who=Coalesce("specialist_id", "episode__specialist_id"))
        .order_by()
        .values("who")
        .annotate(last=Max("date"))
    )
    return {row["who"]: _as_day(row["last"]) for row in rows}


def latest_activity_date(*, site, user=None) -> date | None:
    return _restrict(Activity.objects.filter(site=site), user).aggregate(last=Max("date"))["last"]


@dataclass
class SpecialistWeeks:
    specialist: object
    weeks: list[tuple[date, WeekCounts]] = field(default_factory=list)
    caseload_size: int = 0
    last_employer_contact: date | None = None
    no_recent_contact: bool = False

    @property
    def totals(self) -> WeekCounts:
        t = WeekCounts()
        for _, c in self.weeks:
            t.applications += c.applications
            t.employer_contacts += c.employer_contacts
            t.face_to_face_employer_contacts += c.face_to_face_employer_contacts
            t.interviews += c.interviews
            t.job_starts += c.job_starts
        return t

    @property
    def over_caseload(self) -> bool:
        return self.caseload_size > CASELOAD_LIMIT


CASELOAD_LIMIT = 20
QUIET_DAYS = 14


def supervision(
    user, *, site, specialists: list, until: date, weeks: int = 4
) -> list[SpecialistWeeks]:
    """For each specialist: the last `weeks` weeks (Monday weeks ending with the week of
    `until`), the caseload size on `until` against 20, and whether they have had no employer
    contact in the 14 days to `until`."""
    last_monday = week_start(until)
    mondays = [last_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = activity_counts_by_specialist_week(site=site, start=mondays[0], end=until, user=user)
    sizes = caseload_size_by_specialist(site=site, on=until, user=user)
    last_contact = last_employer_contact_by_specialist(site=site, on=until, user=user)
    out = []
    for spec in specialists:
        row = SpecialistWeeks(specialist=spec)
        row.weeks = [(m, counts.get((spec.pk, m), WeekCounts())) for m in mondays]
        row.caseload_size = sizes.get(spec.pk, 0)
        row.last_employer_contact = last_contact.get(spec.pk)
        row.no_recent_contact = (
            row.last_employer_contact is None
            or row.last_employer_contact <= until - timedelta(days=QUIET_DAYS)
        )
        out.append(row)
    return out


def has_synthetic(*, site, user=None) -> bool:
    """Whether any made-up demo records are visible at the site (to label them clearly)."""
    return _restrict(ServiceUser.objects.filter(site=site, is_synthetic=True), user).exists()
