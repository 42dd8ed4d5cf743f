"""Demo monthly returns: most months submitted on time, a few late, and Northamptonshire's
latest month missing, so the grid and the reminders have something to show."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from ipsworks.demo.context import DemoContext

from .models import MonthlyReturn, due_date
from .selectors import expected_months

LATE_SHARE = 0.12


def load(ctx: DemoContext) -> None:
    rng = ctx.rng("returns")
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    rows = []
    for slug, site in ctx.sites.items():
        im = ctx.users.get(f"{slug}.im")
        pm = ctx.users.get("programme.manager")
        months = expected_months(site, today)
        for index, month in enumerate(months):
            is_last = index == len(months) - 1
            if slug == "northamptonshire" and is_last:
                continue  # the latest return never arrived
            due = due_date(month)
            if rng.random() < LATE_SHARE:
                day = due + timedelta(days=rng.randint(3, 25))
            else:
                day = due - timedelta(days=rng.randint(0, 12))
            submitted = datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)), tz)
            locked = not is_last and index < len(months) - 2
            rows.append(
                MonthlyReturn(
                    site=site,
                    month=month,
                    submitted_at=submitted,
                    submitted_by=im,
                    locked_at=submitted + timedelta(days=5) if locked else None,
                    locked_by=pm if locked else None,
                )
            )
    MonthlyReturn.objects.bulk_create(rows)
    ctx.say(f"    {len(rows)} monthly returns submitted")
