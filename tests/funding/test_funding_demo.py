"""The demo holds the posts and outcomes of the seed's Table 1, and a funding alert fires on the
day the demo is loaded."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ipsworks.core.dates import add_months
from ipsworks.demo import organisation
from ipsworks.demo.context import DemoContext
from ipsworks.funding import demo
from ipsworks.funding.models import Post, SiteFunding, Stakeholder
from ipsworks.funding.selectors import ENDED_NO_SUCCESSOR, ENDING_SOON, funded_on, funding_alerts

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(db):
    ctx = DemoContext(seed=2014)
    organisation.load(ctx)
    demo.load(ctx)
    return ctx


def funded_after_grant(site, role=None, months=1):
    """Posts at the site still funded `months` after its grant ended."""
    day = add_months(site.end_date, months)
    posts = Post.objects.filter(site=site)
    if role:
        posts = posts.filter(role=role)
    return [p for p in posts if funded_on(p, day)]


def test_every_site_has_its_table_1_status(ctx):
    status = dict(SiteFunding.objects.values_list("site__slug", "status"))
    assert status == {
        "berkshire": "continued",
        "lincolnshire": "partly_continued",
        "bradford": "continued",
        "wiltshire": "continued",
        "bedfordshire-luton": "partly_continued",
        "northamptonshire": "partly_continued",
    }
    assert SiteFunding.objects.get(site__slug="bradford").at_risk


def test_table_1_posts_after_each_grant(ctx):
    s = ctx.sites
    assert len(funded_after_grant(s["berkshire"])) == 2
    lincs = funded_after_grant(s["lincolnshire"], months=6)
    assert [p.role for p in lincs] == ["specialist", "specialist"]
    bradford = funded_after_grant(s["bradford"])
    assert sorted(p.role for p in bradford) == ["specialist"] * 5 + ["team_leader"]
    assert not any(p.recurrent for p in bradford)
    wilts = funded_after_grant(s["wiltshire"])
    assert sum(p.fte for p in wilts) == Decimal("6.5")
    assert {p.funding_type for p in wilts} == {"commissioners"}
    beds = funded_after_grant(s["bedfordshire-luton"])
    assert len([p for p in beds if p.title.startswith("Bedfordshire")]) == 3
    assert len([p for p in beds if p.title.startswith("Luton")]) == 4  # until 6 months after
    assert funded_after_grant(s["bedfordshire-luton"], months=7) == [
        p for p in beds if p.title.startswith("Bedfordshire")
    ]
    northants = {p.title for p in funded_after_grant(s["northamptonshire"])}
    assert northants == {
        "Specialist, forensic service",
        "Specialist, early intervention",
        "IPS team leader",
    }


def test_lost_posts_show_as_ended_not_continued(ctx):
    alerts = funding_alerts(as_of=timezone.localdate())
    ended = sorted((a.site.slug, a.post.title) for a in alerts if a.kind == ENDED_NO_SUCCESSOR)
    assert ended == sorted(
        [("lincolnshire", "Team leader (senior OT, part time)")]
        + [("bedfordshire-luton", f"Luton specialist {n}") for n in range(1, 5)]
        + [("northamptonshire", "Seconded specialist")]
    )


def test_an_alert_fires_within_6_months_of_the_day_the_demo_is_loaded(ctx):
    today = timezone.localdate()
    soon = [a for a in funding_alerts(as_of=today) if a.kind == ENDING_SOON]
    assert soon and all(a.site.slug == "wiltshire" for a in soon)
    assert all(today <= a.post.end_date <= add_months(today, 6) for a in soon)
    # ...and it is still there a week later.
    assert funding_alerts(as_of=today + timedelta(days=7))


def test_stakeholders_are_organisations_for_every_site(ctx):
    assert set(Stakeholder.objects.values_list("site__slug", flat=True)) == set(ctx.sites)
    kinds = set(Stakeholder.objects.values_list("kind", flat=True))
    assert kinds == {"commissioners", "board_sponsor", "local_authority", "dwp", "voluntary",
                     "employers"}  # fmt: skip


def test_bradfords_continued_posts_show_as_funded_but_not_recurrent(ctx):
    from ipsworks.funding.selectors import site_summaries
    from ipsworks.organisation.models import Site

    today = timezone.localdate()
    rows = {r.site.slug: r for r in site_summaries(Site.objects.all(), as_of=today)}
    assert rows["bradford"].fte_funded == rows["bradford"].fte_not_recurrent == Decimal("6")
    assert rows["berkshire"].fte_not_recurrent == 0
