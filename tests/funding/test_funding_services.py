"""Adding and changing posts, the status after the grant and stakeholders: checked and audited."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ipsworks.audit.models import AuditEvent
from ipsworks.funding import services
from ipsworks.funding.models import Post, SiteFunding

pytestmark = pytest.mark.django_db

POST = {
    "role": "specialist",
    "fte": Decimal("1.0"),
    "funding_type": "grant",
    "start_date": date(2015, 1, 28),
    "end_date": date(2016, 7, 28),
}


def test_implementation_manager_adds_a_post_at_their_site_and_it_is_audited(users, site_a):
    post = services.create_post(actor=users["implementation_manager"], site=site_a, data=POST)
    event = AuditEvent.objects.get(event="funding.post_created")
    assert event.actor == users["implementation_manager"] and event.site == site_a
    assert event.after["end_date"] == "2016-07-28" and event.entity_id == str(post.pk)


def test_changing_a_post_records_before_and_after(users, site_a, make_post):
    post = make_post(site_a, end_date=date(2016, 7, 28))
    services.update_post(
        actor=users["programme_manager"], post=post, data={"end_date": date(2017, 1, 28)}
    )
    event = AuditEvent.objects.get(event="funding.post_changed")
    assert event.before["end_date"] == "2016-07-28" and event.after["end_date"] == "2017-01-28"


def test_implementation_manager_cannot_add_a_post_at_another_site(users, site_b):
    with pytest.raises(PermissionDenied):
        services.create_post(actor=users["implementation_manager"], site=site_b, data=POST)
    assert not Post.objects.exists()


@pytest.mark.parametrize("who", ["commissioner", "evaluator", "team_leader", "reviewer"])
def test_read_only_roles_cannot_add_posts(users, site_a, who):
    with pytest.raises(PermissionDenied):
        services.create_post(actor=users[who], site=site_a, data=POST)


def test_end_date_before_start_date_is_refused_with_a_message(users, site_a):
    with pytest.raises(ValidationError) as error:
        services.create_post(
            actor=users["programme_manager"],
            site=site_a,
            data={**POST, "end_date": date(2014, 1, 1)},
        )
    assert "end date" in str(error.value.message_dict["end_date"])


def test_successor_must_be_at_the_same_site(users, site_a, site_b, make_post):
    elsewhere = make_post(site_b)
    with pytest.raises(ValidationError) as error:
        services.create_post(
            actor=users["programme_manager"], site=site_a, data={**POST, "successor": elsewhere}
        )
    assert "same site" in str(error.value.message_dict["successor"])


def test_setting_the_status_after_the_grant_twice_updates_one_record(users, site_a):
    pm = users["programme_manager"]
    services.set_site_status(actor=pm, site=site_a, status="continued")
    services.set_site_status(actor=pm, site=site_a, status="ended", notes="Money ran out.")
    assert SiteFunding.objects.get(site=site_a).status == "ended"
    events = AuditEvent.objects.filter(event="funding.status_set").order_by("id")
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].before["status"] == "continued"


def test_stakeholder_is_added_and_changed_with_audit(users, site_a):
    im = users["implementation_manager"]
    item = services.create_stakeholder(
        actor=im,
        site=site_a,
        data={"kind": "dwp", "organisation": "Alpha Jobcentre Plus", "engagement": "informed"},
    )
    services.update_stakeholder(
        actor=im, stakeholder=item, data={"engagement": "engaged", "last_contact": date(2026, 1, 5)}
    )
    item.refresh_from_db()
    assert item.engagement == "engaged"
    assert AuditEvent.objects.filter(event__startswith="funding.stakeholder").count() == 2


def test_post_form_saves_through_the_service(client, users, site_a):
    client.force_login(users["implementation_manager"])
    response = client.post(
        "/funding/sites/alpha/posts/add/",
        {
            "role": "team_leader",
            "title": "IPS team leader",
            "fte": "0.8",
            "funding_type": "trust",
            "start_date": "2016-07-29",
            "end_date": "",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.fte == Decimal("0.80") and post.end_date is None
    assert AuditEvent.objects.filter(event="funding.post_created").count() == 1


def test_post_form_shows_a_clear_error_for_bad_dates(client, users, site_a):
    client.force_login(users["implementation_manager"])
    response = client.post(
        "/funding/sites/alpha/posts/add/",
        {
            "role": "specialist",
            "fte": "1",
            "funding_type": "grant",
            "start_date": "2016-07-29",
            "end_date": "2016-01-01",
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "on or after the start date" in response.content.decode()
    assert not Post.objects.exists()


def test_edit_form_shows_saved_dates_in_the_date_fields(client, users, site_a, make_post):
    post = make_post(site_a, end_date=date(2016, 7, 28))
    client.force_login(users["programme_manager"])
    page = client.get(f"/funding/sites/alpha/posts/{post.pk}/").content.decode()
    assert 'value="2015-01-28"' in page and 'value="2016-07-28"' in page


def test_stakeholder_form_saves_and_shows_on_the_site_page(client, users, site_a):
    client.force_login(users["implementation_manager"])
    response = client.post(
        "/funding/sites/alpha/stakeholders/add/",
        {
            "kind": "board_sponsor",
            "organisation": "Alpha NHS trust",
            "contact_role": "Director of nursing",
            "engagement": "committed",
            "last_contact": "2026-10-01",
        },
    )
    assert response.status_code == 302
    page = client.get("/funding/sites/alpha/").content.decode()
    assert "Trust board sponsor" in page and "Committed support or money" in page
    assert "1 Oct 2026" in page


def test_status_form_sets_the_status_after_the_grant(client, users, site_a):
    client.force_login(users["programme_manager"])
    response = client.post(
        "/funding/sites/alpha/status/",
        {"status": "partly_continued", "at_risk": "on", "notes": "Two of three posts kept."},
    )
    assert response.status_code == 302
    status = SiteFunding.objects.get(site=site_a)
    assert (status.status, status.at_risk) == ("partly_continued", True)
    page = client.get("/funding/").content.decode()
    assert "Partly continued" in page and "(funding at risk)" in page
