"""`ipsworks outcomes [--site SLUG] [--from YYYY-MM] [--to YYYY-MM] --format json|csv`

One row per site plus a total row; a column per metric, named by its key. Without --from/--to
each site's figures cover its implementation period.
"""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from ipsworks.core.dates import parse_month
from ipsworks.core.spreadsheets import safe_cell
from ipsworks.organisation.models import Programme, Site
from ipsworks.outcomes.selectors import ROW_KEYS, outcome_rows


class Command(BaseCommand):
    help = "Print outcome figures per site and in total (aggregate figures only)."

    def add_arguments(self, parser):
        parser.add_argument("--site", help="Only this site (its slug).")
        parser.add_argument("--programme", help="Programme name (default: the only one).")
        parser.add_argument("--from", dest="first", help="First month counted, YYYY-MM.")
        parser.add_argument("--to", dest="last", help="Last month counted, YYYY-MM.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, site=None, programme=None, first=None, last=None, **options):
        try:
            first_month = parse_month(first) if first else None
            last_month = parse_month(last) if last else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if first_month and last_month and last_month < first_month:
            raise CommandError("--to must not be before --from.")
        programmes = Programme.objects.all()
        if programme:
            programmes = programmes.filter(name=programme)
        programmes = list(programmes)
        if not programmes:
            raise CommandError(
                "No programme found." if not programme else f"No programme {programme!r}."
            )
        if len(programmes) > 1:
            names = ", ".join(p.name for p in programmes)
            raise CommandError(f"Several programmes ({names}): choose one with --programme.")
        sites = Site.objects.filter(programme=programmes[0]).order_by("name")
        if site:
            sites = sites.filter(slug=site)
            if not sites:
                raise CommandError(f"No site with the slug {site!r} in {programmes[0].name}.")
        rows = outcome_rows(
            programmes[0], sites=sites, first_month=first_month, last_month=last_month
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            writer = csv.DictWriter(self.stdout, fieldnames=ROW_KEYS, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
