"""The programme manager sees a funding alert, opens the site and records a continuing post;
the pages pass axe."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def test_programme_manager_sees_a_funding_alert_and_clears_it_with_a_continuing_post(
    ui, users, site_a, site_b
):
    from ipsworks.funding.models import Post

    today = timezone.localdate()
    Post.objects.create(
        site=site_a,
        role="specialist",
        title="Alpha North specialist",
        fte=Decimal("1.0"),
        funding_type="grant",
        funder="Test grant",
        start_date=today - timedelta(days=400),
        end_date=today + timedelta(days=60),
    )
    Post.objects.create(
        site=site_b,
        role="team_leader",
        fte=Decimal("0.5"),
        funding_type="local_authority",
        start_date=today - timedelta(days=100),
    )
    ui.sign_in("pm")
    page = ui.goto("/funding/")
    alerts = page.get_by_test_id("funding-alerts")
    assert "Funding ends soon" in alerts.inner_text()
    assert "Alpha North specialist" in alerts.inner_text()
    assert page.locator("svg.ips-chart title").first.text_content().startswith("Funding timeline")

    page.get_by_role("link", name="Alpha").first.click()
    page.wait_for_load_state()
    ui.axe()
    page.get_by_role("link", name="Add a post").click()
    page.wait_for_load_state()
    ui.axe()
    page.get_by_label("Role").select_option("specialist")
    page.get_by_label("Post description").fill("Alpha North specialist, trust funded")
    page.get_by_label("Full-time equivalent").fill("1")
    page.get_by_label("Funding type").select_option("trust")
    page.get_by_label("Start date").fill((today + timedelta(days=61)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    ui.axe()
    old = Post.objects.get(title="Alpha North specialist")
    page.goto(f"{ui.base_url}/funding/sites/alpha/posts/{old.pk}/")
    page.get_by_label("Continued by").select_option(
        label=str(Post.objects.get(funding_type="trust"))
        + f", from {today + timedelta(days=61):%d %b %Y}"
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    ui.axe()
    assert "No funding alerts." in page.get_by_test_id("funding-alerts").inner_text()


def test_implementation_manager_sees_only_their_site_and_adds_a_stakeholder(ui, users, site_b):
    from ipsworks.funding.models import Post

    Post.objects.create(
        site=site_b, role="specialist", title="Beta post", fte=Decimal("1"),
        funding_type="grant", start_date=timezone.localdate(),
    )  # fmt: skip
    ui.sign_in("a.im")
    page = ui.goto("/funding/")
    assert "Beta" not in page.get_by_test_id("funding-sites").inner_text()
    page = ui.goto("/funding/sites/alpha/")
    page.get_by_role("link", name="Add a stakeholder").click()
    page.wait_for_load_state()
    ui.axe()
    page.get_by_label("Type").select_option("dwp")
    page.get_by_label("Organisation").fill("Alpha Jobcentre Plus")
    page.get_by_label("Engagement").select_option("engaged")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    ui.axe()
    assert "Alpha Jobcentre Plus" in page.get_by_test_id("funding-stakeholders").inner_text()
    response = page.goto(f"{ui.base_url}/funding/sites/beta/")
    assert response.status == 404
