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


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("q", "\x00"),
        ("q", "A0\x001"),
        ("q", "x" * 5000),
        ("page", "99999999999999999999"),
        ("page", "-3"),
        ("sort", "-" * 50),
        ("sort", "\x00"),
        ("stage", "\x00"),
        ("group", "0001-13"),
        ("month", "0001-13"),
        ("specialist", "\x00"),
    ],
)
def test_caseload_list_survives_junk_query_parameters(client, users, name, value):
    client.force_login(users["implementation_manager"])
    response = client.get("/caseload/people/", {name: value})
    assert response.status_code == 200


def test_search_with_a_nul_character_searches_for_the_rest(client, users, episode_a):
    client.force_login(users["specialist"])
    page = client.get("/caseload/people/", {"q": "A0\x0001"}).content.decode()
    assert "A001" in page
