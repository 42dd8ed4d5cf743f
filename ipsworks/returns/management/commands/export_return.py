"""ipsworks export_return --site SLUG [--month YYYY-MM] --format xlsx|csv -o PATH"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipsworks.core.dates import parse_month
from ipsworks.organisation.models import Site
from ipsworks.returns.selectors import export_rows
from ipsworks.returns.services import record_export, system_actor
from ipsworks.returns.workbook import write_csv_files, write_csv_zip, write_xlsx


class Command(BaseCommand):
    help = (
        "Export a site's records in the return layout. xlsx: one workbook; csv: caseload.csv "
        "and jobs.csv in the folder PATH (or a .zip when PATH ends in .zip). Without --month: "
        "every record, with the '... this month' counts of the current month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True)
        parser.add_argument("--month")
        parser.add_argument("--format", choices=["xlsx", "csv"], required=True)
        parser.add_argument("-o", "--output", required=True, metavar="PATH")

    def handle(self, *args, **options):
        try:
            site = Site.objects.get(slug=options["site"])
        except Site.DoesNotExist:
            raise CommandError(f"No site with the slug {options['site']!r}.") from None
        try:
            month = parse_month(options["month"]) if options["month"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        actor = system_actor(site=site)
        caseload, jobs, count_month = export_rows(actor, site, month, today=timezone.localdate())
        counted = {"rows": 0}

        def tally(rows):
            for row in rows:
                counted["rows"] += 1
                yield row

        path = Path(options["output"])
        note = f"Exported from ipsworks: {site.name}; counts are for {count_month:%B %Y}."
        if options["format"] == "xlsx":
            write_xlsx(path, tally(caseload), tally(jobs), note=note)
        elif path.suffix.lower() == ".zip":
            write_csv_zip(path, tally(caseload), tally(jobs))
        else:
            write_csv_files(path, tally(caseload), tally(jobs))
        record_export(
            actor=actor,
            site=site,
            month=month,
            file_format=options["format"],
            rows=counted["rows"],
        )
        self.stdout.write(
            f"Wrote {counted['rows']} rows to {path} (counts for {count_month:%B %Y})."
        )
