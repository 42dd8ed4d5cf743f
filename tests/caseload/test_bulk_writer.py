"""caseload.services.bulk_apply: who may use it, the fingerprint, and the checks it adds."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload import services
from ipsworks.caseload.models import Activity, Episode, ServiceUser


@pytest.mark.parametrize(
    "role", ["specialist", "team_leader", "commissioner", "implementation_manager_b"]
)
def test_only_users_with_the_whole_site_in_scope_may_bulk_apply(users, site_a, role):
    with (
        pytest.raises(services.CaseloadPermissionError),
        services.bulk_apply(actor=users[role], site=site_a),
    ):
        pass


def test_the_fingerprint_moves_with_every_write(users, episode_a, site_a):
    before = services.records_fingerprint(site=site_a)
    assert services.records_fingerprint(site=site_a) == before
    services.record_activity(
        actor=users["specialist"], episode=episode_a, kind="application", date=date(2016, 3, 9)
    )
    after_activity = services.records_fingerprint(site=site_a)
    assert after_activity != before
    services.update_episode(
        actor=users["specialist"],
        episode=episode_a,
        expected_version=None,
        values={"referral_source": "GP"},
    )
    assert services.records_fingerprint(site=site_a) != after_activity


def test_a_stale_fingerprint_refuses_before_writing(users, episode_a, site_a):
    stale = services.records_fingerprint(site=site_a)
    services.record_activity(
        actor=users["specialist"], episode=episode_a, kind="application", date=date(2016, 3, 9)
    )
    with (
        pytest.raises(services.RecordsChangedError),
        services.bulk_apply(
            actor=users["implementation_manager"], site=site_a, expected_fingerprint=stale
        ) as writer,
    ):
        writer.new_episode(service_user=None, reference="X1", referral_date=date(2016, 3, 2))
    assert not ServiceUser.objects.filter(reference="X1").exists()


def test_writer_creates_people_referrals_and_activities_with_audit_rows(users, site_a):
    im = users["implementation_manager"]
    es = users["specialist"]
    with services.bulk_apply(actor=im, site=site_a, batch_size=2) as writer:
        person, episode = writer.new_episode(
            service_user=None, reference="X1", referral_date=date(2016, 3, 2), specialist_id=es.pk
        )
        writer.add_activities(episode=episode, kind="application", day=date(2016, 3, 31), number=3)
    saved = Episode.objects.get(service_user__reference="X1")
    assert saved.pk == episode.pk and saved.service_user_id == person.pk
    assert saved.team_id == es.memberships.get().team_id
    activities = Activity.objects.filter(episode=saved)
    assert activities.count() == 3 and {a.specialist_id for a in activities} == {es.pk}
    audited = set(
        AuditEvent.objects.filter(entity="caseload.Activity").values_list("entity_id", flat=True)
    )
    assert audited == {str(a.pk) for a in activities}
    assert (
        AuditEvent.objects.get(entity="caseload.Episode", entity_id=str(saved.pk)).after[
            "service_user"
        ]["reference"]
        == "X1"
    )


def test_a_new_referral_before_the_last_discharge_is_refused(users, episode_a, site_a):
    services.discharge_episode(
        actor=users["specialist"],
        episode=episode_a,
        expected_version=None,
        discharge_date=date(2016, 4, 20),
        discharge_reason="moved",
    )
    with (
        services.bulk_apply(actor=users["implementation_manager"], site=site_a) as writer,
        pytest.raises(ValidationError) as refused,
    ):
        writer.new_episode(
            service_user=episode_a.service_user_id, reference="A001", referral_date=date(2016, 4, 1)
        )
    assert "before the previous referral was closed" in str(refused.value)
    assert Episode.objects.filter(service_user=episode_a.service_user).count() == 1


def test_the_bulk_writer_refuses_a_specialist_who_has_left(users, site_a, episode_a, make_user):
    gone = make_user(
        "specialist",
        site_a,
        episode_a.team,
        username="a.left",
        start_date=date(2015, 1, 1),
        end_date=date(2016, 1, 31),
    )
    with services.bulk_apply(actor=users["implementation_manager"], site=site_a) as writer:
        with pytest.raises(ValidationError) as exc:
            writer.new_episode(
                service_user=None,
                reference="L9",
                referral_date=date(2016, 3, 1),
                specialist_id=gone.pk,
            )
        assert "specialist" in exc.value.message_dict
        with pytest.raises(ValidationError):
            writer.update_episode(episode_id=episode_a.pk, changes={"specialist": gone.pk})
    assert not ServiceUser.objects.filter(reference="L9").exists()
    episode_a.refresh_from_db()
    assert episode_a.specialist == users["specialist"]
