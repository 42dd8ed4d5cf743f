"""A fidelity review in a real browser: planned, scored by both reviewers, consensus reached
(one disagreement flagged and reasoned), finalised, report opened; axe-checked throughout."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def scores(total=104):
    base, extra = divmod(total, 25)
    return {n: base + (1 if n <= extra else 0) for n in range(1, 26)}


def test_both_reviewers_score_agree_finalise_and_open_the_report(ui, users, make_user):
    from ipsworks.fidelity.models import Review, ReviewStatus
    from ipsworks.fidelity.services import ensure_default_scale

    ensure_default_scale()
    make_user("reviewer", username="rev2")

    ui.sign_in("pm")
    page = ui.goto("/fidelity/plan/")
    page.get_by_label("Site").select_option(label="Alpha")
    page.get_by_label("Kind of review").select_option(label="Independent review")
    page.get_by_label("First reviewer").select_option(label="rev")
    page.get_by_label("Second reviewer").select_option(label="rev2")
    page.get_by_label("Visit starts").fill("2016-07-11")
    page.get_by_label("Visit ends").fill("2016-07-12")
    page.get_by_label("Documents to request").fill("Job descriptions\nSupervision records")
    page.get_by_role("button", name="Plan the review").click()
    page.wait_for_load_state()
    ui.axe()
    review = Review.objects.get()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Alpha: fidelity review")
    ui.sign_out()

    agreed = scores()
    for username, own in [("rev", agreed), ("rev2", {**agreed, 3: agreed[3] - 1})]:
        ui.sign_in(username)
        page = ui.goto(f"/fidelity/reviews/{review.pk}/score/")
        for number, value in own.items():
            page.check(f"#score-{number}-{value}")
        page.fill("#rationale-3", f"{username}: seen in the team meeting")
        page.get_by_role("button", name="Save your scores").click()
        page.wait_for_load_state()
        ui.axe()
        assert "25 scores saved" in page.content()
        if username == "rev":
            ui.sign_out()

    page = ui.goto(f"/fidelity/reviews/{review.pk}/consensus/")
    assert page.get_by_test_id("flag-3").inner_text() == "Differ by 1"
    assert page.get_by_test_id("flag-4").count() == 0
    for number, value in agreed.items():
        page.select_option(f"#agreed-{number}", str(value))
    page.fill("#reason-3", "Minutes show weekly attendance")
    page.get_by_role("button", name="Save agreed scores").click()
    page.wait_for_load_state()
    ui.axe()
    assert "25 of 25 items agreed" in page.content()

    page.get_by_role("button", name="Finalise the review").click()
    page.wait_for_load_state()
    ui.axe()
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINALISED and review.total == 104
    assert page.get_by_test_id("results-total").inner_text() == "104 of 125"

    page.get_by_role("link", name="Open the printable report").click()
    page.wait_for_load_state()
    ui.axe()
    assert page.get_by_role("heading", level=1).inner_text() == "Fidelity review report: Alpha"
    assert "Good fidelity" in page.content()
    ui.goto(f"/fidelity/sites/{review.site.slug}/")
    ui.goto("/fidelity/")
    ui.goto("/fidelity/scales/")


def test_results_with_an_overdue_action_and_the_commissioner_view_are_accessible(
    ui, users, make_user, site_a
):
    from datetime import date, timedelta

    from django.utils import timezone

    from ipsworks.fidelity import services

    scale = services.ensure_default_scale()
    rev2 = make_user("reviewer", username="rev2")
    review = services.plan_review(
        actor=users["programme_manager"],
        site=site_a,
        kind="independent",
        reviewer_1=users["reviewer"],
        reviewer_2=rev2,
        visit_start=date(2016, 7, 11),
        visit_end=date(2016, 7, 12),
        period_start=date(2016, 1, 1),
        period_end=date(2016, 6, 30),
    )
    services.attach_evidence(actor=users["reviewer"], review=review)
    for user in (users["reviewer"], rev2):
        for number, value in scores(95).items():
            services.record_score(actor=user, review=review, item_number=number, score=value)
    for number, value in scores(95).items():
        services.record_consensus(
            actor=rev2, review=review, item_number=number, agreed_score=value, reason="Agreed"
        )
    services.finalise_review(actor=rev2, review=review)
    services.add_action(
        actor=users["programme_manager"],
        review=review,
        item_number=7,
        action="Weekly group supervision",
        owner="Supervisor",
        due_date=timezone.localdate() - timedelta(days=3),
    )
    ui.sign_in("a.im")
    page = ui.goto(f"/fidelity/reviews/{review.pk}/results/")
    assert "Overdue" in page.content()
    ui.goto(f"/fidelity/reviews/{review.pk}/consensus/")
    ui.goto(f"/fidelity/sites/{site_a.slug}/")
    ui.sign_out()
    ui.sign_in("comm")
    ui.goto("/fidelity/programme/")
    page = ui.goto(f"/fidelity/reviews/{review.pk}/")
    assert "95 of 125" in page.content() and "Fair fidelity" in page.content()
    ui.goto(f"/fidelity/scales/{scale.pk}/")
