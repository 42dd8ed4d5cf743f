"""The funding timeline: one horizontal bar per post, from the first to the last funded day.

Server-rendered inline SVG (presentation attributes only). Each row names the post, its FTE
and its funder type in text, so colour is never the only way to tell bars apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ipsworks.core.dates import add_months

from .models import FundingType, Post
from .selectors import ENDED_NO_SUCCESSOR, ENDING_SOON, funded_on, funding_alerts

WIDTH = 960
LABEL_X = 8
TYPE_X = 290
ALERT_X = 405
PLOT_LEFT = 500
PLOT_RIGHT = 940
TOP = 60
ROW = 26
BAR = 14
BOTTOM = 56

# NHS.UK palette; every bar also has a dark outline for contrast against the white page.
FILLS = {
    FundingType.GRANT: "#005eb8",
    FundingType.TRUST: "#007f3b",
    FundingType.COMMISSIONERS: "#330072",
    FundingType.LOCAL_AUTHORITY: "#ae2573",
    FundingType.SECONDMENT: "#ffb81c",
    FundingType.OTHER: "#768692",
}
SHORT_TYPE = {
    FundingType.GRANT: "Grant",
    FundingType.TRUST: "Trust",
    FundingType.COMMISSIONERS: "Commissioners",
    FundingType.LOCAL_AUTHORITY: "Local authority",
    FundingType.SECONDMENT: "Secondment",
    FundingType.OTHER: "Other",
}


@dataclass
class Bar:
    post: Post
    label: str
    type_label: str
    alert_label: str
    x: float
    width: float
    y: float
    text_y: float
    fill: str
    dashed: bool
    title: str


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Marker:
    x: float
    label: str
    label_x: float
    anchor: str
    label_y: float


@dataclass
class Timeline:
    title: str
    summary: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    type_x: int = TYPE_X
    alert_x: int = ALERT_X
    headings: list[tuple[float, str]] = field(default_factory=list)
    label_x: int = LABEL_X
    header_y: int = TOP - 8
    axis_y: float = 0
    axis_label_y: float = 0
    axis_label_x: float = (PLOT_LEFT + PLOT_RIGHT) / 2
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.bars


def _fte(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def build_timeline(
    posts: list[Post],
    *,
    as_of: date,
    title: str,
    subject: str,
    grant_end: date | None = None,
    show_site: bool = False,
    as_of_label: str = "Today",
) -> Timeline:
    posts = sorted(posts, key=lambda p: (p.site.name, p.start_date, p.role, p.pk))
    alerts = {a.post.pk: a.kind for a in funding_alerts(as_of=as_of)} if posts else {}
    funded = sum((p.fte for p in posts if funded_on(p, as_of)), Decimal("0"))
    soon = sum(1 for p in posts if alerts.get(p.pk) == ENDING_SOON)
    lost = sum(1 for p in posts if alerts.get(p.pk) == ENDED_NO_SUCCESSOR)
    summary = (
        f"{subject} has {len(posts)} funded post{'s' if len(posts) != 1 else ''} on record, "
        f"{_fte(funded)} FTE funded on {_date(as_of)}; {soon} end within 6 months and {lost} "
        f"ended with no continuing post."
    )
    site_count = len({p.site_id for p in posts}) if show_site else 0
    height = TOP + ROW * max(len(posts) + site_count, 1) + BOTTOM
    timeline = Timeline(title=title, summary=summary, width=WIDTH, height=height)
    if not posts:
        return timeline

    first = min(p.start_date for p in posts)
    last = max([p.end_date for p in posts if p.end_date] + [add_months(as_of, 6)])
    if grant_end:
        first, last = min(first, grant_end), max(last, grant_end)
    start = date(first.year, 1, 1)
    end = date(last.year + 1, 1, 1)
    span = (end - start).days
    scale = (PLOT_RIGHT - PLOT_LEFT) / span

    def x(day: date) -> float:
        return round(PLOT_LEFT + (min(max(day, start), end) - start).days * scale, 1)

    years = end.year - start.year
    step = 1 if years <= 8 else 2 if years <= 16 else 5
    timeline.ticks = [
        Tick(x(date(year, 1, 1)), str(year)) for year in range(start.year, end.year + 1, step)
    ]
    row = 0
    current_site = None
    for post in posts:
        if show_site and post.site_id != current_site:
            current_site = post.site_id
            timeline.headings.append((TOP + row * ROW + ROW / 2 + 5, post.site.name))
            row += 1
        y = TOP + row * ROW
        row += 1
        role = post.title or post.get_role_display()
        label = role if len(role) <= 30 else role[:29] + "…"
        kind = alerts.get(post.pk)
        alert = {ENDING_SOON: "Ends soon", ENDED_NO_SUCCESSOR: "Lost"}.get(kind, "")
        bar_end = post.end_date or end
        until = _date(post.end_date) if post.end_date else "no end date"
        timeline.bars.append(
            Bar(
                post=post,
                label=f"{label} ({_fte(post.fte)} FTE)",
                type_label=SHORT_TYPE[post.funding_type],
                alert_label=alert,
                x=x(post.start_date),
                width=max(round(x(bar_end) - x(post.start_date), 1), 2.0),
                y=y + (ROW - BAR) / 2,
                text_y=y + ROW / 2 + 5,
                fill=FILLS[post.funding_type],
                dashed=kind is not None,
                title=(
                    f"{post.site.name}, {role}, {_fte(post.fte)} FTE, "
                    f"{post.get_funding_type_display()}: {_date(post.start_date)} to {until}"
                    + {
                        ENDING_SOON: " (ends within 6 months, not continued)",
                        ENDED_NO_SUCCESSOR: " (ended, not continued)",
                    }.get(kind, "")
                ),
            )
        )
    bottom = TOP + ROW * row
    timeline.axis_y = bottom
    timeline.axis_label_y = bottom + 44
    markers = [(as_of, f"{as_of_label}, {_date(as_of)}")]
    if grant_end:
        markers.append((grant_end, f"Grant ends {_date(grant_end)}"))
    for number, (day, text) in enumerate(markers):
        mx = x(day)
        right = mx > (PLOT_LEFT + PLOT_RIGHT) / 2
        timeline.markers.append(
            Marker(
                mx, text, mx - 4 if right else mx + 4, "end" if right else "start", 16 + 18 * number
            )
        )
    used = {p.funding_type for p in posts}
    timeline.legend = [(SHORT_TYPE[t], FILLS[t]) for t in FundingType if t in used]
    return timeline
