"""ipsworks check_interview_counts FILE: flag rows whose totals disagree with their visits."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ipsworks.evaluation.counts import COLUMNS, CountsFileError, flagged_rows, parse_counts


class Command(BaseCommand):
    requires_system_checks: list = []  # reads a file only; needs no database
    help = (
        "Check interview counts in the wide CSV layout ("
        + ", ".join(COLUMNS)
        + "). Prints each row whose totals disagree with the sum of its visits and exits "
        "with status 1 when there are any (2 when the file cannot be read)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the CSV file")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file", returncode=2) from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not a UTF-8 text (CSV) file", returncode=2) from None
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror})", returncode=2) from None
        try:
            rows = parse_counts(text)
        except CountsFileError as exc:
            lines = "\n".join(f"  - {p}" for p in exc.problems)
            raise CommandError(f"{file} cannot be checked:\n{lines}", returncode=2) from None
        flagged = flagged_rows(rows)
        if not flagged:
            self.stdout.write(f"{file}: all {len(rows)} rows add up.")
            return
        self.stdout.write(f"{file}: {len(flagged)} of {len(rows)} rows do not add up:")
        for row in flagged:
            for problem in row.problems:
                self.stdout.write(f"  row {row.line} ({row.site}): {problem}")
        raise SystemExit(1)
