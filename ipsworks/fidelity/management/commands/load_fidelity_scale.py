"""ipsworks load_fidelity_scale FILE: check a fidelity scale file and load it as a new version."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ipsworks.fidelity import services
from ipsworks.fidelity.scale_io import ScaleError, read_scale_file


class Command(BaseCommand):
    help = "Check a fidelity scale file (JSON) and load it as a new version of the scale."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The scale file, in the ipsworks JSON format.")
        parser.add_argument(
            "--not-current",
            action="store_true",
            help="Load it without using it for new reviews.",
        )

    def handle(self, *args, **options):
        try:
            data = read_scale_file(options["file"])
            scale = services.load_scale(
                actor=None,
                data=data,
                make_current=not options["not_current"],
                file_bytes=Path(options["file"]).read_bytes(),
            )
        except ScaleError as exc:
            lines = "\n".join(f"  - {p}" for p in exc.problems)
            raise CommandError(f"{options['file']} was not loaded:\n{lines}") from None
        except services.ReviewError as exc:
            raise CommandError(str(exc)) from None
        items = scale.items.count()
        self.stdout.write(
            f"Loaded {scale.title} ({scale.code} version {scale.version}): {items} items"
            + (", now used for new reviews." if scale.is_current else ".")
        )
