"""The demo caseload: totals over each site's 18 months equal the seed's Table 3 exactly."""

from datetime import date, timedelta

import pytest
from django.db.models import Count

from ipsworks.caseload import demo
from ipsworks.caseload.models import Activity, ActivityKind, Episode, Job, ServiceUser
from ipsworks.caseload.wages import WageTable
from ipsworks.core.dates import add_months
from ipsworks.demo import organisation
from ipsworks.demo.context import DemoContext

pytestmark = pytest.mark.django_db

TABLE3 = {
    "berkshire": (240, 74),
    "bradford": (193, 78),
    "lincolnshire": (170, 65),
    "bedfordshire-luton": (264, 114),
    "northamptonshire": (139, 27),
    "wiltshire": (155, 63),
}


@pytest.fixture
def loaded():
    ctx = DemoContext(seed=2014)
    organisation.load(ctx)
    demo.load(ctx)
    return ctx


def test_per_site_totals_over_the_period_equal_table_3(loaded):
    for slug, (referrals, job_starts) in TABLE3.items():
        site = loaded.sites[slug]
        first, last = site.start_date, site.end_date - timedelta(days=1)
        assert (
            Episode.objects.filter(site=site, referral_date__range=(first, last)).count()
            == referrals
        ), slug
        assert (
            Job.objects.filter(site=site, start_date__range=(first, last)).count() == job_starts
        ), slug


def test_demo_records_are_synthetic_plausible_and_lagging_where_expected(loaded):
    # Synthetic, inside the period.
    assert not ServiceUser.objects.filter(is_synthetic=False).exists()
    for slug in TABLE3:
        site = loaded.sites[slug]
        assert not Episode.objects.filter(site=site, referral_date__lt=site.start_date).exists()
        assert not Episode.objects.filter(site=site, referral_date__gte=site.end_date).exists()
    # Plausible mix of records.
    jobs = Job.objects.all()
    assert jobs.filter(hours_per_week__lt=4).exists()
    assert jobs.filter(end_date__isnull=False).exists()
    assert jobs.filter(is_competitive=False).exists()
    assert jobs.filter(is_competitive=True).count() > 0.85 * jobs.count()
    assert Episode.objects.annotate(n=Count("jobs")).filter(n__gt=1).exists()
    assert Episode.objects.filter(discharge_date__isnull=False).exists()
    in_work = Episode.objects.filter(employment_status="in_work").count()
    assert 0.05 < in_work / Episode.objects.count() < 0.15
    contacts = Activity.objects.filter(kind=ActivityKind.EMPLOYER_CONTACT)
    assert contacts.filter(face_to_face=True).count() > contacts.count() / 2
    assert Activity.objects.filter(kind=ActivityKind.APPLICATION).exists()
    assert ServiceUser.objects.annotate(n=Count("episodes")).filter(n__gt=1).exists()

    # Northamptonshire is slower to build its caseload than Bradford.
    def early_share(slug):
        site = loaded.sites[slug]
        cut = add_months(site.start_date, 6)
        early = Episode.objects.filter(site=site, referral_date__lt=cut).count()
        return early / Episode.objects.filter(site=site).count()

    assert early_share("northamptonshire") < early_share("bradford")

    # One specialist per site made no employer contact in the period's last two weeks.
    site = loaded.sites["berkshire"]
    last = site.end_date - timedelta(days=1)
    recent = Activity.objects.filter(
        site=site, kind=ActivityKind.EMPLOYER_CONTACT, date__gt=last - timedelta(days=14)
    )
    assert not recent.filter(specialist=loaded.users["berkshire.es2"]).exists()
    assert recent.exists()


def test_every_planned_record_passes_the_validation_rules():
    wages = WageTable([])  # no rates: pricing falls back; only the rules are checked here
    for seed in (1, 2):
        plan = demo.plan_site(
            demo.random.Random(seed),
            start=date(2015, 1, 28),
            months=18,
            referrals=264,
            job_starts=114,
            specialists=4,
            prefix="T",
            lagging=False,
            wages=wages,
        )
        assert demo.check_plan(plan, today=date(2026, 1, 1)) == []
        assert len(plan.episodes) == 264
        assert sum(len(e.jobs) for e in plan.episodes) == 114


def test_the_plan_is_deterministic_for_a_seed():
    def fingerprint(seed):
        ctx = DemoContext(seed=seed)
        plan = demo.plan_site(
            ctx.rng("caseload:x"),
            start=date(2015, 12, 1),
            months=18,
            referrals=139,
            job_starts=27,
            specialists=2,
            prefix="N",
            lagging=True,
            wages=WageTable([]),
        )
        return [
            (
                e.referral,
                e.profile,
                e.discharge,
                [(j.start, j.pay) for j in e.jobs],
                len(e.activities),
            )
            for e in plan.episodes
        ]

    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7) != fingerprint(8)
