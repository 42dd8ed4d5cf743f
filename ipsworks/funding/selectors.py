"""Reads for the funding app: posts, alerts, site summaries, stakeholders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from ipsworks.core.dates import add_months
from ipsworks.organisation.models import Site

from .models import Post, SiteFunding, Stakeholder, StakeholderKind, SustainabilityStatus

ALERT_MONTHS = 6

ENDING_SOON = "ending_soon"
ENDED_NO_SUCCESSOR = "ended_no_successor"


@dataclass(frozen=True)
class FundingAlert:
    kind: str
    post: Post
    as_of: date

    @property
    def site(self) -> Site:
        return self.post.site

    @property
    def days(self) -> int:
        """Days until the funding ends (ending soon) or since it ended (ended)."""
        return abs((self.post.end_date - self.as_of).days)

    @property
    def label(self) -> str:
        return "Funding ends soon" if self.kind == ENDING_SOON else "Ended, not continued"

    @property
    def message(self) -> str:
        end = f"{self.post.end_date.day} {self.post.end_date:%B %Y}"
        if self.kind == ENDING_SOON:
            when = "today" if self.days == 0 else f"in {self.days} days"
            return f"Funding ends on {end} ({when}) and no continuing post is recorded."
        return f"Funding ended on {end} and no continuing post is recorded."


EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def parse_as_of(text: str) -> date:
    """A date typed as YYYY-MM-DD for checking alerts on; ValueError unless it is a real date in
    the years 1900-2200 (beyond those the alert window and timeline would leave the calendar)."""
    day = date.fromisoformat(text)
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError(f"{text} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}")
    return day


def alert_window(as_of: date) -> tuple[date, date]:
    """The inclusive window of end dates that count as 'ending soon' on `as_of`."""
    return as_of, add_months(as_of, ALERT_MONTHS)


def funding_alerts(*, as_of: date, sites: QuerySet[Site] | None = None) -> list[FundingAlert]:
    """Every funding alert on `as_of`, ended posts first, then by end date.

    A post raises an alert only when no continuing (successor) post is recorded for it, and:
    - "ending soon": its last funded day is between `as_of` and the same date 6 calendar months
      later, both inclusive (ipsworks.core.dates.add_months: 31 August -> 28/29 February);
    - "ended with no successor": its last funded day is before `as_of`.
    Posts with no end date never raise an alert.
    """
    first, last = alert_window(as_of)
    posts = Post.objects.filter(successor__isnull=True, end_date__isnull=False, end_date__lte=last)
    if sites is not None:
        posts = posts.filter(site__in=sites)
    alerts = [
        FundingAlert(ENDED_NO_SUCCESSOR if post.end_date < first else ENDING_SOON, post, as_of)
        for post in posts.select_related("site")
    ]
    alerts.sort(
        key=lambda a: (a.kind != ENDED_NO_SUCCESSOR, a.post.end_date, a.site.name, a.post.pk)
    )
    return alerts


def posts_for_site(site: Site) -> QuerySet[Post]:
    return Post.objects.filter(site=site).select_related("site", "successor")


def posts_for_sites(sites: QuerySet[Site]) -> QuerySet[Post]:
    return Post.objects.filter(site__in=sites).select_related("site", "successor")


def funded_on(post: Post, day: date) -> bool:
    return post.start_date <= day and (post.end_date is None or post.end_date >= day)


def status_for(site: Site) -> SiteFunding:
    """The site's recorded status after its grant (an unsaved 'not yet decided' if none)."""
    try:
        return site.funding_status
    except SiteFunding.DoesNotExist:
        return SiteFunding(site=site, status=SustainabilityStatus.UNDECIDED)


@dataclass(frozen=True)
class SiteSummary:
    site: Site
    status: SiteFunding
    posts: int
    fte_funded: Decimal
    fte_not_recurrent: Decimal
    fte_ending_soon: Decimal
    ending_soon: int
    ended_no_successor: int


def site_summaries(sites: QuerySet[Site], *, as_of: date) -> list[SiteSummary]:
    """One aggregate row per site: status, posts, FTE funded on `as_of`, alert counts."""
    sites = list(sites.select_related("funding_status").order_by("name"))
    posts = list(Post.objects.filter(site__in=sites))
    alerts = funding_alerts(as_of=as_of, sites=Site.objects.filter(pk__in=[s.pk for s in sites]))
    out = []
    for site in sites:
        mine = [p for p in posts if p.site_id == site.pk]
        site_alerts = [a for a in alerts if a.post.site_id == site.pk]
        soon = [a for a in site_alerts if a.kind == ENDING_SOON]
        out.append(
            SiteSummary(
                site=site,
                status=status_for(site),
                posts=len(mine),
                fte_funded=sum((p.fte for p in mine if funded_on(p, as_of)), Decimal("0")),
                fte_not_recurrent=sum(
                    (p.fte for p in mine if funded_on(p, as_of) and not p.recurrent),
                    Decimal("0"),
                ),
                fte_ending_soon=sum((a.post.fte for a in soon), Decimal("0")),
                ending_soon=len(soon),
                ended_no_successor=len(site_alerts) - len(soon),
            )
        )
    return out


def stakeholders_for_site(site: Site) -> list[Stakeholder]:
    """The site's stakeholders in the order the types are listed, then by organisation."""
    order = list(StakeholderKind.values)
    items = Stakeholder.objects.filter(site=site)
    return sorted(items, key=lambda s: (order.index(s.kind), s.organisation.lower()))
