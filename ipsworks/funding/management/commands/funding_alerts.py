"""ipsworks funding_alerts [--as-of YYYY-MM-DD] [--site SLUG]: print the funding alerts."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipsworks.funding.selectors import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    alert_window,
    funding_alerts,
    parse_as_of,
)
from ipsworks.organisation.models import Site


class Command(BaseCommand):
    help = (
        "Print posts whose funding ends within 6 calendar months of the date (both days "
        "included) or has ended, with no continuing post recorded. Always exits 0."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="The date to check on, YYYY-MM-DD (default: today).")
        parser.add_argument("--site", help="Only this site (its slug).")

    def handle(self, *args, as_of=None, site=None, **options):
        if as_of:
            try:
                day = parse_as_of(as_of)
            except ValueError:
                raise CommandError(
                    f"--as-of {as_of!r} is not a date in the form YYYY-MM-DD "
                    f"in the years {EARLIEST_YEAR}-{LATEST_YEAR}"
                ) from None
        else:
            day = timezone.localdate()
        sites = None
        if site:
            sites = Site.objects.filter(slug=site)
            if not sites.exists():
                raise CommandError(f"No site with the slug {site!r}")
        alerts = funding_alerts(as_of=day, sites=sites)
        first, last = alert_window(day)
        self.stdout.write(
            f"Funding alerts on {day.isoformat()} (ending {first.isoformat()} to "
            f"{last.isoformat()}, or ended, with no continuing post): {len(alerts)}"
        )
        for alert in alerts:
            post = alert.post
            self.stdout.write(
                f"{alert.site.name}\t{alert.label}\t{post.title or post.get_role_display()}\t"
                f"{post.fte.normalize():f} FTE\t{post.get_funding_type_display()}\t"
                f"ends {post.end_date.isoformat()}"
            )
