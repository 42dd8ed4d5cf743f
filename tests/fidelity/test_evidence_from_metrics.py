"""Evidence for items 1, 16, 19, 20, 21 and 23, computed from records by the outcomes metrics:
the figure, the underlying numbers and the suggested anchor on both sides of each boundary.
Item 24 (time in the community) is not in the records and says so."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ipsworks.fidelity.evidence import evidence_for_item

pytestmark = pytest.mark.django_db

START = date(2016, 2, 1)  # inside the review fixture's period (Jan to June 2016)


class Records:
    def __init__(self, site, specialist):
        self.site, self.specialist, self.n = site, specialist, 0

    def episode(self):
        from ipsworks.caseload.models import Episode, ServiceUser

        self.n += 1
        person = ServiceUser.objects.create(site=self.site, reference=f"EV{self.n:04}")
        return Episode.objects.create(
            service_user=person,
            site=self.site,
            referral_date=date(2015, 12, 1),
            profile_started=date(2015, 12, 10),
            specialist=self.specialist,
            team=self.site.teams.order_by("name").first(),
        )

    def jobs(self, names, *, field="job_title", competitive=True):
        from ipsworks.caseload.models import Job

        made = []
        for name in names:
            values = {"job_title": "Job", "employer": "Employer", field: name}
            made.append(
                Job.objects.create(
                    episode=self.episode(),
                    site=self.site,
                    start_date=START,
                    hours_per_week=Decimal("16"),
                    hourly_pay=Decimal("9.00"),
                    is_competitive=competitive,
                    **values,
                )
            )
        return made

    def activity(self, episode, kind, day, **extra):
        from ipsworks.caseload.models import Activity

        return Activity.objects.create(
            episode=episode, site=self.site, kind=kind, date=day, **extra
        )


@pytest.fixture
def records(site_a, users):
    return Records(site_a, users["specialist"])


def evidence(review, number):
    item = review.scale.items.get(number=number)
    return evidence_for_item(item, review.site, review.period_start, review.period_end)


def names(distinct, total):
    """`total` names of which `distinct` differ (the rest repeat the first), in mixed case."""
    return [f"Title {n}" for n in range(distinct)] + ["  TITLE 0 "] * (total - distinct)


DIVERSITY = [(17, 5), (16, 4), (14, 4), (13, 3), (12, 3), (11, 2), (10, 2), (9, 1)]


@pytest.mark.parametrize(("distinct", "score"), DIVERSITY)
def test_job_type_diversity_suggests_the_anchor_for_distinct_titles_of_20(
    records, review, distinct, score
):
    records.jobs(names(distinct, 20), field="job_title")
    ev = evidence(review, 19)
    assert ev.available and ev.metric == "job_type_diversity"
    assert ev.figure == distinct * 5
    assert ev.detail.startswith(f"{distinct} different job titles among 20 job starts")
    assert ev.suggested == score


@pytest.mark.parametrize(("distinct", "score"), DIVERSITY)
def test_employer_diversity_suggests_the_anchor_for_distinct_employers_of_20(
    records, review, distinct, score
):
    records.jobs(names(distinct, 20), field="employer")
    ev = evidence(review, 20)
    assert ev.available and ev.metric == "employer_diversity"
    assert ev.figure == distinct * 5
    assert ev.display == f"{distinct * 5}% of jobs with different employers"
    assert ev.suggested == score


@pytest.mark.parametrize(
    ("supported", "score"),
    [(18, 5), (17, 4), (15, 4), (14, 3), (10, 3), (9, 2), (5, 2), (4, 1), (0, 1)],
)
def test_in_work_support_timing_suggests_the_anchor_for_supported_starts_of_20(
    records, review, supported, score
):
    from ipsworks.caseload.models import ActivityKind

    for n, job in enumerate(records.jobs(names(20, 20))):
        # supported ones on day 3 (the last day that counts); the others on day 4 (too late)
        offset = 3 if n < supported else 4
        records.activity(job.episode, ActivityKind.IN_WORK_SUPPORT, START + timedelta(offset))
    ev = evidence(review, 23)
    assert ev.available and ev.metric == "in_work_support_within_3_days"
    assert ev.figure == supported * 5
    assert ev.detail.startswith(f"{supported} of 20 job starts had an in-work support contact")
    assert ev.suggested == score


@pytest.mark.parametrize(
    ("matching", "score"),
    [(20, 5), (18, 5), (17, 4), (15, 4), (14, 3), (10, 3), (9, 2), (5, 2), (4, 1)],
)
def test_matching_preferences_suggests_the_anchor_for_matching_contacts_of_20(
    records, review, matching, score
):
    from ipsworks.caseload.models import ActivityKind

    episode = records.episode()
    for n in range(20):
        records.activity(
            episode, ActivityKind.EMPLOYER_CONTACT, START, matches_preferences=n < matching
        )
    records.activity(episode, ActivityKind.EMPLOYER_CONTACT, START)  # no answer: not counted
    ev = evidence(review, 16)
    assert ev.available and ev.metric == "employer_contacts_matching_preferences"
    assert ev.figure == matching * 5
    assert ev.detail.startswith(f"{matching} of 20 employer contacts with a recorded answer")
    assert ev.suggested == score


@pytest.mark.parametrize(("people", "score"), [(40, 5), (41, 4), (50, 4), (51, 3), (82, 1)])
def test_caseload_size_suggests_the_anchor_for_people_per_full_time_specialist(
    records, review, people, score
):
    # the users fixture puts two full-time specialists at site A
    for _ in range(people):
        records.episode()
    ev = evidence(review, 1)
    assert ev.available and ev.metric == "caseload_per_specialist_fte"
    assert ev.figure == people / 2
    assert ev.detail.startswith(f"{people} people on the active caseload on 30 Jun 2016, 2 full")
    assert ev.suggested == score


@pytest.mark.parametrize(("jobs", "competitive", "score"), [(10, 10, 5), (9, 9, 1), (20, 19, 5)])
def test_competitive_jobs_suggest_the_anchor_and_need_ten_jobs(
    records, review, jobs, competitive, score
):
    records.jobs(names(competitive, competitive))
    records.jobs(names(jobs - competitive, jobs - competitive), competitive=False)
    ev = evidence(review, 21)
    assert ev.detail == f"{competitive} of {jobs} job starts were competitive"
    assert ev.suggested == score


def test_empty_records_give_figures_without_suggestions(review):
    for number in (1, 16, 19, 20, 21, 23):
        ev = evidence(review, number)
        assert ev.available and ev.figure is None and ev.suggested is None, number
        assert ev.detail.startswith("No "), number


def test_community_time_is_not_available_from_the_records(records, review):
    records.jobs(names(5, 5))
    ev = evidence(review, 24)
    assert not ev.available and ev.suggested is None and ev.figure is None
    assert ev.detail.startswith("Not available from the records")
    assert "scheduled time" in ev.detail


def test_the_consensus_screen_shows_figure_numbers_suggestion_and_what_is_not_recorded(
    client, records, review, reviewers
):
    from ipsworks.fidelity import services

    records.jobs(["Cleaner", "Barista", "cleaner ", "Gardener"], field="job_title")
    services.attach_evidence(actor=reviewers[0], review=review)
    from ipsworks.audit.models import AuditEvent

    event = AuditEvent.objects.filter(event="fidelity.evidence_attached").latest("id")
    assert event.after["suggested_scores"]["item 19"] == 4  # the change, with what it was
    assert event.before["suggested_scores"]["item 19"] is None
    client.force_login(reviewers[0])
    page = " ".join(
        client.get(f"/fidelity/reviews/{review.pk}/consensus/").content.decode().split()
    )
    assert "75% of jobs that differ in type" in page
    assert "3 different job titles among 4 job starts" in page
    assert "Suggests <strong>4</strong>" in page
    assert "Not available from the records" in page
