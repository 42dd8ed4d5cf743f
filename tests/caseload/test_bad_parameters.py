"""Odd query parameters on caseload pages give a page with a message, never a server error."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("until", ["0001-01-01", "0001-01-20", "9999-12-31", "2016-02-30", "x"])
def test_supervision_with_an_unusable_date_explains_and_shows_the_latest_weeks(
    client, users, until
):
    client.force_login(users["team_leader"])
    response = client.get("/caseload/supervision/", {"until": until})
    assert response.status_code == 200
    assert "Showing the latest 4 weeks instead" in response.content.decode()


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "0", "abc"])
def test_caseload_list_ignores_impossible_specialist_ids(client, users, value):
    client.force_login(users["implementation_manager"])
    response = client.get("/caseload/people/", {"specialist": value})
    assert response.status_code == 200
