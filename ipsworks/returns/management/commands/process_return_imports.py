"""ipsworks process_return_imports: check uploads left waiting, and put back imports whose work
stopped (after a restart or a crash)."""

from django.core.management.base import BaseCommand

from ipsworks.returns.models import ReturnImport
from ipsworks.returns.services import is_stale, process_import, recover_if_stale


class Command(BaseCommand):
    help = (
        "Check every uploaded return file still waiting, and put back any whose checking or "
        "applying stopped without finishing (an interrupted apply is never re-applied: it "
        "waits to be accepted again). Work still running is left alone."
    )

    def handle(self, *args, **options):
        State = ReturnImport.State
        to_check = []
        for item in ReturnImport.objects.filter(state__in=[State.CHECKING, State.APPLYING]):
            if is_stale(item):
                # Checked here, in this process (a background thread would die with it).
                item = recover_if_stale(item, restart=False)
                self.stdout.write(f"{item.pk}: {item.get_state_display()} (was interrupted)")
                if item.state == State.QUEUED:
                    to_check.append(item)
        to_check += [i for i in ReturnImport.objects.filter(state=State.QUEUED) if is_stale(i)]
        for item in to_check:
            notice = (item.report or {}).get("notice", "")
            item = process_import(item.pk, apply=False, notice=notice)
            self.stdout.write(f"{item.pk}: {item.get_state_display()}")
