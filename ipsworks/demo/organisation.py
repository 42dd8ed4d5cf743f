"""The demo programme "Making IPS Work": six sites with the start dates of the seed's Table 1."""

from datetime import date

from django.contrib.auth import get_user_model

from ipsworks.accounts.models import Membership
from ipsworks.accounts.roles import Role
from ipsworks.organisation.models import Programme, Site, Team

from .context import DEMO_PASSWORD, DemoContext

PROGRAMME = {
    "name": "Making IPS Work",
    "description": (
        "A demonstration programme: six NHS sites each set up an IPS team with targets of at "
        "least 120 referrals and 60 job starts over 18 months. All individual records in this "
        "demo are synthetic."
    ),
}

# slug, name, host organisation, start date, clinical teams
SITES = [
    (
        "berkshire",
        "Berkshire",
        "Berkshire NHS trust",
        date(2015, 1, 28),
        ["Reading CMHT", "Slough CMHT"],
    ),
    (
        "lincolnshire",
        "Lincolnshire",
        "Lincolnshire NHS trust",
        date(2015, 1, 28),
        ["Lincoln CMHT", "Boston CMHT"],
    ),
    (
        "bradford",
        "Bradford",
        "Bradford NHS trust",
        date(2015, 1, 28),
        ["Bradford North CMHT", "Bradford South CMHT"],
    ),
    (
        "wiltshire",
        "Wiltshire",
        "Wiltshire NHS trust",
        date(2015, 10, 1),
        ["Salisbury CMHT", "Chippenham CMHT"],
    ),
    (
        "bedfordshire-luton",
        "Bedfordshire and Luton",
        "Bedfordshire and Luton NHS trust",
        date(2015, 9, 28),
        ["Bedford CMHT", "Luton CMHT"],
    ),
    (
        "northamptonshire",
        "Northamptonshire",
        "Northamptonshire NHS trust",
        date(2015, 12, 1),
        ["Forensic service", "Early intervention service"],
    ),
]

PROGRAMME_ACCOUNTS = [
    ("programme.manager", Role.PROGRAMME_MANAGER),
    ("reviewer", Role.REVIEWER),
    ("evaluator", Role.EVALUATOR),
    ("commissioner", Role.COMMISSIONER),
    ("admin", Role.ADMINISTRATOR),
]


def _user(ctx: DemoContext, username: str, **extra):
    User = get_user_model()
    user = User(username=username, **extra)
    user.set_password(DEMO_PASSWORD)
    user.save()
    ctx.users[username] = user
    return user


def load(ctx: DemoContext) -> None:
    programme = Programme.objects.create(**PROGRAMME)
    ctx.programme = programme
    for slug, name, host, start, teams in SITES:
        site = Site.objects.create(
            programme=programme, slug=slug, name=name, host_organisation=host, start_date=start
        )
        ctx.sites[slug] = site
        team_objs = [Team.objects.create(site=site, name=t) for t in teams]
        im = _user(ctx, f"{slug}.im")
        Membership.objects.create(
            user=im,
            role=Role.IMPLEMENTATION_MANAGER,
            programme=programme,
            site=site,
            start_date=start,
        )
        tl = _user(ctx, f"{slug}.tl")
        Membership.objects.create(
            user=tl, role=Role.TEAM_LEADER, programme=programme, site=site, start_date=start
        )
        for number, team in enumerate(team_objs, start=1):
            es = _user(ctx, f"{slug}.es{number}")
            Membership.objects.create(
                user=es,
                role=Role.SPECIALIST,
                programme=programme,
                site=site,
                team=team,
                start_date=start,
            )
    for username, role in PROGRAMME_ACCOUNTS:
        is_admin = role == Role.ADMINISTRATOR
        user = _user(ctx, username, is_staff=is_admin, is_superuser=is_admin)
        Membership.objects.create(user=user, role=role, programme=programme)
