"""The monthly cycle and import actions refuse what they cannot do, and say so truthfully:
months outside the site's period, a second accept of the same file, discards (audited)."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from ipsworks.audit.models import AuditEvent
from ipsworks.caseload.models import Episode
from ipsworks.returns import services
from ipsworks.returns.models import MonthlyReturn, ReturnImport

from .test_screens import xlsx_upload

pytestmark = pytest.mark.django_db


def _messages(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _checked_import(client, users, tmp_path) -> ReturnImport:
    client.force_login(users["implementation_manager"])
    good = xlsx_upload(tmp_path, [["G1", "01/02/2016", "a.es1", 1]], name="good.xlsx")
    client.post("/returns/alpha/upload/", {"month": "2016-03", "files": [good]})
    item = ReturnImport.objects.order_by("-id").first()
    assert item.state == ReturnImport.State.CHECKED
    return item


def test_submitting_a_month_in_the_future_is_refused_with_a_message_not_success(
    client, users, site_a
):
    client.force_login(users["implementation_manager"])
    response = client.post("/returns/alpha/2099-01/submit/")
    assert response.status_code == 302
    shown = _messages(response)
    assert not [text for level, text in shown if level == "success"]
    assert any(level == "error" and "January 2099" in text for level, text in shown)
    assert not MonthlyReturn.objects.exists()


def test_a_month_before_the_site_started_is_refused(users, site_a):
    with pytest.raises(ValidationError) as exc:
        services.submit_month(
            actor=users["implementation_manager"], site=site_a, month=date(2014, 12, 1)
        )
    assert "December 2014" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.lock_month(actor=users["programme_manager"], site=site_a, month=date(2099, 1, 1))
    with pytest.raises(ValidationError):
        services.reopen_month(
            actor=users["programme_manager"], site=site_a, month=date(2099, 1, 1), reason="x"
        )
    assert not MonthlyReturn.objects.exists()


def test_a_second_submit_shows_the_refusal_and_no_success_message(client, users, site_a):
    client.force_login(users["implementation_manager"])
    first = client.post("/returns/alpha/2016-03/submit/", follow=True)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    second = client.post("/returns/alpha/2016-03/submit/")
    shown = _messages(second)
    assert [level for level, _ in shown] == ["error"]
    assert "already submitted" in shown[0][1]


@pytest.mark.parametrize("month", ["0001-13", "2016-00", "99999-01", "junk", "0000-01"])
def test_malformed_months_are_not_found_not_errors(client, users, site_a, month):
    client.force_login(users["implementation_manager"])
    assert client.post(f"/returns/alpha/{month}/submit/").status_code == 404
    assert client.get(f"/returns/alpha/{month}/").status_code == 404
    assert client.get(f"/returns/alpha/export/?format=csv&month={month}").status_code == 404


def test_accepting_the_same_file_twice_applies_it_once(client, users, site_a, tmp_path):
    item = _checked_import(client, users, tmp_path)
    im = users["implementation_manager"]
    stale = ReturnImport.objects.get(pk=item.pk)  # as a second request read it
    done = services.accept_import(actor=im, item=item)
    assert done.state == ReturnImport.State.APPLIED
    with pytest.raises(ValidationError) as exc:
        services.accept_import(actor=im, item=stale)
    assert "already been accepted" in exc.value.messages[0]
    item.refresh_from_db()
    assert item.state == ReturnImport.State.APPLIED
    assert Episode.objects.count() == 1
    assert AuditEvent.objects.filter(event="returns.applied").count() == 1


def test_a_double_post_to_accept_shows_a_message_and_keeps_the_file_applied(
    client, users, site_a, tmp_path
):
    item = _checked_import(client, users, tmp_path)
    client.post(f"/returns/imports/{item.pk}/accept/")
    again = client.post(f"/returns/imports/{item.pk}/accept/")
    assert any("already been accepted" in text for _, text in _messages(again))
    item.refresh_from_db()
    assert item.state == ReturnImport.State.APPLIED


def test_discarding_a_file_is_audited(client, users, site_a, tmp_path):
    item = _checked_import(client, users, tmp_path)
    response = client.post(f"/returns/imports/{item.pk}/discard/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == ReturnImport.State.DISCARDED
    event = AuditEvent.objects.get(event="returns.discarded")
    assert event.actor_id == users["implementation_manager"].pk
    assert event.before["state"] == "checked" and event.after["state"] == "discarded"
    assert "good.xlsx" in event.summary and "March 2016" in event.summary
    with pytest.raises(ValidationError):
        services.discard_import(actor=users["implementation_manager"], item=item)
    assert AuditEvent.objects.filter(event="returns.discarded").count() == 1
