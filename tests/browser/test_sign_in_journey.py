"""Sign in, see the role's home page, sign out – in a real browser, axe-checked."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("username", "heading"),
    [
        ("a.es1", "Employment specialist"),
        ("a.tl", "Team leader"),
        ("a.im", "Implementation manager"),
        ("pm", "Programme manager"),
        ("rev", "Fidelity reviewer"),
        ("eval", "Evaluator"),
        ("comm", "Commissioner"),
        ("adm", "Administrator"),
    ],
)
def test_each_role_signs_in_sees_its_home_page_and_signs_out(ui, users, username, heading):
    ui.goto("/")  # not signed in: sent to the sign-in page
    assert "/account/sign-in/" in ui.page.url
    page = ui.sign_in(username)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_test_id("header-user").inner_text() == username
    ui.goto("/sites/")
    ui.sign_out()
    assert "/account/sign-in/" in ui.page.url
    ui.goto("/")
    assert "/account/sign-in/" in ui.page.url


def test_wrong_password_shows_an_accessible_error_summary(ui, users):
    ui.goto("/account/sign-in/")
    ui.page.get_by_label("Username").fill("a.es1")
    ui.page.get_by_label("Password").fill("not-the-password")
    ui.page.get_by_role("button", name="Sign in").click()
    ui.page.wait_for_load_state()
    assert ui.page.get_by_role("alert").is_visible()
    ui.axe()


def test_specialist_gets_not_found_for_another_sites_page(ui, users):
    ui.sign_in("b.es1")
    response = ui.page.goto(ui.base_url + "/sites/alpha/")
    assert response.status == 404
    ui.axe()
