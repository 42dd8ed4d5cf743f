"""Programme managers choose the trajectory and status thresholds; changes are audited."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from ipsworks.audit.models import AuditEvent
from ipsworks.outcomes.models import TargetSettings
from ipsworks.outcomes.selectors import programme_outcomes
from ipsworks.outcomes.services import update_target_settings
from ipsworks.outcomes.summaries import rebuild_all

pytestmark = pytest.mark.django_db

FORM = {
    "trajectory": "ramped",
    "year1_jobs_per_specialist": "10",
    "year2_jobs_per_specialist": "18",
    "on_track_ratio": "0.80",
    "behind_ratio": "0.50",
    "no_contact_days": "21",
}


def test_programme_manager_saves_settings_and_it_is_audited(client, users, programme):
    client.force_login(users["programme_manager"])
    response = client.post("/outcomes/settings/", FORM)
    assert response.status_code == 302
    saved = TargetSettings.objects.get(programme=programme)
    assert (saved.trajectory, saved.no_contact_days) == ("ramped", 21)
    event = AuditEvent.objects.get(event="outcomes.target_settings")
    assert event.before["trajectory"] == "linear" and event.after["trajectory"] == "ramped"


def test_behind_above_on_track_is_refused_with_a_message(client, users, programme):
    client.force_login(users["programme_manager"])
    response = client.post("/outcomes/settings/", {**FORM, "behind_ratio": "0.95"})
    assert response.status_code == 200
    assert "must not be above the on-track threshold" in response.content.decode()
    assert not TargetSettings.objects.exists()


@pytest.mark.parametrize("role", ["commissioner", "implementation_manager", "reviewer"])
def test_other_roles_cannot_change_settings(client, users, programme, role):
    client.force_login(users[role])
    assert client.get("/outcomes/settings/").status_code == 404
    with pytest.raises(PermissionDenied):
        update_target_settings(
            actor=users[role], programme=programme, values={"no_contact_days": 3}
        )


def test_thresholds_change_a_sites_status(rows, site_a, users, programme):
    ep = rows.episode(date(2015, 1, 28))
    for day in range(1, 11):
        rows.job(ep, date(2015, 5, day))
    rebuild_all()
    as_of = date(2015, 7, 31)
    before = programme_outcomes(programme, as_of=as_of, sites=[site_a]).sites[0]
    # 10 job starts against about 20 expected by the end of July: far behind at 75%
    assert before.status == "far_behind"
    update_target_settings(
        actor=users["programme_manager"],
        programme=programme,
        values={"behind_ratio": Decimal("0.40"), "on_track_ratio": Decimal("0.45")},
    )
    after = programme_outcomes(programme, as_of=as_of, sites=[site_a]).sites[0]
    assert after.status == "on_track"


def test_ramped_trajectory_uses_the_sites_staffing(rows, site_a, users, programme):
    update_target_settings(
        actor=users["programme_manager"], programme=programme, values={"trajectory": "ramped"}
    )
    outcome = programme_outcomes(programme, as_of=date(2015, 12, 31), sites=[site_a]).sites[0]
    assert outcome.staffing_total is not None and outcome.staffing_total > 0
    assert outcome.trajectory[date(2016, 7, 1)] == pytest.approx(60)
