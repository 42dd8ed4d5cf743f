"""ipsworks send_return_reminders [--date YYYY-MM-DD]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipsworks.returns.services import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail the implementation managers of sites with overdue monthly returns (due the 15th "
        "of the next month). Meant for a daily or weekly scheduler."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="treat this day as today (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        sent = send_reminders(as_of=as_of)
        for address, months in sent:
            self.stdout.write(f"Reminded {address}: {len(months)} missing return(s)")
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
