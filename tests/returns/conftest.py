"""Fixtures for the returns tests: a small site with people, referrals, activities and jobs,
recorded through the caseload services."""

from datetime import date
from decimal import Decimal

import pytest

MONTH = date(2016, 3, 1)


@pytest.fixture
def im(users):
    return users["implementation_manager"]


@pytest.fixture
def populated(users, site_a):
    from ipsworks.caseload import services as cs
    from ipsworks.caseload.models import ActivityKind

    actor = users["implementation_manager"]
    es1, es2 = users["specialist"], users["specialist_south"]
    episodes = []
    for n in range(6):
        ep = cs.refer_service_user(
            actor=actor,
            site=site_a,
            reference=f"A{100 + n}",
            referral_date=date(2016, 1, 4 + n),
            specialist=es1 if n % 2 else es2,
            referral_source="Reading CMHT",
            profile_started=date(2016, 1, 20 + n),
        )
        episodes.append(ep)
    for ep in episodes[:4]:
        cs.record_activity(
            actor=actor, episode=ep, kind=ActivityKind.APPLICATION, date=date(2016, 3, 10)
        )
        cs.record_activity(
            actor=actor, episode=ep, kind=ActivityKind.EMPLOYER_CONTACT, date=date(2016, 3, 11)
        )
    cs.record_job_start(
        actor=actor,
        episode=episodes[0],
        start_date=date(2016, 3, 1),
        employer="Greggs",
        job_title="Shop assistant",
        hours_per_week=Decimal("16"),
        hourly_pay=Decimal("7.20"),
        occupation_group="7",
    )
    cs.record_job_start(
        actor=actor,
        episode=episodes[1],
        start_date=date(2016, 2, 15),
        employer="Council",
        job_title="Gardener",
        hours_per_week=Decimal("20.5"),
        hourly_pay=Decimal("8.10"),
        end_date=date(2016, 3, 20),
        end_reason="resigned",
    )
    cs.discharge_episode(
        actor=actor,
        episode=episodes[5],
        expected_version=None,
        discharge_date=date(2016, 3, 25),
        discharge_reason="moved",
    )
    return site_a
