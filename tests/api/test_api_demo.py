"""The demo's published token reads the demo programme's figures: the seed's Table 3."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_token_reads_the_seed_s_table3_totals(client, demo):
    from ipsworks.api.demo import DEMO_TOKEN

    response = client.get("/api/v1/outcomes/", HTTP_AUTHORIZATION=f"Bearer {DEMO_TOKEN}")
    assert response.status_code == 200
    rows = {row["site"]: row for row in response.json()["rows"]}
    assert (rows["Berkshire"]["referrals"], rows["Berkshire"]["job_starts"]) == (240, 74)
    assert (rows["Total"]["job_starts"], rows["Total"]["referrals"]) == (421, 1161)


def test_the_demo_token_acts_as_the_programme_manager(client, demo):
    from ipsworks.api.demo import DEMO_TOKEN

    body = client.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {DEMO_TOKEN}").json()
    assert body["user"] == "programme.manager"
