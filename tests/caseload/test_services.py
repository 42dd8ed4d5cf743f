"""Caseload services: validation, permission, audit, signal and optimistic concurrency."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload import services
from ipsworks.caseload.models import ActivityKind, Episode, Job, ServiceUser
from ipsworks.caseload.signals import records_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals():
    received = []

    def receiver(sender, site, dates, **kwargs):
        received.append((site.slug, list(dates)))

    records_changed.connect(receiver, weak=False)
    yield received
    records_changed.disconnect(receiver)


def test_referral_creates_person_and_episode_on_the_specialists_caseload(users, site_a, signals):
    episode = services.refer_service_user(
        actor=users["specialist"], site=site_a, reference="A009", referral_date=date(2016, 1, 4)
    )
    assert episode.specialist == users["specialist"]
    assert episode.team.name == "Alpha North CMHT"
    event = AuditEvent.objects.get(event="caseload.referred")
    assert event.after["service_user"]["reference"] == "A009"
    assert signals == [("alpha", [date(2016, 1, 4)])]


def test_duplicate_id_at_a_site_is_refused_but_allowed_at_another_site(
    users, site_b, episode_a, make_user
):
    with pytest.raises(ValidationError) as exc:
        services.refer_service_user(
            actor=users["implementation_manager"],
            site=episode_a.site,
            reference="a001",
            referral_date=date(2016, 4, 1),
        )
    assert "already used at this site" in exc.value.message_dict["reference"][0]
    other = services.refer_service_user(
        actor=users["implementation_manager_b"],
        site=site_b,
        reference="A001",
        referral_date=date(2016, 4, 1),
    )
    assert other.site == site_b


def test_job_start_decides_competitiveness_and_is_audited(users, job_a):
    assert job_a.minimum_wage is not None
    assert job_a.is_competitive
    event = AuditEvent.objects.get(event="caseload.job_started")
    assert event.after["job_title"] == "Barista"


def test_job_before_referral_is_refused_with_a_field_message(users, episode_a):
    with pytest.raises(ValidationError) as exc:
        services.record_job_start(
            actor=users["specialist"],
            episode=episode_a,
            start_date=date(2016, 2, 1),
            employer="X",
            job_title="Y",
            hours_per_week="10",
            hourly_pay="8",
        )
    assert "start_date" in exc.value.message_dict
    assert not Job.objects.exists()


def test_job_with_too_many_hours_is_refused(users, episode_a):
    with pytest.raises(ValidationError) as exc:
        services.record_job_start(
            actor=users["specialist"],
            episode=episode_a,
            start_date=date(2016, 4, 1),
            employer="X",
            job_title="Y",
            hours_per_week="81",
            hourly_pay="-1",
        )
    assert set(exc.value.message_dict) == {"hours_per_week", "hourly_pay"}


def test_discharge_closes_the_open_episode_and_a_new_referral_can_follow(users, episode_a):
    services.discharge_episode(
        actor=users["specialist"],
        episode=episode_a,
        expected_version=episode_a.version,
        discharge_date=date(2016, 9, 1),
        discharge_reason="moved",
    )
    episode_a.refresh_from_db()
    assert not episode_a.is_open
    with pytest.raises(ValidationError):
        services.discharge_episode(
            actor=users["specialist"],
            episode=episode_a,
            expected_version=episode_a.version,
            discharge_date=date(2016, 9, 2),
            discharge_reason="moved",
        )
    again = services.add_episode(
        actor=users["specialist"],
        service_user=episode_a.service_user,
        referral_date=date(2017, 1, 5),
    )
    assert again.is_open
    with pytest.raises(ValidationError) as exc:
        services.add_episode(
            actor=users["specialist"],
            service_user=episode_a.service_user,
            referral_date=date(2017, 2, 5),
        )
    assert "already has an open referral" in exc.value.message_dict["referral_date"][0]


def test_saving_over_someone_elses_change_raises_a_conflict_showing_what_changed(users, episode_a):
    stale_version = episode_a.version
    services.update_episode(
        actor=users["team_leader"],
        episode=episode_a,
        expected_version=stale_version,
        values={"referral_source": "GP surgery"},
    )
    with pytest.raises(services.ConflictError) as exc:
        services.update_episode(
            actor=users["specialist"],
            episode=episode_a,
            expected_version=stale_version,
            values={"referral_source": "Self-referral"},
        )
    change = exc.value.changes[0]
    assert change.field == "referral_source"
    assert change.was == "Reading CMHT"
    assert change.now == "GP surgery"
    assert change.yours == "Self-referral"
    assert exc.value.changed_by == ["a.tl"]
    episode_a.refresh_from_db()
    assert episode_a.referral_source == "GP surgery"
    assert episode_a.version == stale_version + 1


def test_job_end_conflict_overwrites_nothing(users, job_a):
    services.update_job(
        actor=users["implementation_manager"],
        job=job_a,
        expected_version=job_a.version,
        values={"hours_per_week": "20"},
    )
    with pytest.raises(services.ConflictError):
        services.record_job_end(
            actor=users["specialist"],
            job=job_a,
            expected_version=job_a.version,
            end_date=date(2016, 6, 1),
            end_reason="resigned",
        )
    job_a.refresh_from_db()
    assert job_a.end_date is None


def test_specialist_cannot_write_another_sites_or_colleagues_records(users, episode_a, episode_b):
    with pytest.raises(services.CaseloadPermissionError):
        services.record_activity(
            actor=users["specialist_b"],
            episode=episode_a,
            kind=ActivityKind.APPLICATION,
            date=date(2016, 4, 1),
        )
    with pytest.raises(services.CaseloadPermissionError):
        services.record_activity(
            actor=users["specialist_south"],
            episode=episode_a,
            kind=ActivityKind.APPLICATION,
            date=date(2016, 4, 1),
        )
    with pytest.raises(services.CaseloadPermissionError):
        services.refer_service_user(
            actor=users["specialist"],
            site=episode_b.site,
            reference="X1",
            referral_date=date(2016, 4, 1),
        )
    assert not ServiceUser.objects.filter(reference="X1").exists()


@pytest.mark.parametrize("role", ["commissioner", "reviewer", "evaluator"])
def test_aggregate_roles_never_write(users, episode_a, role):
    with pytest.raises(services.CaseloadPermissionError):
        services.record_activity(
            actor=users[role],
            episode=episode_a,
            kind=ActivityKind.APPLICATION,
            date=date(2016, 4, 1),
        )


def test_only_an_administrator_removes_a_service_user_and_it_is_audited(users, job_a):
    person = job_a.episode.service_user
    with pytest.raises(services.CaseloadPermissionError):
        services.remove_service_user(actor=users["implementation_manager"], service_user=person)
    services.remove_service_user(
        actor=users["administrator"], service_user=person, reason="Entered twice"
    )
    assert not ServiceUser.objects.filter(pk=person.pk).exists()
    event = AuditEvent.objects.get(event="caseload.service_user_removed")
    assert event.before["service_user"]["reference"] == "A001"
    assert event.before["job_ids"] == [job_a.pk]
    assert event.before["episode_ids"] == [job_a.episode_id]
    assert event.before["counts"] == {"episodes": 1, "activities": 0, "jobs": 1}
    assert event.before["reason"] == "Entered twice"
    assert event.actor_id == users["administrator"].pk
    assert "A001" in event.summary and "Entered twice" in event.summary


def test_removal_audit_keeps_no_copy_of_the_persons_details_or_records(users, job_a):
    person = job_a.episode.service_user
    services.record_activity(
        actor=users["specialist"],
        episode=job_a.episode,
        kind=ActivityKind.EMPLOYER_CONTACT,
        date=date(2016, 4, 1),
        employer="Bakery",
    )
    services.remove_service_user(actor=users["administrator"], service_user=person)
    event = AuditEvent.objects.get(event="caseload.service_user_removed")
    assert event.before["counts"]["activities"] == 1
    assert event.after in (None, {})
    text = str(event.before)
    # No equality fields, employers, job titles or referral sources survive the removal.
    for detail in ("25-34", "Corner Cafe", "Barista", "Reading CMHT", "Bakery"):
        assert detail not in text
    assert set(event.before["service_user"]) == {"id", "reference", "site"}


def test_activity_is_credited_to_the_specialist_who_logged_it(users, episode_a):
    activity = services.record_activity(
        actor=users["specialist"],
        episode=episode_a,
        kind=ActivityKind.EMPLOYER_CONTACT,
        date=date(2016, 4, 1),
        face_to_face=True,
        employer="Bakery",
    )
    assert activity.specialist == users["specialist"]
    assert AuditEvent.objects.filter(event="caseload.employer_contact_logged").count() == 1


def test_changing_the_age_band_redecides_job_competitiveness(users, job_a):
    person = job_a.episode.service_user
    services.update_service_user(
        actor=users["specialist"],
        service_user=person,
        expected_version=person.version,
        values={"age_band": "18-20"},
    )
    job_a.refresh_from_db()
    assert str(job_a.minimum_wage) == "5.30"
    event = AuditEvent.objects.get(event="caseload.job_rechecked")  # the job's change is audited
    assert event.entity_id == str(job_a.pk)
    assert (event.before["minimum_wage"], event.after["minimum_wage"]) != ("5.30", "5.30")
    assert event.after["minimum_wage"] == "5.30"


def test_batch_sends_one_signal_per_site_and_one_summary_audit(users, site_a, signals):
    with services.batch(actor=users["implementation_manager"], audit_rows=False) as b:
        for n in range(3):
            services.refer_service_user(
                actor=users["implementation_manager"],
                site=site_a,
                reference=f"R{n}",
                referral_date=date(2016, 1, n + 1),
            )
    assert b.counts["caseload.referred"] == 3
    assert len(signals) == 1
    assert signals[0][1] == [date(2016, 1, 1), date(2016, 1, 2), date(2016, 1, 3)]
    assert AuditEvent.objects.filter(event="caseload.referred").count() == 0
    assert AuditEvent.objects.filter(event="caseload.batch").count() == 1
    assert Episode.objects.count() == 3


def test_batch_rolls_back_everything_on_error(users, site_a, signals):
    with pytest.raises(ValidationError), services.batch(actor=users["implementation_manager"]):
        services.refer_service_user(
            actor=users["implementation_manager"],
            site=site_a,
            reference="R1",
            referral_date=date(2016, 1, 1),
        )
        services.refer_service_user(
            actor=users["implementation_manager"],
            site=site_a,
            reference="R1",
            referral_date=date(2016, 1, 1),
        )
    assert not ServiceUser.objects.exists()
    assert signals == []


def test_specialist_cannot_hand_their_referral_to_a_colleague(users, episode_a):
    with pytest.raises(ValidationError) as exc:
        services.update_episode(
            actor=users["specialist"],
            episode=episode_a,
            expected_version=episode_a.version,
            values={"specialist": users["specialist_south"]},
        )
    assert "leave your caseload" in exc.value.message_dict["specialist"][0]
    episode_a.refresh_from_db()
    assert episode_a.specialist == users["specialist"]
    assert episode_a.version == 1
    assert not AuditEvent.objects.filter(event="caseload.episode_changed").exists()


def test_team_leader_cannot_move_a_referral_to_another_teams_specialist(users, episode_a):
    with pytest.raises(ValidationError) as exc:
        services.update_episode(
            actor=users["team_leader"],
            episode=episode_a,
            expected_version=episode_a.version,
            values={"specialist": users["specialist_south"]},
        )
    assert "specialist" in exc.value.message_dict
    episode_a.refresh_from_db()
    assert episode_a.specialist == users["specialist"]
    assert episode_a.team.name == "Alpha North CMHT"


def test_team_leader_may_reassign_within_their_team(users, episode_a, make_user):
    colleague = make_user("specialist", episode_a.site, episode_a.team, username="a.es3")
    changed = services.update_episode(
        actor=users["team_leader"],
        episode=episode_a,
        expected_version=episode_a.version,
        values={"specialist": colleague},
    )
    assert changed.specialist == colleague


def test_implementation_manager_may_reassign_across_teams(users, episode_a):
    changed = services.update_episode(
        actor=users["implementation_manager"],
        episode=episode_a,
        expected_version=episode_a.version,
        values={"specialist": users["specialist_south"]},
    )
    assert changed.specialist == users["specialist_south"]
    assert changed.team.name != "Alpha North CMHT"


def test_a_specialist_who_has_left_cannot_be_assigned(users, episode_a, make_user):
    gone = make_user(
        "specialist",
        episode_a.site,
        episode_a.team,
        username="a.left",
        start_date=date(2015, 1, 1),
        end_date=date(2016, 1, 31),
    )
    with pytest.raises(ValidationError) as exc:
        services.update_episode(
            actor=users["implementation_manager"],
            episode=episode_a,
            expected_version=episode_a.version,
            values={"specialist": gone},
        )
    assert "a.left" in exc.value.message_dict["specialist"][0]
    with pytest.raises(ValidationError):
        services.refer_service_user(
            actor=users["implementation_manager"],
            site=episode_a.site,
            reference="A777",
            referral_date=date(2016, 4, 1),
            specialist=gone,
        )


def test_activity_by_someone_who_has_left_the_specialist_role_goes_to_the_episode(
    users, episode_a, make_user
):
    # A team leader who used to be a specialist at the site is not credited as one now.
    former = make_user("team_leader", episode_a.site, episode_a.team, username="a.former")
    from ipsworks.accounts.models import Membership

    Membership.objects.create(
        user=former,
        role="specialist",
        programme=episode_a.site.programme,
        site=episode_a.site,
        team=episode_a.team,
        start_date=date(2014, 1, 1),
        end_date=date(2015, 12, 31),
    )
    activity = services.record_activity(
        actor=former,
        episode=episode_a,
        kind=ActivityKind.EMPLOYER_CONTACT,
        date=date(2016, 4, 1),
        employer="Bakery",
    )
    assert activity.specialist == users["specialist"]
