"""The funding timeline is inline SVG with a title, axis labels, a one-sentence summary and a
data table, uses presentation attributes only, and names each alert in text."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ipsworks.funding.chart import PLOT_LEFT, PLOT_RIGHT, build_timeline
from ipsworks.funding.models import Post

pytestmark = pytest.mark.django_db


def test_bars_span_each_posts_funded_period_and_alerts_are_named(site_a, make_post):
    as_of = date(2026, 3, 15)
    make_post(site_a, title="Lost post", start_date=date(2015, 1, 1), end_date=date(2016, 1, 1))
    make_post(site_a, title="Open post", start_date=date(2015, 1, 1), end_date=None)
    soon = make_post(site_a, title="Soon post", start_date=date(2020, 1, 1),
                     end_date=date(2026, 6, 1))  # fmt: skip
    timeline = build_timeline(
        list(Post.objects.all()), as_of=as_of, title="T", subject="Alpha", grant_end=None
    )
    bars = {b.post.title: b for b in timeline.bars}
    assert bars["Lost post"].alert_label == "Lost"
    assert bars["Soon post"].alert_label == "Ends soon" and bars["Soon post"].dashed
    assert bars["Open post"].alert_label == "" and not bars["Open post"].dashed
    assert bars["Open post"].x == PLOT_LEFT  # the axis starts on 1 January 2015
    assert bars["Open post"].x + bars["Open post"].width == pytest.approx(PLOT_RIGHT, abs=0.2)
    assert bars["Lost post"].width < bars["Soon post"].width
    assert [t.label for t in timeline.ticks][0] == "2015"
    assert timeline.summary == (
        "Alpha has 3 funded posts on record, 2 FTE funded on 15 Mar 2026; 1 end within 6 months "
        "and 1 ended with no continuing post."
    )
    assert soon.pk in {b.post.pk for b in timeline.bars}


def test_site_page_chart_is_accessible_svg_with_a_data_table(client, users, site_a, make_post):
    today = timezone.localdate()
    make_post(site_a, title="Ending post", start_date=today - timedelta(days=300),
              end_date=today + timedelta(days=30))  # fmt: skip
    client.force_login(users["implementation_manager"])
    html = client.get("/funding/sites/alpha/").content.decode()
    svg = html[html.index('<svg class="ips-chart"') : html.index("</svg>", html.index("ips-chart"))]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "Year (each bar runs from the first to the last funded day)" in svg
    assert "Post (FTE)" in svg and "Funded by" in svg and ">Ends soon<" in svg
    assert "Grant ends 28 Jul 2016" in svg and "Today," in svg
    assert " style=" not in svg and "<style" not in svg
    assert re.search(r'<rect [^>]*fill="#005eb8"', svg)
    assert 'data-testid="timeline-summary"' in html
    assert "Show the timeline as a table" in html and "<caption" in html
