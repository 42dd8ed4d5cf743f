"""`ipsworks rebuild_summaries [--site SLUG]`: recompute the monthly summary tables."""

from django.core.management.base import BaseCommand, CommandError

from ipsworks.organisation.models import Site
from ipsworks.outcomes.summaries import rebuild_all


class Command(BaseCommand):
    help = "Recompute the outcomes monthly summary tables from the raw caseload records."

    def add_arguments(self, parser):
        parser.add_argument("--site", help="Only this site (its slug).")

    def handle(self, *args, site=None, **options):
        sites = None
        if site:
            sites = list(Site.objects.filter(slug=site))
            if not sites:
                raise CommandError(f"No site with the slug {site!r}.")
        rows = rebuild_all(sites)
        where = f"site {site}" if site else "every site"
        self.stdout.write(f"Rebuilt {rows} monthly summary rows for {where}.")
