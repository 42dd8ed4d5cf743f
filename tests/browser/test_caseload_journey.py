"""A specialist finds a person, logs an employer contact and a job start without a page reload,
and sees both on the timeline; a team leader reads the supervision view. Axe-checked."""

from datetime import date

import pytest
from playwright.sync_api import expect

from ipsworks.caseload import services

pytestmark = pytest.mark.django_db(transaction=True)


def refer(users, site, reference, **extra):
    return services.refer_service_user(
        actor=users["specialist"],
        site=site,
        reference=reference,
        referral_date=date(2016, 3, 1),
        profile_started=date(2016, 3, 8),
        **extra,
    )


def test_specialist_logs_an_employer_contact_and_a_job_start_on_the_timeline(ui, users, site_a):
    person = refer(users, site_a, "A001").service_user
    refer(users, site_a, "A002")
    page = ui.sign_in("a.es1")
    ui.goto("/caseload/people/")
    page.get_by_label("Find a person by service user ID").fill("A001")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    ui.axe()
    page.get_by_role("link", name="A001", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "A001"
    ui.axe()
    page.evaluate("window.__noReload = true")

    page.get_by_text("Log an employer contact").click()
    page.fill("#id_employer_contact-date", "2016-04-02")
    page.fill("#id_employer_contact-employer", "Crown Hotel")
    page.check("#id_employer_contact-face_to_face")
    page.get_by_role("button", name="Save the employer contact").click()
    page.get_by_test_id("quick-note").get_by_text("Employer contact").wait_for()
    # Focus moves to the note. (expect() polls without eval, which the page's CSP forbids:
    # wait_for_function with a string failed when its first check came too early.)
    expect(page.get_by_test_id("quick-note")).to_be_focused()
    ui.axe()

    page.get_by_text("Record a job start").click()
    page.fill("#id_job-start_date", "2016-05-02")
    page.fill("#id_job-employer", "Crown Hotel")
    page.fill("#id_job-job_title", "Porter")
    page.fill("#id_job-hours_per_week", "16")
    page.fill("#id_job-hourly_pay", "7.50")
    page.get_by_role("button", name="Save the job start").click()
    page.get_by_test_id("quick-note").get_by_text("Job start recorded").wait_for()
    ui.axe()

    assert page.evaluate("window.__noReload === true")  # updated in place, no full reload
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Started work: Porter at Crown Hotel" in timeline
    assert "Employer contact by the specialist" in timeline
    assert "Crown Hotel, face to face" in timeline
    assert person.episodes.get().jobs.count() == 1


def test_team_leader_sees_weekly_work_and_the_quiet_specialist_highlight(ui, users, site_a):
    episode = refer(users, site_a, "A001")
    services.record_activity(
        actor=users["specialist"],
        episode=episode,
        kind="application",
        date=date(2016, 6, 28),
    )
    services.record_activity(
        actor=users["specialist"],
        episode=episode,
        kind="employer_contact",
        date=date(2016, 5, 25),
        face_to_face=True,
    )
    page = ui.sign_in("a.tl")
    ui.goto("/caseload/supervision/?until=2016-06-30")
    assert page.get_by_role("heading", level=1).inner_text() == "Supervision: the last 4 weeks"
    summary = page.get_by_test_id("supervision-summary")
    assert "a.es1" in summary.inner_text()
    assert page.get_by_test_id("quiet-specialist").count() == 1
    assert "No employer contact for 2 weeks" in page.get_by_test_id("quiet-specialist").inner_text()
    page.get_by_role("link", name="Previous 4 weeks").click()
    page.wait_for_load_state()
    ui.axe()
    assert page.get_by_test_id("quiet-specialist").count() == 0


def test_implementation_manager_site_view_and_referral_form_are_accessible(ui, users, site_a):
    refer(users, site_a, "A001")
    page = ui.sign_in("a.im")
    ui.goto("/caseload/sites/alpha/")
    assert "a.es1" in page.get_by_test_id("site-caseload").inner_text()
    ui.goto("/caseload/refer/")
    page.get_by_label("Service user ID").fill("A001")
    page.get_by_label("Referral date").fill("2016-04-01")
    page.get_by_role("button", name="Add to the caseload").click()
    page.wait_for_load_state()
    ui.axe()
    assert "already used at this site" in page.get_by_role("alert").inner_text()
    ui.goto("/caseload/people/?stage=engaged&sort=id")
