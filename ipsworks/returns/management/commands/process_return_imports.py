"""ipsworks process_return_imports: check uploads left waiting (e.g. after a restart)."""

from django.core.management.base import BaseCommand

from ipsworks.returns.models import ReturnImport
from ipsworks.returns.services import process_import


class Command(BaseCommand):
    help = "Check every uploaded return file still waiting or interrupted (never applies)."

    def handle(self, *args, **options):
        waiting = ReturnImport.objects.filter(
            state__in=[ReturnImport.State.QUEUED, ReturnImport.State.CHECKING]
        )
        for item in waiting:
            item = process_import(item.pk, apply=False)
            self.stdout.write(f"{item.pk}: {item.get_state_display()}")
        # An apply interrupted mid-way was rolled back: ask for it to be accepted again.
        ReturnImport.objects.filter(state=ReturnImport.State.APPLYING).update(
            state=ReturnImport.State.CHECKED
        )
