"""A commissioner makes an API token, reads the programme's figures with it, then revokes it;
the pages pass axe."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_commissioner_makes_uses_and_revokes_a_token(ui, users):
    page = ui.sign_in("comm")
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_load_state()
    ui.axe()
    assert "You have no tokens." in page.get_by_test_id("api-tokens").inner_text()

    page.get_by_role("button", name="Make token").click()
    page.wait_for_load_state()
    ui.axe()
    assert "What is the token for?: This field is required." in page.inner_text(
        ".nhsuk-error-summary"
    )

    page.get_by_label("What is the token for?").fill("Board report")
    page.get_by_label("Stops working after").select_option(label="30 days")
    page.get_by_role("button", name="Make token").click()
    page.wait_for_load_state()
    ui.axe()
    secret = page.get_by_test_id("api-token-secret").inner_text().strip()
    assert secret.startswith("ipw_")

    headers = {"Authorization": f"Bearer {secret}"}
    response = page.request.get(f"{ui.base_url}/api/v1/outcomes/", headers=headers)
    assert response.status == 200
    assert [row["site"] for row in response.json()["rows"]] == ["Alpha", "Beta", "Total"]

    page.get_by_role("link", name="Back to your API tokens").click()
    page.wait_for_load_state()
    table = page.get_by_test_id("api-tokens").inner_text()
    assert "Board report" in table and secret not in table
    page.get_by_role("button", name="Revoke the token for Board report").click()
    page.wait_for_load_state()
    ui.axe()
    assert "Revoked" in page.get_by_test_id("api-tokens").inner_text()
    assert page.request.get(f"{ui.base_url}/api/v1/outcomes/", headers=headers).status == 401
