"""Demo evaluation data: the seed's Table 2 as interview records, and coded demo quotes.

The per-visit counts come from the seed's reported counts (data/seed_reported_interview_counts.csv)
and are split into plausible interview and focus-group records whose participant counts add up
to each visit's staff and service-user figures. The quotes are written for this demo (they are
not the seed's quotes) and are coded by two evaluators with some disagreement.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.core.dates import add_months
from ipsworks.demo.context import DEMO_PASSWORD, DemoContext

from . import services
from .counts import parse_counts
from .models import EvaluationVisit, Interview, InterviewFormat, ParticipantRole, Theme

SEED_COUNTS = Path(__file__).resolve().parent / "data" / "seed_reported_interview_counts.csv"
VISIT_MONTHS = {1: 1, 2: 8, 3: 15}  # months after the site's start: about 7-8 months apart
SECOND_EVALUATOR = "evaluator2"
# The seed's two interviewers divided the sites between them.
SITES_OF_SECOND_EVALUATOR = {"wiltshire", "bedfordshire-luton", "northamptonshire"}

GROUP, ONE = InterviewFormat.FOCUS_GROUP, InterviewFormat.INTERVIEW
R = ParticipantRole


def split_staff(n: int, rng) -> list[tuple[str, str, int]]:
    """Records (format, role, participants) whose participants add up to n staff."""
    out: list[tuple[str, str, int]] = []
    singles = [R.IMPLEMENTATION_MANAGER, R.TEAM_LEADER, R.SENIOR_LEADER, R.CLINICAL_MANAGER]
    singles += [R.COMMISSIONER]
    for role in singles[: min(n, rng.randint(2, 5))]:
        out.append((ONE, role, 1))
    left = n - len(out)
    if left:
        es = min(left, rng.randint(2, 3))
        out.append((GROUP if es > 1 else ONE, R.EMPLOYMENT_SPECIALIST, es))
        left -= es
    if left:
        out.append((GROUP if left > 1 else ONE, R.CLINICIAN, left))
    return out


def split_service_users(n: int) -> list[tuple[str, str, int]]:
    if n == 0:
        return []
    if n <= 2:
        return [(ONE, R.SERVICE_USER, 1) for _ in range(n)]
    return [(GROUP, R.SERVICE_USER, n)]


# (site slug, visit, speaker role, quote, memo, first coder's themes, second coder's themes)
# The second coder's themes are None when only the first coder has coded the quote.
EXCERPTS = [
    (
        "berkshire",
        2,
        R.SERVICE_USER,
        "I had not worked for six years. Having someone come with me to the first shift was the "
        "difference between going and staying at home.",
        "Practical in-work support at the very start.",
        ["Work and income", "Confidence and wellbeing"],
        ["Work and income"],
    ),
    (
        "berkshire",
        3,
        R.CLINICIAN,
        "Our team meetings sound different now. We ask about work the way we ask about medication.",
        "",
        ["Staff morale"],
        ["Staff morale", "Referrals and clinical teams"],
    ),
    (
        "lincolnshire",
        1,
        R.IMPLEMENTATION_MANAGER,
        "It took four months to get the job adverts approved, so we spent the first quarter "
        "catching up.",
        "Start-up delay: compare with other sites' recruitment.",
        ["Recruitment and start-up"],
        ["Recruitment and start-up"],
    ),
    (
        "lincolnshire",
        2,
        R.EMPLOYMENT_SPECIALIST,
        "Being based in one team means the care coordinators see me every day, and the "
        "referrals follow.",
        "",
        ["Referrals and clinical teams"],
        ["Referrals and clinical teams"],
    ),
    (
        "bradford",
        2,
        R.SENIOR_LEADER,
        "When the board heard one person's story, employment stopped being a side project for "
        "them.",
        "",
        ["Leadership and strategy"],
        ["Leadership and strategy", "Evidence of outcomes"],
    ),
    (
        "bradford",
        3,
        R.COMMISSIONER,
        "The results are good, but next year's budget is already committed; we need the case "
        "before the autumn round.",
        "Timing of commissioning decisions.",
        ["Funding and commissioning"],
        ["Funding and commissioning"],
    ),
    (
        "wiltshire",
        2,
        R.TEAM_LEADER,
        "Weekly group supervision keeps everyone focused on job searching rather than endless "
        "preparation.",
        "",
        ["Supervision and training"],
        ["Supervision and training"],
    ),
    (
        "wiltshire",
        3,
        R.SERVICE_USER,
        "I feel like a person with a future now, not just someone on a caseload.",
        "",
        ["Confidence and wellbeing"],
        ["Confidence and wellbeing"],
    ),
    (
        "bedfordshire-luton",
        2,
        R.CLINICAL_MANAGER,
        "We linked up with a local charity for benefits advice instead of trying to do "
        "everything ourselves.",
        "",
        ["Partnerships"],
        ["Partnerships"],
    ),
    (
        "northamptonshire",
        3,
        R.IMPLEMENTATION_MANAGER,
        "Without a recurrent budget line the two posts end with the grant, however good the "
        "figures look.",
        "Good outcomes did not secure funding.",
        ["Funding and commissioning", "Evidence of outcomes"],
        ["Funding and commissioning"],
    ),
    (
        "northamptonshire",
        2,
        R.EMPLOYMENT_SPECIALIST,
        "Some employers would only talk to us after we had met them in person twice.",
        "",
        ["Partnerships"],
        ["Partnerships", "Work and income"],
    ),
    (
        "bedfordshire-luton",
        3,
        R.EMPLOYMENT_SPECIALIST,
        "The training days on approaching employers were the most useful part of the first year.",
        "",
        ["Supervision and training"],
        None,
    ),
]


def load(ctx: DemoContext) -> None:
    programme = ctx.programme
    rng = ctx.rng("evaluation")
    first = ctx.users["evaluator"]
    second = get_user_model()(username=SECOND_EVALUATOR)
    second.set_password(DEMO_PASSWORD)
    second.save()
    ctx.users[SECOND_EVALUATOR] = second
    Membership.objects.create(user=second, role=Role.EVALUATOR, programme=programme)

    by_name = {site.name: site for site in ctx.sites.values()}
    visits: list[EvaluationVisit] = []
    plans: list[list[tuple[str, str, int]]] = []
    for row in parse_counts(SEED_COUNTS.read_text(encoding="utf-8")):
        site = by_name[row.site]
        evaluator = second if site.slug in SITES_OF_SECOND_EVALUATOR else first
        for number, months in VISIT_MONTHS.items():
            visits.append(
                EvaluationVisit(
                    site=site,
                    number=number,
                    date=add_months(site.start_date, months),
                    evaluator=evaluator,
                )
            )
            plans.append(
                split_staff(row.staff[number], rng) + split_service_users(row.service_users[number])
            )
    visits = EvaluationVisit.objects.bulk_create(visits)
    Interview.objects.bulk_create(
        Interview(visit=visit, format=fmt, participant_role=role, participants=n)
        for visit, plan in zip(visits, plans, strict=True)
        for fmt, role, n in plan
    )

    services.load_default_codebook(actor=first, programme=programme)
    themes = {t.name: t for t in Theme.objects.filter(programme=programme)}
    visit_of = {(v.site.slug, v.number): v for v in visits}
    for slug, number, role, text, memo, themes_a, themes_b in EXCERPTS:
        site = ctx.sites[slug]
        excerpt = services.save_excerpt(
            actor=first,
            site=site,
            visit=visit_of[(slug, number)],
            speaker_role=role,
            text=text,
            memo=memo,
        )
        services.code_excerpt(
            actor=first, excerpt=excerpt, theme_ids=[themes[t].pk for t in themes_a]
        )
        if themes_b is not None:
            services.code_excerpt(
                actor=second, excerpt=excerpt, theme_ids=[themes[t].pk for t in themes_b]
            )
    ctx.say(f"    {len(visits)} evaluation visits, {len(EXCERPTS)} coded demo quotes")
