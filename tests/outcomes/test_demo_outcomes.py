"""Acceptance on the demo programme: Table 3 and `ipsworks outcomes` show the seed's figures."""

import io
import json

import pytest
from django.core.management import call_command

from ipsworks.caseload.models import Episode
from ipsworks.outcomes.models import SUMMARY_FIELDS, MonthlySiteSummary
from ipsworks.outcomes.summaries import compute_site_months

pytestmark = pytest.mark.django_db

# The seed's Table 3: site -> (referrals, job starts, rounded job starts per referral)
SEED = {
    "Berkshire": (240, 74, 31),
    "Bradford": (193, 78, 40),
    "Lincolnshire": (170, 65, 38),
    "Bedfordshire and Luton": (264, 114, 43),
    "Northamptonshire": (139, 27, 19),
    "Wiltshire": (155, 63, 41),
}


@pytest.fixture
def seeded(demo):
    assert Episode.objects.exists(), "the caseload demo loaded no records"
    return demo


def test_table3_view_shows_the_seed_figures(client, seeded):
    client.force_login(seeded.users["programme.manager"])
    response = client.get("/outcomes/")
    assert response.status_code == 200
    table = response.context["datasets"]["table3"]
    shown = {row[0]: (row[1], row[2], round(row[3] * 100)) for row in table.rows[:-1]}
    assert shown == SEED
    total = table.rows[-1]
    assert (total[0], total[2], total[6]) == ("Total", 421, 360)
    assert total[7] == "5 of 6 sites"
    html = response.content.decode()
    for referrals, jobs, rate in SEED.values():
        assert f'<td class="nhsuk-table__cell">{referrals}</td>' in html
        assert f"{rate}%" in html and str(jobs) in html


def test_outcomes_command_shows_the_seed_figures(seeded):
    out = io.StringIO()
    call_command("outcomes", "--format", "json", stdout=out)
    rows = {r["site"]: r for r in json.loads(out.getvalue())}
    for site, (referrals, jobs, rate) in SEED.items():
        row = rows[site]
        assert (row["referrals"], row["job_starts"]) == (referrals, jobs)
        assert round(row["job_start_rate"] * 100) == rate
        assert row["target_job_starts"] == 60
    assert (rows["Total"]["job_starts"], rows["Total"]["target_job_starts"]) == (421, 360)
    at_target = [s for s in SEED if rows[s]["job_starts"] >= 60]
    assert len(at_target) == 5 and "Northamptonshire" not in at_target
    assert rows["Northamptonshire"]["status"] == "far_behind"


def test_demo_summaries_equal_a_recomputation(seeded):
    for site in seeded.sites.values():
        stored = {
            r.pop("month"): r
            for r in MonthlySiteSummary.objects.filter(site=site).values("month", *SUMMARY_FIELDS)
        }
        expected = {m: c for m, c in compute_site_months(site.pk).items() if any(c.values())}
        assert stored == expected, site.name
