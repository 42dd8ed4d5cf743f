"""The evaluator codes a quote, and the theme-by-site matrix updates (HTMX); axe-clean pages."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coding_setup(users, site_a, site_b):
    from ipsworks.evaluation import services
    from ipsworks.evaluation.models import Interview

    evaluator = users["evaluator"]
    services.load_default_codebook(actor=evaluator, programme=site_a.programme)
    visit = services.create_visit(actor=evaluator, site=site_a, number=1, date=site_a.start_date)
    Interview.objects.create(
        visit=visit, format="focus_group", participant_role="clinician", participants=4
    )
    excerpt = services.save_excerpt(
        actor=evaluator,
        site=site_a,
        visit=visit,
        speaker_role="clinician",
        text="Since the specialist joined, the team asks about work at every review.",
        memo="Culture change in the team.",
    )
    return {"excerpt": excerpt, "visit": visit}


def matrix_total(page, theme):
    return page.locator(f'#theme-matrix tr[data-theme="{theme}"] [data-testid="matrix-total"]')


def test_evaluator_ticks_a_theme_and_sees_the_matrix_change(ui, coding_setup):
    ui.sign_in("eval")
    page = ui.goto(f"/evaluation/excerpts/{coding_setup['excerpt'].pk}/code/")
    assert matrix_total(page, "Staff morale").inner_text() == "0"
    assert matrix_total(page, "Benefits of IPS").inner_text() == "0"
    page.get_by_label("Staff morale").check()
    page.get_by_test_id("coding-status").filter(has_text="Saved: 1 theme ticked.").wait_for()
    assert matrix_total(page, "Staff morale").inner_text() == "1"
    assert matrix_total(page, "Benefits of IPS").inner_text() == "1"
    ui.axe()
    page.get_by_label("Staff morale").uncheck()
    page.get_by_test_id("coding-status").filter(has_text="Saved: 0 themes ticked.").wait_for()
    assert matrix_total(page, "Staff morale").inner_text() == "0"
    ui.axe()


def test_evaluation_pages_are_axe_clean(ui, coding_setup):
    ui.sign_in("eval")
    for path in [
        "/evaluation/",
        "/evaluation/counts/check/",
        "/evaluation/visits/",
        "/evaluation/visits/new/",
        f"/evaluation/visits/{coding_setup['visit'].pk}/",
        "/evaluation/codebook/",
        "/evaluation/codebook/themes/new/",
        "/evaluation/excerpts/",
        "/evaluation/excerpts/new/",
        "/evaluation/matrix/",
        "/evaluation/agreement/",
    ]:
        page = ui.goto(path)
        assert page.get_by_role("heading", level=1).count() == 1, path


def test_commissioner_sees_counts_but_quotes_are_not_found(ui, coding_setup):
    ui.sign_in("comm")
    page = ui.goto("/evaluation/")
    assert page.get_by_test_id("counts-table").is_visible()
    response = page.goto(ui.base_url + f"/evaluation/excerpts/{coding_setup['excerpt'].pk}/code/")
    assert response.status == 404
    ui.axe()
