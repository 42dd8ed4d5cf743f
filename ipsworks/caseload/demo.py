"""Synthetic caseload records for the demo programme.

For each site, over its implementation period (start date to the day before ``Site.end_date``),
the number of referrals (episodes by referral date) and of job starts (jobs by start date) equal
the seed paper's Table 3 exactly (``TABLE3``). Everything else is made up but plausible: slow
first months (Northamptonshire slower still), about 10% in work at referral, vocational profiles
started within a month, applications and employer contacts (mostly face to face), interviews,
benefits planning, in-work support, some jobs under 4 hours, second jobs, job ends, discharges
and a few people referred twice. Pay is mostly above the minimum wage in force, a few jobs below.
One specialist per site has no employer contact in the final two weeks (so the supervision view
has something to highlight). Every record is marked ``is_synthetic`` and passes rules.py.

The plan for each site is computed by pure functions from ``ctx.rng`` (deterministic for a given
seed) and written with ``bulk_create``. ``records_changed`` is sent once per site at the end.
Records are shared between each site's specialists (``<site>.es1``, ``.es2``, ...); people
are discharged within months so that open caseloads stay near the limit of 20.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ipsworks.accounts.models import Membership, User
from ipsworks.accounts.roles import Role
from ipsworks.audit.services import record
from ipsworks.core.dates import add_months
from ipsworks.demo.context import DemoContext

from . import rules
from .models import (
    Activity,
    ActivityKind,
    DischargeReason,
    EmploymentStatus,
    Episode,
    Job,
    JobEndReason,
    ServiceUser,
)
from .signals import records_changed
from .wages import WageTable

# slug: (referrals, job starts) over the 18 months: the seed's Table 3.
TABLE3 = {
    "berkshire": (240, 74),
    "bradford": (193, 78),
    "lincolnshire": (170, 65),
    "bedfordshire-luton": (264, 114),
    "northamptonshire": (139, 27),
    "wiltshire": (155, 63),
}
PREFIX = {
    "berkshire": "BRK",
    "bradford": "BFD",
    "lincolnshire": "LIN",
    "bedfordshire-luton": "BDL",
    "northamptonshire": "NTH",
    "wiltshire": "WLT",
}
# Specialists per site, following the posts in the seed's Table 1 (Bradford five, Wiltshire
# five and a half, Bedfordshire and Luton seven, Northamptonshire a seconded third post). The
# foundation's demo has S.es1 and S.es2 at each site; the others are added as S.es3... with the
# demo password.
SPECIALISTS = {
    "berkshire": 2,
    "lincolnshire": 2,
    "bradford": 5,
    "wiltshire": 5,
    "bedfordshire-luton": 7,
    "northamptonshire": 3,
}
LAGGING = {"northamptonshire"}

AGE_BANDS = [
    ("18-20", 5),
    ("21-22", 5),
    ("23-24", 6),
    ("25-34", 30),
    ("35-44", 25),
    ("45-54", 17),
    ("55-64", 7),
    ("", 5),
]
GENDERS = [("male", 55), ("female", 42), ("other", 1), ("not_stated", 2)]
ETHNICITIES = [
    ("white", 80),
    ("asian", 9),
    ("black", 5),
    ("mixed", 3),
    ("other", 1),
    ("not_stated", 2),
]
DIAGNOSES = [
    ("psychosis", 40),
    ("bipolar", 15),
    ("depression_anxiety", 25),
    ("personality", 10),
    ("other", 7),
    ("not_stated", 3),
]
SOURCES = ["Care coordinator", "Early intervention team", "Self-referral", "Ward staff", "GP"]
JOBS = [
    ("Kitchen assistant", "9"),
    ("Retail assistant", "7"),
    ("Warehouse operative", "9"),
    ("Care assistant", "6"),
    ("Administrator", "4"),
    ("Cleaner", "9"),
    ("Barista", "9"),
    ("Delivery driver", "8"),
    ("Customer service adviser", "7"),
    ("Gardener", "5"),
    ("Support worker", "6"),
    ("Data entry clerk", "4"),
    ("Chef", "5"),
    ("Teaching assistant", "6"),
    ("IT support technician", "3"),
    ("Vehicle technician", "5"),
    ("Receptionist", "4"),
    ("Library assistant", "4"),
    ("Graphic designer", "3"),
    ("Accounts clerk", "4"),
    ("Security officer", "9"),
    ("Shop supervisor", "1"),
    ("Bookkeeper", "4"),
    ("Painter and decorator", "5"),
    ("Porter", "9"),
    ("Hotel housekeeper", "9"),
    ("Waiter", "9"),
    ("Bar staff", "9"),
    ("Baker", "5"),
    ("Butcher's assistant", "5"),
    ("Shelf stacker", "9"),
    ("Checkout operator", "7"),
    ("Call centre agent", "7"),
    ("Postal worker", "9"),
    ("Courier", "8"),
    ("Forklift driver", "8"),
    ("Machine operator", "8"),
    ("Assembly worker", "8"),
    ("Labourer", "9"),
    ("Carpenter", "5"),
    ("Electrician's mate", "5"),
    ("Plumber's mate", "5"),
    ("Dog walker", "6"),
    ("Pet shop assistant", "7"),
    ("Hairdresser", "6"),
    ("Beauty therapist", "6"),
    ("Fitness instructor", "3"),
    ("Lifeguard", "6"),
    ("Museum assistant", "4"),
    ("Cinema usher", "9"),
    ("Car valeter", "9"),
    ("Window cleaner", "9"),
    ("Landscaper", "5"),
    ("Florist", "5"),
    ("Tailor", "5"),
    ("Printer", "5"),
    ("Photographer", "3"),
    ("Web developer", "2"),
    ("Sales executive", "3"),
    ("Estate agent", "3"),
    ("Payroll assistant", "4"),
    ("Office manager", "1"),
    ("Charity shop assistant", "7"),
    ("Youth worker", "3"),
    ("Peer support worker", "6"),
    ("Nursery assistant", "6"),
    ("School cook", "5"),
    ("Caretaker", "6"),
    ("Bus driver", "8"),
    ("Taxi driver", "8"),
    ("Van driver", "8"),
    ("Translator", "2"),
    ("Lab technician", "3"),
    ("Pharmacy assistant", "6"),
    ("Dental receptionist", "4"),
    ("Events steward", "9"),
]
EMPLOYER_PLACES = [
    "Riverside",
    "Northgate",
    "Hilltop",
    "Parkway",
    "Station Road",
    "Greenfields",
    "Market Square",
    "Lakeside",
    "Oak Lane",
    "Westfield",
    "Canal Side",
    "Meadow",
    "Kingsway",
    "Abbey",
    "Bridge",
    "Castle",
    "Church Street",
    "Elm Tree",
    "Forest",
    "Harbour",
    "High Street",
    "Millbrook",
    "Orchard",
    "Priory",
    "Queens",
    "Southgate",
    "Victoria",
    "Willow",
    "York Road",
    "Eastside",
]
EMPLOYER_KINDS = [
    "Cafe",
    "Grocers",
    "Care Home",
    "Logistics",
    "Cleaning Services",
    "Garage",
    "Garden Centre",
    "Bakery",
    "Hotel",
    "Print Works",
    "Pharmacy",
    "Leisure Centre",
    "Furniture",
    "Books",
    "Farm Shop",
    "Builders",
    "Salon",
    "Veterinary Practice",
]
# 540 plausible, made-up employers (place + kind), so jobs spread over many employers.
EMPLOYERS = [f"{place} {kind}" for place in EMPLOYER_PLACES for kind in EMPLOYER_KINDS]
HOURS = [
    (Decimal("2"), 2),
    (Decimal("3"), 3),
    (Decimal("8"), 8),
    (Decimal("10"), 10),
    (Decimal("12"), 8),
    (Decimal("15"), 10),
    (Decimal("16"), 16),
    (Decimal("20"), 12),
    (Decimal("24"), 6),
    (Decimal("30"), 8),
    (Decimal("37.5"), 12),
]
OTHER_DISCHARGE = [
    (DischargeReason.DISENGAGED, 45),
    (DischargeReason.DECLINED, 20),
    (DischargeReason.MOVED, 15),
    (DischargeReason.HEALTH, 15),
    (DischargeReason.OTHER, 5),
]
END_REASONS = [
    (JobEndReason.RESIGNED_BETTER_JOB, 15),
    (JobEndReason.RESIGNED, 30),
    (JobEndReason.DISMISSED, 10),
    (JobEndReason.CONTRACT_ENDED, 30),
    (JobEndReason.HEALTH, 15),
]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def spread(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to `weights` that add up to `total` exactly (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - counts[i], -i), reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def monthly_weights(rng: random.Random, months: int, *, lagging: bool, delay: int = 0):
    """Slow first months, then a plateau with some noise (slower still when `lagging`)."""
    out = []
    for m in range(months):
        k = m - delay
        if k < 0:
            out.append(0.0)
            continue
        ramp = min(1.0, 0.08 + k * 0.07) if lagging else min(1.0, 0.25 + k * 0.15)
        out.append(ramp * rng.uniform(0.8, 1.2))
    return out


@dataclass
class PlannedJob:
    start: date
    title: str
    soc: str
    employer: str
    hours: Decimal
    pay: Decimal
    open_to_anyone: bool
    end: date | None = None
    end_reason: str = ""
    minimum_wage: Decimal | None = None
    is_competitive: bool = False


@dataclass
class PlannedActivity:
    kind: str
    day: date
    face_to_face: bool = False
    matches: bool | None = None
    employer: str = ""


@dataclass
class PlannedEpisode:
    person: int  # index into SitePlan.people
    specialist: int  # index of the specialist
    referral: date
    source: str
    status: str
    profile: date | None = None
    discharge: date | None = None
    discharge_reason: str = ""
    jobs: list[PlannedJob] = field(default_factory=list)
    activities: list[PlannedActivity] = field(default_factory=list)


@dataclass
class SitePlan:
    people: list[dict]
    episodes: list[PlannedEpisode]


def _day_in(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def plan_site(
    rng: random.Random,
    *,
    start: date,
    months: int,
    referrals: int,
    job_starts: int,
    specialists: int,
    prefix: str,
    lagging: bool,
    wages: WageTable,
) -> SitePlan:
    """The whole synthetic caseload of one site (pure: no database writes)."""
    last_day = add_months(start, months) - timedelta(days=1)
    month_starts = [add_months(start, m) for m in range(months)]
    month_ends = [add_months(start, m + 1) - timedelta(days=1) for m in range(months)]

    # Referrals, month by month.
    episodes: list[PlannedEpisode] = []
    ref_counts = spread(referrals, monthly_weights(rng, months, lagging=lagging))
    for m, n in enumerate(ref_counts):
        for _ in range(n):
            referral = _day_in(rng, month_starts[m], month_ends[m])
            status = (
                EmploymentStatus.IN_WORK if rng.random() < 0.1 else EmploymentStatus.OUT_OF_WORK
            )
            ep = PlannedEpisode(
                person=-1,
                specialist=rng.randrange(specialists),
                referral=referral,
                source=rng.choice(SOURCES),
                status=status,
            )
            if rng.random() < 0.87:
                profile = referral + timedelta(days=rng.randint(2, 30))
                if profile <= last_day:
                    ep.profile = profile
            episodes.append(ep)
    episodes.sort(key=lambda e: e.referral)

    # Job starts, month by month, lagging the referrals.
    job_counts = spread(
        job_starts,
        monthly_weights(rng, months, lagging=lagging, delay=4 if lagging else 2),
    )
    job_days = sorted(
        _day_in(rng, month_starts[m], month_ends[m])
        for m, n in enumerate(job_counts)
        for _ in range(n)
    )
    seekers = [e for e in episodes if e.profile and e.status == EmploymentStatus.OUT_OF_WORK]
    for day in job_days:
        chosen = None
        while chosen is None:
            ready = [e for e in seekers if e.profile + timedelta(days=10) <= day]
            fresh = [e for e in ready if not e.jobs]
            again = [e for e in ready if e.jobs and e.jobs[-1].start + timedelta(days=21) <= day]
            pool = again if (again and (rng.random() < 0.12 or not fresh)) else fresh
            if pool:
                # Most people find work within months of starting their profile.
                weights = [1 / (1 + ((day - e.profile).days / 45) ** 2) for e in pool]
                chosen = rng.choices(pool, weights=weights, k=1)[0]
            elif day < last_day:
                day += timedelta(days=1)
            else:  # pragma: no cover - the weights make this unreachable
                raise RuntimeError(f"{prefix}: no one could start a job on {day}")
        chosen.jobs.append(_plan_job(rng, day, last_day, wages, age_band=None))

    # People: equality fields; a few come back for a second referral.
    people: list[dict] = []
    for ep in episodes:
        people.append(
            {
                "age_band": _pick(rng, AGE_BANDS),
                "gender": _pick(rng, GENDERS),
                "ethnicity": _pick(rng, ETHNICITIES),
                "diagnosis_group": _pick(rng, DIAGNOSES),
            }
        )
        ep.person = len(people) - 1

    # Discharges, then activities within each episode.
    for ep in episodes:
        _plan_discharge(rng, ep, last_day)
    _plan_rereferrals(rng, episodes, people)
    for ep in episodes:
        band = people[ep.person]["age_band"]
        for job in ep.jobs:
            _price_job(rng, job, band, wages)
        _plan_activities(rng, ep, last_day)
    used = sorted({ep.person for ep in episodes})
    for n, index in enumerate(used, start=1):
        people[index]["reference"] = f"{prefix}-{n:04d}"
    kept = set(used)
    return SitePlan(
        people=[p if i in kept else None for i, p in enumerate(people)], episodes=episodes
    )


def _plan_job(rng, day, last_day, wages, age_band) -> PlannedJob:
    title, soc = rng.choice(JOBS)
    job = PlannedJob(
        start=day,
        title=title,
        soc=soc,
        employer=rng.choice(EMPLOYERS),
        hours=_pick(rng, HOURS),
        pay=Decimal("0"),
        open_to_anyone=rng.random() > 0.03,
    )
    if rng.random() < 0.4:
        end = day + timedelta(days=rng.randint(14, 260))
        if end <= last_day:
            job.end = end
            job.end_reason = _pick(rng, END_REASONS)
    return job


def _price_job(rng, job: PlannedJob, band: str, wages: WageTable) -> None:
    minimum = wages.rate_in_force(job.start, band).hourly_rate or Decimal("6.50")
    if rng.random() < 0.06:
        pay = minimum - Decimal(rng.randint(10, 100)) / 100
    else:
        pay = minimum + Decimal(rng.randint(0, 50)) * Decimal("0.05")
    job.pay = max(pay, Decimal("0")).quantize(Decimal("0.01"))
    decision = wages.decide(
        start_date=job.start, age_band=band, hourly_pay=job.pay, open_to_anyone=job.open_to_anyone
    )
    job.minimum_wage = decision.minimum_wage
    job.is_competitive = decision.is_competitive


def _plan_discharge(rng, ep: PlannedEpisode, last_day: date) -> None:
    """Most people leave within months; those referred recently are still open at the end."""
    if ep.jobs:
        chance, after, span = 0.85, max(j.start for j in ep.jobs), (45, 150)
        reason = DischargeReason.IN_WORK_SUSTAINED
    elif ep.status == EmploymentStatus.IN_WORK:
        chance, after, span = 0.9, ep.referral, (60, 150)
        reason = DischargeReason.IN_WORK_SUSTAINED
    elif ep.profile is None:
        chance, after, span = 0.95, ep.referral, (20, 60)
        reason = _pick(rng, [(DischargeReason.DISENGAGED, 6), (DischargeReason.DECLINED, 4)])
    else:
        chance, after, span = 0.92, ep.profile, (45, 150)
        reason = _pick(rng, OTHER_DISCHARGE)
    day = after + timedelta(days=rng.randint(*span))
    if rng.random() < chance and day <= last_day:
        ep.discharge = day
        ep.discharge_reason = reason


def _plan_rereferrals(rng, episodes: list[PlannedEpisode], people: list[dict]) -> None:
    """About 3% of referrals are people coming back after an earlier referral was closed."""
    taken: set[int] = set()
    for ep in episodes:
        if rng.random() >= 0.03:
            continue
        earlier = [
            e
            for e in episodes
            if e.discharge
            and e.discharge + timedelta(days=30) <= ep.referral
            and e.person not in taken
            and e.person != ep.person
        ]
        if not earlier:
            continue
        previous = rng.choice(earlier)
        taken.add(previous.person)
        taken.add(ep.person)
        ep.person = previous.person
        ep.specialist = previous.specialist if rng.random() < 0.7 else ep.specialist


def _plan_activities(rng, ep: PlannedEpisode, last_day: date) -> None:
    if ep.profile is None:
        return
    stop = min(ep.discharge or last_day, last_day)
    add = ep.activities.append
    if rng.random() < 0.6:
        last = min(stop, ep.profile + timedelta(days=30))
        add(PlannedActivity(ActivityKind.BENEFITS_PLANNING, _day_in(rng, ep.profile, last)))
    first_job = ep.jobs[0].start if ep.jobs else None
    if ep.status == EmploymentStatus.OUT_OF_WORK:
        search_end = first_job or min(stop, ep.profile + timedelta(days=rng.randint(60, 200)))
        day = ep.profile + timedelta(days=rng.randint(3, 21))
        while day <= search_end:
            employer = rng.choice(EMPLOYERS)
            add(
                PlannedActivity(
                    ActivityKind.EMPLOYER_CONTACT,
                    day,
                    face_to_face=rng.random() < 0.78,
                    matches=_pick(rng, [(True, 85), (False, 10), (None, 5)]),
                    employer=employer,
                )
            )
            if rng.random() < 0.8:
                app_day = day + timedelta(days=rng.randint(0, 6))
                if app_day <= search_end:
                    add(PlannedActivity(ActivityKind.APPLICATION, app_day, employer=employer))
            if rng.random() < 0.2:
                int_day = day + timedelta(days=rng.randint(7, 14))
                if int_day <= search_end:
                    kind = ActivityKind.EMPLOYER_INTERVIEW
                    add(PlannedActivity(kind, int_day, employer=employer))
            day += timedelta(days=rng.randint(6, 16))
    for job in ep.jobs:
        # The interview that led to the job, a few days before it started.
        before = job.start - timedelta(days=rng.randint(3, 10))
        if before >= ep.profile:
            add(PlannedActivity(ActivityKind.EMPLOYER_INTERVIEW, before, employer=job.employer))
        support_end = min(job.end or stop, stop, job.start + timedelta(days=120))
        # Follow-along support usually begins within three days of the start.
        first_gap = rng.randint(0, 3) if rng.random() < 0.85 else rng.randint(4, 7)
        day = job.start + timedelta(days=first_gap)
        while day <= support_end:
            add(PlannedActivity(ActivityKind.IN_WORK_SUPPORT, day, employer=job.employer))
            day += timedelta(days=rng.randint(7, 21))
    if ep.status == EmploymentStatus.IN_WORK:
        day = ep.profile + timedelta(days=rng.randint(1, 10))
        while day <= min(stop, ep.profile + timedelta(days=150)):
            add(PlannedActivity(ActivityKind.IN_WORK_SUPPORT, day))
            day += timedelta(days=rng.randint(10, 25))


def check_plan(plan: SitePlan, *, today: date) -> list[str]:
    """Every planned record against rules.py: a list of problems (empty when all is well)."""
    problems = []
    for ep in plan.episodes:
        errors = rules.check_episode(
            referral_date=ep.referral,
            profile_started=ep.profile,
            discharge_date=ep.discharge,
            discharge_reason=ep.discharge_reason,
            today=today,
            first_job_start=min((j.start for j in ep.jobs), default=None),
            first_activity=min((a.day for a in ep.activities), default=None),
            last_record=max(
                [j.start for j in ep.jobs] + [a.day for a in ep.activities], default=None
            ),
        )
        for job in ep.jobs:
            errors = rules.merge(
                errors,
                rules.check_job(
                    start_date=job.start,
                    end_date=job.end,
                    end_reason=job.end_reason,
                    hours_per_week=job.hours,
                    hourly_pay=job.pay,
                    employer=job.employer,
                    job_title=job.title,
                    referral_date=ep.referral,
                    profile_started=ep.profile,
                    discharge_date=ep.discharge,
                    today=today,
                ),
            )
        for act in ep.activities:
            errors = rules.merge(
                errors,
                rules.check_activity(
                    date_=act.day,
                    referral_date=ep.referral,
                    discharge_date=ep.discharge,
                    today=today,
                ),
            )
        if errors:
            problems.append(f"{plan.people[ep.person]['reference']}: {errors}")
    # One open episode at a time per person.
    by_person: dict[int, list[PlannedEpisode]] = {}
    for ep in plan.episodes:
        by_person.setdefault(ep.person, []).append(ep)
    for person, eps in by_person.items():
        eps.sort(key=lambda e: e.referral)
        for a, b in zip(eps, eps[1:], strict=False):
            if a.discharge is None or a.discharge > b.referral:
                problems.append(f"{plan.people[person]['reference']}: overlapping referrals")
    return problems


def _specialists(ctx: DemoContext, slug: str, site) -> list[User]:
    teams = list(site.teams.order_by("pk"))
    users = [ctx.users[f"{slug}.es{n}"] for n in (1, 2) if f"{slug}.es{n}" in ctx.users]
    template = users[0] if users else None
    for n in range(len(users) + 1, SPECIALISTS.get(slug, 2) + 1):
        username = f"{slug}.es{n}"
        user = User(username=username)
        if template is not None:
            user.password = template.password  # the same demo password, hashed once
        else:  # pragma: no cover
            from ipsworks.demo.context import DEMO_PASSWORD

            user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.create(
            user=user,
            role=Role.SPECIALIST,
            programme=site.programme,
            site=site,
            team=teams[(n - 1) % len(teams)] if teams else None,
            start_date=site.start_date,
        )
        ctx.users[username] = user
        users.append(user)
    return users


def load(ctx: DemoContext) -> None:
    wages = WageTable.load()
    today = date.today()
    for slug, (referrals, job_starts) in TABLE3.items():
        site = ctx.sites.get(slug)
        if site is None:
            continue
        specialists = _specialists(ctx, slug, site)
        team_of = {
            m.user_id: m.team
            for m in Membership.objects.filter(site=site, role=Role.SPECIALIST).select_related(
                "team"
            )
        }
        rng = ctx.rng(f"caseload:{slug}")
        plan = plan_site(
            rng,
            start=site.start_date,
            months=site.implementation_months,
            referrals=referrals,
            job_starts=job_starts,
            specialists=len(specialists),
            prefix=PREFIX.get(slug, slug[:3].upper()),
            lagging=slug in LAGGING,
            wages=wages,
        )
        _quiet_last_weeks(plan, specialist=len(specialists) - 1, site_end=site.end_date)
        problems = check_plan(plan, today=today)
        if problems:  # pragma: no cover - guarded by tests
            raise RuntimeError("demo caseload breaks the rules: " + "; ".join(problems[:5]))
        _write(site, plan, specialists, team_of)
        dates = sorted(
            {ep.referral for ep in plan.episodes}
            | {j.start for ep in plan.episodes for j in ep.jobs}
            | {a.day for ep in plan.episodes for a in ep.activities}
        )
        record(
            actor=None,
            action="create",
            event="caseload.demo_loaded",
            entity="caseload",
            site=site,
            summary=f"Synthetic demo caseload: {referrals} referrals and {job_starts} job starts",
        )
        records_changed.send(sender=ServiceUser, site=site, dates=dates)


def _quiet_last_weeks(plan: SitePlan, *, specialist: int, site_end: date) -> None:
    """The last specialist made no employer contact in the period's final 16 days."""
    cutoff = site_end - timedelta(days=17)
    for ep in plan.episodes:
        if ep.specialist == specialist:
            ep.activities = [
                a
                for a in ep.activities
                if not (a.kind == ActivityKind.EMPLOYER_CONTACT and a.day > cutoff)
            ]


def _write(site, plan: SitePlan, specialists: list[User], team_of: dict) -> None:
    people = {}
    objs = []
    for index, data in enumerate(plan.people):
        if data is None:
            continue
        obj = ServiceUser(site=site, is_synthetic=True, **data)
        people[index] = obj
        objs.append(obj)
    ServiceUser.objects.bulk_create(objs, batch_size=500)
    episode_objs = []
    for ep in plan.episodes:
        spec = specialists[ep.specialist]
        episode_objs.append(
            Episode(
                service_user=people[ep.person],
                site=site,
                referral_date=ep.referral,
                referral_source=ep.source,
                team=team_of.get(spec.pk),
                specialist=spec,
                employment_status=ep.status,
                profile_started=ep.profile,
                discharge_date=ep.discharge,
                discharge_reason=ep.discharge_reason,
            )
        )
    Episode.objects.bulk_create(episode_objs, batch_size=500)
    jobs, activities = [], []
    for ep, obj in zip(plan.episodes, episode_objs, strict=True):
        spec = specialists[ep.specialist]
        for j in ep.jobs:
            jobs.append(
                Job(
                    episode=obj,
                    site=site,
                    start_date=j.start,
                    employer=j.employer,
                    job_title=j.title,
                    occupation_group=j.soc,
                    hours_per_week=j.hours,
                    hourly_pay=j.pay,
                    open_to_anyone=j.open_to_anyone,
                    minimum_wage=j.minimum_wage,
                    is_competitive=j.is_competitive,
                    end_date=j.end,
                    end_reason=j.end_reason,
                )
            )
        for a in ep.activities:
            activities.append(
                Activity(
                    episode=obj,
                    site=site,
                    kind=a.kind,
                    date=a.day,
                    face_to_face=a.face_to_face,
                    matches_preferences=a.matches,
                    employer=a.employer,
                    specialist=spec,
                )
            )
    Job.objects.bulk_create(jobs, batch_size=1000)
    Activity.objects.bulk_create(activities, batch_size=2000)
