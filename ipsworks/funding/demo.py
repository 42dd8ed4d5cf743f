"""Demo funding records: the posts and outcomes of the seed's Table 1 for the six demo sites.

Every date is relative to the site's start and its grant end (start + 18 months). The Wiltshire
contract renewal is made up for the demo so that, whenever the demo is loaded, two posts end
within 6 months of that day and the funding alert can be seen.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ipsworks.core.dates import add_months
from ipsworks.demo.context import DemoContext

from .models import Post, SiteFunding, Stakeholder

ONE_DAY = timedelta(days=1)

STATUS = {
    "berkshire": (
        "continued",
        False,
        "Both new employment specialist posts in the Reading and Slough teams, paid for by the "
        "trust, carried on once the grant had ended.",
    ),
    "lincolnshire": (
        "partly_continued",
        False,
        "The two posts converted from existing supported employment work carried on. The "
        "part-time team leader role, held by a senior occupational therapist, was lost when "
        "its holder left and was not replaced.",
    ),
    "bradford": (
        "continued",
        True,
        "All five specialist posts and the team leader carried on after the grant, but the "
        "money was not recurrent: keeping it depended on matching savings elsewhere.",
    ),
    "wiltshire": (
        "continued",
        False,
        "No internal money was needed: the council and the clinical commissioning group jointly "
        "paid for a team leader and 5.5 FTE of specialists on a contract of three to five years.",
    ),
    "bedfordshire-luton": (
        "partly_continued",
        False,
        "The three Bedfordshire posts carried on. Commissioners could not take over the four "
        "Luton posts, which were made redundant six months after the grant ended.",
    ),
    "northamptonshire": (
        "partly_continued",
        False,
        "The trust kept paying for the team leader, the forensic service post and the early "
        "intervention post; the post seconded from an outside agency ended with the grant.",
    ),
}


def _posts(ctx: DemoContext) -> list[Post]:
    today = timezone.localdate()
    posts: list[Post] = []

    def add(slug, role, title, fte, kind, funder, start, end=None, *, recurrent=False, notes=""):
        post = Post(
            site=ctx.sites[slug],
            role=role,
            title=title,
            fte=Decimal(str(fte)),
            funding_type=kind,
            funder=funder,
            start_date=start,
            end_date=end,
            recurrent=recurrent,
            notes=notes,
        )
        posts.append(post)
        return post

    def chain(old: Post, new: Post) -> None:
        old._successor = new  # linked after bulk_create gives both an id

    # Berkshire: two new posts paid for by the trust, continued.
    site = ctx.sites["berkshire"]
    for team in ("Reading CMHT", "Slough CMHT"):
        add(
            "berkshire", "specialist", f"Specialist, {team}", 1, "trust",
            "Berkshire NHS trust", site.start_date, recurrent=True,
        )  # fmt: skip

    # Lincolnshire: two converted posts continued; the part-time team leader post ended.
    site = ctx.sites["lincolnshire"]
    for team in ("Lincoln CMHT", "Boston CMHT"):
        add(
            "lincolnshire", "specialist", f"Specialist, {team}", 1, "trust",
            "Lincolnshire NHS trust", site.start_date, recurrent=True,
            notes="Converted from an existing supported employment post.",
        )  # fmt: skip
    add(
        "lincolnshire", "team_leader", "Team leader (senior OT, part time)", 0.5,
        "trust", "Lincolnshire NHS trust", site.start_date, add_months(site.end_date, 4),
        notes="Lost when the postholder left; not replaced.",
    )  # fmt: skip

    # Bradford: four posts from surplus, one from salary released by a secondment to the
    # grant-funded team leader post; all continued but without recurrent money.
    site = ctx.sites["bradford"]
    grant_end = site.end_date
    for number in range(1, 5):
        add(
            "bradford", "specialist", f"Specialist {number}", 1, "trust",
            "Bradford NHS trust (surplus)", site.start_date,
            notes="Paid from surplus, not from a recurrent budget.",
        )  # fmt: skip
    released = add(
        "bradford", "specialist", "Specialist 5", 1, "secondment",
        "Salary released by the team leader's secondment", site.start_date, grant_end,
    )  # fmt: skip
    chain(
        released,
        add(
            "bradford", "specialist", "Specialist 5", 1, "trust",
            "Bradford NHS trust", grant_end + ONE_DAY, notes="Not yet recurrent funding.",
        ),
    )  # fmt: skip
    leader = add(
        "bradford", "team_leader", "IPS team leader", 1, "grant", "Making IPS Work grant",
        site.start_date, grant_end,
    )  # fmt: skip
    chain(
        leader,
        add(
            "bradford", "team_leader", "IPS team leader", 1, "trust", "Bradford NHS trust",
            grant_end + ONE_DAY, notes="Not yet recurrent funding.",
        ),
    )  # fmt: skip

    # Wiltshire: team leader and 5.5 FTE specialists jointly commissioned for five years, then
    # (made up for the demo) renewed until four months after the day the demo is loaded.
    site = ctx.sites["wiltshire"]
    contract_end = add_months(site.start_date, 60) - ONE_DAY
    renewal_end = add_months(today, 4)
    for role, title, fte in (
        ("team_leader", "IPS team leader", 1),
        ("specialist", "Specialists (team of 6)", 5.5),
    ):
        first = add(
            "wiltshire", role, title, fte, "commissioners",
            "Wiltshire Council and Wiltshire CCG (joint commissioning)", site.start_date,
            contract_end, notes="Contract of three to five years.",
        )  # fmt: skip
        chain(
            first,
            add(
                "wiltshire", role, f"{title}, renewed", fte, "local_authority",
                "Wiltshire Council", contract_end + ONE_DAY, max(renewal_end, contract_end
                + ONE_DAY), notes="Demo only: a renewal whose end is near.",
            ),
        )  # fmt: skip

    # Bedfordshire and Luton.
    site = ctx.sites["bedfordshire-luton"]
    for number in range(1, 4):
        add(
            "bedfordshire-luton", "specialist", f"Bedfordshire specialist {number}",
            1, "commissioners", "Bedfordshire mental health commissioners", site.start_date,
            recurrent=True, notes="An existing post brought into the IPS team.",
        )  # fmt: skip
    luton_end = add_months(site.end_date, 6)
    for number in range(1, 5):
        kind, funder = (
            ("secondment", "Salary released by a secondment to a grant-funded post")
            if number <= 2
            else ("trust", "Bedfordshire and Luton NHS trust")
        )
        add(
            "bedfordshire-luton", "specialist", f"Luton specialist {number}", 1,
            kind, funder, site.start_date, luton_end,
            notes="Made redundant six months after the grant: no commissioner took it on.",
        )  # fmt: skip

    # Northamptonshire.
    site = ctx.sites["northamptonshire"]
    grant_end = site.end_date
    forensic = add(
        "northamptonshire", "specialist", "Specialist, forensic service", 1,
        "secondment", "Salary of a seconded staff member", site.start_date, grant_end,
    )  # fmt: skip
    chain(
        forensic,
        add(
            "northamptonshire", "specialist", "Specialist, forensic service", 1,
            "trust", "Northamptonshire NHS trust", grant_end + ONE_DAY, recurrent=True,
        ),
    )  # fmt: skip
    add(
        "northamptonshire", "specialist", "Specialist, early intervention", 1,
        "trust", "Northamptonshire NHS trust", site.start_date, recurrent=True,
        notes="An existing employment post in the early intervention service.",
    )  # fmt: skip
    add(
        "northamptonshire", "specialist", "Seconded specialist", 1, "secondment",
        "An outside agency", add_months(site.start_date, 6), grant_end,
        notes="Added during the grant; ended with it.",
    )  # fmt: skip
    leader = add(
        "northamptonshire", "team_leader", "IPS team leader", 1, "grant",
        "Making IPS Work grant", site.start_date, grant_end,
    )  # fmt: skip
    chain(
        leader,
        add(
            "northamptonshire", "team_leader", "IPS team leader", 1, "trust",
            "Northamptonshire NHS trust", grant_end + ONE_DAY, recurrent=True,
        ),
    )  # fmt: skip
    return posts


STAKEHOLDERS = [
    # kind, organisation pattern, contact role, engagement when the service continued / not
    ("commissioners", "{area} clinical commissioning group", "Mental health commissioning lead"),
    ("board_sponsor", "{host}", "Executive director sponsoring IPS"),
    ("local_authority", "{area} council", "Head of adult social care"),
    ("dwp", "{area} Jobcentre Plus", "Partnership manager"),
    ("voluntary", "{area} mental health charity", "Employment project lead"),
    ("employers", "{area} employers' forum", "Forum chair"),
]
ENGAGED = {
    "continued": ["committed", "committed", "engaged", "engaged", "informed", "engaged"],
    "partly_continued": ["engaged", "committed", "informed", "engaged", "informed", "informed"],
}


def load(ctx: DemoContext) -> None:
    posts = _posts(ctx)
    Post.objects.bulk_create(posts)
    linked = [p for p in posts if getattr(p, "_successor", None)]
    for post in linked:
        post.successor = post._successor
    Post.objects.bulk_update(linked, ["successor"])

    SiteFunding.objects.bulk_create(
        SiteFunding(site=ctx.sites[slug], status=status, at_risk=risk, notes=notes)
        for slug, (status, risk, notes) in STATUS.items()
    )

    rng = ctx.rng("funding.stakeholders")
    items = []
    for slug, (status, _risk, _notes) in STATUS.items():
        site = ctx.sites[slug]
        area = site.name
        for index, (kind, org, role) in enumerate(STAKEHOLDERS):
            engagement = ENGAGED[status][index]
            items.append(
                Stakeholder(
                    site=site,
                    kind=kind,
                    organisation=org.format(area=area, host=site.host_organisation),
                    contact_role=role,
                    engagement=engagement,
                    last_contact=site.end_date - timedelta(days=rng.randint(0, 120)),
                )
            )
    items.append(
        Stakeholder(
            site=ctx.sites["bedfordshire-luton"],
            kind="commissioners",
            organisation="Luton clinical commissioning group",
            contact_role="Mental health commissioning lead",
            engagement="withdrawn",
            last_contact=ctx.sites["bedfordshire-luton"].end_date,
            notes="Could not take over the Luton posts after the grant.",
        )
    )
    Stakeholder.objects.bulk_create(items)
    ctx.say(f"    {len(posts)} funded posts, {len(items)} stakeholders")
