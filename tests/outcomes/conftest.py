"""Fixtures for outcomes tests: a tiny builder of raw caseload rows (written directly, so the
metric tests do not depend on the caseload services' validation)."""

from datetime import date
from decimal import Decimal

import pytest


class Rows:
    """Creates service users, episodes, activities and jobs with sensible defaults."""

    def __init__(self, site, specialist=None):
        self.site = site
        self.specialist = specialist
        self.team = site.teams.order_by("name").first()
        self.counter = 0

    def person(self, reference=None, site=None):
        from ipsworks.caseload.models import ServiceUser

        self.counter += 1
        return ServiceUser.objects.create(
            site=site or self.site, reference=reference or f"P{self.counter:04d}"
        )

    def episode(
        self,
        referred,
        *,
        person=None,
        profile=None,
        discharged=None,
        in_work=False,
        specialist="default",
        team="default",
        site=None,
    ):
        from ipsworks.caseload.models import Episode

        site = site or (person.site if person else self.site)
        person = person or self.person(site=site)
        return Episode.objects.create(
            service_user=person,
            site=site,
            referral_date=referred,
            profile_started=profile,
            discharge_date=discharged,
            discharge_reason="other" if discharged else "",
            employment_status="in_work" if in_work else "out_of_work",
            specialist=self.specialist if specialist == "default" else specialist,
            team=(self.team if site == self.site else None) if team == "default" else team,
        )

    def job(self, episode, start, *, hours=20, end=None, competitive=True):
        from ipsworks.caseload.models import Job

        return Job.objects.create(
            episode=episode,
            site=episode.site,
            start_date=start,
            end_date=end,
            employer="Employer",
            job_title="Job",
            hours_per_week=Decimal(str(hours)),
            hourly_pay=Decimal("8.00"),
            is_competitive=competitive,
        )

    def activity(self, episode, kind, day, *, face_to_face=False, specialist=None):
        from ipsworks.caseload.models import Activity

        return Activity.objects.create(
            episode=episode,
            site=episode.site,
            kind=kind,
            date=day,
            face_to_face=face_to_face,
            specialist=specialist,
        )


@pytest.fixture
def specialist(site_a, make_user):
    team = site_a.teams.order_by("name").first()
    return make_user("specialist", site_a, team, username="es-metrics", start_date=date(2015, 1, 1))


@pytest.fixture
def rows(site_a, specialist):
    return Rows(site_a, specialist)
