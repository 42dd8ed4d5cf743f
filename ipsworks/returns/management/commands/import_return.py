"""ipsworks import_return --site SLUG --month YYYY-MM FILE [FILE ...] [--dry-run]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ipsworks.core.dates import parse_month
from ipsworks.organisation.models import Site
from ipsworks.returns.selectors import return_for
from ipsworks.returns.services import run_return, sha256_of, system_actor


class Command(BaseCommand):
    help = (
        "Check and apply a site's monthly return (.xlsx, .xls, .ods, .csv or a .zip of CSV "
        "files). All or nothing: a file with any error applies nothing and the command exits "
        "with status 1. Acts as the ipsworks.system account."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="the site's slug")
        parser.add_argument("--month", required=True, help="the month, as YYYY-MM")
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="check only; apply nothing")

    def handle(self, *args, **options):
        try:
            site = Site.objects.get(slug=options["site"])
        except Site.DoesNotExist:
            raise CommandError(f"No site with the slug {options['site']!r}.") from None
        try:
            month = parse_month(options["month"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        paths = [Path(f) for f in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path} is not a file.")
        sha = sha256_of(paths)
        try:
            report = run_return(
                actor=system_actor(site=site),
                site=site,
                month=month,
                files=[(p.name, p) for p in paths],
                apply=not options["dry_run"],
                sha256=sha,
                source="import_return command",
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        for line in report.lines():
            self.stdout.write(line)
        if report.error_count:
            raise CommandError(
                f"{report.error_count} error(s) in the file: nothing was applied.", returncode=1
            )
        monthly = return_for(site, month) if options["dry_run"] else None
        if monthly is not None and monthly.locked_at:
            # The file is fine, but applying it would be refused: say so now, as the real run
            # would, rather than report a clean check.
            raise CommandError(
                f"The file has no errors, but the return for {month:%B %Y} is locked: a "
                "programme manager must re-open it before the file can be applied.",
                returncode=1,
            )
        verb = "Checked (dry run, nothing applied)" if options["dry_run"] else "Applied"
        self.stdout.write(f"{verb}: {report.total_changes} change(s). SHA-256 {sha}")
