"""ipsworks fidelity_score SHEET: total, band and section subtotals of a score sheet."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ipsworks.fidelity.models import ScaleVersion
from ipsworks.fidelity.scoring import compute_totals
from ipsworks.fidelity.services import ensure_default_scale
from ipsworks.fidelity.sheets import SheetError, read_sheet


class Command(BaseCommand):
    help = (
        "Score a sheet (.csv or .xlsx with columns item, score, rationale): print the total, the "
        "band and each section's subtotal. Exits non-zero for a missing or duplicate item or a "
        "score outside 1-5."
    )

    def add_arguments(self, parser):
        parser.add_argument("sheet")
        parser.add_argument(
            "--scale", help="Scale version as CODE:VERSION (default: the current version)."
        )

    def handle(self, *args, **options):
        path = Path(options["sheet"])
        if options.get("scale"):
            code, _, version = options["scale"].partition(":")
            scale = ScaleVersion.objects.filter(code=code, version=version).first()
            if scale is None:
                raise CommandError(f"No scale version {options['scale']} is loaded.")
        else:
            scale = ensure_default_scale()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        numbers = list(scale.items.values_list("number", flat=True))
        try:
            rows = read_sheet(data, path.name, numbers, scale.min_score, scale.max_score)
        except SheetError as exc:
            lines = "\n".join(f"  - {p}" for p in exc.problems)
            raise CommandError(f"{path.name} cannot be scored:\n{lines}") from None
        totals = compute_totals(
            {r.item: r.score for r in rows}, scale.sections, scale.bands, scale.max_score
        )
        band = totals.band.label if totals.band else "no band"
        self.stdout.write(f"Scale: {scale.title} (version {scale.version})")
        self.stdout.write(f"Total: {totals.total} of {totals.max_total}")
        self.stdout.write(f"Band: {band}")
        for section in totals.sections:
            self.stdout.write(f"  {section['title']}: {section['total']} of {section['max']}")
