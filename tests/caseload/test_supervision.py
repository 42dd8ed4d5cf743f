"""The team leader's supervision view and the weekly counting selector."""

from datetime import date, timedelta

import pytest

from ipsworks.caseload import selectors, services

pytestmark = pytest.mark.django_db


def test_weekly_counts_credit_the_specialist_in_the_week_of_the_date(users, episode_a, job_a):
    for day, kind in [
        (date(2016, 4, 4), "application"),  # a Monday
        (date(2016, 4, 10), "employer_contact"),  # the Sunday of the same week
        (date(2016, 4, 11), "employer_contact"),  # the next Monday
    ]:
        services.record_activity(
            actor=users["specialist"], episode=episode_a, kind=kind, date=day, face_to_face=True
        )
    counts = selectors.activity_counts_by_specialist_week(
        site=episode_a.site, start=date(2016, 4, 1), end=date(2016, 5, 8)
    )
    me = users["specialist"].pk
    assert counts[(me, date(2016, 4, 4))].applications == 1
    assert counts[(me, date(2016, 4, 4))].employer_contacts == 1
    assert counts[(me, date(2016, 4, 11))].face_to_face_employer_contacts == 1
    assert counts[(me, date(2016, 5, 2))].job_starts == 1


def test_supervision_highlights_a_specialist_without_employer_contact_for_two_weeks(
    client, users, episode_a, site_a
):
    south = services.refer_service_user(
        actor=users["specialist_south"],
        site=site_a,
        reference="A002",
        referral_date=date(2016, 3, 1),
        profile_started=date(2016, 3, 2),
    )
    until = date(2016, 6, 30)
    services.record_activity(
        actor=users["specialist"], episode=episode_a, kind="employer_contact", date=until
    )
    services.record_activity(
        actor=users["specialist_south"],
        episode=south,
        kind="employer_contact",
        date=until - timedelta(days=14),
    )
    client.force_login(users["implementation_manager"])
    page = client.get(f"/caseload/supervision/?until={until}").content.decode()
    summary = page[page.index('data-testid="supervision-summary"') :]
    quiet = summary[summary.index('data-testid="quiet-specialist"') :]
    assert "a.es2" in quiet[:400] and "a.es1" not in quiet[:400]
    assert summary.count('data-testid="quiet-specialist"') == 1
    assert "No employer contact for 2 weeks" in page
    assert "Caseload (limit 20)" in page


def test_supervision_defaults_to_the_latest_activity_when_the_last_weeks_are_empty(
    client, users, episode_a
):
    services.record_activity(
        actor=users["specialist"], episode=episode_a, kind="application", date=date(2016, 6, 1)
    )
    client.force_login(users["team_leader"])
    page = client.get("/caseload/supervision/").content.decode()
    assert "latest recorded activity (1 June 2016)" in page


def test_team_leader_sees_only_their_teams_specialists(client, users, site_a):
    client.force_login(users["team_leader"])  # north team
    page = client.get("/caseload/supervision/").content.decode()
    assert "a.es1" in page and "a.es2" not in page


def test_caseload_size_counts_open_referrals_on_the_day(users, episode_a):
    sizes = selectors.caseload_size_by_specialist(site=episode_a.site, on=date(2016, 3, 1))
    assert sizes == {users["specialist"].pk: 1}
    assert selectors.caseload_size_by_specialist(site=episode_a.site, on=date(2016, 2, 1)) == {}
