"""Results (total, band, subtotals), the action plan with overdue items, history and programme."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ipsworks.fidelity import services
from ipsworks.fidelity.models import ActionStatus

pytestmark = pytest.mark.django_db


def test_results_show_total_band_and_section_subtotals(client, users, finalised_review):
    client.force_login(users["programme_manager"])
    page = client.get(f"/fidelity/reviews/{finalised_review.pk}/results/").content.decode()
    assert "104 of 125" in page and "Good fidelity" in page
    assert "Subtotals by section" in page and "Organisation" in page


def test_overdue_actions_are_marked_in_words_not_only_colour(client, users, finalised_review):
    today = timezone.localdate()
    late = services.add_action(
        actor=users["implementation_manager"],
        review=finalised_review,
        item_number=17,
        action="Four employer visits a week",
        owner="Supervisor",
        due_date=today - timedelta(days=1),
    )
    services.add_action(
        actor=users["programme_manager"],
        review=finalised_review,
        item_number=None,
        action="Steering group to meet monthly",
        owner="Executive lead",
        due_date=today,
    )
    assert (
        late.is_overdue() and not finalised_review.actions.get(owner="Executive lead").is_overdue()
    )
    client.force_login(users["implementation_manager"])
    page = client.get(f"/fidelity/reviews/{finalised_review.pk}/results/").content.decode()
    assert "Action plan: 1 overdue" in page
    assert page.count(">Overdue</strong>") == 1
    client.post(f"/fidelity/reviews/{finalised_review.pk}/actions/{late.pk}/", {"status": "done"})
    late.refresh_from_db()
    assert late.status == ActionStatus.DONE and late.completed_on == today and not late.is_overdue()


def test_a_commissioner_cannot_change_the_action_plan(users, finalised_review):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.add_action(
            actor=users["commissioner"],
            review=finalised_review,
            item_number=None,
            action="x",
            owner="y",
            due_date=date(2030, 1, 1),
        )


def test_the_report_is_printable_with_scores_findings_and_actions(client, users, reviewers, review):
    from .conftest import agree_all, score_all, spread

    scores = spread(95)
    score_all(review, reviewers[0], scores)
    score_all(review, reviewers[1], scores)
    agree_all(review, reviewers[0], scores)
    services.update_findings(
        actor=reviewers[0], review=review, strengths="Quick starts", recommendations="More visits"
    )
    services.finalise_review(actor=reviewers[0], review=review)
    client.force_login(users["implementation_manager"])
    page = client.get(f"/fidelity/reviews/{review.pk}/report/").content.decode()
    assert "Fidelity review report: Alpha" in page
    assert "95 of 125" in page and "Fair fidelity" in page
    assert "Quick starts" in page and "More visits" in page
    assert "ips-no-print" in page


def test_the_site_history_has_a_trend_chart_and_its_data_table(client, users, finalised_review):
    client.force_login(users["programme_manager"])
    page = client.get(f"/fidelity/sites/{finalised_review.site.slug}/").content.decode()
    assert "<svg" in page and "<title" in page and 'aria-describedby="trend-summary"' in page
    assert "the chart&#x27;s data" in page or "the chart's data" in page
    assert "Good fidelity" in page


def test_the_programme_view_plots_fidelity_against_the_job_outcome_rate(
    client, users, finalised_review
):
    from ipsworks.caseload.models import Episode, Job, ServiceUser

    site = finalised_review.site
    for n in range(4):
        person = ServiceUser.objects.create(site=site, reference=f"P{n}")
        episode = Episode.objects.create(
            service_user=person,
            site=site,
            referral_date=date(2016, 1, 10),
            profile_started=date(2016, 1, 12),
        )
        if n == 0:
            Job.objects.create(
                episode=episode,
                site=site,
                start_date=date(2016, 3, 1),
                employer="Cafe",
                job_title="Barista",
                hours_per_week=16,
                hourly_pay=8,
            )
    client.force_login(users["programme_manager"])
    page = client.get("/fidelity/programme/").content.decode()
    assert "25% (1 of 4)" in page
    assert "<svg" in page and "Fidelity total against job outcome rate" in page
    assert "Not reviewed yet" in page  # site B


def test_an_action_that_cannot_be_added_comes_back_with_what_was_typed(
    client, users, finalised_review
):
    client.force_login(users["implementation_manager"])
    url = f"/fidelity/reviews/{finalised_review.pk}/actions/"
    response = client.post(url, {"item": "17", "action": "Weekly employer visits", "owner": " "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Weekly employer visits</textarea>" in page
    assert '<details class="nhsuk-details" open>' in page
    assert 'href="#action-owner"' in page  # the error summary leads to the field
    assert not finalised_review.actions.exists()
    # The strengths and recommendations form was not posted: it shows no errors.
    assert 'href="#id_strengths"' not in page


def test_a_correction_refused_by_the_rules_keeps_the_reason_typed(
    client, reviewers, finalised_review
):
    client.force_login(reviewers[0])
    url = f"/fidelity/reviews/{finalised_review.pk}/correct/"
    # Item 5 was agreed at 4 (the fixture's spread of 104): a "correction" to 4 is refused.
    response = client.post(url, {"item": "5", "new_score": "4", "reason": "Recounted caseloads"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Item 5 is already 4." in page
    assert "Recounted caseloads</textarea>" in page
    assert not finalised_review.corrections.exists()


def test_a_checklist_entry_without_a_description_comes_back_open(client, reviewers, review):
    client.force_login(reviewers[0])
    url = f"/fidelity/reviews/{review.pk}/checklist/"
    before = review.prep_tasks.count()
    response = client.post(url, {"kind": "interview", "description": "   "})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<details class="nhsuk-details" open>' in page and 'href="#id_description"' in page
    assert review.prep_tasks.count() == before
