"""The programme manager opens the outcomes dashboard, reads Table 3 and downloads the
Figure 2 data; every page is axe clean."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def outcomes_data(site_a, site_b, users):
    from ipsworks.caseload.models import Episode, Job, ServiceUser
    from ipsworks.outcomes.summaries import rebuild_all

    n = 0
    for site, referrals, jobs in ((site_a, 10, 4), (site_b, 5, 1)):
        for i in range(referrals):
            n += 1
            person = ServiceUser.objects.create(site=site, reference=f"B{n:03d}")
            episode = Episode.objects.create(
                service_user=person, site=site, referral_date=date(2015, 11, 1 + i)
            )
            if i < jobs:
                Job.objects.create(
                    episode=episode,
                    site=site,
                    start_date=date(2015, 12, 1 + i),
                    employer="Employer",
                    job_title="Job",
                    hours_per_week=Decimal("16"),
                    hourly_pay=Decimal("7.00"),
                    is_competitive=True,
                )
    rebuild_all()
    return users


def test_programme_manager_reads_table3_and_downloads_figure2(ui, outcomes_data):
    ui.sign_in("pm")
    page = ui.goto("/outcomes/")
    table = page.get_by_test_id("table3-table")
    alpha = table.get_by_role("row", name="Alpha")
    assert alpha.get_by_role("cell").nth(0).inner_text() == "10"
    assert alpha.get_by_role("cell").nth(1).inner_text() == "4"
    assert alpha.get_by_role("cell").nth(2).inner_text() == "40%"
    total = table.get_by_role("row", name="Total")
    assert total.get_by_role("cell").nth(1).inner_text() == "5"
    assert page.get_by_role("img", name="Cumulative job starts, all sites").is_visible()

    with page.expect_download() as info:
        page.get_by_test_id("download-figure2-csv").click()
    with open(info.value.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Month", "Cumulative job starts"]
    assert rows[-1][1] == "5"

    page.get_by_text("Data table: Figure 2: job starts in all sites").click()
    ui.axe()
    ui.goto("/outcomes/report/")
    ui.goto("/outcomes/site/alpha/")
    ui.goto("/outcomes/settings/")


def test_specialist_sees_their_figures_and_team_leader_the_site(ui, outcomes_data):
    ui.sign_in("a.es1")
    page = ui.goto("/outcomes/mine/")
    assert page.get_by_role("heading", name="My figures", level=1).is_visible()
    ui.sign_out()
    ui.sign_in("a.tl")
    page = ui.goto("/outcomes/my-site/")
    assert page.get_by_role("heading", name="Alpha: outcomes").is_visible()
